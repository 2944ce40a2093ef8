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

use super::path::{EPHEMERAL, RouteChoice, RouteTableRef, Tracer, block, pass, unknown};
use super::{Blocker, Check, Hop, HopKind, PathTrace, Status, Target, Verdict};
use crate::finding::Code;
use crate::network::iam::{self, Tri};
use crate::network::nacl::Remote;
use crate::network::region::AmiFamily;
use crate::network::sg::{self, SecurityGroup};
use crate::network::{EndpointKind, Ident, ResolverRule, Subnet, VpcEndpoint};
use crate::resolve::{RNode, Unknown};

/// Traces Session Manager for the workload of `t`.
pub fn check(t: &Tracer<'_>) -> Check {
    let mut ssm_path = trace(t, Target::Ssm);
    // the agent needs credentials before its first call to ssm
    if t.subnet.is_some() {
        let identity = identity_hops(t);
        ssm_path.hops.splice(1..1, identity);
        ssm_path = PathTrace::new(ssm_path.target, ssm_path.hops, ssm_path.via);
    }
    let messages = trace(t, Target::Ssmmessages);
    let ec2messages = trace(t, Target::Ec2messages);
    let mut notes = Vec::new();
    // PN409 only when sessions work: otherwise the ssm findings say more
    let sessions_ok = ssm_path.status == Status::Reachable && messages.status == Status::Reachable;
    if ec2messages.status != Status::Reachable && sessions_ok && t.vpc.is_some() {
        notes.push(ec2messages_note(t, &ec2messages));
    }
    if let Some(n) = agent_note(t) {
        notes.push(n);
    }
    Check::new(vec![ssm_path, messages, ec2messages], &[Target::Ssm, Target::Ssmmessages], notes)
}

fn trace(t: &Tracer<'_>, target: Target) -> PathTrace {
    let service = target.service();
    let host = format!("{service}.{}.amazonaws.com", t.region);
    let mut hops = vec![t.workload_hop()];
    let (Some(subnet), Some(vpc)) = (t.subnet, t.vpc) else {
        return PathTrace::new(target, hops, None);
    };
    if let Some(h) = t.vpc_dns_hop(&host) {
        hops.push(h);
    }
    let in_vpc: Vec<&VpcEndpoint> = interface_endpoints_in(t, &vpc.id, service).collect();
    if let Some(ep) = in_vpc.iter().find(|ep| ep.private_dns && vpc.dns_support && vpc.dns_hostnames) {
        hops.push(pass(
            HopKind::Dns,
            &ep.id,
            format!("{host} resolves to the ENIs of interface endpoint {} (private DNS)", ep.id),
            ep.span,
        ));
        hops.extend(endpoint_hops(t, subnet, ep, &host));
        return PathTrace::new(target, hops, Some(ep.id.clone()));
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
        match t.public_route(subnet, false) {
            RouteChoice::Route(r) => {
                let rt = match t.route_table_of(subnet) {
                    RouteTableRef::Table(rt) => rt.id.clone(),
                    _ => subnet.id.clone(),
                };
                hops.push(pass(HopKind::RouteTable, &rt, format!("route table {rt}: 0.0.0.0/0 ({})", r.id), r.span));
                let target_sg = sg::Target::Public { region: t.region, is_s3: false };
                hops.push(t.sg_egress_hop(
                    &target_sg,
                    &format!("the public {service} endpoint"),
                    Code::PN202,
                    &public_egress_fix(),
                ));
                hops.extend(t.public_nacl_hops(subnet, &host));
                let (h, v) = t.route_target_hops(r, &host);
                hops.extend(h);
                via = v;
            }
            RouteChoice::Unknown(u) => hops.push(t.unknown_hop(HopKind::RouteTable, &subnet.id, &u)),
            RouteChoice::None | RouteChoice::GatewayEndpoint(_) => {}
        }
        hops.push(pass(HopKind::Destination, service, format!("{host}:443"), t.w.span));
        return PathTrace::new(target, hops, via);
    }
    // No internet path: the traffic must stay inside the VPC, through an
    // interface endpoint with private DNS.
    if let Some(ep) = in_vpc.first() {
        if ep.private_dns {
            if vpc.dns_support {
                hops.push(hostnames_block(vpc, ep));
            }
        } else {
            hops.push(private_dns_block(t, ep, &host));
        }
        // the rest of the path the traffic will take once DNS is fixed
        hops.extend(endpoint_hops(t, subnet, ep, &host));
        return PathTrace::new(target, hops, Some(ep.id.clone()));
    }
    if let Some(ep) = interface_endpoints(t, service).find(|ep| ep.vpc.id().is_some()) {
        let why = format!(
            "the only {service} interface endpoint, {}, is in VPC {}, but {} is in VPC {}; an endpoint serves only its own VPC",
            ep.id,
            ep.vpc.describe(),
            t.w.id,
            vpc.id
        );
        hops.push(block(
            HopKind::InterfaceEndpoint,
            &ep.id,
            why.clone(),
            Blocker {
                code: Code::PN405,
                span: ep.vpc_span,
                resource: Some(ep.id.clone()),
                why,
                fix: format!(
                    "Create {} in VPC {} (`VpcId: !Ref {}`, `SubnetIds` of that VPC), or add one there.",
                    ep.id, vpc.id, vpc.id
                ),
            },
        ));
        return PathTrace::new(target, hops, None);
    }
    if let Some(ep) = wrong_region_endpoints(t, &vpc.id, service).next() {
        let region = ep.service.as_ref().map(|(r, _)| r.as_str()).unwrap_or("?");
        let why = format!(
            "interface endpoint {} names `{}`, a service of {region}: in {} that endpoint cannot be created (InvalidServiceName), so {service} has no endpoint",
            ep.id, ep.service_text, t.region
        );
        hops.push(block(
            HopKind::InterfaceEndpoint,
            &ep.id,
            why.clone(),
            Blocker {
                code: Code::PN408,
                span: ep.service_span,
                resource: Some(ep.id.clone()),
                why,
                fix: format!("ServiceName: !Sub com.amazonaws.${{AWS::Region}}.{service}"),
            },
        ));
        return PathTrace::new(target, hops, None);
    }
    // A forwarding rule may answer with endpoints shared from another VPC
    // (a hub VPC over a transit gateway): that is outside the template.
    if let Some(rule) = vpc.resolver_rules.iter().find(|r| r.may_forward(&host)) {
        hops.push(resolver_rule_hop(vpc, rule, &host));
        return PathTrace::new(target, hops, None);
    }
    hops.push(missing_endpoint_block(t, subnet, service, &host));
    PathTrace::new(target, hops, None)
}

