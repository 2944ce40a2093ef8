//! VPC peering connections (`AWS::EC2::VPCPeeringConnection`): which two
//! VPCs they join.
//!
//! A peering connection carries traffic only between addresses of the two
//! VPCs: a VPC cannot use its peer's internet gateway, NAT device, gateway
//! endpoint, VPN or Direct Connect connection ("edge to edge routing"), and
//! an interface endpoint of the peer is reachable by IP but its private DNS
//! name resolves only in its own VPC. VPC Peering guide, "VPC peering
//! limitations"; PrivateLink guide, "Access an interface VPC endpoint".

use super::Ident;
use super::build::ident_prop;
use crate::resolve::ResolvedResource;
use crate::source::Span;

/// One peering connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peering {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// `VpcId`: the requester.
    pub vpc: Ident,
    /// `PeerVpcId`: the accepter.
    pub peer: Ident,
}

impl Peering {
    /// The VPC on the other side of `vpc`, when `vpc` is one side and both
    /// are VPCs of the template.
    pub fn other_side(&self, vpc: &str) -> Option<&str> {
        match (self.vpc.id(), self.peer.id()) {
            (Some(a), Some(b)) if a == vpc => Some(b),
            (Some(a), Some(b)) if b == vpc => Some(a),
            _ => None,
        }
    }
}

/// The peering connections the template declares.
pub fn read(resources: &[&ResolvedResource]) -> Vec<Peering> {
    resources
        .iter()
        .filter(|r| r.ty == "AWS::EC2::VPCPeeringConnection")
        .map(|r| Peering {
            id: r.id.clone(),
            span: r.span,
            vpc: ident_prop(r, "VpcId"),
            peer: ident_prop(r, "PeerVpcId"),
        })
        .collect()
}
