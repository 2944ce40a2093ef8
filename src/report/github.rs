//! `github`: one GitHub Actions workflow command per finding (SPEC §4),
//! `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`,
//! which the runner turns into an annotation on the template line.
//!
//! Everything that comes from a template (logical IDs, URLs, descriptions in
//! messages and fixes) is escaped the way the runner unescapes it (actions/
//! toolkit `command.ts`, actions/runner `ActionCommand.cs`): data loses its
//! line breaks, properties also their `:` and `,`, so no template text can
//! end the command early or start a new one. GitHub shows at most 10
//! annotations per severity and step; the rest are printed as plain log
//! lines, with one notice saying how many were cut.

use std::fmt::Write as _;

use super::Report;
use crate::finding::{Finding, Severity};
use crate::source::Span;

/// Annotations GitHub shows per severity and step (actions/toolkit
/// `docs/problem-matchers.md`: "10 warning annotations, 10 error annotations,
/// and 10 notice annotations per step").
pub const LIMIT: usize = 10;

/// Escapes a command's message (`%` first, so nothing is unescaped twice).
pub fn escape_data(s: &str) -> String {
    clean(s).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: like [`escape_data`], and `:` and `,`, which
/// end a property or the property list.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Control characters other than line breaks (ANSI escapes, NUL) and
/// bidirectional overrides become visible escapes ([`super::escape`]), and
/// Unicode line separators a space, so template text can neither repaint
/// the log nor look like a new line to any reader of it.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(c),
            '\u{2028}' | '\u{2029}' => out.push(' '),
            c if super::escape::is_hazard(c) => super::escape::push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Makes every line of `text` that the Actions runner would read as a
/// workflow command (after leading whitespace, `::`) inert, by putting a
/// zero-width space before the `::` (which the runner does not trim). For
/// formats that print template text at the start of a line, such as the
/// fixes in a Markdown report printed to a step's log.
pub fn defuse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_start();
        if body.starts_with("::") {
            out.push_str(&line[..line.len() - body.len()]);
            out.push('\u{200b}');
            out.push_str(body);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// One finding to report, with the regions it was found in when its file
/// was analyzed for several (identical findings are reported once).
pub struct Item<'a> {
    /// The file.
    pub path: &'a str,
    /// The finding.
    pub finding: &'a Finding,
    /// Regions, when the file was analyzed for more than one.
    pub regions: Vec<&'a str>,
}

/// Every finding of the report once, in report order: a finding identical
/// in several regions of one file (same rule, place and message) is one
/// item listing those regions.
pub fn items(report: &Report) -> Vec<Item<'_>> {
    let mut out: Vec<Item<'_>> = Vec::new();
    for r in &report.results {
        let several = report.results.iter().any(|o| o.path == r.path && o.region != r.region);
        for f in &r.findings {
            let same = out.iter_mut().find(|i| {
                i.path == r.path
                    && i.finding.code == f.code
                    && i.finding.span == f.span
                    && i.finding.message == f.message
            });
            match same {
                Some(i) => i.regions.push(&r.region),
                None => out.push(Item {
                    path: &r.path,
                    finding: f,
                    regions: if several { vec![r.region.as_str()] } else { Vec::new() },
                }),
            }
        }
    }
    out
}

/// 1-based line and column of a span, never 0 (a finding on a whole empty
/// file has the default span).
pub fn start(span: Option<Span>) -> (u32, u32) {
    span.map(|s| (s.start.line.max(1), s.start.column.max(1))).unwrap_or((1, 1))
}

/// The last line a span covers: an exclusive end at column 1 belongs to
/// the line before.
pub fn last_line(s: Span) -> u32 {
    if s.end.line > s.start.line && s.end.column <= 1 { s.end.line - 1 } else { s.end.line.max(s.start.line) }.max(1)
}

