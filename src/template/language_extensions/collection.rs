//! The values the transform needs before anything is deployed: a loop's
//! collection and the strings in it, and `Fn::FindInMap` in a made
//! resource's `Condition`.
//!
//! Only what the template and the run's parameters decide is known here.
//! Loops are expanded once per template, for every analyzed region, so a
//! collection that depends on the region, the account or a condition is
//! [`Why::Unknown`]; one CloudFormation cannot evaluate before creating
//! resources (an attribute, a resource's `Ref`) is [`Why::Invalid`]
//! (Fn::ForEach, "Collection"; RFC 0009, constraints 6 and 7).

use ipnet::IpNet;

use super::{Binding, Given, substitute};
use crate::source::{Node, Value};
use crate::template::intrinsic::{SubPart, sub_parts};
use crate::template::{PSEUDO_PARAMETERS, is_list_type};

/// Why a value is not known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Why {
    /// It is decided later (at deploy time, or per region): a note.
    Unknown(String),
    /// CloudFormation cannot evaluate it either: the template is rejected.
    Invalid(String),
}

/// What `Fn::FindInMap` finds.
pub(super) enum Found<'n> {
    /// The mapping's value, or the `DefaultValue`.
    Node(&'n Node),
    /// A `DefaultValue` of `!Ref AWS::NoValue`.
    NoValue,
}

/// A parameter's value as given or defaulted.
enum Raw {
    Text(String),
    Items(Vec<String>),
}

/// Evaluates against one template and the run's parameter values.
pub(super) struct Eval<'a> {
    parameters: Option<&'a Node>,
    mappings: Option<&'a Node>,
    resources: Option<&'a Node>,
    given: &'a Given,
}

fn unknown<T>(reason: impl Into<String>) -> Result<T, Why> {
    Err(Why::Unknown(reason.into()))
}

fn invalid<T>(reason: impl Into<String>) -> Result<T, Why> {
    Err(Why::Invalid(reason.into()))
}

