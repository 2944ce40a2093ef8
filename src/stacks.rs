//! Several templates at once: `Fn::ImportValue` resolved against the
//! `Outputs.*.Export` of the other templates of the run, and nested stacks
//! (`AWS::CloudFormation::Stack` with a local `TemplateURL`) resolved with
//! the `Parameters` their parent passes.
//!
//! Resources of another template join the model under a label:
//! `network.yaml/PrivateSubnet` for an exporting file, `NetworkStack/Vpc`
//! for a nested stack. Findings on them go back to their own file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::resolve::{Context, Export, Part, RNode, Resolved, ResolvedResource, Val, resolve, resolve_node};
use crate::source;
use crate::template::Template;

/// Separates a template's label from a logical ID in merged models.
pub const SEPARATOR: char = '/';

/// `label/id`.
pub fn labelled(label: &str, id: &str) -> String {
    format!("{label}{SEPARATOR}{id}")
}

/// The label part of a merged logical ID, if any.
pub fn label_of(id: &str) -> Option<&str> {
    id.split_once(SEPARATOR).map(|(l, _)| l)
}

/// Rewrites every logical ID in `node` to `label/id`.
pub fn prefix(node: &mut RNode, label: &str) {
    match &mut node.val {
        Val::Ref(id) => *id = labelled(label, id),
        Val::Att(id, _) => *id = labelled(label, id),
        Val::Text(parts) => {
            for p in parts {
                match p {
                    Part::Ref(id) | Part::Att(id, _) => *id = labelled(label, id),
                    _ => {}
                }
            }
        }
        Val::List(items) => items.iter_mut().for_each(|i| prefix(i, label)),
        Val::Map(entries) => entries.iter_mut().for_each(|e| prefix(&mut e.value, label)),
        _ => {}
    }
}

/// A copy of `r` under `label`.
pub fn prefixed_resource(r: &ResolvedResource, label: &str) -> ResolvedResource {
    let mut out = r.clone();
    out.id = labelled(label, &r.id);
    prefix(&mut out.properties, label);
    out
}

/// The exports of `t` resolved in `ctx`: names as patterns (`*` for the
/// stack name, which only the deployment decides), values under `label`.
pub fn exports(t: &Template<'_>, ctx: &Context, label: &str, base: &Resolved) -> Vec<Export> {
    const STACK: &str = "\u{1}stack\u{1}";
    let mut named = ctx.clone();
    named.stack_name = STACK.to_string();
    let mut out = Vec::new();
    for o in &t.outputs {
        let (Some(name), Some(value)) = (o.node.get("Export").and_then(|e| e.get("Name")), o.node.get("Value")) else {
            continue;
        };
        if let Some(cond) = o.node.get("Condition").and_then(|c| c.as_str())
            && base.conditions.iter().any(|(n, v)| n == cond && *v == Some(false))
        {
            continue;
        }
        let Some(pattern) = resolve_node(t, &named, name).pattern_text() else { continue };
        let pattern = pattern.replace(STACK, "*");
        if pattern.contains("${") {
            continue;
        }
        let mut v = resolve_node(t, ctx, value);
        prefix(&mut v, label);
        out.push(Export { name: pattern, value: v, label: label.to_string() });
    }
    out
}

/// A nested stack's template, read for its parent.
#[derive(Debug)]
pub struct Child {
    /// The `AWS::CloudFormation::Stack` logical ID (the label of its resources).
    pub label: String,
    /// Its file, as shown.
    pub path: String,
    /// Its text.
    pub text: Arc<str>,
    /// Its resolution with the parent's parameters.
    pub resolved: Resolved,
    /// Its outputs: name → value (under the label).
    pub outputs: Vec<(String, RNode)>,
    /// Its own findings (parser, structure, references).
    pub findings: Vec<crate::finding::Finding>,
}

/// The local file a `TemplateURL` names, relative to the parent's folder
/// (`None` for S3 and HTTP URLs, which stay outside the run).
pub fn local_template(parent: &Path, url: &str) -> Option<PathBuf> {
    let u = url.trim();
    if u.is_empty() || u.contains("://") || u.starts_with("s3:") || u.contains("${") {
        return None;
    }
    let joined = parent.parent().unwrap_or(Path::new(".")).join(u);
    // `a/./b.yaml` and `a/x/../b.yaml` read better as `a/b.yaml`
    let mut p = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if p.file_name().is_some() => {
                p.pop();
            }
            other => p.push(other),
        }
    }
    p.is_file().then_some(p)
}

