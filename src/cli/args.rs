//! Command-line arguments (SPEC §1).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::UsageError;
use crate::analyzed_region::{DEFAULT_REGION, RegionSource};
use crate::finding::{Code, Severity};
use crate::network::region::{COMMERCIAL_REGIONS, is_known_region};

const AFTER_HELP: &str = "Examples:
  privnet-lint stack.yaml --region ap-northeast-1
  privnet-lint templates/ --region us-east-1,eu-west-1
  privnet-lint stack.yaml -p VpcCidr=10.1.0.0/16 --parameters-file params.json
  privnet-lint app.yaml --account-state state/        # saved AWS CLI outputs
  privnet-lint templates/ --format github            # annotations in GitHub Actions
  privnet-lint templates/ --format sarif -o privnet-lint.sarif
  privnet-lint stack.yaml --ignore PN204 --fail-on warning
  privnet-lint explain PN402
  privnet-lint trace stack.yaml --from Instance --to ssm
  privnet-lint completions bash > ~/.local/share/bash-completion/completions/privnet-lint

Options can also come from a .privnet-lint.yaml found upward from the current
folder (or --config FILE); options on the command line win.

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 the tool could not do its job.";

const CHECK_HELP: &str = "Examples:
  privnet-lint check stack.yaml --region ap-northeast-1
  privnet-lint check templates/ --format concise --select PN101,PN201

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 the tool could not do its job.";

/// privnet-lint: will the EC2 instances of a CloudFormation template be able
/// to run dnf and open a Session Manager shell? Checked before deployment,
/// hop by hop, with the line to change.
#[derive(Debug, Parser)]
#[command(name = "privnet-lint", version, about, after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A subcommand (default: lint the given paths).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Lint options when no subcommand is given.
    #[command(flatten)]
    pub lint: LintArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and folders (the default command, spelled out).
    #[command(after_help = CHECK_HELP)]
    Check(LintArgs),
    /// Print a rule's documentation (its page in rules/).
    #[command(after_help = "Examples:\n  privnet-lint explain PN402\n  privnet-lint explain no-route-to-s3")]
    Explain {
        /// A rule code (PN101) or name (no-route-to-s3).
        rule: String,
    },
    /// List every rule: code, name, severity, summary.
    #[command(
        after_help = "Examples:\n  privnet-lint rules\n  privnet-lint rules --format json\n  privnet-lint rules --format markdown   # the README's table"
    )]
    Rules {
        /// `text`, `json`, or `markdown` (a table linking each rule's page).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  privnet-lint completions bash > ~/.local/share/bash-completion/completions/privnet-lint
  privnet-lint completions zsh > ~/.zfunc/_privnet-lint
  privnet-lint completions fish > ~/.config/fish/completions/privnet-lint.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Trace one path hop by hop: each hop's resource, what matched, the
    /// packet in and out, the template line.
    Trace(super::inspect::TraceArgs),
    /// Draw the network (VPCs, subnets, route tables, endpoints, gateways,
    /// groups, workloads) with each check's path and the blocking hops.
    Graph(super::inspect::GraphArgs),
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Diagnostics with source snippets, paths and a summary.
    #[default]
    Human,
    /// One line per finding: `path:line:col: CODE [severity] message`.
    Concise,
    /// The `privnet-lint/v1` JSON document.
    Json,
    /// GitHub Actions workflow commands: an annotation on each finding's line.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// Markdown with a workload × region × check table and a Mermaid flowchart
    /// per failing check (for $GITHUB_STEP_SUMMARY and pull-request comments).
    Markdown,
}

/// Output formats of `rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum RulesFormat {
    /// One line per rule.
    #[default]
    #[value(alias = "human")]
    Text,
    /// A JSON list of {code, name, severity, summary}.
    Json,
    /// A Markdown table linking each rule's page.
    Markdown,
}

/// The lowest severity that makes the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOn {
    /// Errors only.
    #[default]
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Note,
    /// Never (exit 0 unless the tool fails).
    Never,
}

