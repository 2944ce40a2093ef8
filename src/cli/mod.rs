//! The command line: argument parsing, path walking, picking a report.
//! `main.rs` only calls [`run`].

mod args;
mod inputs;
mod inspect;

use std::io::{IsTerminal, Write};

pub use args::{Cli, Command, Format, LintArgs};

use crate::finding::{Code, PAGES, Severity};
use crate::lint::{self, FileResult, Options};
use crate::report::{self, Report};

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: i32 = 0;
/// Exit code: a finding at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: the tool could not do its job (bad arguments, unreadable path).
pub const EXIT_ERROR: i32 = 2;

/// A problem that stops the run or a path (exit code 2), printed as one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs the command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Some(Command::Check(args)) => lint_command(args),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Rules { format }) => rules(format),
        Some(Command::Trace(args)) => inspect::trace(args),
        Some(Command::Graph(args)) => inspect::graph(args),
        None => lint_command(cli.lint),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("privnet-lint: error: {e}");
            EXIT_ERROR
        }
    }
}

fn explain(rule: &str) -> Result<i32, UsageError> {
    let code = Code::lookup(rule.trim()).ok_or_else(|| {
        UsageError(format!(
            "no rule `{rule}`; `privnet-lint rules` lists them (codes like PN101 or names like no-route-to-s3)"
        ))
    })?;
    print!("{}", strip_front_matter(code.page().markdown));
    Ok(EXIT_OK)
}

/// A rule page without its front matter block.
pub fn strip_front_matter(page: &str) -> &str {
    page.strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---\n").map(|i| rest[i + 5..].trim_start_matches('\n')))
        .unwrap_or(page)
}

fn rules(format: Option<Format>) -> Result<i32, UsageError> {
    match format {
        Some(Format::Json) => {
            let list: Vec<serde_json::Value> = PAGES
                .iter()
                .map(|p| serde_json::json!({"code": p.id, "name": p.name, "severity": p.severity.as_str(), "summary": p.summary}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        None | Some(Format::Human) | Some(Format::Concise) => {
            for p in PAGES {
                println!("{}  {:<34} {:<8} {}", p.id, p.name, p.severity.as_str(), p.summary);
            }
        }
    }
    Ok(EXIT_OK)
}

fn lint_command(args: LintArgs) -> Result<i32, UsageError> {
    let opts = Options { regions: args.regions()?, parameters: args.parameters()?, ..Options::default() };
    let fail_on = args.fail_on.threshold();
    let (files, mut had_error) = inputs::collect(&args.paths);
    let failed = std::sync::atomic::AtomicBool::new(false);
    // read every file (in parallel), then lint them together: one template
    // may import another's exports or nest it
    let read: Vec<Result<String, inputs::ReadProblem>> = {
        use rayon::prelude::*;
        files.par_iter().map(inputs::read).collect()
    };
    let mut to_lint = Vec::new();
    let mut unreadable: Vec<(usize, FileResult)> = Vec::new();
    for (k, (f, r)) in files.iter().zip(read).enumerate() {
        match r {
            Ok(text) => to_lint.push(lint::Input { path: f.display.clone(), text, found: f.walked }),
            Err(inputs::ReadProblem::Finding(finding)) => {
                for region in &opts.regions {
                    unreadable.push((
                        k,
                        FileResult {
                            path: f.display.clone(),
                            region: region.clone(),
                            source: "".into(),
                            workloads: Vec::new(),
                            findings: vec![finding.clone()],
                        },
                    ));
                }
            }
            Err(inputs::ReadProblem::Error(e)) => {
                eprintln!("privnet-lint: error: {e}");
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            Err(inputs::ReadProblem::Skip) => {}
        }
    }
    let mut linted = lint::lint_inputs(&to_lint, &opts);
    // files refused before parsing keep their place in input order
    let position = |path: &str| files.iter().position(|f| f.display == path).unwrap_or(usize::MAX);
    linted.extend(unreadable.into_iter().map(|(_, r)| r));
    linted.sort_by_key(|r| position(&r.path));
    let results = vec![linted];
    had_error |= failed.load(std::sync::atomic::Ordering::Relaxed);
    let mut report = Report { results: results.into_iter().flatten().collect() };
    let select = args.codes(&args.select)?;
    let ignore = args.codes(&args.ignore)?;
    for r in &mut report.results {
        r.findings.retain(|f| (select.is_empty() || select.contains(&f.code)) && !ignore.contains(&f.code));
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = match args.format {
        Format::Human => report::human::render(&report, report::human::Style { color, quiet: args.quiet }),
        Format::Json => report::json::render(&report),
        Format::Concise => report::concise::render(&report),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (`| head`) is not an error worth a panic
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
        }
    }
    Ok(if had_error {
        EXIT_ERROR
    } else if report.fails(fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Severity threshold for the exit code.
pub fn threshold_of(s: &str) -> Option<Severity> {
    match s {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "note" => Some(Severity::Note),
        _ => None,
    }
}
