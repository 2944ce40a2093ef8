//! `markdown`: a report for `$GITHUB_STEP_SUMMARY` and pull-request
//! comments (SPEC §4): a workload × region × check table (✅ reachable,
//! ❌ unreachable, ❔ unknown), the findings, and for every check that does
//! not pass, a Mermaid flowchart of its path with the blocking hops
//! highlighted, followed by the fix.
//!
//! Template text (logical IDs, URLs, messages that quote them) is escaped for
//! the place it lands in: Markdown and HTML in prose and table cells (and
//! `@`/`#` neutralized, so a logical ID cannot mention a person or link an
//! issue), Mermaid entity codes inside node labels, and a fence longer than
//! any backtick run around code. So the report is safe to paste as a PR
//! comment whatever the template contains.

use std::fmt::Write as _;

use super::Report;
use super::github::{Item, items, start};
use crate::finding::{PAGES, RulePage, Severity};
use crate::lint::FileResult;
use crate::reach::{Check, Hop, PathTrace, SESSION_DECIDING, Status, Verdict, WorkloadResult};

/// At most this many table rows, findings and flowcharts: a step summary
/// holds at most 1 MiB, and a PR comment is read by people.
const MAX_ROWS: usize = 300;
const MAX_FINDINGS: usize = 200;
const MAX_CHARTS: usize = 30;

/// A rule page without its front matter block.
pub fn strip_front_matter(page: &str) -> &str {
    page.strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---\n").map(|i| rest[i + 5..].trim_start_matches('\n')))
        .unwrap_or(page)
}