impl FailOn {
    /// The threshold, `None` for never.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

/// Options of `lint`/`check`.
#[derive(Debug, Args, Default)]
pub struct LintArgs {
    /// Templates or folders to lint (`-` reads standard input). Folders are
    /// walked for .yaml/.yml/.json/.template files that look like templates.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format [default: human].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The analysis category of `--format sarif` (its `automationDetails.id`;
    /// GitHub code scanning keeps one analysis per category) [default: privnet-lint].
    #[arg(long, value_name = "NAME")]
    pub sarif_category: Option<String>,
    /// Region(s) to analyze for (repeatable or comma-separated; `all` = every
    /// known commercial region). Default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1.
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,
    /// A template parameter value (repeatable).
    #[arg(short = 'p', long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
    /// The name of the stack a template deploys as (repeatable): its
    /// `AWS::StackName`, and the name `Fn::GetStackOutput` in the other
    /// templates finds it by [default: the stack name in a cloud assembly's
    /// manifest, else the file name up to its first dot].
    #[arg(long = "stack-name", value_name = "FILE=NAME")]
    pub stack_name: Vec<String>,
    /// Parameters as JSON: `[{"ParameterKey":..,"ParameterValue":..}]` or `{"Parameters":{K:V}}`.
    #[arg(long, value_name = "FILE")]
    pub parameters_file: Option<PathBuf>,
    /// Saved outputs of read-only AWS CLI calls (a JSON file or a folder of
    /// them; repeatable): deployed resources the templates refer to.
    /// Folders named after a region apply to that region only.
    #[arg(long = "account-state", value_name = "PATH")]
    pub account_state: Vec<PathBuf>,
    /// Report only these rules (codes or names, repeatable or comma-separated).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not report these rules.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1 [default: error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: .privnet-lint.yaml found upward from the current folder].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Skip named files that are not CloudFormation templates, as files
    /// found in folders are (for pre-commit, which names every YAML file).
    #[arg(long)]
    pub skip_non_templates: bool,
    /// No colours (also when NO_COLOR is set or output is not a terminal).
    #[arg(long)]
    pub no_color: bool,
    /// Findings only: no paths, no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

/// True for text shaped like a region name (`ap-northeast-1`, `us-gov-west-1`).
pub(crate) fn region_like(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts.last().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

impl LintArgs {
    /// The regions to analyze, validated.
    pub fn regions(&self) -> Result<Vec<String>, UsageError> {
        regions(&self.region).map(|(r, _)| r)
    }

    /// Parameter values from `--parameters-file` then `-p` (which wins).
    pub fn parameters(&self) -> Result<BTreeMap<String, String>, UsageError> {
        let mut out = BTreeMap::new();
        if let Some(path) = &self.parameters_file {
            out.extend(read_parameters_file(path)?);
        }
        out.extend(self.parameter_values()?);
        Ok(out)
    }

    /// The `-p KEY=VALUE` values.
    pub fn parameter_values(&self) -> Result<BTreeMap<String, String>, UsageError> {
        let mut out = BTreeMap::new();
        for p in &self.parameter {
            let (k, v) =
                p.split_once('=').ok_or_else(|| UsageError(format!("`--parameter {p}`: expected KEY=VALUE")))?;
            if k.trim().is_empty() {
                return Err(UsageError(format!("`--parameter {p}`: the key is empty")));
            }
            out.insert(k.trim().to_string(), v.to_string());
        }
        Ok(out)
    }

    /// `--stack-name FILE=NAME` values: the file and a valid stack name (a
    /// letter, then letters, digits and dashes, at most 128 characters:
    /// CloudFormation's rule for stack names).
    pub fn stack_names(&self) -> Result<Vec<(PathBuf, String)>, UsageError> {
        let mut out = Vec::new();
        for s in &self.stack_name {
            let (file, name) =
                s.rsplit_once('=').ok_or_else(|| UsageError(format!("`--stack-name {s}`: expected FILE=NAME")))?;
            let name = name.trim();
            let valid = name.len() <= 128
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if file.trim().is_empty() || !valid {
                return Err(UsageError(format!(
                    "`--stack-name {s}`: expected FILE=NAME, NAME a letter then letters, digits and dashes"
                )));
            }
            out.push((PathBuf::from(file.trim()), name.to_string()));
        }
        Ok(out)
    }

    /// Rule codes from `--select`/`--ignore` values.
    pub fn codes(&self, list: &[String]) -> Result<Vec<Code>, UsageError> {
        list.iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| {
                Code::lookup(s).ok_or_else(|| UsageError(format!("no rule `{s}`; `privnet-lint rules` lists them")))
            })
            .collect()
    }
}

/// Reads a parameters file (see [`parse_parameters_file`]).
pub fn read_parameters_file(path: &std::path::Path) -> Result<BTreeMap<String, String>, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read parameters file {}: {}", path.display(), one_line_io(&e))))?;
    parse_parameters_file(&text).map_err(|e| UsageError(format!("parameters file {}: {e}", path.display())))
}

fn one_line_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Validates region names (`all` expands to every known commercial region),
/// with where they came from; no name at all means $AWS_REGION,
/// $AWS_DEFAULT_REGION, else us-east-1.
pub fn regions(list: &[String]) -> Result<(Vec<String>, RegionSource), UsageError> {
    let mut out: Vec<String> = Vec::new();
    for r in list.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        if r == "all" {
            out.extend(COMMERCIAL_REGIONS.iter().map(|s| s.to_string()));
        } else if region_like(r) {
            if !is_known_region(r) {
                eprintln!(
                    "privnet-lint: warning: region `{r}` is not one privnet-lint knows; region facts (prefix lists) are unknown there"
                );
            }
            out.push(r.to_string());
        } else {
            return Err(UsageError(format!("`{r}` is not a region name (like us-east-1), nor `all`")));
        }
    }
    let mut source = RegionSource::Flag;
    if out.is_empty() {
        let env = std::env::var("AWS_REGION").ok().or_else(|| std::env::var("AWS_DEFAULT_REGION").ok());
        match env.filter(|r| region_like(r)) {
            Some(r) => {
                out.push(r);
                source = RegionSource::Environment;
            }
            None => {
                out.push(DEFAULT_REGION.to_string());
                source = RegionSource::Default;
            }
        }
    }
    let mut seen = Vec::new();
    out.retain(|r| {
        let new = !seen.contains(r);
        seen.push(r.clone());
        new
    });
    Ok((out, source))
}

