//! The hops, one family a file, named as AWS names them. Each evaluates one
//! hop of a path for the workload of a [`Tracer`] and says pass, block or
//! unknown, with the finding and its fix; the checks (`dnf`, `ssm`,
//! `userdata`) put the hops in order and combine them.
//!
//! - [`dns`]: the VPC's DNS attributes and DHCP options, private DNS of
//!   interface endpoints, Route 53 Resolver rules;
//! - [`route`]: route tables, the route a packet takes, and where its target
//!   leads;
//! - [`s3`]: DNS and the route to a bucket on S3 (gateway endpoint or default
//!   route), for every path that ends at a bucket;
//! - [`security_group`]: the workload's egress, an interface endpoint's
//!   ingress;
//! - [`nacl`]: network ACLs, each direction and the reply;
//! - [`internet`]: NAT gateways and internet gateways;
//! - [`transit`]: Network Firewall and transit gateways, where the traffic
//!   goes on in another subnet or VPC;
//! - [`endpoint`]: gateway and interface VPC endpoints;
//! - [`endpoint_policy`]: the policies of those endpoints;
//! - [`identity`]: instance profile, role trust and permissions, instance
//!   metadata and the SSM agent;
//! - [`block_public_access`]: the account's VPC Block Public Access mode
//!   where traffic reaches an internet gateway;
//! - [`peering`]: VPC peering connections, which do not carry traffic on
//!   to the peer's gateways (edge-to-edge routing);
//! - [`session`]: the Session Manager preferences, and what KMS encryption
//!   and session logging ask of the path and the role.
//!
//! Hops that need the workload are methods of [`Tracer`]; hops that need
//! only resources are free functions. This file holds the hop constructors
//! every family uses.

pub mod block_public_access;
pub mod dns;
pub mod endpoint;
pub mod endpoint_policy;
pub mod identity;
pub mod internet;
pub mod nacl;
pub mod peering;
pub mod route;
pub mod s3;
pub mod security_group;
pub mod session;
pub mod transit;

use super::{Blocker, Hop, HopKind, Tracer, Verdict};
use crate::finding::Code;
use crate::network::Ident;
use crate::resolve::{Open, Unknown};
use crate::source::Span;

impl<'n> Tracer<'n> {
    /// An unknown hop with a PN005 finding.
    pub fn unknown_hop(&self, kind: HopKind, resource: &str, u: &Unknown) -> Hop {
        let fix = match &u.open {
            Some(open) => super::open::advice(open),
            None => "Give the value in the template, or pass it with `--parameter` (or lint the stack that defines it in the same run).".into(),
        };
        self.unknown_hop_fixed_by(kind, resource, u, fix)
    }

    /// An unknown hop with a PN005 finding whose fix is `fix`; a name the
    /// template does not define is its PN003 error instead, which the
    /// template's check already reports at that place.
    /// A value outside the template that cannot be an ID at all is no open
    /// value but a certain blocker (PN011).
    pub fn unknown_hop_fixed_by(&self, kind: HopKind, resource: &str, u: &Unknown, fix: String) -> Hop {
        if let Some(Open::Id { id }) = &u.open
            && let Some(m) = self.net.malformed(id)
        {
            return super::tracer::malformed_hop(kind, resource, m);
        }
        let code = match u.open {
            Some(Open::Undefined { reported: true, .. }) => Code::PN003,
            _ => Code::PN005,
        };
        let blocker = Blocker { code, span: u.span, resource: Some(resource.to_string()), why: u.reason.clone(), fix };
        let mut h = hop(kind, Some(resource), Verdict::Unknown, u.reason.clone(), Some(u.span), Some(blocker));
        h.open = u.open.clone();
        h
    }
}

/// An `Unknown` for an ident that is not a resource of the template.
pub fn unknown_of(ident: &Ident, span: Span, what: &str) -> Unknown {
    match ident {
        Ident::Unknown(u) => u.clone(),
        Ident::External(id) => {
            Unknown::decided_by(format!("{what} `{id}` is outside the template"), span, Open::Id { id: id.clone() })
        }
        Ident::Resource(id) => Unknown::new(format!("{what} `{id}` is not in the template"), span),
    }
}

/// A hop from its parts.
fn hop(
    kind: HopKind,
    resource: Option<&str>,
    verdict: Verdict,
    detail: String,
    span: Option<Span>,
    blocker: Option<Blocker>,
) -> Hop {
    Hop { kind, resource: resource.map(str::to_string), verdict, detail, span, blocker, open: None, state: None }
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
