//! VPCs, their DNS attributes, subnets, DHCP option sets and VPC Block
//! Public Access, as the EC2 API prints them.
//!
//! Shapes (EC2 API reference, "Data Types"):
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Vpc.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcAttribute.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DhcpOptions.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcBlockPublicAccessOptions.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcBlockPublicAccessExclusion.html>.

use serde::Deserialize;

use super::common::{Tag, api_enum, list};

/// A VPC (`describe-vpcs` → `Vpcs[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vpc {
    /// `vpc-…`.
    pub vpc_id: String,
    /// The primary IPv4 CIDR block.
    pub cidr_block: Option<String>,
    /// Every IPv4 CIDR block (primary and secondary) with its state.
    #[serde(default, deserialize_with = "list")]
    pub cidr_block_association_set: Vec<CidrBlockAssociation>,
    /// IPv6 CIDR blocks.
    #[serde(default, deserialize_with = "list")]
    pub ipv6_cidr_block_association_set: Vec<Ipv6CidrBlockAssociation>,
    /// `dopt-…`, or `default`.
    pub dhcp_options_id: Option<String>,
    /// The account's default VPC.
    pub is_default: Option<bool>,
    /// `pending` or `available`.
    pub state: Option<String>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// An IPv4 CIDR block of a VPC.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CidrBlockAssociation {
    /// `vpc-cidr-assoc-…`.
    pub association_id: Option<String>,
    /// The block.
    pub cidr_block: Option<String>,
    /// Its state (`associated`, …).
    pub cidr_block_state: Option<CidrBlockState>,
}

/// The state of a CIDR block association.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CidrBlockState {
    /// `associating`, `associated`, `disassociating`, `disassociated`, `failing`, `failed`.
    pub state: Option<String>,
}

/// An IPv6 CIDR block of a VPC.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6CidrBlockAssociation {
    /// The association's ID.
    pub association_id: Option<String>,
    /// The block.
    pub ipv6_cidr_block: Option<String>,
    /// Its state.
    pub ipv6_cidr_block_state: Option<CidrBlockState>,
}

/// One `describe-vpc-attribute` output: `VpcId` and one of the DNS
/// attributes as `{"Value": bool}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsAttribute {
    /// `enableDnsSupport`: the Amazon DNS server resolves names in the VPC.
    EnableDnsSupport,
    /// `enableDnsHostnames`: instances get DNS hostnames (interface
    /// endpoints' private DNS needs it).
    EnableDnsHostnames,
}

impl DnsAttribute {
    /// The key in the output (`EnableDnsSupport`).
    pub fn key(self) -> &'static str {
        match self {
            DnsAttribute::EnableDnsSupport => "EnableDnsSupport",
            DnsAttribute::EnableDnsHostnames => "EnableDnsHostnames",
        }
    }

    /// The `--attribute` value that prints it (`enableDnsSupport`).
    pub fn attribute(self) -> &'static str {
        match self {
            DnsAttribute::EnableDnsSupport => "enableDnsSupport",
            DnsAttribute::EnableDnsHostnames => "enableDnsHostnames",
        }
    }
}

/// A subnet (`describe-subnets` → `Subnets[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    /// `subnet-…`.
    pub subnet_id: String,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// The IPv4 CIDR block (absent on IPv6-only subnets).
    pub cidr_block: Option<String>,
    /// IPv6 CIDR blocks.
    #[serde(default, deserialize_with = "list")]
    pub ipv6_cidr_block_association_set: Vec<SubnetIpv6CidrBlockAssociation>,
    /// The zone name (`eu-west-1a`).
    pub availability_zone: Option<String>,
    /// The zone ID (`euw1-az1`).
    pub availability_zone_id: Option<String>,
    /// The default subnet of its zone (in the default VPC).
    pub default_for_az: Option<bool>,
    /// Instances launched here get a public IPv4 address by default.
    pub map_public_ip_on_launch: Option<bool>,
    /// IPv6-only subnet.
    pub ipv6_native: Option<bool>,
    /// `pending`, `available`, `unavailable`, `failed`, …
    pub state: Option<String>,
    /// The owning account (another one for a shared subnet).
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// An IPv6 CIDR block of a subnet.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetIpv6CidrBlockAssociation {
    /// The association's ID.
    pub association_id: Option<String>,
    /// The block.
    pub ipv6_cidr_block: Option<String>,
    /// Its state.
    pub ipv6_cidr_block_state: Option<CidrBlockState>,
}