/// Escapes text for Markdown prose or a table cell, on one line: HTML
/// special characters become entities, Markdown punctuation is
/// backslash-escaped, `@` and `#` get a zero-width space so they mention and
/// link nothing, control characters and bidirectional overrides become
/// visible escapes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if super::escape::is_hazard(c) => super::escape::push_visible(&mut out, c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{200b}"),
            '#' => out.push_str("\\#\u{200b}"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '|' | '~' | '{' | '}' | '$' | '"' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a quoted Mermaid label: every character Mermaid or the
/// HTML it renders could read as syntax becomes an entity code (`#34;`).
pub fn mermaid(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if super::escape::is_hazard(c) => super::escape::push_visible(&mut out, c),
            '"' | '#' | '&' | '<' | '>' | '`' | '%' | '\\' | '|' | '*' | '_' | '~' | '[' | ']' | '{' | '}' | '('
            | ')' | ';' | ':' | '@' => {
                let _ = write!(out, "#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A fenced code block that no line of `text` can close.
pub fn fence(text: &str, info: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let ticks = "`".repeat(longest.max(2) + 1);
    let body = super::escape::visible(text);
    format!("{ticks}{info}\n{}\n{ticks}\n", body.trim_end())
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Reachable => "✅",
        Status::Unreachable => "❌",
        Status::Unknown => "❔",
        Status::NotApplicable => "➖",
    }
}

fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🛑",
        Severity::Warning => "⚠️",
        Severity::Note => "ℹ️",
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A table cell: the mark, the reasons, and the package manager when the
/// `dnf` column is another tool's check (`apt` on Ubuntu).
fn cell(c: &Check, tool: Option<&str>) -> String {
    let codes: Vec<&str> = c.reasons.iter().map(|c| c.as_str()).collect();
    let mut text = match (c.status, codes.is_empty()) {
        (Status::NotApplicable, _) => format!("{} n/a", mark(c.status)),
        (_, true) => mark(c.status).to_string(),
        (_, false) => format!("{} {}", mark(c.status), codes.join(", ")),
    };
    if let Some(tool) = tool {
        text.push_str(&format!(" ({tool})"));
    }
    text
}

/// The paths that decide a check: `s3` (Amazon Linux) or `mirror` (a
/// distribution mirror) for dnf, `ssm` and `ssmmessages` (and the paths the
/// Session Manager preferences add) for Session Manager (`ec2messages` is
/// only traced).
const DNF: &[&str] = &["s3", "mirror"];
const SSM: &[&str] = SESSION_DECIDING;

fn table(out: &mut String, report: &Report) {
    let rows: Vec<(&FileResult, &WorkloadResult)> =
        report.results.iter().flat_map(|r| r.workloads.iter().map(move |w| (r, w))).collect();
    if rows.is_empty() {
        out.push_str("No EC2 workloads (instances or Auto Scaling groups) in the linted templates.\n\n");
        return;
    }
    out.push_str("| template | region | workload | subnet | dnf | ssm |\n|---|---|---|---|---|---|\n");
    for (r, w) in rows.iter().take(MAX_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&r.path),
            escape(&r.region),
            match &w.construct_path {
                Some(p) => format!("{} · {}", escape(&w.resource), escape(p)),
                None => escape(&w.resource),
            },
            w.subnet.as_deref().map(escape).unwrap_or_else(|| "—".into()),
            cell(&w.dnf, Some(w.image.package_manager()).filter(|t| *t != "dnf")),
            cell(&w.ssm, None)
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(out, "\n…and {} more rows.", rows.len() - MAX_ROWS);
    }
    out.push('\n');
}

fn findings(out: &mut String, list: &[Item<'_>]) {
    if list.is_empty() {
        return;
    }
    out.push_str("### Findings\n\n");
    for item in list.iter().take(MAX_FINDINGS) {
        let f = item.finding;
        let (line, col) = start(f.span);
        let regions =
            if item.regions.is_empty() { String::new() } else { format!(" ({})", escape(&item.regions.join(", "))) };
        let _ = writeln!(
            out,
            "- {} **{}** {} · {}:{line}:{col} — {}{regions}",
            severity_mark(f.severity()),
            f.code,
            f.code.name(),
            escape(item.path),
            escape(&super::message_with_construct(f))
        );
    }
    if list.len() > MAX_FINDINGS {
        let _ = writeln!(out, "- …and {} more.", list.len() - MAX_FINDINGS);
    }
    out.push('\n');
}

fn hop_label(h: &Hop) -> String {
    let sign = match h.verdict {
        Verdict::Pass => "✓",
        Verdict::Block => "✗",
        Verdict::Unknown => "?",
    };
    let mut label = format!("{sign} {}", h.kind.as_str());
    if let Some(r) = &h.resource {
        let _ = write!(label, "<br/>{}", mermaid(r));
    }
    if let Some(s) = h.span {
        let _ = write!(label, "<br/>line {}", s.start.line.max(1));
    }
    if let Some(b) = h.blocker.as_ref().filter(|_| h.verdict != Verdict::Pass) {
        let _ = write!(label, "<br/>{}", b.code);
    }
    label
}

/// The flowchart of a check's failing paths, one column per path.
fn flowchart(paths: &[&PathTrace]) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut blocked = Vec::new();
    let mut unknown = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let _ = writeln!(out, "  subgraph p{i}[\"path to {} ({})\"]", p.target.as_str(), word(p.status));
        for (j, h) in p.hops.iter().enumerate() {
            let _ = writeln!(out, "    p{i}h{j}[\"{}\"]", hop_label(h));
            match h.verdict {
                Verdict::Block => blocked.push(format!("p{i}h{j}")),
                Verdict::Unknown => unknown.push(format!("p{i}h{j}")),
                Verdict::Pass => {}
            }
        }
        if p.hops.len() > 1 {
            let chain: Vec<String> = (0..p.hops.len()).map(|j| format!("p{i}h{j}")).collect();
            let _ = writeln!(out, "    {}", chain.join(" --> "));
        }
        out.push_str("  end\n");
    }
    out.push_str("  classDef block fill:#ffd7d5,stroke:#cf222e,stroke-width:3px,color:#000\n");
    out.push_str("  classDef unknown fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#000\n");
    if !blocked.is_empty() {
        let _ = writeln!(out, "  class {} block", blocked.join(","));
    }
    if !unknown.is_empty() {
        let _ = writeln!(out, "  class {} unknown", unknown.join(","));
    }
    out
}

fn word(s: Status) -> &'static str {
    match s {
        Status::Reachable => "reachable",
        Status::Unreachable => "unreachable",
        Status::Unknown => "unknown",
        Status::NotApplicable => "not applicable",
    }
}

/// The body of one failing check: flowchart, then each blocking hop's
/// reason and fix.
fn check_body(path: &str, c: &Check, deciding: &[&str]) -> String {
    let paths: Vec<&PathTrace> =
        c.paths.iter().filter(|p| deciding.contains(&p.target.as_str()) && p.status != Status::Reachable).collect();
    let mut out = String::new();
    if !paths.is_empty() {
        out.push_str(&fence(&flowchart(&paths), "mermaid"));
        out.push('\n');
    }
    let mut seen = Vec::new();
    for h in paths.iter().flat_map(|p| &p.hops) {
        let Some(b) = h.blocker.as_ref().filter(|_| h.verdict != Verdict::Pass) else { continue };
        if seen.contains(&(b.code, b.span)) {
            continue;
        }
        seen.push((b.code, b.span));
        let _ = writeln!(
            out,
            "**{} {}** at {}:{}:{} — {}\n",
            b.code,
            b.code.name(),
            escape(path),
            b.span.start.line.max(1),
            b.span.start.column.max(1),
            escape(&b.why)
        );
        if !b.fix.trim().is_empty() {
            out.push_str(&fence(&b.fix, "text"));
            out.push('\n');
        }
    }
    out
}

