//! Several templates at once: `Fn::ImportValue` resolved against the
//! `Outputs.*.Export` of the other templates of the run, and nested stacks
//! (`AWS::CloudFormation::Stack` with a local `TemplateURL`) resolved with
//! the `Parameters` their parent passes.
//!
//! Resources of another template join the model under a label:
//! `network.yaml/PrivateSubnet` for an exporting file, `NetworkStack/Vpc`
//! for a nested stack. Findings on them go back to their own file.

use std::path::Path;
use std::sync::Arc;

use crate::finding::{Code, Finding};
use crate::project::{ProjectRoot, Refusal};
use crate::resolve::{
    Context, Export, Part, RNode, Resolved, ResolvedResource, StackOutput, Val, resolve, resolve_node,
};
use crate::source::{self, Span};
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

/// Marks a logical ID that a parent stack passed down as a parameter
/// value: it names a resource one level up, not one of the child's.
const UP: char = '\u{1}';

/// Rewrites every logical ID in `node` to `label/id`, except the ones a
/// parent passed down ([`passed_down`]): those lose one mark instead, as
/// they climb back to the template they belong to.
pub fn prefix(node: &mut RNode, label: &str) {
    fn relabel(id: &mut String, label: &str) {
        match id.strip_prefix(UP) {
            Some(rest) => *id = rest.to_string(),
            None => *id = labelled(label, id),
        }
    }
    match &mut node.val {
        Val::Ref(id) | Val::Att(id, _) => relabel(id, label),
        Val::Text(parts) => {
            for p in parts {
                match p {
                    Part::Ref(id) | Part::Att(id, _) => relabel(id, label),
                    _ => {}
                }
            }
        }
        Val::List(items) => items.iter_mut().for_each(|i| prefix(i, label)),
        Val::Map(entries) => entries.iter_mut().for_each(|e| prefix(&mut e.value, label)),
        _ => {}
    }
}

/// A parameter value a parent passes to a nested stack, its logical IDs
/// marked as the parent's: once the child's resources join the parent's
/// model under the child's label, they name the parent's resources again
/// (a CDK NestedStack gets its VPC's subnet as `!Ref` of the parent's).
fn passed_down(mut node: RNode) -> RNode {
    fn mark(node: &mut RNode) {
        match &mut node.val {
            Val::Ref(id) | Val::Att(id, _) => id.insert(0, UP),
            Val::Text(parts) => {
                for p in parts {
                    if let Part::Ref(id) | Part::Att(id, _) = p {
                        id.insert(0, UP);
                    }
                }
            }
            Val::List(items) => items.iter_mut().for_each(mark),
            Val::Map(entries) => entries.iter_mut().for_each(|e| mark(&mut e.value)),
            _ => {}
        }
    }
    mark(&mut node);
    node
}

/// A copy of `r` under `label`.
pub fn prefixed_resource(r: &ResolvedResource, label: &str) -> ResolvedResource {
    let mut out = r.clone();
    out.id = labelled(label, &r.id);
    prefix(&mut out.properties, label);
    out
}

/// A copy of a resource of another file of the run under `label`: the
/// values it leaves open are that file's (a nested stack's resources are
/// resolved with their scope already, see [`Context::scope`]).
pub fn foreign_resource(r: &ResolvedResource, label: &str) -> ResolvedResource {
    let mut out = prefixed_resource(r, label);
    out.properties.open_under(label);
    if let Some(init) = &mut out.init {
        init.open_under(label);
    }
    if let crate::resolve::Existence::Unknown(u) = &mut out.exists
        && let Some(o) = &mut u.open
    {
        o.under(label);
    }
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
        // what it leaves open is declared in the exporting file
        v.open_under(label);
        out.push(Export { name: pattern, value: v, label: label.to_string() });
    }
    out
}

/// The outputs of `t`, deployed as stack `stack`, resolved in `ctx`, for
/// `Fn::GetStackOutput` in the other templates of the run: values under
/// `label`. Outputs whose `Condition` is false do not exist.
pub fn stack_outputs(t: &Template<'_>, ctx: &Context, label: &str, stack: &str, base: &Resolved) -> Vec<StackOutput> {
    let mut out = Vec::new();
    for o in &t.outputs {
        let Some(value) = o.node.get("Value") else { continue };
        if let Some(cond) = o.node.get("Condition").and_then(|c| c.as_str())
            && base.conditions.iter().any(|(n, v)| n == cond && *v == Some(false))
        {
            continue;
        }
        let mut v = resolve_node(t, ctx, value);
        prefix(&mut v, label);
        out.push(StackOutput {
            stack: stack.to_string(),
            region: ctx.region.clone(),
            output: o.name.to_string(),
            value: v,
            label: Some(label.to_string()),
        });
    }
    out
}

