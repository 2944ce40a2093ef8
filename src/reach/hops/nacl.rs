//! Network ACL hops. NACLs are stateless: the request and the reply are
//! each evaluated, the reply on the ephemeral ports; traffic between two ENIs
//! of one subnet crosses no NACL (VPC UG, "Control subnet traffic with
//! network ACLs").

use super::{block, pass, unknown, unknown_of};
use crate::finding::Code;
use crate::network::nacl::{NaclVerdict, NetworkAcl, Remote};
use crate::network::{Ident, Subnet};
use crate::reach::{Blocker, Hop, HopKind, Tracer};
use crate::resolve::Unknown;

/// The Amazon Linux kernel's default ephemeral port range (kernel.org
/// ip-sysctl `ip_local_port_range`: 32768–60999; AWS's text says 61000).
pub const EPHEMERAL: (i64, i64) = (32768, 60999);

impl<'n> Tracer<'n> {
    /// The NACL of a subnet (the VPC's default NACL when none is associated).
    pub fn nacl_of(&self, subnet: &'n Subnet) -> Result<&'n NetworkAcl, Unknown> {
        match &subnet.nacl {
            None => {
                let vpc = subnet.vpc.id().ok_or_else(|| unknown_of(&subnet.vpc, subnet.span, "its VPC"))?;
                self.net.nacl(&format!("{vpc}.DefaultNetworkAcl")).ok_or_else(|| {
                    Unknown::new(format!("VPC `{vpc}` of subnet {} is not in the template", subnet.id), subnet.span)
                })
            }
            Some(Ident::Resource(id)) => self
                .net
                .nacl(id)
                .ok_or_else(|| Unknown::new(format!("network ACL `{id}` is not an AWS::EC2::NetworkAcl"), subnet.span)),
            Some(other) => Err(unknown_of(other, subnet.span, "its network ACL")),
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
}

/// The NACL entry that lets the traffic through.
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
