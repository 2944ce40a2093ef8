//! Module outputs: a module's `Outputs` are not outputs of the stack, but
//! values the template that uses the module reads as `!GetAtt Name.Output`
//! or `${Name.Output}` in a `Fn::Sub` (rain's `cft/pkg/outputs.go`). Once
//! the module is expanded, each such reference becomes the output's
//! `Value`, written in the parent's names.

use std::collections::HashMap;

use super::super::intrinsic::{SubPart, sub_parts};
use super::rewrite::sub_text;
use crate::source::{Node, Value};

/// The outputs of the modules one template or module uses: module name →
/// output name → its value in the parent's names.
pub(super) type Outputs = HashMap<String, HashMap<String, Node>>;

fn find<'o>(outputs: &'o Outputs, reference: &str) -> Option<&'o Node> {
    let (module, output) = reference.split_once('.')?;
    outputs.get(module)?.get(output)
}

/// Replaces the references to module outputs under `node`.
pub(super) fn replace(node: &mut Node, outputs: &Outputs) {
    if outputs.is_empty() {
        return;
    }
    if let Some((name, arg)) = node.as_intrinsic() {
        match name {
            "Fn::GetAtt" => {
                let reference = match &arg.value.value {
                    Value::String(s) => Some(s.clone()),
                    Value::Seq(items) if items.len() == 2 => {
                        items[0].as_str().zip(items[1].as_str()).map(|(m, o)| format!("{m}.{o}"))
                    }
                    _ => None,
                };
                if let Some(value) = reference.as_deref().and_then(|r| find(outputs, r)) {
                    *node = value.clone();
                    return;
                }
            }
            "Fn::Sub" => {
                if let Value::Map(entries) = &mut node.value
                    && let Some(e) = entries.first_mut()
                {
                    match &mut e.value.value {
                        Value::String(text) => *text = substituted(text, outputs),
                        Value::Seq(items) => {
                            if let Some(Value::String(text)) = items.first_mut().map(|t| &mut t.value) {
                                *text = substituted(text, outputs);
                            }
                            items.iter_mut().skip(1).for_each(|i| replace(i, outputs));
                        }
                        _ => replace(&mut e.value, outputs),
                    }
                }
                return;
            }
            _ => {}
        }
    }
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().for_each(|e| replace(&mut e.value, outputs)),
        Value::Seq(items) => items.iter_mut().for_each(|i| replace(i, outputs)),
        _ => {}
    }
}

/// A `Fn::Sub` string with `${Module.Output}` replaced where the output
/// can be written there (a scalar, a `Ref`, a `GetAtt`, a `Sub` string).
fn substituted(text: &str, outputs: &Outputs) -> String {
    let parts = sub_parts(text);
    if !parts.iter().any(|p| matches!(p, SubPart::Var(v) if find(outputs, v).is_some())) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for part in parts {
        match part {
            SubPart::Text(t) => out.push_str(&t.replace("${", "${!")),
            SubPart::Var(v) => match find(outputs, v).and_then(sub_text) {
                Some(value) => out.push_str(&value),
                None => out.push_str(&format!("${{{v}}}")),
            },
        }
    }
    out
}
