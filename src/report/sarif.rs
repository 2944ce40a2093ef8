//! `sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers
//! (SPEC §4).
//!
//! One run; every rule in `tool.driver.rules` with its documentation from
//! `rules/` (short description = the page's summary, full description = the
//! first paragraph of "What it detects", help = the whole page); one result
//! per finding with a repository-relative `artifactLocation.uri`, the full
//! region of the node to edit, and, for a finding that blocks a path, the
//! other hops of that path as related locations. Columns are Unicode code
//! points, like every position privnet-lint reports. No `helpUri`: an empty
//! one makes code scanning reject the file.
//!
//! What Microsoft's SARIF Multitool (`validate` with the SARIF, GitHub and
//! GitHub Advanced Security for Azure DevOps rule sets) wants besides:
//! `tool.driver.informationUri`, `tool.driver.fullName` (name and version)
//! and `automationDetails.id`, which Azure DevOps requires and GitHub code
//! scanning reads as the analysis category (the part before the last `/`).
//! scripts/consumers/run.sh runs that validation on every fixture.

use serde_json::{Value, json};

use super::Report;
use super::github::{Item, items};
use super::markdown::strip_front_matter;
use crate::finding::{Finding, PAGES, RulePage, Severity};
use crate::lint::FileResult;
use crate::reach::{PathTrace, Verdict};
use crate::source::Span;

/// The schema URI written in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where to learn about privnet-lint: `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://crates.io/crates/privnet-lint";

/// The analysis category written in `automationDetails.id` unless
/// `--sarif-category` names another. Code scanning keeps one analysis per
/// category and tool, each upload replacing the last; github/codeql-action's
/// upload-sarif fills in its `category` input only when a run has no
/// `automationDetails`, so this one is used whatever that input says.
pub const DEFAULT_CATEGORY: &str = "privnet-lint";

/// GitHub truncates descriptions longer than this.
const MAX_DESCRIPTION: usize = 1024;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// The first paragraph of a page's "What it detects" section, on one line
/// (the summary when the page has no such section).
pub fn what_it_detects(page: &RulePage) -> String {
    let body = strip_front_matter(page.markdown);
    let section = body.split("\n## ").find(|s| s.starts_with("What it detects")).and_then(|s| s.split_once('\n'));
    let paragraph = section.map(|(_, rest)| rest.trim_start().split("\n\n").next().unwrap_or_default().trim());
    match paragraph {
        Some(p) if !p.is_empty() => p.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => page.summary.to_string(),
    }
}

fn rule(page: &RulePage) -> Value {
    let full = what_it_detects(page);
    let help = strip_front_matter(page.markdown).trim_end();
    json!({
        "id": page.id,
        "name": page.name,
        "shortDescription": { "text": truncate(page.summary, MAX_DESCRIPTION) },
        "fullDescription": { "text": truncate(&full, MAX_DESCRIPTION), "markdown": full },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(page.severity) },
        "properties": { "tags": ["cloudformation", "network", page.name] },
    })
}

/// A repository-relative path as a URI reference: `/`-separated, with
/// everything outside the unreserved and path characters percent-encoded
/// (a `:` too, so that a first segment never reads as a scheme).
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b';' | b'=' | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') { format!("file://{out}") } else { out }
}

fn region(s: Option<Span>) -> Value {
    match s {
        Some(s) => {
            let (line, col) = (s.start.line.max(1), s.start.column.max(1));
            let (end_line, end_col) = if s.end.line < line || (s.end.line == line && s.end.column < col) {
                (line, col)
            } else {
                (s.end.line, s.end.column.max(1))
            };
            json!({ "startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col })
        }
        None => json!({ "startLine": 1 }),
    }
}

fn physical(path: &str, s: Option<Span>) -> Value {
    json!({ "artifactLocation": { "uri": uri(path) }, "region": region(s) })
}

/// The paths of `result` that `f` blocks (or leaves unknown): a hop whose
/// blocker is this finding's rule and place.
fn blocked_paths<'a>(result: &'a FileResult, f: &Finding) -> Vec<&'a PathTrace> {
    let mut out: Vec<&PathTrace> = Vec::new();
    for w in &result.workloads {
        let checks = [&w.dnf, &w.ssm].into_iter().chain(w.downloads.iter().map(|(_, c)| c));
        for c in checks {
            for p in &c.paths {
                let blocks = p.hops.iter().any(|h| {
                    h.verdict != Verdict::Pass
                        && h.blocker.as_ref().is_some_and(|b| b.code == f.code && Some(b.span) == f.span)
                });
                if blocks && !out.iter().any(|q| std::ptr::eq(*q, p)) {
                    out.push(p);
                }
            }
        }
    }
    out
}

