//! Security-group hops: the workload's egress (tcp/443 to a public service
//! or an interface endpoint, a download's own port) and the ingress of an
//! interface endpoint's groups. Groups are stateful, so replies need no rule
//! (VPC UG, "Security groups"); a hard-coded prefix list of another region
//! or service is its own finding (PN206, PN207).

use super::{block, pass, unknown, unknown_of};
use crate::finding::Code;
use crate::network::region::{
    PrefixListMeaning, is_aws_managed_prefix_list, prefix_list_meaning, prefix_list_mistake, s3_prefix_list,
};
use crate::network::sg::{self, Peer, SecurityGroup, SgRule};
use crate::network::{Ident, Subnet, VpcEndpoint};
use crate::reach::{Blocker, Hop, HopKind, Tracer};
use crate::resolve::Unknown;
use crate::source::Span;

impl<'n> Tracer<'n> {
    /// The workload's security groups, or the first one that is unknown.
    pub fn groups(&self) -> Result<Vec<&'n SecurityGroup>, Unknown> {
        if self.group_idents.is_empty() {
            // no group given: the default group of a VPC the template does not show
            let mut u = self.placement_open().unwrap_or_else(|| Unknown::new("its VPC is not known", self.w.span));
            u.reason = format!(
                "{} names no security group, so it gets the default group of its VPC, which is open",
                self.w.id
            );
            return Err(u);
        }
        self.group_idents
            .iter()
            .map(|g| match g {
                Ident::Resource(id) => self.net.group(id).ok_or_else(|| {
                    Unknown::new(format!("`{id}` is not a security group of this template"), self.w.groups_span)
                }),
                other => Err(unknown_of(other, self.w.groups_span, "a security group")),
            })
            .collect()
    }

    /// Where to point a finding about the workload's egress rules: the first
    /// group's inline `SecurityGroupEgress`, else the group itself.
    pub fn egress_edit_span(&self, groups: &[&SecurityGroup]) -> (Span, String) {
        let g = groups.iter().find(|g| !g.is_vpc_default).or(groups.first());
        match g {
            Some(g) => (g.inline_egress_span.unwrap_or(g.span), g.id.clone()),
            None => (self.w.span, self.w.id.clone()),
        }
    }

    /// The security-group egress hop towards `target`. `code` is the
    /// finding when nothing allows it; a hard-coded prefix list of another
    /// region or service turns it into PN206.
    pub fn sg_egress_hop(&self, target: &sg::Target<'_>, what: &str, code: Code, fix: &str) -> Hop {
        self.sg_egress_port_hop(target, what, 443, code, fix)
    }

    /// [`Tracer::sg_egress_hop`] for tcp/`port` (a package mirror over
    /// plain HTTP, Amazon Linux 1's repository).
    pub fn sg_egress_port_hop(&self, target: &sg::Target<'_>, what: &str, port: u16, code: Code, fix: &str) -> Hop {
        let groups = match self.groups() {
            Ok(g) => g,
            Err(u) => return self.unknown_hop(HopKind::SecurityGroupEgress, &self.w.id, &u),
        };
        let rules: Vec<SgRule> = groups.iter().flat_map(|g| g.egress.iter().cloned()).collect();
        let names: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        let (span, first) = self.egress_edit_span(&groups);
        match sg::allows(&rules, port as i64, target) {
            sg::Verdict::Allow(rule_span) => pass(
                HopKind::SecurityGroupEgress,
                &first,
                format!("{} allows tcp/{port} out to {what}", names.join(", ")),
                rule_span,
            ),
            sg::Verdict::Unknown(u) => match unverifiable_prefix_list(&rules, target, self.region) {
                Some(r) => unknown(
                    HopKind::SecurityGroupEgress,
                    &first,
                    u.reason.clone(),
                    Blocker {
                        code: Code::PN207,
                        span: r.peer_span,
                        resource: Some(r.standalone.clone().unwrap_or_else(|| first.clone())),
                        why: u.reason,
                        fix: match target {
                            sg::Target::Public { .. } => prefix_list_fix(self.region),
                            sg::Target::Private { .. } | sg::Target::Unplaced { .. } => DECLARE_PREFIX_LIST.to_string(),
                        },
                    },
                ),
                None => self.unknown_hop(HopKind::SecurityGroupEgress, &first, &u),
            },
            sg::Verdict::Deny => {
                let existing = existing_egress(&groups, &rules);
                let stripped = if groups.iter().any(|g| g.default_dropped) {
                    " (standalone AWS::EC2::SecurityGroupEgress rules removed the default allow-all egress)"
                } else {
                    ""
                };
                // a prefix list of another region or service is the real mistake
                let wrong_pl = rules.iter().find(|r| {
                    matches!(target, sg::Target::Public { is_s3: true, .. }) && is_wrong_prefix_list(r, self.region)
                });
                let blocker = match wrong_pl {
                    Some(r) => {
                        let Peer::PrefixList(Ident::External(pl)) = &r.peer else {
                            unreachable!("checked by is_wrong_prefix_list")
                        };
                        Blocker {
                            code: Code::PN206,
                            span: r.peer_span,
                            resource: Some(r.standalone.clone().unwrap_or_else(|| first.clone())),
                            why: prefix_list_mistake(pl, self.region).unwrap_or_default(),
                            fix: prefix_list_fix(self.region),
                        }
                    }
                    None => Blocker {
                        code,
                        span,
                        resource: Some(first.clone()),
                        why: format!(
                            "its security groups ({}) allow no tcp/{port} egress to {what}: they have {existing}{stripped}",
                            names.join(", ")
                        ),
                        fix: format!("{fix}{}", list_hint(&rules, target)),
                    },
                };
                block(
                    HopKind::SecurityGroupEgress,
                    &first,
                    format!("{} allow no tcp/{port} out to {what}", names.join(", ")),
                    blocker,
                )
            }
        }
    }

    /// The security-group egress hop for a download on `port` (PN601).
    pub(crate) fn egress_port_hop(&self, target: &sg::Target<'_>, what: &str, port: u16) -> Hop {
        let groups = match self.groups() {
            Ok(g) => g,
            Err(u) => return self.unknown_hop(HopKind::SecurityGroupEgress, &self.w.id, &u),
        };
        let rules: Vec<sg::SgRule> = groups.iter().flat_map(|g| g.egress.iter().cloned()).collect();
        let names: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        let (span, first) = self.egress_edit_span(&groups);
        match sg::allows(&rules, port as i64, target) {
            sg::Verdict::Allow(s) => pass(
                HopKind::SecurityGroupEgress,
                &first,
                format!("{} allows tcp/{port} out to {what}", names.join(", ")),
                s,
            ),
            sg::Verdict::Unknown(u) => self.unknown_hop(HopKind::SecurityGroupEgress, &first, &u),
            sg::Verdict::Deny => {
                let have = existing_egress(&groups, &rules);
                let dropped = if groups.iter().any(|g| g.default_dropped) {
                    " (standalone egress rules removed the default allow-all)"
                } else {
                    ""
                };
                let why = format!(
                    "its security groups ({}) allow no tcp/{port} egress to {what}: they have {have}{dropped}",
                    names.join(", ")
                );
                block(
                    HopKind::SecurityGroupEgress,
                    &first,
                    why.clone(),
                    Blocker {
                        code: Code::PN601,
                        span,
                        resource: Some(first.clone()),
                        why,
                        fix: format!(
                            "Download over HTTPS from the region's S3 instead, or allow tcp/{port} egress:\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: {port}\n      ToPort: {port}\n      CidrIp: 0.0.0.0/0"
                        ),
                    },
                )
            }
        }
    }

    /// The endpoint's security groups must admit tcp/443 from the workload.
    pub(super) fn endpoint_ingress_hop(&self, subnet: &Subnet, ep: &VpcEndpoint, ep_groups: &[Ident]) -> Hop {
        let groups: Result<Vec<&SecurityGroup>, Unknown> = ep_groups
            .iter()
            .map(|g| match g.id().and_then(|id| self.net.group(id)) {
                Some(x) => Ok(x),
                None => Err(unknown_of(g, ep.span, "security group")),
            })
            .collect();
        let groups = match groups {
            Ok(g) => g,
            Err(u) => return self.unknown_hop(HopKind::SecurityGroupIngress, &ep.id, &u),
        };
        let rules: Vec<sg::SgRule> = groups.iter().flat_map(|g| g.ingress.iter().cloned()).collect();
        let source = sg::Target::Private { cidr: subnet.cidr, groups: &self.group_idents };
        let names: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        match sg::allows(&rules, 443, &source) {
            sg::Verdict::Allow(span) => pass(
                HopKind::SecurityGroupIngress,
                names.first().copied().unwrap_or(&ep.id),
                format!("{} admits tcp/443 from {}", names.join(", "), self.w.id),
                span,
            ),
            sg::Verdict::Unknown(u) => match unverifiable_prefix_list(&rules, &source, self.region) {
                Some(r) => {
                    let owner = groups.iter().find(|g| g.ingress.iter().any(|x| x.span == r.span));
                    let owner = owner.map(|g| g.id.clone()).unwrap_or_else(|| ep.id.clone());
                    unknown(
                        HopKind::SecurityGroupIngress,
                        &owner,
                        u.reason.clone(),
                        Blocker {
                            code: Code::PN207,
                            span: r.peer_span,
                            resource: Some(r.standalone.clone().unwrap_or(owner.clone())),
                            why: u.reason,
                            fix: DECLARE_PREFIX_LIST.to_string(),
                        },
                    )
                }
                None => self.unknown_hop(HopKind::SecurityGroupIngress, &ep.id, &u),
            },
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
                        ep.id, self.w.id
                    )
                } else {
                    let existing = if rules.is_empty() {
                        "no ingress rule at all".to_string()
                    } else {
                        format!("only {}", rules.iter().map(describe_rule).collect::<Vec<_>>().join(", "))
                    };
                    format!(
                        "the security groups of interface endpoint {} ({}) admit no tcp/443 from {} (subnet {}): they have {existing}",
                        ep.id,
                        names.join(", "),
                        self.w.id,
                        subnet.id
                    )
                };
                let source_text = self
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
                    Blocker {
                        code: Code::PN203,
                        span,
                        resource: Some(resource.clone()),
                        why,
                        fix: format!("{fix}{}", list_hint(&rules, &source)),
                    },
                )
            }
        }
    }

    /// The egress rule to the region's S3 prefix list on tcp/`port`.
    pub(crate) fn s3_egress_port_fix(&self, port: u16) -> String {
        let pl = s3_prefix_list(self.region).unwrap_or("pl-xxxxxxxx");
        let proto = if port == 80 { "HTTP" } else { "HTTPS" };
        format!(
            "Allow {proto} to the region's S3 prefix list (or 0.0.0.0/0) in the instance's security group:\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: {port}\n      ToPort: {port}\n      DestinationPrefixListId: {pl}   # S3 in {}; use a Mappings table for other regions",
            self.region
        )
    }
}