/// The outputs of the deployed stacks the account state describes
/// (`describe-stacks`, SPEC §7), for `Fn::GetStackOutput`: those of the
/// stacks in `region` (by the region of their `StackId`; a stack without
/// one is taken as the state's files place it) that no template of the run
/// stands for (`in_run`: a template linted with the others is what the
/// reference reads once it is deployed). A deleted stack has no outputs.
pub fn deployed_outputs(state: &crate::state::RegionState<'_>, region: &str, in_run: &[&str]) -> Vec<StackOutput> {
    let mut out = Vec::new();
    for s in state.stacks() {
        let stack = &s.value;
        if in_run.contains(&stack.stack_name.as_str())
            || stack.region().is_some_and(|r| r != region)
            || stack.stack_status.as_deref() == Some("DELETE_COMPLETE")
        {
            continue;
        }
        for o in &stack.outputs {
            let (Some(key), Some(value)) = (&o.output_key, &o.output_value) else { continue };
            out.push(StackOutput {
                stack: stack.stack_name.clone(),
                region: region.to_string(),
                output: key.clone(),
                value: RNode::new(Span::default(), Val::Str(value.clone())),
                label: None,
            });
        }
    }
    out
}

/// The stack name a template stands for when nothing names it: its file
/// name up to the first dot (`network.yaml`, `NetworkStack.template.json`:
/// stack names have no dots).
pub fn stem_stack_name(path: &str) -> String {
    let name = Path::new(path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.to_string());
    name.split('.').next().unwrap_or_default().to_string()
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
    pub findings: Vec<Finding>,
}

/// How far nested stacks are followed: levels below the template named on
/// the command line, and files in all (a template cannot make privnet-lint
/// read more than this, whatever it nests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Levels of nesting followed.
    pub depth: usize,
    /// Nested templates read for one top-level template.
    pub files: usize,
}

/// CloudFormation allows nesting at most five levels deep in practice;
/// privnet-lint follows four below the named template and 64 files in all.
pub const BOUNDS: Bounds = Bounds { depth: 4, files: 64 };

/// The metadata key where the CDK names a resource's asset file, relative
/// to the cloud assembly folder.
pub const ASSET_PATH: &str = "aws:asset:path";

/// The nested template a CDK `AWS::CloudFormation::Stack` resource names
/// in its metadata (`aws:asset:path`, with `aws:asset:property:
/// TemplateURL`), and where that name is. Only stack resources are asked:
/// on a Lambda function the same key names a folder of code, which is
/// never read.
pub fn asset_path<'d>(r: &crate::template::Resource<'d>) -> Option<(&'d str, Span)> {
    if r.ty != "AWS::CloudFormation::Stack" {
        return None;
    }
    let m = r.metadata?;
    if m.get("aws:asset:property").and_then(|p| p.as_str()).is_some_and(|p| p != "TemplateURL") {
        return None;
    }
    let path = m.get(ASSET_PATH)?;
    Some((path.as_str()?, path.span))
}

/// A `TemplateURL` that names a local file (not S3, HTTP, or a value known
/// only at deploy time), as written.
pub fn local_reference(url: &str) -> Option<&str> {
    let u = url.trim();
    if u.is_empty() || u.contains("://") || u.starts_with("s3:") || u.contains("${") || u.starts_with("http") {
        return None;
    }
    Some(u)
}

/// Resolves `t` and the nested stacks it declares with a local
/// `TemplateURL`, within [`BOUNDS`], merging each child's resources under
/// its stack's logical ID and replacing `!GetAtt Stack.Outputs.X` with the
/// child's output. Every file is opened through `root`
/// ([`ProjectRoot::read`]): a reference it refuses, or one past the bounds,
/// is a PN009 finding on the `TemplateURL`, and nothing of the target is
/// read. `children` lists every nested template at every level.
pub fn resolve_with_children(
    t: &Template<'_>,
    ctx: &Context,
    path: &Path,
    root: &ProjectRoot,
) -> (Resolved, Vec<Child>) {
    let mut budget = BOUNDS.files;
    let (mut resolved, children, refused) = follow(t, ctx, path, root, BOUNDS.depth, &mut budget);
    resolved.findings.extend(refused);
    (resolved, children)
}

