//! Region-independent checks of references and intrinsic-function shapes:
//! PN003 (a name that does not exist) and PN004 (malformed arguments).
//!
//! Every branch of every `Fn::If` is checked, whatever the conditions
//! evaluate to, because CloudFormation validates them all.
//!
//! `Fn::Length`, `Fn::ToJsonString`, `Fn::FindInMap` with a `DefaultValue`
//! and `Ref` of a function exist only with `Transform:
//! AWS::LanguageExtensions` (transform reference,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-languageextensions.html>);
//! a template that declares no transform at all and uses them is PN004.
//! `DeletionPolicy` and `UpdateReplacePolicy` take one of their options, or
//! a function that yields one (DeletionPolicy attribute,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html>;
//! UpdateReplacePolicy attribute,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html>;
//! intrinsic functions in them,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/function-refs-in-policy-attributes.html>).

use crate::finding::{Code, Finding};
use crate::source::{Node, Span, Value};
use crate::template::intrinsic::{GetAttName, SubPart, getatt_args, sub_parts};
use crate::template::{Symbol, Template};

/// Checks every reference and intrinsic function of the template.
pub fn check(t: &Template<'_>) -> Vec<Finding> {
    let mut c = Checker {
        t,
        findings: Vec::new(),
        // a macro (SAM, a custom transform) or preprocessor adds resources
        // and parameters at deploy time: names this template does not define
        // may be created by it (`AWS::LanguageExtensions` creates none)
        strict_names: t.strict_names(),
        plain: t.transforms.is_empty(),
    };
    for r in &t.resources {
        for (attribute, options) in POLICIES {
            if let Some(node) = r.node.get(attribute) {
                c.policy(r.id, attribute, options, node);
            }
        }
        if let Some((name, span)) = r.condition
            && t.condition(name).is_none()
        {
            c.missing(span, format!("resource `{}` has `Condition: {name}`, but no condition `{name}` exists", r.id));
        }
        for (dep, span) in &r.depends_on {
            if t.resource(dep).is_none() {
                c.missing(
                    *span,
                    format!("`DependsOn` of `{}` names `{dep}`, which is not a resource of this template", r.id),
                );
            }
        }
        if let Some(p) = r.properties {
            c.walk(p, Ctx::Value);
        }
        if let Some(m) = r.metadata {
            c.walk(m, Ctx::Value);
        }
    }
    for o in &t.outputs {
        c.walk(o.node, Ctx::Value);
        if let Some(cond) = o.node.get("Condition").and_then(Node::as_str)
            && t.condition(cond).is_none()
        {
            let span = o.node.get("Condition").map(|n| n.span).unwrap_or(o.span);
            c.missing(span, format!("output `{}` has `Condition: {cond}`, but no condition `{cond}` exists", o.name));
        }
    }
    for (_, _, body) in &t.conditions {
        c.walk(body, Ctx::Condition);
    }
    c.findings
}

