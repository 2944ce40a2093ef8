//! The workload being traced: the model, the region, the workload, its
//! subnet, VPC and security groups, which every hop reads. The hops
//! themselves are methods of [`Tracer`] spread over the families of
//! [`super::hops`], one `impl` block a family.

use super::hops::{pass, unknown_of};
use super::{Hop, HopKind, Verdict};
use crate::finding::Code;
use crate::network::resource_id::MalformedId;
use crate::network::{Ident, Network, Subnet, Vpc, Workload};
use crate::resolve::Unknown;

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
    /// The TCP port of the path being traced: 443 (HTTPS to S3 and the SSM
    /// endpoints) unless the repository or download says otherwise (apt's
    /// mirrors and Amazon Linux 1 use plain HTTP). Hops past the workload's
    /// own subnet (a NAT gateway's subnet NACL) read it.
    pub port: u16,
}

impl<'n> Tracer<'n> {
    /// Prepares the tracing of `w`.
    pub fn new(net: &'n Network, region: &'n str, w: &'n Workload) -> Tracer<'n> {
        let subnet = w.subnet.id().and_then(|id| net.subnet(id));
        let vpc = subnet.and_then(|s| net.vpc_of_subnet(s));
        let group_idents = if w.groups.is_empty() {
            vpc.map(|v| vec![net.default_group(&v.id)]).unwrap_or_default()
        } else {
            w.groups.clone()
        };
        Tracer { net, region, w, subnet, vpc, group_idents, port: 443 }
    }

    /// The same workload, tracing a path on tcp/`port`.
    pub fn on_port(&self, port: u16) -> Tracer<'n> {
        Tracer {
            net: self.net,
            region: self.region,
            w: self.w,
            subnet: self.subnet,
            vpc: self.vpc,
            group_idents: self.group_idents.clone(),
            port,
        }
    }

    /// PN109: the workload has no subnet, so it launches into the default
    /// VPC, and the account state lists VPCs but none is the default (VPC
    /// UG, "Default VPCs": without one, a launch must name a subnet).
    fn no_default_vpc_hop(&self) -> Hop {
        let span = self.net.no_default_vpc.get(&self.w.id).copied().unwrap_or(self.w.span);
        let why = format!(
            "{} names no subnet, so EC2 launches it into the account's default VPC, but the account state (`aws ec2 describe-vpcs`) lists VPCs and none is the default: the launch fails (VPCIdNotSpecified: No default VPC for this user)",
            self.w.id
        );
        super::hops::block(
            HopKind::Workload,
            &self.w.id,
            why.clone(),
            super::Blocker {
                code: crate::finding::Code::PN109,
                span,
                resource: Some(self.w.id.clone()),
                why,
                fix: format!(
                    "Give {} a subnet: `SubnetId: !Ref <Subnet>` (a subnet of this template, or an `AWS::EC2::Subnet::Id` parameter), or create a default VPC (`aws ec2 create-default-vpc`).",
                    self.w.id
                ),
            },
        )
    }

    /// Why the workload's subnet or VPC is not known, when it is not: the
    /// route, the network ACLs and the endpoints then cannot be traced, but
    /// its own security groups and identity can.
    pub fn placement_open(&self) -> Option<Unknown> {
        match (self.subnet, self.vpc) {
            (Some(_), Some(_)) => None,
            (Some(s), None) => Some(unknown_of(&s.vpc, s.span, "its VPC")),
            (None, _) => Some(unknown_of(&self.w.subnet, self.w.subnet_span, "its subnet")),
        }
    }

    /// A hop left open only because the workload's VPC is (its egress
    /// compared with an endpoint's unknown addresses): its note is the
    /// placement's, one per open value; its detail stays its own.
    pub fn open_with_placement(&self, mut h: Hop) -> Hop {
        let unknown_note = h.blocker.as_ref().is_some_and(|b| b.code == Code::PN005);
        if h.verdict == Verdict::Unknown
            && h.open.is_none()
            && unknown_note
            && let Some(u) = self.placement_open()
        {
            if let Some(b) = &mut h.blocker {
                b.span = u.span;
                b.why = u.reason.clone();
                b.resource = Some(self.w.id.clone());
                if let Some(open) = &u.open {
                    b.fix = super::open::advice(open);
                }
            }
            h.open = u.open;
        }
        h
    }

    /// PN011: the workload, or the launch template it takes data from,
    /// names a subnet or security group by a string that cannot be its ID:
    /// EC2 rejects the launch (see [`crate::network::resource_id`]).
    fn malformed_launch(&self) -> Option<&'n MalformedId> {
        self.net
            .malformed_in(&self.w.id)
            .or_else(|| self.w.launch_template.as_deref().and_then(|lt| self.net.malformed_in(lt)))
    }

    /// The workload hop: where it is, or, when its subnet or VPC is not in
    /// the template, an unknown hop naming the value that decides it.
    pub fn workload_hop(&self) -> Hop {
        if let Some(m) = self.malformed_launch() {
            return malformed_hop(HopKind::Workload, &self.w.id, m);
        }
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
            (None, _) if self.net.no_default_vpc.contains_key(&self.w.id) => self.no_default_vpc_hop(),
            _ => {
                let u = self.placement_open().unwrap_or_else(|| Unknown::new("its subnet is not known", self.w.span));
                let mut h = self.unknown_hop(HopKind::Workload, &self.w.id, &u);
                h.detail = format!(
                    "subnet open: {}; the route, network ACLs and endpoints are traced once it is known",
                    u.reason
                );
                h
            }
        }
    }
}

/// A hop that blocks because a value where an EC2 resource ID is needed
/// cannot be one (PN011): the resource that holds it fails to create.
pub fn malformed_hop(kind: HopKind, resource: &str, m: &MalformedId) -> Hop {
    let why = m.why();
    super::hops::block(
        kind,
        resource,
        why.clone(),
        super::Blocker { code: Code::PN011, span: m.span, resource: Some(m.resource.clone()), why, fix: m.fix() },
    )
}
