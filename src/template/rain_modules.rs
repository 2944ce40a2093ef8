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
//!   a `!Sub` its text; `!Ref R`, `!GetAtt R.Attr`, `${R}`, `${R.Attr}` and
//!   `DependsOn: R` naming a module resource get the prefix;
//! - `Overrides: {R: {...}}` in the parent changes the module's resource
//!   `R`: its `Properties` (and `Metadata`, `CreationPolicy`,
//!   `UpdatePolicy`) merged key by key, its policies and `Condition`
//!   replaced, `DependsOn` added to (`cft/pkg/overrides.go`);
//! - modules nest; a module on a URL is downloaded by rain, which
//!   privnet-lint never does: it stays unexpanded, a PN005 note.
//!
//! Every module file is opened through [`ProjectRoot::read`] (PN009 when
//! refused), at most [`MAX_DEPTH`] modules deep and [`MAX_FILES`] files per
//! template. The nodes a module makes take the span of the module's
//! declaration in the parent (a finding on `NetworkPublicSubnet1` points at
//! `Network:`), values the parent passes keep theirs, and each made
//! resource's [`Origin`] names the module.

use std::collections::HashMap;
use std::path::Path;

use super::intrinsic::{SubPart, sub_parts};
use super::language_extensions::{Iteration, Origin};
use crate::finding::{Code, Finding};
use crate::project::ProjectRoot;
use crate::source::{self, Entry, Node, Span, Style, Value};

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

