//! The account as one region sees it: lookups by ID and the answers AWS
//! gives implicitly (a subnet without an explicit route table association
//! uses its VPC's main table; every subnet has exactly one network ACL).
//!
//! A region's folder is looked at first, then the files outside region
//! folders. What the state does not hold is `None`: never a default.

use super::cloudformation::{Export, Stack};
use super::endpoint::VpcEndpoint;
use super::firewall::{ManagedPrefixList, NetworkAcl, PrefixList, PrefixListEntry, SecurityGroup};
use super::iam::{InstanceProfile, ManagedPolicyDetail, RoleDetail};
use super::index::{Layer, Table};
use super::instance::{Instance, NetworkInterface};
use super::routing::{
    EgressOnlyInternetGateway, InternetGateway, NatGateway, RouteTable, TransitGateway, TransitGatewayAttachment,
    TransitGatewayRouteTable, VpcPeeringConnection,
};
use super::ssm::{SESSION_PREFERENCES_DOCUMENT, SsmDocument};
use super::vpc::{DhcpOptions, Subnet, Vpc, VpcBlockPublicAccessExclusion, VpcBlockPublicAccessOptions};
use super::{Item, Kind, TransitGatewayRoutes};

/// The state of one region.
#[derive(Clone, Copy, Debug)]
pub struct RegionState<'a> {
    regional: Option<&'a Layer>,
    global: &'a Layer,
}

/// The route table a subnet uses.
#[derive(Clone, Copy, Debug)]
pub struct SubnetRouteTable<'a> {
    /// The table.
    pub table: &'a Item<RouteTable>,
    /// True for an explicit association, false when the VPC's main table
    /// applies because the subnet has none (VPC user guide, "Subnet route
    /// tables": "a subnet that is not explicitly associated with a route
    /// table is implicitly associated with the main route table").
    pub explicit: bool,
}

/// The network ACL a subnet uses.
#[derive(Clone, Copy, Debug)]
pub struct SubnetNetworkAcl<'a> {
    /// The ACL.
    pub acl: &'a Item<NetworkAcl>,
    /// True when the ACL lists the subnet among its associations; false
    /// when it is the VPC's default ACL taken because no listed ACL names
    /// the subnet (VPC user guide, "Control subnet traffic with network
    /// access control lists": a subnet not associated with an ACL is
    /// associated with the default one).
    pub listed: bool,
}

/// What the state says about the default VPC.
#[derive(Clone, Copy, Debug)]
pub enum DefaultVpc<'a> {
    /// The VPC with `IsDefault: true`.
    Found(&'a Item<Vpc>),
    /// `describe-vpcs` was read and no VPC is the default: an instance
    /// without a subnet cannot launch.
    NoDefault,
    /// No `describe-vpcs` output for this region: unknown.
    NotRead,
}

