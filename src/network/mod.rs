//! The fourth stage: a typed model of the network a template deploys.
//!
//! [`Network`] holds VPCs, subnets, route tables, gateways, security groups,
//! network ACLs, VPC endpoints, IAM instance profiles and roles, and the
//! workloads (instances, Auto Scaling group subnets), built from one
//! [`Resolved`](crate::resolve::Resolved) template. It knows nothing about
//! YAML; every element keeps the spans findings need. Region facts live in
//! [`region`], AMI families and their repositories in [`ami`];
//! CloudFormation's dependency graph of the template in [`graph`].

pub mod account;
pub mod ami;
pub mod bpa;
mod build;
pub mod deployed;
pub mod grant;
pub mod graph;
pub mod iam;
pub mod managed;
pub mod nacl;
pub mod peering;
pub mod prefix_list;
pub mod region;
pub mod resource_id;
pub mod session;
pub mod sg;
#[cfg(test)]
pub(crate) mod tests;
pub mod transit;
mod workload;
pub mod zones;

use std::collections::HashMap;

use ipnet::Ipv4Net;

pub use build::build;

use crate::finding::Finding;
use crate::resolve::{RNode, Unknown, Val};
use crate::source::Span;
use ami::Ami;

/// What a property that names another resource points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ident {
    /// A resource of this template, by logical ID (synthetic IDs such as
    /// `Vpc.DefaultSecurityGroup` stand for what AWS creates implicitly).
    Resource(String),
    /// A literal ID (`subnet-0abc…`): something outside the template.
    External(String),
    /// Not knowable before deployment.
    Unknown(Unknown),
}

impl Ident {
    /// What a resolved value names.
    pub fn of(node: &RNode) -> Ident {
        match &node.val {
            Val::Ref(id) => Ident::Resource(id.clone()),
            Val::Att(id, attr) => match attr.as_str() {
                "DefaultSecurityGroup" | "DefaultNetworkAcl" => Ident::Resource(format!("{id}.{attr}")),
                // an endpoint picked out of a Network Firewall's
                // `EndpointIds` (see `resolve::functions`), or its transit
                // gateway attachment, names the firewall
                "AllocationId" | "GroupId" | "Id" | "EndpointIds" | "TransitGatewayAttachmentId" => {
                    Ident::Resource(id.clone())
                }
                _ => Ident::Unknown(Unknown::new(format!("`{id}.{attr}` is known only after deployment"), node.span)),
            },
            Val::Str(s) => Ident::External(s.clone()),
            _ => Ident::Unknown(node.unknown().unwrap_or(Unknown::new("a value that is not a resource ID", node.span))),
        }
    }
    /// The logical ID, when this names a resource of the template.
    pub fn id(&self) -> Option<&str> {
        match self {
            Ident::Resource(id) => Some(id),
            _ => None,
        }
    }
    /// Text for messages.
    pub fn describe(&self) -> String {
        match self {
            Ident::Resource(id) => id.clone(),
            Ident::External(id) => format!("`{id}` (outside the template)"),
            Ident::Unknown(u) => format!("an unknown resource ({})", u.reason),
        }
    }
}

/// A VPC.
#[derive(Clone, Debug)]
pub struct Vpc {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// IPv4 CIDR blocks (primary and `AWS::EC2::VPCCidrBlock`).
    pub cidrs: Vec<Ipv4Net>,
    /// `EnableDnsSupport` (CFN default true).
    pub dns_support: bool,
    /// Where `EnableDnsSupport` is, when written.
    pub dns_support_span: Option<Span>,
    /// `EnableDnsHostnames` (CFN default false for a non-default VPC).
    pub dns_hostnames: bool,
    /// Where `EnableDnsHostnames` is, when written.
    pub dns_hostnames_span: Option<Span>,
    /// Custom DHCP DNS servers (not `AmazonProvidedDNS`): the DHCP options
    /// resource and the span of its `DomainNameServers`.
    pub custom_dns: Option<(String, Span)>,
    /// Route 53 Resolver forwarding rules associated with the VPC.
    pub resolver_rules: Vec<ResolverRule>,
    /// Why `EnableDnsSupport` is not known (a deployed VPC whose
    /// `describe-vpc-attribute` output the account state lacks);
    /// `dns_support` is then only a placeholder.
    pub dns_support_open: Option<Unknown>,
    /// Why `EnableDnsHostnames` is not known, likewise.
    pub dns_hostnames_open: Option<Unknown>,
    /// Why its VPC endpoints are not known (a deployed VPC, and no
    /// `describe-vpc-endpoints` output in the account state).
    pub endpoints_open: Option<Unknown>,
}

