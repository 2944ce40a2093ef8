//! Instances (NAT instances, routes to `InstanceId`) and network
//! interfaces (routes to `NetworkInterfaceId`, endpoint addresses), as the
//! EC2 API prints them.
//!
//! Shapes (EC2 API reference):
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Reservation.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterface.html>.

use serde::Deserialize;

use super::common::{Tag, list};
use super::endpoint::SecurityGroupIdentifier;

/// A reservation (`describe-instances` → `Reservations[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Reservation {
    /// Its instances.
    #[serde(default, deserialize_with = "list")]
    pub instances: Vec<Instance>,
}

/// An instance.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    /// `i-…`.
    pub instance_id: String,
    /// Its AMI.
    pub image_id: Option<String>,
    /// Its subnet.
    pub subnet_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Its primary private address.
    pub private_ip_address: Option<String>,
    /// Its public address, if any.
    pub public_ip_address: Option<String>,
    /// Its security groups.
    #[serde(default, deserialize_with = "list")]
    pub security_groups: Vec<SecurityGroupIdentifier>,
    /// Its instance profile.
    pub iam_instance_profile: Option<IamInstanceProfile>,
    /// False on a NAT instance (it forwards traffic that is not its own).
    pub source_dest_check: Option<bool>,
    /// `running`, `stopped`, …
    pub state: Option<InstanceState>,
    /// `windows` on Windows instances.
    pub platform: Option<String>,
    /// Instance metadata options.
    pub metadata_options: Option<InstanceMetadataOptions>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// `{"Arn": …, "Id": …}` of an instance's profile.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamInstanceProfile {
    /// The profile's ARN.
    pub arn: Option<String>,
    /// The profile's ID.
    pub id: Option<String>,
}

/// `{"Code": 16, "Name": "running"}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceState {
    /// The state's name.
    pub name: Option<String>,
}

/// Instance metadata options.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceMetadataOptions {
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
    /// `optional` or `required` (IMDSv2).
    pub http_tokens: Option<String>,
}

/// A network interface (`describe-network-interfaces` → `NetworkInterfaces[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterface {
    /// `eni-…`.
    pub network_interface_id: String,
    /// `interface`, `nat_gateway`, `vpc_endpoint`, `gateway_load_balancer_endpoint`, …
    pub interface_type: Option<String>,
    /// Its subnet.
    pub subnet_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Its zone.
    pub availability_zone: Option<String>,
    /// Its primary private address.
    pub private_ip_address: Option<String>,
    /// Every private address.
    #[serde(default, deserialize_with = "list")]
    pub private_ip_addresses: Vec<NetworkInterfacePrivateIpAddress>,
    /// Its security groups.
    #[serde(default, deserialize_with = "list")]
    pub groups: Vec<SecurityGroupIdentifier>,
    /// Its public address.
    pub association: Option<NetworkInterfaceAssociation>,
    /// The instance it is attached to.
    pub attachment: Option<NetworkInterfaceAttachment>,
    /// False when it forwards others' traffic.
    pub source_dest_check: Option<bool>,
    /// Who created it (`amazon-elb`, an account, …).
    pub requester_id: Option<String>,
    /// `available`, `in-use`, …
    pub status: Option<String>,
    /// What created it (`VPC Endpoint Interface vpce-…`).
    pub description: Option<String>,
    /// Tags (`TagSet` on interfaces).
    #[serde(default, deserialize_with = "list")]
    pub tag_set: Vec<Tag>,
}

/// A private address of an interface.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterfacePrivateIpAddress {
    /// The address.
    pub private_ip_address: Option<String>,
    /// The primary one.
    pub primary: Option<bool>,
}

/// An interface's public address.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterfaceAssociation {
    /// The address.
    pub public_ip: Option<String>,
    /// The Elastic IP allocation.
    pub allocation_id: Option<String>,
}

/// An interface's attachment.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterfaceAttachment {
    /// The instance.
    pub instance_id: Option<String>,
    /// `attached`, …
    pub status: Option<String>,
}
