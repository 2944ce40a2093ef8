//! The `dnf` check: can the workload's package manager reach the package
//! repository of its AMI's family?
//!
//! - Amazon Linux (and an AMI the template does not identify, assumed to be
//!   AL2023, SPEC §2): HTTPS (tcp/443) to the repository bucket on S3 in the
//!   workload's own region — AL2023's repo file points at
//!   `https://al2023-repos-<region>-de612dc2.s3.dualstack.<region>.amazonaws.com`
//!   (AWS-SEMANTICS §0), AL2's at `amazonlinux-2-repos-<region>`; AL1 uses
//!   plain HTTP (tcp/80) to `repo.<region>.amazonaws.com`. A gateway
//!   endpoint serves only S3 of its own region (PrivateLink guide, "Gateway
//!   endpoints for Amazon S3") and its policy must allow the bucket.
//! - Ubuntu, Debian, SUSE: the distribution's mirror on the internet (apt
//!   over HTTP, zypper over HTTPS), which only a NAT gateway or an internet
//!   gateway reaches: an S3 gateway endpoint does not serve it (see
//!   [`crate::network::ami::Repository`] for the sources).
//! - Windows, macOS, Bottlerocket: `not-applicable`.

use super::hops::endpoint_policy::gateway_policy_hop;
use super::hops::nacl::EPHEMERAL;
use super::hops::pass;
use super::hops::route::RouteChoice;
use super::{Check, HopKind, PathTrace, Target, Tracer};
use crate::finding::Code;
use crate::network::ami::{AmiFamily, Repository, Variant};
use crate::network::nacl::Remote;
use crate::network::sg;

/// Traces dnf (or apt, zypper) for the workload of `t`.
pub fn check(t: &Tracer<'_>) -> Check {
    match t.w.image.repository(t.region) {
        Repository::S3 { bucket, host, port, policy_buckets } => {
            Check::new(vec![s3_trace(t, &bucket, &host, port, &policy_buckets)], &[Target::S3], Vec::new())
        }
        Repository::Mirror { host, port, url, also, source } => {
            Check::new(vec![mirror_trace(t, &host, port, &url, &also, source)], &[Target::Mirror], Vec::new())
        }
        Repository::NotApplicable(_) => Check::not_applicable(),
    }
}

/// The workload hop, saying which AMI the check is for when it is not the
/// standard Amazon Linux 2023 AMI (which the check is about by default).
fn workload_hop(t: &Tracer<'_>) -> super::Hop {
    let mut hop = t.workload_hop();
    let ami = &t.w.image;
    if ami.family == AmiFamily::Al2023 && ami.variant == Variant::Standard {
        return hop;
    }
    let said = match (&ami.parameter, &ami.unknown_because) {
        (_, Some(why)) if ami.family == AmiFamily::Unknown => {
            // SPEC §2: an unknown AMI is treated as AL2023
            format!("AMI family not known from the template ({why}): assuming Amazon Linux 2023")
        }
        (Some(p), _) => format!("AMI {} (`{p}`)", ami.describe()),
        _ => format!("AMI {}", ami.describe()),
    };
    hop.detail.push_str("; ");
    hop.detail.push_str(&said);
    hop
}

