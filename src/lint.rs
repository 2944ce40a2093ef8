//! The whole pipeline: parse every file, read the templates and check their
//! references, then for each region resolve (with the other templates'
//! exports and the nested stacks), build the network, trace every workload
//! and collect findings.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analyzed_region::{self, RegionHint, RegionSource};
use crate::finding::{Code, Finding, Severity};
use crate::network::{self, Network, graph::ResourceGraph};
use crate::project::ProjectRoot;
use crate::reach::{self, WorkloadResult};
use crate::resolve::{self, Context, Export, Resolved, StackOutput};
use crate::source::{self, Document, Node, Span};
use crate::stacks::{self, Child};
use crate::state::AccountState;
use crate::template::language_extensions::{self, Expansion};
use crate::template::rain_modules;
use crate::template::{self, Template};
use crate::{rules, suppress};

/// What to analyze templates for.
#[derive(Clone, Debug)]
pub struct Options {
    /// Regions, in order.
    pub regions: Vec<String>,
    /// Parameter values (override `Default`s).
    pub parameters: BTreeMap<String, String>,
    /// `AWS::AccountId`.
    pub account_id: String,
    /// The deployed account (`--account-state`), read once per run; `None`
    /// without it.
    pub account_state: Option<Arc<AccountState>>,
    /// Where `regions` came from.
    pub region_source: RegionSource,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            regions: vec!["us-east-1".to_string()],
            parameters: BTreeMap::new(),
            account_id: resolve::DEFAULT_ACCOUNT_ID.to_string(),
            account_state: None,
            region_source: RegionSource::Default,
        }
    }
}

