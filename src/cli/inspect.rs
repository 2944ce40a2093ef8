//! `trace` and `graph`: one template, one region, looked at closely.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{EXIT_FINDINGS, EXIT_OK, UsageError};
use crate::lint::{Analysis, Options, analyze_file};
use crate::network::ami::Repository;
use crate::reach::{Status, TraceTarget, trace as trace_path};
use crate::report::graph::{render_dot, render_mermaid};
use crate::report::trace::{Traced, render_json, render_text};

/// Arguments of `trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The template.
    pub template: PathBuf,
    /// The workload: an instance's or Auto Scaling group's logical ID.
    #[arg(long, value_name = "LOGICAL_ID")]
    pub from: String,
    /// Where to: s3 (the dnf path), ssm, ssmmessages, ec2messages, a URL, or host:port.
    #[arg(long, value_name = "TARGET")]
    pub to: String,
    /// The region (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    /// A template parameter value (repeatable).
    #[arg(short = 'p', long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
    /// Saved outputs of read-only AWS CLI calls (a JSON file or a folder; repeatable).
    #[arg(long = "account-state", value_name = "PATH")]
    pub account_state: Vec<PathBuf>,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
    pub format: TraceFormat,
    /// The configuration file (its regions and parameters apply).
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `--config` and `--no-config` of `trace` and `graph`: the configuration
/// file's regions (the first one) and parameters apply, options win.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Configuration file [default: .privnet-lint.yaml found upward from the current folder].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

/// Output of `trace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// Hop by hop, for people.
    Text,
    /// `privnet-lint/trace-v1`.
    Json,
}

/// Arguments of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The template.
    pub template: PathBuf,
    /// `dot` (Graphviz) or `mermaid`.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// The region (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    /// A template parameter value (repeatable).
    #[arg(short = 'p', long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Saved outputs of read-only AWS CLI calls (a JSON file or a folder; repeatable).
    #[arg(long = "account-state", value_name = "PATH")]
    pub account_state: Vec<PathBuf>,
    /// The configuration file (its regions and parameters apply).
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Output of `graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tpng`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
}

/// What `trace` and `graph` look at: a template, one region, its values.
struct Target<'a> {
    template: &'a PathBuf,
    region: Option<&'a str>,
    parameter: &'a [String],
    account_state: &'a [PathBuf],
    config: &'a ConfigArgs,
}

fn load(t: Target<'_>) -> Result<(String, Analysis, String), UsageError> {
    let Target { template, region, parameter, account_state, config } = t;
    let lint_args = super::LintArgs {
        region: region.map(|r| vec![r.to_string()]).unwrap_or_default(),
        parameter: parameter.to_vec(),
        account_state: account_state.to_vec(),
        config: config.config.clone(),
        no_config: config.no_config,
        ..Default::default()
    };
    let cwd = std::env::current_dir().map_err(|e| UsageError(format!("cannot read the current folder: {e}")))?;
    let settings = super::Settings::new(&lint_args, &cwd)?;
    let region = settings.regions.first().cloned().unwrap_or_else(|| "us-east-1".into());
    let opts = Options {
        regions: vec![region.clone()],
        parameters: settings.parameters_for(Some(template)),
        account_state: settings.load_account_state(std::slice::from_ref(&region))?,
        ..Options::default()
    };
    let display = template.display().to_string();
    let meta = std::fs::metadata(template).map_err(|e| UsageError(format!("{display}: {e}")))?;
    if !meta.is_file() || meta.len() > crate::source::MAX_FILE_BYTES {
        return Err(UsageError(format!("{display}: not a regular file under the size limit")));
    }
    let text = std::fs::read_to_string(template).map_err(|e| UsageError(format!("{display}: {e}")))?;
    let analysis = analyze_file(&display, &text, &region, &opts).map_err(|findings| {
        let why = findings.first().map(|f| f.message.clone()).unwrap_or_else(|| "not a template".into());
        UsageError(format!("{display}: {why}"))
    })?;
    Ok((display, analysis, region))
}

/// `privnet-lint trace`.
pub fn trace(args: TraceArgs) -> Result<i32, UsageError> {
    let target = TraceTarget::parse(&args.to).map_err(UsageError)?;
    let (path, a, region) = load(Target {
        template: &args.template,
        region: args.region.as_deref(),
        parameter: &args.parameter,
        account_state: &args.account_state,
        config: &args.config,
    })?;
    let mut paths = trace_path(&a.network, &region, &args.from, &target);
    if !a.network.deployed.is_empty() {
        for (subnet, p) in &mut paths {
            crate::rules::deployed::trace(&a.network, &region, &args.from, subnet.as_deref(), p);
        }
    }
    // the workload exists, but its AMI has no package manager (SPEC §2)
    if target == TraceTarget::S3
        && let Some(why) = a.network.workloads.iter().find(|w| w.id == args.from).and_then(|w| w.image.not_applicable())
    {
        println!("{path} ({region}): {}: dnf is not applicable: {why}", args.from);
        return Ok(EXIT_OK);
    }
    if paths.is_empty() {
        let known: Vec<&str> = a.network.workloads.iter().map(|w| w.id.as_str()).collect();
        return Err(UsageError(format!(
            "`{}` is not a workload of {path} (workloads: {})",
            args.from,
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )));
    }
    let destination = match &target {
        TraceTarget::S3 => {
            let ami = a.network.workloads.iter().find(|w| w.id == args.from).map(|w| w.image.clone());
            match ami.map(|ami| ami.repository(&region)) {
                Some(Repository::S3 { host, port, .. } | Repository::Mirror { host, port, .. }) => {
                    format!("{host}:{port}")
                }
                _ => String::new(),
            }
        }
        TraceTarget::Ssm => format!("ssm.{region}.amazonaws.com:443"),
        TraceTarget::Ssmmessages => format!("ssmmessages.{region}.amazonaws.com:443"),
        TraceTarget::Ec2messages => format!("ec2messages.{region}.amazonaws.com:443"),
        TraceTarget::Url(d) => format!("{}:{}", d.host, d.port),
    };
    let traced: Vec<Traced> = paths
        .into_iter()
        .map(|(subnet, p)| Traced {
            path: path.clone(),
            region: region.clone(),
            workload: args.from.clone(),
            source: subnet.as_deref().and_then(|s| a.network.subnet(s)).and_then(|s| s.cidr).map(|c| c.to_string()),
            subnet,
            destination: destination.clone(),
            trace: p,
        })
        .collect();
    let reachable = traced.iter().all(|t| t.trace.status == Status::Reachable);
    let text = match args.format {
        TraceFormat::Text => render_text(&traced),
        TraceFormat::Json => render_json(&traced),
    };
    print!("{text}");
    Ok(if reachable { EXIT_OK } else { EXIT_FINDINGS })
}

/// `privnet-lint graph`.
pub fn graph(args: GraphArgs) -> Result<i32, UsageError> {
    let (_, a, _) = load(Target {
        template: &args.template,
        region: args.region.as_deref(),
        parameter: &args.parameter,
        account_state: &args.account_state,
        config: &args.config,
    })?;
    let text = match args.format {
        GraphFormat::Dot => render_dot(&a.network, &a.workloads),
        GraphFormat::Mermaid => render_mermaid(&a.network, &a.workloads),
    };
    match &args.output {
        Some(p) => std::fs::write(p, text).map_err(|e| UsageError(format!("cannot write {}: {e}", p.display())))?,
        None => print!("{text}"),
    }
    Ok(EXIT_OK)
}
