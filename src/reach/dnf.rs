//! The `dnf` check: HTTPS (tcp/443) from the workload to the Amazon Linux
//! repository bucket on S3 in the workload's own region.
//!
//! AL2023's repo file points at
//! `https://al2023-repos-<region>-de612dc2.s3.dualstack.<region>.amazonaws.com`
//! (AWS-SEMANTICS §0); a gateway endpoint serves only S3 of its own region
//! (PrivateLink guide, "Gateway endpoints for Amazon S3").

use super::hops::endpoint_policy::gateway_policy_hop;
use super::hops::pass;
use super::hops::route::RouteChoice;
use super::{Check, HopKind, PathTrace, Target, Tracer};
use crate::finding::Code;
use crate::network::region::{AmiFamily, repo_bucket, repo_host};
use crate::network::sg;

/// Traces dnf for the workload of `t`.
pub fn check(t: &Tracer<'_>) -> Check {
    Check::new(vec![trace(t)], &[Target::S3], Vec::new())
}

/// The path to the repository bucket.
fn trace(t: &Tracer<'_>) -> PathTrace {
    let family = t.w.image;
    let bucket = repo_bucket(family, t.region);
    let host = repo_host(family, t.region);
    let mut hops = vec![t.workload_hop()];
    if matches!(family, AmiFamily::Unknown | AmiFamily::Other) {
        // SPEC §2: an unknown AMI is treated as AL2023
        if let Some(h) = hops.first_mut() {
            h.detail.push_str("; AMI family not known from the template: assuming Amazon Linux 2023");
        }
    }
    let (Some(subnet), Some(_vpc)) = (t.subnet, t.vpc) else {
        return PathTrace::new(Target::S3, hops, None);
    };
    // DNS: the name resolves to S3's public addresses (a gateway endpoint
    // changes routing, not DNS)
    match t.vpc_dns_hop(&host) {
        Some(h) => hops.push(h),
        None => hops.push(pass(
            HopKind::Dns,
            &t.w.id,
            format!("{host} resolves to S3's public addresses in {}", t.region),
            t.w.span,
        )),
    }
    let mut via = None;
    let mut next = Vec::new();
    match t.public_route(subnet, true) {
        RouteChoice::GatewayEndpoint(ep) => {
            let rt = t.route_table_name();
            hops.push(pass(
                HopKind::RouteTable,
                &rt,
                format!("route table {rt} sends S3 traffic to gateway endpoint {} (prefix-list route, more specific than 0.0.0.0/0)", ep.id),
                ep.route_tables_span,
            ));
            via = Some(ep.id.clone());
            next.push(pass(
                HopKind::GatewayEndpoint,
                &ep.id,
                format!("gateway endpoint {} ({})", ep.id, ep.service_text),
                ep.span,
            ));
            next.push(gateway_policy_hop(ep, &bucket));
        }
        RouteChoice::Route(r) => {
            let rt = t.route_table_name();
            hops.push(pass(
                HopKind::RouteTable,
                &rt,
                format!("route table {rt}: 0.0.0.0/0 ({}) carries S3 traffic", r.id),
                r.span,
            ));
            let (h, v) = t.route_target_hops_to(r, "S3", &host);
            next.extend(h);
            via = v;
        }
        RouteChoice::Unknown(u) => hops.push(t.unknown_hop(HopKind::RouteTable, &t.route_table_name(), &u)),
        RouteChoice::None => hops.push(t.no_route_to_s3()),
    }
    // security groups and the subnet's NACL see the same S3 addresses
    // whichever way the packet is routed, so they are checked even when the
    // route is missing: the user should learn every fix at once
    let target = sg::Target::Public { region: t.region, is_s3: true };
    hops.push(t.sg_egress_hop(&target, "S3", Code::PN201, &t.s3_egress_fix()));
    hops.extend(t.public_nacl_hops(subnet, "S3"));
    hops.extend(next);
    hops.push(pass(HopKind::Destination, &bucket, format!("s3://{bucket} ({host}:443)"), t.w.span));
    PathTrace::new(Target::S3, hops, via)
}
