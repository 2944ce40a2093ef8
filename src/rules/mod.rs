//! The sixth stage: findings.
//!
//! Turns the simulator's blockers into findings (one per rule and location,
//! naming every workload it affects) and adds the findings about the model
//! itself: standalone egress rules that drop the default (PN204), endpoints
//! on the default group (PN205), prefix lists of another region (PN206,
//! PN207), rules CloudFormation drops (PN208, PN209), endpoints that cannot
//! be created (PN404, PN408, PN410), and circular dependencies between
//! resources, from the resource graph (PN008). The rule table and documentation come
//! from `rules/*.md` (see [`crate::finding`]).

pub mod cdk;
mod dependencies;
pub mod deployed;
mod model;
mod open;

use std::collections::HashMap;

pub use dependencies::cycle_findings;
pub use model::model_findings;
pub use open::Conditional;
use open::{Notes, Which};

use crate::finding::{Code, Finding};
use crate::reach::userdata::Download;
use crate::reach::{Blocker, Check, Verdict, WorkloadResult};
use crate::resolve::{Open, listed};
use crate::source::{Span, UrlLocator};

#[derive(Default)]
struct Group {
    blocker: Option<Blocker>,
    dnf: Vec<String>,
    /// The package manager and repository of each `dnf` workload's AMI.
    repos: Vec<(&'static str, &'static str)>,
    ssm: Vec<String>,
    downloads: Vec<String>,
    unknown: bool,
    note: bool,
}

/// Findings from the traced paths: every blocker of a deciding path, and
/// the notes of each check, merged per rule and location; PN005 once per
/// open value that decides a verdict, the undecidable `Condition`s of
/// `conditionals` included ([`open`]). `text` (the template) lets UserData
/// findings point at the line of their URL.
pub fn path_findings(results: &[WorkloadResult], text: Option<&str>, conditionals: &[Conditional<'_>]) -> Vec<Finding> {
    let mut order: Vec<(Code, Span)> = Vec::new();
    let mut groups: HashMap<(Code, Span), Group> = HashMap::new();
    let mut notes = Notes::default();
    let mut locator = text.map(UrlLocator::new);
    for w in results {
        let mut checks: Vec<(&Check, Option<bool>, Option<&Download>)> =
            vec![(&w.dnf, Some(true), None), (&w.ssm, Some(false), None)];
        checks.extend(w.downloads.iter().map(|(d, c)| (c, None, Some(d))));
        let repo = (w.image.package_manager(), w.image.repository_name());
        for (check, is_dnf, download) in checks {
            for (b, verdict, open) in blockers(check) {
                if b.code == Code::PN005 && verdict == Verdict::Unknown {
                    let which = match is_dnf {
                        Some(true) => Which::Dnf(repo),
                        Some(false) => Which::Ssm,
                        None => Which::Download,
                    };
                    notes.hop(&w.resource, which, check, b, open);
                    continue;
                }
                if b.code == Code::PN003 {
                    // a name the template does not define: the template's
                    // own check reports it there (its PN003 is the reason)
                    continue;
                }
                let mut b = b.clone();
                if let (Some(d), Some(locator)) = (download, locator.as_mut())
                    && d.at.is_none()
                    && let Some(span) = locator.locate(b.span, &d.url, &d.line)
                {
                    b.span = span;
                }
                let b = &b;
                let key = (b.code, b.span);
                let g = groups.entry(key).or_insert_with(|| {
                    order.push(key);
                    Group::default()
                });
                if is_dnf == Some(true) && !g.repos.contains(&repo) {
                    g.repos.push(repo);
                }
                let list = match is_dnf {
                    Some(true) => &mut g.dnf,
                    Some(false) => &mut g.ssm,
                    None => &mut g.downloads,
                };
                // one workload's blockers come together: a repeat is the last one
                if list.last() != Some(&w.resource) {
                    list.push(w.resource.clone());
                }
                g.unknown |= verdict == Verdict::Unknown;
                g.note |= check.notes.iter().any(|n| n.code == b.code && n.span == b.span);
                if g.blocker.is_none() {
                    g.blocker = Some(b.clone());
                }
            }
        }
    }
    let untraced = results.iter().filter(|w| w.untraced_downloads > 0).map(|w| {
        Finding::new(
            Code::PN005,
            Some(w.span),
            format!(
                "UserData of {} downloads from {} distinct URLs: privnet-lint traced the first {} and did not check the other {}",
                w.resource,
                w.downloads.len() + w.untraced_downloads,
                w.downloads.len(),
                w.untraced_downloads
            ),
        )
        .on(&w.resource)
        .fix("Download from fewer places (a package repository, or one archive from S3), or bake the files into the AMI.")
    });
    let untraced: Vec<Finding> = untraced.collect();
    order
        .into_iter()
        .filter_map(|key| {
            let g = groups.remove(&key)?;
            let b = g.blocker?;
            let message = if g.note || !g.downloads.is_empty() {
                b.why.clone()
            } else {
                format!("{}: {}", subject(&g.dnf, &g.repos, &g.ssm, g.unknown), b.why)
            };
            let mut f = Finding::new(b.code, Some(b.span), message).fix(b.fix.clone());
            f.resource = b.resource.clone();
            Some(f)
        })
        .chain(untraced)
        .chain({
            notes.conditions(results, conditionals);
            notes.findings()
        })
        .collect()
}

/// The blockers of the paths that decide a check (with the open value
/// behind an unknown hop), and its notes.
fn blockers(check: &Check) -> Vec<(&Blocker, Verdict, Option<&Open>)> {
    let mut out = Vec::new();
    for p in check.required_paths() {
        for h in &p.hops {
            if let Some(b) = &h.blocker
                && h.verdict != Verdict::Pass
            {
                out.push((b, h.verdict, h.open.as_ref()));
            }
        }
    }
    out.extend(check.notes.iter().map(|n| (n, Verdict::Unknown, None)));
    out
}

fn names(list: &[String]) -> String {
    match list.len() {
        0 => String::new(),
        1..=3 => list.join(", "),
        n => format!("{}, {} and {} more", list[0], list[1], n - 2),
    }
}

/// Who fails: "dnf on Instance cannot reach the Amazon Linux repository",
/// "apt on Ubuntu …", "dnf and Session Manager fail on …". `repos` are the
/// package managers and repositories of the `dnf` workloads' AMIs.
fn subject(dnf: &[String], repos: &[(&str, &str)], ssm: &[String], unknown: bool) -> String {
    let (tool, repo) = match repos {
        [(tool, repo)] => (*tool, *repo),
        _ => ("the package manager", "its repository"),
    };
    match (dnf.is_empty(), ssm.is_empty(), unknown) {
        (false, true, false) => format!("{tool} on {} cannot reach {repo}", names(dnf)),
        (true, false, false) => format!("Session Manager cannot reach {}", names(ssm)),
        (false, true, true) => format!("{tool} on {} cannot be verified", names(dnf)),
        (true, false, true) => format!("Session Manager to {} cannot be verified", names(ssm)),
        (_, _, false) => {
            if dnf == ssm {
                format!("{tool} and Session Manager fail on {}", names(dnf))
            } else {
                format!("{tool} on {} and Session Manager on {} fail", names(dnf), names(ssm))
            }
        }
        (_, _, true) => {
            if dnf == ssm {
                format!("{tool} and Session Manager on {} cannot be verified", names(dnf))
            } else {
                format!("{tool} on {} and Session Manager on {} cannot be verified", names(dnf), names(ssm))
            }
        }
    }
}

/// Merges findings with the same rule, location and resource (the first
/// one's message wins) and sorts them by position, then code. Resources a
/// `Fn::ForEach` loop made share their location, the loop body: each keeps
/// its finding.
pub fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut seen: HashMap<(Code, Option<Span>, Option<String>), usize> = HashMap::new();
    for f in findings {
        let key = (f.code, f.span, f.resource.clone());
        if seen.contains_key(&key) {
            continue;
        }
        seen.insert(key, out.len());
        out.push(f);
    }
    out.sort_by(|a, b| {
        let pa = a.span.map(|s| (s.start.line, s.start.column));
        let pb = b.span.map(|s| (s.start.line, s.start.column));
        pa.cmp(&pb).then(a.code.cmp(&b.code))
    });
    out
}

