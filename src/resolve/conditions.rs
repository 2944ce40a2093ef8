//! The `Conditions` section: each condition evaluated once, on demand.
//!
//! Only the given parameter values (or defaults) are used, so 30 independent
//! conditions cost 30 evaluations, not 2^30 scenarios. A condition that
//! depends on a parameter without a value is undecidable (`None`).

use super::{CondState, Resolver, Val};
use crate::source::{Node, Value};

impl<'d> Resolver<'_, 'd> {
    /// The value of condition `name` (`None` when it cannot be decided).
    pub(super) fn condition(&mut self, name: &str) -> Option<bool> {
        let (i, body) = self.t.condition(name)?;
        match self.conds[i] {
            CondState::Done(v) => return v,
            // a cycle: CloudFormation rejects it; nothing to decide
            CondState::InProgress => return None,
            CondState::Unvisited => {}
        }
        self.conds[i] = CondState::InProgress;
        // a condition has one value: never the marks of an import name
        let record = std::mem::replace(&mut self.record, false);
        let marks = std::mem::replace(&mut self.marks, false);
        let v = self.cond_expr(body);
        self.record = record;
        self.marks = marks;
        self.conds[i] = CondState::Done(v);
        v
    }

    /// The parameter without a value that leaves condition `name`
    /// undecided (the first one, when several do).
    pub(super) fn condition_open(&mut self, name: &str) -> Option<super::Open> {
        // the parameters it reads, through the conditions it names
        let mut params = Vec::new();
        let mut seen = vec![name.to_string()];
        let mut next = 0;
        while let Some(c) = seen.get(next).cloned() {
            next += 1;
            if let Some((_, body)) = self.t.condition(&c) {
                collect_refs(body, &mut params);
                collect_conditions(body, &mut seen);
            }
        }
        params.into_iter().find_map(|p| {
            let p = self.t.parameter(&p)?;
            let open = p.default.is_none()
                && !self.ctx.parameters.contains_key(p.name)
                && !self.ctx.parameter_values.contains_key(p.name);
            open.then(|| self.open_parameter(p))
        })
    }

    /// Why condition `name` is undecidable, for messages.
    pub(super) fn condition_reason(&mut self, name: &str) -> String {
        let Some((_, body)) = self.t.condition(name) else {
            return format!("there is no condition `{name}`");
        };
        let mut params = Vec::new();
        collect_refs(body, &mut params);
        let missing: Vec<String> = params
            .into_iter()
            .filter(|p| {
                self.t.parameter(p).is_some_and(|p| p.default.is_none() && !self.ctx.parameters.contains_key(p.name))
            })
            .map(|p| format!("`{p}`"))
            .collect();
        if missing.is_empty() {
            "it depends on values that are unknown before deployment".to_string()
        } else {
            format!("parameter {} has no value; pass `--parameter`", missing.join(", "))
        }
    }

    pub(super) fn cond_expr(&mut self, node: &'d Node) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => return Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => return Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => return Some(false),
            _ => {}
        }
        let (name, entry) = node.as_intrinsic()?;
        let arg = &entry.value;
        match name {
            "Condition" => self.condition(arg.as_str()?),
            "Fn::Not" => {
                let items = arg.as_seq()?;
                Some(!self.cond_expr(items.first()?)?)
            }
            "Fn::And" | "Fn::Or" => {
                let is_and = name == "Fn::And";
                let mut undecided = false;
                for item in arg.as_seq()? {
                    match self.cond_expr(item) {
                        Some(v) if v != is_and => return Some(v),
                        Some(_) => {}
                        None => undecided = true,
                    }
                }
                if undecided { None } else { Some(is_and) }
            }
            "Fn::Equals" => {
                let items = arg.as_seq()?;
                let [a, b] = items else { return None };
                let a = self.value(a);
                let b = self.value(b);
                equal(&a.val, &b.val)
            }
            _ => None,
        }
    }
}

/// `Fn::Equals` on resolved values (`None` when either side is unknown).
fn equal(a: &Val, b: &Val) -> Option<bool> {
    let text = |v: &Val| -> Option<String> {
        match v {
            Val::Str(s) | Val::Num(s) => Some(s.clone()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Null => Some(String::new()),
            _ => None,
        }
    };
    match (a, b) {
        (Val::List(x), Val::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y) {
                if !equal(&p.val, &q.val)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        _ => Some(text(a)? == text(b)?),
    }
}

/// Names used by `Ref` in a subtree.
fn collect_refs(node: &Node, out: &mut Vec<String>) {
    if let Some(("Ref", e)) = node.as_intrinsic()
        && let Some(s) = e.value.as_str()
    {
        out.push(s.to_string());
        return;
    }
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| collect_refs(i, out)),
        Value::Map(entries) => entries.iter().for_each(|e| collect_refs(&e.value, out)),
        _ => {}
    }
}

/// The names of the conditions a condition expression names
/// (`{Condition: Name}`), added to `out` once each.
fn collect_conditions(node: &Node, out: &mut Vec<String>) {
    if let Some(("Condition", e)) = node.as_intrinsic()
        && let Some(s) = e.value.as_str()
    {
        if !out.iter().any(|c| c == s) {
            out.push(s.to_string());
        }
        return;
    }
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| collect_conditions(i, out)),
        Value::Map(entries) => entries.iter().for_each(|e| collect_conditions(&e.value, out)),
        _ => {}
    }
}
