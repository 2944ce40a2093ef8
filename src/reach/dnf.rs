//! The `dnf` check: HTTPS (tcp/443) from the workload to the Amazon Linux
//! repository bucket on S3 in the workload's own region.
//!
//! AL2023's repo file points at
//! `https://al2023-repos-<region>-de612dc2.s3.dualstack.<region>.amazonaws.com`
//! (AWS-SEMANTICS §0); a gateway endpoint serves only S3 of its own region
//! (PrivateLink guide, "Gateway endpoints for Amazon S3").

use super::path::{RouteChoice, RouteTableRef, Tracer, block, pass, unknown};
use super::{Blocker, Check, Hop, HopKind, PathTrace, Target};
use crate::finding::Code;
use crate::network::VpcEndpoint;
use crate::network::region::{AmiFamily, repo_bucket, repo_host, s3_prefix_list};
use crate::network::sg;
use crate::resolve::{RNode, Unknown};

/// Traces dnf for the workload of `t`.
pub fn check(t: &Tracer<'_>) -> Check {
    Check::new(vec![trace(t)], &[Target::S3], Vec::new())
}

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
            let rt = route_table_name(t);
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
            next.push(policy_hop(ep, &bucket));
        }
        RouteChoice::Route(r) => {
            let rt = route_table_name(t);
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
        RouteChoice::Unknown(u) => hops.push(t.unknown_hop(HopKind::RouteTable, &route_table_name(t), &u)),
        RouteChoice::None => hops.push(no_route(t)),
    }
    // security groups and the subnet's NACL see the same S3 addresses
    // whichever way the packet is routed, so they are checked even when the
    // route is missing: the user should learn every fix at once
    let target = sg::Target::Public { region: t.region, is_s3: true };
    hops.push(t.sg_egress_hop(&target, "S3", Code::PN201, &s3_egress_fix(t)));
    hops.extend(t.public_nacl_hops(subnet, "S3"));
    hops.extend(next);
    hops.push(pass(HopKind::Destination, &bucket, format!("s3://{bucket} ({host}:443)"), t.w.span));
    PathTrace::new(Target::S3, hops, via)
}

fn route_table_name(t: &Tracer<'_>) -> String {
    match t.subnet.map(|s| t.route_table_of(s)) {
        Some(RouteTableRef::Table(rt)) => rt.id.clone(),
        _ => t.subnet.map(|s| format!("{} (main route table)", s.id)).unwrap_or_default(),
    }
}

/// No route to S3: PN102 when an S3 gateway endpoint exists but is not on
/// this route table, PN101 otherwise.
fn no_route(t: &Tracer<'_>) -> Hop {
    let subnet = t.subnet.expect("checked by the caller");
    let (rt_id, rt_span, main) = match t.route_table_of(subnet) {
        RouteTableRef::Table(rt) => (rt.id.clone(), rt.span, false),
        _ => (subnet.id.clone(), subnet.span, true),
    };
    let detail = if main {
        format!(
            "subnet {} has no route table association, so it uses the VPC's main route table, which holds only the local route",
            subnet.id
        )
    } else {
        format!("route table {rt_id} has no route for S3 (no S3 gateway endpoint, no 0.0.0.0/0 route)")
    };
    if let Some(ep) = t.s3_gateway_endpoints().next() {
        let listed: Vec<String> = ep.route_tables.iter().map(|r| r.describe()).collect();
        let listed = if listed.is_empty() { "no route table".to_string() } else { listed.join(", ") };
        let table =
            if main { format!("the main route table of subnet {}", subnet.id) } else { format!("route table {rt_id}") };
        let why = format!(
            "S3 gateway endpoint {} is not on {table} (its `RouteTableIds` lists {listed}), and {table} has no 0.0.0.0/0 route: S3 is unreachable from subnet {}",
            ep.id, subnet.id
        );
        let fix = if main {
            format!(
                "Associate subnet {} with a route table (AWS::EC2::SubnetRouteTableAssociation) and add that table to `RouteTableIds` of {}.",
                subnet.id, ep.id
            )
        } else {
            format!("Add the route table to the endpoint:\n  RouteTableIds:\n    - !Ref {rt_id}")
        };
        return block(
            HopKind::RouteTable,
            &rt_id,
            why.clone(),
            Blocker { code: Code::PN102, span: ep.route_tables_span, resource: Some(ep.id.clone()), why, fix },
        );
    }
    let why = format!("{detail}; S3 in {} is unreachable", t.region);
    let vpc = t.vpc.map(|v| v.id.as_str()).unwrap_or("<Vpc>");
    let rt_ref = if main { "<RouteTable>".to_string() } else { rt_id.clone() };
    let fix = format!(
        "Add an S3 gateway endpoint on the subnet's route table (free, no internet needed):\n  S3GatewayEndpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref {vpc}\n      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.s3\n      RouteTableIds:\n        - !Ref {rt_ref}"
    );
    block(
        HopKind::RouteTable,
        &rt_id,
        why.clone(),
        Blocker { code: Code::PN101, span: rt_span, resource: Some(rt_id.clone()), why, fix },
    )
}

