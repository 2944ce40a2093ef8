//! `privnet-lint graph`: the network part of the resource graph (VPCs,
//! subnets, route tables, endpoints, gateways, security groups, workloads)
//! as Graphviz DOT or Mermaid, with each check's path drawn and the blocking
//! hops highlighted.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::network::{EndpointKind, Ident, Network, RouteTarget};
use crate::reach::{Status, Verdict, WorkloadResult};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Vpc,
    Subnet,
    RouteTable,
    Endpoint,
    Nat,
    Igw,
    Group,
    Nacl,
    Workload,
    Service,
}

struct Node {
    id: String,
    label: String,
    kind: Kind,
    vpc: Option<String>,
}

struct Edge {
    from: String,
    to: String,
    label: String,
    path: Option<Status>,
}

struct Model {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    blocked: BTreeSet<String>,
}

fn add(nodes: &mut Vec<Node>, id: &str, label: String, kind: Kind, vpc: Option<String>) {
    if !nodes.iter().any(|n| n.id == id) {
        nodes.push(Node { id: id.to_string(), label, kind, vpc });
    }
}

fn edge(edges: &mut Vec<Edge>, from: &str, to: &Ident, label: &str) {
    if let Some(t) = to.id() {
        edges.push(Edge { from: from.to_string(), to: t.to_string(), label: label.to_string(), path: None });
    }
}