/// Whether `ep` is an interface endpoint for `service` in `region`.
fn serves(ep: &VpcEndpoint, region: &str, service: &str) -> bool {
    ep.kind == EndpointKind::Interface && ep.service.as_ref().is_some_and(|(r, s)| r == region && s == service)
}

/// Interface endpoints for `service` in the analyzed region, any VPC.
fn interface_endpoints<'n>(t: &Tracer<'n>, service: &'n str) -> impl Iterator<Item = &'n VpcEndpoint> + 'n {
    let region = t.region;
    t.net.endpoints.iter().filter(move |ep| serves(ep, region, service))
}

/// Interface endpoints for `service` in the analyzed region in VPC `vpc`.
fn interface_endpoints_in<'n>(
    t: &Tracer<'n>,
    vpc: &str,
    service: &'n str,
) -> impl Iterator<Item = &'n VpcEndpoint> + 'n {
    let region = t.region;
    t.net.endpoints_in_vpc(vpc).filter(move |ep| serves(ep, region, service))
}

/// Endpoints in VPC `vpc` for `service` that hard-code another region.
fn wrong_region_endpoints<'n>(
    t: &Tracer<'n>,
    vpc: &str,
    service: &'n str,
) -> impl Iterator<Item = &'n VpcEndpoint> + 'n {
    let region = t.region;
    t.net
        .endpoints_in_vpc(vpc)
        .filter(move |ep| ep.service.as_ref().is_some_and(|(r, s)| r != region && s == service && !r.contains("${")))
}

