//! VPC endpoint hops. A gateway endpoint serves only S3 (or DynamoDB) of its
//! own region, through a route on the route tables it lists (PrivateLink
//! guide, "Gateway endpoints for Amazon S3"); an interface endpoint serves
//! only its own VPC, through its ENIs: the local route, the workload's
//! egress, both subnets' NACLs, the endpoint's policy and security group.

use super::nacl::EPHEMERAL;
use super::route::RouteTableRef;
use super::security_group::endpoint_egress_fix;
use super::{block, pass, unknown_of};
use crate::finding::Code;
use crate::network::nacl::Remote;
use crate::network::sg;
use crate::network::{EndpointKind, Ident, Subnet, Vpc, VpcEndpoint};
use crate::reach::{Blocker, Hop, HopKind, Tracer, Verdict};
use crate::resolve::Unknown;

impl<'n> Tracer<'n> {
    /// The region's S3 gateway endpoints in the workload's VPC.
    pub fn s3_gateway_endpoints(&self) -> impl Iterator<Item = &'n VpcEndpoint> + '_ {
        let vpc = self.vpc.map_or("", |v| v.id.as_str());
        self.net.endpoints_in_vpc(vpc).filter(move |ep| {
            ep.kind == EndpointKind::Gateway && ep.service.as_ref().is_some_and(|(r, s)| r == self.region && s == "s3")
        })
    }

    /// Interface endpoints for `service` in the analyzed region, any VPC.
    pub(crate) fn interface_endpoints(&self, service: &'n str) -> impl Iterator<Item = &'n VpcEndpoint> + 'n {
        let region = self.region;
        self.net.endpoints.iter().filter(move |ep| serves(ep, region, service))
    }

    /// Interface endpoints for `service` in the analyzed region in VPC `vpc`.
    pub(crate) fn interface_endpoints_in(
        &self,
        vpc: &str,
        service: &'n str,
    ) -> impl Iterator<Item = &'n VpcEndpoint> + 'n {
        let region = self.region;
        self.net.endpoints_in_vpc(vpc).filter(move |ep| serves(ep, region, service))
    }

    /// Endpoints in VPC `vpc` for `service` that hard-code another region.
    pub(crate) fn wrong_region_endpoints(
        &self,
        vpc: &str,
        service: &'n str,
    ) -> impl Iterator<Item = &'n VpcEndpoint> + 'n {
        let region = self.region;
        self.net.endpoints_in_vpc(vpc).filter(move |ep| {
            ep.service.as_ref().is_some_and(|(r, s)| r != region && s == service && !r.contains("${"))
        })
    }

    /// The hops through an interface endpoint: local route, the workload's
    /// egress, both subnets' NACLs (none within one subnet), the endpoint's
    /// security group.
    pub(crate) fn endpoint_hops(&self, subnet: &Subnet, ep: &VpcEndpoint, host: &str) -> Vec<Hop> {
        let mut hops = Vec::new();
        let eni_subnets: Vec<Result<&Subnet, Unknown>> = ep
            .subnets
            .iter()
            .map(|s| match s.id().and_then(|id| self.net.subnet(id)) {
                Some(x) => Ok(x),
                None => Err(unknown_of(s, ep.span, "an endpoint subnet")),
            })
            .collect();
        let names: Vec<String> = ep.subnets.iter().map(Ident::describe).collect();
        let rt = match self.route_table_of(subnet) {
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
            self.vpc.map(|v| vec![self.net.default_group(&v.id)]).unwrap_or_default()
        } else {
            ep.groups.clone()
        };
        // egress to every ENI the name resolves to; keep the worst
        let mut egress: Option<Hop> = None;
        for s in &eni_subnets {
            let cidr = s.as_ref().ok().and_then(|s| s.cidr);
            let target = sg::Target::Private { cidr, groups: &ep_groups };
            let h = self.sg_egress_hop(
                &target,
                &format!("interface endpoint {}", ep.id),
                Code::PN202,
                &endpoint_egress_fix(ep),
            );
            if egress.as_ref().is_none_or(|e| rank(h.verdict) > rank(e.verdict)) {
                egress = Some(h);
            }
        }
        if eni_subnets.is_empty() {
            let u = Unknown::new(format!("interface endpoint {} has no `SubnetIds`", ep.id), ep.span);
            egress = Some(self.unknown_hop(HopKind::SecurityGroupEgress, &ep.id, &u));
        }
        hops.extend(egress);
        for s in &eni_subnets {
            match s {
                Ok(s) if s.id == subnet.id => {}
                Ok(s) => {
                    let peer = format!("interface endpoint {} in subnet {}", ep.id, s.id);
                    let back = format!("{} in subnet {}", self.w.id, subnet.id);
                    hops.push(self.nacl_hop(subnet, true, (443, 443), Remote::Private(s.cidr), &peer, false));
                    hops.push(self.nacl_hop(s, false, (443, 443), Remote::Private(subnet.cidr), &back, false));
                    hops.push(self.nacl_hop(s, true, EPHEMERAL, Remote::Private(subnet.cidr), &back, true));
                    hops.push(self.nacl_hop(subnet, false, EPHEMERAL, Remote::Private(s.cidr), &peer, true));
                }
                Err(u) => hops.push(self.unknown_hop(HopKind::NaclOutbound, &ep.id, u)),
            }
        }
        hops.push(pass(
            HopKind::InterfaceEndpoint,
            &ep.id,
            format!("interface endpoint {} ({})", ep.id, ep.service_text),
            ep.span,
        ));
        hops.extend(self.interface_policy_hop(ep));
        hops.push(self.endpoint_ingress_hop(subnet, ep, &ep_groups));
        hops.push(pass(
            HopKind::Destination,
            ep.service.as_ref().map(|(_, s)| s.as_str()).unwrap_or("?"),
            format!("{host}:443"),
            ep.span,
        ));
        hops
    }

