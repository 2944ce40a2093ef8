//! `json`: the `privnet-lint/v1` document (SPEC §3).

use serde::Serialize;

use super::{Report, Summary};
use crate::analyzed_region::{RegionHint, RegionSource};
use crate::finding::Finding;
use crate::network::ami::{Agent, Ami, AmiFamily};
use crate::reach::{Check, Hop, PathTrace, WorkloadResult};
use crate::source::Span;

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    results: Vec<ResultOut<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct ResultOut<'a> {
    path: &'a str,
    region: &'a str,
    region_source: RegionSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    region_hint: Option<&'a RegionHint>,
    workloads: Vec<WorkloadOut<'a>>,
    findings: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
struct WorkloadOut<'a> {
    resource: &'a str,
    kind: &'a crate::network::WorkloadKind,
    subnet: Option<&'a str>,
    ami: AmiOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_path: Option<&'a str>,
    checks: Checks<'a>,
    downloads: Vec<DownloadOut<'a>>,
}

/// The workload's AMI as far as the template names it: which family, from
/// which public parameter, which package manager the `dnf` check traces
/// (`null`: not applicable), whether it ships SSM Agent, and in words why
/// (why `dnf` does not apply, why the family is unknown).
#[derive(Serialize)]
struct AmiOut<'a> {
    family: AmiFamily,
    parameter: Option<&'a str>,
    package_manager: Option<&'static str>,
    ssm_agent: Agent,
    detail: String,
}

#[derive(Serialize)]
struct DownloadOut<'a> {
    url: &'a str,
    port: u16,
    #[serde(flatten)]
    check: CheckOut<'a>,
}

#[derive(Serialize)]
struct Checks<'a> {
    dnf: CheckOut<'a>,
    ssm: CheckOut<'a>,
}

#[derive(Serialize)]
struct CheckOut<'a> {
    status: crate::reach::Status,
    reasons: Vec<&'static str>,
    paths: Vec<PathOut<'a>>,
}

#[derive(Serialize)]
struct PathOut<'a> {
    target: &'static str,
    status: crate::reach::Status,
    via: Option<&'a str>,
    hops: Vec<HopOut<'a>>,
}

#[derive(Serialize)]
struct HopOut<'a> {
    kind: &'static str,
    resource: Option<&'a str>,
    verdict: crate::reach::Verdict,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<StateOut<'a>>,
}

/// Where a deployed resource was read (SPEC §3 `state`): a file of the
/// account state, a JSON Pointer into it, and the resource's ID.
#[derive(Serialize)]
pub(super) struct StateOut<'a> {
    file: &'a str,
    pointer: &'a str,
    id: &'a str,
}

impl<'a> From<&'a crate::finding::StateRef> for StateOut<'a> {
    fn from(s: &'a crate::finding::StateRef) -> StateOut<'a> {
        StateOut { file: &s.file, pointer: &s.pointer, id: &s.id }
    }
}

/// A finding's location: 1-based line and column of the node to edit and of
/// its end (exclusive).
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

impl From<Span> for Location {
    fn from(s: Span) -> Location {
        Location { line: s.start.line, column: s.start.column, end_line: s.end.line, end_column: s.end.column }
    }
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    resource: Option<&'a str>,
    location: Option<Location>,
    fix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<StateOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_path: Option<&'a str>,
}

fn hop(h: &Hop) -> HopOut<'_> {
    HopOut {
        kind: h.kind.as_str(),
        resource: h.resource.as_deref(),
        verdict: h.verdict,
        detail: &h.detail,
        code: h.blocker.as_ref().map(|b| b.code.as_str()),
        location: h.span.map(Location::from),
        state: h.state.as_ref().map(StateOut::from),
    }
}

fn path(p: &PathTrace) -> PathOut<'_> {
    PathOut {
        target: p.target.as_str(),
        status: p.status,
        via: p.via.as_deref(),
        hops: p.hops.iter().map(hop).collect(),
    }
}

fn check(c: &Check) -> CheckOut<'_> {
    CheckOut {
        status: c.status,
        reasons: c.reasons.iter().map(|c| c.as_str()).collect(),
        paths: c.paths.iter().map(path).collect(),
    }
}

fn workload(w: &WorkloadResult) -> WorkloadOut<'_> {
    WorkloadOut {
        resource: &w.resource,
        kind: &w.kind,
        subnet: w.subnet.as_deref(),
        ami: ami(&w.image),
        construct_path: w.construct_path.as_deref(),
        checks: Checks { dnf: check(&w.dnf), ssm: check(&w.ssm) },
        downloads: w
            .downloads
            .iter()
            .map(|(d, c)| DownloadOut { url: &d.url, port: d.port, check: check(c) })
            .collect(),
    }
}

fn ami(a: &Ami) -> AmiOut<'_> {
    let not_applicable = a.not_applicable();
    AmiOut {
        family: a.family,
        parameter: a.parameter.as_deref(),
        package_manager: not_applicable.is_none().then(|| a.package_manager()),
        ssm_agent: a.agent,
        detail: not_applicable
            .or_else(|| a.unknown_because.as_ref().map(|u| format!("{u}: the dnf check assumes Amazon Linux 2023")))
            .unwrap_or_else(|| a.describe()),
    }
}

fn finding(f: &Finding) -> FindingOut<'_> {
    FindingOut {
        code: f.code.as_str(),
        name: f.code.name(),
        severity: f.severity().as_str(),
        message: &f.message,
        resource: f.resource.as_deref(),
        location: f.span.map(Location::from),
        fix: f.fix.as_deref(),
        state: f.state.as_ref().map(StateOut::from),
        construct_path: f.construct_path.as_deref(),
    }
}

/// Renders the report as one JSON document.
pub fn render(report: &Report) -> String {
    let doc = Document {
        schema: "privnet-lint/v1",
        results: report
            .results
            .iter()
            .map(|r| ResultOut {
                path: &r.path,
                region: &r.region,
                region_source: r.region_source,
                region_hint: r.region_hint.as_ref(),
                workloads: r.workloads.iter().map(workload).collect(),
                findings: r.findings.iter().map(finding).collect(),
            })
            .collect(),
        summary: report.summary(),
    };
    let s = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    let mut s = super::escape::json_safe(&s);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use crate::report::escape::json_safe as escape_hazards;

    #[test]
    fn bidi_characters_are_escaped_and_keep_their_value() {
        let doc = serde_json::json!({ "message": "a\u{202e}b\u{1b}c" });
        let text = escape_hazards(&serde_json::to_string(&doc).unwrap_or_default());
        assert!(!text.contains('\u{202e}'), "{text}");
        assert!(text.contains("\\u202e"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, doc);
    }
}
