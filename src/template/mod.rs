//! The second stage: CloudFormation sections over the spanned tree.
//!
//! A [`Template`] borrows the [`Node`] tree and gives names to what is in
//! it: parameters, mappings, conditions, resources, outputs. It checks the
//! shape CloudFormation requires (PN008) and, in [`check`], every reference
//! and intrinsic function (PN003, PN004), whatever the region.

pub mod check;
pub mod intrinsic;
pub mod language_extensions;
pub mod rain_modules;

use std::collections::HashMap;

use crate::finding::{Code, Finding};
use crate::source::{Entry, Node, Span, Value};
use language_extensions::{Expansion, Origin};

/// A parameter of the template.
#[derive(Debug)]
pub struct Parameter<'d> {
    /// Its name.
    pub name: &'d str,
    /// Where its name is.
    pub span: Span,
    /// `Type` (`String` when absent).
    pub ty: String,
    /// `Default`, when given.
    pub default: Option<&'d Node>,
    /// `AllowedValues`, as text.
    pub allowed_values: Vec<String>,
}

impl Parameter<'_> {
    /// True for `List<…>`, `CommaDelimitedList` and SSM list types: the value
    /// is split on commas.
    pub fn is_list(&self) -> bool {
        is_list_type(&self.ty)
    }
    /// True for `AWS::SSM::Parameter::Value<…>`: the value is read from
    /// Parameter Store at deploy time, the template holds only its name.
    pub fn is_ssm_value(&self) -> bool {
        self.ty.starts_with("AWS::SSM::Parameter::Value<")
    }
}

/// True for parameter types whose value is a list: `List<…>`,
/// `CommaDelimitedList` and the SSM list types.
pub fn is_list_type(ty: &str) -> bool {
    ty.starts_with("List<")
        || ty == "CommaDelimitedList"
        || ty.contains("<List<")
        || ty.ends_with("CommaDelimitedList>")
}

/// A resource of the template.
#[derive(Debug)]
pub struct Resource<'d> {
    /// Its logical ID.
    pub id: &'d str,
    /// Where the logical ID is: the place findings on the resource point at.
    pub span: Span,
    /// `Type`, e.g. `AWS::EC2::VPC`.
    pub ty: &'d str,
    /// The whole resource mapping.
    pub node: &'d Node,
    /// `Properties`, when present.
    pub properties: Option<&'d Node>,
    /// `Condition`: the condition's name and where it is.
    pub condition: Option<(&'d str, Span)>,
    /// `DependsOn` names and where each is.
    pub depends_on: Vec<(&'d str, Span)>,
    /// `Metadata`, when present.
    pub metadata: Option<&'d Node>,
    /// The `Fn::ForEach` iteration that made it, for a resource written in
    /// a loop (its spans are the loop body's).
    pub origin: Option<&'d Origin>,
    /// The CDK construct path (`Metadata.aws:cdk:path`), for a resource a
    /// CDK app synthesized.
    pub construct_path: Option<&'d str>,
}

impl<'d> Resource<'d> {
    /// The property entry `name`, if present.
    pub fn property(&self, name: &str) -> Option<&'d Entry> {
        self.properties?.entry(name)
    }
}

/// An output of the template.
#[derive(Debug)]
pub struct Output<'d> {
    /// Its name.
    pub name: &'d str,
    /// Where its name is.
    pub span: Span,
    /// The whole output mapping.
    pub node: &'d Node,
}

/// What a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symbol {
    /// The parameter at this index.
    Parameter(usize),
    /// The resource at this index.
    Resource(usize),
}

/// A CloudFormation template.
#[derive(Debug)]
pub struct Template<'d> {
    /// The root mapping.
    pub root: &'d Node,
    /// Template-level `Metadata`.
    pub metadata: Option<&'d Node>,
    /// `Parameters`, in order.
    pub parameters: Vec<Parameter<'d>>,
    /// `Mappings`.
    pub mappings: Option<&'d Node>,
    /// `Conditions`: name, span of the name, body.
    pub conditions: Vec<(&'d str, Span, &'d Node)>,
    /// `Resources`, in order.
    pub resources: Vec<Resource<'d>>,
    /// `Outputs`, in order.
    pub outputs: Vec<Output<'d>>,
    /// `Transform` names.
    pub transforms: Vec<String>,
    /// True when the file is a source for a preprocessor (rain's
    /// `!Rain::Module` resources), not a template CloudFormation reads as is.
    pub preprocessed: bool,
    /// True when some `Fn::ForEach` loop could not be expanded (its
    /// collection is not known): the resources it makes are missing.
    pub partial: bool,
    symbols: HashMap<&'d str, Symbol>,
    condition_index: HashMap<&'d str, usize>,
}