/// A Route 53 Resolver rule associated with a VPC
/// (`AWS::Route53Resolver::ResolverRuleAssociation`): queries for its
/// domain go to the rule's target servers, not to the VPC's own zones.
#[derive(Clone, Debug)]
pub struct ResolverRule {
    /// The association's logical ID.
    pub association: String,
    /// What `ResolverRuleId` names.
    pub rule: Ident,
    /// Where `ResolverRuleId` is.
    pub span: Span,
    /// The forwarded domain, when the rule is declared in the template.
    pub domain: Option<String>,
}

impl ResolverRule {
    /// True when queries for `host` may be forwarded by this rule (its
    /// domain is unknown, or `host` is in it).
    pub fn may_forward(&self, host: &str) -> bool {
        match &self.domain {
            None => true,
            Some(d) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                let host = host.to_ascii_lowercase();
                d.is_empty() || host == d || host.ends_with(&format!(".{d}"))
            }
        }
    }
}

/// A subnet.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// Its VPC.
    pub vpc: Ident,
    /// Its IPv4 CIDR, when known.
    pub cidr: Option<Ipv4Net>,
    /// `MapPublicIpOnLaunch` (default false).
    pub map_public_ip: bool,
    /// Where `MapPublicIpOnLaunch` is, when written.
    pub map_public_ip_span: Option<Span>,
    /// The explicitly associated route table (`None`: the main route table).
    pub route_table: Option<Ident>,
    /// The explicitly associated network ACL (`None`: the default NACL).
    pub nacl: Option<Ident>,
    /// Its Availability Zone, when known (`AvailabilityZone` or
    /// `AvailabilityZoneId`): which transit gateway attachment subnet its
    /// traffic uses.
    pub az: Option<Az>,
}

/// An Availability Zone as a template names it. A name (`us-east-1a`) and
/// an ID (`use1-az1`) are mapped per account, so only two of a kind compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Az {
    /// `AvailabilityZone`.
    Name(String),
    /// `AvailabilityZoneId`.
    Id(String),
}

impl Az {
    /// Same zone, different zone, or cannot tell (a name against an ID).
    pub fn same(&self, other: &Az) -> Option<bool> {
        match (self, other) {
            (Az::Name(a), Az::Name(b)) | (Az::Id(a), Az::Id(b)) => Some(a == b),
            _ => None,
        }
    }
}

impl std::fmt::Display for Az {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Az::Name(n) | Az::Id(n) => f.write_str(n),
        }
    }
}

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteTarget {
    /// The VPC itself.
    Local,
    /// An internet gateway.
    InternetGateway(Ident),
    /// A NAT gateway.
    NatGateway(Ident),
    /// A gateway VPC endpoint (implicit route to its service's prefix list).
    GatewayEndpoint(String),
    /// Anything whose far side is outside the template's world: transit
    /// gateway, peering, virtual private gateway, instance, ENI, GWLB
    /// endpoint, ... (the property name and the value).
    Other(String, Ident),
}

/// A route's destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// An IPv4 CIDR block.
    Cidr(Ipv4Net),
    /// An AWS-managed service prefix list (gateway endpoint routes): the service name.
    ServicePrefixList(String),
    /// An IPv6 block, or a prefix list outside the template (or of unknown
    /// entries): does not decide IPv4 service traffic.
    Other,
    /// Not known.
    Unknown(Unknown),
}

/// One route.
#[derive(Clone, Debug)]
pub struct Route {
    /// The `AWS::EC2::Route` (or gateway endpoint) that declares it.
    pub id: String,
    /// Where to point findings: the target property of the route.
    pub span: Span,
    /// Destination.
    pub destination: Destination,
    /// Target.
    pub target: RouteTarget,
    /// The template prefix list (`DestinationPrefixListId`) this route is
    /// one entry of: a plain CIDR route of the same length wins over it.
    pub prefix_list: Option<String>,
}

/// A route table.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// Its VPC.
    pub vpc: Ident,
    /// Its routes, except the implicit local route.
    pub routes: Vec<Route>,
}

/// An internet gateway.
#[derive(Clone, Debug)]
pub struct InternetGateway {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// VPCs it is attached to (`AWS::EC2::VPCGatewayAttachment`).
    pub attached: Vec<Ident>,
}

/// A NAT gateway.
#[derive(Clone, Debug)]
pub struct NatGateway {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// The subnet it sits in (`None` for a regional NAT gateway).
    pub subnet: Option<Ident>,
    /// `AllocationId` present.
    pub has_eip: bool,
    /// `ConnectivityType: private`, and where.
    pub private: Option<Span>,
    /// `AvailabilityMode: regional`.
    pub regional: bool,
}