/// True when the template uses a Rain module or embeds a file.
pub fn uses_rain(root: &Node) -> bool {
    root.get("Modules").is_some()
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
    if let Value::Map(entries) = &mut tree.value {
        let modules = entries.iter().position(|e| e.key == "Modules").map(|i| entries.remove(i));
        let resources = entries.iter_mut().find(|e| e.key == "Resources");
        if let Some(res) = resources {
            let mut made = x.resources(&res.value, path, MAX_DEPTH, &[]);
            if let Some(m) = modules {
                for e in m.value.as_map().unwrap_or_default() {
                    let source = e.value.get("Source");
                    let Some((reference, span)) = source.and_then(|s| Some((s.as_str()?, s.span))) else {
                        x.findings.push(
                            Finding::new(
                                Code::PN008,
                                Some(e.key_span),
                                format!("module `{}` has no `Source` path", e.key),
                            )
                            .fix("Give the module its file: `Source: path/to/module.yaml`."),
                        );
                        continue;
                    };
                    if let Some(list) = x.module(&e.key, e.key_span, reference, span, &e.value, path, MAX_DEPTH, &[]) {
                        made.extend(list);
                    }
                }
            }
            res.value.value = Value::Map(made);
        }
        for e in entries.iter_mut().filter(|e| e.key != "Resources") {
            x.embed(&mut e.value, path);
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
    /// The entries of a `Resources` mapping with every module expanded;
    /// `chain` are the modules this one is inside (for the origin).
    fn resources(&mut self, resources: &Node, path: &Path, depth: usize, chain: &[Iteration]) -> Vec<Entry> {
        let mut out = Vec::new();
        for e in resources.as_map().unwrap_or_default() {
            let module = e.value.get("Type").and_then(|t| directive(t, "Module"));
            let Some(reference) = module else {
                let mut e = e.clone();
                self.embed(&mut e.value, path);
                out.push(e);
                continue;
            };
            let made = match reference.as_str() {
                Some(r) => self.module(&e.key, e.key_span, r, reference.span, &e.value, path, depth, chain),
                None => None,
            };
            match made {
                Some(list) => out.extend(list),
                // left as it is: the template reader skips it
                None => out.push(e.clone()),
            }
        }
        out
    }

    /// The resources module `name` makes from the file `reference`, or
    /// `None` (with a finding) when it is not read; a module not read
    /// leaves the expansion partial.
    #[allow(clippy::too_many_arguments)]
    fn module(
        &mut self,
        name: &str,
        at: Span,
        reference: &str,
        span: Span,
        decl: &Node,
        path: &Path,
        depth: usize,
        chain: &[Iteration],
    ) -> Option<Vec<Entry>> {
        let made = self.expand_module(name, at, reference, span, decl, path, depth, chain);
        self.partial |= made.is_none();
        made
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_module(
        &mut self,
        name: &str,
        at: Span,
        reference: &str,
        span: Span,
        decl: &Node,
        path: &Path,
        depth: usize,
        chain: &[Iteration],
    ) -> Option<Vec<Entry>> {
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
        let Some(module) = doc.root.as_ref().filter(|m| m.get("Resources").and_then(Node::as_map).is_some()) else {
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
        let mut chain = chain.to_vec();
        chain.push(Iteration {
            loop_key: format!("Rain::Module {name}"),
            identifier: String::new(),
            value: r.to_string(),
        });
        let m = Module {
            prefix: name,
            at,
            parameters: module.get("Parameters"),
            names: module
                .get("Resources")
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .map(|e| e.key.as_str())
                .collect(),
            given: decl.get("Properties"),
        };
        // a module's own modules first, under their prefixed names
        let inner = self.resources(module.get("Resources").unwrap_or(module), &shown, depth.saturating_sub(1), &chain);
        let overrides = decl.get("Overrides");
        let mut out = Vec::new();
        for e in inner {
            let renamed = m.rename(&e.key);
            let mut value = m.rewrite(&e.value);
            if let Some(o) = overrides.and_then(|o| o.get(&e.key)) {
                apply_override(&mut value, o);
            }
            // the extension is the declared resource itself: its DependsOn and Condition
            if e.key == "ModuleExtension" {
                for key in ["DependsOn", "Condition"] {
                    if let Some(d) = decl.get(key) {
                        set(&mut value, key, d.clone());
                    }
                }
            }
            self.origins.insert(renamed.clone(), Origin(chain.clone()));
            out.push(Entry { key: renamed, key_span: at, value });
        }
        Some(out)
    }

    /// Replaces every `!Rain::Embed <path>` under `node` with the file's text.
    fn embed(&mut self, node: &mut Node, path: &Path) {
        if let Some(r) = directive(node, "Embed").and_then(|r| Some((r.as_str()?.to_string(), r.span))) {
            // a script not checked in with the template (a copy of the
            // template alone) is the usual case, as for nested stacks
            if self.project.locate(path, &r.0) == Err(crate::project::Refusal::Missing) {
                return;
            }
            if let Some(text) = self.read(&r.0, r.1, path, "embedded file", 1) {
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

fn not_read(span: Span, what: &str, reference: &str, why: &str) -> Finding {
    Finding::new(Code::PN009, Some(span), format!("{what} `{reference}` was not read: {why}")).fix(
        "privnet-lint reads only files inside the project root (the git work tree of what you name on the command line). \
         Keep the module in the repository, or lint the template `rain pkg` writes.",
    )
}

/// One module being expanded.
struct Module<'m> {
    /// The logical ID of the module resource in the parent.
    prefix: &'m str,
    /// Its span there: every node the module makes takes it.
    at: Span,
    /// The module's `Parameters`.
    parameters: Option<&'m Node>,
    /// The module's resource names.
    names: Vec<&'m str>,
    /// The parent's `Properties`: the parameter values.
    given: Option<&'m Node>,
}

impl Module<'_> {
    fn rename(&self, id: &str) -> String {
        if id == "ModuleExtension" { self.prefix.to_string() } else { format!("{}{id}", self.prefix) }
    }

    /// The value of parameter `p`: the parent's, else its `Default`.
    fn parameter(&self, p: &str) -> Option<Node> {
        self.parameters?.get(p)?;
        if let Some(v) = self.given.and_then(|g| g.get(p)) {
            return Some(v.clone());
        }
        self.parameters?.get(p)?.get("Default").map(|d| self.respan(d))
    }

    /// A node of the module at the declaration's place.
    fn respan(&self, node: &Node) -> Node {
        let style = match node.style {
            Style::Literal | Style::Folded => Style::Quoted,
            s => s,
        };
        let value = match &node.value {
            Value::Seq(items) => Value::Seq(items.iter().map(|i| self.respan(i)).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|e| Entry { key: e.key.clone(), key_span: self.at, value: self.respan(&e.value) })
                    .collect(),
            ),
            v => v.clone(),
        };
        Node { span: self.at, style, value }
    }

    /// A module resource with parameters replaced and module resources
    /// renamed, at the declaration's place.
    fn rewrite(&self, node: &Node) -> Node {
        if let Some((name, arg)) = node.as_intrinsic() {
            match name {
                "Ref" => {
                    if let Some(id) = arg.value.as_str() {
                        if let Some(v) = self.parameter(id) {
                            return v;
                        }
                        if self.names.contains(&id) {
                            return self.intrinsic("Ref", self.text(&self.rename(id)), node.style);
                        }
                    }
                }
                "Fn::GetAtt" => {
                    let renamed = match &arg.value.value {
                        Value::String(s) => s
                            .split_once('.')
                            .filter(|(id, _)| self.names.contains(id))
                            .map(|(id, a)| self.text(&format!("{}.{a}", self.rename(id)))),
                        Value::Seq(items) => match items.first().and_then(Node::as_str) {
                            Some(id) if self.names.contains(&id) => {
                                let mut list = vec![self.text(&self.rename(id))];
                                list.extend(items[1..].iter().map(|i| self.rewrite(i)));
                                Some(Node { span: self.at, style: Style::Plain, value: Value::Seq(list) })
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(r) = renamed {
                        return self.intrinsic("Fn::GetAtt", r, node.style);
                    }
                }
                "Fn::Sub" => return self.intrinsic("Fn::Sub", self.sub(&arg.value), node.style),
                _ => {}
            }
        }
        let value = match &node.value {
            Value::Seq(items) => Value::Seq(items.iter().map(|i| self.rewrite(i)).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|e| {
                        let value = match e.key.as_str() {
                            "DependsOn" => self.depends_on(&e.value),
                            "Condition" => match e.value.as_str().and_then(|c| self.parameter(c)) {
                                Some(v) => v,
                                None => self.respan(&e.value),
                            },
                            _ => self.rewrite(&e.value),
                        };
                        Entry { key: e.key.clone(), key_span: self.at, value }
                    })
                    .collect(),
            ),
            _ => return self.respan(node),
        };
        Node { span: self.at, style: node.style, value }
    }

    fn depends_on(&self, node: &Node) -> Node {
        let one = |n: &Node| match n.as_str() {
            Some(id) if self.names.contains(&id) => self.text(&self.rename(id)),
            _ => self.respan(n),
        };
        match &node.value {
            Value::Seq(items) => {
                Node { span: self.at, style: Style::Plain, value: Value::Seq(items.iter().map(one).collect()) }
            }
            _ => one(node),
        }
    }

    /// `Fn::Sub`'s argument with `${Param}` inlined and `${R}`/`${R.Attr}`
    /// renamed (variables of its own mapping are left alone).
    fn sub(&self, arg: &Node) -> Node {
        let (text, vars) = match &arg.value {
            Value::String(s) => (s.as_str(), None),
            Value::Seq(items) if items.len() == 2 => match items[0].as_str() {
                Some(s) => (s, Some(&items[1])),
                None => return self.rewrite(arg),
            },
            _ => return self.rewrite(arg),
        };
        let mut out = String::with_capacity(text.len());
        for part in sub_parts(text) {
            match part {
                SubPart::Text(t) => out.push_str(&t.replace("${", "${!")),
                SubPart::Var(v) if vars.and_then(|m| m.get(v)).is_some() => out.push_str(&format!("${{{v}}}")),
                SubPart::Var(v) => {
                    let (id, attr) = match v.split_once('.') {
                        Some((id, a)) => (id, Some(a)),
                        None => (v, None),
                    };
                    let inlined = attr.is_none().then(|| self.parameter(id)).flatten();
                    match inlined.as_ref().and_then(Node::scalar_text) {
                        Some(value) => out.push_str(&value),
                        None if self.names.contains(&id) => match attr {
                            Some(a) => out.push_str(&format!("${{{}.{a}}}", self.rename(id))),
                            None => out.push_str(&format!("${{{}}}", self.rename(id))),
                        },
                        None => out.push_str(&format!("${{{v}}}")),
                    }
                }
            }
        }
        let text = self.text(&out);
        match vars {
            Some(v) => Node { span: self.at, style: Style::Plain, value: Value::Seq(vec![text, self.rewrite(v)]) },
            None => text,
        }
    }

    fn text(&self, s: &str) -> Node {
        Node { span: self.at, style: Style::Quoted, value: Value::String(s.to_string()) }
    }

    fn intrinsic(&self, name: &str, arg: Node, style: Style) -> Node {
        let style = if style == Style::ShortForm { Style::ShortForm } else { Style::Plain };
        Node {
            span: self.at,
            style,
            value: Value::Map(vec![Entry { key: name.to_string(), key_span: self.at, value: arg }]),
        }
    }
}

/// Applies an `Overrides` entry to a module resource the way rain does
/// (`cft/pkg/overrides.go`): `Properties`, `CreationPolicy`, `Metadata` and
/// `UpdatePolicy` merged key by key, `DeletionPolicy`,
/// `UpdateReplacePolicy` and `Condition` replaced, `DependsOn` added to;
/// anything else, and an override that is not a mapping, is ignored.
fn apply_override(resource: &mut Node, with: &Node) {
    for e in with.as_map().unwrap_or_default() {
        match e.key.as_str() {
            "Properties" | "CreationPolicy" | "Metadata" | "UpdatePolicy" => match resource.get(&e.key) {
                Some(_) => {
                    if let Value::Map(entries) = &mut resource.value
                        && let Some(x) = entries.iter_mut().find(|x| x.key == e.key)
                    {
                        merge(&mut x.value, &e.value);
                    }
                }
                None => set(resource, &e.key, e.value.clone()),
            },
            "DeletionPolicy" | "UpdateReplacePolicy" | "Condition" => set(resource, &e.key, e.value.clone()),
            "DependsOn" => {
                let mut list: Vec<Node> = match resource.get("DependsOn").map(|d| &d.value) {
                    Some(Value::Seq(items)) => items.clone(),
                    Some(_) => resource.get("DependsOn").cloned().into_iter().collect(),
                    None => Vec::new(),
                };
                match &e.value.value {
                    Value::Seq(items) => list.extend(items.iter().cloned()),
                    _ => list.push(e.value.clone()),
                }
                set(resource, "DependsOn", Node { span: e.value.span, style: Style::Plain, value: Value::Seq(list) });
            }
            _ => {}
        }
    }
}

/// Merges mappings key by key; anything else is replaced.
fn merge(target: &mut Node, with: &Node) {
    match (&mut target.value, &with.value) {
        (Value::Map(into), Value::Map(from)) => {
            for e in from {
                match into.iter_mut().find(|x| x.key == e.key) {
                    Some(x) => merge(&mut x.value, &e.value),
                    None => into.push(e.clone()),
                }
            }
        }
        _ => *target = with.clone(),
    }
}

fn set(target: &mut Node, key: &str, value: Node) {
    if let Value::Map(entries) = &mut target.value {
        match entries.iter_mut().find(|e| e.key == key) {
            Some(e) => e.value = value,
            None => entries.push(Entry { key: key.to_string(), key_span: value.span, value }),
        }
    }
}