fn related(result: &FileResult, f: &Finding) -> Vec<Value> {
    let mut seen: Vec<Span> = f.span.into_iter().collect();
    let mut out = Vec::new();
    let mut add = |span: Span, text: String, out: &mut Vec<Value>| {
        if seen.contains(&span) {
            return;
        }
        seen.push(span);
        let mut loc = json!({ "id": out.len() + 1, "physicalLocation": physical(&result.path, Some(span)) });
        loc["message"] = json!({ "text": text });
        out.push(loc);
    };
    for r in &f.related {
        add(r.span, r.label.clone(), &mut out);
    }
    // the deployed resource that decides it: a place in an account-state
    // file, by JSON Pointer (SARIF regions are text positions)
    if let Some(s) = &f.state {
        let pointer = if s.pointer.is_empty() { "/" } else { s.pointer.as_str() };
        out.push(json!({
            "id": out.len() + 1,
            "physicalLocation": { "artifactLocation": { "uri": uri(&s.file) } },
            "message": { "text": format!("deployed {}, read from the account state at {pointer}", s.id) },
            "properties": { "pointer": pointer, "id": s.id },
        }));
    }
    for p in blocked_paths(result, f) {
        for h in &p.hops {
            let Some(span) = h.span else { continue };
            let verdict = match h.verdict {
                Verdict::Pass => "passes",
                Verdict::Block => "blocks",
                Verdict::Unknown => "unknown",
            };
            let what = h.resource.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
            let text = format!(
                "path to {}: {}{what} {verdict}: {}",
                p.target.as_str(),
                h.kind.as_str(),
                super::concise::one_line(&h.detail)
            );
            add(span, text, &mut out);
        }
    }
    out
}

fn result(report: &Report, item: &Item<'_>) -> Value {
    let f = item.finding;
    let rule_index = PAGES.iter().position(|p| p.code == f.code).unwrap_or(0);
    let mut text = f.message.clone();
    if !item.regions.is_empty() {
        text.push_str(&format!(" ({})", item.regions.join(", ")));
    }
    if let Some(fix) = &f.fix {
        text.push_str("\n\nFix: ");
        text.push_str(fix);
    }
    let mut location = json!({ "physicalLocation": physical(item.path, f.span) });
    if let Some(res) = &f.resource {
        let mut logical = json!({ "name": res, "kind": "resource" });
        // the CDK construct path: where the user's code made the resource
        if let Some(path) = &f.construct_path {
            logical["fullyQualifiedName"] = json!(path);
        }
        location["logicalLocations"] = json!([logical]);
    }
    let mut out = json!({
        "ruleId": f.code.as_str(),
        "ruleIndex": rule_index,
        "level": level(f.severity()),
        "message": { "text": text },
        "locations": [location],
    });
    let source = report.results.iter().find(|r| r.path == item.path && r.findings.iter().any(|g| std::ptr::eq(g, f)));
    if let Some(r) = source {
        let rel = related(r, f);
        if !rel.is_empty() {
            out["relatedLocations"] = Value::Array(rel);
        }
    }
    if !item.regions.is_empty() {
        out["properties"] = json!({ "regions": item.regions });
    }
    if let Some(s) = &f.state {
        out["properties"]["state"] = json!({ "file": &*s.file, "pointer": s.pointer, "id": s.id });
    }
    out
}

/// `automationDetails.id` for a category: the category, then `/` and an
/// empty run identifier (SARIF 2.1.0 §3.17.3), as upload-sarif writes it.
pub fn automation_id(category: &str) -> String {
    let category = category.trim().trim_end_matches('/');
    let category = if category.is_empty() { DEFAULT_CATEGORY } else { category };
    format!("{category}/")
}

/// Renders the report as one SARIF 2.1.0 log, in the default category.
pub fn render(report: &Report) -> String {
    render_in(report, DEFAULT_CATEGORY)
}

/// Renders the report as one SARIF 2.1.0 log whose analysis category (for
/// code scanning) is `category`.
pub fn render_in(report: &Report, category: &str) -> String {
    let results: Vec<Value> = items(report).iter().map(|i| result(report, i)).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "privnet-lint",
                "fullName": concat!("privnet-lint ", env!("CARGO_PKG_VERSION")),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": PAGES.iter().map(rule).collect::<Vec<_>>(),
            }},
            "automationDetails": { "id": automation_id(category) },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let s = serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    let mut s = super::escape::json_safe(&s);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references() {
        assert_eq!(uri("./templates/a b.yaml"), "templates/a%20b.yaml");
        assert_eq!(uri("c:x.yaml"), "c%3Ax.yaml");
        assert_eq!(uri("dir\\x#1.yaml"), "dir/x%231.yaml");
        assert_eq!(uri("/abs/é.yaml"), "file:///abs/%C3%A9.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
    }

    #[test]
    fn automation_ids_end_in_a_slash() {
        assert_eq!(automation_id(DEFAULT_CATEGORY), "privnet-lint/");
        assert_eq!(automation_id("privnet-lint/eu-west-1"), "privnet-lint/eu-west-1/");
        assert_eq!(automation_id("infra/"), "infra/");
        assert_eq!(automation_id(" "), "privnet-lint/");
    }

    #[test]
    fn the_driver_says_where_to_learn_about_it() {
        let log: Value = serde_json::from_str(&render(&Report { results: Vec::new() })).unwrap();
        let driver = &log["runs"][0]["tool"]["driver"];
        assert!(INFORMATION_URI.starts_with("https://"), "an absolute URI");
        assert_eq!(driver["informationUri"], INFORMATION_URI);
        assert_eq!(driver["fullName"], format!("privnet-lint {}", env!("CARGO_PKG_VERSION")));
        assert_eq!(log["runs"][0]["automationDetails"]["id"], "privnet-lint/");
        let other: Value = serde_json::from_str(&render_in(&Report { results: Vec::new() }, "infra")).unwrap();
        assert_eq!(other["runs"][0]["automationDetails"]["id"], "infra/");
    }

    #[test]
    fn full_descriptions_come_from_the_pages() {
        for p in PAGES {
            let d = what_it_detects(p);
            assert!(!d.is_empty() && !d.contains('\n'), "{}", p.id);
            assert!(!d.starts_with('#'), "{}: {d}", p.id);
        }
    }
}