/// The options of the policy attributes.
pub const POLICIES: [(&str, &[&str]); 2] = [
    ("DeletionPolicy", &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"]),
    ("UpdateReplacePolicy", &["Delete", "Retain", "Snapshot"]),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Value,
    Condition,
}

struct Checker<'a, 'd> {
    t: &'a Template<'d>,
    findings: Vec<Finding>,
    strict_names: bool,
    /// No `Transform` at all: the LanguageExtensions functions are unknown.
    plain: bool,
}

impl Checker<'_, '_> {
    fn missing(&mut self, span: Span, message: String) {
        if self.strict_names {
            self.findings.push(
                Finding::new(Code::PN003, Some(span), message)
                    .fix("Correct the name, or declare the parameter, resource or condition it refers to."),
            );
        }
    }

    fn malformed(&mut self, span: Span, message: impl Into<String>) {
        self.findings.push(Finding::new(Code::PN004, Some(span), message));
    }

    /// PN004 for a function of the LanguageExtensions transform in a
    /// template that declares no transform.
    fn needs_transform(&mut self, span: Span, what: &str) {
        if self.plain {
            self.findings.push(
                Finding::new(
                    Code::PN004,
                    Some(span),
                    format!("{what} needs `Transform: AWS::LanguageExtensions`, which this template does not declare"),
                )
                .fix("Add `Transform: AWS::LanguageExtensions` at the top level of the template."),
            );
        }
    }

    /// A `DeletionPolicy` or `UpdateReplacePolicy`: one of `options`, or a
    /// function (evaluated for each region by the resolver).
    fn policy(&mut self, id: &str, attribute: &str, options: &[&str], node: &Node) {
        if node.as_intrinsic().is_some() {
            self.walk(node, Ctx::Value);
            return;
        }
        let message = match node.scalar_text() {
            Some(text) if options.contains(&text.as_str()) => return,
            Some(text) => format!("`{attribute}: {text}` of `{id}` is not one of {}", options.join(", ")),
            None => {
                format!("`{attribute}` of `{id}` must be one of {}, or a function that returns one", options.join(", "))
            }
        };
        self.findings.push(
            Finding::new(Code::PN008, Some(node.span), message).fix(format!("Use one of {}.", options.join(", "))),
        );
    }

    fn walk(&mut self, node: &Node, ctx: Ctx) {
        if let Some((name, entry)) = node.as_intrinsic()
            && (name != "Condition" || ctx == Ctx::Condition)
        {
            self.function(node, name, &entry.value, ctx);
            return;
        }
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|i| self.walk(i, ctx)),
            Value::Map(entries) => entries.iter().for_each(|e| self.walk(&e.value, ctx)),
            _ => {}
        }
    }

    fn args<'n>(
        &mut self,
        node: &Node,
        name: &str,
        arg: &'n Node,
        counts: &[usize],
        shape: &str,
    ) -> Option<&'n [Node]> {
        match arg.as_seq() {
            Some(items) if counts.contains(&items.len()) => Some(items),
            _ => {
                self.malformed(node.span, format!("`{name}` takes {shape}"));
                None
            }
        }
    }

    fn function(&mut self, node: &Node, name: &str, arg: &Node, ctx: Ctx) {
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => {
                    if !self.t.is_referable(target) {
                        let msg = if self.t.condition(target).is_some() {
                            format!("`Ref` to `{target}`, which is a condition; use `Condition` or `Fn::If`")
                        } else {
                            format!("`Ref` to `{target}`, which is no parameter, pseudo parameter or resource")
                        };
                        self.missing(arg.span, msg);
                    }
                }
                None if arg.as_intrinsic().is_some() => {
                    self.needs_transform(node.span, "`Ref` of a function");
                    self.walk(arg, ctx)
                }
                None => self.malformed(node.span, "`Ref` takes the name of a parameter or resource"),
            },
            "Condition" => match arg.as_str() {
                Some(c) if self.t.condition(c).is_none() => {
                    self.missing(arg.span, format!("`Condition` refers to `{c}`, which is not a condition"));
                }
                Some(_) => {}
                None => self.malformed(node.span, "`Condition` takes the name of a condition"),
            },
            "Fn::GetAtt" => match getatt_args(arg) {
                None => self.malformed(node.span, "`Fn::GetAtt` takes `Resource.Attribute` or `[Resource, Attribute]`"),
                Some((id, attr)) => {
                    if self.t.resource(&id).is_none() {
                        self.missing(
                            arg.span,
                            format!("`Fn::GetAtt` names `{id}`, which is not a resource of this template"),
                        );
                    }
                    if let GetAttName::Node(n) = attr {
                        self.walk(n, ctx);
                    }
                }
            },
            "Fn::Sub" => self.sub(node, arg, ctx),
            "Fn::Join" => {
                if let Some(items) = self.args(node, name, arg, &[2], "`[delimiter, [values...]]`") {
                    if items[0].scalar_text().is_none() {
                        self.malformed(items[0].span, "the `Fn::Join` delimiter must be a string");
                    }
                    if items[1].as_seq().is_none() && items[1].as_intrinsic().is_none() {
                        self.malformed(items[1].span, "the values of `Fn::Join` must be a list");
                    }
                    items.iter().for_each(|i| self.walk(i, ctx));
                }
            }
            "Fn::Select" => {
                if let Some(items) = self.args(node, name, arg, &[2], "`[index, list]`") {
                    if let Some(i) = items[0].scalar_text()
                        && i.parse::<usize>().is_err()
                    {
                        self.malformed(
                            items[0].span,
                            format!("the `Fn::Select` index `{i}` is not a non-negative integer"),
                        );
                    }
                    if let Some(list) = items[1].as_seq()
                        && let Some(i) = items[0].scalar_text().and_then(|i| i.parse::<usize>().ok())
                        && i >= list.len()
                    {
                        self.malformed(
                            items[0].span,
                            format!("`Fn::Select` index {i} is out of range for a list of {}", list.len()),
                        );
                    }
                    items.iter().for_each(|i| self.walk(i, ctx));
                }
            }
            "Fn::Split" => {
                if let Some(items) = self.args(node, name, arg, &[2], "`[delimiter, string]`") {
                    items.iter().for_each(|i| self.walk(i, ctx));
                }
            }
            "Fn::If" => {
                if let Some(items) = self.args(node, name, arg, &[3], "`[condition, value_if_true, value_if_false]`") {
                    match items[0].as_str() {
                        Some(c) if self.t.condition(c).is_none() => {
                            self.missing(items[0].span, format!("`Fn::If` refers to `{c}`, which is not a condition"));
                        }
                        Some(_) => {}
                        None => {
                            self.malformed(items[0].span, "the first argument of `Fn::If` must be a condition name")
                        }
                    }
                    items[1..].iter().for_each(|i| self.walk(i, ctx));
                }
            }
            "Fn::Equals" => {
                if let Some(items) = self.args(node, name, arg, &[2], "two values to compare") {
                    items.iter().for_each(|i| self.walk(i, Ctx::Value));
                }
            }
            "Fn::And" | "Fn::Or" => {
                let counts: Vec<usize> = (2..=10).collect();
                if let Some(items) = self.args(node, name, arg, &counts, "a list of 2 to 10 conditions") {
                    items.iter().for_each(|i| self.walk(i, Ctx::Condition));
                }
            }
            "Fn::Not" => {
                if let Some(items) = self.args(node, name, arg, &[1], "a list of one condition") {
                    items.iter().for_each(|i| self.walk(i, Ctx::Condition));
                }
            }
            "Fn::FindInMap" => {
                if let Some(items) = self.args(node, name, arg, &[3, 4], "`[MapName, TopLevelKey, SecondLevelKey]`") {
                    if let Some(default) = items.get(3) {
                        match default.as_map() {
                            Some([e]) if e.key == "DefaultValue" => {
                                self.needs_transform(default.span, "`Fn::FindInMap` with a `DefaultValue`")
                            }
                            _ => self.malformed(
                                default.span,
                                "the fourth item of `Fn::FindInMap` must be `{DefaultValue: ...}`",
                            ),
                        }
                    }
                    if let Some(map) = items[0].as_str()
                        && self.t.mappings.and_then(|m| m.get(map)).is_none()
                    {
                        self.missing(
                            items[0].span,
                            format!("`Fn::FindInMap` names mapping `{map}`, which is not in `Mappings`"),
                        );
                    }
                    items.iter().for_each(|i| self.walk(i, ctx));
                }
            }
            "Fn::Cidr" => {
                if let Some(items) = self.args(node, name, arg, &[3], "`[ipBlock, count, cidrBits]`") {
                    items.iter().for_each(|i| self.walk(i, ctx));
                }
            }
            "Fn::GetAZs" => {
                if arg.scalar_text().is_none() && arg.value != Value::Null && arg.as_intrinsic().is_none() {
                    self.malformed(node.span, "`Fn::GetAZs` takes a region name (or `\"\"` for the stack's region)");
                }
                self.walk(arg, ctx);
            }
            "Fn::Length" | "Fn::ToJsonString" => {
                self.needs_transform(node.span, &format!("`{name}`"));
                self.walk(arg, ctx)
            }
            "Fn::Base64" | "Fn::ImportValue" | "Fn::Transform" => self.walk(arg, ctx),
            "Fn::GetStackOutput" => self.stack_output(node, arg, ctx),
            // LanguageExtensions loops, and rain's preprocessor directives
            other if other.starts_with("Fn::ForEach") || other.starts_with("Fn::Rain::") => {}
            other => self.malformed(node.span, format!("`{other}` is not an intrinsic function CloudFormation knows")),
        }
    }

    /// `Fn::GetStackOutput` takes a mapping with `StackName` and
    /// `OutputName`, and optionally `Region` and `RoleArn` (template
    /// reference, Fn::GetStackOutput,
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html>).
    fn stack_output(&mut self, node: &Node, arg: &Node, ctx: Ctx) {
        const KEYS: [&str; 4] = ["StackName", "OutputName", "Region", "RoleArn"];
        let Some(entries) = arg.as_map() else {
            self.malformed(
                node.span,
                "`Fn::GetStackOutput` takes a mapping: `{StackName: ..., OutputName: ..., Region: ..., RoleArn: ...}`",
            );
            return;
        };
        for e in entries {
            if !KEYS.contains(&e.key.as_str()) {
                self.malformed(
                    e.key_span,
                    format!(
                        "`Fn::GetStackOutput` takes no `{}`: its keys are StackName, OutputName, Region and RoleArn",
                        e.key
                    ),
                );
            }
            self.walk(&e.value, ctx);
        }
        let missing: Vec<&str> = KEYS[..2].iter().copied().filter(|k| arg.get(k).is_none()).collect();
        if !missing.is_empty() {
            self.malformed(node.span, format!("`Fn::GetStackOutput` needs `{}`", missing.join("` and `")));
        }
    }

    fn sub(&mut self, node: &Node, arg: &Node, ctx: Ctx) {
        // `Fn::Sub: !Rain::Embed script.sh`: rain inlines the file first
        if arg.as_map().is_some_and(|m| m.len() == 1 && m[0].key.contains("Rain::")) {
            return;
        }
        let (text, vars) = match &arg.value {
            Value::String(s) => (s.as_str(), None),
            Value::Seq(items) if items.len() == 2 && items[0].as_str().is_some() && items[1].as_map().is_some() => {
                (items[0].as_str().unwrap_or_default(), Some(&items[1]))
            }
            _ => {
                self.malformed(node.span, "`Fn::Sub` takes a string, or `[string, {Name: value, ...}]`");
                return;
            }
        };
        if let Some(vars) = vars {
            self.walk(vars, ctx);
        }
        let span = match &arg.value {
            Value::Seq(items) => items[0].span,
            _ => arg.span,
        };
        for part in sub_parts(text) {
            let SubPart::Var(name) = part else { continue };
            if vars.and_then(|v| v.get(name)).is_some() {
                continue;
            }
            match name.split_once('.') {
                Some((id, _)) => {
                    if !matches!(self.t.symbol(id), Some(Symbol::Resource(_))) {
                        self.missing(
                            span,
                            format!("`Fn::Sub` uses `${{{name}}}`, but `{id}` is not a resource of this template"),
                        );
                    }
                }
                None => {
                    if !self.t.is_referable(name) {
                        self.missing(
                            span,
                            format!("`Fn::Sub` uses `${{{name}}}`, which is no parameter, pseudo parameter, resource or variable"),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::parse;

    fn codes(text: &str) -> Vec<(Code, u32)> {
        let root = parse(Some("t.yaml"), text).root.expect("parses");
        let (t, _) = Template::new(&root).expect("a template");
        check(&t).iter().map(|f| (f.code, f.span.map_or(0, |s| s.start.line))).collect()
    }

    fn with(head: &str, resource: &str) -> String {
        format!(
            "{head}Mappings:\n  M: {{a: {{b: c}}}}\nParameters:\n  P: {{Type: String, Default: Retain}}\nResources:\n  R:\n    Type: AWS::SNS::Topic\n{resource}"
        )
    }

    #[test]
    fn language_extensions_functions_need_the_transform() {
        let cases = [
            "    Properties: {TopicName: !Length [a]}\n",
            "    Properties: {TopicName: !ToJsonString {a: b}}\n",
            "    Properties: {TopicName: !FindInMap [M, a, x, DefaultValue: d]}\n",
            "    Properties: {TopicName: !Ref {Fn::Sub: P}}\n",
        ];
        for case in cases {
            assert_eq!(codes(&with("", case)), vec![(Code::PN004, 8)], "{case}");
            assert_eq!(codes(&with("Transform: AWS::LanguageExtensions\n", case)), vec![], "{case}");
            // another transform (a macro) may provide it
            assert_eq!(codes(&with("Transform: AWS::Serverless-2016-10-31\n", case)), vec![], "{case}");
        }
        let bad_default = "    Properties: {TopicName: !FindInMap [M, a, b, {Default: d}]}\n";
        assert_eq!(codes(&with("Transform: AWS::LanguageExtensions\n", bad_default)), vec![(Code::PN004, 9)]);
    }

    #[test]
    fn policy_attributes_take_their_options_or_a_function() {
        let cases: &[(&str, &[(Code, u32)])] = &[
            ("    DeletionPolicy: Retain\n    UpdateReplacePolicy: Snapshot\n", &[]),
            ("    DeletionPolicy: RetainExceptOnCreate\n", &[]),
            ("    DeletionPolicy: !Ref P\n", &[]),
            ("    DeletionPolicy: !If [C, Retain, Delete]\n", &[]),
            ("    DeletionPolicy: CopyRegion\n", &[(Code::PN008, 10)]),
            ("    DeletionPolicy: [Snapshot, Retain]\n", &[(Code::PN008, 10)]),
            ("    UpdateReplacePolicy: RetainExceptOnCreate\n", &[(Code::PN008, 10)]),
            ("    DeletionPolicy: !Ref Nothing\n", &[(Code::PN003, 10)]),
        ];
        for (case, want) in cases {
            let text = with("Conditions:\n  C: !Equals [a, a]\n", case);
            assert_eq!(codes(&text), *want, "{case}");
        }
    }
}
