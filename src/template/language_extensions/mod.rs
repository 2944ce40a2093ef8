//! The `AWS::LanguageExtensions` transform's loops, expanded the way
//! CloudFormation expands them before it reads the template: every
//! `Fn::ForEach` in `Resources`, `Outputs` and `Conditions` (resource
//! properties included) becomes the entries it makes, so the rest of the
//! pipeline sees an ordinary template.
//!
//! What CloudFormation does, and where it says so:
//!
//! - The transform is declared at the top level with the literal name
//!   `AWS::LanguageExtensions` (a string or an item of the `Transform`
//!   list), never through a parameter
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-languageextensions.html>).
//! - `Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]`;
//!   `${Identifier}` and `&{Identifier}` (the value without its
//!   non-alphanumeric characters) in the OutputKey; the collection is a list,
//!   or a `Ref` to a `CommaDelimitedList` parameter; loops nest; they are
//!   allowed in `Conditions`, `Outputs` and `Resources` (resource properties
//!   included) and in no other section; quotas apply to the transformed
//!   template
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html>).
//! - In an OutputValue the identifier is used as `!Ref Identifier` or inside
//!   `!Sub`, and `Ref`/`Fn::GetAtt` may take a function such as
//!   `!Sub 'S3Bucket${Identifier}'`
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach-example-resource.html>,
//!   <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach-example-outputs.html>).
//! - The design (RFC 0009,
//!   <https://github.com/aws-cloudformation/cfn-language-discussion/blob/main/RFCs/0009-Fn::ForEach.md>):
//!   only OutputKeys are an implicit `Fn::Sub` (a plain string value keeps
//!   its `${…}`); an identifier or loop name must not also be a parameter,
//!   nested loops need distinct identifiers, a generated key must not exist
//!   already in the mapping it joins, and the collection must be known before
//!   any resource is created.
//!
//! Generated nodes keep the spans of the loop body they were copied from:
//! a finding on `InstanceA` points into the loop, and its [`Origin`] says
//! which iteration made it. `Fn::Length`, `Fn::ToJsonString`,
//! `Fn::FindInMap` with `DefaultValue` and functions in `DeletionPolicy` are
//! values, evaluated for each region by the resolver.

mod collection;
mod substitute;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use collection::{Eval, Why};
use substitute::{simplify, substitute};

use crate::finding::{Code, Finding};
use crate::source::{Entry, MAX_ALIAS_NODES, Node, Style, Value};

/// The transform's name, as `Transform` must spell it.
pub const TRANSFORM: &str = "AWS::LanguageExtensions";

const LOOP: &str = "Fn::ForEach::";

/// Loops stop once they have made this many nodes (the budget YAML aliases
/// get): a few nested loops over long lists would otherwise multiply.
pub const MAX_NODES: usize = MAX_ALIAS_NODES;

/// CloudFormation's quota of resources in one template; it applies to the
/// transformed template (CloudFormation quotas,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>).
pub const RESOURCE_QUOTA: usize = 500;

/// Loops stop making resources past this many: four times what
/// CloudFormation accepts.
pub const MAX_RESOURCES: usize = 4 * RESOURCE_QUOTA;

/// Parameter values of the run: name → value (a list comma-separated), or
/// `None` when a value is given but known only at deploy time (an
/// attribute a parent stack passes).
pub type Given = BTreeMap<String, Option<String>>;

/// The parameter values the user gave, as [`Given`].
pub fn given(parameters: &BTreeMap<String, String>) -> Given {
    parameters.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect()
}

/// One loop iteration: the loop and the value of its identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iteration {
    /// `Fn::ForEach::Instances`.
    pub loop_key: String,
    /// The identifier, `InstanceName`.
    pub identifier: String,
    /// Its value in this iteration, `A`.
    pub value: String,
}

/// The iterations that made a generated entry, outermost loop first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin(pub Vec<Iteration>);