fn model(net: &Network, results: &[WorkloadResult]) -> Model {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for v in &net.vpcs {
        let cidrs: Vec<String> = v.cidrs.iter().map(|c| c.to_string()).collect();
        add(&mut nodes, &v.id, format!("VPC {}\n{}", v.id, cidrs.join(", ")), Kind::Vpc, Some(v.id.clone()));
    }
    for s in &net.subnets {
        let cidr = s.cidr.map(|c| c.to_string()).unwrap_or_default();
        add(&mut nodes, &s.id, format!("subnet {}\n{cidr}", s.id), Kind::Subnet, s.vpc.id().map(str::to_string));
        if let Some(rt) = &s.route_table {
            edge(&mut edges, &s.id, rt, "route table");
        }
        if let Some(n) = &s.nacl {
            edge(&mut edges, &s.id, n, "network ACL");
        }
    }
    for rt in &net.route_tables {
        add(&mut nodes, &rt.id, format!("route table {}", rt.id), Kind::RouteTable, rt.vpc.id().map(str::to_string));
        for r in &rt.routes {
            let dest = match &r.destination {
                crate::network::Destination::Cidr(c) => c.to_string(),
                _ => "?".into(),
            };
            match &r.target {
                RouteTarget::InternetGateway(i) | RouteTarget::NatGateway(i) | RouteTarget::Other(_, i) => {
                    edge(&mut edges, &rt.id, i, &dest)
                }
                _ => {}
            }
        }
    }
    for n in &net.nacls.iter().filter(|n| !n.is_default).collect::<Vec<_>>() {
        add(&mut nodes, &n.id, format!("network ACL {}", n.id), Kind::Nacl, n.vpc.id().map(str::to_string));
    }
    for g in &net.igws {
        add(&mut nodes, &g.id, format!("internet gateway {}", g.id), Kind::Igw, None);
        for v in &g.attached {
            edge(&mut edges, &g.id, v, "attached");
        }
    }
    for n in &net.nats {
        let vpc = n
            .subnet
            .as_ref()
            .and_then(Ident::id)
            .and_then(|s| net.subnet(s))
            .and_then(|s| s.vpc.id().map(str::to_string));
        add(&mut nodes, &n.id, format!("NAT gateway {}", n.id), Kind::Nat, vpc);
        if let Some(s) = &n.subnet {
            edge(&mut edges, &n.id, s, "in");
        }
    }
    for ep in &net.endpoints {
        let kind = if ep.kind == EndpointKind::Gateway { "gateway endpoint" } else { "interface endpoint" };
        add(
            &mut nodes,
            &ep.id,
            format!("{kind} {}\n{}", ep.id, ep.service_text),
            Kind::Endpoint,
            ep.vpc.id().map(str::to_string),
        );
        for rt in &ep.route_tables {
            edge(&mut edges, &ep.id, rt, "prefix-list route");
        }
        for s in &ep.subnets {
            edge(&mut edges, &ep.id, s, "ENI");
        }
        for g in &ep.groups {
            edge(&mut edges, &ep.id, g, "security group");
        }
    }
    let mut used_groups = BTreeSet::new();
    for w in &net.workloads {
        let kind = if w.kind == crate::network::WorkloadKind::Instance { "instance" } else { "Auto Scaling group" };
        let vpc = w.subnet.id().and_then(|s| net.subnet(s)).and_then(|s| s.vpc.id().map(str::to_string));
        add(&mut nodes, &w.id, format!("{kind} {}", w.id), Kind::Workload, vpc);
        edge(&mut edges, &w.id, &w.subnet, "subnet");
        for g in &w.groups {
            edge(&mut edges, &w.id, g, "security group");
            if let Some(id) = g.id() {
                used_groups.insert(id.to_string());
            }
        }
    }
    for ep in &net.endpoints {
        used_groups.extend(ep.groups.iter().filter_map(Ident::id).map(str::to_string));
    }
    for g in net.groups.iter().filter(|g| used_groups.contains(&g.id)) {
        add(
            &mut nodes,
            &g.id,
            format!("security group {}", g.id),
            Kind::Group,
            g.vpc.as_ref().and_then(Ident::id).map(str::to_string),
        );
    }
    // the checks' paths and their blocking hops
    let mut blocked = BTreeSet::new();
    for r in results {
        for (name, check) in [(r.image.package_manager(), &r.dnf), ("ssm", &r.ssm)] {
            for p in check.paths.iter().filter(|p| p.target.as_str() != "ec2messages") {
                for h in &p.hops {
                    if h.verdict == Verdict::Block {
                        if let Some(res) = h.resource.as_deref() {
                            blocked.insert(res.to_string());
                        }
                        if let Some(res) = h.blocker.as_ref().and_then(|b| b.resource.as_deref()) {
                            blocked.insert(res.to_string());
                        }
                    }
                }
                let service = format!("service:{}", p.target.as_str());
                let label = match p.target.as_str() {
                    "s3" => "S3 (Amazon Linux repository)".to_string(),
                    "mirror" => "package mirror (internet)".to_string(),
                    other => format!("{other} endpoint"),
                };
                add(&mut nodes, &service, label, Kind::Service, None);
                let from = r.resource.clone();
                let via = p.via.clone();
                let hop_label = format!("{name}: {}", p.target.as_str());
                match via {
                    Some(v) => {
                        edges.push(Edge { from: from.clone(), to: v.clone(), label: hop_label, path: Some(p.status) });
                        edges.push(Edge { from: v, to: service, label: String::new(), path: Some(p.status) });
                    }
                    None => edges.push(Edge { from, to: service, label: hop_label, path: Some(p.status) }),
                }
            }
        }
    }
    let known: BTreeSet<String> = nodes.iter().map(|n| n.id.clone()).collect();
    edges.retain(|e| known.contains(&e.from) && known.contains(&e.to));
    edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.label == b.label && a.path == b.path);
    Model { nodes, edges, blocked }
}

fn dot_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // U+2028/U+2029 end a line for some readers: a line break too
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str("\\n"),
            c if super::escape::is_hazard(c) || c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn shape(kind: Kind) -> &'static str {
    match kind {
        Kind::Vpc => "folder",
        Kind::Subnet => "box",
        Kind::RouteTable => "note",
        Kind::Endpoint => "hexagon",
        Kind::Nat => "octagon",
        Kind::Igw => "house",
        Kind::Group => "component",
        Kind::Nacl => "tab",
        Kind::Workload => "ellipse",
        Kind::Service => "cylinder",
    }
}

