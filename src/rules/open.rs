//! PN005: one note per value the template leaves open.
//!
//! A subnet passed as a parameter leaves every check of every workload in
//! it `unknown`, through several hops each. The user has one thing to give,
//! so there is one note: at the value (a parameter at its declaration in
//! `Parameters`; an import, an ID or the default VPC at its first use),
//! naming every workload and check it decides, with advice that decides it
//! (a `--parameter` value privnet-lint can use, the exporting template in
//! the same run, or the account's saved state). A value that decides no
//! verdict (every check it is on already fails for a certain reason, or
//! there is no workload) gets no note. Resources whose `Condition` cannot
//! be decided are analyzed as if they exist; their condition's parameter
//! gets the note when one of them lies on a workload's path.

use std::collections::HashMap;

use crate::finding::{Code, Finding};
use crate::reach::{Blocker, Check, PathTrace, Status, Verdict, WorkloadResult};
use crate::resolve::{Open, Unknown};
use crate::source::Span;
use crate::stacks;

/// A resource whose `Condition` cannot be decided: it is analyzed as if
/// it exists.
#[derive(Clone, Debug)]
pub struct Conditional<'a> {
    /// Its logical ID.
    pub id: &'a str,
    /// From its logical ID to the end of its body.
    pub extent: Span,
    /// Why its condition cannot be decided, and the value that would.
    pub unknown: &'a Unknown,
    /// The resources whose properties reference it.
    pub referrers: Vec<&'a str>,
}

/// Which check of a workload; `dnf` with the package manager and
/// repository of the workload's AMI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Which {
    Dnf((&'static str, &'static str)),
    Ssm,
    Download,
}

/// What a note is about: a value the user can give, or (when none) the
/// place of the unknown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// The value; the default VPC is one per template (its label).
    Value(Open, String),
    /// An unknown no single value decides, at its place.
    At(Span),
}

#[derive(Default)]
struct Note {
    /// The first blocker: where a value without a declaration is located.
    first: Option<Blocker>,
    dnf: Vec<String>,
    /// The package manager and repository of each `dnf` workload's AMI.
    repos: Vec<(&'static str, &'static str)>,
    ssm: Vec<String>,
    downloads: Vec<String>,
    /// Resources whose existence the value decides.
    conditional: Vec<String>,
    /// The imports a stack-name parameter leaves open, as written.
    imports: Vec<String>,
}

impl Note {
    fn list(&mut self, which: Which) -> &mut Vec<String> {
        match which {
            Which::Dnf(repo) => {
                if !self.repos.contains(&repo) {
                    self.repos.push(repo);
                }
                &mut self.dnf
            }
            Which::Ssm => &mut self.ssm,
            Which::Download => &mut self.downloads,
        }
    }
    fn decides(&mut self, which: Which, workload: &str) {
        let list = self.list(which);
        if !list.iter().any(|w| w == workload) {
            list.push(workload.to_string());
        }
    }
}

/// The PN005 notes of one template, collected from the checks.
#[derive(Default)]
pub(super) struct Notes {
    order: Vec<Key>,
    notes: HashMap<Key, Note>,
}

impl Notes {
    fn note(&mut self, key: Key) -> &mut Note {
        if !self.notes.contains_key(&key) {
            self.order.push(key.clone());
        }
        self.notes.entry(key).or_default()
    }

    /// An open hop of `check` of workload `w`: noted when the check's
    /// verdict depends on it (the check is `unknown`).
    pub(super) fn hop(&mut self, w: &str, which: Which, check: &Check, b: &Blocker, open: Option<&Open>) {
        if check.status != Status::Unknown {
            return;
        }
        let key = match open {
            Some(Open::DefaultVpc) => Key::Value(Open::DefaultVpc, stacks::label_of(w).unwrap_or("").to_string()),
            Some(o) => Key::Value(o.deciding(), String::new()),
            None => Key::At(b.span),
        };
        let note = self.note(key);
        note.first.get_or_insert_with(|| b.clone());
        note.decides(which, w);
        if let Some(Open::ParentStack(p)) = open
            && !note.imports.contains(&p.import)
        {
            note.imports.push(p.import.clone());
        }
    }