/// A DHCP option set (`describe-dhcp-options` → `DhcpOptions[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DhcpOptions {
    /// `dopt-…`.
    pub dhcp_options_id: String,
    /// `domain-name-servers`, `domain-name`, … with their values.
    #[serde(default, deserialize_with = "list")]
    pub dhcp_configurations: Vec<DhcpConfiguration>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

impl DhcpOptions {
    /// The values of one option (`domain-name-servers`).
    pub fn values(&self, key: &str) -> Vec<&str> {
        self.dhcp_configurations
            .iter()
            .filter(|c| c.key.as_deref() == Some(key))
            .flat_map(|c| c.values.iter().filter_map(|v| v.value.as_deref()))
            .collect()
    }
}

/// One DHCP option.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DhcpConfiguration {
    /// The option's name.
    pub key: Option<String>,
    /// Its values.
    #[serde(default, deserialize_with = "list")]
    pub values: Vec<AttributeValue>,
}

/// `{"Value": "text"}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValue {
    /// The text.
    pub value: Option<String>,
}

api_enum! {
    /// VPC Block Public Access mode for internet gateways.
    pub enum InternetGatewayBlockMode {
        /// Not enabled.
        Off = "off",
        /// All traffic to and from internet and egress-only internet gateways is blocked.
        BlockBidirectional = "block-bidirectional",
        /// Inbound internet traffic is blocked; NAT gateways and egress-only
        /// internet gateways still allow outbound connections.
        BlockIngress = "block-ingress",
    }
}

/// The account's VPC Block Public Access settings for one region
/// (`describe-vpc-block-public-access-options` → `VpcBlockPublicAccessOptions`, an object).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcBlockPublicAccessOptions {
    /// The mode.
    pub internet_gateway_block_mode: Option<InternetGatewayBlockMode>,
    /// `default-state`, `update-in-progress`, `update-complete`.
    pub state: Option<String>,
    /// The region the options were read in.
    pub aws_region: Option<String>,
    /// `allowed` or `not-allowed` (an organization-level setting forbids exclusions).
    pub exclusions_allowed: Option<String>,
    /// `account` or `declarative-policy`.
    pub managed_by: Option<String>,
}

api_enum! {
    /// What a VPC Block Public Access exclusion allows.
    pub enum InternetGatewayExclusionMode {
        /// All internet traffic to and from the excluded VPC or subnet.
        AllowBidirectional = "allow-bidirectional",
        /// Outbound internet traffic only.
        AllowEgress = "allow-egress",
    }
}

/// An exclusion from VPC Block Public Access
/// (`describe-vpc-block-public-access-exclusions` → `VpcBlockPublicAccessExclusions[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcBlockPublicAccessExclusion {
    /// The exclusion's ID.
    pub exclusion_id: String,
    /// The mode it grants.
    pub internet_gateway_exclusion_mode: Option<InternetGatewayExclusionMode>,
    /// The excluded VPC's or subnet's ARN.
    pub resource_arn: Option<String>,
    /// `create-complete`, `update-complete`, `delete-complete`, … (only the
    /// `-complete` states of create and update are in force).
    pub state: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

impl VpcBlockPublicAccessExclusion {
    /// The excluded `vpc-…` or `subnet-…` (the last part of the ARN).
    pub fn resource_id(&self) -> Option<&str> {
        self.resource_arn.as_deref().and_then(|a| a.rsplit('/').next()).filter(|id| !id.is_empty())
    }

    /// True while the exclusion applies (created or updated, not deleted or disabled).
    pub fn in_force(&self) -> bool {
        matches!(self.state.as_deref(), Some("create-complete" | "update-complete"))
    }
}
