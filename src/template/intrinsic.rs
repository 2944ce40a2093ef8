//! Argument shapes of intrinsic functions, shared by the checker and the
//! resolver.

use crate::source::{Node, Value};

/// A piece of an `Fn::Sub` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubPart<'a> {
    /// Literal text (`${!Literal}` already turned into `${Literal}`).
    Text(String),
    /// A `${Name}` or `${Resource.Attribute}` variable.
    Var(&'a str),
}

/// Splits an `Fn::Sub` string into text and variables. An unclosed `${`
/// stays literal text.
pub fn sub_parts(s: &str) -> Vec<SubPart<'_>> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(close) = after.find('}') else {
            text.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        if let Some(literal) = name.strip_prefix('!') {
            text.push_str("${");
            text.push_str(literal);
            text.push('}');
        } else {
            if !text.is_empty() {
                parts.push(SubPart::Text(std::mem::take(&mut text)));
            }
            parts.push(SubPart::Var(name.trim()));
        }
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(SubPart::Text(text));
    }
    parts
}

/// The arguments of `Fn::GetAtt`: `"A.B"` (split at the first dot, since
/// attribute names may hold dots) or `[A, B]`, where `B` may be a node to
/// resolve (`!Ref`). Returns the logical ID and the attribute node or text.
pub fn getatt_args(arg: &Node) -> Option<(String, GetAttName<'_>)> {
    match &arg.value {
        Value::String(s) => {
            let (id, attr) = s.split_once('.')?;
            (!id.is_empty() && !attr.is_empty()).then(|| (id.to_string(), GetAttName::Text(attr.to_string())))
        }
        Value::Seq(items) if items.len() == 2 => {
            let id = items[0].as_str()?.to_string();
            let attr = match &items[1].value {
                Value::String(s) => GetAttName::Text(s.clone()),
                _ if items[1].as_intrinsic().is_some() => GetAttName::Node(&items[1]),
                _ => return None,
            };
            Some((id, attr))
        }
        _ => None,
    }
}

/// The attribute part of `Fn::GetAtt`.
#[derive(Clone, Debug)]
pub enum GetAttName<'a> {
    /// A literal attribute name.
    Text(String),
    /// An intrinsic function that yields it.
    Node(&'a Node),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_parts_split_variables_and_literals() {
        assert_eq!(
            sub_parts("arn:${AWS::Partition}:s3:::${Bucket}/*"),
            vec![
                SubPart::Text("arn:".into()),
                SubPart::Var("AWS::Partition"),
                SubPart::Text(":s3:::".into()),
                SubPart::Var("Bucket"),
                SubPart::Text("/*".into())
            ]
        );
        assert_eq!(sub_parts("${!Literal}-x"), vec![SubPart::Text("${Literal}-x".into())]);
        assert_eq!(sub_parts("a ${unclosed"), vec![SubPart::Text("a ${unclosed".into())]);
        assert_eq!(sub_parts("${A.B}"), vec![SubPart::Var("A.B")]);
    }
}