fn hostnames_block(vpc: &crate::network::Vpc, ep: &VpcEndpoint) -> Hop {
    let span = vpc.dns_hostnames_span.unwrap_or(vpc.span);
    let why = format!(
        "interface endpoint {} has `PrivateDnsEnabled: true`, but VPC {} has DNS hostnames disabled (`EnableDnsHostnames` is false by default): the endpoint fails to create (\"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true\")",
        ep.id, vpc.id
    );
    block(
        HopKind::Dns,
        &vpc.id,
        why.clone(),
        Blocker {
            code: Code::PN404,
            span,
            resource: Some(vpc.id.clone()),
            why,
            fix: format!("Set on {}:\n  EnableDnsSupport: true\n  EnableDnsHostnames: true", vpc.id),
        },
    )
}

fn private_dns_block(t: &Tracer<'_>, ep: &VpcEndpoint, host: &str) -> Hop {
    let span = ep.private_dns_span.unwrap_or(ep.span);
    let setting = if ep.private_dns_span.is_some() {
        "`PrivateDnsEnabled: false`"
    } else {
        "no `PrivateDnsEnabled` (CloudFormation's default is false)"
    };
    let why = format!(
        "interface endpoint {} has {setting}, so {host} resolves to public addresses, and subnet {} has no NAT or internet path to them",
        ep.id,
        t.subnet.map(|s| s.id.as_str()).unwrap_or("?")
    );
    block(
        HopKind::Dns,
        &ep.id,
        why.clone(),
        Blocker {
            code: Code::PN402,
            span,
            resource: Some(ep.id.clone()),
            why,
            fix: format!(
                "Set on {}:\n  PrivateDnsEnabled: true\n(the VPC needs EnableDnsSupport and EnableDnsHostnames true)",
                ep.id
            ),
        },
    )
}

/// The DNS hop when a Route 53 Resolver rule forwards `host`: unknown
/// (PN411), since the servers it forwards to answer from outside the VPC.
fn resolver_rule_hop(vpc: &crate::network::Vpc, rule: &ResolverRule, host: &str) -> Hop {
    let what = match &rule.domain {
        Some(d) => format!("forwards {d} ({} in the template)", rule.rule.describe()),
        None => format!("is {}, so what it forwards is outside the template", rule.rule.describe()),
    };
    let why = format!(
        "VPC {} has no interface endpoint for {host} and no internet path, but Route 53 Resolver rule association {} sends DNS queries elsewhere: its rule {what}; {host} may resolve to interface endpoints shared from another VPC, whose reachability is outside the template",
        vpc.id, rule.association
    );
    unknown(
        HopKind::Dns,
        &rule.association,
        why.clone(),
        Blocker {
            code: Code::PN411,
            span: rule.span,
            resource: Some(rule.association.clone()),
            why,
            fix: format!(
                "Check by hand that {host} resolves to shared endpoints reachable from VPC {} (route to their VPC, their security group), then suppress PN411 on {}; or add the interface endpoints in this VPC.",
                vpc.id, rule.association
            ),
        },
    )
}

