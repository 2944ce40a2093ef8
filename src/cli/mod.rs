//! The command line: argument parsing, configuration, path walking, picking
//! a report. `main.rs` only calls [`main`].

mod args;
mod docs;
mod inputs;
mod inspect;
mod output;
mod settings;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use clap::Parser;

pub use args::{Cli, Command, FailOn, Format, LintArgs, RulesFormat};
pub use output::{relative_to_root, repository_root};
pub use settings::Settings;

pub use crate::report::markdown::strip_front_matter;

use crate::finding::Severity;
use crate::lint::{self, FileResult, Options};
use crate::report::Report;

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

/// Parses the process's arguments and runs them; returns the exit code.
/// A misuse is one line on standard error and exit code 2; `--help` and
/// `--version` print to standard output.
pub fn main() -> i32 {
    match Cli::try_parse() {
        Ok(cli) => run(cli),
        Err(e) if e.exit_code() == 0 => {
            let _ = e.print();
            EXIT_OK
        }
        Err(e) => {
            eprintln!("privnet-lint: error: {}", clap_error_line(&e));
            EXIT_ERROR
        }
    }
}

/// clap's multi-line error (message, possible values, tip, usage) as one
/// line: what is wrong, what would be right, where to read more.
pub fn clap_error_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut parts: Vec<String> = Vec::new();
    let mut tips: Vec<String> = Vec::new();
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        match line.strip_prefix("tip:") {
            Some(tip) => tips.push(tip.trim().to_string()),
            None => parts.push(line.strip_prefix("error:").unwrap_or(line).trim().to_string()),
        }
    }
    let mut out = parts.join(" ");
    if out.is_empty() {
        out = "invalid arguments".into();
    }
    for t in tips {
        out.push_str("; ");
        out.push_str(&t);
    }
    out.push_str("; see `privnet-lint --help`");
    out
}

/// Runs the command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Some(Command::Check(args)) => lint_command(args),
        Some(Command::Explain { rule }) => docs::explain(&rule),
        Some(Command::Rules { format }) => docs::rules(format),
        Some(Command::Completions { shell }) => docs::completions(shell),
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