impl<'a> RegionState<'a> {
    pub(super) fn new(regional: Option<&'a Layer>, global: &'a Layer) -> RegionState<'a> {
        RegionState { regional, global }
    }

    fn layers(&self) -> impl Iterator<Item = &'a Layer> {
        self.regional.into_iter().chain(std::iter::once(self.global))
    }

    fn find<T: PartialEq + 'a>(&self, table: impl Fn(&'a Layer) -> &'a Table<T>, id: &str) -> Option<&'a Item<T>> {
        self.layers().find_map(|l| table(l).get(id))
    }

    fn index<'k>(
        &self,
        index: impl Fn(&'a Layer) -> &'a std::collections::HashMap<String, String>,
        key: &'k str,
    ) -> Option<&'a str> {
        self.layers().find_map(|l| index(l).get(key)).map(String::as_str)
    }

    /// True when some file of this region holds the output of `kind`'s call
    /// (so a resource missing from it does not exist).
    pub fn has(&self, kind: Kind) -> bool {
        self.layers().any(|l| l.kinds.contains(&kind))
    }

    /// A VPC.
    pub fn vpc(&self, id: &str) -> Option<&'a Item<Vpc>> {
        self.find(|l| &l.vpcs, id)
    }

    /// The VPC's `enableDnsSupport`, when `describe-vpc-attribute` was read for it.
    pub fn dns_support(&self, vpc: &str) -> Option<&'a Item<bool>> {
        self.find(|l| &l.dns_support, vpc)
    }

    /// The VPC's `enableDnsHostnames`, when `describe-vpc-attribute` was read for it.
    pub fn dns_hostnames(&self, vpc: &str) -> Option<&'a Item<bool>> {
        self.find(|l| &l.dns_hostnames, vpc)
    }

    /// The default VPC.
    pub fn default_vpc(&self) -> DefaultVpc<'a> {
        let found = self.layers().flat_map(|l| l.default_vpcs.iter().filter_map(|id| l.vpcs.get(id))).next();
        match found {
            Some(v) => DefaultVpc::Found(v),
            None if self.has(Kind::Vpcs) => DefaultVpc::NoDefault,
            None => DefaultVpc::NotRead,
        }
    }

    /// A subnet.
    pub fn subnet(&self, id: &str) -> Option<&'a Item<Subnet>> {
        self.find(|l| &l.subnets, id)
    }

    /// The subnets of a VPC, by ID.
    pub fn subnets_in(&self, vpc: &str) -> Vec<&'a Item<Subnet>> {
        let mut out: Vec<&Item<Subnet>> = self
            .layers()
            .flat_map(|l| l.subnets_by_vpc.get(vpc).into_iter().flatten().filter_map(|id| l.subnets.get(id)))
            .collect();
        out.sort_by(|a, b| a.value.subnet_id.cmp(&b.value.subnet_id));
        out
    }

    /// The default subnets (`DefaultForAz`) of a VPC, one per zone.
    pub fn default_subnets(&self, vpc: &str) -> Vec<&'a Item<Subnet>> {
        self.subnets_in(vpc).into_iter().filter(|s| s.value.default_for_az == Some(true)).collect()
    }

    /// A route table.
    pub fn route_table(&self, id: &str) -> Option<&'a Item<RouteTable>> {
        self.find(|l| &l.route_tables, id)
    }

    /// The VPC's main route table.
    pub fn main_route_table(&self, vpc: &str) -> Option<&'a Item<RouteTable>> {
        self.index(|l| &l.main_route_table, vpc).and_then(|id| self.route_table(id))
    }

    /// The route table a subnet uses: its explicit association, else its
    /// VPC's main table. `None` when the state holds neither.
    pub fn route_table_of_subnet(&self, subnet: &str) -> Option<SubnetRouteTable<'a>> {
        if let Some(table) = self.index(|l| &l.route_table_by_subnet, subnet).and_then(|id| self.route_table(id)) {
            return Some(SubnetRouteTable { table, explicit: true });
        }
        let vpc = self.subnet(subnet)?.value.vpc_id.as_deref()?;
        self.main_route_table(vpc).map(|table| SubnetRouteTable { table, explicit: false })
    }

    /// The route table associated with a gateway (edge association).
    pub fn route_table_of_gateway(&self, gateway: &str) -> Option<&'a Item<RouteTable>> {
        self.index(|l| &l.route_table_by_gateway, gateway).and_then(|id| self.route_table(id))
    }

    /// A security group.
    pub fn security_group(&self, id: &str) -> Option<&'a Item<SecurityGroup>> {
        self.find(|l| &l.security_groups, id)
    }

    /// The VPC's `default` security group.
    pub fn default_security_group(&self, vpc: &str) -> Option<&'a Item<SecurityGroup>> {
        self.index(|l| &l.default_security_group, vpc).and_then(|id| self.security_group(id))
    }

    /// A network ACL.
    pub fn network_acl(&self, id: &str) -> Option<&'a Item<NetworkAcl>> {
        self.find(|l| &l.network_acls, id)
    }

    /// The network ACL a subnet uses: the one that lists it, else its
    /// VPC's default ACL.
    pub fn network_acl_of_subnet(&self, subnet: &str) -> Option<SubnetNetworkAcl<'a>> {
        if let Some(acl) = self.index(|l| &l.network_acl_by_subnet, subnet).and_then(|id| self.network_acl(id)) {
            return Some(SubnetNetworkAcl { acl, listed: true });
        }
        let vpc = self.subnet(subnet)?.value.vpc_id.as_deref()?;
        self.index(|l| &l.default_network_acl, vpc)
            .and_then(|id| self.network_acl(id))
            .map(|acl| SubnetNetworkAcl { acl, listed: false })
    }

    /// The VPC's default network ACL (what its subnets that no ACL lists use).
    pub fn default_network_acl(&self, vpc: &str) -> Option<&'a Item<NetworkAcl>> {
        self.index(|l| &l.default_network_acl, vpc).and_then(|id| self.network_acl(id))
    }

    /// A VPC endpoint.
    pub fn vpc_endpoint(&self, id: &str) -> Option<&'a Item<VpcEndpoint>> {
        self.find(|l| &l.vpc_endpoints, id)
    }

    /// The endpoints in a VPC, by ID.
    pub fn vpc_endpoints_in(&self, vpc: &str) -> Vec<&'a Item<VpcEndpoint>> {
        let mut out: Vec<&Item<VpcEndpoint>> = self
            .layers()
            .flat_map(|l| {
                l.vpc_endpoints_by_vpc.get(vpc).into_iter().flatten().filter_map(|id| l.vpc_endpoints.get(id))
            })
            .collect();
        out.sort_by(|a, b| a.value.vpc_endpoint_id.cmp(&b.value.vpc_endpoint_id));
        out
    }

    /// A managed prefix list (`describe-managed-prefix-lists`).
    pub fn managed_prefix_list(&self, id: &str) -> Option<&'a Item<ManagedPrefixList>> {
        self.find(|l| &l.managed_prefix_lists, id)
    }

    /// An AWS-managed prefix list with its CIDRs (`describe-prefix-lists`).
    pub fn prefix_list(&self, id: &str) -> Option<&'a Item<PrefixList>> {
        self.find(|l| &l.prefix_lists, id)
    }

    /// The ID of the prefix list named `name` (`com.amazonaws.eu-west-1.s3`).
    pub fn prefix_list_by_name(&self, name: &str) -> Option<&'a str> {
        self.index(|l| &l.prefix_list_by_name, name)
    }

    /// The entries of a managed prefix list (`get-managed-prefix-list-entries`).
    pub fn prefix_list_entries(&self, id: &str) -> Option<&'a Item<Vec<PrefixListEntry>>> {
        self.find(|l| &l.prefix_list_entries, id)
    }

    /// A prefix list's CIDRs, from `describe-prefix-lists` or its entries.
    pub fn prefix_list_cidrs(&self, id: &str) -> Option<Vec<&'a str>> {
        if let Some(l) = self.prefix_list(id) {
            return Some(l.value.cidrs.iter().map(String::as_str).collect());
        }
        self.prefix_list_entries(id).map(|e| e.value.iter().map(|e| e.cidr.as_str()).collect())
    }

    /// A network interface.
    pub fn network_interface(&self, id: &str) -> Option<&'a Item<NetworkInterface>> {
        self.find(|l| &l.network_interfaces, id)
    }

    /// An internet gateway.
    pub fn internet_gateway(&self, id: &str) -> Option<&'a Item<InternetGateway>> {
        self.find(|l| &l.internet_gateways, id)
    }

    /// The internet gateway attached to a VPC.
    pub fn internet_gateway_of_vpc(&self, vpc: &str) -> Option<&'a Item<InternetGateway>> {
        self.index(|l| &l.internet_gateway_by_vpc, vpc).and_then(|id| self.internet_gateway(id))
    }

    /// An egress-only internet gateway.
    pub fn egress_only_internet_gateway(&self, id: &str) -> Option<&'a Item<EgressOnlyInternetGateway>> {
        self.find(|l| &l.egress_only_internet_gateways, id)
    }

    /// The egress-only internet gateway attached to a VPC.
    pub fn egress_only_internet_gateway_of_vpc(&self, vpc: &str) -> Option<&'a Item<EgressOnlyInternetGateway>> {
        self.index(|l| &l.egress_only_internet_gateway_by_vpc, vpc).and_then(|id| self.egress_only_internet_gateway(id))
    }

    /// A NAT gateway.
    pub fn nat_gateway(&self, id: &str) -> Option<&'a Item<NatGateway>> {
        self.find(|l| &l.nat_gateways, id)
    }

    /// A DHCP option set.
    pub fn dhcp_options(&self, id: &str) -> Option<&'a Item<DhcpOptions>> {
        self.find(|l| &l.dhcp_options, id)
    }

    /// A VPC peering connection.
    pub fn vpc_peering_connection(&self, id: &str) -> Option<&'a Item<VpcPeeringConnection>> {
        self.find(|l| &l.vpc_peering_connections, id)
    }

    /// The region's VPC Block Public Access options.
    pub fn block_public_access(&self) -> Option<&'a Item<VpcBlockPublicAccessOptions>> {
        self.find(|l| &l.block_public_access, super::index::BLOCK_PUBLIC_ACCESS)
    }

    /// The region's VPC Block Public Access exclusions, by ID.
    pub fn block_public_access_exclusions(&self) -> Vec<&'a Item<VpcBlockPublicAccessExclusion>> {
        let mut out: Vec<&Item<VpcBlockPublicAccessExclusion>> =
            self.layers().flat_map(|l| l.block_public_access_exclusions.iter().map(|(_, x)| x)).collect();
        out.sort_by(|a, b| a.value.exclusion_id.cmp(&b.value.exclusion_id));
        out
    }

    /// An instance (`describe-instances`).
    pub fn instance(&self, id: &str) -> Option<&'a Item<Instance>> {
        self.find(|l| &l.instances, id)
    }

    /// A transit gateway.
    pub fn transit_gateway(&self, id: &str) -> Option<&'a Item<TransitGateway>> {
        self.find(|l| &l.transit_gateways, id)
    }

    /// A transit gateway attachment.
    pub fn transit_gateway_attachment(&self, id: &str) -> Option<&'a Item<TransitGatewayAttachment>> {
        self.find(|l| &l.transit_gateway_attachments, id)
    }

    /// A transit gateway route table.
    pub fn transit_gateway_route_table(&self, id: &str) -> Option<&'a Item<TransitGatewayRouteTable>> {
        self.find(|l| &l.transit_gateway_route_tables, id)
    }

    /// The routes of a transit gateway route table.
    pub fn transit_gateway_routes(&self, id: &str) -> Option<&'a Item<TransitGatewayRoutes>> {
        self.find(|l| &l.transit_gateway_routes, id)
    }

    /// A CloudFormation export, by name.
    pub fn export(&self, name: &str) -> Option<&'a Item<Export>> {
        self.find(|l| &l.exports, name)
    }

    /// A stack, by name.
    pub fn stack(&self, name: &str) -> Option<&'a Item<Stack>> {
        self.find(|l| &l.stacks, name)
    }

    /// Every stack `describe-stacks` printed for this region (its folder's
    /// first, one per name), by name.
    pub fn stacks(&self) -> Vec<&'a Item<Stack>> {
        let mut out: Vec<&'a Item<Stack>> = Vec::new();
        for l in self.layers() {
            for (name, s) in l.stacks.iter() {
                if !out.iter().any(|o| o.value.stack_name == name) {
                    out.push(s);
                }
            }
        }
        out.sort_by(|a, b| a.value.stack_name.cmp(&b.value.stack_name));
        out
    }

    /// A role, by name or ARN.
    pub fn role(&self, name_or_arn: &str) -> Option<&'a Item<RoleDetail>> {
        let name = self.index(|l| &l.role_by_arn, name_or_arn).unwrap_or(name_or_arn);
        self.find(|l| &l.roles, name)
    }

    /// An instance profile, by name or ARN.
    pub fn instance_profile(&self, name_or_arn: &str) -> Option<&'a Item<InstanceProfile>> {
        let name = self.index(|l| &l.instance_profile_by_arn, name_or_arn).unwrap_or(name_or_arn);
        self.find(|l| &l.instance_profiles, name)
    }

    /// A managed policy (AWS-managed or the account's), by ARN.
    pub fn managed_policy(&self, arn: &str) -> Option<&'a Item<ManagedPolicyDetail>> {
        self.find(|l| &l.managed_policies, arn)
    }

    /// An SSM document, by name.
    pub fn ssm_document(&self, name: &str) -> Option<&'a Item<SsmDocument>> {
        self.find(|l| &l.ssm_documents, name)
    }

    /// The Session Manager preferences document (`SSM-SessionManagerRunShell`).
    pub fn session_preferences(&self) -> Option<&'a Item<SsmDocument>> {
        self.ssm_document(SESSION_PREFERENCES_DOCUMENT)
    }

    /// How many resources of the main kinds (VPCs, subnets, route tables,
    /// groups, ACLs, endpoints, roles), for summaries.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let sum = |f: &dyn Fn(&Layer) -> usize| self.layers().map(f).sum::<usize>();
        vec![
            ("VPCs", sum(&|l| l.vpcs.len())),
            ("subnets", sum(&|l| l.subnets.len())),
            ("route tables", sum(&|l| l.route_tables.len())),
            ("security groups", sum(&|l| l.security_groups.len())),
            ("network ACLs", sum(&|l| l.network_acls.len())),
            ("VPC endpoints", sum(&|l| l.vpc_endpoints.len())),
            ("roles", sum(&|l| l.roles.len())),
        ]
    }
}
