//! The hop evaluators shared by the dnf and Session Manager checks.

use super::{Blocker, Hop, HopKind, Verdict};
use crate::finding::Code;
use crate::network::nacl::{NaclVerdict, NetworkAcl, Remote};
use crate::network::region::{PrefixListMeaning, prefix_list_meaning, prefix_list_mistake};
use crate::network::sg::{self, Peer, SecurityGroup, SgRule};
use crate::network::transit::Firewall;
use crate::network::transit::{BackVia, TgwAttachment};
use crate::network::{
    Az, Destination, EndpointKind, Ident, Network, PublicIp, Route, RouteTable, RouteTarget, Subnet, Vpc, VpcEndpoint,
    Workload,
};
use crate::resolve::Unknown;
use crate::source::Span;

/// The Amazon Linux kernel's default ephemeral port range (kernel.org
/// ip-sysctl `ip_local_port_range`: 32768–60999; AWS's text says 61000).
pub const EPHEMERAL: (i64, i64) = (32768, 60999);
/// Source ports a NAT gateway uses towards the internet (VPC UG, NAT
/// gateways: 1024–65535), so replies come back to these.
pub const NAT_PORTS: (i64, i64) = (1024, 65535);

/// Which route table a subnet uses.
#[derive(Clone, Debug)]
pub enum RouteTableRef<'n> {
    /// An explicitly associated table of the template.
    Table(&'n RouteTable),
    /// No association: the VPC's main route table, which a template cannot
    /// change; assumed to hold only the local route (VPC UG, "Main route table").
    Main,
    /// Associated with something outside the template, or unknown.
    Unknown(Unknown),
}

/// What the route table does with traffic to a public address.
#[derive(Clone, Debug)]
pub enum RouteChoice<'n> {
    /// The S3 gateway endpoint's prefix-list route (beats `0.0.0.0/0`).
    GatewayEndpoint(&'n VpcEndpoint),
    /// The default route.
    Route(&'n Route),
    /// No route: the packet is dropped.
    None,
    /// Cannot tell.
    Unknown(Unknown),
}

/// Everything about one workload the hop evaluators need.
pub struct Tracer<'n> {
    /// The model.
    pub net: &'n Network,
    /// The analyzed region.
    pub region: &'n str,
    /// The workload.
    pub w: &'n Workload,
    /// Its subnet, when in the template.
    pub subnet: Option<&'n Subnet>,
    /// Its VPC, when in the template.
    pub vpc: Option<&'n Vpc>,
    /// Its security groups as idents (the VPC default group when none is given).
    pub group_idents: Vec<Ident>,
}