/// An I/O error in a few words.
fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn lint_command(args: LintArgs) -> Result<i32, UsageError> {
    let cwd = std::env::current_dir()
        .map_err(|e| UsageError(format!("cannot read the current folder: {}", describe_io(&e))))?;
    let s = Settings::new(&args, &cwd)?;
    let account_state = s.load_account_state(&s.regions)?;
    let excluded = |p: &Path| s.excluded(p);
    let (files, mut had_error) = inputs::collect(&args.paths, &excluded, s.skip_non_templates);
    // read every file (in parallel), then lint them together: one template
    // may import another's exports or nest it
    let read: Vec<Option<Result<String, inputs::ReadProblem>>> = {
        use rayon::prelude::*;
        files.par_iter().map(|f| (!f.assembly).then(|| inputs::read(f))).collect()
    };
    // files that get the same parameter values are linted together (the
    // usual case: all of them); per-file `parameters` in the config split them
    let mut groups: Vec<(BTreeMap<String, String>, Vec<lint::Input>)> = Vec::new();
    let mut add =
        |input: lint::Input, params: BTreeMap<String, String>| match groups.iter_mut().find(|(p, _)| *p == params) {
            Some((_, inputs)) => inputs.push(input),
            None => groups.push((params, vec![input])),
        };
    let mut unreadable: Vec<FileResult> = Vec::new();
    let first_region = s.regions.first().cloned().unwrap_or_default();
    // CDK stacks whose environment names a region the run was not asked for
    let mut pinned: Vec<(String, String)> = Vec::new();
    for (f, r) in files.iter().zip(read) {
        let Some(r) = r else {
            // a cloud assembly: its stacks, each with its name and region
            let (Some(dir), Some(root)) = (&f.path, &f.root) else { continue };
            let assembly = crate::cdk::read(dir, root);
            for m in assembly.manifests {
                unreadable.push(FileResult {
                    path: m.path,
                    region: first_region.clone(),
                    region_source: s.region_source,
                    region_hint: None,
                    source: m.text,
                    workloads: Vec::new(),
                    findings: m.findings,
                });
            }
            for stack in assembly.stacks {
                if let Some(region) = &stack.region
                    && !s.regions.contains(region)
                {
                    pinned.push((stack.path.clone(), region.clone()));
                }
                let params = s.parameters_for(Some(Path::new(&stack.path)));
                add(stack, params);
            }
            continue;
        };
        match r {
            Ok(text) => {
                let stack_name = f.path.as_deref().and_then(|p| s.stack_name_for(p));
                let input = lint::Input {
                    path: f.display.clone(),
                    text,
                    found: f.walked,
                    root: f.root.clone(),
                    stack_name,
                    region: None,
                };
                add(input, s.parameters_for(f.path.as_deref()));
            }
            Err(inputs::ReadProblem::Finding(finding)) => {
                for region in &s.regions {
                    unreadable.push(FileResult {
                        path: f.display.clone(),
                        region: region.clone(),
                        region_source: s.region_source,
                        region_hint: None,
                        source: "".into(),
                        workloads: Vec::new(),
                        findings: vec![finding.clone()],
                    });
                }
            }
            Err(inputs::ReadProblem::Error(e)) => {
                eprintln!("privnet-lint: error: {e}");
                had_error = true;
            }
            Err(inputs::ReadProblem::Skip) => {}
        }
    }
    region_note(&pinned, &s);
    let mut linted = Vec::new();
    for (parameters, inputs) in &groups {
        let opts = Options {
            regions: s.regions.clone(),
            region_source: s.region_source,
            parameters: parameters.clone(),
            account_state: account_state.clone(),
            ..Options::default()
        };
        linted.extend(lint::lint_inputs(inputs, &opts));
    }
    // results keep input order (a stable sort keeps each file's regions in
    // order); an assembly's files come where the assembly was named
    let position = |path: &str| {
        files.iter().position(|f| f.display == path).unwrap_or_else(|| {
            files.iter().position(|f| f.assembly && Path::new(path).starts_with(&f.display)).unwrap_or(usize::MAX)
        })
    };
    linted.extend(unreadable);
    linted.sort_by_key(|r| position(&r.path));
    let mut report = Report { results: linted };
    for r in &mut report.results {
        r.findings.retain(|f| s.reports(f.code));
    }
    let to_terminal = s.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && !s.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    output::emit(&report, &s, &cwd, color)?;
    Ok(if had_error {
        EXIT_ERROR
    } else if report.fails(s.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Says once on standard error that a region the user named (`--region`,
/// the config, the environment) did not apply to CDK stacks with an
/// environment of their own (SPEC §8: the stack's environment wins).
fn region_note(pinned: &[(String, String)], s: &Settings) {
    let named = match s.region_source {
        crate::analyzed_region::RegionSource::Flag => "--region",
        crate::analyzed_region::RegionSource::Config => "the config's `regions`",
        crate::analyzed_region::RegionSource::Environment => "$AWS_REGION or $AWS_DEFAULT_REGION",
        crate::analyzed_region::RegionSource::CdkEnvironment | crate::analyzed_region::RegionSource::Default => return,
    };
    let Some((path, region)) = pinned.first() else { return };
    let path = crate::report::escape::visible(path);
    let asked = s.regions.join(", ");
    if pinned.len() == 1 {
        eprintln!(
            "privnet-lint: note: {named} ({asked}) does not apply to CDK stack {path}: it is analyzed for {region}, the region of its environment"
        );
    } else {
        eprintln!(
            "privnet-lint: note: {named} ({asked}) does not apply to {} CDK stacks with an environment of their own: each is analyzed for its environment's region ({path}: {region}, …)",
            pinned.len()
        );
    }
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