/// No endpoint and no internet path: PN103 when the VPC has no endpoint
/// for either session service, PN401 when it has one of them.
fn missing_endpoint_block(t: &Tracer<'_>, subnet: &Subnet, service: &str, host: &str) -> Hop {
    let vpc = t.vpc.expect("checked by the caller");
    let any_session_endpoint =
        ["ssm", "ssmmessages"].iter().any(|s| interface_endpoints_in(t, &vpc.id, s).next().is_some());
    let endpoint_yaml = |svc: &str| {
        format!(
            "  {}Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref {}\n      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.{svc}\n      VpcEndpointType: Interface\n      PrivateDnsEnabled: true\n      SubnetIds: [!Ref {}]\n      SecurityGroupIds: [!Ref <EndpointSecurityGroup>]   # allows tcp/443 from the instances",
            capitalize(svc),
            vpc.id,
            subnet.id
        )
    };
    if !any_session_endpoint && service != "ec2messages" {
        let (span, rt) = match t.route_table_of(subnet) {
            RouteTableRef::Table(rt) => (rt.span, rt.id.clone()),
            _ => (subnet.span, format!("{} (main route table)", subnet.id)),
        };
        let why = format!(
            "{host} resolves to public addresses (VPC {} has no ssm or ssmmessages interface endpoint) and route table {rt} has no NAT or internet route",
            vpc.id
        );
        return block(
            HopKind::RouteTable,
            &rt,
            why.clone(),
            Blocker {
                code: Code::PN103,
                span,
                resource: Some(rt.clone()),
                why,
                fix: format!(
                    "Add interface endpoints for ssm and ssmmessages (and ec2messages) with private DNS:\n{}\n(likewise ssmmessages, ec2messages), or route 0.0.0.0/0 to a NAT gateway.",
                    endpoint_yaml("ssm")
                ),
            },
        );
    }
    let why = format!("VPC {} has no interface endpoint for {service} ({host}) and no NAT or internet path", vpc.id);
    block(
        HopKind::InterfaceEndpoint,
        &vpc.id,
        why.clone(),
        Blocker {
            code: Code::PN401,
            span: vpc.span,
            resource: Some(vpc.id.clone()),
            why,
            fix: format!("Add:\n{}", endpoint_yaml(service)),
        },
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The hops through an interface endpoint: local route, the workload's
/// egress, both subnets' NACLs (none within one subnet), the endpoint's
/// security group.
fn endpoint_hops(t: &Tracer<'_>, subnet: &Subnet, ep: &VpcEndpoint, host: &str) -> Vec<Hop> {
    let mut hops = Vec::new();
    let eni_subnets: Vec<Result<&Subnet, Unknown>> = ep
        .subnets
        .iter()
        .map(|s| match s.id().and_then(|id| t.net.subnet(id)) {
            Some(x) => Ok(x),
            None => Err(super::path::unknown_of(s, ep.span, "an endpoint subnet")),
        })
        .collect();
    let names: Vec<String> = ep.subnets.iter().map(Ident::describe).collect();
    let rt = match t.route_table_of(subnet) {
        RouteTableRef::Table(rt) => rt.id.clone(),
        _ => format!("{} (main route table)", subnet.id),
    };
    hops.push(pass(
        HopKind::RouteTable,
        &rt,
        format!("local route: the ENIs of {} (subnets {}) are inside the VPC", ep.id, names.join(", ")),
        ep.span,
    ));
    let ep_groups: Vec<Ident> = if ep.groups.is_empty() {
        t.vpc.map(|v| vec![Ident::Resource(format!("{}.DefaultSecurityGroup", v.id))]).unwrap_or_default()
    } else {
        ep.groups.clone()
    };
    // egress to every ENI the name resolves to; keep the worst
    let mut egress: Option<Hop> = None;
    for s in &eni_subnets {
        let cidr = s.as_ref().ok().and_then(|s| s.cidr);
        let target = sg::Target::Private { cidr, groups: &ep_groups };
        let h =
            t.sg_egress_hop(&target, &format!("interface endpoint {}", ep.id), Code::PN202, &endpoint_egress_fix(ep));
        if egress.as_ref().is_none_or(|e| rank(h.verdict) > rank(e.verdict)) {
            egress = Some(h);
        }
    }
    if eni_subnets.is_empty() {
        let u = Unknown { reason: format!("interface endpoint {} has no `SubnetIds`", ep.id), span: ep.span };
        egress = Some(t.unknown_hop(HopKind::SecurityGroupEgress, &ep.id, &u));
    }
    hops.extend(egress);
    for s in &eni_subnets {
        match s {
            Ok(s) if s.id == subnet.id => {}
            Ok(s) => {
                let peer = format!("interface endpoint {} in subnet {}", ep.id, s.id);
                let back = format!("{} in subnet {}", t.w.id, subnet.id);
                hops.push(t.nacl_hop(subnet, true, (443, 443), Remote::Private(s.cidr), &peer, false));
                hops.push(t.nacl_hop(s, false, (443, 443), Remote::Private(subnet.cidr), &back, false));
                hops.push(t.nacl_hop(s, true, EPHEMERAL, Remote::Private(subnet.cidr), &back, true));
                hops.push(t.nacl_hop(subnet, false, EPHEMERAL, Remote::Private(s.cidr), &peer, true));
            }
            Err(u) => hops.push(t.unknown_hop(HopKind::NaclOutbound, &ep.id, u)),
        }
    }
    hops.push(pass(
        HopKind::InterfaceEndpoint,
        &ep.id,
        format!("interface endpoint {} ({})", ep.id, ep.service_text),
        ep.span,
    ));
    hops.extend(endpoint_policy_hop(t, ep));
    hops.push(endpoint_ingress_hop(t, subnet, ep, &ep_groups));
    hops.push(pass(
        HopKind::Destination,
        ep.service.as_ref().map(|(_, s)| s.as_str()).unwrap_or("?"),
        format!("{host}:443"),
        ep.span,
    ));
    hops
}

/// What breaks when SSM Agent may not call `action`.
fn without(action: &str) -> &'static str {
    match action.split_once(':').map(|(service, _)| service) {
        Some("ssmmessages") => "Session Manager cannot open a channel",
        Some("ec2messages") => "Run Command on older agents gets no messages",
        _ => "the agent cannot register and the instance never shows up in Fleet Manager",
    }
}

/// What SSM Agent calls through each Systems Manager endpoint (SSM UG,
/// "Reference: ec2messages, ssmmessages, and other API operations").
fn agent_actions(service: &str) -> &'static [&'static str] {
    match service {
        "ssm" => &["ssm:UpdateInstanceInformation"],
        "ssmmessages" => &iam::SESSION_ACTIONS[1..],
        "ec2messages" => &["ec2messages:GetMessages", "ec2messages:AcknowledgeMessage", "ec2messages:SendReply"],
        _ => &[],
    }
}