/// Parses `[{"ParameterKey": k, "ParameterValue": v}]` (the CloudFormation
/// CLI format) or `{"Parameters": {k: v}}` (the CodePipeline format).
pub fn parse_parameters_file(text: &str) -> Result<BTreeMap<String, String>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let scalar = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let mut out = BTreeMap::new();
    match &value {
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let k = item
                    .get("ParameterKey")
                    .and_then(|k| k.as_str())
                    .ok_or_else(|| format!("item {i} has no ParameterKey"))?;
                let v = item
                    .get("ParameterValue")
                    .and_then(scalar)
                    .ok_or_else(|| format!("item {i} ({k}) has no ParameterValue"))?;
                out.insert(k.to_string(), v);
            }
        }
        serde_json::Value::Object(map) => {
            let params = map
                .get("Parameters")
                .and_then(|p| p.as_object())
                .ok_or("expected a list of ParameterKey/ParameterValue or {\"Parameters\": {...}}")?;
            for (k, v) in params {
                out.insert(k.clone(), scalar(v).ok_or_else(|| format!("parameter {k} is not a string"))?);
            }
        }
        _ => return Err("expected a list of ParameterKey/ParameterValue or {\"Parameters\": {...}}".into()),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        assert!(region_like("ap-northeast-1"));
        assert!(region_like("us-gov-west-1"));
        assert!(!region_like("useast1"));
        assert!(!region_like("us-east-"));
        assert!(!region_like("US-EAST-1"));
    }

    #[test]
    fn parameters_files() {
        let a = parse_parameters_file(r#"[{"ParameterKey":"A","ParameterValue":"1"}]"#).unwrap();
        assert_eq!(a.get("A").map(String::as_str), Some("1"));
        let b = parse_parameters_file(r#"{"Parameters":{"B":"x","C":2}}"#).unwrap();
        assert_eq!(b.get("C").map(String::as_str), Some("2"));
        assert!(parse_parameters_file("[1]").is_err());
        assert!(parse_parameters_file("nope").is_err());
    }
}