/// Resolves `t` and the nested stacks it declares with a local
/// `TemplateURL` (up to `depth` levels), merging each child's resources
/// under its stack's logical ID and replacing `!GetAtt Stack.Outputs.X` with
/// the child's output.
pub fn resolve_with_children(t: &Template<'_>, ctx: &Context, path: &Path, depth: usize) -> (Resolved, Vec<Child>) {
    let mut resolved = resolve(t, ctx);
    let mut children = Vec::new();
    if depth == 0 {
        return (resolved, children);
    }
    let stacks: Vec<(String, String, Option<RNode>)> = resolved
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::CloudFormation::Stack" && r.exists != crate::resolve::Existence::No)
        .filter_map(|r| Some((r.id.clone(), r.prop("TemplateURL")?.text()?.to_string(), r.prop("Parameters").cloned())))
        .collect();
    for (id, url, params) in stacks {
        let Some(file) = local_template(path, &url) else { continue };
        let Ok(meta) = std::fs::metadata(&file) else { continue };
        if meta.len() > source::MAX_FILE_BYTES {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let text: Arc<str> = Arc::from(source::strip_bom(&text));
        let shown = file.display().to_string();
        let doc = source::parse(Some(&shown), &text);
        let mut findings = doc.findings.clone();
        let Some(root) = doc.root.as_ref() else {
            children.push(empty_child(&id, shown, text, ctx, findings));
            continue;
        };
        let expansion = crate::template::language_extensions::expand(root, &given(&params));
        let (ct, structure) = match Template::expanded(root, &expansion) {
            Ok(ok) => ok,
            Err(f) => {
                findings.push(f);
                children.push(empty_child(&id, shown, text, ctx, findings));
                continue;
            }
        };
        findings.extend(structure);
        findings.extend(crate::template::check::check(&ct));
        let mut child_ctx = ctx.clone();
        child_ctx.parameters.clear();
        child_ctx.parameter_values.clear();
        if let Some(map) = params.as_ref().and_then(RNode::as_map) {
            for e in map {
                child_ctx.parameter_values.insert(e.key.clone(), e.value.clone());
            }
        }
        let (child, grandchildren) = resolve_with_children(&ct, &child_ctx, &file, depth - 1);
        let mut outputs = Vec::new();
        for o in &ct.outputs {
            if let Some(v) = o.node.get("Value") {
                let mut value = resolve_node(&ct, &child_ctx, v);
                prefix(&mut value, &id);
                outputs.push((o.name.to_string(), value));
            }
        }
        for g in grandchildren {
            let label = labelled(&id, &g.label);
            for r in &g.resolved.resources {
                resolved.resources.push(prefixed_resource(r, &label));
            }
        }
        for r in &child.resources {
            resolved.resources.push(prefixed_resource(r, &id));
        }
        substitute_outputs(&mut resolved, &id, &outputs);
        children.push(Child { label: id, path: shown, text, resolved: child, outputs, findings });
    }
    (resolved, children)
}

/// The parameter values a parent passes, for expanding the child's loops:
/// a text (a list comma-joined), or `None` when known only at deploy time.
fn given(params: &Option<RNode>) -> crate::template::language_extensions::Given {
    let mut out = crate::template::language_extensions::Given::new();
    for e in params.as_ref().and_then(RNode::as_map).unwrap_or_default() {
        let text = match &e.value.val {
            Val::List(items) => {
                items.iter().map(|i| i.text().map(str::to_string)).collect::<Option<Vec<_>>>().map(|v| v.join(","))
            }
            _ => e.value.text().map(str::to_string),
        };
        out.insert(e.key.clone(), text);
    }
    out
}

fn empty_child(id: &str, path: String, text: Arc<str>, ctx: &Context, findings: Vec<crate::finding::Finding>) -> Child {
    let resolved = Resolved {
        ctx: ctx.clone(),
        resources: Vec::new(),
        references: Vec::new(),
        conditions: Vec::new(),
        findings: Vec::new(),
        imported: Vec::new(),
    };
    Child { label: id.to_string(), path, text, resolved, outputs: Vec::new(), findings }
}

/// Replaces `Fn::GetAtt Stack.Outputs.Name` everywhere with the output.
fn substitute_outputs(resolved: &mut Resolved, stack: &str, outputs: &[(String, RNode)]) {
    fn walk(node: &mut RNode, stack: &str, outputs: &[(String, RNode)]) {
        if let Val::Att(id, attr) = &node.val
            && id == stack
            && let Some(name) = attr.strip_prefix("Outputs.")
            && let Some((_, v)) = outputs.iter().find(|(n, _)| n == name)
        {
            node.val = v.val.clone();
            return;
        }
        match &mut node.val {
            Val::List(items) => items.iter_mut().for_each(|i| walk(i, stack, outputs)),
            Val::Map(entries) => entries.iter_mut().for_each(|e| walk(&mut e.value, stack, outputs)),
            _ => {}
        }
    }
    for r in &mut resolved.resources {
        walk(&mut r.properties, stack, outputs);
    }
}
