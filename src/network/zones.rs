//! Route 53 private hosted zones (`AWS::Route53::HostedZone` with `VPCs`):
//! a zone associated with a VPC answers for its name there, before the
//! public DNS and before any interface endpoint's private DNS. Centralized
//! interface endpoints are shared that way: private DNS off on the hub's
//! endpoint, a zone named after the service (`ssm.<region>.amazonaws.com`)
//! with an alias to it, associated with the spoke VPCs (Route 53 Developer
//! Guide, "Working with private hosted zones"; PrivateLink guide, "Access
//! an AWS service using an interface VPC endpoint").

use super::Ident;
use crate::resolve::{RNode, ResolvedResource};
use crate::source::Span;

/// A private hosted zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivateHostedZone {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// `Name`, lower case, without the trailing dot.
    pub name: String,
    /// The VPCs it is associated with (`VPCs[].VPCId`).
    pub vpcs: Vec<Ident>,
}

impl PrivateHostedZone {
    /// True when the zone answers for `host` in VPC `vpc` (a VPC given by a
    /// value not known before deployment may be it).
    pub fn answers(&self, host: &str, vpc: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let covers = host == self.name || host.ends_with(&format!(".{}", self.name));
        covers && self.vpcs.iter().any(|v| matches!(v, Ident::Unknown(_)) || v.id() == Some(vpc))
    }
}

/// The private hosted zones the template declares.
pub fn read(resources: &[&ResolvedResource]) -> Vec<PrivateHostedZone> {
    resources
        .iter()
        .filter(|r| r.ty == "AWS::Route53::HostedZone")
        .filter_map(|r| {
            let vpcs: Vec<Ident> =
                r.prop("VPCs")?.as_list()?.iter().filter_map(|v| v.get("VPCId")).map(Ident::of).collect();
            let name = r.prop("Name").and_then(RNode::text)?.trim_end_matches('.').to_ascii_lowercase();
            (!vpcs.is_empty()).then(|| PrivateHostedZone { id: r.id.clone(), span: r.span, name, vpcs })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Unknown;

    #[test]
    fn a_zone_answers_for_its_name_and_below_in_its_vpcs() {
        let zone = |vpcs: Vec<Ident>| PrivateHostedZone {
            id: "Z".into(),
            span: Span::default(),
            name: "ssm.us-east-1.amazonaws.com".into(),
            vpcs,
        };
        let z = zone(vec![Ident::Resource("Spoke".into())]);
        assert!(z.answers("ssm.us-east-1.amazonaws.com", "Spoke"));
        assert!(z.answers("SSM.us-east-1.amazonaws.com.", "Spoke"));
        assert!(z.answers("a.ssm.us-east-1.amazonaws.com", "Spoke"));
        assert!(!z.answers("ssmmessages.us-east-1.amazonaws.com", "Spoke"));
        assert!(!z.answers("ssm.us-east-1.amazonaws.com", "Hub"));
        let open = zone(vec![Ident::Unknown(Unknown::new("a parameter", Span::default()))]);
        assert!(open.answers("ssm.us-east-1.amazonaws.com", "Hub"));
    }
}
