//! The whole pipeline for one file: parse, read the template, check
//! references, then for each region resolve, build the network, trace every
//! workload and collect findings.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::finding::{Code, Finding, Severity};
use crate::network::{self, Network, graph::ResourceGraph};
use crate::reach::{self, WorkloadResult};
use crate::resolve::{self, Context, Resolved};
use crate::source::{self, Span};
use crate::template::{self, Template};
use crate::{rules, suppress};

/// What to analyze a template for.
#[derive(Clone, Debug)]
pub struct Options {
    /// Regions, in order.
    pub regions: Vec<String>,
    /// Parameter values (override `Default`s).
    pub parameters: BTreeMap<String, String>,
    /// `AWS::AccountId`.
    pub account_id: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            regions: vec!["us-east-1".to_string()],
            parameters: BTreeMap::new(),
            account_id: resolve::DEFAULT_ACCOUNT_ID.to_string(),
        }
    }
}

/// The result for one file and one region (SPEC §3 `results[]`).
#[derive(Clone, Debug)]
pub struct FileResult {
    /// The path as given (or `<stdin>`).
    pub path: String,
    /// The analyzed region.
    pub region: String,
    /// The file's text, for rendering snippets.
    pub source: Arc<str>,
    /// Every workload's checks.
    pub workloads: Vec<WorkloadResult>,
    /// Findings, sorted by position.
    pub findings: Vec<Finding>,
}

impl FileResult {
    /// How many findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity() == severity).count()
    }
}

/// A template read for analysis, before choosing regions.
pub struct Loaded<'d> {
    /// The template.
    pub template: Template<'d>,
    /// Region-independent findings (parser, structure, references).
    pub findings: Vec<Finding>,
}

/// Whether text parses to something that looks like a CloudFormation
/// template (for skipping other YAML/JSON files found by walking folders).
pub fn is_template(path: &str, text: &str) -> bool {
    let doc = source::parse(Some(path), source::strip_bom(text));
    doc.root.as_ref().is_some_and(template::looks_like_template)
}

/// Lints template text for every region of `opts`.
pub fn lint_text(path: &str, text: &str, opts: &Options) -> Vec<FileResult> {
    lint_inner(path, text, opts, false).unwrap_or_default()
}

/// Lints a file found by walking a folder: `None` when it is not a
/// CloudFormation template (it parses, but has no `Resources` mapping or
/// `AWSTemplateFormatVersion`), or does not parse and does not even
/// mention them (a Helm chart, say).
pub fn lint_found(path: &str, text: &str, opts: &Options) -> Option<Vec<FileResult>> {
    lint_inner(path, text, opts, true)
}

fn lint_inner(path: &str, text: &str, opts: &Options, found: bool) -> Option<Vec<FileResult>> {
    let text: Arc<str> = Arc::from(source::strip_bom(text));
    let doc = source::parse(Some(path), &text);
    if found {
        let wanted = match &doc.root {
            Some(root) => template::looks_like_template(root),
            None => text.contains("AWSTemplateFormatVersion") || text.contains("Resources"),
        };
        if !wanted {
            return None;
        }
    }
    let mut findings = doc.findings;
    let result = |findings: Vec<Finding>, workloads, region: &str| FileResult {
        path: path.to_string(),
        region: region.to_string(),
        source: text.clone(),
        workloads,
        findings,
    };
    let Some(root) = doc.root.as_ref() else {
        if findings.iter().all(|f| f.code != Code::PN001) {
            let at = Span::default();
            findings.push(
                Finding::new(Code::PN001, Some(at), "the file is empty: not a CloudFormation template")
                    .fix("Lint a template with at least a `Resources` section."),
            );
        }
        return Some(opts.regions.iter().map(|r| result(rules::merge(findings.clone()), Vec::new(), r)).collect());
    };
    let (t, structure) = match Template::new(root) {
        Ok(ok) => ok,
        Err(f) => {
            findings.push(f);
            return Some(opts.regions.iter().map(|r| result(rules::merge(findings.clone()), Vec::new(), r)).collect());
        }
    };
    findings.extend(structure);
    findings.extend(template::check::check(&t));
    opts.regions
        .iter()
        .map(|region| {
            let analysis = analyze(&t, region, opts, Some(&text));
            let mut all = findings.clone();
            all.extend(analysis.findings);
            let all = suppress::apply(&t, rules::merge(all));
            result(all, analysis.workloads, region)
        })
        .collect::<Vec<_>>()
        .into()
}

/// Everything the analysis of one template in one region produced.
pub struct Analysis {
    /// The resolved template.
    pub resolved: Resolved,
    /// The network model.
    pub network: Network,
    /// The resource graph.
    pub graph: ResourceGraph,
    /// Every workload's checks.
    pub workloads: Vec<WorkloadResult>,
    /// Region-specific findings.
    pub findings: Vec<Finding>,
}

/// Resolves, models and traces `t` for one region (`text`, the template's
/// source, lets UserData findings point at the line of their URL).
pub fn analyze(t: &Template<'_>, region: &str, opts: &Options, text: Option<&str>) -> Analysis {
    let mut ctx = Context::new(region);
    ctx.account_id = opts.account_id.clone();
    ctx.parameters = opts.parameters.clone();
    let resolved = resolve::resolve(t, &ctx);
    let network = network::build(&resolved);
    let graph = ResourceGraph::build(&resolved);
    let workloads = reach::analyze(&network, region);
    let mut findings = resolved.findings.clone();
    findings.extend(rules::path_findings(&workloads, text));
    findings.extend(rules::model_findings(&network, region));
    findings.extend(undecided_conditions(&resolved));
    Analysis { resolved, network, graph, workloads, findings }
}

/// PN005 for resources whose `Condition` cannot be decided: they are
/// analyzed as if they exist.
fn undecided_conditions(resolved: &Resolved) -> Vec<Finding> {
    resolved
        .resources
        .iter()
        .filter_map(|r| match &r.exists {
            resolve::Existence::Unknown(u) => Some(
                Finding::new(Code::PN005, Some(u.span), format!("{}; it is analyzed as if it exists", u.reason))
                    .on(&r.id)
                    .fix("Pass the parameter values with `--parameter` to decide the condition."),
            ),
            _ => None,
        })
        .collect()
}