fn properties(item: &Item<'_>) -> String {
    let f = item.finding;
    let mut p = format!("file={}", escape_property(item.path));
    if let Some(s) = f.span {
        let (line, col) = start(Some(s));
        let end_line = last_line(s);
        let _ = write!(p, ",line={line},endLine={end_line}");
        // a column is only allowed when the annotation is on one line
        // (actions/toolkit `AnnotationProperties`), and endColumn (inclusive)
        // may not be before it
        if end_line == line {
            let end_col = if s.end.line == s.start.line { s.end.column.saturating_sub(1).max(col) } else { col };
            let _ = write!(p, ",col={col},endColumn={end_col}");
        }
    }
    let _ = write!(p, ",title={}", escape_property(&format!("{} {}", f.code, f.code.name())));
    p
}

fn message(item: &Item<'_>) -> String {
    let f = item.finding;
    let (line, col) = start(f.span);
    let mut m = format!("{}:{line}:{col}: {}", item.path, super::message_with_construct(f));
    if !item.regions.is_empty() {
        let _ = write!(m, " ({})", item.regions.join(", "));
    }
    if let Some(fix) = &f.fix {
        let _ = write!(m, "\n\nFix: {fix}");
    }
    m
}

/// A finding that did not fit the annotation limit, as one plain log line.
/// It starts with `privnet-lint:` so that no path can make it look like a
/// workflow command.
fn log_line(item: &Item<'_>) -> String {
    let f = item.finding;
    let (line, col) = start(f.span);
    let regions = if item.regions.is_empty() { String::new() } else { format!(" ({})", item.regions.join(", ")) };
    let text = format!(
        "privnet-lint: {} {}:{line}:{col}: {} {}{regions}",
        f.severity().as_str(),
        item.path,
        f.code,
        super::concise::one_line(&super::message_with_construct(f))
    );
    clean(&super::concise::one_line(&text))
}

/// Renders the report as workflow commands.
pub fn render(report: &Report) -> String {
    let items = items(report);
    let count = |s: Severity| items.iter().filter(|i| i.finding.severity() == s).count();
    let overflow = [Severity::Error, Severity::Warning, Severity::Note].into_iter().any(|s| count(s) > LIMIT);
    // the notice about the cut is a notice annotation itself
    let budget = |s: Severity| if s == Severity::Note && overflow { LIMIT - 1 } else { LIMIT };
    let mut shown = [0usize; 3];
    let slot = |s: Severity| s as usize;
    let mut out = String::new();
    let mut cut: Vec<&Item<'_>> = Vec::new();
    for item in &items {
        let s = item.finding.severity();
        if shown[slot(s)] < budget(s) {
            shown[slot(s)] += 1;
            let _ = writeln!(out, "::{} {}::{}", command(s), properties(item), escape_data(&message(item)));
        } else {
            cut.push(item);
        }
    }
    if !cut.is_empty() {
        let mut parts = Vec::new();
        for s in [Severity::Error, Severity::Warning, Severity::Note] {
            let n = cut.iter().filter(|i| i.finding.severity() == s).count();
            if n > 0 {
                parts.push(format!("{n} more {}{}", s.as_str(), if n == 1 { "" } else { "s" }));
            }
        }
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            escape_property("privnet-lint: annotations cut"),
            escape_data(&format!(
                "{} not annotated: GitHub shows {LIMIT} annotations per severity in a step. \
                 They are listed in this step's log and in the job summary.",
                parts.join(", ")
            ))
        );
        for item in cut {
            out.push_str(&log_line(item));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("\u{1b}[31mred"), "␛[31mred");
        assert_eq!(escape_data("a\u{202e}b"), "a<U+202E>b");
        assert!(!escape_data("x\n::error::y").contains('\n'));
    }

    #[test]
    fn defused_lines_are_no_commands() {
        assert_eq!(defuse("a\n  ::error::x\n::warning::y"), "a\n  \u{200b}::error::x\n\u{200b}::warning::y");
        assert_eq!(defuse("ok :: here\n"), "ok :: here\n");
    }

    #[test]
    fn last_line_of_a_block() {
        let at = |line, column| crate::source::Pos { line, column, offset: 0 };
        assert_eq!(last_line(Span { start: at(3, 3), end: at(7, 1) }), 6);
        assert_eq!(last_line(Span { start: at(3, 3), end: at(3, 9) }), 3);
        assert_eq!(last_line(Span { start: at(0, 0), end: at(0, 0) }), 1);
    }
}
