//! VPC endpoints, as the EC2 API prints them.
//!
//! Shape (EC2 API reference):
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html>.
//! `PolicyDocument` is JSON *text* there; it is read into a JSON value.

use serde::Deserialize;

use super::common::{Tag, api_enum, json_text, list};

api_enum! {
    /// The kind of endpoint.
    pub enum VpcEndpointType {
        /// Elastic network interfaces in subnets, reached by DNS (ssm, ssmmessages, …).
        Interface = "Interface",
        /// Routes to a service's prefix list in route tables (S3, DynamoDB).
        Gateway = "Gateway",
        /// A Gateway Load Balancer endpoint (route target for inspection appliances).
        GatewayLoadBalancer = "GatewayLoadBalancer",
        /// A resource endpoint (VPC Lattice).
        Resource = "Resource",
        /// A service-network endpoint (VPC Lattice).
        ServiceNetwork = "ServiceNetwork",
    }
}

api_enum! {
    /// The state of an endpoint (the CLI prints `available`; the API
    /// reference lists `Available`).
    pub enum VpcEndpointState {
        /// Waiting for the service owner.
        PendingAcceptance = "PendingAcceptance",
        /// Being created.
        Pending = "Pending",
        /// Working.
        Available = "Available",
        /// Being deleted.
        Deleting = "Deleting",
        /// Deleted.
        Deleted = "Deleted",
        /// Rejected by the service owner.
        Rejected = "Rejected",
        /// Failed.
        Failed = "Failed",
        /// Expired.
        Expired = "Expired",
        /// Partly working.
        Partial = "Partial",
    }
}

/// A VPC endpoint (`describe-vpc-endpoints` → `VpcEndpoints[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    /// `vpce-…`.
    pub vpc_endpoint_id: String,
    /// `Interface`, `Gateway`, `GatewayLoadBalancer`, …
    pub vpc_endpoint_type: Option<VpcEndpointType>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// `com.amazonaws.<region>.ssm`, …
    pub service_name: Option<String>,
    /// Its state.
    pub state: Option<VpcEndpointState>,
    /// The endpoint policy (gateway and interface endpoints), parsed from
    /// the JSON text the API prints.
    #[serde(default, deserialize_with = "json_text")]
    pub policy_document: Option<serde_json::Value>,
    /// Gateway endpoints: the route tables that got its prefix-list route.
    #[serde(default, deserialize_with = "list")]
    pub route_table_ids: Vec<String>,
    /// Interface endpoints: one subnet per zone.
    #[serde(default, deserialize_with = "list")]
    pub subnet_ids: Vec<String>,
    /// Interface endpoints: the security groups of its interfaces.
    #[serde(default, deserialize_with = "list")]
    pub groups: Vec<SecurityGroupIdentifier>,
    /// Interface endpoints: the service's default DNS name resolves to the
    /// endpoint inside the VPC.
    pub private_dns_enabled: Option<bool>,
    /// Interface endpoints: its interfaces.
    #[serde(default, deserialize_with = "list")]
    pub network_interface_ids: Vec<String>,
    /// `ipv4`, `dualstack`, `ipv6`.
    pub ip_address_type: Option<String>,
    /// Created by a service on the account's behalf.
    pub requester_managed: Option<bool>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// `{"GroupId": "sg-…", "GroupName": "…"}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupIdentifier {
    /// The group.
    pub group_id: Option<String>,
    /// Its name.
    pub group_name: Option<String>,
}

impl VpcEndpoint {
    /// The service's short name (`ssm` for `com.amazonaws.eu-west-1.ssm`).
    pub fn service(&self) -> Option<&str> {
        let name = self.service_name.as_deref()?;
        name.strip_prefix("com.amazonaws.").and_then(|rest| rest.split_once('.')).map(|(_, service)| service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        let e: VpcEndpoint = serde_json::from_str(
            r#"{"VpcEndpointId": "vpce-1", "ServiceName": "com.amazonaws.eu-west-1.ssmmessages", "State": "available",
                "VpcEndpointType": "Interface", "PolicyDocument": "{\"Statement\": []}"}"#,
        )
        .unwrap();
        assert_eq!(e.service(), Some("ssmmessages"));
        assert_eq!(e.state, Some(VpcEndpointState::Available));
        assert_eq!(e.vpc_endpoint_type, Some(VpcEndpointType::Interface));
        assert!(e.policy_document.is_some_and(|p| p["Statement"].is_array()));
    }
}
