//! Findings about the model itself, whatever path is traced.

use std::collections::{HashMap, HashSet};

use crate::finding::{Code, Finding};
use crate::network::region::{PrefixListMeaning, prefix_list_meaning, prefix_list_mistake};
use crate::network::sg::{Peer, SgRule};
use crate::network::{EndpointKind, Ident, Network};
use crate::reach::hops::security_group::{describe_rule, prefix_list_fix};

/// Findings about security groups, prefix lists and endpoints of `net`
/// analyzed for `region`.
pub fn model_findings(net: &Network, region: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let endpoint_groups = endpoint_groups(net);
    // what CloudFormation does when it creates a resource of the template:
    // deployed resources (`--account-state`) already exist
    let template = |id: &str| net.deployed(id).is_none();
    for g in net.groups.iter().filter(|g| (!g.is_vpc_default || !g.egress.is_empty()) && template(&g.id)) {
        if g.default_dropped {
            let kept: Vec<String> = g.egress.iter().map(describe_rule).collect();
            out.push(
                Finding::new(
                    Code::PN204,
                    Some(g.span),
                    format!(
                        "security group {} has no inline egress, but standalone AWS::EC2::SecurityGroupEgress rules target it: creating them removes the default allow-all egress, so only {} remain{}",
                        g.id,
                        kept.join(", "),
                        if kept.len() == 1 { "s" } else { "" }
                    ),
                )
                .on(&g.id)
                .fix("If the group should keep allowing all other outbound traffic, add that rule explicitly (IpProtocol: \"-1\", CidrIp: 0.0.0.0/0) in `SecurityGroupEgress`; otherwise nothing to change."),
            );
        }
        for r in &g.stripped {
            out.push(
                Finding::new(
                    Code::PN209,
                    Some(r.span),
                    format!(
                        "the allow-all egress rule of security group {} does not survive: CloudFormation removes allow-all rules when it creates the group's standalone AWS::EC2::SecurityGroupEgress rules (aws/aws-cdk#987)",
                        g.id
                    ),
                )
                .on(r.standalone.clone().unwrap_or_else(|| g.id.clone()))
                .fix("Declare every egress rule the group needs in one place: inline `SecurityGroupEgress` only, or standalone resources only (without an allow-all rule next to narrower ones)."),
            );
        }
        // Ingress matters only where the instances' traffic arrives: on the
        // groups of interface endpoints. A workload's own ingress rules
        // (CloudFront origin lists, a database port) decide nothing for
        // dnf or Session Manager, whose connections go out.
        let ingress: &[SgRule] = if endpoint_groups.contains(g.id.as_str()) { &g.ingress } else { &[] };
        for (r, egress) in ingress.iter().map(|r| (r, false)).chain(g.egress.iter().map(|r| (r, true))) {
            rule_findings(&mut out, r, egress, &g.id, region);
        }
    }
    let mut private_dns: HashMap<(String, String), &str> = HashMap::new();
    for ep in net.endpoints.iter().filter(|ep| template(&ep.id)) {
        if let Some((r, service)) = &ep.service
            && r != region
            && !r.contains("${")
        {
            out.push(
                Finding::new(
                    Code::PN408,
                    Some(ep.service_span),
                    format!(
                        "endpoint {} hard-codes `{}`, a service of {r}, in a stack for {region}: the endpoint fails to create (InvalidServiceName: The Vpc Endpoint Service '{}' does not exist)",
                        ep.id, ep.service_text, ep.service_text
                    ),
                )
                .on(&ep.id)
                .fix(format!("ServiceName: !Sub com.amazonaws.${{AWS::Region}}.{service}")),
            );
        }
        if ep.kind != EndpointKind::Interface {
            continue;
        }
        if ep.groups.is_empty() {
            out.push(
                Finding::new(
                    Code::PN205,
                    Some(ep.span),
                    format!(
                        "interface endpoint {} has no `SecurityGroupIds`, so it gets the VPC's default security group, which admits only members of that group",
                        ep.id
                    ),
                )
                .on(&ep.id)
                .fix("SecurityGroupIds: [!Ref <EndpointSecurityGroup>]   # a group that allows tcp/443 in from the instances"),
            );
        }
        if ep.private_dns {
            let vpc = ep.vpc.id().and_then(|v| net.vpc(v));
            if let Some(v) = vpc
                && (!v.dns_support || !v.dns_hostnames)
            {
                {
                    let (code, span, attr) = if !v.dns_support {
                        (Code::PN403, v.dns_support_span.unwrap_or(v.span), "EnableDnsSupport")
                    } else {
                        (Code::PN404, v.dns_hostnames_span.unwrap_or(v.span), "EnableDnsHostnames")
                    };
                    out.push(
                        Finding::new(
                            code,
                            Some(span),
                            format!(
                                "interface endpoint {} has `PrivateDnsEnabled: true`, but VPC {} has {attr} false: the endpoint fails to create (\"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true\")",
                                ep.id, v.id
                            ),
                        )
                        .on(&v.id)
                        .fix(format!("Set on {}:\n  EnableDnsSupport: true\n  EnableDnsHostnames: true", v.id)),
                    );
                }
            }
            if let (Some(vpc_id), Some((r, s))) = (ep.vpc.id(), &ep.service) {
                let key = (vpc_id.to_string(), format!("{r}.{s}"));
                match private_dns.get(&key) {
                    Some(first) => out.push(
                        Finding::new(
                            Code::PN410,
                            Some(ep.private_dns_span.unwrap_or(ep.span)),
                            format!(
                                "interface endpoints {first} and {} both enable private DNS for {} in VPC {vpc_id}: the second fails to create (conflicting DNS domain)",
                                ep.id, ep.service_text
                            ),
                        )
                        .on(&ep.id)
                        .fix(format!("Remove {} (one endpoint per service and VPC is enough), or set `PrivateDnsEnabled: false` on it.", ep.id)),
                    ),
                    None => {
                        private_dns.insert(key, ep.id.as_str());
                    }
                }
            }
        }
    }
    for v in net.vpcs.iter().filter(|v| template(&v.id)) {
        if !v.dns_support && v.dns_hostnames {
            out.push(
                Finding::new(
                    Code::PN403,
                    Some(v.dns_support_span.unwrap_or(v.span)),
                    format!(
                        "VPC {} enables DNS hostnames without DNS support: EC2 refuses it and the VPC fails to create",
                        v.id
                    ),
                )
                .on(&v.id)
                .fix("EnableDnsSupport: true"),
            );
        }
    }
    out
}

