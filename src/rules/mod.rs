//! The sixth stage: findings.
//!
//! Turns the simulator's blockers into findings (one per rule and location,
//! naming every workload it affects) and adds the findings about the model
//! itself: standalone egress rules that drop the default (PN204), endpoints
//! on the default group (PN205), prefix lists of another region (PN206,
//! PN207), rules CloudFormation drops (PN208, PN209), endpoints that cannot
//! be created (PN404, PN408, PN410). The rule table and documentation come
//! from `rules/*.md` (see [`crate::finding`]).

mod model;

use std::collections::HashMap;

pub use model::model_findings;

use crate::finding::{Code, Finding, Severity};
use crate::reach::userdata::Download;
use crate::reach::{Blocker, Check, Verdict, WorkloadResult};
use crate::source::{Span, UrlLocator};

#[derive(Default)]
struct Group {
    blocker: Option<Blocker>,
    dnf: Vec<String>,
    ssm: Vec<String>,
    downloads: Vec<String>,
    unknown: bool,
    note: bool,
}

/// Findings from the traced paths: every blocker of a deciding path, and
/// the notes of each check, merged per rule and location. `text` (the
/// template) lets UserData findings point at the line of their URL.
pub fn path_findings(results: &[WorkloadResult], text: Option<&str>) -> Vec<Finding> {
    let mut order: Vec<(Code, Span)> = Vec::new();
    let mut groups: HashMap<(Code, Span), Group> = HashMap::new();
    let mut locator = text.map(UrlLocator::new);
    for w in results {
        let mut checks: Vec<(&Check, Option<bool>, Option<&Download>)> =
            vec![(&w.dnf, Some(true), None), (&w.ssm, Some(false), None)];
        checks.extend(w.downloads.iter().map(|(d, c)| (c, None, Some(d))));
        for (check, is_dnf, download) in checks {
            for (b, verdict) in blockers(check) {
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
            let message =
                if g.note || !g.downloads.is_empty() || b.code.severity() == Severity::Note && b.code != Code::PN005 {
                    b.why.clone()
                } else {
                    format!("{}: {}", subject(&g.dnf, &g.ssm, g.unknown), b.why)
                };
            let mut f = Finding::new(b.code, Some(b.span), message).fix(b.fix.clone());
            f.resource = b.resource.clone();
            Some(f)
        })
        .chain(untraced)
        .collect()
}

/// The blockers of the paths that decide a check, and its notes.
fn blockers(check: &Check) -> Vec<(&Blocker, Verdict)> {
    let mut out = Vec::new();
    for p in &check.paths {
        let deciding = p.target != crate::reach::Target::Ec2messages;
        if !deciding {
            continue;
        }
        for h in &p.hops {
            if let Some(b) = &h.blocker
                && h.verdict != Verdict::Pass
            {
                out.push((b, h.verdict));
            }
        }
    }
    out.extend(check.notes.iter().map(|n| (n, Verdict::Unknown)));
    out
}

fn names(list: &[String]) -> String {
    match list.len() {
        0 => String::new(),
        1..=3 => list.join(", "),
        n => format!("{}, {} and {} more", list[0], list[1], n - 2),
    }
}

fn subject(dnf: &[String], ssm: &[String], unknown: bool) -> String {
    match (dnf.is_empty(), ssm.is_empty(), unknown) {
        (false, true, false) => format!("dnf on {} cannot reach the Amazon Linux repository", names(dnf)),
        (true, false, false) => format!("Session Manager cannot reach {}", names(ssm)),
        (false, true, true) => format!("dnf on {} cannot be verified", names(dnf)),
        (true, false, true) => format!("Session Manager to {} cannot be verified", names(ssm)),
        (_, _, false) => {
            if dnf == ssm {
                format!("dnf and Session Manager fail on {}", names(dnf))
            } else {
                format!("dnf on {} and Session Manager on {} fail", names(dnf), names(ssm))
            }
        }
        (_, _, true) => format!("dnf and Session Manager on {} cannot be verified", names(&union(dnf, ssm))),
    }
}

fn union(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = a.to_vec();
    for x in b {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// Merges findings with the same rule and location (the first one's
/// message wins) and sorts them by position, then code.
pub fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut seen: HashMap<(Code, Option<Span>), usize> = HashMap::new();
    for f in findings {
        let key = (f.code, f.span);
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
