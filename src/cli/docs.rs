//! `explain`, `rules` and `completions`: the tool describing itself. The
//! rule pages in `rules/` (embedded at build time) are the only source.

use std::io::Write;

use clap::CommandFactory;

use super::args::{Cli, RulesFormat};
use super::{EXIT_OK, UsageError};
use crate::finding::{Code, PAGES};
use crate::report::markdown::{rules_table, strip_front_matter};

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // a closed pipe (`| head`) is not an error worth a panic
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// `privnet-lint explain <CODE|NAME>`: the rule's page.
pub fn explain(rule: &str) -> Result<i32, UsageError> {
    let code = Code::lookup(rule.trim()).ok_or_else(|| {
        UsageError(format!(
            "no rule `{rule}`; `privnet-lint rules` lists them (codes like PN101 or names like no-route-to-s3)"
        ))
    })?;
    print(strip_front_matter(code.page().markdown));
    Ok(EXIT_OK)
}

/// `privnet-lint rules`: every rule, as text, JSON or the README's table.
pub fn rules(format: RulesFormat) -> Result<i32, UsageError> {
    let text = match format {
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = PAGES
                .iter()
                .map(|p| serde_json::json!({"code": p.id, "name": p.name, "severity": p.severity.as_str(), "summary": p.summary}))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&list).unwrap_or_default())
        }
        RulesFormat::Markdown => rules_table(),
        RulesFormat::Text => PAGES
            .iter()
            .map(|p| format!("{}  {:<34} {:<8} {}\n", p.id, p.name, p.severity.as_str(), p.summary))
            .collect(),
    };
    print(&text);
    Ok(EXIT_OK)
}

/// `privnet-lint completions <SHELL>`: a completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<i32, UsageError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "privnet-lint", &mut script);
    print(&String::from_utf8_lossy(&script));
    Ok(EXIT_OK)
}
