//! Rain modules, expanded from local files the way `rain pkg` expands them
//! before a template reaches CloudFormation: a resource with `Type:
//! !Rain::Module <path>` (and each entry of a top-level `Modules:` section,
//! `{Source: <path>, Properties, Overrides}`) becomes the module's
//! resources, and `!Rain::Embed <path>` the text of the file.
//!
//! What rain does (aws-cloudformation/rain, `cft/pkg/module.go` and its
//! test templates under `cft/pkg/tmpl/`, `docs/` "Modules"):
//!
//! - every resource `R` of the module is added as `<Name>R`, `<Name>` being
//!   the logical ID of the module resource in the parent (`Network` +
//!   `PublicSubnet1` = `NetworkPublicSubnet1`); a resource named
//!   `ModuleExtension` keeps `<Name>` itself;
//! - the parent's `Properties` set the module's `Parameters` (else their
//!   `Default`): a `!Ref` to a parameter becomes the value, a `${Param}` in
//!   a `!Sub` its text (`${X}` when the parent gives `!Ref X`, the string
//!   of a `!Sub`); `!Ref R`, `!GetAtt R.Attr`, `${R}`, `${R.Attr}`,
//!   `DependsOn: R` and `Condition` naming a module resource or parameter
//!   follow (`resolve.go`);
//! - a module resource whose `Metadata.Rain` says `IfParam: P` is left out
//!   unless the parent sets `P`, one with `IfNotParam: P` when it does
//!   (`ifparams.go`);
//! - the module's `Outputs` are what the parent reads as `!GetAtt
//!   Name.Output` or `${Name.Output}` (`outputs.go`, [`outputs`]);
//! - constants (`Rain: {Constants}` or a top-level `Constants:`) replace
//!   `!Rain::Constant C`, `!Ref Const::C` and `${Rain::C}` in the template
//!   and in each module (`constants.go`, [`constants`]);
//! - `Overrides: {R: {...}}` in the parent changes the module's resource
//!   `R`: its `Properties` (and `Metadata`, `CreationPolicy`,
//!   `UpdatePolicy`) merged key by key, its policies and `Condition`
//!   replaced, `DependsOn` added to (`cft/pkg/overrides.go`);
//! - modules nest (a module's resources, its own modules expanded, get
//!   its prefix: `Top` + `Net` + `Vpc` = `TopNetVpc`); a module on a URL is
//!   downloaded by rain, which privnet-lint never does: it stays
//!   unexpanded, a PN005 note, as do the AWS CLI's module `ForEach` and
//!   module `Conditions`.
//!
//! Every module file is opened through [`ProjectRoot::read`] (PN009 when
//! refused), at most [`MAX_DEPTH`] modules deep and [`MAX_FILES`] files per
//! template. The nodes a module makes take the span of the module's
//! declaration in the parent (a finding on `NetworkPublicSubnet1` points at
//! `Network:`), values the parent passes keep theirs, and each made
//! resource's [`Origin`] names the module.

use std::collections::HashMap;
use std::path::Path;

mod constants;
mod outputs;
mod rewrite;
#[cfg(test)]
mod tests;

use super::language_extensions::{Iteration, Origin};
use crate::finding::{Code, Finding};
use crate::project::ProjectRoot;
use crate::source::{self, Entry, Node, Span, Style, Value};
use outputs::Outputs;
use rewrite::{Module, apply_override, omitted, set, strip_conditionals};

/// Modules nested in modules are expanded this many levels deep.
pub const MAX_DEPTH: usize = 4;
/// Module and embedded files read for one template.
pub const MAX_FILES: usize = 64;

/// A template's tree after its Rain modules.
#[derive(Debug, Default)]
pub struct Expansion {
    /// The expanded tree; `None` when the template uses no module.
    pub root: Option<Node>,
    /// The module that made each resource, by logical ID.
    pub origins: HashMap<String, Origin>,
    /// PN009 (a module file not read), PN005 (a module on a URL).
    pub findings: Vec<Finding>,
    /// True when a module was left unexpanded: the names it would make are
    /// missing, so references to them are not reported as mistakes.
    pub partial: bool,
}