/// The graph in Graphviz DOT.
pub fn render_dot(net: &Network, results: &[WorkloadResult]) -> String {
    let m = model(net, results);
    let index = |id: &str| m.nodes.iter().position(|n| n.id == id).unwrap_or(0);
    let mut out = String::from(
        "digraph privnet {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    let mut vpcs: Vec<Option<String>> = m.nodes.iter().map(|n| n.vpc.clone()).collect();
    vpcs.sort();
    vpcs.dedup();
    for (k, vpc) in vpcs.iter().enumerate() {
        let members: Vec<(usize, &Node)> = m.nodes.iter().enumerate().filter(|(_, n)| n.vpc == *vpc).collect();
        if let Some(v) = vpc {
            let _ =
                writeln!(out, "  subgraph cluster_{k} {{\n    label=\"VPC {}\";\n    style=rounded;", dot_escape(v));
        }
        for (i, n) in members {
            let red = m.blocked.contains(&n.id);
            let style = if red { ", style=filled, fillcolor=\"#f8d0d0\", color=\"#c00000\", penwidth=2" } else { "" };
            let _ = writeln!(out, "    n{i} [label=\"{}\", shape={}{style}];", dot_escape(&n.label), shape(n.kind));
        }
        if vpc.is_some() {
            out.push_str("  }\n");
        }
    }
    for e in &m.edges {
        let (color, width, style) = match e.path {
            Some(Status::Reachable) => ("#2e7d32", 2, "solid"),
            Some(Status::Unreachable) => ("#c00000", 2, "solid"),
            Some(Status::Unknown) => ("#e0a000", 2, "dashed"),
            // a check that does not apply has no path; grey if one shows
            Some(Status::NotApplicable) => ("#888888", 1, "dotted"),
            None => ("#888888", 1, "solid"),
        };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\", color=\"{color}\", penwidth={width}, style={style}];",
            index(&e.from),
            index(&e.to),
            dot_escape(&e.label)
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            // Mermaid's JavaScript parser ends a line at U+2028/U+2029 too
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str("<br/>"),
            // `#` and `&` too, else an ID holding `#quot;` or `&lt;` shows as `"` or `<`
            '`' | '|' | '[' | ']' | '{' | '}' | '(' | ')' | '#' | '&' => out.push_str(&format!("#{};", c as u32)),
            c if super::escape::is_hazard(c) || c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The graph as a Mermaid flowchart.
pub fn render_mermaid(net: &Network, results: &[WorkloadResult]) -> String {
    let m = model(net, results);
    let index = |id: &str| m.nodes.iter().position(|n| n.id == id).unwrap_or(0);
    let mut out = String::from("flowchart LR\n");
    for (i, n) in m.nodes.iter().enumerate() {
        let label = mermaid_escape(&n.label);
        let node = match n.kind {
            Kind::Workload => format!("n{i}([\"{label}\"])"),
            Kind::Endpoint => format!("n{i}{{{{\"{label}\"}}}}"),
            Kind::Service => format!("n{i}[(\"{label}\")]"),
            Kind::Igw | Kind::Nat => format!("n{i}[/\"{label}\"/]"),
            _ => format!("n{i}[\"{label}\"]"),
        };
        let _ = writeln!(out, "  {node}");
    }
    for (k, e) in m.edges.iter().enumerate() {
        let label = if e.label.is_empty() { String::new() } else { format!("|\"{}\"|", mermaid_escape(&e.label)) };
        let arrow = if e.path.is_some() { "==>" } else { "-->" };
        let _ = writeln!(out, "  n{} {arrow}{label} n{}", index(&e.from), index(&e.to));
        let color = match e.path {
            Some(Status::Reachable) => Some("#2e7d32"),
            Some(Status::Unreachable) => Some("#c00000"),
            Some(Status::Unknown) => Some("#e0a000"),
            Some(Status::NotApplicable) => Some("#888888"),
            None => None,
        };
        if let Some(c) = color {
            let _ = writeln!(out, "  linkStyle {k} stroke:{c},stroke-width:2px");
        }
    }
    out.push_str("  classDef blocked fill:#f8d0d0,stroke:#c00000,stroke-width:2px\n");
    for (i, n) in m.nodes.iter().enumerate() {
        if m.blocked.contains(&n.id) {
            let _ = writeln!(out, "  class n{i} blocked");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_their_line_or_quotes() {
        let hostile = "a\"b\nc\u{2028}d\u{2029}e\u{85}f\\g]h|i`j\r#quot;&lt;";
        let m = mermaid_escape(hostile);
        assert_eq!(m, "a#quot;b<br/>c<br/>d<br/>ef\\g#93;h#124;i#96;j#35;quot;#38;lt;");
        let d = dot_escape(hostile);
        assert_eq!(d, "a\\\"b\\nc\\nd\\nef\\\\g]h|i`j#quot;&lt;");
        for out in [m, d] {
            assert!(!out.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')), "{out:?}");
        }
    }
}