fn s3_egress_fix(t: &Tracer<'_>) -> String {
    let pl = s3_prefix_list(t.region).unwrap_or("pl-xxxxxxxx");
    format!(
        "Allow HTTPS to the region's S3 prefix list (or 0.0.0.0/0) in the instance's security group:\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: 443\n      ToPort: 443\n      DestinationPrefixListId: {pl}   # S3 in {}; use a Mappings table for other regions",
        t.region
    )
}

/// The gateway endpoint's policy must allow `s3:GetObject` on the
/// repository bucket (AL2023 UG: S3 gateway endpoint policy for the repos).
fn policy_hop(ep: &VpcEndpoint, bucket: &str) -> Hop {
    let Some((doc, span)) = &ep.policy else {
        return pass(HopKind::EndpointPolicy, &ep.id, format!("{} has the default full-access policy", ep.id), ep.span);
    };
    let object = format!("arn:aws:s3:::{bucket}/mirrors.list");
    match policy_allows(doc, "s3:GetObject", &object) {
        Ok(true) => pass(
            HopKind::EndpointPolicy,
            &ep.id,
            format!("the policy of {} allows s3:GetObject on {bucket}", ep.id),
            *span,
        ),
        Ok(false) => {
            let why = format!(
                "the policy of gateway endpoint {} does not allow `s3:GetObject` on `arn:aws:s3:::{bucket}/*`, so dnf gets 403 Forbidden",
                ep.id
            );
            block(HopKind::EndpointPolicy, &ep.id, why.clone(), Blocker {
                code: Code::PN406,
                span: *span,
                resource: Some(ep.id.clone()),
                why,
                fix: "Add a statement to the endpoint's PolicyDocument:\n  - Effect: Allow\n    Principal: \"*\"\n    Action: s3:GetObject\n    Resource:\n      - !Sub arn:aws:s3:::al2023-repos-${AWS::Region}-de612dc2/*\n      - !Sub arn:aws:s3:::amazonlinux-2-repos-${AWS::Region}/*".into(),
            })
        }
        Err(u) => {
            let why = format!("the policy of gateway endpoint {} cannot be evaluated: {}", ep.id, u.reason);
            unknown(
                HopKind::EndpointPolicy,
                &ep.id,
                why.clone(),
                Blocker {
                    code: Code::PN005,
                    span: u.span,
                    resource: Some(ep.id.clone()),
                    why,
                    fix: "Make the policy's actions and resources literal, or allow the repository buckets explicitly."
                        .into(),
                },
            )
        }
    }
}

/// Does an endpoint policy allow an anonymous `action` on `resource`? dnf's
/// requests are unsigned, so principal-restricted statements do not apply;
/// an explicit deny wins.
pub fn policy_allows(doc: &RNode, action: &str, resource: &str) -> Result<bool, Unknown> {
    use crate::network::iam::glob;
    use crate::resolve::Val;
    let list = |n: &RNode| -> Vec<RNode> {
        match &n.val {
            Val::List(items) => items.clone(),
            _ => vec![n.clone()],
        }
    };
    let Some(statements) = doc.get("Statement") else {
        return match doc.unknown() {
            Some(u) => Err(u),
            None => Ok(false),
        };
    };
    let mut allowed = false;
    for st in list(statements) {
        let effect = st.get("Effect").and_then(RNode::text).unwrap_or("Allow").to_ascii_lowercase();
        let matches_any = |key: &str, value: &str| -> Result<Option<bool>, Unknown> {
            let Some(n) = st.get(key) else { return Ok(None) };
            let mut hit = false;
            for item in list(n) {
                match item.pattern_text() {
                    Some(p) if !p.contains("${") => hit |= glob(&p, value),
                    Some(p) => {
                        // a partly symbolic pattern: compare with the unknown
                        // parts as wildcards
                        let wild = wildcard_symbols(&p);
                        hit |= glob(&wild, value);
                    }
                    None => {
                        return Err(item
                            .unknown()
                            .unwrap_or(Unknown { reason: format!("`{key}` is not known"), span: item.span }));
                    }
                }
            }
            Ok(Some(hit))
        };
        let action_hit = match (matches_any("Action", action)?, matches_any("NotAction", action)?) {
            (Some(h), _) => h,
            (None, Some(h)) => !h,
            (None, None) => false,
        };
        let resource_hit = match (matches_any("Resource", resource)?, matches_any("NotResource", resource)?) {
            (Some(h), _) => h,
            (None, Some(h)) => !h,
            (None, None) => true,
        };
        let principal_any = match st.get("Principal") {
            None => true,
            Some(p) => p.text() == Some("*") || p.get("AWS").and_then(RNode::text) == Some("*"),
        };
        if !(action_hit && resource_hit) {
            continue;
        }
        if effect == "deny" {
            return Ok(false);
        }
        if principal_any && st.get("Condition").is_none() {
            allowed = true;
        }
    }
    Ok(allowed)
}

/// `arn:aws:s3:::al2023-repos-${AWS::Region}-de612dc2/*` with unresolved
/// parts becomes a glob (`${X}` → `*`).
fn wildcard_symbols(p: &str) -> String {
    let mut out = String::new();
    let mut rest = p;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        out.push('*');
        rest = rest[i..].find('}').map(|j| &rest[i + j + 1..]).unwrap_or("");
    }
    out.push_str(rest);
    out
}