/// The egress rule to an interface endpoint's security group.
pub(crate) fn endpoint_egress_fix(ep: &VpcEndpoint) -> String {
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

/// The egress rule to the public service endpoints.
pub(crate) fn public_egress_fix() -> String {
    "Allow HTTPS to the public endpoints in the instance's security group:\n  SecurityGroupEgress:\n    - IpProtocol: tcp\n      FromPort: 443\n      ToPort: 443\n      CidrIp: 0.0.0.0/0".into()
}

/// When a rule names a prefix list of the template that misses a private
/// target: the other fix, an entry for the target's subnet.
fn list_hint(rules: &[SgRule], target: &sg::Target<'_>) -> String {
    let sg::Target::Private { cidr: Some(cidr), .. } = target else { return String::new() };
    match rules.iter().find_map(|r| match &r.peer {
        Peer::Declared(pl) => Some(pl),
        _ => None,
    }) {
        Some(pl) => format!("\nor add {cidr} to the `Entries` of prefix list {}:\n  - Cidr: {cidr}", pl.id),
        None => String::new(),
    }
}

/// The fix for a customer-managed prefix list outside the template.
const DECLARE_PREFIX_LIST: &str = "Declare the prefix list in the template (AWS::EC2::PrefixList with its `Entries`, referenced with `!Ref`) so its entries can be checked, or name the security group or CIDR block instead; if it must stay external, check its entries and suppress PN207 on the group.";

/// The first rule whose hard-coded prefix list cannot be verified for
/// `target`: an ID this region's table does not know (for S3), or a
/// customer-managed list outside the template (for a private address).
fn unverifiable_prefix_list<'r>(rules: &'r [SgRule], target: &sg::Target<'_>, region: &str) -> Option<&'r SgRule> {
    rules.iter().find(|r| {
        let Peer::PrefixList(Ident::External(pl)) = &r.peer else { return false };
        match target {
            sg::Target::Public { is_s3: true, .. } => prefix_list_meaning(pl, region) == PrefixListMeaning::Unknown,
            sg::Target::Public { .. } => false,
            sg::Target::Private { .. } => !is_aws_managed_prefix_list(pl),
            // with the VPC open, the doubt is where the endpoint is
            sg::Target::Unplaced { .. } => false,
        }
    })
}

/// Whether the rule hard-codes a prefix list of another region or service.
fn is_wrong_prefix_list(r: &SgRule, region: &str) -> bool {
    matches!(&r.peer, Peer::PrefixList(Ident::External(pl)) if prefix_list_mistake(pl, region).is_some())
}

/// The fix for a hard-coded prefix list: a region-keyed mapping.
pub fn prefix_list_fix(region: &str) -> String {
    use crate::network::region::s3_prefix_list;
    let own = s3_prefix_list(region).unwrap_or("pl-xxxxxxxx");
    format!(
        "Look the ID up per region instead of hard-coding it:\n  Mappings:\n    S3PrefixList:\n      {region}: {{Id: {own}}}\n  ...\n      DestinationPrefixListId: !FindInMap [S3PrefixList, !Ref AWS::Region, Id]"
    )
}

/// What egress the workload's groups have, for a message: their rules,
/// or that there are none, in the CDK's words for a group created with
/// `allowAllOutbound: false`.
fn existing_egress(groups: &[&SecurityGroup], rules: &[SgRule]) -> String {
    let cdk: Vec<&str> = groups.iter().filter(|g| g.cdk_no_egress).map(|g| g.id.as_str()).collect();
    match (rules.is_empty(), cdk.as_slice()) {
        (true, [one]) if groups.len() == 1 => {
            format!("no egress rule: the security group was created with allowAllOutbound: false ({one})")
        }
        (true, []) => "no egress rule at all".to_string(),
        (true, list) => {
            format!("no egress rule: {} were created with allowAllOutbound: false", list.join(", "))
        }
        (false, _) => format!("only {}", rules.iter().map(describe_rule).collect::<Vec<_>>().join(", ")),
    }
}

/// A rule in a few words: `tcp/443 → pl-61a54008`.
pub fn describe_rule(r: &SgRule) -> String {
    use crate::network::sg::Protocol;
    let proto = match r.protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Tcp | Protocol::Udp => {
            let p = if r.protocol == Protocol::Tcp { "tcp" } else { "udp" };
            if r.from == r.to { format!("{p}/{}", r.from) } else { format!("{p}/{}-{}", r.from, r.to) }
        }
        Protocol::Icmp => "icmp".into(),
        Protocol::Icmpv6 => "icmpv6".into(),
        Protocol::Number(n) => format!("protocol {n}"),
        Protocol::Unknown => "an unknown protocol".into(),
    };
    let peer = match &r.peer {
        Peer::V4(n) => n.to_string(),
        Peer::V6 => "an IPv6 range".into(),
        Peer::PrefixList(Ident::External(pl)) => pl.clone(),
        Peer::PrefixList(i) | Peer::Group(i) => i.describe(),
        Peer::Declared(pl) => pl.describe(),
        Peer::Service { id, service } => format!("{id} ({service})"),
        Peer::Missing => "nothing (the rule has no destination and is not created)".into(),
        Peer::Unknown(_) => "an unknown destination".into(),
    };
    format!("{proto} → {peer}")
}
