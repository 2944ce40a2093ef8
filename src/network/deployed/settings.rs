//! The account's per-Region settings from the state: VPC Block Public
//! Access (`describe-vpc-block-public-access-options` / `-exclusions`, EC2
//! API Reference `VpcBlockPublicAccessOptions` and
//! `VpcBlockPublicAccessExclusion`) and the Session Manager preferences
//! (`ssm get-document --name SSM-SessionManagerRunShell`, SSM API Reference
//! `GetDocument`), read into the same types the template's
//! `AWS::EC2::VPCBlockPublicAccess*` and `AWS::SSM::Document` fill
//! ([`crate::network::account`]).
//!
//! They apply to every VPC of the Region, the template's own included, so
//! they join the model whether or not a template value names a deployed
//! resource. What the template declares wins (deploying it changes the
//! account's setting); exclusions of both apply. Only exclusions in force
//! count (`create-complete`, `update-complete`). When an organization's
//! declarative policy does not allow exclusions (`ExclusionsAllowed:
//! not-allowed`), whether an exclusion still exempts anything is not
//! documented: it may cover, never certainly. The outputs name their
//! Region (`AwsRegion`, the exclusions' ARNs): one saved outside a region
//! folder is not applied to another Region.

use super::super::Ident;
use super::super::account::{AccountSettings, Origin};
use super::super::bpa::{BlockMode, Exclusion, ExclusionMode, Scope};
use super::super::session::{self, Preferences};
use super::json::rnode;
use super::{Binder, Deployed};
use crate::finding::StateRef;
use crate::resolve::Unknown;
use crate::source::Span;
use crate::state::Item;

/// The name the Block Public Access options are shown under (they have no ID).
pub const OPTIONS: &str = "VpcBlockPublicAccessOptions";

impl Binder<'_> {
    /// Records a setting no template node names (its findings stay on the
    /// workload they decide for).
    fn setting<T>(&mut self, id: &str, item: &Item<T>, role: String) -> Origin {
        let state = StateRef { file: item.origin.file.clone(), pointer: item.origin.pointer.clone(), id: id.into() };
        self.out.deployed.insert(id.to_string(), Deployed { state: state.clone(), anchor: None, role: Some(role) });
        Origin::State { id: id.to_string(), state: Box::new(state) }
    }

    /// Fills what `settings` (read from the template) leaves unsaid from
    /// the state of the Region.
    pub(super) fn account_settings(&mut self, settings: &mut AccountSettings) {
        let rs = self.rs;
        let region = self.region.to_string();
        let bpa = &mut settings.block_public_access;
        // the output names its region (`AwsRegion`, the ARNs): a file
        // outside a region folder describes that region only
        let options = rs.block_public_access().filter(|o| o.value.aws_region.as_deref().is_none_or(|r| r == region));
        if bpa.mode.is_none()
            && let Some(item) = options
        {
            let origin =
                self.setting(OPTIONS, item, format!("the account's VPC Block Public Access options in {region}"));
            let mode = match &item.value.internet_gateway_block_mode {
                Some(m) => BlockMode::parse(m.as_str()).ok_or_else(|| Unknown {
                    reason: format!("`InternetGatewayBlockMode: {}` is not a mode privnet-lint knows", m.as_str()),
                    span: Span::default(),
                    open: None,
                }),
                None => Err(Unknown {
                    reason: format!("the account state's `{OPTIONS}` has no `InternetGatewayBlockMode`"),
                    span: Span::default(),
                    open: None,
                }),
            };
            bpa.mode = Some((mode, origin));
        }
        for item in rs.block_public_access_exclusions() {
            let e = &item.value;
            let other_region = e.resource_arn.as_deref().and_then(|a| a.split(':').nth(3)).is_some_and(|r| r != region);
            let Some(target) = e.resource_id().filter(|_| e.in_force() && !other_region) else { continue };
            let scope = match target.split_once('-').map(|(p, _)| p) {
                Some("vpc") => Scope::Vpc(Ident::Resource(target.to_string())),
                Some("subnet") => Scope::Subnet(Ident::Resource(target.to_string())),
                _ => continue,
            };
            let id = e.exclusion_id.clone();
            let origin = self.setting(&id, item, format!("a VPC Block Public Access exclusion of {target}"));
            let mode = e.internet_gateway_exclusion_mode.as_ref().and_then(|m| ExclusionMode::parse(m.as_str()));
            let mode = mode.ok_or_else(|| Unknown {
                reason: format!("exclusion {id} has no `InternetGatewayExclusionMode` privnet-lint knows"),
                span: Span::default(),
                open: None,
            });
            bpa.exclusions.push(Exclusion { scope, mode, origin });
        }
        if let Some(o) = options.filter(|o| o.value.exclusions_allowed.as_deref() == Some("not-allowed")) {
            for e in &mut bpa.exclusions {
                if let Ok(m) = e.mode {
                    e.mode = Err(Unknown {
                        reason: format!(
                            "exclusion {} is `{}`, but the account's options ({}) say `ExclusionsAllowed: not-allowed` (an organization's declarative policy): whether it still exempts anything is not documented",
                            e.origin.resource(),
                            m.as_str(),
                            o.origin.file
                        ),
                        span: e.origin.span().unwrap_or_default(),
                        open: None,
                    });
                }
            }
        }
        if settings.session.is_none()
            && let Some(item) = rs.session_preferences()
            && let Some(p) = &item.value.session
        {
            let origin =
                self.setting(session::DOCUMENT, item, format!("the account's Session Manager preferences in {region}"));
            // the typed inputs the state read, as the document's content
            let content = serde_json::json!({ "inputs": {
                // a key ARN names the account: shown without it
                "kmsKeyId": p.kms_key_id.as_deref().map(super::iam::redact).unwrap_or_default(),
                "cloudWatchLogGroupName": p.cloud_watch_log_group_name.clone().unwrap_or_default(),
                "cloudWatchStreamingEnabled": p.cloud_watch_streaming_enabled.unwrap_or(false),
                "s3BucketName": p.s3_bucket_name.clone().unwrap_or_default(),
                "s3EncryptionEnabled": p.s3_encryption_enabled.unwrap_or(false),
            }});
            let prefs: Preferences = session::from_content(&rnode(&content, Span::default()), origin);
            settings.session = Some(prefs);
        }
    }
}
