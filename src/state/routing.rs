//! Route tables and what their routes point at: internet, egress-only
//! internet and NAT gateways, peering connections, transit gateways.
//!
//! Shapes (EC2 API reference):
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RouteTable.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RouteTableAssociation.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InternetGateway.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EgressOnlyInternetGateway.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcPeeringConnection.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGateway.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGatewayAttachment.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGatewayRouteTable.html>,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGatewayRoute.html>.

use serde::Deserialize;

use super::common::{Tag, api_enum, list};

/// A route table (`describe-route-tables` → `RouteTables[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    /// `rtb-…`.
    pub route_table_id: String,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Subnets and gateways it is associated with, and `Main: true` when it
    /// is the VPC's main table.
    #[serde(default, deserialize_with = "list")]
    pub associations: Vec<RouteTableAssociation>,
    /// Its routes, the `local` route included.
    #[serde(default, deserialize_with = "list")]
    pub routes: Vec<Route>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

impl RouteTable {
    /// True when it is its VPC's main route table.
    pub fn is_main(&self) -> bool {
        self.associations.iter().any(|a| a.main == Some(true))
    }
}

/// An association of a route table with a subnet or a gateway (edge
/// association), or the main-table marker.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTableAssociation {
    /// `rtbassoc-…`.
    pub route_table_association_id: Option<String>,
    /// The table.
    pub route_table_id: Option<String>,
    /// The table is the VPC's main table (this association has no subnet).
    pub main: Option<bool>,
    /// The explicitly associated subnet.
    pub subnet_id: Option<String>,
    /// The associated internet or virtual private gateway (edge association).
    pub gateway_id: Option<String>,
    /// `associating`, `associated`, `disassociating`, `disassociated`, `failed`.
    pub association_state: Option<AssociationState>,
}

impl RouteTableAssociation {
    /// True unless the association is going or gone.
    pub fn in_force(&self) -> bool {
        !matches!(
            self.association_state.as_ref().and_then(|s| s.state.as_deref()),
            Some("disassociating" | "disassociated" | "failed")
        )
    }
}

/// An association's state.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociationState {
    /// The state.
    pub state: Option<String>,
}

api_enum! {
    /// The state of a route.
    pub enum RouteState {
        /// The route works.
        Active = "active",
        /// Its target is gone (a deleted NAT gateway, a detached interface):
        /// traffic is dropped.
        Blackhole = "blackhole",
        /// Filtered (Cloud WAN).
        Filtered = "filtered",
    }
}

/// A route. Exactly one destination and one target are set.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    /// IPv4 destination.
    pub destination_cidr_block: Option<String>,
    /// IPv6 destination.
    pub destination_ipv6_cidr_block: Option<String>,
    /// Prefix-list destination (`pl-…`: gateway endpoint routes).
    pub destination_prefix_list_id: Option<String>,
    /// `local`, `igw-…`, `vgw-…`, or `vpce-…` — a gateway endpoint, a
    /// Gateway Load Balancer endpoint and a Network Firewall endpoint all
    /// print as `vpce-…`.
    pub gateway_id: Option<String>,
    /// `nat-…`.
    pub nat_gateway_id: Option<String>,
    /// `tgw-…`.
    pub transit_gateway_id: Option<String>,
    /// `pcx-…`.
    pub vpc_peering_connection_id: Option<String>,
    /// `eni-…`.
    pub network_interface_id: Option<String>,
    /// `i-…` (a NAT instance).
    pub instance_id: Option<String>,
    /// `eigw-…`.
    pub egress_only_internet_gateway_id: Option<String>,
    /// `lgw-…`.
    pub local_gateway_id: Option<String>,
    /// `cagw-…`.
    pub carrier_gateway_id: Option<String>,
    /// A Cloud WAN core network.
    pub core_network_arn: Option<String>,
    /// `active`, `blackhole`.
    pub state: Option<RouteState>,
    /// `CreateRouteTable` (the local route), `CreateRoute`, `EnableVgwRoutePropagation`.
    pub origin: Option<String>,
}

/// An attachment of an internet or egress-only internet gateway to a VPC.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GatewayAttachment {
    /// The VPC.
    pub vpc_id: Option<String>,
    /// `attaching`, `attached`, `detaching`, `detached`; for an internet
    /// gateway `available` when attached, and nothing otherwise (EC2 API
    /// reference, InternetGatewayAttachment).
    pub state: Option<String>,
}

