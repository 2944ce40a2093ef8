//! Suppression through template metadata (SPEC §1):
//! `Metadata: {privnet-lint: {ignore: [PN204, ...]}}` at template level
//! silences those codes file-wide; on a resource, for findings located on
//! that resource. A suppression that silences nothing gets a PN007 note, so
//! stale ones get cleaned up.

use crate::finding::{Code, Finding};
use crate::source::{Node, Span};
use crate::template::Template;

struct Suppression {
    code: Option<Code>,
    text: String,
    span: Span,
    /// `None`: file-wide; else the resource's logical ID and extent.
    scope: Option<(String, Span)>,
    used: bool,
}

fn entries(metadata: Option<&Node>, scope: Option<(String, Span)>, out: &mut Vec<Suppression>) {
    let Some(list) = metadata.and_then(|m| m.get("privnet-lint")).and_then(|p| p.get("ignore")) else { return };
    let items: Vec<&Node> = match list.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![list],
    };
    for item in items {
        if let Some(text) = item.scalar_text() {
            out.push(Suppression {
                code: Code::lookup(text.trim()),
                text,
                span: item.span,
                scope: scope.clone(),
                used: false,
            });
        }
    }
}

/// Removes suppressed findings and adds PN007 for unused suppressions.
pub fn apply(t: &Template<'_>, findings: Vec<Finding>) -> Vec<Finding> {
    let mut rules = Vec::new();
    entries(t.metadata, None, &mut rules);
    for r in &t.resources {
        let extent = Span { start: r.span.start, end: r.node.span.end.max(r.span.end) };
        entries(r.metadata, Some((r.id.to_string(), extent)), &mut rules);
    }
    if rules.is_empty() {
        return findings;
    }
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let mut suppressed = false;
        for s in rules.iter_mut() {
            if s.code != Some(f.code) {
                continue;
            }
            let applies = match &s.scope {
                None => true,
                Some((id, extent)) => {
                    f.resource.as_deref() == Some(id.as_str())
                        || f.span.is_some_and(|sp| {
                            extent.start.offset <= sp.start.offset && sp.start.offset < extent.end.offset
                        })
                }
            };
            if applies {
                s.used = true;
                suppressed = true;
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    for s in rules.iter().filter(|s| !s.used) {
        let message = match (s.code, &s.scope) {
            (None, _) => format!("`{}` in `privnet-lint: ignore` names no rule", s.text),
            (Some(c), None) => format!("`ignore: {c}` suppresses nothing in this file (for this region): remove it"),
            (Some(c), Some((id, _))) => {
                format!("`ignore: {c}` on {id} suppresses nothing (for this region): remove it")
            }
        };
        let mut f = Finding::new(Code::PN007, Some(s.span), message).fix("Delete this entry from the `ignore` list.");
        f.resource = s.scope.as_ref().map(|(id, _)| id.clone());
        kept.push(f);
    }
    kept
}
