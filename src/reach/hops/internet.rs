//! Internet hops: a NAT gateway (public, with an Elastic IP, in a subnet
//! routed to an attached internet gateway, its subnet's NACL both ways; VPC
//! UG, "NAT gateways") and the workload's own internet gateway path (an
//! attached gateway and a public IPv4 address).

use super::block_public_access::Leaves;
use super::nacl::EPHEMERAL;
use super::route::{RouteChoice, RouteTableRef, route_target_ident};
use super::{block, pass, unknown_of};
use crate::finding::Code;
use crate::network::nacl::Remote;
use crate::network::{Ident, InternetGateway, PublicIp, Route, RouteTarget};
use crate::reach::{Blocker, Hop, HopKind, Tracer};

/// Source ports a NAT gateway uses towards the internet (VPC UG, NAT
/// gateways: 1024–65535), so replies come back to these.
pub const NAT_PORTS: (i64, i64) = (1024, 65535);

impl<'n> Tracer<'n> {
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
                Some(g) => {
                    let mut hops = vec![
                        pass(HopKind::NatGateway, &n.id, format!("regional NAT gateway {}", n.id), n.span),
                        pass(
                            HopKind::InternetGateway,
                            &g.id,
                            format!("internet gateway {} is attached to the VPC", g.id),
                            g.span,
                        ),
                    ];
                    let vpc = self.vpc.map(|v| v.id.as_str()).unwrap_or_default();
                    hops.extend(self.block_public_access_hop(Leaves::Nat { nat: &n.id, vpc, subnet: None }));
                    hops
                }
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
                (self.port as i64, self.port as i64),
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
                RouteTarget::InternetGateway(g) => {
                    hops.push(self.igw_attached_hop(g, r, &nat_subnet.vpc, Some(&n.id)));
                    let vpc = nat_subnet.vpc.id().unwrap_or_default();
                    let leaves = Leaves::Nat { nat: &n.id, vpc, subnet: Some(&nat_subnet.id) };
                    hops.extend(self.block_public_access_hop(leaves));
                }
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
        hops.push(self.nacl_hop(nat_subnet, true, (self.port as i64, self.port as i64), Remote::Public, peer, false));
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

    /// The internet gateway attached to VPC `vpc`, if any.
    fn attached_igw(&self, vpc: &str) -> Option<&'n InternetGateway> {
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
            PublicIp::Yes(how) => Ok(how.clone()),
            PublicIp::FromSubnet if subnet.map_public_ip => {
                Ok(format!("subnet {} has MapPublicIpOnLaunch: true", subnet.id))
            }
            PublicIp::FromSubnet => Err(None),
            PublicIp::No(no) => Err(Some(no)),
            PublicIp::Unknown(u) => {
                hops.push(self.unknown_hop(HopKind::InternetGateway, &self.w.id, u));
                return hops;
            }
        };
        let blocker = match public {
            Ok(how) => {
                hops.push(pass(
                    HopKind::InternetGateway,
                    &self.w.id,
                    format!("{} has a public IPv4 address: {how}", self.w.id),
                    self.w.span,
                ));
                hops.extend(self.block_public_access_hop(Leaves::Workload { vpc: &vpc.id, subnet: &subnet.id }));
                return hops;
            }
            // the subnet's default: the fix goes on the subnet
            Err(None) => Blocker {
                code: Code::PN105,
                span: subnet.map_public_ip_span.unwrap_or(subnet.span),
                resource: Some(subnet.id.clone()),
                why: format!(
                    "the default route of subnet {} goes to an internet gateway, but {} gets no public IPv4 address (MapPublicIpOnLaunch is false and no Elastic IP or public network interface is given)",
                    subnet.id, self.w.id
                ),
                fix: format!(
                    "Set `MapPublicIpOnLaunch: true` on {} (or give the instance an Elastic IP), or route 0.0.0.0/0 to a NAT gateway instead.",
                    subnet.id
                ),
            },
            // the workload overrides its subnet: the fix goes where it does
            Err(Some(no)) => Blocker {
                code: Code::PN105,
                span: no.span,
                resource: Some(no.resource.clone()),
                why: format!(
                    "the default route of subnet {} goes to an internet gateway, but {} gets no public IPv4 address: {}{}",
                    subnet.id,
                    self.w.id,
                    no.why,
                    if subnet.map_public_ip {
                        format!("; `MapPublicIpOnLaunch: true` of subnet {} does not apply", subnet.id)
                    } else {
                        String::new()
                    }
                ),
                fix: format!("{}\nOr route 0.0.0.0/0 to a NAT gateway instead.", no.fix),
            },
        };
        hops.push(block(HopKind::InternetGateway, &self.w.id, blocker.why.clone(), blocker));
        hops.extend(self.block_public_access_hop(Leaves::Workload { vpc: &vpc.id, subnet: &subnet.id }));
        hops
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Code;
    use crate::reach::Tracer;
    use crate::reach::hops::route::RouteChoice;
    use crate::reach::tests::net;

    const IGW: &str = "
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
";

    /// The blockers of the internet gateway path of workload `id`: code
    /// and blamed resource.
    fn blockers(id: &str, extra: &str) -> Vec<(Code, Option<String>)> {
        let n = net(&format!("{IGW}{extra}"));
        let w = n.workloads.iter().find(|w| w.id == id).expect("workload");
        let t = Tracer::new(&n, "us-east-1", w);
        let RouteChoice::Route(r) = t.public_route(t.subnet.expect("subnet"), false) else { panic!("no route") };
        t.route_target_hops(r, "x")
            .0
            .iter()
            .filter_map(|h| h.blocker.as_ref().map(|b| (b.code, b.resource.clone())))
            .collect()
    }

    #[test]
    fn the_subnet_decides_unless_the_workload_says_otherwise() {
        let mapped = "
  Mapped:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, MapPublicIpOnLaunch: true}
  MappedAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Mapped, RouteTableId: !Ref Rt}
";
        let on = |extra: &str| {
            format!(
                "
  J:
    Type: AWS::EC2::Instance
    Properties:
      NetworkInterfaces: [{{DeviceIndex: 0, SubnetId: !Ref Mapped{extra}}}]
"
            )
        };
        // no public IP from the base subnet: the fix goes on the subnet
        assert_eq!(blockers("I", ""), vec![(Code::PN105, Some("Subnet".to_string()))]);
        // the mapped subnet gives one, unless the interface refuses it
        assert!(blockers("J", &format!("{mapped}{}", on(""))).is_empty());
        assert_eq!(
            blockers("J", &format!("{mapped}{}", on(", AssociatePublicIpAddress: false"))),
            vec![(Code::PN105, Some("J".to_string()))]
        );
    }
}