impl fmt::Display for Origin {
    /// `Fn::ForEach::Instances, A` (nested loops joined with `; `).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, it) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}, {}", it.loop_key, it.value)?;
        }
        Ok(())
    }
}

/// A template's tree after the transform's loops.
#[derive(Debug, Default)]
pub struct Expansion {
    /// The expanded tree; `None` when nothing changed.
    pub root: Option<Node>,
    /// Where each resource made by a loop comes from, by logical ID.
    pub origins: HashMap<String, Origin>,
    /// PN004/PN008 for malformed or misplaced loops, PN005 for loops whose
    /// collection is not known.
    pub findings: Vec<Finding>,
    /// True when a loop was left out: its resources are missing.
    pub partial: bool,
}

/// True for a `Fn::ForEach::Name` key.
pub fn is_loop(key: &str) -> bool {
    key.starts_with(LOOP)
}

/// True when `Transform` names `AWS::LanguageExtensions`.
pub fn declared(root: &Node) -> bool {
    match root.get("Transform").map(|t| &t.value) {
        Some(Value::String(s)) => s == TRANSFORM,
        Some(Value::Seq(items)) => items.iter().any(|i| i.as_str() == Some(TRANSFORM)),
        _ => false,
    }
}

/// The sections loops may be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Resources,
    Outputs,
    Conditions,
}

impl Section {
    fn of(name: &str) -> Option<Section> {
        match name {
            "Resources" => Some(Section::Resources),
            "Outputs" => Some(Section::Outputs),
            "Conditions" => Some(Section::Conditions),
            _ => None,
        }
    }
    /// Singular, for messages.
    fn noun(self) -> &'static str {
        match self {
            Section::Resources => "resource",
            Section::Outputs => "output",
            Section::Conditions => "condition",
        }
    }
}

/// Expands the loops of `root` with the run's parameter values. Without the
/// transform nothing changes, and each loop is reported: CloudFormation
/// reads `Fn::ForEach::X` as a logical ID that is not alphanumeric.
pub fn expand(root: &Node, given: &Given) -> Expansion {
    let mut out = Expansion::default();
    if !has_loop(root) {
        return out;
    }
    if !declared(root) {
        // another transform (SAM, a macro) may rewrite the template first
        if root.get("Transform").is_none() {
            undeclared(root, &mut out.findings);
        }
        return out;
    }
    let Some(entries) = root.as_map() else { return out };
    let mut x = Expander {
        eval: Eval::new(root, given),
        findings: Vec::new(),
        origins: HashMap::new(),
        made: 0,
        resources: 0,
        stopped: false,
        partial: false,
        first_resource_loop: None,
    };
    let mut top = Vec::with_capacity(entries.len());
    for e in entries {
        let value = match (Section::of(&e.key), e.value.as_map()) {
            (Some(section), Some(items)) => {
                let mut made = Vec::with_capacity(items.len());
                x.mapping(items, &[], Some(section), &mut made);
                Node { span: e.value.span, style: e.value.style, value: Value::Map(made) }
            }
            // a section of the wrong shape is PN008 already
            (Some(_), None) => e.value.clone(),
            (None, _) => {
                x.misplaced(&e.key, &e.value);
                e.value.clone()
            }
        };
        top.push(Entry { key: e.key.clone(), key_span: e.key_span, value });
    }
    let expanded = Node { span: root.span, style: root.style, value: Value::Map(top) };
    if let Some(span) = x.first_resource_loop {
        let count = expanded.get("Resources").and_then(Node::as_map).map_or(0, <[Entry]>::len);
        if count > RESOURCE_QUOTA && !x.stopped {
            x.findings.push(
                Finding::new(
                    Code::PN008,
                    Some(span),
                    format!(
                        "after its `Fn::ForEach` loops the template declares {count} resources; CloudFormation allows \
                         {RESOURCE_QUOTA}, and the quota applies to the transformed template"
                    ),
                )
                .fix("Split the resources across nested stacks, or iterate over shorter collections."),
            );
        }
    }
    out.root = Some(expanded);
    out.origins = x.origins;
    out.findings = x.findings;
    out.partial = x.partial;
    out
}