/// The resource metadata key where the CDK writes a resource's construct
/// path (`cdk synth` adds it unless `--no-path-metadata`).
pub const CDK_PATH: &str = "aws:cdk:path";

/// The pseudo parameters CloudFormation defines (AWS-SEMANTICS §7).
pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// True when a file's root looks like a CloudFormation template: a top-level
/// `Resources` mapping or an `AWSTemplateFormatVersion` (SPEC §1).
pub fn looks_like_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some() || root.get("Resources").is_some_and(|r| r.as_map().is_some())
}

fn shape(span: Span, message: impl Into<String>) -> Finding {
    Finding::new(Code::PN008, Some(span), message)
}

impl<'d> Template<'d> {
    /// Reads the sections of a parsed file. Structural problems that leave
    /// the rest usable (a resource without `Type`, say) are returned as PN008
    /// findings next to the template; a root that is no template at all is
    /// an error (PN001).
    pub fn new(root: &'d Node) -> Result<(Template<'d>, Vec<Finding>), Finding> {
        let Some(_) = root.as_map() else {
            return Err(Finding::new(
                Code::PN001,
                Some(root.span),
                "not a CloudFormation template: the top level is not a mapping",
            )
            .fix("A template is a mapping with at least a `Resources` section."));
        };
        if !looks_like_template(root) {
            return Err(Finding::new(
                Code::PN001,
                Some(Span { start: root.span.start, end: root.span.start }),
                "not a CloudFormation template: no top-level `Resources` mapping or `AWSTemplateFormatVersion`",
            )
            .fix("Add a `Resources:` section, or lint only CloudFormation templates."));
        }
        let mut findings = Vec::new();
        let mut t = Template {
            root,
            metadata: root.get("Metadata"),
            parameters: Vec::new(),
            mappings: root.get("Mappings"),
            conditions: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
            transforms: Vec::new(),
            preprocessed: false,
            partial: false,
            symbols: HashMap::new(),
            condition_index: HashMap::new(),
        };
        for (section, must_be_map) in
            [("Parameters", true), ("Mappings", true), ("Conditions", true), ("Resources", true), ("Outputs", true)]
        {
            if let Some(e) = root.entry(section)
                && must_be_map
                && e.value.as_map().is_none()
                && e.value.value != Value::Null
            {
                findings.push(shape(e.edit_span(), format!("the `{section}` section must be a mapping")));
            }
        }
        if let Some(params) = root.get("Parameters").and_then(Node::as_map) {
            for e in params {
                let ty = e.value.get("Type").and_then(Node::scalar_text).unwrap_or_else(|| "String".to_string());
                if e.value.as_map().is_none() {
                    findings.push(shape(e.key_span, format!("parameter `{}` must be a mapping with a `Type`", e.key)));
                }
                let allowed_values = e
                    .value
                    .get("AllowedValues")
                    .and_then(Node::as_seq)
                    .map(|items| items.iter().filter_map(Node::scalar_text).collect())
                    .unwrap_or_default();
                t.parameters.push(Parameter {
                    name: &e.key,
                    span: e.key_span,
                    ty,
                    default: e.value.get("Default"),
                    allowed_values,
                });
            }
        }
        if let Some(conds) = root.get("Conditions").and_then(Node::as_map) {
            // loops are expanded (or reported) by `language_extensions`
            for e in conds.iter().filter(|e| !language_extensions::is_loop(&e.key)) {
                t.condition_index.insert(&e.key, t.conditions.len());
                t.conditions.push((&e.key, e.key_span, &e.value));
            }
        }
        if let Some(resources) = root.get("Resources").and_then(Node::as_map) {
            for e in resources.iter().filter(|e| !language_extensions::is_loop(&e.key)) {
                // rain's `Type: !Rain::Module path`: resources made by the tool
                let rain = |n: &Node| n.as_map().is_some_and(|m| m.len() == 1 && m[0].key.contains("Rain::"));
                if e.value.get("Type").is_some_and(rain) {
                    t.preprocessed = true;
                    continue;
                }
                if let Some(r) = resource(e, &mut findings) {
                    t.resources.push(r);
                }
            }
        }
        if let Some(outputs) = root.get("Outputs").and_then(Node::as_map) {
            for e in outputs.iter().filter(|e| !language_extensions::is_loop(&e.key)) {
                t.outputs.push(Output { name: &e.key, span: e.key_span, node: &e.value });
            }
        }
        if let Some(n) = root.get("Transform") {
            match &n.value {
                Value::String(s) => t.transforms.push(s.clone()),
                Value::Seq(items) => t.transforms.extend(items.iter().filter_map(Node::scalar_text)),
                _ => {}
            }
        }
        for (i, p) in t.parameters.iter().enumerate() {
            t.symbols.insert(p.name, Symbol::Parameter(i));
        }
        for (i, r) in t.resources.iter().enumerate() {
            t.symbols.insert(r.id, Symbol::Resource(i));
        }
        Ok((t, findings))
    }

