//! The resource graph: CloudFormation's dependency graph of one template.
//!
//! One node per resource that exists, one edge per reference that makes
//! CloudFormation create one resource before another: `Ref`, `Fn::GetAtt`,
//! a `${…}` of `Fn::Sub` and `DependsOn` (taken `Fn::If` branches only),
//! each the resolver's [`Reference`] with its property path and template
//! node. The graph is a view over the [`Resolved`] template: it copies no
//! name. CloudFormation orders creation by it and rejects a template whose
//! graph has a cycle ([`ResourceGraph::cycles`], PN008).
//!
//! Later stages ask it what only references tell: the circular
//! dependencies (PN008), and which resources refer to one whose
//! `Condition` cannot be decided (its PN005 note names the workloads that
//! do). The network relations (which route table a subnet uses, which
//! groups a workload has) are not asked of this graph:
//! [`Network`](super::Network) holds them typed, with AWS's defaults
//! applied, indexed by logical ID.

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::resolve::{Existence, Reference, Resolved, ResolvedResource};

/// One step of a dependency cycle: `from` refers to `to` through `reference`.
#[derive(Clone, Copy, Debug)]
pub struct Step<'r> {
    /// The referring resource.
    pub from: &'r ResolvedResource,
    /// The resource it refers to.
    pub to: &'r ResolvedResource,
    /// How and where.
    pub reference: &'r Reference,
}

/// A circular dependency: every resource of one strongly connected part of
/// the graph (in template order), and one loop through them, from the
/// first.
#[derive(Clone, Debug)]
pub struct Cycle<'r> {
    /// The resources that depend on each other, in template order.
    pub members: Vec<&'r ResolvedResource>,
    /// A shortest loop from the first member back to it.
    pub steps: Vec<Step<'r>>,
}

/// The dependency graph of a resolved template. Nodes hold the index of a
/// resource in [`Resolved::resources`], edges the index of a reference in
/// [`Resolved::references`].
#[derive(Debug)]
pub struct ResourceGraph<'r> {
    resolved: &'r Resolved,
    graph: DiGraph<usize, usize>,
    index: HashMap<&'r str, NodeIndex>,
}

impl<'r> ResourceGraph<'r> {
    /// Builds the graph of the resources that exist in `resolved`.
    pub fn build(resolved: &'r Resolved) -> ResourceGraph<'r> {
        let mut graph = DiGraph::with_capacity(resolved.resources.len(), resolved.references.len());
        let mut index = HashMap::with_capacity(resolved.resources.len());
        for (i, r) in resolved.resources.iter().enumerate() {
            if r.exists != Existence::No {
                index.insert(r.id.as_str(), graph.add_node(i));
            }
        }
        for (k, reference) in resolved.references.iter().enumerate() {
            let from = resolved.resources[reference.from].id.as_str();
            if let (Some(&a), Some(&b)) = (index.get(from), index.get(reference.to.as_str())) {
                graph.add_edge(a, b, k);
            }
        }
        ResourceGraph { resolved, graph, index }
    }

    /// How many resources.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// How many references between them.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    fn resource(&self, n: NodeIndex) -> &'r ResolvedResource {
        &self.resolved.resources[self.graph[n]]
    }

    fn reference(&self, e: EdgeIndex) -> &'r Reference {
        &self.resolved.references[self.graph[e]]
    }

    /// What `id` refers to: each resource with the reference, in template
    /// order of the targets (one entry per reference).
    pub fn dependencies(&self, id: &str) -> Vec<(&'r ResolvedResource, &'r Reference)> {
        let Some(&n) = self.index.get(id) else { return Vec::new() };
        let mut out: Vec<(usize, &'r ResolvedResource, &'r Reference)> = self
            .graph
            .edges_directed(n, Direction::Outgoing)
            .map(|e| (self.graph[e.target()], self.resource(e.target()), self.reference(e.id())))
            .collect();
        out.sort_by_key(|(order, _, r)| (*order, r.span.start.offset));
        out.into_iter().map(|(_, res, r)| (res, r)).collect()
    }

    /// The resources that refer to `id` (each once, in template order):
    /// those CloudFormation creates after it.
    pub fn referrers(&self, id: &str) -> Vec<&'r ResolvedResource> {
        let Some(&n) = self.index.get(id) else { return Vec::new() };
        let mut from: Vec<usize> =
            self.graph.edges_directed(n, Direction::Incoming).map(|e| self.graph[e.source()]).collect();
        from.sort_unstable();
        from.dedup();
        from.into_iter().map(|i| &self.resolved.resources[i]).collect()
    }

    /// Every circular dependency among resources that certainly exist (a
    /// resource whose `Condition` is undecided may not be there), in
    /// template order of their first member. CloudFormation rejects such a
    /// template before it creates anything.
    pub fn cycles(&self) -> Vec<Cycle<'r>> {
        let mut out: Vec<(usize, Cycle<'r>)> = Vec::new();
        for scc in tarjan_scc(&self.graph) {
            let looped = scc.len() > 1 || self.graph.find_edge(scc[0], scc[0]).is_some();
            if !looped || scc.iter().any(|&n| self.resource(n).exists != Existence::Yes) {
                continue;
            }
            let mut members = scc;
            members.sort_by_key(|&n| self.graph[n]);
            let within: HashSet<NodeIndex> = members.iter().copied().collect();
            let steps = self.shortest_loop(members[0], &within);
            let first = self.graph[members[0]];
            out.push((first, Cycle { members: members.iter().map(|&n| self.resource(n)).collect(), steps }));
        }
        out.sort_by_key(|(first, _)| *first);
        out.into_iter().map(|(_, c)| c).collect()
    }

    /// A shortest loop from `start` back to it, staying inside `within`
    /// (breadth first, so the loop a user reads is as short as it gets).
    fn shortest_loop(&self, start: NodeIndex, within: &HashSet<NodeIndex>) -> Vec<Step<'r>> {
        let mut came: HashMap<NodeIndex, (NodeIndex, EdgeIndex)> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing: Option<(NodeIndex, EdgeIndex)> = None;
        'search: while let Some(n) = queue.pop_front() {
            let mut edges: Vec<_> = self.graph.edges_directed(n, Direction::Outgoing).collect();
            edges.sort_by_key(|e| (self.graph[e.target()], self.reference(e.id()).span.start.offset));
            for e in edges {
                let t = e.target();
                if t == start {
                    closing = Some((n, e.id()));
                    break 'search;
                }
                if within.contains(&t) && !came.contains_key(&t) {
                    came.insert(t, (n, e.id()));
                    queue.push_back(t);
                }
            }
        }
        let Some((mut at, last)) = closing else { return Vec::new() };
        let mut edges = vec![last];
        while at != start {
            let Some(&(prev, e)) = came.get(&at) else { break };
            edges.push(e);
            at = prev;
        }
        edges.reverse();
        edges
            .into_iter()
            .filter_map(|e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                Some(Step { from: self.resource(a), to: self.resource(b), reference: self.reference(e) })
            })
            .collect()
    }

    /// Every reference of the graph, in the order the resolver found them.
    pub fn references(&self) -> impl Iterator<Item = &'r Reference> + '_ {
        self.graph.edge_indices().map(|e| self.reference(e))
    }
}