/// Does any mapping key under `node` start a loop? (The recursion is
/// bounded by the parser's `MAX_DEPTH`.)
fn has_loop(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| is_loop(&e.key) || has_loop(&e.value)),
        Value::Seq(items) => items.iter().any(has_loop),
        _ => false,
    }
}

/// PN008 for loops in a template without the transform.
fn undeclared(root: &Node, findings: &mut Vec<Finding>) {
    fn walk(node: &Node, section: Section, top: bool, findings: &mut Vec<Finding>) {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    if is_loop(&e.key) {
                        let what = if top {
                            format!(
                                "CloudFormation reads it as {} whose logical ID `{}` is not alphanumeric",
                                match section {
                                    Section::Outputs => "an output",
                                    Section::Resources => "a resource",
                                    Section::Conditions => "a condition",
                                },
                                e.key
                            )
                        } else {
                            format!("CloudFormation does not know the function `{}`", e.key)
                        };
                        findings.push(
                            Finding::new(
                                Code::PN008,
                                Some(e.key_span),
                                format!(
                                    "`{}` is a loop of the `{TRANSFORM}` transform, which this template does not \
                                     declare: {what}",
                                    e.key
                                ),
                            )
                            .fix(format!("Add `Transform: {TRANSFORM}` at the top level of the template.")),
                        );
                    } else {
                        walk(&e.value, section, false, findings);
                    }
                }
            }
            Value::Seq(items) => items.iter().for_each(|i| walk(i, section, false, findings)),
            _ => {}
        }
    }
    for e in root.as_map().unwrap_or_default() {
        if let Some(section) = Section::of(&e.key) {
            walk(&e.value, section, true, findings);
        }
    }
}

/// An identifier bound by an enclosing loop.
#[derive(Clone, Debug)]
struct Binding<'a> {
    loop_key: &'a str,
    identifier: &'a str,
    value: String,
}

struct Expander<'a> {
    eval: Eval<'a>,
    findings: Vec<Finding>,
    origins: HashMap<String, Origin>,
    /// Nodes made inside loops so far.
    made: usize,
    /// Resources made by loops so far.
    resources: usize,
    /// A budget ran out: no loop makes anything more.
    stopped: bool,
    partial: bool,
    first_resource_loop: Option<crate::source::Span>,
}