impl Options {
    /// Options for these regions, given by the caller (the source is
    /// [`RegionSource::Flag`], as with `--region`).
    pub fn for_regions<S: Into<String>>(regions: impl IntoIterator<Item = S>) -> Options {
        Options {
            regions: regions.into_iter().map(Into::into).collect(),
            region_source: RegionSource::Flag,
            ..Options::default()
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
    /// Where the region came from.
    pub region_source: RegionSource,
    /// The one other region the template's own values point at, when the
    /// region is the default.
    pub region_hint: Option<RegionHint>,
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

/// A file to lint.
#[derive(Clone, Debug)]
pub struct Input {
    /// The path as shown (and, unless `<stdin>`, where nested stacks are
    /// looked up from).
    pub path: String,
    /// Its text.
    pub text: String,
    /// Found by walking a folder: skipped when it is not a template.
    pub found: bool,
    /// The project root the files it names must stay in
    /// ([`ProjectRoot`]); `None`: the one of `path` itself.
    pub root: Option<ProjectRoot>,
    /// The name of the stack it deploys as, when something says it (a
    /// cloud assembly's manifest, `--stack-name`): `AWS::StackName`, and
    /// the name `Fn::GetStackOutput` finds it by. Without it,
    /// `Fn::GetStackOutput` finds it by its file name up to the first dot.
    pub stack_name: Option<String>,
    /// The region the stack deploys to when the input pins it (the
    /// `environment` of a CDK stack): it is analyzed for that region only,
    /// whatever [`Options::regions`] says.
    pub region: Option<String>,
}

impl Input {
    /// A file named by the user, with the project root of its own path.
    pub fn named(path: impl Into<String>, text: impl Into<String>) -> Input {
        Input { path: path.into(), text: text.into(), found: false, root: None, stack_name: None, region: None }
    }
}

/// Whether text parses to something that looks like a CloudFormation
/// template (for skipping other YAML/JSON files found by walking folders).
pub fn is_template(path: &str, text: &str) -> bool {
    let doc = source::parse(Some(path), source::strip_bom(text));
    doc.root.as_ref().is_some_and(template::looks_like_template)
}

/// Line 1, column 1: where a finding about the whole file points.
fn start_of_file() -> Span {
    let at = source::Pos { line: 1, column: 1, offset: 0 };
    Span { start: at, end: at }
}

/// Lints template text for every region of `opts`.
pub fn lint_text(path: &str, text: &str, opts: &Options) -> Vec<FileResult> {
    lint_inputs(&[Input::named(path, text)], opts)
}

/// A template and its region-independent findings, or why there is none
/// (`Err(None)`: the parser already reported it).
type Loaded<'d> = Result<(Template<'d>, Vec<Finding>), Option<Finding>>;

struct Parsed {
    path: String,
    text: Arc<str>,
    doc: Document,
    root: ProjectRoot,
    /// The tree after the Rain modules, when it uses any.
    rain: Option<Node>,
    /// The tree after the `AWS::LanguageExtensions` loops.
    expansion: Expansion,
    /// The stack name `Fn::GetStackOutput` finds it by.
    stack_name: String,
    /// `AWS::StackName`, when known.
    named: Option<String>,
    /// The region it is pinned to.
    region: Option<String>,
}

/// A template resolved for one region, with its nested stacks.
type Resolution = (Resolved, Vec<Child>);

/// Lints several files together: `Fn::ImportValue` is resolved against the
/// exports of the others, nested stacks are followed. Results come in input
/// order (files found by walking that are not templates are left out), one
/// per file and region; findings on another file's resources go to that file.
pub fn lint_inputs(inputs: &[Input], opts: &Options) -> Vec<FileResult> {
    let given = language_extensions::given(&opts.parameters);
    let parsed: Vec<Option<Parsed>> = inputs
        .par_iter()
        .map(|i| {
            let text: Arc<str> = Arc::from(source::strip_bom(&i.text));
            let doc = source::parse(Some(&i.path), &text);
            if i.found {
                // a file found by walking that is no template is skipped; one
                // that does not parse is reported if it looks like one
                let wanted = match &doc.root {
                    Some(root) => template::looks_like_template(root),
                    None => text.contains("AWSTemplateFormatVersion") || text.contains("Resources"),
                };
                if !wanted {
                    return None;
                }
            }
            let root = i.root.clone().unwrap_or_else(|| root_of(&i.path));
            let (rain, expansion) = match doc.root.as_ref() {
                Some(r) => preprocess(r, Path::new(&i.path), &root, &given),
                None => (None, Expansion::default()),
            };
            let stack_name = i.stack_name.clone().unwrap_or_else(|| stacks::stem_stack_name(&i.path));
            Some(Parsed {
                path: i.path.clone(),
                text,
                doc,
                root,
                rain,
                expansion,
                stack_name,
                named: i.stack_name.clone(),
                region: i.region.clone(),
            })
        })
        .collect();
    let parsed: Vec<Parsed> = parsed.into_iter().flatten().collect();
    let templates: Vec<Loaded<'_>> = parsed
        .iter()
        .map(|p| match p.doc.root.as_ref() {
            None if p.doc.findings.iter().any(|f| f.code == Code::PN001) => Err(None),
            None => Err(Some(
                Finding::new(Code::PN001, Some(start_of_file()), "the file is empty: not a CloudFormation template")
                    .fix("Lint a template with at least a `Resources` section."),
            )),
            Some(root) => Template::expanded(p.rain.as_ref().unwrap_or(root), &p.expansion)
                .map(|(t, mut f)| {
                    f.extend(template::check::check(&t));
                    (t, f)
                })
                .map_err(Some),
        })
        .collect();
    let labels = labels(&parsed);
    // a region nobody gave: which one the template itself names
    let hints: Vec<Option<RegionHint>> = match opts.regions.as_slice() {
        [region] if opts.region_source == RegionSource::Default => templates
            .iter()
            .zip(&parsed)
            .map(|(t, p)| t.as_ref().ok().and_then(|(t, _)| analyzed_region::hint(t, &p.text, region)))
            .collect(),
        _ => vec![None; parsed.len()],
    };
    // the regions to analyze: the run's for inputs that pin none, then
    // each pinned one (a CDK stack's environment)
    let mut regions: Vec<String> = Vec::new();
    if parsed.iter().any(|p| p.region.is_none()) {
        regions.extend(opts.regions.iter().cloned());
    }
    for r in parsed.iter().filter_map(|p| p.region.as_ref()) {
        if !regions.contains(r) {
            regions.push(r.clone());
        }
    }
    let mut out: Vec<FileResult> = Vec::new();
    for region in &regions {
        let ctx = context(region, opts);
        let active: Vec<bool> = parsed
            .iter()
            .map(|p| match &p.region {
                Some(r) => r == region,
                None => opts.regions.contains(region),
            })
            .collect();
        let ctx_of = |p: &Parsed| {
            let mut c = ctx.clone();
            if let Some(name) = &p.named {
                c.stack_name = name.clone();
            }
            c
        };
        // 1. each template on its own, with its nested stacks
        let base: Vec<Option<Resolution>> = templates
            .par_iter()
            .zip(parsed.par_iter())
            .zip(active.par_iter())
            .map(|((t, p), on)| {
                let t = t.as_ref().ok().filter(|_| *on)?;
                Some(stacks::resolve_with_children(&t.0, &ctx_of(p), Path::new(&p.path), &p.root))
            })
            .collect();
        // 2. what they export, and their outputs
        let mut exports: Vec<Export> = Vec::new();
        let mut outputs: Vec<StackOutput> = Vec::new();
        for (i, t) in templates.iter().enumerate() {
            if let (Ok((t, _)), Some((r, _))) = (t, &base[i]) {
                let c = ctx_of(&parsed[i]);
                exports.extend(stacks::exports(t, &c, &labels[i], r));
                outputs.extend(stacks::stack_outputs(t, &c, &labels[i], &parsed[i].stack_name, r));
            }
        }
        // and the outputs of deployed stacks (`describe-stacks` in the account state)
        if let Some(state) = &opts.account_state {
            let in_run: Vec<&str> = parsed.iter().map(|p| p.stack_name.as_str()).collect();
            outputs.extend(stacks::deployed_outputs(&state.region(region), region, &in_run));
        }
        let exports = Arc::new(exports);
        let outputs = Arc::new(outputs);
        let reads = |p: &Parsed| {
            (!exports.is_empty() && p.text.contains("ImportValue"))
                || (!outputs.is_empty() && p.text.contains("GetStackOutput"))
        };
        // Without imports between the inputs each template's resolution from
        // step 1 is only its own: it is moved into the analysis, not copied
        // (copying a large template's resolution costs time and memory).
        let importing = parsed.iter().zip(&active).any(|(p, on)| *on && reads(p));
        let (own, shared): (Vec<Option<Resolution>>, _) =
            if importing { ((0..parsed.len()).map(|_| None).collect(), Some(base)) } else { (base, None) };
        // 3. each template with the others' exports and outputs, then traced
        let analyses: Vec<Option<(Analysis, Vec<Child>)>> = own
            .into_par_iter()
            .enumerate()
            .map(|(i, own)| {
                if !active[i] {
                    return None;
                }
                let (t, _) = templates[i].as_ref().ok()?;
                let (mut resolved, children) = match (own, &shared) {
                    _ if reads(&parsed[i]) => {
                        let mut with = ctx_of(&parsed[i]);
                        with.exports = exports.clone();
                        with.label = labels[i].clone();
                        with.stack_outputs = outputs.clone();
                        stacks::resolve_with_children(t, &with, Path::new(&parsed[i].path), &parsed[i].root)
                    }
                    (Some(own), _) => own,
                    (None, Some(shared)) => shared[i].as_ref().map(|(r, c)| (clone_resolved(r), clone_children(c)))?,
                    (None, None) => return None,
                };
                // resources of the templates whose exports it imports join its model
                let mut foreign = Vec::new();
                for label in resolved.imported.iter().filter(|l| **l != labels[i]) {
                    if let Some(j) = labels.iter().position(|l| l == label)
                        && let Some(Some((r, _))) = shared.as_ref().map(|s| &s[j])
                    {
                        foreign.extend(r.resources.iter().map(|x| stacks::foreign_resource(x, label)));
                    }
                }
                let imported: Vec<String> = resolved.imported.clone();
                resolved.resources.extend(foreign);
                Some((analyze_resolved(resolved, region, Some(&parsed[i].text), &imported), children))
            })
            .collect();
        // 4. results, with each finding in the file it points into
        let mut region_results: Vec<FileResult> = parsed
            .iter()
            .zip(&hints)
            .map(|(p, hint)| FileResult {
                path: p.path.clone(),
                region: region.clone(),
                region_source: if p.region.is_some() { RegionSource::CdkEnvironment } else { opts.region_source },
                region_hint: if p.region.is_some() { None } else { hint.clone() },
                source: p.text.clone(),
                workloads: Vec::new(),
                findings: p.doc.findings.clone(),
            })
            .collect();
        let mut extra: Vec<FileResult> = Vec::new();
        for (i, a) in analyses.into_iter().enumerate() {
            if !active[i] {
                continue;
            }
            match &templates[i] {
                Err(f) => region_results[i].findings.extend(f.iter().cloned()),
                Ok((_, f)) => region_results[i].findings.extend(f.iter().cloned()),
            }
            let Some((analysis, children)) = a else { continue };
            region_results[i].workloads = analysis.workloads;
            let child_paths: HashMap<&str, usize> =
                children.iter().enumerate().map(|(k, c)| (c.label.as_str(), k)).collect();
            for f in analysis.findings {
                let label = f.resource.as_deref().and_then(stacks::label_of).map(str::to_string);
                match label {
                    Some(l) if labels.contains(&l) => {
                        let j = labels.iter().position(|x| *x == l).unwrap_or(i);
                        region_results[j].findings.push(unlabel(f, &l));
                    }
                    Some(_) => match f.resource.as_deref().and_then(|r| deepest_child(r, &child_paths)) {
                        // a nested template's resource: reported in its file
                        Some((k, l)) => {
                            let l = l.to_string();
                            push_to(&mut extra, &children[k], region, region_results[i].region_source, unlabel(f, &l));
                        }
                        None => region_results[i].findings.push(f),
                    },
                    None => region_results[i].findings.push(f),
                }
            }
            let source = region_results[i].region_source;
            for c in &children {
                for f in &c.findings {
                    push_to(&mut extra, c, region, source, f.clone());
                }
            }
        }
        for (i, r) in region_results.iter_mut().enumerate() {
            let mut findings = rules::merge(std::mem::take(&mut r.findings));
            r.findings = match &templates[i] {
                Ok((t, _)) => {
                    let origins: HashMap<&str, String> =
                        t.resources.iter().filter_map(|r| Some((r.id, r.origin?.to_string()))).collect();
                    rules::name_iterations(&mut findings, &origins);
                    let paths: HashMap<&str, &str> =
                        t.resources.iter().filter_map(|r| Some((r.id, r.construct_path?))).collect();
                    mark_construct_paths(&mut findings, &paths);
                    suppress::apply(t, findings)
                }
                Err(_) => findings,
            };
        }
        for r in &mut extra {
            r.findings = rules::merge(std::mem::take(&mut r.findings));
        }
        let mut region_results: Vec<FileResult> =
            region_results.into_iter().zip(&active).filter(|(_, on)| **on).map(|(r, _)| r).collect();
        // a nested template that is also an input already has its result
        for e in extra {
            match region_results.iter_mut().find(|r| same_file(&r.path, &e.path)) {
                Some(r) => {
                    r.findings.extend(e.findings);
                    r.findings = rules::merge(std::mem::take(&mut r.findings));
                }
                None => region_results.push(e),
            }
        }
        out.extend(region_results);
    }
    if regions.len() > 1 {
        // file-major order: every region of a file together
        let order: Vec<String> = inputs.iter().map(|i| i.path.clone()).collect();
        out.sort_by_key(|r| order.iter().position(|p| *p == r.path).unwrap_or(usize::MAX));
    }
    out
}

/// The project root of a file named by its path (`<stdin>`: the current folder).
fn root_of(path: &str) -> ProjectRoot {
    if path == "<stdin>" { ProjectRoot::for_named(Path::new(".")) } else { ProjectRoot::for_named(Path::new(path)) }
}

fn same_file(a: &str, b: &str) -> bool {
    a == b || std::fs::canonicalize(a).ok().zip(std::fs::canonicalize(b).ok()).is_some_and(|(x, y)| x == y)
}

fn push_to(extra: &mut Vec<FileResult>, c: &Child, region: &str, source: RegionSource, mut f: Finding) {
    if f.construct_path.is_none()
        && let Some(id) = f.resource.as_deref()
    {
        f.construct_path = c.resolved.resources.iter().find(|r| r.id == id).and_then(|r| r.construct_path.clone());
    }
    match extra.iter_mut().find(|r| r.path == c.path) {
        Some(r) => r.findings.push(f),
        None => extra.push(FileResult {
            path: c.path.clone(),
            region: region.to_string(),
            region_source: source,
            region_hint: None,
            source: c.text.clone(),
            workloads: Vec::new(),
            findings: vec![f],
        }),
    }
}

/// The nested template a merged resource ID (`A/B/Subnet`) belongs to: the
/// child with the longest label that prefixes it, and that label.
fn deepest_child<'a>(resource: &str, children: &HashMap<&'a str, usize>) -> Option<(usize, &'a str)> {
    let mut best: Option<(usize, &'a str)> = None;
    for (i, _) in resource.match_indices(stacks::SEPARATOR) {
        if let Some((label, &k)) = children.get_key_value(&resource[..i]) {
            best = Some((k, label));
        }
    }
    best
}

/// A finding moved back into its own file: its resource without the label.
fn unlabel(mut f: Finding, label: &str) -> Finding {
    if let Some(r) = &f.resource
        && let Some(rest) = r.strip_prefix(label).and_then(|x| x.strip_prefix(stacks::SEPARATOR))
    {
        f.resource = Some(rest.to_string());
    }
    f
}

/// A unique label per file: its file name, or the whole path when two
/// files share a name.
fn labels(parsed: &[Parsed]) -> Vec<String> {
    let names: Vec<String> = parsed
        .iter()
        .map(|p| {
            Path::new(&p.path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| p.path.clone())
        })
        .collect();
    names
        .iter()
        .zip(parsed)
        .map(|(n, p)| if names.iter().filter(|m| *m == n).count() > 1 { p.path.clone() } else { n.clone() })
        .collect()
}

fn clone_resolved(r: &Resolved) -> Resolved {
    Resolved {
        ctx: r.ctx.clone(),
        resources: r.resources.clone(),
        references: r.references.clone(),
        conditions: r.conditions.clone(),
        findings: r.findings.clone(),
        imported: r.imported.clone(),
        parameter_uses: r.parameter_uses.clone(),
        rewritten: r.rewritten,
    }
}

fn clone_children(c: &[Child]) -> Vec<Child> {
    c.iter()
        .map(|c| Child {
            label: c.label.clone(),
            path: c.path.clone(),
            text: c.text.clone(),
            resolved: clone_resolved(&c.resolved),
            outputs: c.outputs.clone(),
            findings: c.findings.clone(),
        })
        .collect()
}

fn context(region: &str, opts: &Options) -> Context {
    let mut ctx = Context::new(region);
    ctx.account_id = opts.account_id.clone();
    ctx.parameters = opts.parameters.clone();
    ctx.account_state = opts.account_state.clone();
    ctx
}

/// Everything the analysis of one template in one region produced.
pub struct Analysis {
    /// The resolved template.
    pub resolved: Resolved,
    /// The network model.
    pub network: Network,
    /// Every workload's checks.
    pub workloads: Vec<WorkloadResult>,
    /// Region-specific findings.
    pub findings: Vec<Finding>,
}

/// Resolves, models and traces `t` for one region on its own (`text`, the
/// template's source, lets UserData findings point at the line of a URL).
pub fn analyze(t: &Template<'_>, region: &str, opts: &Options, text: Option<&str>) -> Analysis {
    let ctx = context(region, opts);
    analyze_resolved(resolve::resolve(t, &ctx), region, text, &[])
}

/// Models and traces a resolved template. Workloads of templates it only
/// imports from (`imported` labels) are left to those templates' results.
pub fn analyze_resolved(resolved: Resolved, region: &str, text: Option<&str>, imported: &[String]) -> Analysis {
    let mut network = network::build(&resolved);
    network.workloads.retain(|w| stacks::label_of(&w.id).is_none_or(|l| !imported.iter().any(|i| i == l)));
    let mut workloads = reach::analyze(&network, region);
    let deployed = !network.deployed.is_empty();
    if deployed {
        rules::deployed::paths(&network, region, &mut workloads);
    }
    let mut findings = resolved.findings.clone();
    let graph = ResourceGraph::build(&resolved);
    // CloudFormation's creation order, whose cycles it rejects; a macro's
    // output has other references than its source, so no cycle is judged
    if !resolved.rewritten {
        findings.extend(rules::cycle_findings(&graph));
    }
    findings.extend(rules::path_findings(&workloads, text, &conditionals(&resolved, &graph)));
    let model = rules::model_findings(&network, region);
    findings.extend(model.into_iter().filter(|f| {
        // a foreign template's own model findings come from its own analysis
        f.resource.as_deref().and_then(stacks::label_of).is_none_or(|l| !imported.iter().any(|i| i == l))
    }));
    if deployed {
        rules::deployed::findings(&network, &mut findings);
    }
    let paths = construct_paths(&resolved.resources);
    if !paths.is_empty() {
        for w in &mut workloads {
            w.construct_path = paths.get(w.resource.as_str()).map(|p| p.to_string());
        }
        mark_construct_paths(&mut findings, &paths);
        rules::cdk::speak_cdk(&mut findings, &resolved, &network, region);
    }
    Analysis { resolved, network, workloads, findings }
}

/// The CDK construct paths of resources, by logical ID (labelled in a
/// merged model).
fn construct_paths(resources: &[resolve::ResolvedResource]) -> HashMap<&str, &str> {
    resources.iter().filter_map(|r| Some((r.id.as_str(), r.construct_path.as_deref()?))).collect()
}

/// Gives each finding on a resource with a construct path that path.
fn mark_construct_paths(findings: &mut [Finding], paths: &HashMap<&str, &str>) {
    for f in findings.iter_mut().filter(|f| f.construct_path.is_none()) {
        if let Some(p) = f.resource.as_deref().and_then(|r| paths.get(r)) {
            f.construct_path = Some(p.to_string());
        }
    }
}

/// The template's own resources whose `Condition` cannot be decided: they
/// are analyzed as if they exist, and their condition's parameter gets a
/// PN005 note where one of them is on a workload's path.
fn conditionals<'r>(resolved: &'r Resolved, graph: &ResourceGraph<'r>) -> Vec<rules::Conditional<'r>> {
    resolved
        .resources
        .iter()
        .filter(|r| stacks::label_of(&r.id).is_none())
        .filter_map(|r| match &r.exists {
            resolve::Existence::Unknown(u) => Some(rules::Conditional {
                id: &r.id,
                extent: Span { start: r.span.start, end: r.properties.span.end.max(r.span.end) },
                unknown: u,
                referrers: graph.referrers(&r.id).into_iter().map(|f| f.id.as_str()).collect(),
            }),
            _ => None,
        })
        .collect()
}

/// Analyzes one template file on its own (with its nested stacks) for one
/// region: what `trace` and `graph` need. `Err` holds why it is no template.
pub fn analyze_file(path: &str, text: &str, region: &str, opts: &Options) -> Result<Analysis, Vec<Finding>> {
    let text = source::strip_bom(text);
    let doc = source::parse(Some(path), text);
    let Some(root) = doc.root.as_ref() else {
        return Err(doc.findings);
    };
    let project = root_of(path);
    let (rain, expansion) = preprocess(root, Path::new(path), &project, &language_extensions::given(&opts.parameters));
    let (t, _) = Template::expanded(rain.as_ref().unwrap_or(root), &expansion).map_err(|f| vec![f])?;
    let ctx = context(region, opts);
    let (resolved, _) = stacks::resolve_with_children(&t, &ctx, Path::new(path), &project);
    Ok(analyze_resolved(resolved, region, Some(text), &[]))
}

/// What runs on a template's tree before CloudFormation reads it: the Rain
/// modules (`rain pkg`), then the `AWS::LanguageExtensions` loops. Returns
/// the tree after the modules (`None`: it uses none) and the loops'
/// expansion of it, which carries the modules' findings and origins too.
fn preprocess(
    root: &Node,
    path: &Path,
    project: &ProjectRoot,
    given: &language_extensions::Given,
) -> (Option<Node>, Expansion) {
    let rain = rain_modules::expand(root, path, project);
    let mut expansion = language_extensions::expand(rain.root.as_ref().unwrap_or(root), given);
    expansion.findings.extend(rain.findings);
    expansion.partial |= rain.partial;
    for (id, origin) in rain.origins {
        expansion.origins.entry(id).or_insert(origin);
    }
    (rain.root, expansion)
}