impl<'n> Tracer<'n> {
    /// Prepares the tracing of `w`.
    pub fn new(net: &'n Network, region: &'n str, w: &'n Workload) -> Tracer<'n> {
        let subnet = w.subnet.id().and_then(|id| net.subnet(id));
        let vpc = subnet.and_then(|s| net.vpc_of_subnet(s));
        let group_idents = if w.groups.is_empty() {
            vpc.map(|v| vec![Ident::Resource(format!("{}.DefaultSecurityGroup", v.id))]).unwrap_or_default()
        } else {
            w.groups.clone()
        };
        Tracer { net, region, w, subnet, vpc, group_idents }
    }

    /// The workload hop; `None` when the workload's subnet or VPC is not in
    /// the template (the path cannot be traced further).
    pub fn workload_hop(&self) -> Hop {
        match (self.subnet, self.vpc) {
            (Some(s), Some(v)) => {
                let cidr = s.cidr.map(|c| format!(" ({c})")).unwrap_or_default();
                let groups: Vec<String> = self.group_idents.iter().map(Ident::describe).collect();
                pass(
                    HopKind::Workload,
                    &self.w.id,
                    format!(
                        "{} in subnet {}{cidr} of VPC {}, security groups {}",
                        self.w.id,
                        s.id,
                        v.id,
                        groups.join(", ")
                    ),
                    self.w.span,
                )
            }
            (Some(s), None) => self.unknown_hop(HopKind::Workload, &self.w.id, &unknown_of(&s.vpc, s.span, "its VPC")),
            (None, _) => self.unknown_hop(
                HopKind::Workload,
                &self.w.id,
                &unknown_of(&self.w.subnet, self.w.subnet_span, "its subnet"),
            ),
        }
    }

    /// An unknown hop with a PN005 finding.
    pub fn unknown_hop(&self, kind: HopKind, resource: &str, u: &Unknown) -> Hop {
        let blocker = Blocker {
            code: Code::PN005,
            span: u.span,
            resource: Some(resource.to_string()),
            why: u.reason.clone(),
            fix: "Give the value in the template, or pass it with `--parameter` (or lint the stack that defines it in the same run).".into(),
        };
        hop(kind, Some(resource), Verdict::Unknown, u.reason.clone(), Some(u.span), Some(blocker))
    }

    /// VPC-wide DNS problems: `EnableDnsSupport: false` blocks every name;
    /// custom DHCP DNS servers make resolution unknown.
    pub fn vpc_dns_hop(&self, host: &str) -> Option<Hop> {
        let v = self.vpc?;
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

    /// The route table of a subnet.
    pub fn route_table_of(&self, subnet: &'n Subnet) -> RouteTableRef<'n> {
        match &subnet.route_table {
            None => RouteTableRef::Main,
            Some(Ident::Resource(id)) => match self.net.route_table(id) {
                Some(t) => RouteTableRef::Table(t),
                None => RouteTableRef::Unknown(Unknown {
                    reason: format!("route table `{id}` is not an AWS::EC2::RouteTable"),
                    span: subnet.span,
                }),
            },
            Some(other) => RouteTableRef::Unknown(unknown_of(other, subnet.span, "its route table")),
        }
    }

    /// The NACL of a subnet (the VPC's default NACL when none is associated).
    pub fn nacl_of(&self, subnet: &'n Subnet) -> Result<&'n NetworkAcl, Unknown> {
        match &subnet.nacl {
            None => {
                let vpc = subnet.vpc.id().ok_or_else(|| unknown_of(&subnet.vpc, subnet.span, "its VPC"))?;
                self.net.nacl(&format!("{vpc}.DefaultNetworkAcl")).ok_or_else(|| Unknown {
                    reason: format!("VPC `{vpc}` of subnet {} is not in the template", subnet.id),
                    span: subnet.span,
                })
            }
            Some(Ident::Resource(id)) => self.net.nacl(id).ok_or_else(|| Unknown {
                reason: format!("network ACL `{id}` is not an AWS::EC2::NetworkAcl"),
                span: subnet.span,
            }),
            Some(other) => Err(unknown_of(other, subnet.span, "its network ACL")),
        }
    }

    /// Where traffic from `subnet` to a public address goes. `s3` lets the
    /// region's S3 gateway endpoint route compete: its prefix-list CIDRs
    /// are all narrower than `/0`, so it wins over the default route (VPC
    /// UG, "Route priority"; PrivateLink guide, "Gateway endpoints").
    pub fn public_route(&self, subnet: &'n Subnet, s3: bool) -> RouteChoice<'n> {
        let rt = match self.route_table_of(subnet) {
            RouteTableRef::Main => return RouteChoice::None,
            RouteTableRef::Unknown(u) => return RouteChoice::Unknown(u),
            RouteTableRef::Table(t) => t,
        };
        if s3
            && let Some(ep) =
                self.s3_gateway_endpoints().find(|ep| ep.route_tables.iter().any(|r| r.id() == Some(rt.id.as_str())))
        {
            return RouteChoice::GatewayEndpoint(ep);
        }
        let mut unknown_dest = None;
        for r in &rt.routes {
            match &r.destination {
                Destination::Cidr(c) if c.prefix_len() == 0 => return RouteChoice::Route(r),
                Destination::Unknown(u) => {
                    unknown_dest.get_or_insert_with(|| u.clone());
                }
                _ => {}
            }
        }
        match unknown_dest {
            Some(u) => RouteChoice::Unknown(u),
            None => RouteChoice::None,
        }
    }

    /// The region's S3 gateway endpoints in the workload's VPC.
    pub fn s3_gateway_endpoints(&self) -> impl Iterator<Item = &'n VpcEndpoint> + '_ {
        let vpc = self.vpc.map_or("", |v| v.id.as_str());
        self.net.endpoints_in_vpc(vpc).filter(move |ep| {
            ep.kind == EndpointKind::Gateway && ep.service.as_ref().is_some_and(|(r, s)| r == self.region && s == "s3")
        })
    }

    /// The workload's security groups, or the first one that is unknown.
    pub fn groups(&self) -> Result<Vec<&'n SecurityGroup>, Unknown> {
        self.group_idents
            .iter()
            .map(|g| match g {
                Ident::Resource(id) => self.net.group(id).ok_or_else(|| Unknown {
                    reason: format!("`{id}` is not a security group of this template"),
                    span: self.w.groups_span,
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
        let groups = match self.groups() {
            Ok(g) => g,
            Err(u) => return self.unknown_hop(HopKind::SecurityGroupEgress, &self.w.id, &u),
        };
        let rules: Vec<SgRule> = groups.iter().flat_map(|g| g.egress.iter().cloned()).collect();
        let names: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        let (span, first) = self.egress_edit_span(&groups);
        match sg::allows(&rules, 443, target) {
            sg::Verdict::Allow(rule_span) => pass(
                HopKind::SecurityGroupEgress,
                &first,
                format!("{} allows tcp/443 out to {what}", names.join(", ")),
                rule_span,
            ),
            sg::Verdict::Unknown(u) => {
                // a hard-coded prefix list this region's table does not know
                let unknown_pl = rules.iter().find(|r| {
                    matches!(target, sg::Target::Public { is_s3: true, .. })
                        && matches!(&r.peer, Peer::PrefixList(Ident::External(pl))
                            if prefix_list_meaning(pl, self.region) == PrefixListMeaning::Unknown)
                });
                match unknown_pl {
                    Some(r) => unknown(
                        HopKind::SecurityGroupEgress,
                        &first,
                        u.reason.clone(),
                        Blocker {
                            code: Code::PN207,
                            span: r.peer_span,
                            resource: Some(r.standalone.clone().unwrap_or_else(|| first.clone())),
                            why: u.reason,
                            fix: prefix_list_fix(self.region),
                        },
                    ),
                    None => self.unknown_hop(HopKind::SecurityGroupEgress, &first, &u),
                }
            }
            sg::Verdict::Deny => {
                let existing = if rules.is_empty() {
                    "no egress rule at all".to_string()
                } else {
                    format!("only {}", rules.iter().map(describe_rule).collect::<Vec<_>>().join(", "))
                };
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
                            "its security groups ({}) allow no tcp/443 egress to {what}: they have {existing}{stripped}",
                            names.join(", ")
                        ),
                        fix: fix.to_string(),
                    },
                };
                block(
                    HopKind::SecurityGroupEgress,
                    &first,
                    format!("{} allow no tcp/443 out to {what}", names.join(", ")),
                    blocker,
                )
            }
        }
    }

    /// A NACL hop: `acl` evaluating tcp ports `ports` in one direction.
    #[allow(clippy::too_many_arguments)]
    pub fn nacl_hop(
        &self,
        subnet: &Subnet,
        egress: bool,
        ports: (i64, i64),
        remote: Remote,
        peer: &str,
        reply: bool,
    ) -> Hop {
        let kind = if egress { HopKind::NaclOutbound } else { HopKind::NaclInbound };
        let acl = match self.nacl_of(subnet) {
            Ok(a) => a,
            Err(u) => return self.unknown_hop(kind, &subnet.id, &u),
        };
        let dir = if egress { "out to" } else { "in from" };
        let port_text =
            if ports.0 == ports.1 { format!("tcp/{}", ports.0) } else { format!("tcp {}-{}", ports.0, ports.1) };
        let traffic =
            if reply { format!("the reply ({port_text}) {dir} {peer}") } else { format!("{port_text} {dir} {peer}") };
        let code = if reply { Code::PN302 } else { Code::PN301 };
        let fix_entry = nacl_fix(acl, egress, ports, remote, peer);
        match acl.evaluate(egress, ports.0, ports.1, remote) {
            NaclVerdict::Allow => pass(
                kind,
                &acl.id,
                format!("network ACL {} of subnet {} allows {traffic}", acl.id, subnet.id),
                acl.span,
            ),
            NaclVerdict::Deny(entry) => {
                let (span, resource, how) = match entry.as_deref().and_then(|e| acl.entry(e)) {
                    Some(e) if !acl.is_default || e.id != acl.id => {
                        (e.span, e.id.clone(), format!("entry {} (rule {}) denies it", e.id, e.number))
                    }
                    _ => (
                        acl.span,
                        acl.id.clone(),
                        "no entry allows it, so the final implicit deny drops it".to_string(),
                    ),
                };
                let why = format!("network ACL {} of subnet {} drops {traffic}: {how}", acl.id, subnet.id);
                block(kind, &acl.id, why.clone(), Blocker { code, span, resource: Some(resource), why, fix: fix_entry })
            }
            NaclVerdict::Partial(entry) => {
                let e = entry.as_deref().and_then(|e| acl.entry(e));
                let span = e.map(|e| e.span).unwrap_or(acl.span);
                let why = format!(
                    "network ACL {} of subnet {} lets only part of {traffic} through{}; connections from the other ephemeral ports are dropped",
                    acl.id,
                    subnet.id,
                    e.map(|e| format!(
                        " (entry {} allows {})",
                        e.id,
                        e.ports.map(|(a, b)| format!("{a}-{b}")).unwrap_or_default()
                    ))
                    .unwrap_or_default()
                );
                unknown(
                    kind,
                    &acl.id,
                    why.clone(),
                    Blocker {
                        code: Code::PN304,
                        span,
                        resource: Some(e.map(|e| e.id.clone()).unwrap_or(acl.id.clone())),
                        why,
                        fix: format!(
                            "Widen the port range to 1024-65535 (Amazon Linux uses {}-{}).",
                            EPHEMERAL.0, EPHEMERAL.1
                        ),
                    },
                )
            }
            NaclVerdict::Unknown(entry, u) => {
                let e = acl.entry(&entry);
                let why = format!("network ACL {} of subnet {}: {}", acl.id, subnet.id, u.reason);
                unknown(kind, &acl.id, why.clone(), Blocker {
                    code: Code::PN303,
                    span: e.map(|e| e.span).unwrap_or(u.span),
                    resource: Some(entry),
                    why,
                    fix: "Allow 0.0.0.0/0 for this traffic (NACLs cannot reference prefix lists), and keep the restriction in security groups.".into(),
                })
            }
        }
    }

    /// Request and reply NACL hops between the workload's subnet and a
    /// public address (through its route): out 443, back in on the
    /// ephemeral ports.
    pub fn public_nacl_hops(&self, subnet: &Subnet, peer: &str) -> Vec<Hop> {
        vec![
            self.nacl_hop(subnet, true, (443, 443), Remote::Public, peer, false),
            self.nacl_hop(subnet, false, EPHEMERAL, Remote::Public, peer, true),
        ]
    }

    /// The hops of a NAT gateway path: the NAT, its subnet's route to an
    /// attached internet gateway, and its subnet's NACL both ways.
    pub fn nat_hops(&self, nat: &Ident, route: &Route, peer: &str) -> Vec<Hop> {
        let Some(n) = nat.id().and_then(|id| self.net.nat(id)) else {
            return vec![self.outside(route, "NAT gateway", nat)];
        };
        let mut hops = Vec::new();
        if let Some(span) = n.private {
            hops.push(block(HopKind::NatGateway, &n.id, format!("{} is a private NAT gateway: it cannot reach the internet", n.id), Blocker {
                code: Code::PN104,
                span,
                resource: Some(n.id.clone()),
                why: format!("the default route goes to NAT gateway {}, which has `ConnectivityType: private`: an internet gateway drops its traffic", n.id),
                fix: format!("Remove `ConnectivityType: private` from {} (public is the default) and give it an Elastic IP `AllocationId`.", n.id),
            }));
            return hops;
        }
        if !n.has_eip {
            hops.push(block(HopKind::NatGateway, &n.id, format!("{} has no Elastic IP", n.id), Blocker {
                code: Code::PN104,
                span: n.span,
                resource: Some(n.id.clone()),
                why: format!("NAT gateway {} has no `AllocationId`: a public NAT gateway needs an Elastic IP", n.id),
                fix: format!("Add an `AWS::EC2::EIP` (Domain: vpc) and set `AllocationId: !GetAtt <Eip>.AllocationId` on {}.", n.id),
            }));
            return hops;
        }
        if n.regional {
            let igw = self.vpc.and_then(|v| self.attached_igw(&v.id));
            return match igw {
                Some(g) => vec![
                    pass(HopKind::NatGateway, &n.id, format!("regional NAT gateway {}", n.id), n.span),
                    pass(
                        HopKind::InternetGateway,
                        &g.id,
                        format!("internet gateway {} is attached to the VPC", g.id),
                        g.span,
                    ),
                ],
                None => vec![block(
                    HopKind::NatGateway,
                    &n.id,
                    format!("no internet gateway is attached to the VPC of {}", n.id),
                    Blocker {
                        code: Code::PN104,
                        span: n.span,
                        resource: Some(n.id.clone()),
                        why: format!("regional NAT gateway {} has no internet gateway attached to its VPC", n.id),
                        fix: "Attach an internet gateway to the VPC (`AWS::EC2::VPCGatewayAttachment`).".into(),
                    },
                )],
            };
        }
        let Some(nat_subnet) = n.subnet.as_ref().and_then(Ident::id).and_then(|id| self.net.subnet(id)) else {
            let u = unknown_of(
                n.subnet.as_ref().unwrap_or(&Ident::External("?".into())),
                n.span,
                "the NAT gateway's subnet",
            );
            hops.push(self.unknown_hop(HopKind::NatGateway, &n.id, &u));
            return hops;
        };
        // the NAT subnet's NACL sees the request come in and go out
        let from = self.subnet.and_then(|s| s.cidr);
        let same_subnet = self.subnet.is_some_and(|s| s.id == nat_subnet.id);
        if !same_subnet {
            hops.push(self.nacl_hop(
                nat_subnet,
                false,
                (443, 443),
                Remote::Private(from),
                &format!("{} (to the NAT gateway)", self.w.id),
                false,
            ));
        }
        hops.push(pass(
            HopKind::NatGateway,
            &n.id,
            format!("NAT gateway {} in subnet {}", n.id, nat_subnet.id),
            n.span,
        ));
        // its own route to the internet
        match self.public_route(nat_subnet, false) {
            RouteChoice::Route(r) => match &r.target {
                RouteTarget::InternetGateway(g) => hops.push(self.igw_attached_hop(g, r, &nat_subnet.vpc, Some(&n.id))),
                _ => hops.push(self.outside(r, "route of the NAT gateway's subnet", &route_target_ident(&r.target))),
            },
            RouteChoice::Unknown(u) => hops.push(self.unknown_hop(HopKind::RouteTable, &nat_subnet.id, &u)),
            RouteChoice::None | RouteChoice::GatewayEndpoint(_) => {
                let (span, resource) = match self.route_table_of(nat_subnet) {
                    RouteTableRef::Table(t) => (t.span, t.id.clone()),
                    _ => (nat_subnet.span, nat_subnet.id.clone()),
                };
                hops.push(block(HopKind::RouteTable, &resource, format!("subnet {} of NAT gateway {} has no route to an internet gateway", nat_subnet.id, n.id), Blocker {
                    code: Code::PN104,
                    span,
                    resource: Some(resource.clone()),
                    why: format!("NAT gateway {} sits in subnet {}, whose route table {resource} has no 0.0.0.0/0 route to an internet gateway", n.id, nat_subnet.id),
                    fix: format!("Put {} in a public subnet, or add to {resource}:\n  DefaultRoute:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref {resource}\n      DestinationCidrBlock: 0.0.0.0/0\n      GatewayId: !Ref <InternetGateway>", n.id),
                }));
            }
        }
        hops.push(self.nacl_hop(nat_subnet, true, (443, 443), Remote::Public, peer, false));
        hops.push(self.nacl_hop(nat_subnet, false, NAT_PORTS, Remote::Public, peer, true));
        if !same_subnet {
            hops.push(self.nacl_hop(
                nat_subnet,
                true,
                EPHEMERAL,
                Remote::Private(from),
                &format!("{} (back from the NAT gateway)", self.w.id),
                true,
            ));
        }
        hops
    }

    fn attached_igw(&self, vpc: &str) -> Option<&'n crate::network::InternetGateway> {
        self.net.igws.iter().find(|g| g.attached.iter().any(|v| v.id() == Some(vpc)))
    }

    /// The internet gateway a route targets must be attached to the VPC.
    pub fn igw_attached_hop(&self, igw: &Ident, route: &Route, vpc: &Ident, via_nat: Option<&str>) -> Hop {
        let Some(g) = igw.id().and_then(|id| self.net.igw(id)) else {
            return self.outside(route, "internet gateway", igw);
        };
        if g.attached.iter().any(|v| v == vpc) {
            let who = via_nat.map(|n| format!(" (for NAT gateway {n})")).unwrap_or_default();
            return pass(
                HopKind::InternetGateway,
                &g.id,
                format!("internet gateway {} is attached to the VPC{who}", g.id),
                g.span,
            );
        }
        let why = format!(
            "internet gateway {} is not attached to VPC {} (no AWS::EC2::VPCGatewayAttachment)",
            g.id,
            vpc.describe()
        );
        block(
            HopKind::InternetGateway,
            &g.id,
            why.clone(),
            Blocker {
                code: Code::PN104,
                span: g.span,
                resource: Some(g.id.clone()),
                why,
                fix: format!(
                    "Add:\n  GatewayAttachment:\n    Type: AWS::EC2::VPCGatewayAttachment\n    Properties:\n      VpcId: !Ref {}\n      InternetGatewayId: !Ref {}",
                    vpc.describe(),
                    g.id
                ),
            },
        )
    }

    /// The workload's own internet gateway path: the gateway, and a public IP.
    pub fn igw_hops(&self, igw: &Ident, route: &Route) -> Vec<Hop> {
        let (Some(subnet), Some(vpc)) = (self.subnet, self.vpc) else { return Vec::new() };
        let mut hops = vec![self.igw_attached_hop(igw, route, &Ident::Resource(vpc.id.clone()), None)];
        let public = match &self.w.public_ip {
            PublicIp::Yes(how) => Some(how.clone()),
            PublicIp::No if subnet.map_public_ip => Some(format!("subnet {} has MapPublicIpOnLaunch: true", subnet.id)),
            PublicIp::No => None,
            PublicIp::Unknown(u) => {
                hops.push(self.unknown_hop(HopKind::InternetGateway, &self.w.id, u));
                return hops;
            }
        };
        match public {
            Some(how) => hops.push(pass(
                HopKind::InternetGateway,
                &self.w.id,
                format!("{} has a public IPv4 address: {how}", self.w.id),
                self.w.span,
            )),
            None => {
                let span = subnet.map_public_ip_span.unwrap_or(subnet.span);
                let why = format!(
                    "the default route of subnet {} goes to an internet gateway, but {} gets no public IPv4 address (MapPublicIpOnLaunch is false and no Elastic IP or public network interface is given)",
                    subnet.id, self.w.id
                );
                hops.push(block(HopKind::InternetGateway, &self.w.id, why.clone(), Blocker {
                    code: Code::PN105,
                    span,
                    resource: Some(subnet.id.clone()),
                    why,
                    fix: format!("Set `MapPublicIpOnLaunch: true` on {} (or give the instance an Elastic IP), or route 0.0.0.0/0 to a NAT gateway instead.", subnet.id),
                }));
            }
        }
        hops
    }

    /// A hop whose far side is outside the template: unknown (PN106).
    /// A target declared in the template (a transit gateway, a Cloud WAN
    /// attachment) is not outside it, but the model ends there.
    pub fn outside(&self, route: &Route, what: &str, ident: &Ident) -> Hop {
        let (why, fix) = match ident {
            Ident::Resource(id) => (
                format!(
                    "the deciding route {} sends the traffic to {what} {id}, declared in the template, but privnet-lint does not follow traffic beyond a {what} (only VPC route tables, NAT and internet gateways are modelled)",
                    route.id
                ),
                format!(
                    "Check the path beyond {id} by hand, then suppress PN106 on {} (`Metadata: {{privnet-lint: {{ignore: [PN106]}}}}`).",
                    route.id
                ),
            ),
            Ident::External(id) => (
                format!(
                    "the deciding route {} sends the traffic to {what} `{id}`, which is outside the template",
                    route.id
                ),
                "Lint the stack that defines the target in the same run, or check that path by hand.".to_string(),
            ),
            Ident::Unknown(u) => (
                format!(
                    "the deciding route {} sends the traffic to a {what} that is not known before deployment: {}",
                    route.id, u.reason
                ),
                "Lint the stack that defines the target in the same run, or check that path by hand.".to_string(),
            ),
        };
        unknown(
            HopKind::RouteTable,
            &route.id,
            why.clone(),
            Blocker { code: Code::PN106, span: route.span, resource: Some(route.id.clone()), why, fix },
        )
    }

    /// The hops that follow a public route choice (`via` is the resource the
    /// traffic leaves through).
    pub fn route_target_hops(&self, route: &Route, peer: &str) -> (Vec<Hop>, Option<String>) {
        self.beyond(route, peer, peer, 0)
    }

    /// [`Tracer::route_target_hops`] where `peer` (for messages) is not
    /// the host name a firewall's domain lists see (`host`).
    pub fn route_target_hops_to(&self, route: &Route, peer: &str, host: &str) -> (Vec<Hop>, Option<String>) {
        self.beyond(route, peer, host, 0)
    }

    /// [`Tracer::route_target_hops`] after `depth` firewalls or transit
    /// gateways (a transit gateway's traffic reaches the next VPC with the
    /// instance's private address; `self` is then a tracer in that VPC).
    fn beyond(&self, route: &Route, peer: &str, host: &str, depth: usize) -> (Vec<Hop>, Option<String>) {
        const MAX_DEPTH: usize = 4;
        match &route.target {
            RouteTarget::NatGateway(n) => (self.nat_hops(n, route, peer), n.id().map(str::to_string)),
            RouteTarget::InternetGateway(g) if self.transited() => {
                let why = format!(
                    "the deciding route {} sends traffic that came through a transit gateway straight to internet gateway {}: it keeps the instance's private address, which an internet gateway does not translate",
                    route.id,
                    g.describe()
                );
                (
                    vec![self.route_unknown(
                        route,
                        why,
                        "Route the transit gateway's traffic to a NAT gateway in this VPC.".into(),
                    )],
                    None,
                )
            }
            RouteTarget::InternetGateway(g) => (self.igw_hops(g, route), g.id().map(str::to_string)),
            RouteTarget::Local | RouteTarget::GatewayEndpoint(_) => (Vec::new(), None),
            RouteTarget::Other(kind, Ident::Resource(id)) if depth < MAX_DEPTH && kind == "VpcEndpointId" => {
                match self.net.firewalls.iter().find(|f| f.id == *id) {
                    Some(fw) => self.firewall_hops(fw, route, peer, host, depth),
                    None => {
                        (vec![self.outside(route, &humanize_target(kind), &route_target_ident(&route.target))], None)
                    }
                }
            }
            RouteTarget::Other(kind, Ident::Resource(id))
                if depth < MAX_DEPTH && kind == "TransitGatewayId" && self.net.transit.gateway(id).is_some() =>
            {
                self.tgw_hops(id, route, peer, host, depth)
            }
            RouteTarget::Other(kind, ident) => (vec![self.outside(route, &humanize_target(kind), ident)], None),
        }
    }

    /// True when this tracer stands in a VPC the traffic reached through a
    /// transit gateway (not the workload's own VPC).
    fn transited(&self) -> bool {
        let own = self.w.subnet.id().and_then(|id| self.net.subnet(id)).and_then(|s| self.net.vpc_of_subnet(s));
        own.map(|v| v.id.as_str()) != self.vpc.map(|v| v.id.as_str())
    }

    /// An unknown hop at a route (PN106) with its own reason.
    fn route_unknown(&self, route: &Route, why: String, fix: String) -> Hop {
        self.unknown_at(&route.id, route.span, why, fix)
    }

    /// PN106 pointing at `resource` (at `span`), the thing to edit.
    fn unknown_at(&self, resource: &str, span: Span, why: String, fix: String) -> Hop {
        unknown(
            HopKind::RouteTable,
            resource,
            why.clone(),
            Blocker { code: Code::PN106, span, resource: Some(resource.to_string()), why, fix },
        )
    }

    /// The same workload traced from `subnet` on (after a transit gateway).
    fn in_subnet(&self, subnet: &'n Subnet) -> Tracer<'n> {
        Tracer {
            net: self.net,
            region: self.region,
            w: self.w,
            subnet: Some(subnet),
            vpc: self.net.vpc_of_subnet(subnet),
            group_idents: self.group_idents.clone(),
        }
    }

    /// The default route of `subnet`'s route table and what follows it.
    fn onward(
        &self,
        subnet: &'n Subnet,
        why_here: &str,
        peer: &str,
        host: &str,
        depth: usize,
    ) -> (Vec<Hop>, Option<String>) {
        match self.public_route(subnet, false) {
            RouteChoice::Route(r) => {
                let rt = match self.route_table_of(subnet) {
                    RouteTableRef::Table(rt) => rt.id.clone(),
                    _ => subnet.id.clone(),
                };
                let mut hops = vec![pass(
                    HopKind::RouteTable,
                    &rt,
                    format!("{why_here}; route table {rt}: 0.0.0.0/0 ({})", r.id),
                    r.span,
                )];
                let (more, via) = self.beyond(r, peer, host, depth + 1);
                hops.extend(more);
                (hops, via)
            }
            RouteChoice::Unknown(u) => (vec![self.unknown_hop(HopKind::RouteTable, &subnet.id, &u)], None),
            RouteChoice::None | RouteChoice::GatewayEndpoint(_) => {
                let why = format!("{why_here}, but the route table of subnet {} has no 0.0.0.0/0 route", subnet.id);
                (
                    vec![unknown(
                        HopKind::RouteTable,
                        &subnet.id,
                        why.clone(),
                        Blocker {
                            code: Code::PN106,
                            span: subnet.span,
                            resource: Some(subnet.id.clone()),
                            why,
                            fix: format!("Route 0.0.0.0/0 from subnet {} to a NAT gateway.", subnet.id),
                        },
                    )],
                    None,
                )
            }
        }
    }

    /// Through a Network Firewall: its policy, then its subnet's route.
    fn firewall_hops(
        &self,
        fw: &'n Firewall,
        route: &Route,
        peer: &str,
        host: &str,
        depth: usize,
    ) -> (Vec<Hop>, Option<String>) {
        let fix =
            format!("Check that firewall {} lets HTTPS to {peer} through, then suppress PN106 on {}.", fw.id, route.id);
        let passed = match fw.https_verdict(host) {
            Ok(why) => why,
            Err(why) => {
                let why = format!(
                    "the deciding route {} sends the traffic through Network Firewall {}: {why}",
                    route.id, fw.id
                );
                return (vec![self.route_unknown(route, why, fix)], None);
            }
        };
        let subnets: Vec<&'n Subnet> =
            fw.subnets.iter().filter_map(|s| s.id().and_then(|id| self.net.subnet(id))).collect();
        if subnets.is_empty() || subnets.len() != fw.subnets.len() {
            let why = format!(
                "the deciding route {} sends the traffic to Network Firewall {}, whose subnets are not all in the template",
                route.id, fw.id
            );
            return (vec![self.route_unknown(route, why, fix)], None);
        }
        let mut first = None;
        // which AZ's endpoint a route picks is not knowable: every subnet must work
        for s in subnets {
            let mut hops = vec![pass(
                HopKind::RouteTable,
                &fw.id,
                format!("Network Firewall {} lets HTTPS to {peer} through ({passed})", fw.id),
                fw.span,
            )];
            let (more, via) = self.onward(s, &format!("the firewall's subnet {}", s.id), peer, host, depth);
            hops.extend(more);
            if hops.iter().any(|h| h.verdict != Verdict::Pass) {
                return (hops, via);
            }
            first.get_or_insert((hops, via));
        }
        first.unwrap_or_default()
    }

    /// Through a transit gateway: the route table of the source VPC's
    /// attachment, its `0.0.0.0/0` route, then the target attachment's VPC.
    fn tgw_hops(&self, tgw: &str, route: &Route, peer: &str, host: &str, depth: usize) -> (Vec<Hop>, Option<String>) {
        let transit = &self.net.transit;
        let fix = format!("Check the path beyond transit gateway {tgw} by hand, then suppress PN106 on {}.", route.id);
        let say = |detail: String| {
            format!("the deciding route {} sends the traffic to transit gateway {tgw}, {detail}", route.id)
        };
        let vpc = self.vpc.map(|v| v.id.as_str()).unwrap_or_default();
        let Some(att) = transit.attachment_of(tgw, vpc) else {
            return (
                vec![self.route_unknown(
                    route,
                    say(format!("but VPC {vpc} has no attachment to it in the template")),
                    fix,
                )],
                None,
            );
        };
        // traffic enters the gateway only through an attachment subnet in
        // the source's Availability Zone (Transit Gateway guide, "Amazon VPC
        // attachments": limits)
        if let Some(az) = self.subnet.and_then(|s| s.az.as_ref()) {
            let zones: Vec<&Az> = att
                .subnets
                .iter()
                .filter_map(|s| s.id().and_then(|id| self.net.subnet(id)).and_then(|s| s.az.as_ref()))
                .collect();
            if zones.len() == att.subnets.len() && zones.iter().all(|z| z.same(az) == Some(false)) {
                let listed = zones.iter().map(|z| z.to_string()).collect::<Vec<_>>().join(", ");
                return (
                    vec![self.unknown_at(
                        &att.id,
                        att.subnets_span,
                        say(format!(
                            "but attachment {} has no subnet in {az} (only {listed}), and a transit gateway takes traffic only from an attachment subnet in the source's Availability Zone",
                            att.id
                        )),
                        format!("Add a subnet in {az} to the SubnetIds of {}.", att.id),
                    )],
                    None,
                );
            }
        }
        let table = match &att.route_table {
            Some(Ident::Resource(t)) => t.clone(),
            Some(other) => {
                return (
                    vec![self.route_unknown(
                        route,
                        say(format!("whose route table for attachment {} is {}", att.id, other.describe())),
                        fix,
                    )],
                    None,
                );
            }
            None => {
                let default = transit.gateway(tgw).is_some_and(|g| g.default_association);
                let detail = if default {
                    format!(
                        "where attachment {} uses the gateway's default route table, whose routes are not in the template",
                        att.id
                    )
                } else {
                    format!("but attachment {} is associated with no route table", att.id)
                };
                return (vec![self.route_unknown(route, say(detail), fix)], None);
            }
        };
        let mut table = table;
        let mut hops = Vec::new();
        // through firewalls attached to the gateway (each one's traffic is
        // routed on by the table associated with its attachment)
        let (tr, next) = loop {
            let Some(tr) = transit.default_route(&table) else {
                return (
                    vec![self.route_unknown(
                        route,
                        say(format!("whose route table {table} has no static 0.0.0.0/0 route")),
                        fix,
                    )],
                    None,
                );
            };
            let target = match &tr.attachment {
                Some(Ident::Resource(a)) => a.as_str(),
                other => {
                    let what = match other {
                        None => "drops it (blackhole)".to_string(),
                        Some(a) => format!("sends it to attachment {}", a.describe()),
                    };
                    return (vec![self.route_unknown(route, say(format!("whose route {} {what}", tr.id)), fix)], None);
                }
            };
            if let Some(next) = transit.attachment(target) {
                break (tr, next);
            }
            let fw = self.net.firewalls.iter().find(|f| f.id == target);
            let after = transit.firewall_tables.iter().find(|(f, _)| f == target).and_then(|(_, t)| t.id());
            let (Some(fw), Some(after)) = (fw, after) else {
                let why = format!(
                    "whose route {} sends it to {target}, which is not a VPC attachment of the template",
                    tr.id
                );
                return (vec![self.route_unknown(route, say(why), fix)], None);
            };
            if hops.len() >= 4 {
                return (
                    vec![self.route_unknown(
                        route,
                        say("through more firewalls than privnet-lint follows".into()),
                        fix,
                    )],
                    None,
                );
            }
            match fw.https_verdict(host) {
                Ok(why) => hops.push(pass(
                    HopKind::RouteTable,
                    &fw.id,
                    format!(
                        "transit gateway {tgw}: route table {table} sends 0.0.0.0/0 ({}) to Network Firewall {}, which lets HTTPS to {peer} through ({why}); route table {after} takes it on",
                        tr.id, fw.id
                    ),
                    tr.span,
                )),
                Err(why) => {
                    let why = say(format!("whose route {} sends it through Network Firewall {}: {why}", tr.id, fw.id));
                    return (vec![self.route_unknown(route, why, fix)], None);
                }
            }
            table = after.to_string();
        };
        let subnets: Vec<&Subnet> =
            next.subnets.iter().filter_map(|s| s.id()).filter_map(|id| self.net.subnet(id)).collect();
        if subnets.is_empty() {
            return (
                vec![self.route_unknown(
                    route,
                    say(format!("then to attachment {}, whose subnets are not in the template", next.id)),
                    fix,
                )],
                None,
            );
        }
        // The gateway hands the traffic to the attachment's subnet in the
        // source's Availability Zone when it has one; otherwise the subnets
        // must all route it the same way for the answer not to depend on it.
        let az = self.subnet.and_then(|s| s.az.as_ref());
        let same_zone = subnets.iter().find(|s| az.zip(s.az.as_ref()).and_then(|(a, b)| a.same(b)) == Some(true));
        let candidates: Vec<&Subnet> = match same_zone {
            Some(s) => vec![s],
            None => subnets,
        };
        let mut onward: Vec<(&Subnet, Vec<Hop>, Option<String>)> = Vec::new();
        for subnet in candidates {
            let there = self.in_subnet(subnet);
            let (more, via) = there.onward(subnet, &format!("attachment subnet {}", subnet.id), peer, host, depth);
            onward.push((subnet, more, via));
        }
        let outcome = |hops: &[Hop]| {
            if hops.iter().any(|h| h.verdict == Verdict::Block) {
                Verdict::Block
            } else if hops.iter().any(|h| h.verdict == Verdict::Unknown) {
                Verdict::Unknown
            } else {
                Verdict::Pass
            }
        };
        let first = outcome(&onward[0].1);
        if let Some((other, _, _)) = onward.iter().find(|(_, h, _)| outcome(h) != first) {
            let why = say(format!(
                "then to attachment {}, whose subnets {} and {} route it differently; which one it leaves by depends on the source's Availability Zone, which the template does not tie to one of theirs",
                next.id, onward[0].0.id, other.id
            ));
            return (vec![self.route_unknown(route, why, fix)], None);
        }
        let (out_subnet, more, via) = onward.swap_remove(0);
        // the replies come back the same way: only worth asking when the
        // way out works
        if first == Verdict::Pass
            && let Some(h) = self.tgw_return_hop(tgw, att, next, out_subnet)
        {
            return (vec![h], None);
        }
        hops.push(pass(
            HopKind::RouteTable,
            tgw,
            format!(
                "transit gateway {tgw}: route table {table} sends 0.0.0.0/0 ({}) to attachment {} (VPC {})",
                tr.id,
                next.id,
                next.vpc.describe()
            ),
            tr.span,
        ));
        hops.extend(more);
        (hops, via)
    }

    /// The way back through a transit gateway, when the template shows it
    /// broken (an unknown hop, PN106, at the route table or attachment to
    /// edit): the replies reach the NAT gateway of
    /// the egress VPC, whose subnet's route table must send the source
    /// subnet's CIDR to the gateway, and the gateway route table of the
    /// egress attachment must send it to the source attachment (a static
    /// route or the source attachment's propagated CIDR, longest prefix
    /// first). Transit Gateway guide, "Example: Centralized outbound routing
    /// to the internet". `None` when it works or cannot be told.
    fn tgw_return_hop(
        &self,
        tgw: &str,
        att: &TgwAttachment,
        next: &TgwAttachment,
        out_subnet: &'n Subnet,
    ) -> Option<Hop> {
        let src = self.subnet?;
        let src_cidr = src.cidr?;
        let fix = |what: String, on: &str| format!("{what}; or suppress PN106 on {on} once verified.");
        // 1. the NAT gateway's subnet sends the replies to the gateway
        if let RouteChoice::Route(r) = self.public_route(out_subnet, false)
            && let RouteTarget::NatGateway(nat) = &r.target
            && let Some(nat) = nat.id().and_then(|id| self.net.nat(id))
            && let Some(nat_subnet) = nat.subnet.as_ref().and_then(Ident::id).and_then(|id| self.net.subnet(id))
            && let RouteTableRef::Table(rt) = self.route_table_of(nat_subnet)
        {
            let back = rt
                .routes
                .iter()
                .filter_map(|x| match &x.destination {
                    Destination::Cidr(c) if c.contains(&src_cidr) => Some((c.prefix_len(), x)),
                    _ => None,
                })
                .max_by_key(|(len, _)| *len);
            let to_tgw = |x: &Route| matches!(&x.target, RouteTarget::Other(k, i) if k == "TransitGatewayId" && i.id() == Some(tgw));
            // a route to a prefix list (say, of the spokes' CIDRs) may cover
            // the source: then the template cannot tell
            let known_dest = rt.routes.iter().all(|x| match x.destination {
                Destination::Unknown(_) => false,
                Destination::Other => !to_tgw(x),
                _ => true,
            });
            match back {
                Some((_, x)) if to_tgw(x) => {}
                Some((_, x)) if matches!(x.target, RouteTarget::Other(..)) => {}
                other if known_dest => {
                    let sent = match other {
                        Some((_, x)) => format!("sends {src_cidr} to {} ({})", describe_target(&x.target), x.id),
                        None => format!("has no route for {src_cidr}"),
                    };
                    let why = format!(
                        "the way back is broken: route table {} of NAT gateway {}'s subnet {} {sent}, not to transit gateway {tgw}, so the replies for {} never return",
                        rt.id, nat.id, nat_subnet.id, src.id
                    );
                    return Some(self.unknown_at(
                        &rt.id,
                        rt.span,
                        why,
                        fix(
                            format!(
                                "Add a route for {src_cidr} (or the spokes' range) to transit gateway {tgw} in route table {}",
                                rt.id
                            ),
                            &rt.id,
                        ),
                    ));
                }
                _ => {}
            }
        }
        // 2. the egress attachment's gateway route table sends them to the
        // source attachment, possibly through firewalls attached to the
        // gateway (each one's attachment table takes over, as on the way out)
        let transit = &self.net.transit;
        let Some(Ident::Resource(first)) = &next.route_table else { return None };
        let cidrs = |vpc: &Ident| vpc.id().and_then(|id| self.net.vpc(id)).map(|v| v.cidrs.clone()).unwrap_or_default();
        let mut table = first.clone();
        let mut firewalls = 0;
        let sent = loop {
            let back = transit.route_back(tgw, &table, src_cidr, &cidrs).ok()?;
            break match &back {
                Some((_, BackVia::Propagated(a))) if a == &att.id => return None,
                Some((_, BackVia::Static(_, Some(a)))) if a.id() == Some(att.id.as_str()) => return None,
                Some((_, BackVia::Static(_, Some(Ident::Resource(a))))) if transit.attachment(a).is_none() => {
                    // a firewall attached to the gateway: its table goes on
                    match transit.firewall_tables.iter().find(|(f, _)| f == a).and_then(|(_, t)| t.id()) {
                        Some(after) if firewalls < 4 => {
                            firewalls += 1;
                            table = after.to_string();
                            continue;
                        }
                        _ => return None,
                    }
                }
                Some((_, BackVia::Static(_, Some(a)))) if a.id().is_none() => return None,
                Some((net, BackVia::Static(id, Some(a)))) => format!("sends {net} to {} ({id})", a.describe()),
                Some((net, BackVia::Static(id, None))) => format!("drops {net} (blackhole route {id})"),
                Some((net, BackVia::Propagated(a))) => format!("sends {net} to attachment {a}"),
                None => format!("has no route for {src_cidr} (neither a static route nor a propagation of {})", att.id),
            };
        };
        let why = format!(
            "the way back is broken: transit gateway route table {table} of attachment {} {sent}, not to attachment {} of {}'s VPC, so the replies never return",
            next.id, att.id, src.id
        );
        Some(self.unknown_at(
            &att.id,
            att.span,
            why,
            fix(
                format!(
                    "Add an AWS::EC2::TransitGatewayRouteTablePropagation of {} to {table} (or a static route for {src_cidr} to {})",
                    att.id, att.id
                ),
                &att.id,
            ),
        ))
    }

    /// True when the route table sends `0.0.0.0/0` somewhere (an internet
    /// path is intended, whether or not it works).
    pub fn has_default_route(&self) -> bool {
        let Some(s) = self.subnet else { return false };
        matches!(self.public_route(s, false), RouteChoice::Route(_) | RouteChoice::Unknown(_))
    }
}

fn humanize_target(key: &str) -> String {
    match key {
        "GatewayId" => "gateway",
        "TransitGatewayId" => "transit gateway",
        "VpcPeeringConnectionId" => "VPC peering connection",
        "InstanceId" => "instance",
        "NetworkInterfaceId" => "network interface",
        "VpcEndpointId" => "Gateway Load Balancer endpoint",
        "CarrierGatewayId" => "carrier gateway",
        "EgressOnlyInternetGatewayId" => "egress-only internet gateway",
        "LocalGatewayId" => "local gateway",
        "CoreNetworkArn" => "Cloud WAN core network",
        _ => key,
    }
    .to_string()
}

fn describe_target(t: &RouteTarget) -> String {
    match t {
        RouteTarget::Local => "the VPC itself (local)".into(),
        RouteTarget::InternetGateway(i) => format!("internet gateway {}", i.describe()),
        RouteTarget::NatGateway(i) => format!("NAT gateway {}", i.describe()),
        RouteTarget::GatewayEndpoint(id) => format!("gateway endpoint {id}"),
        RouteTarget::Other(key, i) => format!("{} {}", humanize_target(key), i.describe()),
    }
}

fn route_target_ident(t: &RouteTarget) -> Ident {
    match t {
        RouteTarget::InternetGateway(i) | RouteTarget::NatGateway(i) | RouteTarget::Other(_, i) => i.clone(),
        RouteTarget::GatewayEndpoint(id) => Ident::Resource(id.clone()),
        RouteTarget::Local => Ident::External("local".into()),
    }
}

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
        Peer::Missing => "nothing (the rule has no destination and is not created)".into(),
        Peer::Unknown(_) => "an unknown destination".into(),
    };
    format!("{proto} → {peer}")
}

fn nacl_fix(acl: &NetworkAcl, egress: bool, ports: (i64, i64), remote: Remote, peer: &str) -> String {
    let cidr = match remote {
        Remote::Public => "0.0.0.0/0".to_string(),
        Remote::Private(Some(c)) => c.to_string(),
        Remote::Private(None) => "<the other subnet's CIDR>".to_string(),
    };
    let (from, to) = if ports.0 == ports.1 { ports } else { (1024, 65535) };
    let name = if egress { "Outbound" } else { "Inbound" };
    let target = if acl.is_default { format!("!GetAtt {}", acl.id) } else { format!("!Ref {}", acl.id) };
    format!(
        "Allow it in network ACL {} ({peer}), before any deny:\n  {}Allow{}:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties:\n      NetworkAclId: {target}\n      RuleNumber: 100\n      Egress: {egress}\n      Protocol: 6\n      RuleAction: allow\n      CidrBlock: {cidr}\n      PortRange: {{From: {from}, To: {to}}}",
        acl.id,
        name,
        if from == to { format!("Https{}", if egress { "Out" } else { "In" }) } else { "Ephemeral".to_string() }
    )
}

/// An `Unknown` for an ident that is not a resource of the template.
pub fn unknown_of(ident: &Ident, span: Span, what: &str) -> Unknown {
    match ident {
        Ident::Unknown(u) => u.clone(),
        Ident::External(id) => Unknown { reason: format!("{what} `{id}` is outside the template"), span },
        Ident::Resource(id) => Unknown { reason: format!("{what} `{id}` is not in the template"), span },
    }
}

fn hop(
    kind: HopKind,
    resource: Option<&str>,
    verdict: Verdict,
    detail: String,
    span: Option<Span>,
    blocker: Option<Blocker>,
) -> Hop {
    Hop { kind, resource: resource.map(str::to_string), verdict, detail, span, blocker }
}

/// A passing hop.
pub fn pass(kind: HopKind, resource: &str, detail: String, span: Span) -> Hop {
    hop(kind, Some(resource), Verdict::Pass, detail, Some(span), None)
}

/// A blocking hop.
pub fn block(kind: HopKind, resource: &str, detail: String, blocker: Blocker) -> Hop {
    let span = blocker.span;
    hop(kind, Some(resource), Verdict::Block, detail, Some(span), Some(blocker))
}

/// An unknown hop.
pub fn unknown(kind: HopKind, resource: &str, detail: String, blocker: Blocker) -> Hop {
    let span = blocker.span;
    hop(kind, Some(resource), Verdict::Unknown, detail, Some(span), Some(blocker))
}
