//! The paths the Session Manager preferences add to the `ssm` check: with
//! KMS encryption a path to `kms`, with CloudWatch Logs one to `logs`, with
//! S3 logging one to the log bucket, each with the instance role's actions
//! (SSM UG, "Enable KMS key encryption of session data", "Logging session
//! activity"). The `kms` and `logs` paths are traced like the `ssm` one
//! (interface endpoint with private DNS, or the public name through a NAT
//! or internet path); the bucket's like dnf's (gateway endpoint and its
//! policy, or the default route).

use super::hops::pass;
use super::ssm;
use super::{HopKind, PathTrace, Status, Target, Tracer, Verdict};
use crate::finding::Code;
use crate::network::session::{Need, Preferences, SessionPreferences, Switch};
use crate::network::sg;
use crate::resolve::Unknown;

/// The path a need is traced as.
pub(super) fn target(need: Need) -> Target {
    match need {
        Need::Kms => Target::Kms,
        Need::Logs => Target::Logs,
        Need::S3 => Target::SessionLogBucket,
    }
}

/// The paths the known preferences turn on; none when they are not known.
pub(super) fn paths(t: &Tracer<'_>) -> Vec<PathTrace> {
    let Some(Preferences::Known(p)) = &t.net.account.session else { return Vec::new() };
    Need::ALL
        .iter()
        .filter_map(|&need| match p.switch(need) {
            Switch::Off => None,
            Switch::On(value, _) => Some(path(t, p, need, value)),
            Switch::Unknown(u) => {
                let traced = path(t, p, need, "<bucket>");
                Some(if traced.status == Status::Reachable { traced } else { open(t, p, need, u, &traced) })
            }
        })
        .collect()
}

/// The path `need` asks for, with the role's actions after the workload hop.
fn path(t: &Tracer<'_>, p: &SessionPreferences, need: Need, value: &str) -> PathTrace {
    let mut traced = match need {
        Need::Kms | Need::Logs => {
            ssm::trace_with(t, target(need), &|_, _, host| t.preference_endpoint_missing(p, need, host))
        }
        Need::S3 => log_bucket(t, p, value),
    };
    // like the identity hops of `ssm`, whatever the network
    if let Some(h) = t.preference_iam_hop(p, need) {
        traced.hops.insert(1, h);
    }
    PathTrace::new(traced.target, traced.hops, traced.via)
}

/// A preference whose value is open, on a path that would not work: the
/// check is unknown (PN005), not failed.
fn open(t: &Tracer<'_>, p: &SessionPreferences, need: Need, u: &Unknown, traced: &PathTrace) -> PathTrace {
    let fails = traced
        .hops
        .iter()
        .find(|h| h.verdict != Verdict::Pass)
        .map(|h| h.detail.clone())
        .unwrap_or_else(|| "the path does not work".into());
    let u = Unknown {
        reason: format!(
            "{}: it decides whether the Session Manager preferences ({}) turn on {}, which would fail here ({fails})",
            u.reason,
            p.origin.resource(),
            need.what()
        ),
        span: u.span,
        open: u.open.clone(),
    };
    let hops = vec![t.workload_hop(), t.unknown_hop(HopKind::SessionPreferences, p.origin.resource(), &u)];
    PathTrace::new(traced.target.clone(), hops, None)
}

/// HTTPS to the log bucket on S3 in the workload's region (a bucket of
/// another region is not told apart: its name does not say).
fn log_bucket(t: &Tracer<'_>, p: &SessionPreferences, bucket: &str) -> PathTrace {
    let target = Target::SessionLogBucket;
    let host = format!("{bucket}.s3.{}.amazonaws.com", t.region);
    let mut hops = vec![t.workload_hop()];
    let (Some(subnet), Some(_)) = (t.subnet, t.vpc) else {
        return PathTrace::new(target, hops, None);
    };
    let leg = t.s3_leg(
        subnet,
        &host,
        |ep| t.log_bucket_policy_hop(p, ep, bucket),
        || t.log_bucket_route_missing(p, subnet, bucket),
    );
    hops.extend(leg.here);
    let s3 = sg::Target::Public { region: t.region, is_s3: true };
    hops.push(t.sg_egress_hop(&s3, "S3", Code::PN201, &t.s3_egress_port_fix(443)));
    hops.extend(t.public_nacl_hops(subnet, "S3"));
    hops.extend(leg.beyond);
    hops.push(pass(HopKind::Destination, bucket, format!("s3://{bucket} ({host}:443)"), t.w.span));
    PathTrace::new(target, hops, leg.via)
}
