//! Rain constants: the `Rain: {Constants: …}` section of a template or a
//! module (or a top-level `Constants:`, as AWS CLI-style modules write it),
//! replaced where they are used the way `rain pkg` does (rain's
//! `cft/pkg/constants.go`): `!Rain::Constant Name` and `!Ref Const::Name`
//! become the constant's value, `${Rain::Name}` and `${Const::Name}` in a
//! `Fn::Sub` string its text. Constants are read in order, and each may
//! use the ones before it.

use super::super::intrinsic::{SubPart, sub_parts};
use super::directive;
use crate::source::{Node, Value};

/// The constants of a template or module, in order.
pub(super) type Constants = Vec<(String, Node)>;

/// Takes the constants out of `root` (rain removes the `Rain` section and
/// a top-level `Constants`), each value with the earlier constants in it.
pub(super) fn take(root: &mut Node) -> Constants {
    let mut out: Constants = Vec::new();
    let Value::Map(entries) = &mut root.value else { return out };
    let mut sections = Vec::new();
    entries.retain(|e| match e.key.as_str() {
        "Rain" => {
            sections.extend(e.value.get("Constants").cloned());
            false
        }
        "Constants" => {
            sections.push(e.value.clone());
            false
        }
        _ => true,
    });
    for section in sections {
        for e in section.as_map().unwrap_or_default() {
            let mut value = e.value.clone();
            in_every_string(&mut value, &out);
            out.push((e.key.clone(), value));
        }
    }
    out
}

/// True when `root` declares constants.
pub(super) fn declared(root: &Node) -> bool {
    root.get("Constants").is_some() || root.get("Rain").and_then(|r| r.get("Constants")).is_some()
}

fn find<'c>(constants: &'c Constants, name: &str) -> Option<&'c Node> {
    constants.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Replaces the constants used under `node`.
pub(super) fn apply(node: &mut Node, constants: &Constants) {
    if constants.is_empty() {
        return;
    }
    let by_directive = directive(node, "Constant").and_then(Node::as_str).and_then(|n| find(constants, n));
    let by_ref = match node.as_intrinsic() {
        Some(("Ref", arg)) => {
            arg.value.as_str().and_then(|r| r.strip_prefix("Const::")).and_then(|n| find(constants, n))
        }
        _ => None,
    };
    if let Some(value) = by_directive.or(by_ref) {
        let span = node.span;
        *node = value.clone();
        node.span = span;
        return;
    }
    if let Value::Map(entries) = &mut node.value
        && let [e] = entries.as_mut_slice()
        && e.key == "Fn::Sub"
    {
        match &mut e.value.value {
            Value::String(text) => *text = substituted(text, constants),
            Value::Seq(items) => {
                if let Some(Value::String(text)) = items.first_mut().map(|t| &mut t.value) {
                    *text = substituted(text, constants);
                }
                items.iter_mut().skip(1).for_each(|i| apply(i, constants));
            }
            _ => apply(&mut e.value, constants),
        }
        return;
    }
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().for_each(|e| apply(&mut e.value, constants)),
        Value::Seq(items) => items.iter_mut().for_each(|i| apply(i, constants)),
        _ => {}
    }
}

/// A constant's value: the earlier constants in every string of it (rain
/// reads each scalar of a constant as a `Fn::Sub` string).
fn in_every_string(node: &mut Node, constants: &Constants) {
    match &mut node.value {
        Value::String(text) if text.contains("${") => *text = substituted(text, constants),
        Value::Map(entries) => entries.iter_mut().for_each(|e| in_every_string(&mut e.value, constants)),
        Value::Seq(items) => items.iter_mut().for_each(|i| in_every_string(i, constants)),
        _ => {}
    }
}

/// A `Fn::Sub` string with `${Rain::X}` and `${Const::X}` of scalar
/// constants replaced by their text; everything else as written.
fn substituted(text: &str, constants: &Constants) -> String {
    if !text.contains("Rain::") && !text.contains("Const::") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for part in sub_parts(text) {
        match part {
            SubPart::Text(t) => out.push_str(&t.replace("${", "${!")),
            SubPart::Var(v) => {
                let name = v.strip_prefix("Rain::").or_else(|| v.strip_prefix("Const::"));
                match name.and_then(|n| find(constants, n)).and_then(Node::scalar_text) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&format!("${{{v}}}")),
                }
            }
        }
    }
    out
}