/// PN412: a custom endpoint policy must let the agent's calls through: an
/// endpoint policy restricts what can be done through the endpoint, on top
/// of IAM (PrivateLink guide, "Control access to VPC endpoints using
/// endpoint policies"; the default policy allows everything). The same page
/// says not every service applies endpoint policies, and the documentation
/// at hand does not say whether ssm, ssmmessages and ec2messages do: a
/// policy that leaves the agent out makes the check unknown (a warning),
/// not failed. Conditions and principals of Allow statements are not
/// evaluated (they count as allowing).
fn endpoint_policy_hop(t: &Tracer<'_>, ep: &VpcEndpoint) -> Option<Hop> {
    let (doc, span) = ep.policy.as_ref()?;
    let service = ep.service.as_ref().map(|(_, s)| s.as_str())?;
    let actions = agent_actions(service);
    if actions.is_empty() {
        return None;
    }
    let mut denials = Vec::new();
    for action in actions {
        iam::document_denials(doc, action, &mut denials);
    }
    let left_out = |why: String| {
        let fix = format!(
            "Allow the agent's calls in the PolicyDocument of {}, e.g.\n  - Effect: Allow\n    Principal: \"*\"\n    Action: [\"{service}:*\"]\n    Resource: \"*\"\nor remove the PolicyDocument (the default allows everything).",
            ep.id
        );
        Some(unknown(
            HopKind::EndpointPolicy,
            &ep.id,
            why.clone(),
            Blocker { code: Code::PN412, span: *span, resource: Some(ep.id.clone()), why, fix },
        ))
    };
    let what = format!("where the service applies endpoint policies (not every service does), {}", without(actions[0]));
    if let Some(d) = denials.iter().find(|d| d.unless.is_none()) {
        return left_out(format!(
            "the policy of interface endpoint {} denies `{}` (the Deny statement at line {}): {what}",
            ep.id, d.action, d.span.start.line
        ));
    }
    if let Some(d) = denials.first() {
        let u = d.doubt(&format!("the policy of interface endpoint {}", ep.id));
        return Some(t.unknown_hop(HopKind::EndpointPolicy, &ep.id, &u));
    }
    for action in actions {
        match iam::document_allows(doc, action) {
            iam::Tri::Yes => {}
            iam::Tri::No => {
                return left_out(format!(
                    "the policy of interface endpoint {} does not allow `{action}`: {what}",
                    ep.id
                ));
            }
            iam::Tri::Unknown(u) => return Some(t.unknown_hop(HopKind::EndpointPolicy, &ep.id, &u)),
        }
    }
    Some(pass(HopKind::EndpointPolicy, &ep.id, format!("the policy of {} allows {}", ep.id, actions.join(", ")), *span))
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Pass => 0,
        Verdict::Unknown => 1,
        Verdict::Block => 2,
    }
}

