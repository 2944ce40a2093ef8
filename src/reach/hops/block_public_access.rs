//! The VPC Block Public Access hop: where traffic reaches an internet
//! gateway (from the workload with a public IP, or from a NAT gateway), the
//! account's per-Region mode may drop it (PN107).
//!
//! `block-bidirectional` drops all traffic to and from internet gateways,
//! NAT gateways' included, unless the VPC or subnet it leaves from is
//! excluded (`allow-egress` or `allow-bidirectional`). `block-ingress` drops
//! all internet traffic into the VPCs except to NAT gateways and egress-only
//! internet gateways, so NAT traffic passes but an instance's own
//! connections through the internet gateway (whose replies come in) do not,
//! unless its subnet or VPC has an `allow-bidirectional` exclusion; an
//! `allow-egress` exclusion applies only in bidirectional mode. Traffic
//! through a NAT gateway reaches the internet gateway from the NAT
//! gateway's network interface, so the exclusion that counts is the NAT
//! gateway's subnet's (or VPC's), not the workload's. VPC UG, "Block public
//! access to VPCs and subnets", "VPC BPA basics" (AWS service impact: NAT
//! gateway) and EC2 API Reference, `VpcBlockPublicAccessExclusion`
//! (`allow-egress`: "Only applies when VPC Block Public Access is set to
//! Bidirectional").

use super::{block, pass};
use crate::finding::Code;
use crate::network::bpa::{BlockMode, Exclusion, ExclusionMode};
use crate::reach::{Blocker, Hop, HopKind, Tracer};
use crate::resolve::Unknown;

/// Where the traffic reaches the internet gateway from.
#[derive(Clone, Copy, Debug)]
pub enum Leaves<'a> {
    /// The workload itself (its public IPv4 address), from its subnet.
    Workload {
        /// The subnet's VPC.
        vpc: &'a str,
        /// The workload's subnet.
        subnet: &'a str,
    },
    /// A NAT gateway, from its subnet (`None`: a regional NAT gateway).
    Nat {
        /// The NAT gateway.
        nat: &'a str,
        /// Its VPC.
        vpc: &'a str,
        /// Its subnet.
        subnet: Option<&'a str>,
    },
}

impl Leaves<'_> {
    fn vpc(&self) -> &str {
        match self {
            Leaves::Workload { vpc, .. } | Leaves::Nat { vpc, .. } => vpc,
        }
    }
    fn subnet(&self) -> Option<&str> {
        match self {
            Leaves::Workload { subnet, .. } => Some(subnet),
            Leaves::Nat { subnet, .. } => *subnet,
        }
    }
    /// What leaves, for messages.
    fn who(&self) -> String {
        match self {
            Leaves::Workload { subnet, .. } => format!("subnet {subnet}"),
            Leaves::Nat { nat, subnet: Some(s), .. } => format!("subnet {s} of NAT gateway {nat}"),
            Leaves::Nat { nat, subnet: None, .. } => format!("regional NAT gateway {nat}"),
        }
    }
}