impl GatewayAttachment {
    /// True when the gateway is attached: `attached`, or `available` (what
    /// an attached internet gateway prints).
    pub fn attached(&self) -> bool {
        matches!(self.state.as_deref(), Some("attached" | "available"))
    }
}

/// An internet gateway (`describe-internet-gateways` → `InternetGateways[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InternetGateway {
    /// `igw-…`.
    pub internet_gateway_id: String,
    /// The VPC it is attached to (at most one).
    #[serde(default, deserialize_with = "list")]
    pub attachments: Vec<GatewayAttachment>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// An egress-only internet gateway (IPv6 out only;
/// `describe-egress-only-internet-gateways` → `EgressOnlyInternetGateways[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EgressOnlyInternetGateway {
    /// `eigw-…`.
    pub egress_only_internet_gateway_id: String,
    /// The VPC it is attached to.
    #[serde(default, deserialize_with = "list")]
    pub attachments: Vec<GatewayAttachment>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

api_enum! {
    /// The state of a NAT gateway.
    pub enum NatGatewayState {
        /// Being created.
        Pending = "pending",
        /// Creation failed.
        Failed = "failed",
        /// Working.
        Available = "available",
        /// Being deleted.
        Deleting = "deleting",
        /// Deleted (kept in the output for about an hour).
        Deleted = "deleted",
    }
}

api_enum! {
    /// Whether a NAT gateway reaches the internet.
    pub enum ConnectivityType {
        /// In a public subnet, with an Elastic IP: reaches the internet.
        Public = "public",
        /// Reaches other VPCs and on-premises networks, not the internet.
        Private = "private",
    }
}

/// A NAT gateway (`describe-nat-gateways` → `NatGateways[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NatGateway {
    /// `nat-…`.
    pub nat_gateway_id: String,
    /// Its subnet (absent on regional NAT gateways).
    pub subnet_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Its state.
    pub state: Option<NatGatewayState>,
    /// `public` (the default) or `private`.
    pub connectivity_type: Option<ConnectivityType>,
    /// Its addresses: `PublicIp` and `AllocationId` for a public NAT gateway.
    #[serde(default, deserialize_with = "list")]
    pub nat_gateway_addresses: Vec<NatGatewayAddress>,
    /// `zonal` or `regional`.
    pub availability_mode: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// An address of a NAT gateway.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NatGatewayAddress {
    /// The Elastic IP allocation.
    pub allocation_id: Option<String>,
    /// The public address.
    pub public_ip: Option<String>,
    /// The private address.
    pub private_ip: Option<String>,
    /// The interface.
    pub network_interface_id: Option<String>,
    /// The primary address.
    pub is_primary: Option<bool>,
    /// `assigning`, `succeeded`, `failed`, …
    pub status: Option<String>,
}

api_enum! {
    /// The status of a VPC peering connection.
    pub enum PeeringStatusCode {
        /// Requested.
        InitiatingRequest = "initiating-request",
        /// Waiting for the accepter.
        PendingAcceptance = "pending-acceptance",
        /// Traffic flows.
        Active = "active",
        /// Deleted.
        Deleted = "deleted",
        /// Rejected.
        Rejected = "rejected",
        /// Failed.
        Failed = "failed",
        /// Expired.
        Expired = "expired",
        /// Being provisioned.
        Provisioning = "provisioning",
        /// Being deleted.
        Deleting = "deleting",
    }
}

/// A VPC peering connection (`describe-vpc-peering-connections` → `VpcPeeringConnections[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcPeeringConnection {
    /// `pcx-…`.
    pub vpc_peering_connection_id: String,
    /// The requester's VPC.
    pub requester_vpc_info: Option<PeeringVpcInfo>,
    /// The accepter's VPC.
    pub accepter_vpc_info: Option<PeeringVpcInfo>,
    /// The status.
    pub status: Option<PeeringStatus>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// One side of a peering connection.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringVpcInfo {
    /// The VPC.
    pub vpc_id: Option<String>,
    /// Its account.
    pub owner_id: Option<String>,
    /// Its region.
    pub region: Option<String>,
    /// Its primary IPv4 block.
    pub cidr_block: Option<String>,
    /// Every IPv4 block.
    #[serde(default, deserialize_with = "list")]
    pub cidr_block_set: Vec<PeeringCidrBlock>,
}

