//! `human`: miette diagnostics with the template snippet and the node to
//! edit underlined, then each failing check's path as a hop list with the
//! blocking hops marked, then a one-line verdict per workload.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use super::Report;
use super::concise::one_line;
use super::escape::{self, Snippet};
use crate::analyzed_region::{self, RegionSource};
use crate::finding::{Finding, Severity};
use crate::lint::FileResult;
use crate::reach::{Check, PathTrace, SESSION_DECIDING, Status, Verdict, WorkloadResult};

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Findings only, no paths and summary.
    pub quiet: bool,
}

struct Diag {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    source: Shown,
}

/// A template as a snippet shows it: control characters and bidirectional
/// overrides as visible escapes ([`Snippet`]), and the header's column
/// counted in the original text, so it names the same place as every other
/// format whatever was escaped before it on the line.
struct Shown {
    name: String,
    original: Arc<str>,
    snippet: Arc<Snippet>,
}

impl miette::SourceCode for Shown {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette reads a span by scanning the text from its start, which is
        // quadratic over a file with thousands of findings: hand it only
        // the lines around the span, then put the result back in place
        let text = self.snippet.text.as_str();
        let end = span.offset() + span.len();
        if end > text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let first = self.snippet.line_of(span.offset()).saturating_sub(before);
        let last = self.snippet.line_of(end) + after + 2;
        let (from, to) = (self.snippet.line_start(first), self.snippet.line_start(last));
        let window = &text[from..to];
        let local = SourceSpan::new((span.offset() - from).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        let column = if before == 0 && after == 0 {
            let at = self.snippet.original(span.offset()).min(self.original.len());
            let line_start = self.original[..at].rfind(['\n', '\r']).map(|i| i + 1).unwrap_or(0);
            at - line_start
        } else {
            inner.column()
        };
        let contents = miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first,
            column,
            inner.line_count() + first,
        )
        .with_language("yaml");
        Ok(Box::new(contents))
    }
}

impl fmt::Debug for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Diag {}
impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