    /// Resources whose condition cannot be decided, where they lie on a
    /// path of a check that does not already fail for certain.
    pub(super) fn conditions(&mut self, results: &[WorkloadResult], conditionals: &[Conditional<'_>]) {
        for c in conditionals {
            for w in results {
                let repo = (w.image.package_manager(), w.image.repository_name());
                for (which, check) in [(Which::Dnf(repo), &w.dnf), (Which::Ssm, &w.ssm)] {
                    if matches!(check.status, Status::Unreachable | Status::NotApplicable)
                        || !on_path(c, &w.resource, check)
                    {
                        continue;
                    }
                    let key = match &c.unknown.open {
                        Some(o) => Key::Value(o.deciding(), String::new()),
                        None => Key::At(c.unknown.span),
                    };
                    let note = self.note(key);
                    note.first.get_or_insert_with(|| Blocker {
                        code: Code::PN005,
                        span: c.unknown.span,
                        resource: Some(c.id.to_string()),
                        why: format!("{}; it is analyzed as if it exists", c.unknown.reason),
                        fix: "Pass the parameter values with `--parameter` to decide the condition.".into(),
                    });
                    note.decides(which, &w.resource);
                    if !note.conditional.iter().any(|r| r == c.id) {
                        note.conditional.push(c.id.to_string());
                    }
                }
            }
        }
    }

    /// One finding per value that decides a verdict.
    pub(super) fn findings(mut self) -> Vec<Finding> {
        let mut out = Vec::new();
        for key in std::mem::take(&mut self.order) {
            let Some(note) = self.notes.remove(&key) else { continue };
            let Some(first) = note.first.clone() else { continue };
            let mut users = note.dnf.clone();
            for w in note.ssm.iter().chain(&note.downloads) {
                if !users.contains(w) {
                    users.push(w.clone());
                }
            }
            let (span, resource, what, fix) = match &key {
                Key::Value(open, _) => {
                    let (span, resource) = match open {
                        Open::Parameter { name, declared, scope, .. } => (*declared, Some(labelled(scope, name))),
                        Open::ParentStack(p) => (p.declared, Some(labelled(&p.scope, &p.parameter))),
                        _ => (first.span, first.resource.clone()),
                    };
                    (span, resource, describe(open, &first, &users, &note.imports), crate::reach::open::advice(open))
                }
                Key::At(_) => (first.span, first.resource.clone(), first.why.clone(), first.fix.clone()),
            };
            let mut message = format!("{}: {what}", super::subject(&note.dnf, &note.repos, &note.ssm, true));
            if note.dnf.is_empty() && note.ssm.is_empty() {
                message = format!("what UserData of {} downloads cannot be verified: {what}", super::names(&users));
            }
            if !note.conditional.is_empty() && !matches!(key, Key::At(_)) {
                let (verb, whose, as_if) = if note.conditional.len() == 1 {
                    ("exists", "its `Condition`", "it does")
                } else {
                    ("exist", "their `Condition`", "they do")
                };
                message.push_str(&format!(
                    ", which decides whether {} {verb} ({whose}; analyzed as if {as_if})",
                    super::names(&note.conditional)
                ));
            }
            let mut f = Finding::new(Code::PN005, Some(span), message).fix(fix);
            f.resource = resource;
            out.push(f);
        }
        out
    }
}

/// A parameter's name as seen from the template analyzed (`scope` is
/// empty for its own).
fn labelled(scope: &str, name: &str) -> String {
    if scope.is_empty() { name.to_string() } else { stacks::labelled(scope, name) }
}

/// Whether conditional resource `c` lies on a required path of `check` of
/// workload `w`: it is the workload, the workload references it, or a hop
/// is decided by it or located in it.
fn on_path(c: &Conditional<'_>, w: &str, check: &Check) -> bool {
    if c.id == w || c.referrers.contains(&w) {
        return true;
    }
    let within = |s: Span| c.extent.start.offset <= s.start.offset && s.end.offset <= c.extent.end.offset;
    check.required_paths().any(|p: &PathTrace| {
        p.via.as_deref() == Some(c.id)
            || p.hops.iter().any(|h| {
                h.resource.as_deref() == Some(c.id)
                    || h.span.is_some_and(within)
                    || h.blocker.as_ref().is_some_and(|b| b.resource.as_deref() == Some(c.id))
                    || (h.verdict == Verdict::Unknown && h.blocker.as_ref().is_some_and(|b| within(b.span)))
            })
    })
}

/// The open value, in the words every PN005 uses (`imports`: those a
/// stack-name parameter leaves open).
fn describe(open: &Open, first: &Blocker, users: &[String], imports: &[String]) -> String {
    match open {
        Open::Parameter { name, ty, .. } => format!("parameter `{name}` ({ty}) has no value and no `Default`"),
        Open::ParentStack(p) => {
            let (parameter, exporters, lacking) = (&p.parameter, &p.exporters, &p.lacking);
            let names: Vec<String> = imports.iter().map(|i| format!("`{i}`")).collect();
            let them = if imports.len() == 1 { "it" } else { "them" };
            let whose = format!(
                "parameter `{parameter}` has no value and names the stack {} {} {} from",
                if imports.len() == 1 { "the import" } else { "the imports" },
                super::listed(&names),
                if imports.len() == 1 { "reads" } else { "read" }
            );
            if exporters.len() > 1 {
                format!(
                    "{whose}, and {} templates of this run export {them} ({}), so which stack it names is open",
                    exporters.len(),
                    exporters.join(", ")
                )
            } else if !lacking.is_empty() {
                format!(
                    "{whose}, and no template of this run exports every name it is used for ({})",
                    lacking.join("; ")
                )
            } else {
                format!("{whose}, and no template of this run exports {them}")
            }
        }
        Open::Undefined { name, .. } => {
            format!("`{name}` is not defined in this template (a module or macro that rewrites it may add it)")
        }
        Open::Import { name } => {
            format!("`Fn::ImportValue {name}` names an export of another stack, and no template of this run exports it")
        }
        Open::Exporters { name, templates } => format!(
            "`Fn::ImportValue {name}` names an export that {} templates of this run provide ({}), so which stack it reads is open",
            templates.len(),
            templates.join(", ")
        ),
        Open::Id { id } => format!("`{id}` is outside the template: it names a resource of the account"),
        Open::State { what, call } => format!("the account state does not say {what} (no `{call}` output for it)"),
        Open::DefaultVpc if users.len() > 1 => format!(
            "{} name no subnet, so they launch in default subnets of the account's default VPC, which the template does not describe",
            super::names(users)
        ),
        Open::DefaultVpc => format!(
            "{} names no subnet, so it launches in a default subnet of the account's default VPC, which the template does not describe",
            users.first().map_or(first.resource.as_deref().unwrap_or("the workload"), String::as_str)
        ),
    }
}