/// `{"CidrBlock": "10.1.0.0/16"}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringCidrBlock {
    /// The block.
    pub cidr_block: Option<String>,
}

/// A peering connection's status.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringStatus {
    /// The code.
    pub code: Option<PeeringStatusCode>,
}

/// A transit gateway (`describe-transit-gateways` → `TransitGateways[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGateway {
    /// `tgw-…`.
    pub transit_gateway_id: String,
    /// `available`, …
    pub state: Option<String>,
    /// The owning account.
    pub owner_id: Option<String>,
    /// Default route table association and propagation.
    pub options: Option<TransitGatewayOptions>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// The options of a transit gateway that decide where attachments' traffic goes.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayOptions {
    /// `enable` or `disable`.
    pub default_route_table_association: Option<String>,
    /// The default association table.
    pub association_default_route_table_id: Option<String>,
    /// `enable` or `disable`.
    pub default_route_table_propagation: Option<String>,
    /// The default propagation table.
    pub propagation_default_route_table_id: Option<String>,
}

api_enum! {
    /// What a transit gateway attachment connects.
    pub enum TransitGatewayAttachmentResourceType {
        /// A VPC.
        Vpc = "vpc",
        /// A Site-to-Site VPN.
        Vpn = "vpn",
        /// A Direct Connect gateway.
        DirectConnectGateway = "direct-connect-gateway",
        /// A Connect attachment.
        Connect = "connect",
        /// A peering with another transit gateway.
        Peering = "peering",
        /// A peering (deprecated type).
        TgwPeering = "tgw-peering",
        /// A network function (firewall).
        NetworkFunction = "network-function",
    }
}

/// A transit gateway attachment (`describe-transit-gateway-attachments` →
/// `TransitGatewayAttachments[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayAttachment {
    /// `tgw-attach-…`.
    pub transit_gateway_attachment_id: String,
    /// The transit gateway.
    pub transit_gateway_id: Option<String>,
    /// What it connects.
    pub resource_type: Option<TransitGatewayAttachmentResourceType>,
    /// The VPC, VPN, … ID.
    pub resource_id: Option<String>,
    /// `available`, `pendingAcceptance`, `deleted`, …
    pub state: Option<String>,
    /// The route table it is associated with.
    pub association: Option<TransitGatewayAttachmentAssociation>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// The route table an attachment is associated with.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayAttachmentAssociation {
    /// `tgw-rtb-…`.
    pub transit_gateway_route_table_id: Option<String>,
    /// `associating`, `associated`, `disassociating`, `disassociated`.
    pub state: Option<String>,
}

/// A transit gateway route table (`describe-transit-gateway-route-tables` →
/// `TransitGatewayRouteTables[]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayRouteTable {
    /// `tgw-rtb-…`.
    pub transit_gateway_route_table_id: String,
    /// The transit gateway.
    pub transit_gateway_id: Option<String>,
    /// `available`, …
    pub state: Option<String>,
    /// The default association table.
    pub default_association_route_table: Option<bool>,
    /// The default propagation table.
    pub default_propagation_route_table: Option<bool>,
    /// Tags.
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// A route of a transit gateway route table (`search-transit-gateway-routes`
/// → `Routes[]`; the output names no table, so the file name must contain
/// the `tgw-rtb-…` ID).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayRoute {
    /// The IPv4 or IPv6 destination.
    pub destination_cidr_block: Option<String>,
    /// A prefix-list destination.
    pub prefix_list_id: Option<String>,
    /// The attachments traffic goes to.
    #[serde(default, deserialize_with = "list")]
    pub transit_gateway_attachments: Vec<TransitGatewayRouteAttachment>,
    /// `static` or `propagated`.
    #[serde(rename = "Type")]
    pub route_type: Option<String>,
    /// `active`, `blackhole`, …
    pub state: Option<String>,
}

/// A target of a transit gateway route.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayRouteAttachment {
    /// `tgw-attach-…`.
    pub transit_gateway_attachment_id: Option<String>,
    /// The VPC, VPN, … ID.
    pub resource_id: Option<String>,
    /// What it connects.
    pub resource_type: Option<TransitGatewayAttachmentResourceType>,
}
