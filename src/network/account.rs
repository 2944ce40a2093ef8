//! Settings of the account, per Region, that decide paths without being
//! part of any VPC: VPC Block Public Access ([`bpa`](super::bpa)) and the
//! Session Manager preferences ([`session`](super::session)).
//!
//! A template may declare them (they then apply to every VPC of the Region
//! it is deployed to); the account state fills the same types when it
//! holds `describe-vpc-block-public-access-options` / `-exclusions` or
//! `ssm get-document --name SSM-SessionManagerRunShell` output
//! ([`crate::network::deployed`]), as an [`Origin::State`]: the template
//! wins where it declares a setting (deploying it changes the account's),
//! and the account's exclusions apply alongside the template's.

use super::bpa::{self, BlockPublicAccess};
use super::session::{self, Preferences};
use crate::finding::StateRef;
use crate::resolve::ResolvedResource;
use crate::source::Span;

/// Where a setting was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A resource of the template, and the node to edit.
    Template {
        /// Its logical ID.
        resource: String,
        /// The property that decides.
        span: Span,
    },
    /// The account state (`--account-state`): no template node declares
    /// it, so a finding about it points at the workload it decides for.
    State {
        /// Its ID, or its name when it has none (`VpcBlockPublicAccessOptions`).
        id: String,
        /// The file and JSON Pointer it was read from (boxed: an origin
        /// travels in every setting).
        state: Box<StateRef>,
    },
}

impl Origin {
    /// The logical ID (or the account's ID) to name in messages.
    pub fn resource(&self) -> &str {
        match self {
            Origin::Template { resource, .. } => resource,
            Origin::State { id, .. } => id,
        }
    }
    /// The template node a finding about it points at; `None` for a
    /// setting of the account state (the workload's node then).
    pub fn span(&self) -> Option<Span> {
        match self {
            Origin::Template { span, .. } => Some(*span),
            Origin::State { .. } => None,
        }
    }
    /// True when it was read from the account state.
    pub fn deployed(&self) -> bool {
        matches!(self, Origin::State { .. })
    }
}

/// The account's settings for the analyzed Region, as far as they are known.
#[derive(Clone, Debug, Default)]
pub struct AccountSettings {
    /// VPC Block Public Access.
    pub block_public_access: BlockPublicAccess,
    /// The Session Manager preferences; `None` when nothing says what they
    /// are (then they are not checked).
    pub session: Option<Preferences>,
}

/// The settings the template's resources declare.
pub fn read(resources: &[&ResolvedResource]) -> AccountSettings {
    AccountSettings { block_public_access: bpa::read(resources), session: session::read(resources) }
}
