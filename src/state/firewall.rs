//! Security groups, network ACLs and the prefix lists their rules and
//! routes name, as the EC2 API prints them.
//!
//! Types differ from CloudFormation's: a network ACL entry's `Protocol` is
//! text (`"-1"`, `"6"`), its ports are `PortRange {From, To}`; a group's
//! rules are `IpPermissions` / `IpPermissionsEgress` with `IpRanges`,
//! `Ipv6Ranges`, `PrefixListIds` and `UserIdGroupPairs`.
//!
//! Shapes (EC2 API reference):
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroup.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkAcl.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkAclEntry.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ManagedPrefixList.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PrefixList.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PrefixListEntry.html>.

use serde::Deserialize;

use super::common::{Tag, api_enum, list};

/// A security group (`describe-security-groups` → `SecurityGroups[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    /// `sg-…`.
    pub group_id: String,
    /// Its name (`default` for the VPC's default group).
    pub group_name: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Inbound rules.
    #[serde(default, deserialize_with = "list")]
    pub ip_permissions: Vec<IpPermission>,
    /// Outbound rules (a new group has one allowing everything).
    #[serde(default, deserialize_with = "list")]
    pub ip_permissions_egress: Vec<IpPermission>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// One security group rule: a protocol, a port range and the peers it allows.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` (all).
    pub ip_protocol: Option<String>,
    /// First port (or ICMP type); `-1` with all protocols.
    pub from_port: Option<i32>,
    /// Last port (or ICMP code).
    pub to_port: Option<i32>,
    /// IPv4 peers.
    #[serde(default, deserialize_with = "list")]
    pub ip_ranges: Vec<IpRange>,
    /// IPv6 peers.
    #[serde(default, deserialize_with = "list")]
    pub ipv6_ranges: Vec<Ipv6Range>,
    /// Prefix-list peers.
    #[serde(default, deserialize_with = "list")]
    pub prefix_list_ids: Vec<PrefixListId>,
    /// Security group peers.
    #[serde(default, deserialize_with = "list")]
    pub user_id_group_pairs: Vec<UserIdGroupPair>,
}

/// `{"CidrIp": "10.0.0.0/16"}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    /// The IPv4 range.
    pub cidr_ip: Option<String>,
    /// The rule's description.
    pub description: Option<String>,
}

/// `{"CidrIpv6": "::/0"}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    /// The IPv6 range.
    pub cidr_ipv6: Option<String>,
    /// The rule's description.
    pub description: Option<String>,
}

/// `{"PrefixListId": "pl-…"}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListId {
    /// The prefix list.
    pub prefix_list_id: Option<String>,
    /// The rule's description.
    pub description: Option<String>,
}

/// A security group peer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserIdGroupPair {
    /// The peer group.
    pub group_id: Option<String>,
    /// Its account (another one across a peering connection).
    pub user_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// The peering connection, for a group in a peered VPC.
    pub vpc_peering_connection_id: Option<String>,
    /// The rule's description.
    pub description: Option<String>,
}

api_enum! {
    /// Whether a network ACL entry allows or denies.
    pub enum RuleAction {
        /// Allows.
        Allow = "allow",
        /// Denies.
        Deny = "deny",
    }
}

/// A network ACL (`describe-network-acls` → `NetworkAcls[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAcl {
    /// `acl-…`.
    pub network_acl_id: String,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// The VPC's default network ACL.
    pub is_default: Option<bool>,
    /// Its rules, both directions, the final `*` deny (rule 32767) included.
    #[serde(default, deserialize_with = "list")]
    pub entries: Vec<NetworkAclEntry>,
    /// The subnets it is associated with (every subnet is associated with
    /// exactly one network ACL, the default one unless another is set).
    #[serde(default, deserialize_with = "list")]
    pub associations: Vec<NetworkAclAssociation>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// A network ACL rule.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAclEntry {
    /// Evaluated in ascending order; 32767 is the final deny.
    pub rule_number: Option<i32>,
    /// The protocol number as text; `"-1"` is every protocol.
    pub protocol: Option<String>,
    /// `allow` or `deny`.
    pub rule_action: Option<RuleAction>,
    /// True for outbound rules.
    pub egress: Option<bool>,
    /// IPv4 range.
    pub cidr_block: Option<String>,
    /// IPv6 range.
    pub ipv6_cidr_block: Option<String>,
    /// TCP and UDP ports.
    pub port_range: Option<PortRange>,
    /// ICMP type and code.
    pub icmp_type_code: Option<IcmpTypeCode>,
}

