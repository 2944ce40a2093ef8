//! What the transform does to the strings of a loop body: identifiers
//! substituted in keys and `Fn::Sub`, `Ref` of an identifier replaced by its
//! value, and an `Fn::Sub` left without variables replaced by its text
//! (Fn::ForEach, "Identifier" and "OutputKey"; RFC 0009: only OutputKeys
//! are an implicit `Fn::Sub`, so a plain string value is left as written).

use super::Binding;
use crate::source::{Node, Style, Value};
use crate::template::intrinsic::{SubPart, sub_parts};

/// `${Identifier}` → the value and `&{Identifier}` → the value without its
/// non-alphanumeric characters, for every identifier in scope.
pub(super) fn substitute(text: &str, scope: &[Binding<'_>]) -> String {
    if scope.is_empty() || !(text.contains("${") || text.contains("&{")) {
        return text.to_string();
    }
    let mut out = text.to_string();
    for b in scope {
        out = out.replace(&format!("${{{}}}", b.identifier), &b.value);
        let stripped: String = b.value.chars().filter(char::is_ascii_alphanumeric).collect();
        out = out.replace(&format!("&{{{}}}", b.identifier), &stripped);
    }
    out
}

/// What the transform resolves inside a loop: `Ref` to an identifier is its
/// value, and an `Fn::Sub` left without variables is its text (so
/// `!Ref {Fn::Sub: 'Subnet${Name}'}` becomes `!Ref SubnetA`).
pub(super) fn simplify(node: Node, scope: &[Binding<'_>]) -> Node {
    let Some((name, entry)) = node.as_intrinsic() else { return node };
    let string = |text: String| Node { span: node.span, style: Style::Quoted, value: Value::String(text) };
    match (name, &entry.value.value) {
        ("Ref", Value::String(target)) => match scope.iter().rev().find(|b| b.identifier == target) {
            Some(b) => string(b.value.clone()),
            None => node,
        },
        ("Fn::Sub", Value::String(text)) => {
            let text = substitute(text, scope);
            match plain(&text) {
                Some(t) => string(t),
                None => with_sub_text(node, text, None),
            }
        }
        ("Fn::Sub", Value::Seq(items)) if items.len() == 2 => match items[0].as_str() {
            Some(text) => {
                let text = substitute(text, scope);
                match plain(&text) {
                    Some(t) => string(t),
                    None => with_sub_text(node, text, Some(0)),
                }
            }
            None => node,
        },
        _ => node,
    }
}

/// The text of an `Fn::Sub` string that has no variables left.
fn plain(text: &str) -> Option<String> {
    let parts = sub_parts(text);
    parts
        .iter()
        .all(|p| matches!(p, SubPart::Text(_)))
        .then(|| parts.into_iter().map(|p| if let SubPart::Text(t) = p { t } else { String::new() }).collect())
}

/// `node` (an `Fn::Sub`) with its string replaced by `text` (the string is
/// item `index` of the argument list, or the argument itself).
fn with_sub_text(mut node: Node, text: String, index: Option<usize>) -> Node {
    if let Value::Map(entries) = &mut node.value
        && let Some(e) = entries.first_mut()
    {
        let target = match (index, &mut e.value.value) {
            (None, _) => Some(&mut e.value),
            (Some(i), Value::Seq(items)) => items.get_mut(i),
            _ => None,
        };
        if let Some(t) = target {
            t.value = Value::String(text);
        }
    }
    node
}
