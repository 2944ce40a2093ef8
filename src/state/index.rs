//! One layer of state — the files outside region folders, or the files of
//! one region folder — merged by ID and indexed the ways the network model
//! looks resources up.
//!
//! Merging: the same resource read twice with the same content is kept
//! once; with different content it is an error naming both places. A
//! region's layer is merged against the layer of files outside region
//! folders the same way, so a view of one region never sees two versions
//! of a resource.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::cloudformation::{Export, Stack};
use super::endpoint::VpcEndpoint;
use super::error::{Origin, StateError};
use super::firewall::{ManagedPrefixList, NetworkAcl, PrefixList, PrefixListEntry, PrefixListKind, SecurityGroup};
use super::iam::{InstanceProfile, ManagedPolicyDetail, RoleDetail};
use super::instance::{Instance, NetworkInterface};
use super::load::Recognized;
use super::routing::{
    EgressOnlyInternetGateway, InternetGateway, NatGateway, RouteTable, TransitGateway, TransitGatewayAttachment,
    TransitGatewayRouteTable, VpcPeeringConnection,
};
use super::ssm::SsmDocument;
use super::vpc::{DhcpOptions, DnsAttribute, Subnet, Vpc, VpcBlockPublicAccessExclusion, VpcBlockPublicAccessOptions};
use super::{Item, Kind, TransitGatewayRoutes};

/// Resources of one kind by ID (or name), each with where it was read.
#[derive(Debug)]
pub struct Table<T> {
    map: HashMap<String, Item<T>>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { map: HashMap::new() }
    }
}

impl<T: PartialEq> Table<T> {
    /// The resource `id`.
    pub fn get(&self, id: &str) -> Option<&Item<T>> {
        self.map.get(id)
    }

    /// How many resources.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Every resource, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Item<T>)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Adds a resource unless the same one is already here or in `parent`;
    /// a different one under the same ID is a conflict.
    fn insert(&mut self, parent: Option<&Table<T>>, id: String, item: Item<T>) -> Result<(), StateError> {
        if let Some(known) = parent.and_then(|p| p.map.get(&id)) {
            return same(&id, known, &item);
        }
        match self.map.entry(id) {
            std::collections::hash_map::Entry::Occupied(known) => same(known.key(), known.get(), &item),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(item);
                Ok(())
            }
        }
    }
}

fn same<T: PartialEq>(id: &str, known: &Item<T>, new: &Item<T>) -> Result<(), StateError> {
    if known.value == new.value { Ok(()) } else { Err(StateError::conflict(id, &known.origin, &new.origin, "")) }
}

/// A layer of state: tables and indexes.
#[derive(Debug, Default)]
pub struct Layer {
    /// The calls whose output it holds.
    pub kinds: BTreeSet<Kind>,
    /// Files that make it up.
    pub files: Vec<Arc<str>>,
    pub(crate) vpcs: Table<Vpc>,
    pub(crate) dns_support: Table<bool>,
    pub(crate) dns_hostnames: Table<bool>,
    pub(crate) subnets: Table<Subnet>,
    pub(crate) route_tables: Table<RouteTable>,
    pub(crate) security_groups: Table<SecurityGroup>,
    pub(crate) network_acls: Table<NetworkAcl>,
    pub(crate) vpc_endpoints: Table<VpcEndpoint>,
    pub(crate) managed_prefix_lists: Table<ManagedPrefixList>,
    pub(crate) prefix_lists: Table<PrefixList>,
    pub(crate) prefix_list_entries: Table<Vec<PrefixListEntry>>,
    pub(crate) network_interfaces: Table<NetworkInterface>,
    pub(crate) egress_only_internet_gateways: Table<EgressOnlyInternetGateway>,
    pub(crate) vpc_peering_connections: Table<VpcPeeringConnection>,
    pub(crate) block_public_access: Table<VpcBlockPublicAccessOptions>,
    pub(crate) block_public_access_exclusions: Table<VpcBlockPublicAccessExclusion>,
    pub(crate) instances: Table<Instance>,
    pub(crate) internet_gateways: Table<InternetGateway>,
    pub(crate) nat_gateways: Table<NatGateway>,
    pub(crate) dhcp_options: Table<DhcpOptions>,
    pub(crate) transit_gateways: Table<TransitGateway>,
    pub(crate) transit_gateway_attachments: Table<TransitGatewayAttachment>,
    pub(crate) transit_gateway_route_tables: Table<TransitGatewayRouteTable>,
    pub(crate) transit_gateway_routes: Table<TransitGatewayRoutes>,
    pub(crate) exports: Table<Export>,
    pub(crate) stacks: Table<Stack>,
    pub(crate) roles: Table<RoleDetail>,
    pub(crate) instance_profiles: Table<InstanceProfile>,
    pub(crate) managed_policies: Table<ManagedPolicyDetail>,
    pub(crate) ssm_documents: Table<SsmDocument>,
    // indexes, filled by `index`
    pub(crate) route_table_by_subnet: HashMap<String, String>,
    pub(crate) route_table_by_gateway: HashMap<String, String>,
    pub(crate) main_route_table: HashMap<String, String>,
    pub(crate) network_acl_by_subnet: HashMap<String, String>,
    pub(crate) default_network_acl: HashMap<String, String>,
    pub(crate) default_security_group: HashMap<String, String>,
    pub(crate) subnets_by_vpc: HashMap<String, Vec<String>>,
    pub(crate) vpc_endpoints_by_vpc: HashMap<String, Vec<String>>,
    pub(crate) internet_gateway_by_vpc: HashMap<String, String>,
    pub(crate) egress_only_internet_gateway_by_vpc: HashMap<String, String>,
    pub(crate) role_by_arn: HashMap<String, String>,
    pub(crate) instance_profile_by_arn: HashMap<String, String>,
    pub(crate) prefix_list_by_name: HashMap<String, String>,
    pub(crate) default_vpcs: Vec<String>,
}