    /// PN405: the only interface endpoint for `service` is in another VPC;
    /// an endpoint serves only its own VPC.
    pub(crate) fn other_vpc_endpoint_block(&self, ep: &VpcEndpoint, vpc: &Vpc, service: &str) -> Hop {
        // over a peering connection the endpoint's addresses are reachable,
        // but its private DNS name resolves only in its own VPC (PrivateLink
        // guide, "Access an interface VPC endpoint": private DNS)
        let peering = ep.vpc.id().and_then(|other| {
            self.net.peerings.iter().find(|p| p.other_side(&vpc.id) == Some(other)).map(|p| p.id.as_str())
        });
        let why = match peering {
            Some(pcx) => format!(
                "the only {service} interface endpoint, {}, is in VPC {}, peered with {}'s VPC {} through {pcx}: its addresses are reachable over the peering, but its private DNS name resolves only inside VPC {}, so in VPC {} {service}.{}.amazonaws.com resolves to public addresses, which need a NAT or internet path",
                ep.id,
                ep.vpc.describe(),
                self.w.id,
                vpc.id,
                ep.vpc.describe(),
                vpc.id,
                self.region
            ),
            None => format!(
                "the only {service} interface endpoint, {}, is in VPC {}, but {} is in VPC {}; an endpoint serves only its own VPC",
                ep.id,
                ep.vpc.describe(),
                self.w.id,
                vpc.id
            ),
        };
        let fix = match peering {
            Some(_) => format!(
                "Create a {service} interface endpoint with private DNS in VPC {} (`VpcId: !Ref {}`), or share {}: turn its private DNS off, create a Route 53 private hosted zone `{service}.{}.amazonaws.com` with an alias record to it, and associate the zone with VPC {}.",
                vpc.id, vpc.id, ep.id, self.region, vpc.id
            ),
            None => format!(
                "Create {} in VPC {} (`VpcId: !Ref {}`, `SubnetIds` of that VPC), or add one there.",
                ep.id, vpc.id, vpc.id
            ),
        };
        block(
            HopKind::InterfaceEndpoint,
            &ep.id,
            why.clone(),
            Blocker { code: Code::PN405, span: ep.vpc_span, resource: Some(ep.id.clone()), why, fix },
        )
    }

    /// PN408: the VPC's endpoint for `service` names another region's
    /// service, which cannot be created in this region.
    pub(crate) fn wrong_region_endpoint_block(&self, ep: &VpcEndpoint, service: &str) -> Hop {
        let region = ep.service.as_ref().map(|(r, _)| r.as_str()).unwrap_or("?");
        let why = format!(
            "interface endpoint {} names `{}`, a service of {region}: in {} that endpoint cannot be created (InvalidServiceName), so {service} has no endpoint",
            ep.id, ep.service_text, self.region
        );
        block(
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
        )
    }

    /// No endpoint and no internet path: PN103 when the VPC has no endpoint
    /// for either session service, PN401 when it has one of them.
    pub(crate) fn missing_endpoint_block(&self, subnet: &Subnet, service: &str, host: &str) -> Hop {
        let vpc = self.vpc.expect("checked by the caller");
        let any_session_endpoint =
            ["ssm", "ssmmessages"].iter().any(|s| self.interface_endpoints_in(&vpc.id, s).next().is_some());
        let endpoint_yaml = |svc: &str| {
            format!(
                "  {}Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref {}\n      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.{svc}\n      VpcEndpointType: Interface\n      PrivateDnsEnabled: true\n      SubnetIds: [!Ref {}]\n      SecurityGroupIds: [!Ref <EndpointSecurityGroup>]   # allows tcp/443 from the instances",
                capitalize(svc),
                vpc.id,
                subnet.id
            )
        };
        if !any_session_endpoint && service != "ec2messages" {
            let (span, rt) = match self.route_table_of(subnet) {
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
        let why =
            format!("VPC {} has no interface endpoint for {service} ({host}) and no NAT or internet path", vpc.id);
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
}

/// Whether `ep` is an interface endpoint for `service` in `region`.
fn serves(ep: &VpcEndpoint, region: &str, service: &str) -> bool {
    ep.kind == EndpointKind::Interface && ep.service.as_ref().is_some_and(|(r, s)| r == region && s == service)
}

/// How bad a verdict is, to keep the worst.
fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Pass => 0,
        Verdict::Unknown => 1,
        Verdict::Block => 2,
    }
}

/// `ssm` → `Ssm`, for logical IDs in fixes.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
