//! Roles, instance profiles and managed policies from
//! `aws iam get-account-authorization-details`.
//!
//! Shapes (IAM API reference):
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html>,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html>,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_InstanceProfile.html>,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_ManagedPolicyDetail.html>,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html>.
//!
//! The API returns policy documents as URL-encoded JSON text; the AWS CLI
//! decodes them into JSON objects. Both are read.
//! An instance profile appears only inside the roles it holds
//! (`RoleDetailList[].InstanceProfileList`): a profile without a role is not
//! in this output at all.

use serde::Deserialize;

use super::common::{Tag, iam_document, list};

/// A role with everything attached to it (`RoleDetailList[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    /// Its name.
    pub role_name: String,
    /// Its ARN.
    pub arn: Option<String>,
    /// Its path (`/`).
    pub path: Option<String>,
    /// `AROA…`.
    pub role_id: Option<String>,
    /// The trust policy.
    #[serde(default, deserialize_with = "iam_document")]
    pub assume_role_policy_document: Option<serde_json::Value>,
    /// The instance profiles that hold it.
    #[serde(default, deserialize_with = "list")]
    pub instance_profile_list: Vec<InstanceProfile>,
    /// Inline policies.
    #[serde(default, deserialize_with = "list")]
    pub role_policy_list: Vec<PolicyDetail>,
    /// Attached managed policies (their documents are in `Policies[]`).
    #[serde(default, deserialize_with = "list")]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// The permissions boundary.
    pub permissions_boundary: Option<AttachedPermissionsBoundary>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// An instance profile (`RoleDetailList[].InstanceProfileList[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    /// Its name (what `IamInstanceProfile` names in a template).
    pub instance_profile_name: String,
    /// Its ARN.
    pub arn: Option<String>,
    /// Its path.
    pub path: Option<String>,
    /// `AIPA…`.
    pub instance_profile_id: Option<String>,
    /// Its role (at most one), without the role's policies.
    #[serde(default, deserialize_with = "list")]
    pub roles: Vec<ProfileRole>,
}

/// A role as listed in an instance profile.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProfileRole {
    /// Its name.
    pub role_name: String,
    /// Its ARN.
    pub arn: Option<String>,
}

/// An inline policy.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDetail {
    /// Its name.
    pub policy_name: Option<String>,
    /// Its document.
    #[serde(default, deserialize_with = "iam_document")]
    pub policy_document: Option<serde_json::Value>,
}

/// A managed policy attached to a role.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    /// Its name (`AmazonSSMManagedInstanceCore`).
    pub policy_name: Option<String>,
    /// Its ARN (`arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore`).
    pub policy_arn: Option<String>,
}

/// A permissions boundary.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPermissionsBoundary {
    /// The managed policy used as boundary.
    pub permissions_boundary_arn: Option<String>,
    /// `PermissionsBoundaryPolicy`.
    pub permissions_boundary_type: Option<String>,
}

/// A managed policy with its versions (`Policies[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicyDetail {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub policy_name: Option<String>,
    /// The version in force.
    pub default_version_id: Option<String>,
    /// Its versions with their documents.
    #[serde(default, deserialize_with = "list")]
    pub policy_version_list: Vec<PolicyVersion>,
}

impl ManagedPolicyDetail {
    /// The document of the version in force.
    pub fn default_document(&self) -> Option<&serde_json::Value> {
        let by_flag = self.policy_version_list.iter().find(|v| v.is_default_version == Some(true));
        let by_id = || {
            self.policy_version_list.iter().find(|v| v.version_id.is_some() && v.version_id == self.default_version_id)
        };
        by_flag.or_else(by_id).and_then(|v| v.document.as_ref())
    }
}

/// One version of a managed policy.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    /// `v3`.
    pub version_id: Option<String>,
    /// The version in force.
    pub is_default_version: Option<bool>,
    /// Its document.
    #[serde(default, deserialize_with = "iam_document")]
    pub document: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_document_by_flag_or_id() {
        let p: ManagedPolicyDetail = serde_json::from_str(
            r#"{"Arn": "arn:aws:iam::aws:policy/X", "DefaultVersionId": "v2", "PolicyVersionList": [
                {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "1"}},
                {"VersionId": "v2", "Document": {"Version": "2"}}]}"#,
        )
        .unwrap();
        assert_eq!(p.default_document().map(|d| d["Version"].clone()), Some("2".into()));
    }
}