/// An interface or gateway VPC endpoint.
#[derive(Clone, Debug)]
pub struct VpcEndpoint {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// Its VPC, and where `VpcId` is.
    pub vpc: Ident,
    /// Where `VpcId` is.
    pub vpc_span: Span,
    /// The service: `(region, service)` from `com.amazonaws.<region>.<service>`.
    pub service: Option<(String, String)>,
    /// The service name as written (for messages), and where.
    pub service_text: String,
    /// Where `ServiceName` is.
    pub service_span: Span,
    /// Gateway (the CloudFormation default) or Interface.
    pub kind: EndpointKind,
    /// `RouteTableIds` (gateway endpoints).
    pub route_tables: Vec<Ident>,
    /// Where `RouteTableIds` is (the endpoint key when absent).
    pub route_tables_span: Span,
    /// `SubnetIds` (interface endpoints).
    pub subnets: Vec<Ident>,
    /// `SecurityGroupIds`; empty means the VPC default group.
    pub groups: Vec<Ident>,
    /// `PrivateDnsEnabled` (CFN default false).
    pub private_dns: bool,
    /// Where `PrivateDnsEnabled` is, when written.
    pub private_dns_span: Option<Span>,
    /// `PolicyDocument`, when written, and where.
    pub policy: Option<(RNode, Span)>,
}

/// The type of a VPC endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    /// Routes to a prefix list (S3, DynamoDB).
    Gateway,
    /// ENIs with private IPs (PrivateLink).
    Interface,
    /// Gateway Load Balancer, service network, resource endpoints.
    Other,
}

/// How a workload gets a public IPv4 address. The subnet's
/// `MapPublicIpOnLaunch` is only the default: `AssociatePublicIpAddress`
/// on the primary network interface overrides it either way, and an
/// instance launched on an existing interface or with several interfaces
/// gets none from either (EC2 UG, "Manage the IPv4 addresses for your EC2
/// instances", *Assign a public IPv4 address at launch*).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicIp {
    /// It gets one (and how, for messages).
    Yes(String),
    /// It gets none, whatever its subnet says.
    No(NoPublicIp),
    /// Nothing on the workload decides: its subnet's `MapPublicIpOnLaunch` does.
    FromSubnet,
    /// Cannot tell.
    Unknown(Unknown),
}

/// Why a workload gets no public IPv4 address whatever its subnet says, and
/// where that is decided (the thing to edit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoPublicIp {
    /// The reason, for messages: `` `AssociatePublicIpAddress: false` on its primary network interface ``.
    pub why: String,
    /// Where it is decided.
    pub span: Span,
    /// The resource that decides it (instance, launch template or configuration).
    pub resource: String,
    /// How to give it one.
    pub fix: String,
}

/// What runs the agent and dnf: an instance, or one subnet of an Auto
/// Scaling group.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// `AWS::EC2::Instance`.
    Instance,
    /// `AWS::AutoScaling::AutoScalingGroup`.
    AutoScalingGroup,
}

/// A workload in one subnet.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Logical ID of the instance or group.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// Instance or Auto Scaling group.
    pub kind: WorkloadKind,
    /// Its subnet.
    pub subnet: Ident,
    /// Where the subnet is given.
    pub subnet_span: Span,
    /// Its security groups; empty means the VPC default group.
    pub groups: Vec<Ident>,
    /// Where the groups are given (the workload key when omitted).
    pub groups_span: Span,
    /// Its public IPv4 address.
    pub public_ip: PublicIp,
    /// `IamInstanceProfile`, and where.
    pub profile: Option<(Ident, Span)>,
    /// The AMI, as far as the template names it.
    pub image: Ami,
    /// Where `ImageId` is.
    pub image_span: Option<Span>,
    /// Where `HttpEndpoint: disabled` is, when instance metadata is off.
    pub metadata_disabled: Option<Span>,
    /// The UserData script, decoded.
    pub user_data: Option<RNode>,
    /// Its `AWS::CloudFormation::Init` metadata, resolved.
    pub init: Option<RNode>,
    /// The launch template or configuration it takes data from.
    pub launch_template: Option<String>,
}