impl<'a> Expander<'a> {
    /// A copy of `node` with the loops inside it expanded and, inside a loop,
    /// its identifiers substituted.
    fn node(&mut self, node: &'a Node, scope: &[Binding<'a>]) -> Node {
        if !scope.is_empty() {
            self.made += 1;
        }
        let value = match &node.value {
            Value::Seq(items) => Value::Seq(items.iter().map(|i| self.node(i, scope)).collect()),
            Value::Map(entries) => {
                let mut made = Vec::with_capacity(entries.len());
                self.mapping(entries, scope, None, &mut made);
                Value::Map(made)
            }
            other => other.clone(),
        };
        let copy = Node { span: node.span, style: node.style, value };
        if scope.is_empty() { copy } else { simplify(copy, scope) }
    }

    /// The entries of a mapping, its loops replaced by what they make.
    /// `section` is set for the top level of `Resources`, `Outputs` and
    /// `Conditions`, where each entry is a logical ID.
    fn mapping(&mut self, entries: &'a [Entry], scope: &[Binding<'a>], section: Option<Section>, out: &mut Vec<Entry>) {
        // keys the mapping writes itself, which a loop must not make again
        let mut taken: HashSet<String> =
            entries.iter().filter(|e| !is_loop(&e.key)).map(|e| substitute(&e.key, scope)).collect();
        for e in entries {
            match e.key.strip_prefix(LOOP) {
                Some(name) => self.each(e, name, scope, section, &mut taken, out),
                None => {
                    let value = self.node(&e.value, scope);
                    out.push(Entry { key: substitute(&e.key, scope), key_span: e.key_span, value });
                }
            }
        }
    }

    /// Expands one `Fn::ForEach::name` entry into `out`.
    fn each(
        &mut self,
        e: &'a Entry,
        name: &'a str,
        scope: &[Binding<'a>],
        section: Option<Section>,
        taken: &mut HashSet<String>,
        out: &mut Vec<Entry>,
    ) {
        let Some([identifier, collection, body]) = e.value.as_seq().and_then(|s| <&[Node; 3]>::try_from(s).ok()) else {
            return self.malformed(
                e.key_span,
                format!("`{}` takes `[Identifier, [Value1, ...], {{OutputKey: OutputValue}}]`", e.key),
            );
        };
        let Some(identifier_name) = identifier.as_str().filter(|s| !s.is_empty()) else {
            return self.malformed(identifier.span, format!("the identifier of `{}` must be a string", e.key));
        };
        let Some(body_entries) = body.as_map() else {
            return self.malformed(
                body.span,
                format!("the third item of `{}` must be a mapping of OutputKey: OutputValue", e.key),
            );
        };
        if let Some(outer) = scope.iter().find(|b| b.identifier == identifier_name) {
            return self.malformed(
                identifier.span,
                format!(
                    "`{}` uses the identifier `{identifier_name}` of the loop around it, `{}`",
                    e.key, outer.loop_key
                ),
            );
        }
        for (what, text, span) in [("identifier", identifier_name, identifier.span), ("loop name", name, e.key_span)] {
            if self.eval.is_parameter(text) {
                return self.malformed(span, format!("the {what} `{text}` of `{}` is also a parameter", e.key));
            }
        }
        if section == Some(Section::Resources) && self.first_resource_loop.is_none() {
            self.first_resource_loop = Some(e.key_span);
        }
        let items = match self.eval.collection(collection, scope) {
            Ok(items) => items,
            Err(Why::Unknown(reason)) => {
                self.partial = true;
                let what = match section {
                    Some(s) => format!("the {}s it makes are not analyzed", s.noun()),
                    None => "what it makes is not analyzed".to_string(),
                };
                self.findings.push(
                    Finding::new(
                        Code::PN005,
                        Some(collection.span),
                        format!("the collection of `{}` is not known before deployment: {reason}; {what}", e.key),
                    )
                    .fix("Pass the parameter values with `--parameter` so the loop can be expanded."),
                );
                return;
            }
            Err(Why::Invalid(reason)) => return self.malformed(collection.span, format!("`{}`: {reason}", e.key)),
        };
        for value in items {
            if self.stopped {
                return;
            }
            let mut inner = scope.to_vec();
            inner.push(Binding { loop_key: &e.key, identifier: identifier_name, value });
            for b in body_entries {
                if let Some(nested) = b.key.strip_prefix(LOOP) {
                    self.each(b, nested, &inner, section, taken, out);
                    continue;
                }
                if self.stopped {
                    return;
                }
                let key = substitute(&b.key, &inner);
                if !taken.insert(key.clone()) {
                    self.malformed(
                        b.key_span,
                        format!("`{}` makes `{key}` twice, or a key its mapping already has", e.key),
                    );
                    continue;
                }
                if let Some(s) = section {
                    self.logical_id(s, &key, b, &e.key);
                }
                let mut value = self.node(&b.value, &inner);
                if section == Some(Section::Resources) {
                    self.resource_condition(&mut value);
                    self.origins.insert(
                        key.clone(),
                        Origin(
                            inner
                                .iter()
                                .map(|x| Iteration {
                                    loop_key: x.loop_key.to_string(),
                                    identifier: x.identifier.to_string(),
                                    value: x.value.clone(),
                                })
                                .collect(),
                        ),
                    );
                    self.resources += 1;
                }
                out.push(Entry { key, key_span: b.key_span, value });
                self.budget(e);
            }
        }
    }

    /// Stops every loop once a budget is spent, with a finding at `e`.
    fn budget(&mut self, e: &Entry) {
        if self.stopped {
            return;
        }
        let finding = if self.resources > MAX_RESOURCES {
            Finding::new(
                Code::PN008,
                Some(e.key_span),
                format!(
                    "`{}` makes more than {MAX_RESOURCES} resources; CloudFormation allows {RESOURCE_QUOTA} per \
                     template, after the transform; the loops were not expanded further",
                    e.key
                ),
            )
            .fix("Split the resources across nested stacks, or iterate over shorter collections.")
        } else if self.made > MAX_NODES {
            Finding::new(
                Code::PN005,
                Some(e.key_span),
                format!(
                    "`{}` makes more than {MAX_NODES} nodes; the loops were not expanded further and what the rest \
                     would make is not analyzed",
                    e.key
                ),
            )
            .fix("Iterate over shorter collections, or nest fewer loops.")
        } else {
            return;
        };
        self.stopped = true;
        self.partial = true;
        self.findings.push(finding);
    }

    fn malformed(&mut self, span: crate::source::Span, message: String) {
        self.partial = true;
        self.findings.push(Finding::new(Code::PN004, Some(span), message));
    }

    /// PN008 for a made resource or output whose logical ID is not
    /// alphanumeric, which CloudFormation rejects (`&{}` strips the rest).
    fn logical_id(&mut self, section: Section, key: &str, b: &Entry, loop_key: &str) {
        if section == Section::Conditions || key.chars().all(|c| c.is_ascii_alphanumeric()) && !key.is_empty() {
            return;
        }
        let hint =
            if b.key.contains("${") { "; write `&{…}` instead of `${…}` to drop those characters" } else { "" };
        self.findings.push(
            Finding::new(
                Code::PN008,
                Some(b.key_span),
                format!(
                    "`{loop_key}` makes the {} `{key}`, whose logical ID is not alphanumeric, so CloudFormation \
                     rejects the template{hint}",
                    section.noun()
                ),
            )
            .fix("Logical IDs use only A-Z, a-z and 0-9: use `&{Identifier}` in the OutputKey."),
        );
    }

    /// The transform resolves `Condition: !FindInMap [...]` of a made
    /// resource to a condition name (or removes it for `AWS::NoValue`).
    fn resource_condition(&mut self, resource: &mut Node) {
        let Value::Map(entries) = &mut resource.value else { return };
        let Some(i) = entries.iter().position(|e| e.key == "Condition") else { return };
        let resolved = match entries[i].value.as_intrinsic() {
            Some(("Fn::FindInMap", arg)) => self.eval.find_text(&arg.value, &[]),
            _ => return,
        };
        match resolved {
            Ok(None) => {
                entries.remove(i);
            }
            Ok(Some(text)) => {
                let span = entries[i].value.span;
                entries[i].value = Node { span, style: Style::Quoted, value: Value::String(text) };
            }
            // left as written: the resolver reads only a condition name
            Err(_) => {}
        }
    }

    /// PN004 for loops outside `Resources`, `Outputs` and `Conditions`.
    fn misplaced(&mut self, section: &str, node: &Node) {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    if is_loop(&e.key) {
                        self.findings.push(
                            Finding::new(
                                Code::PN004,
                                Some(e.key_span),
                                format!(
                                    "`{}` is in the `{section}` section; CloudFormation allows `Fn::ForEach` only in \
                                     `Resources`, `Outputs` and `Conditions`",
                                    e.key
                                ),
                            )
                            .fix("Move the loop to the Resources, Outputs or Conditions section."),
                        );
                    } else {
                        self.misplaced(section, &e.value);
                    }
                }
            }
            Value::Seq(items) => items.iter().for_each(|i| self.misplaced(section, i)),
            _ => {}
        }
    }
}
