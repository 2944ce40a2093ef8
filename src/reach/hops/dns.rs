//! DNS hops: does the name resolve, and to what? `EnableDnsSupport: false`
//! answers nothing (PN403); an interface endpoint's private DNS name needs
//! `PrivateDnsEnabled` and both VPC DNS attributes (PN402, PN404;
//! PrivateLink guide, "DNS hostnames"); custom DHCP DNS servers and Route 53
//! Resolver forwarding rules answer from outside the template (PN411).

use super::{block, unknown};
use crate::finding::Code;
use crate::network::zones::PrivateHostedZone;
use crate::network::{ResolverRule, Vpc, VpcEndpoint};
use crate::reach::{Blocker, Hop, HopKind, Tracer};

impl<'n> Tracer<'n> {
    /// VPC-wide DNS problems: `EnableDnsSupport: false` blocks every name;
    /// custom DHCP DNS servers make resolution unknown.
    pub fn vpc_dns_hop(&self, host: &str) -> Option<Hop> {
        let v = self.vpc?;
        if let Some(u) = &v.dns_support_open {
            return Some(self.unknown_hop(HopKind::Dns, &v.id, u));
        }
        if !v.dns_support {
            let span = v.dns_support_span.unwrap_or(v.span);
            return Some(block(
                HopKind::Dns,
                &v.id,
                format!(
                    "VPC {} has EnableDnsSupport: false: the Amazon DNS server does not answer, so {host} does not resolve",
                    v.id
                ),
                Blocker {
                    code: Code::PN403,
                    span,
                    resource: Some(v.id.clone()),
                    why: format!(
                        "VPC {} has `EnableDnsSupport: false`, so the Amazon DNS server answers nothing and {host} does not resolve",
                        v.id
                    ),
                    fix: format!("Set `EnableDnsSupport: true` on {} (or remove the line: true is the default).", v.id),
                },
            ));
        }
        if let Some((options, span)) = &v.custom_dns {
            return Some(unknown(
                HopKind::Dns,
                &v.id,
                format!("VPC {} uses the DNS servers of DHCP options {options}; whether they resolve {host} (and endpoint private DNS names) is outside the template", v.id),
                Blocker {
                    code: Code::PN411,
                    span: *span,
                    resource: Some(options.clone()),
                    why: format!("VPC {} uses custom DNS servers (DHCP options {options}): private DNS of interface endpoints works only if they forward to the Amazon DNS server (VPC base + 2)", v.id),
                    fix: "Use `DomainNameServers: [AmazonProvidedDNS]`, or make sure the custom servers forward to the Route 53 Resolver.".into(),
                },
            ));
        }
        None
    }

    /// PN402: the endpoint has no private DNS, so the name resolves to public
    /// addresses the subnet has no path to.
    pub(crate) fn private_dns_block(&self, ep: &VpcEndpoint, host: &str) -> Hop {
        let span = ep.private_dns_span.unwrap_or(ep.span);
        let setting = if ep.private_dns_span.is_some() {
            "`PrivateDnsEnabled: false`"
        } else {
            "no `PrivateDnsEnabled` (CloudFormation's default is false)"
        };
        let why = format!(
            "interface endpoint {} has {setting}, so {host} resolves to public addresses, and subnet {} has no NAT or internet path to them",
            ep.id,
            self.subnet.map(|s| s.id.as_str()).unwrap_or("?")
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
}

/// PN404: private DNS on an endpoint in a VPC without DNS hostnames. In a
/// deployed VPC (`deployed`, from the account state) whose attribute was
/// turned off, the private DNS name no longer resolves to the endpoint
/// (PrivateLink guide, "DNS hostnames": private DNS needs both attributes).
pub(crate) fn hostnames_block(vpc: &Vpc, ep: &VpcEndpoint, deployed: bool) -> Hop {
    let span = vpc.dns_hostnames_span.unwrap_or(vpc.span);
    let why = if deployed {
        format!(
            "VPC {} has DNS hostnames disabled (`enableDnsHostnames` false in the account), so the private DNS name of interface endpoint {} does not resolve to it: the service's name resolves to public addresses, and the VPC has no NAT or internet path to them",
            vpc.id, ep.id
        )
    } else {
        format!(
            "interface endpoint {} has `PrivateDnsEnabled: true`, but VPC {} has DNS hostnames disabled (`EnableDnsHostnames` is false by default): the endpoint fails to create (\"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true\")",
            ep.id, vpc.id
        )
    };
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

/// The DNS hop when a Route 53 Resolver rule forwards `host`: unknown
/// (PN411), since the servers it forwards to answer from outside the VPC.
pub(crate) fn resolver_rule_hop(vpc: &Vpc, rule: &ResolverRule, host: &str) -> Hop {
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

/// A private hosted zone of the template answers for `host` in the VPC
/// (a centralized endpoint shared from another VPC, usually): its records
/// and what they point at are not followed, so the path is open (PN411).
pub(crate) fn private_zone_hop(vpc: &Vpc, zone: &PrivateHostedZone, host: &str) -> Hop {
    let why = format!(
        "private hosted zone {} ({}) is associated with VPC {} and answers for {host} there: it usually points at an interface endpoint shared from another VPC (over peering or a transit gateway), whose records and reachability privnet-lint does not follow",
        zone.id, zone.name, vpc.id
    );
    unknown(
        HopKind::Dns,
        &zone.id,
        why.clone(),
        Blocker {
            code: Code::PN411,
            span: zone.span,
            resource: Some(zone.id.clone()),
            why,
            fix: format!(
                "Check by hand that the zone's records lead to an endpoint reachable from VPC {} (a route to its VPC, its security group admitting this VPC), then suppress PN411 on {}.",
                vpc.id, zone.id
            ),
        },
    )
}
