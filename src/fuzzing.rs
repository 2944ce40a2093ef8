//! What the fuzz targets (`fuzz/`) run on each input, kept in the library so
//! that `tests/fuzz_regressions.rs` replays saved inputs through exactly the
//! same code in `cargo test`. Each function panics when an invariant breaks;
//! otherwise it returns normally, whatever the input.

use crate::finding::Finding;
use crate::lint::{Options, analyze_file, lint_text};
use crate::reach::{TraceTarget, trace};
use crate::report::trace::Traced;
use crate::report::{self, Report};
use crate::source::{self, LineIndex, Node, Span, Value};

/// Where fuzzed templates pretend to live: a folder that does not exist, so
/// that relative nested-stack `TemplateURL`s find nothing.
const FUZZ_DIR: &str = "/nonexistent/privnet-lint-fuzz";

/// Parses `text` as the file `name` would be (`.json` strict JSON, else
/// YAML) and checks every span of the tree and the findings against it.
pub fn check_loader(name: &str, text: &str) {
    let text = source::strip_bom(text);
    let doc = source::parse(Some(name), text);
    let lines = LineIndex::new(text);
    if let Some(root) = &doc.root {
        check_node(text, &lines, root, 0);
    }
    for f in &doc.findings {
        check_finding(text, &lines, f);
    }
}

/// Runs the whole pipeline on `text` (JSON when it starts with `{`, else
/// YAML) and renders the result in every output format, checking that each
/// finding points into the text and that the JSON formats are valid JSON.
pub fn check_pipeline(text: &str) {
    let name = if text.trim_start().starts_with('{') { "template.json" } else { "template.yaml" };
    let path = format!("{FUZZ_DIR}/{name}");
    let opts = Options::default();
    let results = lint_text(&path, text, &opts);
    for r in &results {
        if r.path == path {
            let lines = LineIndex::new(&r.source);
            for f in &r.findings {
                check_finding(&r.source, &lines, f);
            }
        }
    }
    let report = Report { results };
    for style in
        [report::human::Style { color: false, quiet: false }, report::human::Style { color: true, quiet: true }]
    {
        let _ = report::human::render(&report, style);
    }
    valid_json(&report::json::render(&report), "json");
    valid_json(&report::sarif::render(&report), "sarif");
    let _ = report::concise::render(&report);
    let github = report::github::render(&report);
    for line in github.lines() {
        assert!(!line.contains('\r'), "a github annotation carries a carriage return: {line:?}");
    }
    let _ = report::markdown::render(&report);

    let region = &opts.regions[0];
    let Ok(a) = analyze_file(&path, text, region, &opts) else { return };
    let _ = report::graph::render_dot(&a.network, &a.workloads);
    let _ = report::graph::render_mermaid(&a.network, &a.workloads);
    let mut traced = Vec::new();
    for w in &a.network.workloads {
        for target in [TraceTarget::S3, TraceTarget::Ssm, TraceTarget::Ssmmessages, TraceTarget::Ec2messages] {
            for (subnet, p) in trace(&a.network, region, &w.id, &target) {
                traced.push(Traced {
                    path: path.clone(),
                    region: region.clone(),
                    workload: w.id.clone(),
                    source: None,
                    subnet,
                    destination: "fuzz:443".into(),
                    trace: p,
                });
            }
        }
    }
    let _ = report::trace::render_text(&traced);
    valid_json(&report::trace::render_json(&traced), "trace json");
}

/// Reads `text` as a CDK cloud assembly's `manifest.json`: whatever it
/// holds, a list of artifacts and findings, never a panic; every finding
/// and every artifact's span lies inside the text, and an artifact names
/// what the manifest says.
pub fn check_manifest(text: &str) {
    let m = crate::cdk::manifest::read("manifest.json", text);
    let text = source::strip_bom(text);
    let lines = LineIndex::new(text);
    for f in &m.findings {
        check_finding(text, &lines, f);
    }
    for a in &m.artifacts {
        let span = match a {
            crate::cdk::manifest::Artifact::Stack { span, .. }
            | crate::cdk::manifest::Artifact::Assembly { span, .. } => *span,
        };
        check_span(text, &lines, span, "artifact");
    }
}

fn valid_json(s: &str, what: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(s) {
        panic!("the {what} output is not valid JSON ({e}):\n{s}");
    }
}

fn check_finding(text: &str, lines: &LineIndex, f: &Finding) {
    if let Some(s) = f.span {
        assert!(s.start.line >= 1, "{:?} {} points at line 0", f.code, f.message);
        check_span(text, lines, s, &format!("{:?} {}", f.code, f.message));
    }
    for r in &f.related {
        check_span(text, lines, r.span, &format!("{:?} related {}", f.code, r.label));
    }
}

fn check_node(text: &str, lines: &LineIndex, node: &Node, depth: usize) {
    assert!(depth <= source::MAX_DEPTH + 1, "the tree is deeper than MAX_DEPTH");
    check_span(text, lines, node.span, "node");
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| check_node(text, lines, n, depth + 1)),
        Value::Map(entries) => {
            for e in entries {
                check_span(text, lines, e.key_span, &format!("key {:?}", e.key));
                check_node(text, lines, &e.value, depth + 1);
            }
        }
        _ => {}
    }
}

/// A span lies inside the text, starts no later than it ends, sits on
/// character boundaries, and its line/column agree with its offset.
fn check_span(text: &str, lines: &LineIndex, s: Span, what: &str) {
    for p in [s.start, s.end] {
        let o = p.offset as usize;
        assert!(o <= text.len(), "{what}: offset {o} past the end ({})", text.len());
        assert!(text.is_char_boundary(o), "{what}: offset {o} inside a character");
        if p.line > 0 {
            assert_eq!(lines.pos(text, o), p, "{what}: line/column disagree with offset {o}");
        }
    }
    assert!(s.start.offset <= s.end.offset, "{what}: span ends before it starts: {s:?}");
}