impl<'a> Eval<'a> {
    pub(super) fn new(root: &'a Node, given: &'a Given) -> Eval<'a> {
        Eval {
            parameters: root.get("Parameters"),
            mappings: root.get("Mappings"),
            resources: root.get("Resources"),
            given,
        }
    }

    /// True when the template declares a parameter `name`.
    pub(super) fn is_parameter(&self, name: &str) -> bool {
        self.parameter(name).is_some()
    }

    fn parameter(&self, name: &str) -> Option<&'a Node> {
        self.parameters?.get(name)
    }

    /// The strings a loop iterates over.
    pub(super) fn collection(&self, node: &Node, scope: &[Binding<'_>]) -> Result<Vec<String>, Why> {
        if let Value::Seq(items) = &node.value {
            return items.iter().map(|i| self.text(i, scope)).collect();
        }
        let Some((name, entry)) = node.as_intrinsic() else {
            return invalid("the collection must be a list, or a function that returns one");
        };
        let arg = &entry.value;
        match name {
            "Ref" => {
                let target = self.name(arg, scope)?;
                if scope.iter().any(|b| b.identifier == target) {
                    return invalid(format!(
                        "`{target}` is the identifier of an enclosing loop: one string, not a list"
                    ));
                }
                match self.parameter(&target) {
                    Some(p) => self.parameter_list(&target, p),
                    None => self.other_ref(&target),
                }
            }
            "Fn::FindInMap" => match self.find_in_map(arg, scope)? {
                Found::Node(n) if n.scalar_text().is_some() => {
                    invalid("`Fn::FindInMap` gives a string, but the collection must be a list")
                }
                Found::Node(n) => self.collection(n, scope),
                Found::NoValue => invalid("`Fn::FindInMap` gives `AWS::NoValue`, but the collection must be a list"),
            },
            "Fn::Split" => {
                let [delimiter, source] = args(arg, "`Fn::Split` takes `[delimiter, string]`")?;
                let delimiter = self.text(delimiter, scope)?;
                let source = self.text(source, scope)?;
                if delimiter.is_empty() {
                    return invalid("`Fn::Split` with an empty delimiter");
                }
                Ok(source.split(delimiter.as_str()).map(str::to_string).collect())
            }
            "Fn::Cidr" => self.cidr(arg, scope),
            _ => self.other_function(name),
        }
    }

    /// A string: a scalar, or a function of parameters, mappings and loop
    /// identifiers.
    fn text(&self, node: &Node, scope: &[Binding<'_>]) -> Result<String, Why> {
        if let Some(text) = node.scalar_text() {
            return Ok(text);
        }
        let Some((name, entry)) = node.as_intrinsic() else {
            return invalid("the items of a collection must be strings");
        };
        let arg = &entry.value;
        match name {
            "Ref" => {
                let target = self.name(arg, scope)?;
                if let Some(b) = scope.iter().rev().find(|b| b.identifier == target) {
                    return Ok(b.value.clone());
                }
                match self.parameter(&target) {
                    Some(p) => self.parameter_text(&target, p),
                    None => self.other_ref(&target),
                }
            }
            "Fn::Sub" => self.sub(arg, scope),
            "Fn::Join" => {
                let [delimiter, list] = args(arg, "`Fn::Join` takes `[delimiter, [values...]]`")?;
                let delimiter = self.text(delimiter, scope)?;
                Ok(self.collection(list, scope)?.join(&delimiter))
            }
            "Fn::Select" => {
                let [index, list] = args(arg, "`Fn::Select` takes `[index, list]`")?;
                let index = self.text(index, scope)?;
                let Ok(i) = index.trim().parse::<usize>() else {
                    return invalid(format!("the `Fn::Select` index `{index}` is not a non-negative integer"));
                };
                let items = self.collection(list, scope)?;
                match items.into_iter().nth(i) {
                    Some(item) => Ok(item),
                    None => invalid(format!("`Fn::Select` index {i} is past the end of its list")),
                }
            }
            "Fn::FindInMap" => match self.find_text(arg, scope)? {
                Some(text) => Ok(text),
                None => invalid("`Fn::FindInMap` gives `AWS::NoValue`, not a string"),
            },
            _ => self.other_function(name),
        }
    }

    /// The name a `Ref` takes: a string, or (with the transform) a function
    /// that yields one.
    fn name(&self, arg: &Node, scope: &[Binding<'_>]) -> Result<String, Why> {
        match arg.as_str() {
            Some(s) => Ok(s.to_string()),
            None => self.text(arg, scope),
        }
    }

    fn other_ref<T>(&self, target: &str) -> Result<T, Why> {
        if PSEUDO_PARAMETERS.contains(&target) {
            return match target {
                "AWS::NoValue" => invalid("`AWS::NoValue` is no value"),
                "AWS::Region" | "AWS::Partition" | "AWS::URLSuffix" => unknown(format!(
                    "it depends on the region (`{target}`), and privnet-lint expands loops once for all regions"
                )),
                _ => unknown(format!("`{target}` is known only at deploy time")),
            };
        }
        if self.resources.and_then(|r| r.get(target)).is_some() {
            return invalid(format!(
                "`{target}` is a resource, known only once it is created; CloudFormation needs the collection before \
                 it creates anything"
            ));
        }
        invalid(format!("`Ref` to `{target}`, which is no parameter or loop identifier"))
    }

    fn other_function<T>(&self, name: &str) -> Result<T, Why> {
        match name {
            "Fn::GetAtt" => invalid(
                "an attribute (`Fn::GetAtt`) is known only once its resource exists; CloudFormation needs the \
                 collection before it creates anything",
            ),
            "Fn::GetAZs" => unknown(
                "the Availability Zones (`Fn::GetAZs`) depend on the region and account, and privnet-lint expands \
                 loops once for all regions",
            ),
            "Fn::If" => {
                unknown("it depends on a condition (`Fn::If`), and privnet-lint expands loops once for all regions")
            }
            "Fn::ImportValue" => unknown("an export (`Fn::ImportValue`) is read at deploy time"),
            other => unknown(format!("privnet-lint does not evaluate `{other}` before the loops are expanded")),
        }
    }

    /// A parameter's value: the run's, else its `Default`.
    fn raw(&self, name: &str, p: &Node) -> Result<Raw, Why> {
        let ty = p.get("Type").and_then(Node::scalar_text).unwrap_or_else(|| "String".to_string());
        if ty.starts_with("AWS::SSM::Parameter::Value<") {
            return unknown(format!("parameter `{name}` is read from Parameter Store at deploy time"));
        }
        match self.given.get(name) {
            Some(Some(v)) => return Ok(Raw::Text(v.clone())),
            Some(None) => return unknown(format!("parameter `{name}` gets a value known only at deploy time")),
            None => {}
        }
        match p.get("Default") {
            None => unknown(format!(
                "parameter `{name}` ({ty}) has no value and no `Default`; pass `--parameter {name}=...`"
            )),
            Some(d) => match &d.value {
                Value::Seq(items) => items
                    .iter()
                    .map(|i| {
                        i.scalar_text()
                            .ok_or_else(|| Why::Invalid(format!("the `Default` of `{name}` holds a non-string")))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Raw::Items),
                _ => match d.scalar_text() {
                    Some(t) => Ok(Raw::Text(t)),
                    None => invalid(format!("the `Default` of `{name}` is not a value")),
                },
            },
        }
    }

    fn parameter_list(&self, name: &str, p: &Node) -> Result<Vec<String>, Why> {
        let ty = p.get("Type").and_then(Node::scalar_text).unwrap_or_else(|| "String".to_string());
        let no_echo = p.get("NoEcho").and_then(Node::scalar_text).is_some_and(|t| t.eq_ignore_ascii_case("true"));
        if no_echo {
            return invalid(format!(
                "parameter `{name}` is `NoEcho`, which CloudFormation does not accept as a collection"
            ));
        }
        if !is_list_type(&ty) && !ty.starts_with("AWS::SSM::Parameter::Value<") {
            return unknown(format!("parameter `{name}` is a `{ty}`, not a list (a `CommaDelimitedList` is)"));
        }
        Ok(match self.raw(name, p)? {
            Raw::Text(t) => t.split(',').map(|x| x.trim().to_string()).collect(),
            Raw::Items(items) => items,
        })
    }

    fn parameter_text(&self, name: &str, p: &Node) -> Result<String, Why> {
        let ty = p.get("Type").and_then(Node::scalar_text).unwrap_or_else(|| "String".to_string());
        if is_list_type(&ty) {
            return invalid(format!("parameter `{name}` is a list, not one string"));
        }
        match self.raw(name, p)? {
            Raw::Text(t) => Ok(t),
            Raw::Items(_) => invalid(format!("the `Default` of `{name}` is a list, not one string")),
        }
    }

    fn sub(&self, arg: &Node, scope: &[Binding<'_>]) -> Result<String, Why> {
        let (text, vars) = match &arg.value {
            Value::String(s) => (s.as_str(), None),
            Value::Seq(items) if items.len() == 2 && items[1].as_map().is_some() => match items[0].as_str() {
                Some(s) => (s, Some(&items[1])),
                None => return invalid("`Fn::Sub` takes a string, or `[string, {Name: value, ...}]`"),
            },
            _ => return invalid("`Fn::Sub` takes a string, or `[string, {Name: value, ...}]`"),
        };
        let text = substitute(text, scope);
        let mut out = String::new();
        for part in sub_parts(&text) {
            match part {
                SubPart::Text(t) => out.push_str(&t),
                SubPart::Var(name) => {
                    let value = match vars.and_then(|v| v.get(name)) {
                        Some(node) => self.text(node, scope)?,
                        None if name.contains('.') => {
                            return invalid(format!(
                                "`${{{name}}}` is an attribute, known only once its resource exists"
                            ));
                        }
                        None => match self.parameter(name) {
                            Some(p) => self.parameter_text(name, p)?,
                            None => return self.other_ref(name),
                        },
                    };
                    out.push_str(&value);
                }
            }
        }
        Ok(out)
    }

    /// `Fn::FindInMap [MapName, TopLevelKey, SecondLevelKey, {DefaultValue}]`
    /// (Fn::FindInMap enhancements,
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap-enhancements.html>).
    pub(super) fn find_in_map<'n>(&self, arg: &'n Node, scope: &[Binding<'_>]) -> Result<Found<'n>, Why>
    where
        'a: 'n,
    {
        let shape =
            "`Fn::FindInMap` takes `[MapName, TopLevelKey, SecondLevelKey]` and an optional `{DefaultValue: ...}`";
        let Some(items) = arg.as_seq().filter(|s| s.len() == 3 || s.len() == 4) else { return invalid(shape) };
        let default = match items.get(3) {
            None => None,
            Some(d) => match d.get("DefaultValue") {
                Some(v) => Some(v),
                None => return invalid(shape),
            },
        };
        let mut keys = Vec::with_capacity(3);
        for item in &items[..3] {
            keys.push(self.text(item, scope)?);
        }
        let found =
            self.mappings.and_then(|m| m.get(&keys[0])).and_then(|m| m.get(&keys[1])).and_then(|m| m.get(&keys[2]));
        match (found, default) {
            (Some(v), _) => Ok(Found::Node(v)),
            (None, Some(d)) => match d.as_intrinsic() {
                Some(("Ref", e)) if e.value.as_str() == Some("AWS::NoValue") => Ok(Found::NoValue),
                _ => Ok(Found::Node(d)),
            },
            (None, None) => invalid(format!("`Fn::FindInMap` finds no `{}` → `{}` → `{}`", keys[0], keys[1], keys[2])),
        }
    }

    /// `Fn::FindInMap` as a string (`None` for `AWS::NoValue`).
    pub(super) fn find_text(&self, arg: &Node, scope: &[Binding<'_>]) -> Result<Option<String>, Why> {
        match self.find_in_map(arg, scope)? {
            Found::Node(n) => self.text(n, scope).map(Some),
            Found::NoValue => Ok(None),
        }
    }

    /// `Fn::Cidr [ipBlock, count, cidrBits]`: the first `count` blocks with
    /// `cidrBits` host bits.
    fn cidr(&self, arg: &Node, scope: &[Binding<'_>]) -> Result<Vec<String>, Why> {
        let Some([block, count, bits]) = arg.as_seq().and_then(|s| <&[Node; 3]>::try_from(s).ok()) else {
            return invalid("`Fn::Cidr` takes `[ipBlock, count, cidrBits]`");
        };
        let block = self.text(block, scope)?;
        let (count, bits) = (self.text(count, scope)?, self.text(bits, scope)?);
        let (Ok(net), Ok(count), Ok(bits)) =
            (block.parse::<IpNet>(), count.trim().parse::<usize>(), bits.trim().parse::<u8>())
        else {
            return invalid(format!("`Fn::Cidr` of `{block}` with a count and bit count that are not numbers"));
        };
        let prefix = net.max_prefix_len().checked_sub(bits).filter(|p| *p >= net.prefix_len());
        let blocks: Vec<String> = match prefix.map(|p| net.subnets(p)) {
            Some(Ok(subnets)) if (1..=256).contains(&count) => subnets.take(count).map(|n| n.to_string()).collect(),
            _ => return invalid(format!("`Fn::Cidr` cannot split {block} into {count} blocks of {bits} host bits")),
        };
        if blocks.len() < count {
            return invalid(format!("`Fn::Cidr`: {block} holds fewer than {count} blocks of {bits} host bits"));
        }
        Ok(blocks)
    }
}

/// The items of a two-item argument list.
fn args<'n>(arg: &'n Node, shape: &str) -> Result<[&'n Node; 2], Why> {
    match arg.as_seq() {
        Some([a, b]) => Ok([a, b]),
        _ => invalid(shape),
    }
}