/// The directive key, in YAML short form (`!Rain::Module` reads as
/// `Fn::Rain::Module`) or as JSON writes it.
fn directive<'n>(node: &'n Node, name: &str) -> Option<&'n Node> {
    match node.as_map()? {
        [e] if e.key == format!("Rain::{name}") || e.key == format!("Fn::Rain::{name}") => Some(&e.value),
        _ => None,
    }
}

/// True when the template uses a Rain module or constant, or embeds a file.
pub fn uses_rain(root: &Node) -> bool {
    root.get("Modules").is_some()
        || constants::declared(root)
        || root
            .get("Resources")
            .and_then(Node::as_map)
            .is_some_and(|rs| rs.iter().any(|r| r.value.get("Type").is_some_and(|t| directive(t, "Module").is_some())))
        || has_embed(root)
}

fn has_embed(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| e.key.ends_with("Rain::Embed") || has_embed(&e.value)),
        Value::Seq(items) => items.iter().any(has_embed),
        _ => false,
    }
}

/// Expands the modules and embedded files of the template `root`, read
/// from the file `path`, every file through `project`.
pub fn expand(root: &Node, path: &Path, project: &ProjectRoot) -> Expansion {
    let mut out = Expansion::default();
    if !uses_rain(root) {
        return out;
    }
    let mut x = Expander { project, files: 0, findings: Vec::new(), origins: HashMap::new(), partial: false };
    let mut tree = root.clone();
    let constants = constants::take(&mut tree);
    constants::apply(&mut tree, &constants);
    let (made, outputs) = x.level(&tree, path, MAX_DEPTH, &[]);
    if let Value::Map(entries) = &mut tree.value {
        entries.retain(|e| e.key != "Modules");
        match entries.iter_mut().find(|e| e.key == "Resources") {
            Some(res) => res.value.value = Value::Map(made),
            None if !made.is_empty() => {
                let span = made[0].key_span;
                entries.push(Entry {
                    key: "Resources".into(),
                    key_span: span,
                    value: Node { span, style: Style::Plain, value: Value::Map(made) },
                });
            }
            None => {}
        }
        for e in entries.iter_mut() {
            outputs::replace(&mut e.value, &outputs);
            if e.key != "Resources" {
                x.embed(&mut e.value, path);
            }
        }
    }
    out.root = Some(tree);
    out.findings = x.findings;
    out.origins = x.origins;
    out.partial = x.partial;
    out
}

struct Expander<'a> {
    project: &'a ProjectRoot,
    files: usize,
    findings: Vec<Finding>,
    origins: HashMap<String, Origin>,
    partial: bool,
}

