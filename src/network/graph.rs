//! The resource graph: one node per resource, one edge per reference.
//!
//! Edges come from the resolver (taken `Fn::If` branches only) and carry the
//! property path they were found at, so later stages can ask "which route
//! tables does this endpoint attach to" or "who refers to this group"
//! without walking the template again.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::resolve::{Existence, RefKind, Resolved};

/// A resource in the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphNode {
    /// Logical ID.
    pub id: String,
    /// `Type`.
    pub ty: String,
}

/// A reference from one resource to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphEdge {
    /// `Ref`, `GetAtt`, `Sub` or `DependsOn`.
    pub kind: RefKind,
    /// Where in the referring resource (`Properties.RouteTableIds[0]`).
    pub path: String,
}

/// The resource graph of a resolved template.
#[derive(Debug, Default)]
pub struct ResourceGraph {
    /// The graph itself.
    pub graph: DiGraph<GraphNode, GraphEdge>,
    index: HashMap<String, NodeIndex>,
}

impl ResourceGraph {
    /// Builds the graph of the resources that exist in `resolved`.
    pub fn build(resolved: &Resolved) -> ResourceGraph {
        let mut g = ResourceGraph::default();
        for r in &resolved.resources {
            if r.exists == Existence::No {
                continue;
            }
            let n = g.graph.add_node(GraphNode { id: r.id.clone(), ty: r.ty.clone() });
            g.index.insert(r.id.clone(), n);
        }
        for reference in &resolved.references {
            let from = &resolved.resources[reference.from].id;
            if let (Some(&a), Some(&b)) = (g.index.get(from), g.index.get(&reference.to)) {
                g.graph.add_edge(a, b, GraphEdge { kind: reference.kind, path: reference.path.clone() });
            }
        }
        g
    }

    /// The node of a logical ID.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// Resources `id` refers to at a property path starting with `path`
    /// (`"Properties.RouteTableIds"`), in template order.
    pub fn targets(&self, id: &str, path: &str) -> Vec<&str> {
        let Some(n) = self.node(id) else { return Vec::new() };
        let mut out: Vec<(usize, &str)> = self
            .graph
            .edges_directed(n, Direction::Outgoing)
            .filter(|e| e.weight().path.starts_with(path))
            .map(|e| (e.target().index(), self.graph[e.target()].id.as_str()))
            .collect();
        out.sort();
        out.dedup();
        out.into_iter().map(|(_, id)| id).collect()
    }

    /// Resources of type `ty` that refer to `id`, in template order.
    pub fn referrers(&self, id: &str, ty: &str) -> Vec<&str> {
        let Some(n) = self.node(id) else { return Vec::new() };
        let mut out: Vec<(usize, &str)> = self
            .graph
            .edges_directed(n, Direction::Incoming)
            .filter(|e| self.graph[e.source()].ty == ty)
            .map(|e| (e.source().index(), self.graph[e.source()].id.as_str()))
            .collect();
        out.sort();
        out.dedup();
        out.into_iter().map(|(_, id)| id).collect()
    }
}