/// The path to the Amazon Linux repository bucket.
fn s3_trace(t: &Tracer<'_>, bucket: &str, host: &str, port: u16, policy_buckets: &[String]) -> PathTrace {
    let t = &t.on_port(port);
    let mut hops = vec![workload_hop(t)];
    let target = sg::Target::Public { region: t.region, is_s3: true };
    let (Some(subnet), Some(_vpc)) = (t.subnet, t.vpc) else {
        // The VPC is open, but the repository's name resolves to S3's
        // public addresses in any VPC (a gateway endpoint changes routing,
        // not DNS; a NAT path goes to the same addresses): the workload's
        // own groups must let the request out to them.
        hops.push(t.sg_egress_port_hop(&target, "S3", port, Code::PN201, &t.s3_egress_port_fix(port)));
        return PathTrace::new(Target::S3, hops, None);
    };
    let leg =
        t.s3_leg(subnet, host, |ep| gateway_policy_hop(ep, bucket, &t.w.image, policy_buckets), || t.no_route_to_s3());
    hops.extend(leg.here);
    // security groups and the subnet's NACL see the same S3 addresses
    // whichever way the packet is routed, so they are checked even when the
    // route is missing: the user should learn every fix at once
    hops.push(t.sg_egress_port_hop(&target, "S3", port, Code::PN201, &t.s3_egress_port_fix(port)));
    hops.push(t.nacl_hop(subnet, true, (port as i64, port as i64), Remote::Public, "S3", false));
    hops.push(t.nacl_hop(subnet, false, EPHEMERAL, Remote::Public, "S3", true));
    hops.extend(leg.beyond);
    let mut detail = format!("s3://{bucket} ({host}:{port})");
    match t.w.image.family {
        AmiFamily::Al2 => detail.push_str(&format!(
            "; AL2 AMIs from before mid-2021 read http://amazonlinux.{}.amazonaws.com (tcp/80) instead",
            t.region
        )),
        AmiFamily::Al1 => detail.push_str(
            "; packages come from packages.<region>.amazonaws.com; Amazon Linux 1 reached end of support on 2023-12-31",
        ),
        _ => {}
    }
    hops.push(pass(HopKind::Destination, bucket, detail, t.w.span));
    PathTrace::new(Target::S3, hops, leg.via)
}

/// The path to a distribution mirror on the internet.
fn mirror_trace(t: &Tracer<'_>, host: &str, port: u16, url: &str, also: &[String], source: &str) -> PathTrace {
    let t = &t.on_port(port);
    let mut hops = vec![workload_hop(t)];
    let ami = &t.w.image;
    let repo = ami.repository_name();
    let target = sg::Target::Public { region: t.region, is_s3: false };
    let what = format!("{repo} ({host})");
    let fix = format!(
        "Allow tcp/{port} out to the internet for {} (the mirror's addresses are not published as a prefix list):\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: {port}\n      ToPort: {port}\n      CidrIp: 0.0.0.0/0",
        ami.package_manager()
    );
    let (Some(subnet), Some(_vpc)) = (t.subnet, t.vpc) else {
        // the VPC is open; the mirror's public addresses and the
        // workload's own groups are not
        hops.push(t.sg_egress_port_hop(&target, &what, port, Code::PN201, &fix));
        return PathTrace::new(Target::Mirror, hops, None);
    };
    match t.vpc_dns_hop(host) {
        Some(h) => hops.push(h),
        None => hops.push(pass(HopKind::Dns, &t.w.id, format!("{host} resolves to public addresses"), t.w.span)),
    }
    let mut via = None;
    let mut next = Vec::new();
    // an S3 gateway endpoint does not compete: the mirror is not S3
    match t.public_route(subnet, false) {
        RouteChoice::Route(r) => {
            let rt = t.route_table_name();
            hops.push(pass(
                HopKind::RouteTable,
                &rt,
                format!("route table {rt}: 0.0.0.0/0 ({}) carries the traffic to {host}", r.id),
                r.span,
            ));
            let (h, v) = t.route_target_hops_to(r, host, host);
            next.extend(h);
            via = v;
        }
        RouteChoice::Unknown(u) => hops.push(t.unknown_hop(HopKind::RouteTable, &t.route_table_name(), &u)),
        RouteChoice::None | RouteChoice::GatewayEndpoint(_) => hops.push(t.no_route_to_mirror(ami, host, port)),
    }
    hops.push(t.sg_egress_port_hop(&target, &what, port, Code::PN201, &fix));
    hops.push(t.nacl_hop(subnet, true, (port as i64, port as i64), Remote::Public, host, false));
    hops.push(t.nacl_hop(subnet, false, EPHEMERAL, Remote::Public, host, true));
    hops.extend(next);
    let also = if also.is_empty() { String::new() } else { format!(", and {}", also.join(", ")) };
    hops.push(pass(HopKind::Destination, host, format!("{url} ({host}:{port}{also}; per {source})"), t.w.span));
    PathTrace::new(Target::Mirror, hops, via)
}