/// The endpoint's security groups must admit tcp/443 from the workload.
fn endpoint_ingress_hop(t: &Tracer<'_>, subnet: &Subnet, ep: &VpcEndpoint, ep_groups: &[Ident]) -> Hop {
    let groups: Result<Vec<&SecurityGroup>, Unknown> = ep_groups
        .iter()
        .map(|g| match g.id().and_then(|id| t.net.group(id)) {
            Some(x) => Ok(x),
            None => Err(super::path::unknown_of(g, ep.span, "security group")),
        })
        .collect();
    let groups = match groups {
        Ok(g) => g,
        Err(u) => return t.unknown_hop(HopKind::SecurityGroupIngress, &ep.id, &u),
    };
    let rules: Vec<sg::SgRule> = groups.iter().flat_map(|g| g.ingress.iter().cloned()).collect();
    let source = sg::Target::Private { cidr: subnet.cidr, groups: &t.group_idents };
    let names: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    match sg::allows(&rules, 443, &source) {
        sg::Verdict::Allow(span) => pass(
            HopKind::SecurityGroupIngress,
            names.first().copied().unwrap_or(&ep.id),
            format!("{} admits tcp/443 from {}", names.join(", "), t.w.id),
            span,
        ),
        sg::Verdict::Unknown(u) => t.unknown_hop(HopKind::SecurityGroupIngress, &ep.id, &u),
        sg::Verdict::Deny => {
            let default = ep.groups.is_empty();
            let g = groups.iter().find(|g| !g.is_vpc_default);
            let (span, resource) = match (default, g) {
                (true, _) | (false, None) => (ep.span, ep.id.clone()),
                (false, Some(g)) => (g.inline_ingress_span.unwrap_or(g.span), g.id.clone()),
            };
            let why = if default {
                format!(
                    "interface endpoint {} has no `SecurityGroupIds`, so it uses the VPC's default security group, which admits only its own members; {} is not one",
                    ep.id, t.w.id
                )
            } else {
                let existing = if rules.is_empty() {
                    "no ingress rule at all".to_string()
                } else {
                    format!("only {}", rules.iter().map(super::path::describe_rule).collect::<Vec<_>>().join(", "))
                };
                format!(
                    "the security groups of interface endpoint {} ({}) admit no tcp/443 from {} (subnet {}): they have {existing}",
                    ep.id,
                    names.join(", "),
                    t.w.id,
                    subnet.id
                )
            };
            let source_text = t
                .group_idents
                .first()
                .and_then(Ident::id)
                .filter(|id| !id.ends_with(".DefaultSecurityGroup"))
                .map(|id| format!("SourceSecurityGroupId: !Ref {id}"))
                .or_else(|| subnet.cidr.map(|c| format!("CidrIp: {c}")))
                .unwrap_or_else(|| "CidrIp: <the VPC CIDR>".into());
            let fix = if default {
                format!(
                    "Give {} its own security group that admits HTTPS from the instances:\n  SecurityGroupIds: [!Ref <EndpointSecurityGroup>]\nwith\n  SecurityGroupIngress:\n    - IpProtocol: tcp\n      FromPort: 443\n      ToPort: 443\n      {source_text}",
                    ep.id
                )
            } else {
                format!(
                    "Add to {resource}:\n  SecurityGroupIngress:\n    - IpProtocol: tcp\n      FromPort: 443\n      ToPort: 443\n      {source_text}"
                )
            };
            block(
                HopKind::SecurityGroupIngress,
                &resource,
                why.clone(),
                Blocker { code: Code::PN203, span, resource: Some(resource.clone()), why, fix },
            )
        }
    }
}

fn endpoint_egress_fix(ep: &VpcEndpoint) -> String {
    let dest = ep
        .groups
        .first()
        .and_then(Ident::id)
        .map(|g| format!("DestinationSecurityGroupId: !Ref {g}"))
        .unwrap_or_else(|| "CidrIp: <the VPC CIDR>".into());
    format!(
        "Allow HTTPS to the endpoint in the instance's security group:\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: 443\n      ToPort: 443\n      {dest}"
    )
}

fn public_egress_fix() -> String {
    "Allow HTTPS to the public endpoints in the instance's security group:\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: 443\n      ToPort: 443\n      CidrIp: 0.0.0.0/0".into()
}