/// `{"From": 443, "To": 443}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortRange {
    /// First port.
    pub from: Option<i32>,
    /// Last port.
    pub to: Option<i32>,
}

/// ICMP type and code (`-1`: all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IcmpTypeCode {
    /// The code.
    pub code: Option<i32>,
    /// The type.
    #[serde(rename = "Type")]
    pub icmp_type: Option<i32>,
}

/// A subnet's association with a network ACL.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAclAssociation {
    /// `aclassoc-…`.
    pub network_acl_association_id: Option<String>,
    /// The ACL.
    pub network_acl_id: Option<String>,
    /// The subnet.
    pub subnet_id: Option<String>,
}

/// A managed prefix list, AWS-managed or the account's own
/// (`describe-managed-prefix-lists` → `PrefixLists[]`, items with
/// `PrefixListArn` and `OwnerId`). Its CIDRs come from
/// `get-managed-prefix-list-entries`.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPrefixList {
    /// `pl-…`.
    pub prefix_list_id: String,
    /// Its name (`com.amazonaws.eu-west-1.s3` for AWS's S3 list).
    pub prefix_list_name: Option<String>,
    /// `AWS` for AWS-managed lists, else the owning account.
    pub owner_id: Option<String>,
    /// Its ARN.
    pub prefix_list_arn: Option<String>,
    /// `IPv4` or `IPv6`.
    pub address_family: Option<String>,
    /// `create-complete`, `modify-complete`, …
    pub state: Option<String>,
    /// Maximum number of entries.
    pub max_entries: Option<i64>,
    /// Its version.
    pub version: Option<i64>,
    /// Tags.
    pub tags: Vec<Tag>,
}

impl ManagedPrefixList {
    /// True for a list AWS manages (`OwnerId: AWS`).
    pub fn aws_managed(&self) -> bool {
        self.owner_id.as_deref() == Some("AWS")
    }
}

/// An AWS-managed prefix list with its CIDRs (`describe-prefix-lists` →
/// `PrefixLists[]`, items with `Cidrs`).
#[derive(Clone, Debug, PartialEq)]
pub struct PrefixList {
    /// `pl-…`.
    pub prefix_list_id: String,
    /// `com.amazonaws.<region>.s3`, `com.amazonaws.<region>.dynamodb`.
    pub prefix_list_name: Option<String>,
    /// Its IP address ranges.
    pub cidrs: Vec<String>,
}

/// An item of `PrefixLists[]`: both calls print that key, with different
/// items; an item with `Cidrs` is a [`PrefixList`], any other a
/// [`ManagedPrefixList`].
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PrefixListItem {
    prefix_list_id: String,
    prefix_list_name: Option<String>,
    cidrs: Option<Vec<String>>,
    owner_id: Option<String>,
    prefix_list_arn: Option<String>,
    address_family: Option<String>,
    state: Option<String>,
    max_entries: Option<i64>,
    version: Option<i64>,
    #[serde(default, deserialize_with = "list")]
    tags: Vec<Tag>,
}

/// What a `PrefixLists[]` item is.
pub(crate) enum PrefixListKind {
    Managed(ManagedPrefixList),
    Aws(PrefixList),
}

impl PrefixListItem {
    /// True for a `describe-prefix-lists` item.
    pub(crate) fn has_cidrs(&self) -> bool {
        self.cidrs.is_some()
    }

    /// The list's ID.
    pub(crate) fn id(&self) -> &str {
        &self.prefix_list_id
    }

    /// Which of the two shapes this item is.
    pub(crate) fn split(self) -> PrefixListKind {
        match self.cidrs {
            Some(cidrs) => PrefixListKind::Aws(PrefixList {
                prefix_list_id: self.prefix_list_id,
                prefix_list_name: self.prefix_list_name,
                cidrs,
            }),
            None => PrefixListKind::Managed(ManagedPrefixList {
                prefix_list_id: self.prefix_list_id,
                prefix_list_name: self.prefix_list_name,
                owner_id: self.owner_id,
                prefix_list_arn: self.prefix_list_arn,
                address_family: self.address_family,
                state: self.state,
                max_entries: self.max_entries,
                version: self.version,
                tags: self.tags,
            }),
        }
    }
}

/// An entry of a managed prefix list (`get-managed-prefix-list-entries` → `Entries[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListEntry {
    /// The range.
    pub cidr: String,
    /// Its description.
    pub description: Option<String>,
}
