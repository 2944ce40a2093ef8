//! `Fn::ImportValue` against the exports of the other templates of the run,
//! then against the account's (`list-exports` in `--account-state`).
//!
//! A name known in full matches an export whose `${AWS::StackName}` part
//! (`*` in [`Export::name`](super::Export)) stands for any stack name. A
//! name built from a stack-name parameter that has no value (widdix's
//! `!Sub '${ParentVPCStack}-SubnetAPrivate'`) is bound when exactly one
//! template of the run exports every name of that shape the parameter is
//! used for: the parameter's value is then that stack's name. Two candidates
//! stay unknown, naming both.

use std::collections::BTreeSet;

use super::value::{Open, ParentStack, Unknown, Val};
use super::{Export, Resolver};
use crate::finding::{Code, Finding};
use crate::source::{Node, Span, Value};

/// Marks a stack-name parameter's place in an import name while the name is
/// matched against exports (never part of a value the analysis sees).
const MARK: char = '\u{1}';

/// What a stack-name parameter without a value was bound to.
#[derive(Clone, Debug)]
pub(super) enum Binding {
    /// The one template of the run that exports every name the parameter's
    /// imports need: its label, and those names.
    Bound(String, Vec<String>),
    /// Several templates export every name of that shape.
    Ambiguous(Vec<String>),
    /// Templates export some of the names but none all of them: each with
    /// the names it lacks.
    Incomplete(Vec<(String, Vec<String>)>),
    /// No template of the run exports a name of that shape.
    None,
}

/// True when the export name pattern `pattern` (`*` for the exporting
/// stack's name) gives `name`. A stack name is 1 to 128 letters, digits and
/// hyphens, starting with a letter (CreateStack, `StackName`:
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html>);
/// export names are compared exactly.
pub fn export_matches(pattern: &str, name: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else { return pattern == name };
    let Some(after) = name.strip_prefix(head) else { return false };
    let stack = |s: &str| {
        s.len() <= 128
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    // every split of `after` into a stack name and the rest of the pattern
    (1..=after.len().min(128))
        .filter(|&i| after.is_char_boundary(i))
        .any(|i| stack(&after[..i]) && export_matches(rest, &after[i..]))
}

/// The distinct labels of `exports` in order of first appearance.
fn labels_of<'e>(exports: impl Iterator<Item = &'e Export>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in exports {
        if !out.contains(&e.label) {
            out.push(e.label.clone());
        }
    }
    out
}