/// The security groups on interface endpoints: the listed ones, or the
/// VPC's default group for an endpoint without `SecurityGroupIds`.
fn endpoint_groups(net: &Network) -> HashSet<String> {
    net.endpoints
        .iter()
        .filter(|ep| ep.kind == EndpointKind::Interface)
        .flat_map(|ep| {
            if ep.groups.is_empty() {
                ep.vpc.id().map(|v| format!("{v}.DefaultSecurityGroup")).into_iter().collect::<Vec<_>>()
            } else {
                ep.groups.iter().filter_map(|g| g.id().map(str::to_string)).collect()
            }
        })
        .collect()
}

fn rule_findings(out: &mut Vec<Finding>, r: &SgRule, egress: bool, group: &str, region: &str) {
    let owner = r.standalone.clone().unwrap_or_else(|| group.to_string());
    match &r.peer {
        Peer::Missing => out.push(
            Finding::new(
                Code::PN208,
                Some(r.span),
                format!(
                    "this {} rule of security group {group} has no {}: CloudFormation does not add it",
                    if egress { "egress" } else { "ingress" },
                    if egress {
                        "CidrIp, CidrIpv6, DestinationPrefixListId or DestinationSecurityGroupId"
                    } else {
                        "CidrIp, CidrIpv6, SourcePrefixListId or SourceSecurityGroupId"
                    }
                ),
            )
            .on(owner)
            .fix("Add the destination (or source) the rule is meant for, e.g. `CidrIp: 10.0.0.0/16`."),
        ),
        Peer::PrefixList(Ident::External(pl)) => {
            if let Some(why) = prefix_list_mistake(pl, region) {
                out.push(Finding::new(Code::PN206, Some(r.peer_span), why).on(owner).fix(prefix_list_fix(region)));
            } else if prefix_list_meaning(pl, region) == PrefixListMeaning::Unknown {
                out.push(
                    Finding::new(
                        Code::PN207,
                        Some(r.peer_span),
                        format!(
                            "`{pl}` is not an AWS-managed prefix list privnet-lint knows for {region}; what it allows cannot be verified"
                        ),
                    )
                    .on(owner)
                    .fix(prefix_list_fix(region)),
                );
            }
        }
        _ => {}
    }
}