/// One level of [`resolve_with_children`]: the template resolved with its
/// descendants merged, every descendant, and the findings about this
/// template's own `TemplateURL`s.
fn follow(
    t: &Template<'_>,
    ctx: &Context,
    path: &Path,
    root: &ProjectRoot,
    depth: usize,
    budget: &mut usize,
) -> (Resolved, Vec<Child>, Vec<Finding>) {
    let mut resolved = resolve(t, ctx);
    let mut children = Vec::new();
    let mut refused = Vec::new();
    let stacks: Vec<(String, String, Span, Option<RNode>)> = resolved
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::CloudFormation::Stack" && r.exists != crate::resolve::Existence::No)
        .filter_map(|r| {
            let params = r.prop("Parameters").cloned();
            // the CDK's nested stacks: the template file next to the
            // parent's, named by the resource's asset metadata; the
            // TemplateURL is the S3 copy `cdk deploy` uploads
            if let Some((file, span)) = t.resource(&r.id).and_then(asset_path) {
                return Some((r.id.clone(), file.to_string(), span, params));
            }
            let url = r.prop("TemplateURL")?;
            let url = local_reference(url.text()?).map(str::to_string).map(|u| (u, url.span))?;
            Some((r.id.clone(), url.0, url.1, params))
        })
        .collect();
    for (id, reference, span, params) in stacks {
        let reference = reference.as_str();
        let not_followed = |why: String| {
            Finding::new(Code::PN009, Some(span), format!("nested stack {id}: `{reference}` was not read: {why}"))
                .on(&id)
                .fix(
                    "privnet-lint reads only files inside the project root (the git work tree of what you name on the command line). \
                     Name the nested template on the command line to lint it on its own, or move it into the repository.",
                )
        };
        if depth == 0 {
            refused.push(not_followed(format!(
                "nested stacks are followed {} levels deep, and this one is deeper; what it declares is not analyzed",
                BOUNDS.depth
            )));
            continue;
        }
        if *budget == 0 {
            refused.push(not_followed(format!(
                "one template may pull in at most {} nested templates, and this one is past that; what it declares is not analyzed",
                BOUNDS.files
            )));
            continue;
        }
        let file = match root.read(path, reference) {
            Ok(f) => f,
            // a missing local child is the usual state of a template linted
            // without its packaging folder: it stays outside the run, as before
            Err(Refusal::Missing) => continue,
            Err(why) => {
                refused.push(not_followed(format!("{why}; what it declares is not analyzed")));
                continue;
            }
        };
        *budget -= 1;
        let text: Arc<str> = Arc::from(source::strip_bom(&file.text));
        let shown = file.shown.display().to_string();
        let doc = source::parse(Some(&shown), &text);
        let mut findings = doc.findings.clone();
        let Some(root_node) = doc.root.as_ref() else {
            children.push(empty_child(&id, shown, text, ctx, findings));
            continue;
        };
        let expansion = crate::template::language_extensions::expand(root_node, &given(&params));
        let (ct, structure) = match Template::expanded(root_node, &expansion) {
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
        child_ctx.scope = if ctx.scope.is_empty() { id.clone() } else { labelled(&ctx.scope, &id) };
        child_ctx.parameters.clear();
        child_ctx.parameter_values.clear();
        if let Some(map) = params.as_ref().and_then(RNode::as_map) {
            for e in map {
                child_ctx.parameter_values.insert(e.key.clone(), passed_down(e.value.clone()));
            }
        }
        let (child, grandchildren, child_refused) = follow(&ct, &child_ctx, &file.shown, root, depth - 1, budget);
        findings.extend(child_refused);
        let mut outputs = Vec::new();
        for o in &ct.outputs {
            if let Some(v) = o.node.get("Value") {
                let mut value = resolve_node(&ct, &child_ctx, v);
                prefix(&mut value, &id);
                outputs.push((o.name.to_string(), value));
            }
        }
        for r in &child.resources {
            resolved.resources.push(prefixed_resource(r, &id));
        }
        substitute_outputs(&mut resolved, &id, &outputs);
        children.push(Child { label: id.clone(), path: shown, text, resolved: child, outputs, findings });
        // the grandchildren's resources are already in `child` under their
        // labels; their files are reported under `id/label`
        for mut g in grandchildren {
            g.label = labelled(&id, &g.label);
            children.push(g);
        }
    }
    (resolved, children, refused)
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

fn empty_child(id: &str, path: String, text: Arc<str>, ctx: &Context, findings: Vec<Finding>) -> Child {
    let resolved = Resolved {
        ctx: ctx.clone(),
        resources: Vec::new(),
        references: Vec::new(),
        conditions: Vec::new(),
        findings: Vec::new(),
        imported: Vec::new(),
        parameter_uses: Vec::new(),
        rewritten: false,
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
