//! `privnet-lint trace`: one path in full, hop by hop, like Reachability
//! Analyzer's path view: each hop's resource, what matched there, the
//! packet in and out, and the template line.

use serde::Serialize;

use super::concise::one_line;
use super::human::sanitize;
use crate::reach::{Hop, HopKind, PathTrace, Status, Verdict};

/// One traced path of one workload (an Auto Scaling group has one per subnet).
#[derive(Clone, Debug)]
pub struct Traced {
    /// The template.
    pub path: String,
    /// The region.
    pub region: String,
    /// The workload's logical ID.
    pub workload: String,
    /// Its subnet (logical ID), when known.
    pub subnet: Option<String>,
    /// The subnet's CIDR, for the packet view.
    pub source: Option<String>,
    /// Where the packet goes (`host:port`).
    pub destination: String,
    /// The path.
    pub trace: PathTrace,
}

/// The packet as a hop sees it: `in` and `out` (the same unless the hop
/// rewrites it, like a NAT gateway).
fn packets(t: &Traced) -> Vec<(String, String)> {
    let src = t.source.clone().unwrap_or_else(|| t.workload.clone());
    let mut from = src.clone();
    let dst = t.destination.clone();
    t.trace
        .hops
        .iter()
        .map(|h| {
            let request = format!("{from} → {dst} tcp");
            match h.kind {
                HopKind::Workload | HopKind::Iam | HopKind::SessionPreferences => ("-".into(), "-".into()),
                HopKind::InstanceMetadata => {
                    let p = format!("{src} → 169.254.169.254:80 tcp");
                    (p.clone(), p)
                }
                HopKind::Dns => {
                    let p = format!("{src} → Amazon DNS (VPC base + 2):53 udp");
                    (p.clone(), p)
                }
                HopKind::NatGateway if h.verdict == Verdict::Pass => {
                    let out = format!("NAT gateway's Elastic IP → {dst} tcp");
                    from = "NAT gateway's Elastic IP".into();
                    (request, out)
                }
                _ if h.detail.contains("the reply") => {
                    let reply_to = if h.detail.contains("back from the NAT") { src.clone() } else { from.clone() };
                    let p = format!("{dst} → {reply_to}:ephemeral tcp");
                    (p.clone(), p)
                }
                _ => (request.clone(), request),
            }
        })
        .collect()
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Reachable => "reachable",
        Status::Unreachable => "unreachable",
        Status::Unknown => "unknown",
        Status::NotApplicable => "not applicable",
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Block => "BLOCK",
        Verdict::Unknown => "unknown",
    }
}

/// Text from the template (logical IDs, URLs) on one line of the layout:
/// line breaks folded, control characters and workflow commands defused.
fn field(s: &str) -> String {
    sanitize(&one_line(s))
}

/// Renders traced paths as text.
pub fn render_text(traces: &[Traced]) -> String {
    let mut out = String::new();
    for t in traces {
        let via = t.trace.via.as_deref().map(|v| format!(" via {}", field(v))).unwrap_or_default();
        let subnet = t.subnet.as_deref().map(|s| format!(" in {}", field(s))).unwrap_or_default();
        out.push_str(&format!(
            "{} ({}): {}{subnet} → {} ({}): {}{via}\n",
            field(&t.path),
            field(&t.region),
            field(&t.workload),
            t.trace.target.as_str(),
            field(&t.destination),
            status_word(t.trace.status),
        ));
        for (n, (h, (packet_in, packet_out))) in t.trace.hops.iter().zip(packets(t)).enumerate() {
            hop_text(&mut out, n + 1, h, &packet_in, &packet_out);
        }
        out.push('\n');
    }
    out
}

fn hop_text(out: &mut String, n: usize, h: &Hop, packet_in: &str, packet_out: &str) {
    let line = h.span.map(|s| format!("line {}", s.start.line)).unwrap_or_else(|| "-".into());
    out.push_str(&format!(
        "  {n:>2}. {:<22} {:<8} {}  ({line})\n",
        h.kind.as_str(),
        verdict_word(h.verdict),
        field(h.resource.as_deref().unwrap_or("-")),
    ));
    out.push_str(&format!("      {}\n", sanitize(&one_line(&h.detail))));
    if let Some(st) = &h.state {
        out.push_str(&format!("      deployed: {}\n", field(&st.to_string())));
    }
    if packet_in != "-" {
        if packet_in == packet_out {
            out.push_str(&format!("      packet: {}\n", field(packet_in)));
        } else {
            out.push_str(&format!("      packet in:  {}\n      packet out: {}\n", field(packet_in), field(packet_out)));
        }
    }
    if let Some(b) = h.blocker.as_ref().filter(|_| h.verdict != Verdict::Pass) {
        out.push_str(&format!("      {} {}: {}\n", b.code, b.code.name(), sanitize(&one_line(&b.why))));
        for (i, l) in b.fix.lines().enumerate() {
            out.push_str(&format!("      {} {}\n", if i == 0 { "fix:" } else { "    " }, sanitize(l)));
        }
    }
}

#[derive(Serialize)]
struct HopOut<'a> {
    seq: usize,
    kind: &'static str,
    resource: Option<&'a str>,
    verdict: Verdict,
    detail: &'a str,
    packet_in: String,
    packet_out: String,
    line: Option<u32>,
    code: Option<&'static str>,
    fix: Option<&'a str>,
    /// Where a deployed resource was read (`--account-state`).
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<super::json::StateOut<'a>>,
}

#[derive(Serialize)]
struct TraceOut<'a> {
    path: &'a str,
    region: &'a str,
    workload: &'a str,
    subnet: Option<&'a str>,
    target: &'static str,
    destination: &'a str,
    status: Status,
    via: Option<&'a str>,
    hops: Vec<HopOut<'a>>,
}

/// Renders traced paths as JSON (`privnet-lint/trace-v1`).
pub fn render_json(traces: &[Traced]) -> String {
    let list: Vec<TraceOut<'_>> = traces
        .iter()
        .map(|t| TraceOut {
            path: &t.path,
            region: &t.region,
            workload: &t.workload,
            subnet: t.subnet.as_deref(),
            target: t.trace.target.as_str(),
            destination: &t.destination,
            status: t.trace.status,
            via: t.trace.via.as_deref(),
            hops: t
                .trace
                .hops
                .iter()
                .zip(packets(t))
                .enumerate()
                .map(|(n, (h, (pin, pout)))| {
                    let blocker = h.blocker.as_ref().filter(|_| h.verdict != Verdict::Pass);
                    HopOut {
                        seq: n + 1,
                        kind: h.kind.as_str(),
                        resource: h.resource.as_deref(),
                        verdict: h.verdict,
                        detail: &h.detail,
                        packet_in: pin,
                        packet_out: pout,
                        line: h.span.map(|s| s.start.line),
                        code: blocker.map(|b| b.code.as_str()),
                        fix: blocker.map(|b| b.fix.as_str()),
                        state: h.state.as_ref().map(super::json::StateOut::from),
                    }
                })
                .collect(),
        })
        .collect();
    let doc = serde_json::json!({ "schema": "privnet-lint/trace-v1", "traces": list });
    let mut s = super::escape::json_safe(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    s.push('\n');
    s
}