struct Section<'a> {
    path: &'a str,
    workload: &'a str,
    check: &'static str,
    status: Status,
    regions: Vec<&'a str>,
    body: String,
}

fn sections(report: &Report) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = Vec::new();
    for r in &report.results {
        for w in &r.workloads {
            let tool = w.image.package_manager();
            for (name, c, deciding) in [(tool, &w.dnf, DNF), ("ssm", &w.ssm, SSM)] {
                if matches!(c.status, Status::Reachable | Status::NotApplicable) {
                    continue;
                }
                let body = check_body(&r.path, c, deciding);
                // the same failure in several regions is drawn once
                let same = out
                    .iter_mut()
                    .find(|s| s.path == r.path && s.workload == w.resource && s.check == name && s.body == body);
                match same {
                    Some(s) => s.regions.push(&r.region),
                    None => out.push(Section {
                        path: &r.path,
                        workload: &w.resource,
                        check: name,
                        status: c.status,
                        regions: vec![&r.region],
                        body,
                    }),
                }
            }
        }
    }
    out
}

/// Renders the report as GitHub-flavoured Markdown.
pub fn render(report: &Report) -> String {
    let s = report.summary();
    let mut out = String::from("## privnet-lint\n\n");
    let _ = writeln!(
        out,
        "**{}: {}, {}, {}**\n",
        plural(s.files, "file"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note")
    );
    table(&mut out, report);
    findings(&mut out, &items(report));
    let sections = sections(report);
    if !sections.is_empty() {
        out.push_str("### Failing checks\n\n");
    }
    for sec in sections.iter().take(MAX_CHARTS) {
        let what = if sec.check == "ssm" { "Session Manager" } else { sec.check };
        let _ = writeln!(
            out,
            "#### {} {what}: {} in {} ({})\n",
            mark(sec.status),
            escape(sec.workload),
            escape(sec.path),
            escape(&sec.regions.join(", "))
        );
        out.push_str(&sec.body);
    }
    if sections.len() > MAX_CHARTS {
        let _ = writeln!(
            out,
            "…and {} more failing checks, not drawn here; `privnet-lint` prints each path.\n",
            sections.len() - MAX_CHARTS
        );
    }
    // printed to a GitHub Actions log, a fix line of template text must not
    // become a workflow command
    super::github::defuse(&out)
}

/// The page's file name in `rules/`.
pub fn page_file(p: &RulePage) -> String {
    format!("{}-{}.md", p.id, p.name)
}

/// The README's rule table: code (linked to its page), name, severity,
/// summary.
pub fn rules_table() -> String {
    let mut out = String::from("| code | name | severity | summary |\n|---|---|---|---|\n");
    for p in PAGES {
        let _ = writeln!(
            out,
            "| [{}](rules/{}) | `{}` | {} | {} |",
            p.id,
            page_file(p),
            p.name,
            p.severity.as_str(),
            p.summary.replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_inert() {
        let e = escape("<img src=x onerror=alert(1)> @octocat #1 **b** | `c` [l](u) $x$\n- item");
        assert!(!e.contains('<') && !e.contains('\n'));
        assert!(e.contains("@\u{200b}octocat") && e.contains("\\#\u{200b}1"));
        assert!(e.contains("\\|") && e.contains("\\*\\*b\\*\\*") && e.contains("\\$x\\$"));
    }

    #[test]
    fn mermaid_labels_are_inert() {
        let m = mermaid("a\"]:::x\n%%{init}%% <b>`md`</b> #1;");
        assert!(!m.contains('"') && !m.contains('\n') && !m.contains('<') && !m.contains('`'));
        assert!(!m.contains("%%") && !m.contains(":::"));
    }

    #[test]
    fn fences_outlast_backticks() {
        let f = fence("a\n```\nb", "text");
        assert!(f.starts_with("````text\n") && f.ends_with("\n````\n"), "{f}");
        assert!(fence("plain", "").starts_with("```\n"));
    }
}