/// The instance profile, its role's trust and permissions, and instance
/// metadata.
fn identity_hops(t: &Tracer<'_>) -> Vec<Hop> {
    let mut hops = iam_hops(t);
    match t.w.metadata_disabled {
        Some(span) => {
            let why = format!(
                "instance metadata is disabled (`HttpEndpoint: disabled`), so the SSM agent on {} cannot get credentials or its region",
                t.w.id
            );
            hops.push(block(
                HopKind::InstanceMetadata,
                &t.w.id,
                why.clone(),
                Blocker {
                    code: Code::PN504,
                    span,
                    resource: Some(t.w.launch_template.clone().unwrap_or_else(|| t.w.id.clone())),
                    why,
                    fix:
                        "Set `HttpEndpoint: enabled` (and `HttpTokens: required` for IMDSv2, which the agent supports)."
                            .into(),
                },
            ));
        }
        None => hops.push(pass(
            HopKind::InstanceMetadata,
            &t.w.id,
            "instance metadata (169.254.169.254) is enabled; security groups and NACLs do not filter it".into(),
            t.w.span,
        )),
    }
    hops
}

fn iam_hops(t: &Tracer<'_>) -> Vec<Hop> {
    let w = t.w;
    let Some((profile, span)) = &w.profile else {
        let why = format!(
            "{} has no `IamInstanceProfile`, so the SSM agent has no credentials and never registers (unless Default Host Management Configuration is turned on in the account, which a template cannot show)",
            w.id
        );
        return vec![block(HopKind::Iam, &w.id, why.clone(), Blocker {
            code: Code::PN501,
            span: w.span,
            resource: Some(w.id.clone()),
            why,
            fix: "Add an instance profile whose role has AmazonSSMManagedInstanceCore:\n  IamInstanceProfile: !Ref <InstanceProfile>\nwith\n  <InstanceProfile>:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n      Roles: [!Ref <Role>]".into(),
        })];
    };
    let Some(p) = profile.id().and_then(|id| t.net.profile(id)) else {
        if let Some(role) = profile.id().and_then(|id| t.net.role(id)) {
            let why = format!("`IamInstanceProfile` of {} names role {}, not an instance profile", w.id, role.id);
            return vec![block(
                HopKind::Iam,
                &w.id,
                why.clone(),
                Blocker {
                    code: Code::PN501,
                    span: *span,
                    resource: Some(w.id.clone()),
                    why,
                    fix: format!("Wrap {} in an AWS::IAM::InstanceProfile and reference that.", role.id),
                },
            )];
        }
        return vec![t.unknown_hop(HopKind::Iam, &w.id, &super::path::unknown_of(profile, *span, "instance profile"))];
    };
    let Some(role_ident) = p.roles.first() else {
        let why = format!("instance profile {} has no role, so the agent gets no credentials", p.id);
        return vec![block(
            HopKind::Iam,
            &p.id,
            why.clone(),
            Blocker {
                code: Code::PN502,
                span: p.span,
                resource: Some(p.id.clone()),
                why,
                fix: format!("Add the role to {}:\n  Roles: [!Ref <Role>]", p.id),
            },
        )];
    };
    let Some(role) = role_ident.id().and_then(|id| t.net.role(id)) else {
        return vec![t.unknown_hop(HopKind::Iam, &p.id, &super::path::unknown_of(role_ident, p.span, "role"))];
    };
    let mut blockers = Vec::new();
    match role.trusts_ec2() {
        Tri::Yes => {}
        Tri::No => {
            let span = role.trust.as_ref().map(|(_, s)| *s).unwrap_or(role.span);
            blockers.push(Blocker {
                code: Code::PN503,
                span,
                resource: Some(role.id.clone()),
                why: format!("role {} does not let `ec2.amazonaws.com` assume it, so the instance gets no credentials from it", role.id),
                fix: "AssumeRolePolicyDocument:\n  Version: \"2012-10-17\"\n  Statement:\n    - Effect: Allow\n      Principal:\n        Service: ec2.amazonaws.com\n      Action: sts:AssumeRole".into(),
            });
        }
        Tri::Unknown(u) => return vec![t.unknown_hop(HopKind::Iam, &role.id, &u)],
    }
    let documents = |arn: &RNode| -> Option<RNode> {
        let id = arn.as_ref_id()?;
        t.net.managed_policies.iter().find(|(p, _)| p == id).map(|(_, d)| d.clone())
    };
    // an explicit Deny decides, whatever the role allows
    match role.session_denial(&documents) {
        Some(d) if d.unless.is_none() => blockers.push(Blocker {
            code: Code::PN502,
            span: d.span,
            resource: Some(role.id.clone()),
            why: format!(
                "role {} explicitly denies `{}` (the Deny statement at line {}); an explicit Deny overrides every Allow, AmazonSSMManagedInstanceCore included, so {}",
                role.id,
                d.action,
                d.span.start.line,
                without(d.action)
            ),
            fix: format!(
                "Take `{}` out of this Deny statement, or narrow it with a `Condition` or `Resource` that leaves the instance's SSM Agent out.",
                d.action
            ),
        }),
        Some(d) => {
            if blockers.is_empty() {
                return vec![t.unknown_hop(HopKind::Iam, &role.id, &d.doubt(&format!("role {}", role.id)))];
            }
        }
        None => match role.grants_session_actions(&documents) {
            (Tri::Yes, _) => {}
            (Tri::No, missing) => {
                blockers.push(Blocker {
                    code: Code::PN502,
                    span: role.managed_span.unwrap_or(role.span),
                    resource: Some(role.id.clone()),
                    why: format!(
                        "role {} grants neither AmazonSSMManagedInstanceCore nor `{}` (the agent needs ssm:UpdateInstanceInformation and the ssmmessages channel actions)",
                        role.id,
                        missing.unwrap_or("ssm:UpdateInstanceInformation")
                    ),
                    fix: "ManagedPolicyArns:\n  - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore".into(),
                });
            }
            (Tri::Unknown(u), _) => {
                if blockers.is_empty() {
                    return vec![t.unknown_hop(HopKind::Iam, &role.id, &u)];
                }
            }
        },
    }
    // a permissions boundary caps whatever the policies grant
    if blockers.is_empty()
        && let Some((_, span)) = &role.boundary
    {
        match role.boundary_allows(&documents) {
            (Tri::Yes, _) => {}
            (Tri::No, missing) => blockers.push(Blocker {
                code: Code::PN502,
                span: *span,
                resource: Some(role.id.clone()),
                why: format!(
                    "the permissions boundary of role {} does not allow `{}`: a boundary caps what the role's policies grant, AmazonSSMManagedInstanceCore included",
                    role.id,
                    missing.unwrap_or("ssm:UpdateInstanceInformation")
                ),
                fix: "Allow ssm:UpdateInstanceInformation and ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel in the boundary policy, or remove `PermissionsBoundary`.".into(),
            }),
            (Tri::Unknown(u), _) => return vec![t.unknown_hop(HopKind::Iam, &role.id, &u)],
        }
    }
    if blockers.is_empty() {
        return vec![pass(
            HopKind::Iam,
            &role.id,
            format!(
                "instance profile {} → role {}: trusts ec2.amazonaws.com, grants the Session Manager actions",
                p.id, role.id
            ),
            role.span,
        )];
    }
    blockers.into_iter().map(|b| block(HopKind::Iam, &role.id, b.why.clone(), b)).collect()
}

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

/// PN505: the AMI may not ship the agent, and UserData does not install it.
fn agent_note(t: &Tracer<'_>) -> Option<Blocker> {
    let w = t.w;
    if !matches!(w.image, AmiFamily::Al2023Minimal | AmiFamily::Unknown) {
        return None;
    }
    let installs = w.user_data.as_ref().and_then(RNode::pattern_text).is_some_and(|s| s.contains("amazon-ssm-agent"));
    if installs {
        return None;
    }
    let why = match w.image {
        AmiFamily::Al2023Minimal => "the AL2023 minimal AMI does not include the SSM agent, and UserData does not install it".to_string(),
        _ => "its AMI cannot be identified from the template, so whether the SSM agent is preinstalled is unknown (Amazon Linux 2/2023, Ubuntu and Windows AMIs from AWS have it)".to_string(),
    };
    Some(Blocker {
        code: Code::PN505,
        span: w.image_span.unwrap_or(w.span),
        resource: Some(w.id.clone()),
        why: format!("{} may not run the SSM agent: {why}", w.id),
        fix: "Use ImageId: resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64, or install the agent in UserData (dnf install -y amazon-ssm-agent && systemctl enable --now amazon-ssm-agent).".into(),
    })
}