/// The whole model, with lookups by logical ID.
#[derive(Debug, Default)]
pub struct Network {
    /// VPCs.
    pub vpcs: Vec<Vpc>,
    /// Subnets.
    pub subnets: Vec<Subnet>,
    /// Route tables.
    pub route_tables: Vec<RouteTable>,
    /// Internet gateways.
    pub igws: Vec<InternetGateway>,
    /// NAT gateways.
    pub nats: Vec<NatGateway>,
    /// Security groups (including each VPC's default group).
    pub groups: Vec<sg::SecurityGroup>,
    /// Network ACLs (including each VPC's default NACL).
    pub nacls: Vec<nacl::NetworkAcl>,
    /// VPC endpoints.
    pub endpoints: Vec<VpcEndpoint>,
    /// Instance profiles.
    pub profiles: Vec<iam::InstanceProfile>,
    /// IAM roles.
    pub roles: Vec<iam::Role>,
    /// Workloads.
    pub workloads: Vec<Workload>,
    /// Network Firewalls.
    pub firewalls: Vec<transit::Firewall>,
    /// Transit gateways, their attachments and routes.
    pub transit: transit::Transit,
    /// Customer-managed prefix lists declared in the template.
    pub prefix_lists: Vec<prefix_list::PrefixList>,
    /// `AWS::IAM::ManagedPolicy` documents by logical ID.
    pub managed_policies: Vec<(String, RNode)>,
    /// VPC peering connections.
    pub peerings: Vec<peering::Peering>,
    /// Route 53 private hosted zones.
    pub private_zones: Vec<zones::PrivateHostedZone>,
    /// The account's settings for the Region (Block Public Access, Session
    /// Manager preferences).
    pub account: account::AccountSettings,
    /// Findings about the model itself (not about a path).
    pub findings: Vec<Finding>,
    /// The deployed resources (`--account-state`) that template values
    /// name, by AWS ID (or IAM name): where each was read and the template
    /// node that brought it in ([`deployed`]). Empty without account state.
    pub deployed: HashMap<String, deployed::Deployed>,
    /// The `default` security group of each deployed VPC, by VPC ID.
    pub default_groups: HashMap<String, String>,
    /// Workloads that launch into the default VPC of an account that has
    /// none (PN109), with the node that decides it.
    pub no_default_vpc: HashMap<String, Span>,
    /// Values where an EC2 resource ID is needed that cannot be one
    /// (PN011), in template order.
    pub malformed: Vec<resource_id::MalformedId>,
    index: HashMap<String, usize>,
    /// Positions in `endpoints` by VPC logical ID, in template order: the
    /// simulator asks per workload, so a scan of every endpoint would make
    /// it quadratic in the template's size.
    endpoints_by_vpc: HashMap<String, Vec<usize>>,
}

macro_rules! lookup {
    ($name:ident, $field:ident, $ty:ty) => {
        /// The element with this logical ID.
        pub fn $name(&self, id: &str) -> Option<&$ty> {
            self.index.get(id).and_then(|&i| self.$field.get(i)).filter(|x| x.id == id)
        }
    };
}

impl Network {
    lookup!(vpc, vpcs, Vpc);
    lookup!(subnet, subnets, Subnet);
    lookup!(route_table, route_tables, RouteTable);
    lookup!(igw, igws, InternetGateway);
    lookup!(nat, nats, NatGateway);
    lookup!(group, groups, sg::SecurityGroup);
    lookup!(nacl, nacls, nacl::NetworkAcl);
    lookup!(endpoint, endpoints, VpcEndpoint);
    lookup!(profile, profiles, iam::InstanceProfile);
    lookup!(role, roles, iam::Role);
    lookup!(prefix_list, prefix_lists, prefix_list::PrefixList);

    /// The endpoints whose `VpcId` is the VPC `vpc` of this template, in
    /// template order.
    pub fn endpoints_in_vpc<'a>(&'a self, vpc: &str) -> impl Iterator<Item = &'a VpcEndpoint> + 'a {
        self.endpoints_by_vpc.get(vpc).into_iter().flatten().filter_map(|&i| self.endpoints.get(i))
    }

    /// The VPC of a subnet.
    pub fn vpc_of_subnet(&self, subnet: &Subnet) -> Option<&Vpc> {
        self.vpc(subnet.vpc.id()?)
    }

    /// The malformed ID `value`, when a property of the template that needs
    /// an ID holds it (PN011).
    pub fn malformed(&self, value: &str) -> Option<&resource_id::MalformedId> {
        self.malformed.iter().find(|m| m.value == value)
    }

    /// The first malformed ID of a property of `resource` (PN011).
    pub fn malformed_in(&self, resource: &str) -> Option<&resource_id::MalformedId> {
        self.malformed.iter().find(|m| m.resource == resource)
    }

    /// The deployed resource `id`, when it comes from the account state.
    pub fn deployed(&self, id: &str) -> Option<&deployed::Deployed> {
        if self.deployed.is_empty() { None } else { self.deployed.get(id) }
    }

    /// The `default` security group of VPC `vpc` (what a workload or an
    /// interface endpoint without groups gets): the deployed one, or
    /// `Vpc.DefaultSecurityGroup` for a VPC of the template.
    pub fn default_group(&self, vpc: &str) -> Ident {
        match self.default_groups.get(vpc) {
            Some(g) => Ident::Resource(g.clone()),
            None => Ident::Resource(format!("{vpc}.DefaultSecurityGroup")),
        }
    }
}