/// The key the single `VpcBlockPublicAccessOptions` object is stored under.
pub(crate) const BLOCK_PUBLIC_ACCESS: &str = "VpcBlockPublicAccessOptions";

impl Layer {
    /// Merges one file's resources; `parent` is the layer of files outside
    /// region folders when this is a region's layer.
    pub(crate) fn add(&mut self, file: &Arc<str>, r: Recognized, parent: Option<&Layer>) -> Result<(), StateError> {
        let at = |pointer: String| Origin { file: file.clone(), pointer };
        macro_rules! put {
            ($table:ident, $items:expr, $key:literal, $id:expr) => {
                for (i, value) in $items.into_iter().enumerate() {
                    let id: String = $id(&value);
                    let item = Item { value, origin: at(format!("/{}/{}", $key, i)) };
                    self.$table.insert(parent.map(|p| &p.$table), id, item)?;
                }
            };
        }
        put!(vpcs, r.vpcs, "Vpcs", |v: &Vpc| v.vpc_id.clone());
        for (vpc, attribute, value) in r.dns {
            let item = Item { value, origin: at(format!("/{}/Value", attribute.key())) };
            match attribute {
                DnsAttribute::EnableDnsSupport => self.dns_support.insert(parent.map(|p| &p.dns_support), vpc, item)?,
                DnsAttribute::EnableDnsHostnames => {
                    self.dns_hostnames.insert(parent.map(|p| &p.dns_hostnames), vpc, item)?
                }
            }
        }
        put!(subnets, r.subnets, "Subnets", |s: &Subnet| s.subnet_id.clone());
        put!(route_tables, r.route_tables, "RouteTables", |t: &RouteTable| t.route_table_id.clone());
        put!(security_groups, r.security_groups, "SecurityGroups", |g: &SecurityGroup| g.group_id.clone());
        put!(network_acls, r.network_acls, "NetworkAcls", |a: &NetworkAcl| a.network_acl_id.clone());
        put!(vpc_endpoints, r.vpc_endpoints, "VpcEndpoints", |e: &VpcEndpoint| e.vpc_endpoint_id.clone());
        for (i, item) in r.prefix_lists.into_iter().enumerate() {
            let id = item.id().to_string();
            let origin = at(format!("/PrefixLists/{i}"));
            match item.split() {
                PrefixListKind::Managed(value) => self.managed_prefix_lists.insert(
                    parent.map(|p| &p.managed_prefix_lists),
                    id,
                    Item { value, origin },
                )?,
                PrefixListKind::Aws(value) => {
                    self.prefix_lists.insert(parent.map(|p| &p.prefix_lists), id, Item { value, origin })?
                }
            }
        }
        if let Some((id, value)) = r.entries {
            let item = Item { value, origin: at("/Entries".into()) };
            self.prefix_list_entries.insert(parent.map(|p| &p.prefix_list_entries), id, item)?;
        }
        put!(network_interfaces, r.network_interfaces, "NetworkInterfaces", |n: &NetworkInterface| n
            .network_interface_id
            .clone());
        put!(
            egress_only_internet_gateways,
            r.egress_only_internet_gateways,
            "EgressOnlyInternetGateways",
            |g: &EgressOnlyInternetGateway| g.egress_only_internet_gateway_id.clone()
        );
        put!(
            vpc_peering_connections,
            r.vpc_peering_connections,
            "VpcPeeringConnections",
            |p: &VpcPeeringConnection| p.vpc_peering_connection_id.clone()
        );
        if let Some(value) = r.block_public_access {
            let item = Item { value, origin: at(format!("/{BLOCK_PUBLIC_ACCESS}")) };
            self.block_public_access.insert(
                parent.map(|p| &p.block_public_access),
                BLOCK_PUBLIC_ACCESS.into(),
                item,
            )?;
        }
        put!(
            block_public_access_exclusions,
            r.block_public_access_exclusions,
            "VpcBlockPublicAccessExclusions",
            |x: &VpcBlockPublicAccessExclusion| x.exclusion_id.clone()
        );
        for (i, reservation) in r.reservations.into_iter().enumerate() {
            for (j, value) in reservation.instances.into_iter().enumerate() {
                let id = value.instance_id.clone();
                let item = Item { value, origin: at(format!("/Reservations/{i}/Instances/{j}")) };
                self.instances.insert(parent.map(|p| &p.instances), id, item)?;
            }
        }
        put!(internet_gateways, r.internet_gateways, "InternetGateways", |g: &InternetGateway| g
            .internet_gateway_id
            .clone());
        put!(nat_gateways, r.nat_gateways, "NatGateways", |g: &NatGateway| g.nat_gateway_id.clone());
        put!(dhcp_options, r.dhcp_options, "DhcpOptions", |d: &DhcpOptions| d.dhcp_options_id.clone());
        put!(transit_gateways, r.transit_gateways, "TransitGateways", |t: &TransitGateway| t
            .transit_gateway_id
            .clone());
        put!(
            transit_gateway_attachments,
            r.transit_gateway_attachments,
            "TransitGatewayAttachments",
            |a: &TransitGatewayAttachment| a.transit_gateway_attachment_id.clone()
        );
        put!(
            transit_gateway_route_tables,
            r.transit_gateway_route_tables,
            "TransitGatewayRouteTables",
            |t: &TransitGatewayRouteTable| t.transit_gateway_route_table_id.clone()
        );
        if let Some((id, routes, more)) = r.transit_gateway_routes {
            let item = Item { value: TransitGatewayRoutes { routes, complete: !more }, origin: at("/Routes".into()) };
            self.transit_gateway_routes.insert(parent.map(|p| &p.transit_gateway_routes), id, item)?;
        }
        put!(exports, r.exports, "Exports", |e: &Export| e.name.clone());
        put!(stacks, r.stacks, "Stacks", |s: &Stack| s.stack_name.clone());
        for (i, role) in r.roles.into_iter().enumerate() {
            for (j, profile) in role.instance_profile_list.iter().enumerate() {
                let item =
                    Item { value: profile.clone(), origin: at(format!("/RoleDetailList/{i}/InstanceProfileList/{j}")) };
                let name = profile.instance_profile_name.clone();
                self.instance_profiles.insert(parent.map(|p| &p.instance_profiles), name, item)?;
            }
            let name = role.role_name.clone();
            let item = Item { value: role, origin: at(format!("/RoleDetailList/{i}")) };
            self.roles.insert(parent.map(|p| &p.roles), name, item)?;
        }
        put!(managed_policies, r.policies, "Policies", |p: &ManagedPolicyDetail| p.arn.clone());
        if let Some(value) = r.ssm_document {
            let name = value.name.clone();
            let item = Item { value, origin: at(String::new()) };
            self.ssm_documents.insert(parent.map(|p| &p.ssm_documents), name, item)?;
        }
        self.kinds.extend(r.kinds);
        self.files.push(file.clone());
        Ok(())
    }

