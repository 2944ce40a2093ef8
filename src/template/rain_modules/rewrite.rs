//! One module's resources as rain writes them into the parent: parameters
//! replaced by the values the parent gives, module resources renamed with
//! the module's name, `Overrides` applied, and resources a `Metadata.Rain`
//! `IfParam`/`IfNotParam` leaves out dropped (rain's `cft/pkg/module.go`,
//! `resolve.go`, `overrides.go`, `ifparams.go`).

use super::super::intrinsic::{SubPart, sub_parts};
use crate::source::{Entry, Node, Span, Style, Value};

/// One module being expanded.
pub(super) struct Module<'m> {
    /// The logical ID of the module resource in the parent.
    pub prefix: &'m str,
    /// Its span there: every node the module makes takes it.
    pub at: Span,
    /// The module's `Parameters`.
    pub parameters: Option<&'m Node>,
    /// The module's resource names, its own modules expanded (a resource
    /// of a module in the module is `SubVpc`).
    pub names: Vec<String>,
    /// The parent's `Properties`: the parameter values.
    pub given: Option<&'m Node>,
}

impl Module<'_> {
    fn named(&self, id: &str) -> bool {
        self.names.iter().any(|n| n == id)
    }

    /// The logical ID a module resource gets in the parent.
    pub fn rename(&self, id: &str) -> String {
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
    pub fn rewrite(&self, node: &Node) -> Node {
        if let Some((name, arg)) = node.as_intrinsic() {
            match name {
                "Ref" => {
                    if let Some(id) = arg.value.as_str() {
                        if let Some(v) = self.parameter(id) {
                            return v;
                        }
                        if self.named(id) {
                            return self.intrinsic("Ref", self.text(&self.rename(id)), node.style);
                        }
                    }
                }
                "Fn::GetAtt" => {
                    let renamed = match &arg.value.value {
                        Value::String(s) => s
                            .split_once('.')
                            .filter(|(id, _)| self.named(id))
                            .map(|(id, a)| self.text(&format!("{}.{a}", self.rename(id)))),
                        Value::Seq(items) => match items.first().and_then(Node::as_str) {
                            Some(id) if self.named(id) => {
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
                            // a module parameter the parent sets to one of its conditions
                            "Condition" => match e.value.as_str().and_then(|c| self.parameter(c)) {
                                Some(v) => v,
                                None => self.rewrite(&e.value),
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
            Some(id) if self.named(id) => self.text(&self.rename(id)),
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
                    match inlined.as_ref().and_then(sub_text) {
                        Some(value) => out.push_str(&value),
                        None if self.named(id) => match attr {
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

/// What a value the parent gives becomes inside a `Fn::Sub` string of
/// the module, as rain writes it: a scalar its text, `!Ref X`
/// `${X}`, `!GetAtt X.Y` `${X.Y}`, a `!Sub` string its text; `None` for
/// anything else (the variable is left as written).
pub(super) fn sub_text(value: &Node) -> Option<String> {
    if let Some(text) = value.scalar_text() {
        return Some(text);
    }
    let (name, arg) = value.as_intrinsic()?;
    match (name, &arg.value.value) {
        ("Ref", Value::String(x)) => Some(format!("${{{x}}}")),
        ("Fn::GetAtt", Value::String(x)) => Some(format!("${{{x}}}")),
        ("Fn::GetAtt", Value::Seq(items)) if items.len() == 2 => {
            Some(format!("${{{}.{}}}", items[0].as_str()?, items[1].as_str()?))
        }
        ("Fn::Sub", Value::String(text)) => Some(text.clone()),
        _ => None,
    }
}

/// True when rain leaves the module resource out: its `Metadata.Rain`
/// says `IfParam: P` and the parent does not set the module parameter `P`
/// (or sets it empty), or `IfNotParam: P` and the parent sets it (rain's
/// `cft/pkg/ifparams.go`; a parameter's `Default` does not count).
pub(super) fn omitted(resource: &Node, parameters: Option<&Node>, given: Option<&Node>) -> bool {
    let Some(rain) = resource.get("Metadata").and_then(|m| m.get("Rain")) else { return false };
    let is_parameter = |p: &str| parameters.and_then(|ps| ps.get(p)).is_some();
    let set = |p: &str| {
        given.and_then(|g| g.get(p)).is_some_and(|v| match &v.value {
            Value::String(s) | Value::Number(s) => !s.is_empty(),
            Value::Bool(_) => true,
            Value::Map(m) => !m.is_empty(),
            Value::Null | Value::Seq(_) => false,
        })
    };
    let when_set = rain.get("IfParam").and_then(Node::as_str).is_some_and(|p| is_parameter(p) && !set(p));
    let when_unset = rain.get("IfNotParam").and_then(Node::as_str).is_some_and(|p| is_parameter(p) && set(p));
    when_set || when_unset
}

/// Takes `IfParam` and `IfNotParam` out of a kept module resource's
/// `Metadata.Rain`, and what they leave empty, as rain does.
pub(super) fn strip_conditionals(resource: &mut Node) {
    let Value::Map(entries) = &mut resource.value else { return };
    let Some(meta) = entries.iter_mut().find(|e| e.key == "Metadata") else { return };
    let Value::Map(meta_entries) = &mut meta.value.value else { return };
    let Some(rain) = meta_entries.iter_mut().find(|e| e.key == "Rain") else { return };
    let Value::Map(rain_entries) = &mut rain.value.value else { return };
    rain_entries.retain(|e| e.key != "IfParam" && e.key != "IfNotParam");
    if rain_entries.is_empty() {
        meta_entries.retain(|e| e.key != "Rain");
    }
    if meta_entries.is_empty() {
        entries.retain(|e| e.key != "Metadata");
    }
}

/// Applies an `Overrides` entry to a module resource the way rain does
/// (`cft/pkg/overrides.go`, `internal/node/merge.go`): `Properties`,
/// `CreationPolicy`, `Metadata` and `UpdatePolicy` merged key by key
/// (a key that names a module parameter is skipped: the parameter sets
/// it), `DeletionPolicy`, `UpdateReplacePolicy` and `Condition` replaced,
/// `DependsOn` added to; anything else, and an override that is not a
/// mapping, is ignored.
pub(super) fn apply_override(resource: &mut Node, with: &Node, parameters: Option<&Node>) {
    for e in with.as_map().unwrap_or_default() {
        match e.key.as_str() {
            "Properties" | "CreationPolicy" | "Metadata" | "UpdatePolicy" => {
                let mut given = e.value.clone();
                if let Value::Map(entries) = &mut given.value {
                    entries.retain(|p| parameters.and_then(|ps| ps.get(&p.key)).is_none());
                }
                if resource.get(&e.key).is_none() {
                    set(resource, &e.key, given);
                } else if let Value::Map(entries) = &mut resource.value
                    && let Some(x) = entries.iter_mut().find(|x| x.key == e.key)
                {
                    merge(&mut x.value, &given);
                }
            }
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

/// Merges an override into a module value as rain does: mappings key by
/// key; a list keeps its items and gets the override's, a mapping item
/// merged into the first one that shares a key and value with it
/// (`Tags` gain a tag, and one with the same `Key` changes); anything else
/// is replaced.
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
        (Value::Seq(into), Value::Seq(from)) => {
            for item in from {
                let same = match &item.value {
                    Value::Map(_) => into.iter().position(|x| shares_a_pair(x, item)),
                    _ => None,
                };
                match same {
                    Some(i) => merge(&mut into[i], item),
                    None => into.push(item.clone()),
                }
            }
        }
        _ => *target = with.clone(),
    }
}

/// True when two mappings have a key with the same scalar value (rain
/// compares the scalar text, empty for anything else).
fn shares_a_pair(a: &Node, b: &Node) -> bool {
    let (Some(a), Some(b)) = (a.as_map(), b.as_map()) else { return false };
    let text = |n: &Node| n.scalar_text().unwrap_or_default();
    a.iter().any(|x| b.iter().any(|y| x.key == y.key && text(&x.value) == text(&y.value)))
}

pub(super) fn set(target: &mut Node, key: &str, value: Node) {
    if let Value::Map(entries) = &mut target.value {
        match entries.iter_mut().find(|e| e.key == key) {
            Some(e) => e.value = value,
            None => entries.push(Entry { key: key.to_string(), key_span: value.span, value }),
        }
    }
}
