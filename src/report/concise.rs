//! `concise`: one line per finding, `path:line:col: CODE [severity] message`.

use super::Report;

/// Renders the report one line per finding.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        let region = if report.results.iter().any(|o| o.path == r.path && o.region != r.region) {
            format!(" ({})", r.region)
        } else {
            String::new()
        };
        for f in &r.findings {
            let (line, col) = f.span.map(|s| (s.start.line, s.start.column)).unwrap_or((1, 1));
            out.push_str(&format!(
                "{}:{line}:{col}: {} [{}] {}{region}\n",
                super::human::sanitize(&one_line(&r.path)),
                f.code,
                f.severity().as_str(),
                // an ANSI escape in a logical ID must not reach the terminal
                super::human::sanitize(&one_line(&super::message_with_construct(f)))
            ));
        }
    }
    out
}

/// Folds a message onto one line.
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}