/// `a`, `a and b`, `a, b and c`: every item, for messages.
pub(crate) fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl<'d> Resolver<'_, 'd> {
    /// The exports of the other templates of the run.
    fn others<'e>(&self, exports: &'e [Export]) -> impl Iterator<Item = &'e Export> + use<'e, '_, 'd> {
        exports.iter().filter(|e| e.label != self.ctx.label)
    }

    /// `Fn::ImportValue`: the exported value when one template of the run
    /// exports the name, else the import itself (unknown until deployment).
    pub(super) fn import_value(&mut self, arg: &'d Node, span: Span) -> Val {
        let v = self.value(arg);
        if let Some(name) = v.text() {
            let name = name.to_string();
            if let Some(val) = self.export(&name, span) {
                return val;
            }
            return self.account_export(&name, span).unwrap_or(Val::Import(Some(name), span));
        }
        // a name built from a stack-name parameter without a value
        let Some((parameter, shape)) = self.import_shape(arg) else {
            return Val::Import(v.pattern_text(), span);
        };
        if !self.ctx.exports.is_empty()
            && let Some(bound) = self.import_by_stack_parameter(&parameter, &shape, span)
        {
            return bound;
        }
        let shown = shape.replace('*', &format!("${{{parameter}}}"));
        let reason = format!(
            "`Fn::ImportValue {shown}`: parameter `{parameter}` has no value and names the stack it reads from, and no template of this run exports `{}`",
            shape.replace('*', "${AWS::StackName}")
        );
        self.parent_stack(&parameter, shown.clone(), reason, span, Vec::new(), Vec::new())
            .unwrap_or(Val::Import(Some(shown), span))
    }

    /// An import left open by stack-name parameter `parameter`: one value
    /// decides every import built from it ([`Open::ParentStack`]).
    fn parent_stack(
        &self,
        parameter: &str,
        import: String,
        reason: String,
        span: Span,
        exporters: Vec<String>,
        lacking: Vec<String>,
    ) -> Option<Val> {
        let p = self.t.parameter(parameter)?;
        let open = Open::ParentStack(Box::new(ParentStack {
            parameter: parameter.to_string(),
            declared: p.span,
            scope: self.ctx.scope.clone(),
            import,
            exporters,
            lacking,
        }));
        Some(Val::Unknown(Unknown::decided_by(reason, span, open)))
    }

    /// The value of the account's export `name` (`list-exports` in the
    /// account state), when no template of the run exports it. A state
    /// that lists exports but not this one contradicts the import: the
    /// stack fails to create ("No export named … found"; PN003, SPEC §7).
    fn account_export(&mut self, name: &str, span: Span) -> Option<Val> {
        let state = self.ctx.account_state.as_ref()?;
        let region = state.region(&self.ctx.region);
        if let Some(export) = region.export(name) {
            return Some(match &export.value.value {
                Some(v) => Val::Str(v.clone()),
                None => Val::Unknown(Unknown::new(format!("export `{name}` has no value in the account state"), span)),
            });
        }
        if !region.has(crate::state::Kind::Exports) {
            return None;
        }
        let why = format!(
            "`Fn::ImportValue {name}`: the account's exports (`aws cloudformation list-exports` in the account state) have no export named `{name}` in {}: the stack fails to create (No export named {name} found)",
            self.ctx.region
        );
        if self.record {
            let mut f = Finding::new(Code::PN003, Some(span), why).fix(format!(
                "Deploy the stack that exports `{name}` first (in {}), or import an export that exists (`aws cloudformation list-exports`).",
                self.ctx.region
            ));
            if let Some(r) = self.t.resources.get(self.current) {
                f = f.on(r.id);
            }
            self.findings.push(f);
        }
        Some(Val::Unknown(Unknown::new(
            format!("`Fn::ImportValue {name}` names no export of the account (PN003)"),
            span,
        )))
    }

    /// The value of the one export of the run whose name matches `name`; an
    /// unknown naming the templates when several export it.
    fn export(&mut self, name: &str, span: Span) -> Option<Val> {
        let exports = self.ctx.exports.clone();
        let found: Vec<&Export> = self.others(&exports).filter(|e| export_matches(&e.name, name)).collect();
        let labels = labels_of(found.iter().copied());
        match labels.len() {
            0 => None,
            1 => {
                let export = found[0];
                if !self.imported.contains(&export.label) {
                    self.imported.push(export.label.clone());
                }
                Some(export.value.val.clone())
            }
            _ => Some(Val::Unknown(Unknown::decided_by(
                format!(
                    "`Fn::ImportValue {name}` matches exports of {} linted in this run: which one it reads depends on the stack names they are deployed with; lint this template with only one of them",
                    listed(&labels)
                ),
                span,
                Open::Exporters { name: name.to_string(), templates: labels },
            ))),
        }
    }

    /// An import whose name is built from exactly one stack-name parameter
    /// without a value (and otherwise known), with the export name shape
    /// (`*-SubnetAPrivate`) it asks for: `(parameter, shape)`.
    fn import_shape(&mut self, arg: &'d Node) -> Option<(String, String)> {
        let saved = (
            std::mem::replace(&mut self.record, false),
            std::mem::replace(&mut self.marks, true),
            self.findings.len(),
            self.imported.len(),
        );
        let v = self.value(arg);
        self.record = saved.0;
        self.marks = saved.1;
        self.findings.truncate(saved.2);
        self.imported.truncate(saved.3);
        let text = v.text()?;
        let mut pieces = text.split(MARK);
        let mut shape = pieces.next()?.to_string();
        let mut parameter: Option<&str> = None;
        // pieces alternate: parameter name, literal text, parameter name, …
        while let (Some(p), Some(lit)) = (pieces.next(), pieces.next()) {
            if parameter.is_some_and(|q| q != p) {
                return None;
            }
            parameter = Some(p);
            shape.push('*');
            shape.push_str(lit);
        }
        Some((parameter?.to_string(), shape))
    }

    /// What the stack-name parameter `name` binds to: the one template of
    /// the run that exports every name the parameter builds in the imports
    /// this region and parameter set evaluate (a stack that lacks one fails
    /// the importing stack: "No export named …").
    fn stack_binding(&mut self, name: &str) -> Binding {
        if let Some(b) = self.bindings.get(name) {
            return b.clone();
        }
        let t = self.t;
        let mut imports: Vec<&'d Node> = Vec::new();
        for r in &t.resources {
            let live = match r.condition {
                Some((c, _)) => self.condition(c) != Some(false),
                None => true,
            };
            if live {
                self.collect_imports(r.node, &mut imports);
            }
        }
        for o in &t.outputs {
            self.collect_imports(o.node, &mut imports);
        }
        let exports = self.ctx.exports.clone();
        let mut shapes: BTreeSet<String> = BTreeSet::new();
        for arg in imports {
            if let Some((p, shape)) = self.import_shape(arg)
                && p == name
            {
                shapes.insert(shape);
            }
        }
        // the templates exporting some of the names, and those exporting all
        let some = labels_of(self.others(&exports).filter(|e| shapes.contains(&e.name)));
        let all: Vec<String> = some
            .iter()
            .filter(|l| shapes.iter().all(|s| self.others(&exports).any(|e| e.label == **l && e.name == *s)))
            .cloned()
            .collect();
        let binding = match (all.as_slice(), some.as_slice()) {
            ([one], _) => Binding::Bound(one.clone(), shapes.into_iter().collect()),
            ([_, _, ..], _) => Binding::Ambiguous(all),
            ([], []) => Binding::None,
            ([], partial) => {
                let missing = |l: &String| -> Vec<String> {
                    shapes
                        .iter()
                        .filter(|s| !self.others(&exports).any(|e| e.label == *l && e.name == **s))
                        .cloned()
                        .collect()
                };
                Binding::Incomplete(partial.iter().map(|l| (l.clone(), missing(l))).collect())
            }
        };
        self.bindings.insert(name.to_string(), binding.clone());
        binding
    }

    /// The arguments of the `Fn::ImportValue`s under `node` that this
    /// region and parameter set evaluate (an undecided `Fn::If` keeps both
    /// branches).
    fn collect_imports(&mut self, node: &'d Node, out: &mut Vec<&'d Node>) {
        if let Some((name, entry)) = node.as_intrinsic() {
            match name {
                "Fn::ImportValue" => {
                    out.push(&entry.value);
                    return;
                }
                "Fn::If" => {
                    if let Some([cond, yes, no]) = entry.value.as_seq().and_then(|s| <&[Node; 3]>::try_from(s).ok()) {
                        match cond.as_str().and_then(|c| self.condition(c)) {
                            Some(true) => self.collect_imports(yes, out),
                            Some(false) => self.collect_imports(no, out),
                            None => {
                                self.collect_imports(yes, out);
                                self.collect_imports(no, out);
                            }
                        }
                        return;
                    }
                }
                _ => {}
            }
        }
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|i| self.collect_imports(i, out)),
            Value::Map(entries) => entries.iter().for_each(|e| self.collect_imports(&e.value, out)),
            _ => {}
        }
    }

    /// `Fn::ImportValue` of a name built from a stack-name parameter
    /// without a value: the export of the template it binds to (with a
    /// PN010 note, once per parameter), an unknown naming the candidates
    /// when several templates fit, `None` when the name is not of that kind.
    fn import_by_stack_parameter(&mut self, parameter: &str, shape: &str, span: Span) -> Option<Val> {
        let shown = shape.replace('*', &format!("${{{parameter}}}"));
        let stack = |s: &str| s.replace('*', "${AWS::StackName}");
        match self.stack_binding(parameter) {
            Binding::None => None,
            Binding::Incomplete(partial) => {
                let lacks: Vec<String> = partial
                    .iter()
                    .map(|(l, missing)| {
                        let names: Vec<String> = missing.iter().map(|m| format!("`{}`", stack(m))).collect();
                        format!("{l} lacks {}", listed(&names))
                    })
                    .collect();
                let reason = format!(
                    "`Fn::ImportValue {shown}`: parameter `{parameter}` has no value and names a stack, and no template of this run exports every name it is used for ({}), so it names none of them",
                    lacks.join("; ")
                );
                self.parent_stack(parameter, shown, reason, span, Vec::new(), lacks)
            }
            Binding::Ambiguous(labels) => {
                let reason = format!(
                    "`Fn::ImportValue {shown}`: parameter `{parameter}` has no value and names a stack, and {} templates of this run export names of that shape (`{}`): {}; which one it names is open, so lint this template with only the one it is deployed with",
                    labels.len(),
                    stack(shape),
                    listed(&labels),
                );
                self.parent_stack(parameter, shown, reason, span, labels, Vec::new())
            }
            Binding::Bound(label, shapes) => {
                let exports = self.ctx.exports.clone();
                let export = exports.iter().find(|e| e.label == label && e.name == shape)?;
                if !self.imported.contains(&label) {
                    self.imported.push(label.clone());
                }
                if !self.noted.iter().any(|n| n == parameter) {
                    self.noted.push(parameter.to_string());
                    self.findings.push(self.binding_note(parameter, &label, &shapes));
                }
                Some(export.value.val.clone())
            }
        }
    }

    /// PN010 at the parameter's declaration.
    fn binding_note(&self, parameter: &str, label: &str, shapes: &[String]) -> Finding {
        let names: Vec<String> = shapes.iter().map(|s| format!("`{}`", s.replace('*', "${AWS::StackName}"))).collect();
        let span = self.t.parameter(parameter).map(|p| p.span);
        Finding::new(
            Code::PN010,
            span,
            format!(
                "parameter `{parameter}` has no value and names the stack `Fn::ImportValue` reads from; {label} is the only template of this run that exports {}, so it is analyzed as that stack ({parameter} = its stack name) and its resources join this template's model",
                listed(&names)
            ),
        )
        .fix(format!(
            "Nothing to change if {label} is the stack you deploy this template with. If it is another one, lint this template with that stack's template instead, or pass `--parameter {parameter}=<stack name>`."
        ))
    }

    /// The value of a stack-name parameter while an import name is matched:
    /// its place marked, when it is a `String` without a value.
    pub(super) fn marked_parameter(&self, p: &crate::template::Parameter<'d>) -> Option<Val> {
        (self.marks
            && p.ty == "String"
            && p.default.is_none()
            && !self.ctx.parameters.contains_key(p.name)
            && !self.ctx.parameter_values.contains_key(p.name))
        .then(|| Val::Str(format!("{MARK}{}{MARK}", p.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::export_matches;

    #[test]
    fn a_star_is_one_stack_name() {
        assert!(export_matches("*-SubnetsPrivate", "vpc-SubnetsPrivate"));
        assert!(export_matches("*-SubnetsPrivate", "my-vpc-2-SubnetsPrivate"));
        assert!(!export_matches("*-SubnetsPrivate", "-SubnetsPrivate"));
        assert!(!export_matches("*-SubnetsPrivate", "1vpc-SubnetsPrivate"));
        assert!(!export_matches("*-SubnetsPrivate", "vpc_x-SubnetsPrivate"));
        assert!(!export_matches("*-SubnetsPrivate", "vpc-subnetsprivate"));
        assert!(export_matches("net:*:Vpc", "net:prod:Vpc"));
        assert!(export_matches("VpcId", "VpcId"));
        assert!(!export_matches("VpcId", "VpcIds"));
    }
}