impl<'n> Tracer<'n> {
    /// The Block Public Access hop for traffic that reaches an internet
    /// gateway from `leaves`; `None` when nothing says what the account's
    /// mode is (the default is off; the account state may say otherwise).
    pub(crate) fn block_public_access_hop(&self, leaves: Leaves<'_>) -> Option<Hop> {
        let bpa = &self.net.account.block_public_access;
        let (mode, origin) = bpa.mode.as_ref()?;
        let options = origin.resource();
        // a setting of the account state is shown on the workload it decides for
        let at = origin.span().unwrap_or(self.w.span);
        let mode = match mode {
            Ok(m) => *m,
            Err(u) => {
                let u = Unknown { span: origin.span().map_or(at, |_| u.span), ..u.clone() };
                return Some(self.unknown_hop(HopKind::BlockPublicAccess, options, &u));
            }
        };
        let here = format!("VPC Block Public Access is `{}` in {} ({options})", mode.as_str(), self.region);
        let coverage = bpa.exclusion_of(leaves.vpc(), leaves.subnet());
        let nat = matches!(leaves, Leaves::Nat { .. });
        let excluded = |m: ExclusionMode, by: &Exclusion| {
            let id = by.origin.resource();
            let detail = format!("{here}, but {} is excluded by {id} (`{}`)", leaves.who(), m.as_str());
            pass(HopKind::BlockPublicAccess, id, detail, by.origin.span().unwrap_or(self.w.span))
        };
        let (block_why, fix) = match (mode, coverage.certain) {
            (BlockMode::Off, _) => {
                return Some(pass(HopKind::BlockPublicAccess, options, here, at));
            }
            (BlockMode::Ingress, _) if nat => {
                return Some(pass(
                    HopKind::BlockPublicAccess,
                    options,
                    format!("{here}: traffic to and from NAT gateways passes (they accept no inbound connections)"),
                    at,
                ));
            }
            (BlockMode::Bidirectional, Some((m, e)))
            | (BlockMode::Ingress, Some((m @ ExclusionMode::Bidirectional, e))) => {
                return Some(excluded(m, e));
            }
            (BlockMode::Ingress, Some((_, e))) => (
                format!(
                    "{here}: it drops the replies to {}'s own connections through the internet gateway, and exclusion {} of {} is `allow-egress`, which applies only in `block-bidirectional` mode",
                    self.w.id,
                    e.origin.resource(),
                    leaves.who()
                ),
                self.ingress_fix(&leaves),
            ),
            (BlockMode::Ingress, None) => (
                format!(
                    "{here}: it drops the replies to {}'s own connections through the internet gateway (only NAT gateway and egress-only internet gateway traffic passes), and neither {} nor VPC {} is excluded",
                    self.w.id,
                    leaves.who(),
                    leaves.vpc()
                ),
                self.ingress_fix(&leaves),
            ),
            (BlockMode::Bidirectional, None) => {
                let through = if nat {
                    " (NAT traffic reaches the internet gateway from the NAT gateway's own subnet: that subnet or its VPC must be excluded, not the workload's)"
                } else {
                    ""
                };
                (
                    format!(
                        "{here}: all traffic to and from internet gateways is dropped, NAT gateways' included, and neither {} nor VPC {} is excluded{through}",
                        leaves.who(),
                        leaves.vpc()
                    ),
                    self.bidirectional_fix(&leaves),
                )
            }
        };
        if let Some((e, u)) = coverage.maybe {
            let u = Unknown {
                reason: format!("{block_why}, unless exclusion {} applies: {}", e.origin.resource(), u.reason),
                span: e.origin.span().map_or(at, |_| u.span),
                open: u.open,
            };
            return Some(self.unknown_hop(HopKind::BlockPublicAccess, e.origin.resource(), &u));
        }
        let why = format!("{block_why}, so the connection never reaches the internet");
        Some(block(
            HopKind::BlockPublicAccess,
            options,
            why.clone(),
            Blocker { code: Code::PN107, span: at, resource: Some(options.to_string()), why, fix },
        ))
    }

    /// How to get out under `block-bidirectional`.
    fn bidirectional_fix(&self, leaves: &Leaves<'_>) -> String {
        let scope = self.exclusion_scope(leaves);
        format!(
            "Exclude the {} from Block Public Access for outbound traffic:\n  EgressExclusion:\n    Type: AWS::EC2::VPCBlockPublicAccessExclusion\n    Properties:\n      {scope}\n      InternetGatewayExclusionMode: allow-egress\nor reach S3 and Systems Manager without the internet (an S3 gateway endpoint, interface endpoints for ssm and ssmmessages with private DNS), which Block Public Access does not affect.",
            if leaves.subnet().is_some() { "subnet" } else { "VPC" }
        )
    }

    /// How to get out under `block-ingress`.
    fn ingress_fix(&self, leaves: &Leaves<'_>) -> String {
        let scope = self.exclusion_scope(leaves);
        format!(
            "Route 0.0.0.0/0 of the subnet to a NAT gateway (block-ingress lets NAT traffic through), use VPC endpoints (an S3 gateway endpoint, interface endpoints for ssm and ssmmessages with private DNS), or exclude the subnet both ways:\n  Exclusion:\n    Type: AWS::EC2::VPCBlockPublicAccessExclusion\n    Properties:\n      {scope}\n      InternetGatewayExclusionMode: allow-bidirectional"
        )
    }

    /// The exclusion's target property: a `!Ref` of the template's subnet
    /// or VPC, the ID of a deployed one (`--account-state`).
    fn exclusion_scope(&self, leaves: &Leaves<'_>) -> String {
        let (key, id) = match leaves.subnet() {
            Some(s) => ("SubnetId", s),
            None => ("VpcId", leaves.vpc()),
        };
        if self.net.deployed(id).is_some() { format!("{key}: {id}") } else { format!("{key}: !Ref {id}") }
    }
}