    /// Reads a template after the `AWS::LanguageExtensions` expansion of
    /// its tree (`root` when the expansion changed nothing): generated
    /// resources carry their [`Origin`], and the expansion's findings come
    /// with the structural ones.
    pub fn expanded(root: &'d Node, expansion: &'d Expansion) -> Result<(Template<'d>, Vec<Finding>), Finding> {
        let (mut t, mut findings) = Template::new(expansion.root.as_ref().unwrap_or(root))?;
        for r in &mut t.resources {
            r.origin = expansion.origins.get(r.id);
        }
        t.partial = expansion.partial;
        findings.extend(expansion.findings.iter().cloned());
        Ok((t, findings))
    }

    /// What `name` refers to (a parameter or a resource; not pseudo parameters).
    pub fn symbol(&self, name: &str) -> Option<Symbol> {
        self.symbols.get(name).copied()
    }

    /// True when a macro (a `Transform` other than
    /// `AWS::LanguageExtensions`, which privnet-lint expands) or a
    /// preprocessor rewrites the template before CloudFormation reads it:
    /// what CloudFormation sees is not this text.
    pub fn rewritten(&self) -> bool {
        self.preprocessed || self.transforms.iter().any(|n| n != "AWS::LanguageExtensions")
    }

    /// True when every name the template uses must be defined in it (a
    /// reference to an undefined one is PN003): no macro or preprocessor
    /// adds resources or parameters at deploy time, and no loop was left
    /// unexpanded (`AWS::LanguageExtensions` creates no names of its own).
    pub fn strict_names(&self) -> bool {
        !self.rewritten() && !self.partial
    }

    /// The resource with this logical ID.
    pub fn resource(&self, id: &str) -> Option<&Resource<'d>> {
        match self.symbol(id)? {
            Symbol::Resource(i) => self.resources.get(i),
            Symbol::Parameter(_) => None,
        }
    }

    /// The index of the resource with this logical ID.
    pub fn resource_index(&self, id: &str) -> Option<usize> {
        match self.symbol(id)? {
            Symbol::Resource(i) => Some(i),
            Symbol::Parameter(_) => None,
        }
    }

    /// The parameter with this name.
    pub fn parameter(&self, name: &str) -> Option<&Parameter<'d>> {
        match self.symbol(name)? {
            Symbol::Parameter(i) => self.parameters.get(i),
            Symbol::Resource(_) => None,
        }
    }

    /// The body of the condition with this name.
    pub fn condition(&self, name: &str) -> Option<(usize, &'d Node)> {
        let i = *self.condition_index.get(name)?;
        Some((i, self.conditions[i].2))
    }

    /// True when `name` is a pseudo parameter, parameter or resource.
    pub fn is_referable(&self, name: &str) -> bool {
        PSEUDO_PARAMETERS.contains(&name) || self.symbols.contains_key(name)
    }
}

fn resource<'d>(e: &'d Entry, findings: &mut Vec<Finding>) -> Option<Resource<'d>> {
    let Some(_) = e.value.as_map() else {
        findings.push(shape(e.key_span, format!("resource `{}` must be a mapping with a `Type`", e.key)));
        return None;
    };
    let Some(ty) = e.value.get("Type").and_then(Node::as_str) else {
        findings.push(shape(e.key_span, format!("resource `{}` has no `Type` string", e.key)));
        return None;
    };
    let properties = match e.value.entry("Properties") {
        Some(p) if p.value.as_map().is_some() => Some(&p.value),
        Some(p) if p.value.value == Value::Null => None,
        Some(p) if p.value.as_intrinsic().is_some() => Some(&p.value),
        Some(p) => {
            findings.push(shape(p.edit_span(), format!("`Properties` of `{}` must be a mapping", e.key)));
            None
        }
        None => None,
    };
    let condition = e.value.get("Condition").and_then(|c| c.as_str().map(|s| (s, c.span)));
    let mut depends_on = Vec::new();
    if let Some(d) = e.value.get("DependsOn") {
        match &d.value {
            Value::String(s) => depends_on.push((s.as_str(), d.span)),
            Value::Seq(items) => {
                depends_on.extend(items.iter().filter_map(|i| i.as_str().map(|s| (s, i.span))));
            }
            _ => findings.push(shape(d.span, "`DependsOn` must be a logical ID or a list of them")),
        }
    }
    Some(Resource {
        id: &e.key,
        span: e.key_span,
        ty,
        node: &e.value,
        properties,
        condition,
        depends_on,
        metadata: e.value.get("Metadata"),
        origin: None,
        construct_path: e.value.get("Metadata").and_then(|m| m.get(CDK_PATH)).and_then(Node::as_str),
    })
}