/// Control characters and bidirectional overrides from the template must
/// not reach the terminal raw (an ANSI escape in a logical ID could rewrite
/// the screen; see [`super::escape`]), and no line may start with `::`: in
/// a GitHub Actions log that is a workflow command (the runner trims leading
/// blanks first), so a key like `"X\n::error ::..."` could forge
/// annotations.
pub fn sanitize(s: &str) -> String {
    let clean = escape::visible(s);
    if !clean.contains("::") {
        return clean;
    }
    clean
        .split('\n')
        .map(|line| {
            let blank = line.len() - line.trim_start().len();
            if line[blank..].starts_with("::") {
                format!("{}\u{fffd}{}", &line[..blank], &line[blank..])
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn diagnostic(r: &FileResult, f: &Finding, snippet: &Arc<Snippet>) -> Diag {
    let shown = |offset: u32, len: usize| {
        let (o, l) = snippet.span(offset as usize, len);
        SourceSpan::new(o.into(), l)
    };
    let labels = match f.span {
        Some(span) => {
            let len = span.len().min(r.source.len().saturating_sub(span.start.offset as usize));
            let label = match (f.resource.as_deref(), f.construct_path.as_deref()) {
                (Some(res), Some(path)) => format!("{} ({res}, construct {path})", f.code.name()),
                (Some(res), None) => format!("{} ({res})", f.code.name()),
                _ => f.code.name().to_string(),
            };
            vec![LabeledSpan::new_primary_with_span(Some(sanitize(&label)), shown(span.start.offset, len))]
        }
        None => Vec::new(),
    };
    let mut labels = labels;
    // the deployed resource that decides it, read from the account state
    if let (Some(state), Some(span)) = (&f.state, f.span) {
        let len = span.len().min(r.source.len().saturating_sub(span.start.offset as usize));
        let text = format!("deployed {}: read from {} at {}", state.id, state.file, pointer(&state.pointer));
        labels.push(LabeledSpan::new_with_span(Some(sanitize(&text)), shown(span.start.offset, len)));
    }
    for rel in &f.related {
        let len = rel.span.len().min(r.source.len().saturating_sub(rel.span.start.offset as usize));
        labels.push(LabeledSpan::new_with_span(Some(sanitize(&rel.label)), shown(rel.span.start.offset, len)));
    }
    Diag {
        message: sanitize(&f.message),
        code: format!("{} {}", f.code, f.code.name()),
        severity: match f.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        },
        help: f.fix.as_deref().map(sanitize),
        labels,
        source: Shown { name: sanitize(&r.path), original: r.source.clone(), snippet: snippet.clone() },
    }
}

/// A JSON Pointer as shown (`/` for the whole document).
fn pointer(p: &str) -> &str {
    if p.is_empty() { "/" } else { p }
}

fn mark(color: bool, v: Verdict) -> String {
    match v {
        Verdict::Pass => paint(color, "32", "✓"),
        Verdict::Block => paint(color, "1;31", "✗"),
        Verdict::Unknown => paint(color, "33", "?"),
    }
}

fn status_mark(color: bool, s: Status) -> String {
    match s {
        Status::Reachable => paint(color, "32", "✓"),
        Status::Unreachable => paint(color, "1;31", "✗"),
        Status::Unknown => paint(color, "33", "?"),
        Status::NotApplicable => paint(color, "2", "–"),
    }
}

fn vias(check: &Check, deciding: &[&str]) -> String {
    let mut v: Vec<&str> =
        check.paths.iter().filter(|p| deciding.contains(&p.target.as_str())).filter_map(|p| p.via.as_deref()).collect();
    v.dedup();
    if v.is_empty() { String::new() } else { format!(" via {}", v.join(", ")) }
}

fn hop_list(out: &mut String, p: &PathTrace, color: bool) {
    out.push_str(&format!("      path to {} ({}):\n", p.target.as_str(), status_word(p.status)));
    for h in &p.hops {
        let code = h
            .blocker
            .as_ref()
            .filter(|_| h.verdict != Verdict::Pass)
            .map(|b| format!(" [{}]", b.code))
            .unwrap_or_default();
        let line = match (h.span, &h.state) {
            (Some(s), Some(state)) => {
                format!(
                    " (line {}; {} read from {} at {})",
                    s.start.line,
                    state.id,
                    state.file,
                    pointer(&state.pointer)
                )
            }
            (Some(s), None) => format!(" (line {})", s.start.line),
            _ => String::new(),
        };
        out.push_str(&format!(
            "        {} {:<22} {}{}{}\n",
            mark(color, h.verdict),
            h.kind.as_str(),
            sanitize(&one_line(&h.detail)),
            sanitize(&line),
            paint(color, "1", &code)
        ));
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Reachable => "reachable",
        Status::Unreachable => "unreachable",
        Status::Unknown => "unknown",
        Status::NotApplicable => "not applicable",
    }
}

/// The paths that decide the dnf check: the Amazon Linux repository on S3,
/// or a distribution mirror.
const DNF: &[&str] = &["s3", "mirror"];

fn workload_block(out: &mut String, w: &WorkloadResult, color: bool) {
    let subnet = w.subnet.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
    // the dnf check is called by what it is: apt on Ubuntu, zypper on SUSE
    let tool = w.image.package_manager();
    let construct = w.construct_path.as_deref().map(|p| format!(" [{p}]")).unwrap_or_default();
    out.push_str(&format!(
        "  {}{}{}  {tool} {}{}  ssm {}{}\n",
        sanitize(&w.resource),
        sanitize(&construct),
        sanitize(&subnet),
        status_mark(color, w.dnf.status),
        vias(&w.dnf, DNF),
        status_mark(color, w.ssm.status),
        vias(&w.ssm, SESSION_DECIDING)
    ));
    for (name, check, deciding) in [(tool, &w.dnf, DNF), ("ssm", &w.ssm, SESSION_DECIDING)] {
        if check.status == Status::Reachable {
            continue;
        }
        if check.status == Status::NotApplicable {
            let why = w.image.not_applicable().unwrap_or_default();
            out.push_str(&format!("    {name}: not applicable ({})\n", sanitize(&why)));
            continue;
        }
        let reasons: Vec<&str> = check.reasons.iter().map(|c| c.as_str()).collect();
        out.push_str(&format!("    {name}: {} ({})\n", status_word(check.status), reasons.join(", ")));
        for p in check.paths.iter().filter(|p| deciding.contains(&p.target.as_str()) && p.status != Status::Reachable) {
            hop_list(out, p, color);
        }
    }
}

/// For a file analyzed in several regions: workload × region × check, so
/// a template that works only in the region of its hard-coded IDs shows at a
/// glance.
fn region_matrix(out: &mut String, report: &Report, color: bool) {
    let mut paths: Vec<&str> = Vec::new();
    for r in &report.results {
        if !paths.contains(&r.path.as_str()) {
            paths.push(&r.path);
        }
    }
    for path in paths {
        let results: Vec<&FileResult> = report.results.iter().filter(|r| r.path == path).collect();
        if results.len() < 2 || results.iter().all(|r| r.workloads.is_empty()) {
            continue;
        }
        out.push_str(&format!("\nregion matrix for {}:\n", sanitize(path)));
        let width = results
            .iter()
            .flat_map(|r| r.workloads.iter().map(|w| w.resource.chars().count()))
            .max()
            .unwrap_or(8)
            .max(8);
        out.push_str(&format!("  {:<width$}  {:<16} dnf  ssm\n", "workload", "region"));
        for r in &results {
            for w in &r.workloads {
                let mut reasons: Vec<&str> = w.dnf.reasons.iter().chain(&w.ssm.reasons).map(|c| c.as_str()).collect();
                reasons.dedup();
                out.push_str(&format!(
                    "  {:<width$}  {:<16} {}    {}    {}\n",
                    sanitize(&w.resource),
                    r.region,
                    status_mark(color, w.dnf.status),
                    status_mark(color, w.ssm.status),
                    reasons.join(", ")
                ));
            }
        }
    }
}

/// Said once, first, when the region is the default: that it is, and,
/// for each file whose own values all name another region, which one and
/// how to analyze for it.
fn region_notice(out: &mut String, report: &Report) {
    let defaulted: Vec<&FileResult> =
        report.results.iter().filter(|r| r.region_source == RegionSource::Default).collect();
    let Some(first) = defaulted.first() else { return };
    out.push_str(&format!(
        "note: {}
",
        analyzed_region::default_notice(&first.region)
    ));
    let mut seen: Vec<&str> = Vec::new();
    for r in defaulted {
        let Some(h) = &r.region_hint else { continue };
        if seen.contains(&r.path.as_str()) {
            continue;
        }
        seen.push(&r.path);
        out.push_str(&format!(
            "note: {} names {} in its own values, not {}: {}; to analyze it for {}, run with {}\n",
            sanitize(&r.path),
            h.region,
            r.region,
            sanitize(&h.describe(3)),
            h.region,
            h.flag
        ));
    }
    out.push('\n');
}

/// Renders the report for a terminal.
pub fn render(report: &Report, style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false).with_width(100);
    let mut out = String::new();
    if !style.quiet {
        region_notice(&mut out, report);
    }
    for r in &report.results {
        let snippet = (!r.findings.is_empty()).then(|| Arc::new(Snippet::new(&r.source)));
        for f in &r.findings {
            let Some(snippet) = &snippet else { break };
            let d = diagnostic(r, f, snippet);
            let mut text = String::new();
            if handler.render_report(&mut text, &d).is_err() {
                text = format!("{}: {} {}\n", r.path, f.code, f.message);
            }
            out.push_str(&text);
            out.push('\n');
        }
        if style.quiet {
            continue;
        }
        let header = match r.region_source {
            RegionSource::CdkEnvironment => {
                format!("{} ({}, the stack's CDK environment)", sanitize(&r.path), r.region)
            }
            _ => format!("{} ({})", sanitize(&r.path), r.region),
        };
        if r.workloads.is_empty() {
            out.push_str(&format!("{header}: no EC2 workloads\n"));
        } else {
            out.push_str(&format!("{header}:\n"));
            for w in &r.workloads {
                workload_block(&mut out, w, style.color);
            }
        }
    }
    if !style.quiet {
        region_matrix(&mut out, report, style.color);
        let s = report.summary();
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        out.push_str(&format!(
            "\n{}: {}, {}, {}\n",
            plural(s.files, "file"),
            paint(style.color && s.errors > 0, "1;31", &plural(s.errors, "error")),
            paint(style.color && s.warnings > 0, "33", &plural(s.warnings, "warning")),
            plural(s.notes, "note")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitize_defuses_escapes_and_workflow_commands() {
        assert_eq!(sanitize("a\x1b[2Jb"), "a␛[2Jb");
        assert_eq!(sanitize("a\u{2066}b\rc"), "a<U+2066>b␍c");
        assert_eq!(sanitize("X\n  ::error ::forged"), "X\n  \u{fffd}::error ::forged");
        assert_eq!(sanitize("::warning x"), "\u{fffd}::warning x");
        assert_eq!(sanitize("fix:\n  a: b"), "fix:\n  a: b");
    }
}
