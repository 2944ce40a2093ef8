//! The Session Manager check: the SSM agent's HTTPS connections to `ssm`
//! and `ssmmessages` (and `ec2messages`, traced but not deciding), and the
//! instance identity it signs them with.
//!
//! Sessions need `ssm` and `ssmmessages`; `ec2messages` carried Run Command
//! for agents before 3.3.40.0 (SSM UG, "Improve the security of EC2
//! instances by using VPC endpoints for Systems Manager"; agent release
//! notes). With an interface endpoint with private DNS, the service name
//! resolves to the endpoint's ENIs for the whole VPC; without one, to public
//! addresses that need a NAT or internet path (PrivateLink guide, "DNS
//! hostnames").

use super::hops::dns::{hostnames_block, private_zone_hop, resolver_rule_hop};
use super::hops::pass;
use super::hops::route::{RouteChoice, RouteTableRef};
use super::hops::security_group::public_egress_fix;
use super::session;
use super::{Blocker, Check, Hop, HopKind, PathTrace, Status, Target, Tracer};
use crate::finding::Code;
use crate::network::sg;
use crate::network::{Subnet, VpcEndpoint};

/// Traces Session Manager for the workload of `t`.
pub fn check(t: &Tracer<'_>) -> Check {
    let mut ssm_path = trace(t, Target::Ssm);
    // the agent needs credentials before its first call to ssm, whatever
    // the network: the identity hops are on every route; so are the
    // account's Session Manager preferences
    let mut identity = t.identity_hops();
    identity.push(t.session_preferences_hop());
    ssm_path.hops.splice(1..1, identity);
    ssm_path = PathTrace::new(ssm_path.target, ssm_path.hops, ssm_path.via);
    let messages = trace(t, Target::Ssmmessages);
    let ec2messages = trace(t, Target::Ec2messages);
    let mut notes = Vec::new();
    // PN409 only when sessions work: otherwise the ssm findings say more
    let sessions_ok = ssm_path.status == Status::Reachable && messages.status == Status::Reachable;
    if ec2messages.status != Status::Reachable && sessions_ok && t.vpc.is_some() {
        notes.push(ec2messages_note(t, &ec2messages));
    }
    if let Some(n) = t.agent_note(sessions_ok) {
        notes.push(n);
    }
    notes.extend(t.agent_buckets_note());
    let preferences = session::paths(t);
    let mut deciding = vec![Target::Ssm, Target::Ssmmessages];
    deciding.extend(preferences.iter().map(|p| p.target.clone()));
    let mut paths = vec![ssm_path, messages, ec2messages];
    paths.extend(preferences);
    Check::new(paths, &deciding, notes)
}

/// The path to `target` (`ssm`, `ssmmessages` or `ec2messages`).
fn trace(t: &Tracer<'_>, target: Target) -> PathTrace {
    trace_with(t, target, &|subnet, service, host| t.missing_endpoint_block(subnet, service, host))
}

