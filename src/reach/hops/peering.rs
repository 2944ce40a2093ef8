//! The VPC peering hop: a route that sends traffic for a public address
//! (S3, the Systems Manager endpoints, any internet host) through a peering
//! connection. A peering connection delivers only to addresses of the peer
//! VPC, and a VPC cannot use its peer's internet gateway, NAT device or
//! gateway endpoint: "edge to edge routing through a gateway or private
//! connection" is unsupported (VPC Peering guide, "VPC peering
//! limitations"; Reachability Analyzer codes NGW_REQUIRES_SOURCE_IN_VPC,
//! PCX_REQUIRES_ADDRESS_IN_VPC_CIDR). PN108 where the template shows both
//! sides of the connection; a peer outside the template stays PN106.

use super::block;
use crate::finding::Code;
use crate::network::peering::Peering;
use crate::network::{EndpointKind, Route, Vpc};
use crate::reach::{Blocker, Hop, HopKind, Tracer};

impl<'n> Tracer<'n> {
    /// The peering connection `id` and the VPC on its far side, when it
    /// joins this tracer's VPC to another VPC of the template.
    pub(crate) fn peered(&self, id: &str) -> Option<(&'n Peering, &'n Vpc)> {
        let own = self.vpc?;
        let p = self.net.peerings.iter().find(|p| p.id == id)?;
        let other = self.net.vpc(p.other_side(&own.id)?)?;
        Some((p, other))
    }

    /// PN108: the deciding route for traffic to a public address goes
    /// through peering connection `p` to VPC `other`.
    pub(crate) fn peering_block(&self, route: &Route, p: &Peering, other: &Vpc) -> Hop {
        let own = self.vpc.map(|v| v.id.as_str()).unwrap_or_default();
        let gateways = self.gateways_of(other);
        let beyond = if gateways.is_empty() {
            String::new()
        } else {
            format!(", whose {} it cannot use", gateways.join(" and "))
        };
        let why = format!(
            "the deciding route {} sends the traffic through VPC peering connection {} to VPC {}{beyond}: a peering connection carries only traffic between the addresses of the two VPCs, and AWS does not route it on to the peer's internet gateway, NAT gateway or gateway endpoint (edge-to-edge routing), so the traffic is dropped",
            route.id, p.id, other.id
        );
        let fix = format!(
            "Give VPC {own} its own way out: an S3 gateway endpoint and interface endpoints for ssm and ssmmessages (with private DNS) in VPC {own}, or a NAT gateway in a public subnet of {own}. To share one egress VPC, use a transit gateway (traffic from an attachment may use the egress VPC's NAT gateway); keep {} for traffic to {}'s own addresses.",
            p.id, other.id
        );
        block(
            HopKind::VpcPeering,
            &route.id,
            why.clone(),
            Blocker { code: Code::PN108, span: route.span, resource: Some(route.id.clone()), why, fix },
        )
    }

    /// What in VPC `v` people expect a peer to use: NAT gateways, attached
    /// internet gateways, S3 gateway endpoints.
    fn gateways_of(&self, v: &Vpc) -> Vec<String> {
        let mut out = Vec::new();
        let nats: Vec<&str> = self
            .net
            .nats
            .iter()
            .filter(|n| {
                n.subnet.as_ref().and_then(|s| s.id()).and_then(|s| self.net.subnet(s)).and_then(|s| s.vpc.id())
                    == Some(v.id.as_str())
            })
            .map(|n| n.id.as_str())
            .collect();
        if !nats.is_empty() {
            out.push(format!("NAT gateway {}", nats.join(", ")));
        }
        let igws: Vec<&str> = self
            .net
            .igws
            .iter()
            .filter(|g| g.attached.iter().any(|a| a.id() == Some(v.id.as_str())))
            .map(|g| g.id.as_str())
            .collect();
        if !igws.is_empty() {
            out.push(format!("internet gateway {}", igws.join(", ")));
        }
        let endpoints: Vec<&str> = self
            .net
            .endpoints_in_vpc(&v.id)
            .filter(|ep| ep.kind == EndpointKind::Gateway && ep.service.as_ref().is_some_and(|(_, s)| s == "s3"))
            .map(|ep| ep.id.as_str())
            .collect();
        if !endpoints.is_empty() {
            out.push(format!("S3 gateway endpoint {}", endpoints.join(", ")));
        }
        out
    }

    /// The S3 gateway endpoints of VPCs peered with this tracer's VPC in
    /// the template: they do not serve it (for PN101's message).
    pub(crate) fn peer_s3_endpoints(&self) -> Vec<(String, String, String)> {
        let Some(own) = self.vpc else { return Vec::new() };
        self.net
            .peerings
            .iter()
            .filter_map(|p| Some((p, self.net.vpc(p.other_side(&own.id)?)?)))
            .flat_map(|(p, other)| {
                self.net
                    .endpoints_in_vpc(&other.id)
                    .filter(|ep| {
                        ep.kind == EndpointKind::Gateway && ep.service.as_ref().is_some_and(|(_, s)| s == "s3")
                    })
                    .map(move |ep| (ep.id.clone(), other.id.clone(), p.id.clone()))
            })
            .collect()
    }
}
