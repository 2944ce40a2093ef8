//! Settings of the account, per Region, that decide paths without being
//! part of any VPC: VPC Block Public Access ([`bpa`](super::bpa)) and the
//! Session Manager preferences ([`session`](super::session)).
//!
//! A template may declare them (they then apply to every VPC of the Region
//! it is deployed to); the account state fills the same types when it
//! holds `describe-vpc-block-public-access-options` / `-exclusions` or
//! `ssm get-document --name SSM-SessionManagerRunShell` output, through
//! another [`Origin`].

use super::bpa::{self, BlockPublicAccess};
use super::session::{self, Preferences};
use crate::resolve::ResolvedResource;
use crate::source::Span;

/// Where a setting was read from. The account state adds its own variant
/// (the file and JSON pointer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A resource of the template, and the node to edit.
    Template {
        /// Its logical ID.
        resource: String,
        /// The property that decides.
        span: Span,
    },
}

impl Origin {
    /// The logical ID to name in messages.
    pub fn resource(&self) -> &str {
        match self {
            Origin::Template { resource, .. } => resource,
        }
    }
    /// Where a finding about it points.
    pub fn span(&self) -> Span {
        match self {
            Origin::Template { span, .. } => *span,
        }
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
