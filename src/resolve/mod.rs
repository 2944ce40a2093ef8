//! The third stage: values for one region and parameter set.
//!
//! Every intrinsic function and pseudo parameter of AWS-SEMANTICS §7 is
//! evaluated. References to resources stay symbolic (`Val::Ref`,
//! `Val::Att`); what cannot be known before deployment is a
//! `Val::Unknown` carrying the reason, never a guess. Resources whose
//! `Condition` is false do not exist; `AWS::NoValue` removes the property.

mod conditions;
mod functions;
mod imports;
pub mod value;

use std::collections::BTreeMap;

pub use imports::export_matches;
pub(crate) use imports::listed;
pub use value::{Open, Part, REntry, RNode, Unknown, Val};

use crate::finding::{Code, Finding};
use crate::source::{Node, Span, Value};
use crate::template::{Parameter, Template};

/// Account ID used for `AWS::AccountId` unless the caller sets one.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";
/// Stack name used for `AWS::StackName` unless the caller sets one.
pub const DEFAULT_STACK_NAME: &str = "privnet-lint";

/// What the template is resolved for.
#[derive(Clone, Debug)]
pub struct Context {
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::AccountId`.
    pub account_id: String,
    /// `AWS::StackName`.
    pub stack_name: String,
    /// Parameter values given by the user (they override `Default`).
    pub parameters: BTreeMap<String, String>,
    /// Parameter values passed by a parent stack (`AWS::CloudFormation::Stack`
    /// `Parameters`), which may be symbolic; they override `parameters`.
    pub parameter_values: BTreeMap<String, RNode>,
    /// Exports of the templates of the run, for `Fn::ImportValue`.
    pub exports: std::sync::Arc<Vec<Export>>,
    /// Where the template sits in the run: empty for a template named on
    /// the command line, else its nested stack's label path
    /// (`NetworkStack`, `NetworkStack/Subnets`), so that a parameter left
    /// open is reported in its own file.
    pub scope: String,
    /// The label of the template being resolved among the run's
    /// ([`Export::label`]): its own exports are not importable, since
    /// `Fn::ImportValue` returns an output "exported by another stack"
    /// (intrinsic-function-reference-importvalue.html).
    pub label: String,
    /// The deployed account (`--account-state`): its CloudFormation
    /// exports answer `Fn::ImportValue` when no template of the run does,
    /// and the network model binds the IDs it names.
    pub account_state: Option<std::sync::Arc<crate::state::AccountState>>,
    /// Outputs of the other stacks of the run (and, through this list, of
    /// deployed stacks an account state describes), for
    /// `Fn::GetStackOutput`.
    pub stack_outputs: std::sync::Arc<Vec<StackOutput>>,
}

/// An output of a stack `Fn::GetStackOutput` can read: one of another
/// template of the run, or one a deployed stack reports.
#[derive(Clone, Debug)]
pub struct StackOutput {
    /// The stack's name.
    pub stack: String,
    /// The region it is deployed in.
    pub region: String,
    /// The output's logical ID (its key in `Outputs`).
    pub output: String,
    /// Its value, with logical IDs already prefixed by `label`.
    pub value: RNode,
    /// The template of the run it comes from (its label in merged
    /// models); `None` for a deployed stack known only by its outputs.
    pub label: Option<String>,
}

/// An `Outputs.*.Export` of a template linted in the same run.
#[derive(Clone, Debug)]
pub struct Export {
    /// The export name as a pattern: `*` stands for parts known only at
    /// deploy time (`${AWS::StackName}`).
    pub name: String,
    /// The exported value, with logical IDs already prefixed by `label`.
    pub value: RNode,
    /// The template that exports it (its label in merged models).
    pub label: String,
}

impl Context {
    /// A context for `region` with the default account and stack name.
    pub fn new(region: impl Into<String>) -> Context {
        Context {
            region: region.into(),
            account_id: DEFAULT_ACCOUNT_ID.to_string(),
            stack_name: DEFAULT_STACK_NAME.to_string(),
            parameters: BTreeMap::new(),
            parameter_values: BTreeMap::new(),
            exports: std::sync::Arc::new(Vec::new()),
            scope: String::new(),
            label: String::new(),
            account_state: None,
            stack_outputs: std::sync::Arc::new(Vec::new()),
        }
    }
    /// `AWS::Partition` for the region.
    pub fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }
    /// `AWS::URLSuffix` for the region.
    pub fn url_suffix(&self) -> &'static str {
        if self.region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" }
    }
}

/// Whether a resource exists in this region and parameter set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Existence {
    /// No `Condition`, or a true one.
    Yes,
    /// Its `Condition` is false.
    No,
    /// Its `Condition` cannot be decided.
    Unknown(Unknown),
}

/// How one resource refers to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum RefKind {
    /// `Ref`.
    Ref,
    /// `Fn::GetAtt`.
    GetAtt,
    /// A `${…}` variable of `Fn::Sub`.
    Sub,
    /// `DependsOn`.
    DependsOn,
}

/// One reference from a resource to another, with the property path it is at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Index of the referring resource in the template.
    pub from: usize,
    /// Logical ID of the referred resource.
    pub to: String,
    /// How.
    pub kind: RefKind,
    /// Where in the referring resource: `Properties.SubnetIds[0]`.
    pub path: String,
    /// Where in the template.
    pub span: Span,
}

/// A `Ref` of a parameter that gave a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParameterUse {
    /// Where the `Ref` is (the span of the values it gave).
    pub at: Span,
    /// The parameter's name.
    pub name: String,
    /// Its `Type`.
    pub ty: String,
    /// Where its `Default` is, when the value is the `Default` (no value
    /// was given for it).
    pub default: Option<Span>,
}

/// A resource with its properties resolved.
#[derive(Clone, Debug)]
pub struct ResolvedResource {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is in the template.
    pub span: Span,
    /// `Type`.
    pub ty: String,
    /// Whether it exists.
    pub exists: Existence,
    /// Resolved `Properties` (a mapping; empty when absent).
    pub properties: RNode,
    /// Resolved `Metadata.AWS::CloudFormation::Init`, when present (what
    /// cfn-init downloads).
    pub init: Option<RNode>,
    /// The CDK construct path (`Metadata.aws:cdk:path`), when present.
    pub construct_path: Option<String>,
}

impl ResolvedResource {
    /// The resolved property `name`.
    pub fn prop(&self, name: &str) -> Option<&RNode> {
        self.properties.get(name)
    }
    /// The resolved property entry `name` (for its key span).
    pub fn prop_entry(&self, name: &str) -> Option<&REntry> {
        self.properties.entry(name)
    }
}

/// A template resolved for one [`Context`].
#[derive(Debug)]
pub struct Resolved {
    /// The context.
    pub ctx: Context,
    /// Every resource, in template order (those that do not exist too).
    pub resources: Vec<ResolvedResource>,
    /// Every reference between resources of existing resources (taken `Fn::If` branches only).
    pub references: Vec<Reference>,
    /// Condition values, in template order (`None` = undecidable).
    pub conditions: Vec<(String, Option<bool>)>,
    /// Region-specific findings (a `Fn::FindInMap` key missing for this region, ...).
    pub findings: Vec<Finding>,
    /// Labels of the templates whose exports `Fn::ImportValue` used.
    pub imported: Vec<String>,
    /// Every `Ref` of a parameter in the resources' properties that gave a
    /// value, in template order: where a literal came from a parameter
    /// (PN011 points at its `Default`).
    pub parameter_uses: Vec<ParameterUse>,
    /// A macro or preprocessor rewrites the template before CloudFormation
    /// reads it ([`Template::rewritten`]): its references are not the
    /// deployed template's.
    pub rewritten: bool,
}

impl Resolved {
    /// The resource with this logical ID, if it exists in this context.
    pub fn resource(&self, id: &str) -> Option<&ResolvedResource> {
        self.resources.iter().find(|r| r.id == id && r.exists != Existence::No)
    }
}

/// Resolves every resource of `t` for `ctx`.
pub fn resolve(t: &Template<'_>, ctx: &Context) -> Resolved {
    let mut r = Resolver::new(t, ctx);
    let mut resources = Vec::with_capacity(t.resources.len());
    for (i, res) in t.resources.iter().enumerate() {
        let exists = match res.condition {
            None => Existence::Yes,
            Some((name, span)) => match r.condition(name) {
                Some(true) => Existence::Yes,
                Some(false) => Existence::No,
                None => {
                    let reason =
                        format!("condition `{name}` of `{}` cannot be decided: {}", res.id, r.condition_reason(name));
                    Existence::Unknown(Unknown { reason, span, open: r.condition_open(name) })
                }
            },
        };
        r.current = i;
        let properties = match (&exists, res.properties) {
            (Existence::No, _) | (_, None) => RNode::new(res.span, Val::Map(Vec::new())),
            (_, Some(p)) => {
                r.path.clear();
                r.path.push(Seg::Key("Properties"));
                let mut v = r.value(p);
                if !matches!(v.val, Val::Map(_) | Val::Unknown(_)) {
                    v.val = Val::Map(Vec::new());
                }
                v
            }
        };
        if exists != Existence::No {
            for (dep, span) in &res.depends_on {
                if t.resource(dep).is_some() {
                    r.references.push(Reference {
                        from: i,
                        to: dep.to_string(),
                        kind: RefKind::DependsOn,
                        path: "DependsOn".to_string(),
                        span: *span,
                    });
                }
            }
        }
        if exists != Existence::No {
            r.policies(res);
        }
        let init = match (&exists, res.metadata.and_then(|m| m.get("AWS::CloudFormation::Init"))) {
            (Existence::No, _) | (_, None) => None,
            (_, Some(node)) => {
                let record = std::mem::replace(&mut r.record, false);
                let v = r.value(node);
                r.record = record;
                Some(v)
            }
        };
        resources.push(ResolvedResource {
            id: res.id.to_string(),
            span: res.span,
            ty: res.ty.to_string(),
            exists,
            properties,
            init,
            construct_path: res.construct_path.map(str::to_string),
        });
    }
    let conditions = t.conditions.iter().map(|(name, _, _)| (name.to_string(), r.condition(name))).collect();
    Resolved {
        ctx: ctx.clone(),
        resources,
        references: r.references,
        conditions,
        findings: r.findings,
        imported: r.imported,
        parameter_uses: r.parameter_uses,
        rewritten: t.rewritten(),
    }
}

/// Resolves one node of `t` (an output value, a metadata block) for `ctx`.
pub fn resolve_node(t: &Template<'_>, ctx: &Context, node: &Node) -> RNode {
    let mut r = Resolver::new(t, ctx);
    r.record = false;
    r.value(node)
}

#[derive(Clone, Copy, Debug)]
enum Seg<'d> {
    Key(&'d str),
    Index(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CondState {
    Unvisited,
    InProgress,
    Done(Option<bool>),
}

struct Resolver<'a, 'd> {
    t: &'a Template<'d>,
    ctx: &'a Context,
    conds: Vec<CondState>,
    /// Resources whose attribute is being evaluated (cycle guard).
    attr_stack: Vec<usize>,
    current: usize,
    path: Vec<Seg<'d>>,
    record: bool,
    references: Vec<Reference>,
    findings: Vec<Finding>,
    imported: Vec<String>,
    /// Stack-name parameters without a value are marked, not unknown
    /// (while an import name is matched, see `imports`).
    marks: bool,
    /// What each stack-name parameter binds to (`imports`).
    bindings: BTreeMap<String, imports::Binding>,
    /// Stack-name parameters whose binding was noted (PN010).
    noted: Vec<String>,
    parameter_uses: Vec<ParameterUse>,
}

impl<'a, 'd> Resolver<'a, 'd> {
    fn new(t: &'a Template<'d>, ctx: &'a Context) -> Self {
        Resolver {
            t,
            ctx,
            conds: vec![CondState::Unvisited; t.conditions.len()],
            attr_stack: Vec::new(),
            current: 0,
            path: Vec::new(),
            record: true,
            references: Vec::new(),
            findings: Vec::new(),
            imported: Vec::new(),
            marks: false,
            bindings: BTreeMap::new(),
            noted: Vec::new(),
            parameter_uses: Vec::new(),
        }
    }

    /// PN008 when a function in `DeletionPolicy` or `UpdateReplacePolicy`
    /// gives something that is not one of the options (intrinsic functions
    /// in policy attributes,
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/function-refs-in-policy-attributes.html>:
    /// "The intrinsic function must resolve to valid … options").
    fn policies(&mut self, res: &crate::template::Resource<'d>) {
        for (attribute, options) in crate::template::check::POLICIES {
            let Some(node) = res.node.get(attribute).filter(|n| n.as_intrinsic().is_some()) else { continue };
            let record = std::mem::replace(&mut self.record, false);
            let v = self.value(node);
            self.record = record;
            if let Some(text) = v.text()
                && !options.contains(&text)
            {
                self.findings.push(
                    Finding::new(
                        Code::PN008,
                        Some(node.span),
                        format!(
                            "`{attribute}` of `{}` is `{text}` in {}, which is not one of {}",
                            res.id,
                            self.ctx.region,
                            options.join(", ")
                        ),
                    )
                    .on(res.id)
                    .fix(format!("Make the function return one of {}.", options.join(", "))),
                );
            }
        }
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }

    fn reference(&mut self, to: &str, kind: RefKind, span: Span) {
        if self.record && self.t.resource(to).is_some() {
            let path = self.path_string();
            self.references.push(Reference { from: self.current, to: to.to_string(), kind, path, span });
        }
    }

    /// Resolves a node of the template.
    fn value(&mut self, node: &'d Node) -> RNode {
        if let Some((name, entry)) = node.as_intrinsic()
            && name != "Condition"
        {
            let val = self.function(node, name, &entry.value);
            return RNode::new(node.span, val);
        }
        let val = match &node.value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.clone()),
            Value::String(s) => Val::Str(s.clone()),
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    let v = self.value(item);
                    self.path.pop();
                    if v.val != Val::NoValue {
                        out.push(v);
                    }
                }
                Val::List(out)
            }
            Value::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for e in entries {
                    self.path.push(Seg::Key(&e.key));
                    let v = self.value(&e.value);
                    self.path.pop();
                    if v.val != Val::NoValue {
                        out.push(REntry { key: e.key.clone(), key_span: e.key_span, value: v });
                    }
                }
                Val::Map(out)
            }
        };
        RNode::new(node.span, val)
    }

    /// The parameter `p` as the value that decides what it leaves open.
    pub(super) fn open_parameter(&self, p: &Parameter<'d>) -> Open {
        Open::Parameter { name: p.name.to_string(), ty: p.ty.clone(), declared: p.span, scope: self.ctx.scope.clone() }
    }

    /// The value of a parameter: the user's, else its `Default`; a value
    /// in a resource's properties is recorded as a [`ParameterUse`].
    fn parameter(&mut self, p: &Parameter<'d>, span: Span) -> Val {
        let val = self.parameter_value(p, span);
        if self.record && !matches!(val, Val::Unknown(_)) {
            let given = self.ctx.parameter_values.contains_key(p.name) || self.ctx.parameters.contains_key(p.name);
            self.parameter_uses.push(ParameterUse {
                at: span,
                name: p.name.to_string(),
                ty: p.ty.clone(),
                default: if given { None } else { p.default.map(|d| d.span) },
            });
        }
        val
    }

    fn parameter_value(&mut self, p: &Parameter<'d>, span: Span) -> Val {
        let split = |s: &str| -> Val {
            Val::List(s.split(',').map(|x| RNode::new(span, Val::Str(x.trim().to_string()))).collect())
        };
        if let Some(v) = self.ctx.parameter_values.get(p.name) {
            // a parent passes a list parameter as one string, which
            // CloudFormation splits on commas, references included
            if p.is_list()
                && let Some(items) = value::split_symbolic(&v.val, ",", v.span)
            {
                return Val::List(items);
            }
            if p.is_list()
                && let Some(text) = v.text()
            {
                return split(text);
            }
            return v.val.clone();
        }
        if let Some(v) = self.ctx.parameters.get(p.name) {
            return if p.is_list() { split(v) } else { Val::Str(v.clone()) };
        }
        if let Some(marked) = self.marked_parameter(p) {
            return marked;
        }
        let Some(default) = p.default else {
            return Val::Unknown(Unknown::decided_by(
                format!("parameter `{}` ({}) has no value and no `Default`", p.name, p.ty),
                span,
                self.open_parameter(p),
            ));
        };
        if p.is_ssm_value() {
            return match default.scalar_text() {
                Some(name) => Val::Ssm(name),
                None => Val::Unknown(Unknown::new(format!("parameter `{}` names no SSM parameter", p.name), span)),
            };
        }
        match &default.value {
            Value::Seq(_) => self.value(default).val,
            _ => match default.scalar_text() {
                Some(text) if p.is_list() => split(&text),
                Some(text) => Val::Str(text),
                None => Val::Unknown(Unknown::new(
                    format!("parameter `{}` has a `Default` that is not a value", p.name),
                    default.span,
                )),
            },
        }
    }
}