impl Expander<'_> {
    /// The resources of a template or module `root` with its modules
    /// expanded (those its `Resources` declare with `!Rain::Module`, then
    /// those of its `Modules` section), and those modules' outputs; `chain`
    /// are the modules `root` is inside (for the origin).
    fn level(&mut self, root: &Node, path: &Path, depth: usize, chain: &[Iteration]) -> (Vec<Entry>, Outputs) {
        let mut outputs = Outputs::new();
        let mut made = Vec::new();
        for e in root.get("Resources").and_then(Node::as_map).unwrap_or_default() {
            let module = e.value.get("Type").and_then(|t| directive(t, "Module"));
            let Some(reference) = module else {
                let mut e = e.clone();
                self.embed(&mut e.value, path);
                made.push(e);
                continue;
            };
            let expanded = match reference.as_str() {
                Some(r) => self.module(
                    Declared { name: &e.key, at: e.key_span, reference: r, span: reference.span, decl: &e.value },
                    path,
                    depth,
                    chain,
                ),
                None => None,
            };
            match expanded {
                Some((list, out)) => {
                    made.extend(list);
                    outputs.insert(e.key.clone(), out);
                }
                // left as it is: the template reader skips it
                None => made.push(e.clone()),
            }
        }
        for e in root.get("Modules").and_then(Node::as_map).unwrap_or_default() {
            let source = e.value.get("Source");
            let Some((reference, span)) = source.and_then(|s| Some((s.as_str()?, s.span))) else {
                self.findings.push(
                    Finding::new(Code::PN008, Some(e.key_span), format!("module `{}` has no `Source` path", e.key))
                        .fix("Give the module its file: `Source: path/to/module.yaml`."),
                );
                continue;
            };
            let declared = Declared { name: &e.key, at: e.key_span, reference, span, decl: &e.value };
            if let Some((list, out)) = self.module(declared, path, depth, chain) {
                made.extend(list);
                outputs.insert(e.key.clone(), out);
            }
        }
        // what the other resources read of the modules' outputs
        for e in &mut made {
            outputs::replace(&mut e.value, &outputs);
        }
        (made, outputs)
    }

    /// The resources module `name` makes from the file `reference`, and
    /// its outputs, or `None` (with a finding) when it is not read; a
    /// module not read leaves the expansion partial.
    fn module(
        &mut self,
        declared: Declared<'_>,
        path: &Path,
        depth: usize,
        chain: &[Iteration],
    ) -> Option<(Vec<Entry>, HashMap<String, Node>)> {
        let made = self.expand_module(declared, path, depth, chain);
        self.partial |= made.is_none();
        made
    }

    fn expand_module(
        &mut self,
        declared: Declared<'_>,
        path: &Path,
        depth: usize,
        chain: &[Iteration],
    ) -> Option<(Vec<Entry>, HashMap<String, Node>)> {
        let Declared { name, at, reference, span, decl } = declared;
        let r = reference.trim();
        if r.contains("://") || r.starts_with("s3:") {
            self.findings.push(
                Finding::new(
                    Code::PN005,
                    Some(span),
                    format!(
                        "module {name} is at `{r}`, which rain downloads and privnet-lint does not: the resources it makes are not analyzed"
                    ),
                )
                .on(name)
                .fix("Keep the module in the repository and name it by a relative path, or lint the template `rain pkg` writes."),
            );
            return None;
        }
        let text = self.read(r, span, path, "module", depth)?;
        let shown = crate::project::lexical(&path.parent().unwrap_or(Path::new("")).join(r));
        let doc = source::parse(Some(&shown.to_string_lossy()), source::strip_bom(&text));
        let Some(mut module) = doc.root.filter(|m| m.get("Resources").and_then(Node::as_map).is_some()) else {
            self.findings.push(not_read(span, "module", r, "it is not a module: no `Resources` mapping"));
            return None;
        };
        // the AWS CLI's module loops and module conditions are not expanded
        let unsupported = if decl.get("ForEach").is_some() {
            Some("`ForEach`")
        } else if module.get("Conditions").is_some() {
            Some("module `Conditions`")
        } else {
            None
        };
        if let Some(what) = unsupported {
            self.findings.push(
                Finding::new(
                    Code::PN005,
                    Some(span),
                    format!("module {name} uses {what}, which privnet-lint does not expand: the resources it makes are not analyzed"),
                )
                .on(name)
                .fix("Lint the template the packaging step writes (`rain pkg`, `aws cloudformation package`)."),
            );
            return None;
        }
        let constants = constants::take(&mut module);
        constants::apply(&mut module, &constants);
        let given = decl.get("Properties");
        // resources a `Metadata.Rain` IfParam/IfNotParam leaves out
        let parameters = module.get("Parameters").cloned();
        if let Value::Map(entries) = &mut module.value
            && let Some(Value::Map(resources)) =
                entries.iter_mut().find(|e| e.key == "Resources").map(|e| &mut e.value.value)
        {
            resources.retain(|e| !omitted(&e.value, parameters.as_ref(), given));
            resources.iter_mut().for_each(|e| strip_conditionals(&mut e.value));
        }
        let mut chain = chain.to_vec();
        chain.push(Iteration {
            loop_key: format!("Rain::Module {name}"),
            identifier: String::new(),
            value: r.to_string(),
        });
        // a module's own modules first, under their prefixed names
        let (inner, inner_outputs) = self.level(&module, &shown, depth.saturating_sub(1), &chain);
        let m = Module {
            prefix: name,
            at,
            parameters: parameters.as_ref(),
            names: inner.iter().map(|e| e.key.clone()).collect(),
            given,
        };
        let overrides = decl.get("Overrides");
        let mut out = Vec::new();
        for e in inner {
            let renamed = m.rename(&e.key);
            let mut value = m.rewrite(&e.value);
            if let Some(o) = overrides.and_then(|o| o.get(&e.key)) {
                apply_override(&mut value, o, parameters.as_ref());
            }
            // the extension is the declared resource itself: its DependsOn and Condition
            if e.key == "ModuleExtension" {
                for key in ["DependsOn", "Condition"] {
                    if let Some(d) = decl.get(key) {
                        set(&mut value, key, d.clone());
                    }
                }
            }
            // a resource of a module in this one keeps its deeper origin
            let deeper = self.origins.get(&e.key).is_some_and(|o| o.0.len() > chain.len() && o.0.starts_with(&chain));
            let origin = match deeper {
                true => self.origins.remove(&e.key).unwrap_or_default(),
                false => Origin(chain.clone()),
            };
            self.origins.insert(renamed.clone(), origin);
            out.push(Entry { key: renamed, key_span: at, value });
        }
        // its outputs, in the parent's names
        let mut outputs = HashMap::new();
        for o in module.get("Outputs").and_then(Node::as_map).unwrap_or_default() {
            if let Some(v) = o.value.get("Value") {
                let mut v = v.clone();
                outputs::replace(&mut v, &inner_outputs);
                outputs.insert(o.key.clone(), m.rewrite(&v));
            }
        }
        Some((out, outputs))
    }

    /// Replaces every `!Rain::Embed <path>` under `node` with the file's text.
    fn embed(&mut self, node: &mut Node, path: &Path) {
        if let Some(r) = directive(node, "Embed").and_then(|r| Some((r.as_str()?.to_string(), r.span))) {
            // a script not checked in with the template (a copy of the
            // template alone) is the usual case, as for nested stacks
            if self.project.locate(path, &r.0) == Err(crate::project::Refusal::Missing) {
                return;
            }
            // rain inserts the text with surrounding whitespace trimmed
            // (`cft/pkg/directives.go`, includeString)
            if let Some(text) = self.read(&r.0, r.1, path, "embedded file", 1) {
                let text = text.trim().to_string();
                *node = Node { span: node.span, style: Style::Quoted, value: Value::String(text) };
            }
            return;
        }
        match &mut node.value {
            Value::Map(entries) => entries.iter_mut().for_each(|e| self.embed(&mut e.value, path)),
            Value::Seq(items) => items.iter_mut().for_each(|i| self.embed(i, path)),
            _ => {}
        }
    }

    /// Reads a file a module or an embed names, through the project root
    /// and within the bounds; a finding on `span` when it is not read.
    fn read(&mut self, reference: &str, span: Span, path: &Path, what: &str, depth: usize) -> Option<String> {
        if depth == 0 {
            self.findings.push(not_read(
                span,
                what,
                reference,
                &format!("modules are expanded {MAX_DEPTH} levels deep, and this one is deeper; what it makes is not analyzed"),
            ));
            return None;
        }
        if self.files >= MAX_FILES {
            self.findings.push(not_read(
                span,
                what,
                reference,
                &format!("one template may pull in at most {MAX_FILES} module files, and this one is past that"),
            ));
            return None;
        }
        match self.project.read(path, reference) {
            Ok(f) => {
                self.files += 1;
                Some(f.text)
            }
            Err(why) => {
                self.findings.push(not_read(span, what, reference, &format!("{why}; what it makes is not analyzed")));
                None
            }
        }
    }
}

/// A module as the template declares it.
#[derive(Clone, Copy)]
struct Declared<'a> {
    /// Its logical name, the prefix of what it makes.
    name: &'a str,
    /// Where the name is.
    at: Span,
    /// The module file as written.
    reference: &'a str,
    /// Where the file is named.
    span: Span,
    /// The declaration (`Properties`, `Overrides`, ...).
    decl: &'a Node,
}

fn not_read(span: Span, what: &str, reference: &str, why: &str) -> Finding {
    Finding::new(Code::PN009, Some(span), format!("{what} `{reference}` was not read: {why}")).fix(
        "privnet-lint reads only files inside the project root (the git work tree of what you name on the command line). \
         Keep the module in the repository, or lint the template `rain pkg` writes.",
    )
}