/// The path to the service of `target` through an interface endpoint or
/// the public name; `missing` is the blocking hop when there is neither.
pub(super) fn trace_with(t: &Tracer<'_>, target: Target, missing: &dyn Fn(&Subnet, &str, &str) -> Hop) -> PathTrace {
    let service = target.service();
    let host = format!("{service}.{}.amazonaws.com", t.region);
    let mut hops = vec![t.workload_hop()];
    let (Some(subnet), Some(vpc)) = (t.subnet, t.vpc) else {
        // The VPC is open: the agent reaches an interface endpoint (a
        // private address of that VPC) or the public endpoint, and either
        // way leaves through the workload's own security groups.
        let what = format!("{host} (an interface endpoint of a VPC that is not known, or the public endpoint)");
        let fix = "Allow HTTPS out in the instance's security group (to the VPC's CIDR for interface endpoints, to 0.0.0.0/0 for the public endpoints):\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: 443\n      ToPort: 443\n      CidrIp: 0.0.0.0/0";
        hops.push(t.open_with_placement(t.sg_egress_hop(
            &sg::Target::Unplaced { region: t.region },
            &what,
            Code::PN202,
            fix,
        )));
        return PathTrace::new(target, hops, None);
    };
    if let Some(h) = t.vpc_dns_hop(&host) {
        hops.push(h);
    }
    let in_vpc: Vec<&VpcEndpoint> = t.interface_endpoints_in(&vpc.id, service).collect();
    // a deployed VPC whose endpoints the account state does not list
    if in_vpc.is_empty()
        && let Some(u) = &vpc.endpoints_open
    {
        hops.push(t.unknown_hop(HopKind::InterfaceEndpoint, &vpc.id, u));
        return PathTrace::new(target, hops, None);
    }
    // a deployed VPC whose DNS hostnames attribute the account state lacks:
    // private DNS of its endpoints may or may not resolve
    if let Some(u) = &vpc.dns_hostnames_open
        && let Some(ep) = in_vpc.iter().find(|ep| ep.private_dns)
    {
        hops.push(t.unknown_hop(HopKind::Dns, &vpc.id, u));
        hops.extend(t.endpoint_hops(subnet, ep, &host));
        return PathTrace::new(target, hops, Some(ep.id.clone()));
    }
    if let Some(ep) = in_vpc.iter().find(|ep| ep.private_dns && vpc.dns_support && vpc.dns_hostnames) {
        hops.push(pass(
            HopKind::Dns,
            &ep.id,
            format!("{host} resolves to the ENIs of interface endpoint {} (private DNS)", ep.id),
            ep.span,
        ));
        hops.extend(t.endpoint_hops(subnet, ep, &host));
        return PathTrace::new(target, hops, Some(ep.id.clone()));
    }
    // a private hosted zone of the VPC answers before the public DNS
    if let Some(zone) = t.net.private_zones.iter().find(|z| z.answers(&host, &vpc.id)) {
        hops.push(private_zone_hop(vpc, zone, &host));
        return PathTrace::new(target, hops, None);
    }
    if t.has_default_route() {
        // the public service through the internet path the route table gives
        hops.push(pass(
            HopKind::Dns,
            &t.w.id,
            format!(
                "{host} resolves to public addresses (no interface endpoint with private DNS for {service} in the VPC)"
            ),
            t.w.span,
        ));
        let mut via = None;
        let mut beyond = Vec::new();
        let route = t.public_route(subnet, false);
        // wherever a route goes (even one that cannot be told), the packet
        // leaves for the public endpoint through the workload's groups and
        // subnet NACL
        let leaves = matches!(route, RouteChoice::Route(_) | RouteChoice::Unknown(_));
        match route {
            RouteChoice::Route(r) => {
                let rt = match t.route_table_of(subnet) {
                    RouteTableRef::Table(rt) => rt.id.clone(),
                    _ => subnet.id.clone(),
                };
                hops.push(pass(HopKind::RouteTable, &rt, format!("route table {rt}: 0.0.0.0/0 ({})", r.id), r.span));
                (beyond, via) = t.route_target_hops(r, &host);
            }
            RouteChoice::Unknown(u) => hops.push(t.unknown_hop(HopKind::RouteTable, &subnet.id, &u)),
            RouteChoice::None | RouteChoice::GatewayEndpoint(_) => {}
        }
        if leaves {
            let target_sg = sg::Target::Public { region: t.region, is_s3: false };
            hops.push(t.sg_egress_hop(
                &target_sg,
                &format!("the public {service} endpoint"),
                Code::PN202,
                &public_egress_fix(),
            ));
            hops.extend(t.public_nacl_hops(subnet, &host));
        }
        hops.extend(beyond);
        hops.push(pass(HopKind::Destination, service, format!("{host}:443"), t.w.span));
        return PathTrace::new(target, hops, via);
    }
    // No internet path: the traffic must stay inside the VPC, through an
    // interface endpoint with private DNS.
    if let Some(ep) = in_vpc.first() {
        if ep.private_dns {
            if vpc.dns_support {
                hops.push(hostnames_block(vpc, ep, t.net.deployed(&vpc.id).is_some()));
            }
        } else {
            hops.push(t.private_dns_block(ep, &host));
        }
        // the rest of the path the traffic will take once DNS is fixed
        hops.extend(t.endpoint_hops(subnet, ep, &host));
        return PathTrace::new(target, hops, Some(ep.id.clone()));
    }
    if let Some(ep) = t.interface_endpoints(service).find(|ep| ep.vpc.id().is_some()) {
        hops.push(t.other_vpc_endpoint_block(ep, vpc, service));
        return PathTrace::new(target, hops, None);
    }
    if let Some(ep) = t.wrong_region_endpoints(&vpc.id, service).next() {
        hops.push(t.wrong_region_endpoint_block(ep, service));
        return PathTrace::new(target, hops, None);
    }
    // A forwarding rule may answer with endpoints shared from another VPC
    // (a hub VPC over a transit gateway): that is outside the template.
    if let Some(rule) = vpc.resolver_rules.iter().find(|r| r.may_forward(&host)) {
        hops.push(resolver_rule_hop(vpc, rule, &host));
        return PathTrace::new(target, hops, None);
    }
    hops.push(missing(subnet, service, &host));
    PathTrace::new(target, hops, None)
}

/// PN409: sessions work, but ec2messages cannot be reached.
fn ec2messages_note(t: &Tracer<'_>, path: &PathTrace) -> Blocker {
    let vpc = t.vpc.expect("checked by the caller");
    let why =
        path.hops.iter().find_map(|h| h.blocker.as_ref().map(|b| b.why.clone())).unwrap_or_else(|| "no path".into());
    Blocker {
        code: Code::PN409,
        span: vpc.span,
        resource: Some(vpc.id.clone()),
        why: format!("no path to ec2messages.{}.amazonaws.com ({why}): sessions work, but Run Command fails on SSM agents older than 3.3.40.0 that still poll ec2messages", t.region),
        fix: "Add an ec2messages interface endpoint like the ssm one (ServiceName: !Sub com.amazonaws.${AWS::Region}.ec2messages), or make sure the agent is 3.3.40.0 or newer.".into(),
    }
}