    /// Builds the indexes; associations that contradict each other (a
    /// subnet with two route tables, a VPC with two main tables) are errors.
    pub(crate) fn index(&mut self) -> Result<(), StateError> {
        let mut tables: Vec<&Item<RouteTable>> = self.route_tables.map.values().collect();
        tables.sort_by(|a, b| a.value.route_table_id.cmp(&b.value.route_table_id));
        for t in tables {
            let id = &t.value.route_table_id;
            for a in t.value.associations.iter().filter(|a| a.in_force()) {
                if a.main == Some(true)
                    && let Some(vpc) = &t.value.vpc_id
                {
                    claim(&mut self.main_route_table, vpc, id, &self.route_tables, "main route table")?;
                }
                if let Some(subnet) = &a.subnet_id {
                    claim(&mut self.route_table_by_subnet, subnet, id, &self.route_tables, "route table")?;
                }
                if let Some(gateway) = &a.gateway_id {
                    claim(&mut self.route_table_by_gateway, gateway, id, &self.route_tables, "route table")?;
                }
            }
        }
        let mut acls: Vec<&Item<NetworkAcl>> = self.network_acls.map.values().collect();
        acls.sort_by(|a, b| a.value.network_acl_id.cmp(&b.value.network_acl_id));
        for acl in acls {
            let id = &acl.value.network_acl_id;
            if acl.value.is_default == Some(true)
                && let Some(vpc) = &acl.value.vpc_id
            {
                claim(&mut self.default_network_acl, vpc, id, &self.network_acls, "default network ACL")?;
            }
            for subnet in acl.value.associations.iter().filter_map(|a| a.subnet_id.as_ref()) {
                claim(&mut self.network_acl_by_subnet, subnet, id, &self.network_acls, "network ACL")?;
            }
        }
        for (id, g) in &self.security_groups.map {
            if g.value.group_name.as_deref() == Some("default")
                && let Some(vpc) = &g.value.vpc_id
            {
                self.default_security_group.insert(vpc.clone(), id.clone());
            }
        }
        for (id, s) in &self.subnets.map {
            if let Some(vpc) = &s.value.vpc_id {
                self.subnets_by_vpc.entry(vpc.clone()).or_default().push(id.clone());
            }
        }
        for (id, e) in &self.vpc_endpoints.map {
            if let Some(vpc) = &e.value.vpc_id {
                self.vpc_endpoints_by_vpc.entry(vpc.clone()).or_default().push(id.clone());
            }
        }
        for list in self.subnets_by_vpc.values_mut().chain(self.vpc_endpoints_by_vpc.values_mut()) {
            list.sort();
        }
        for (id, g) in &self.internet_gateways.map {
            for a in g.value.attachments.iter().filter(|a| a.attached()) {
                if let Some(vpc) = &a.vpc_id {
                    self.internet_gateway_by_vpc.insert(vpc.clone(), id.clone());
                }
            }
        }
        for (id, g) in &self.egress_only_internet_gateways.map {
            for a in g.value.attachments.iter().filter(|a| a.attached()) {
                if let Some(vpc) = &a.vpc_id {
                    self.egress_only_internet_gateway_by_vpc.insert(vpc.clone(), id.clone());
                }
            }
        }
        for (name, r) in &self.roles.map {
            if let Some(arn) = &r.value.arn {
                self.role_by_arn.insert(arn.clone(), name.clone());
            }
        }
        for (name, p) in &self.instance_profiles.map {
            if let Some(arn) = &p.value.arn {
                self.instance_profile_by_arn.insert(arn.clone(), name.clone());
            }
        }
        for (id, l) in &self.prefix_lists.map {
            if let Some(name) = &l.value.prefix_list_name {
                self.prefix_list_by_name.insert(name.clone(), id.clone());
            }
        }
        for (id, l) in &self.managed_prefix_lists.map {
            if let Some(name) = &l.value.prefix_list_name {
                self.prefix_list_by_name.entry(name.clone()).or_insert_with(|| id.clone());
            }
        }
        self.default_vpcs = self
            .vpcs
            .map
            .values()
            .filter(|v| v.value.is_default == Some(true))
            .map(|v| v.value.vpc_id.clone())
            .collect();
        self.default_vpcs.sort();
        Ok(())
    }
}

/// Records that `owner` (a route table, an ACL) holds `key` (a subnet, a
/// VPC's main table); a second owner is a conflict naming both.
fn claim<T: PartialEq>(
    index: &mut HashMap<String, String>,
    key: &str,
    owner: &str,
    table: &Table<T>,
    role: &str,
) -> Result<(), StateError> {
    match index.get(key) {
        Some(first) if first != owner => {
            let origin = |id: &str| table.get(id).map(|i| i.origin.clone());
            match (origin(first), origin(owner)) {
                (Some(a), Some(b)) => {
                    Err(StateError::conflict(key, &a, &b, format!(": two {role}s, `{first}` and `{owner}`")))
                }
                _ => Ok(()),
            }
        }
        Some(_) => Ok(()),
        None => {
            index.insert(key.to_string(), owner.to_string());
            Ok(())
        }
    }
}