/// Says which loop iteration made each resource a message names, at its
/// first mention: `InstanceA` becomes `InstanceA (Fn::ForEach::Instances,
/// A)`. `origins` maps the logical IDs of resources made by loops to their
/// iteration.
pub fn name_iterations(findings: &mut [Finding], origins: &HashMap<&str, String>) {
    if origins.is_empty() {
        return;
    }
    for f in findings {
        let mut at: Vec<(usize, &str, &str)> = origins
            .iter()
            .filter_map(|(id, origin)| mention(&f.message, id).map(|i| (i, *id, origin.as_str())))
            .collect();
        if at.is_empty() {
            continue;
        }
        at.sort();
        let mut message = String::with_capacity(f.message.len() + 40 * at.len());
        let mut done = 0;
        for (i, id, origin) in at {
            if i < done {
                continue;
            }
            let end = i + id.len();
            message.push_str(&f.message[done..end]);
            message.push_str(&format!(" ({origin})"));
            done = end;
        }
        message.push_str(&f.message[done..]);
        f.message = message;
    }
}

/// Where `text` first names the logical ID `id` as a whole word.
fn mention(text: &str, id: &str) -> Option<usize> {
    // not inside a longer name, a label (`Stack/Id`) or a type (`AWS::EC2::Instance`)
    let before = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '/' || c == ':');
    let after = |rest: &str| rest.starts_with(|c: char| c.is_ascii_alphanumeric()) || rest.starts_with("::");
    let mut from = 0;
    while let Some(i) = text.get(from..)?.find(id).map(|i| i + from) {
        let end = i + id.len();
        if !before(text[..i].chars().next_back()) && !after(&text[end..]) {
            return Some(i);
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_iterations_marks_the_first_mention_of_each_made_resource() {
        let origins: HashMap<&str, String> = [
            ("InstanceA", "Fn::ForEach::Instances, A".to_string()),
            ("InstanceB", "Fn::ForEach::Instances, B".to_string()),
            ("A", "Fn::ForEach::Letters, A".to_string()),
        ]
        .into_iter()
        .collect();
        let mut findings = vec![
            Finding::new(
                Code::PN501,
                None,
                "Session Manager cannot reach InstanceA, InstanceB: InstanceA has no profile",
            ),
            Finding::new(Code::PN204, None, "InstanceAB and Stack/InstanceA are other resources"),
            Finding::new(Code::PN005, None, "A is made by a loop"),
        ];
        name_iterations(&mut findings, &origins);
        assert_eq!(
            findings[0].message,
            "Session Manager cannot reach InstanceA (Fn::ForEach::Instances, A), InstanceB (Fn::ForEach::Instances, \
             B): InstanceA has no profile"
        );
        assert_eq!(findings[1].message, "InstanceAB and Stack/InstanceA are other resources");
        assert_eq!(findings[2].message, "A (Fn::ForEach::Letters, A) is made by a loop");
    }
}
