//! JSON from the account state (policy documents) as resolved values, so
//! the identity and endpoint-policy hops read them like a template's.

use crate::resolve::{REntry, RNode, Val};
use crate::source::Span;

/// `v` as a resolved value whose every node is at `span` (the template node
/// that names the deployed resource it belongs to).
pub(super) fn rnode(v: &serde_json::Value, span: Span) -> RNode {
    use serde_json::Value;
    let val = match v {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => Val::Num(n.to_string()),
        Value::String(s) => Val::Str(s.clone()),
        Value::Array(items) => Val::List(items.iter().map(|i| rnode(i, span)).collect()),
        Value::Object(map) => Val::Map(
            map.iter().map(|(k, v)| REntry { key: k.clone(), key_span: span, value: rnode(v, span) }).collect(),
        ),
    };
    RNode::new(span, val)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_json_shape() {
        let v =
            serde_json::json!({"Statement": [{"Effect": "Allow", "Action": ["ssm:*"], "N": 1, "B": true, "Z": null}]});
        let n = rnode(&v, Span::default());
        let st = &n.get("Statement").and_then(RNode::as_list).expect("list")[0];
        assert_eq!(st.get("Effect").and_then(RNode::text), Some("Allow"));
        assert_eq!(st.get("N").and_then(RNode::as_i64), Some(1));
        assert_eq!(st.get("B").and_then(RNode::as_bool), Some(true));
        assert_eq!(st.get("Z").map(|z| &z.val), Some(&Val::Null));
        assert_eq!(st.get("Action").and_then(RNode::as_list).map(<[RNode]>::len), Some(1));
    }
}
