//! EC2 resources of the account state as model elements: what the API
//! prints (EC2 API reference, cited in [`crate::state`]) read the way the
//! template's resources are, with the account's real values where the
//! template path applies CloudFormation's defaults: a group's rules are its
//! effective `IpPermissions`/`IpPermissionsEgress` (no default to add or
//! strip), a network ACL's entries are all there (the final `*` deny is the
//! implicit one), a route table lists its own routes.

use ipnet::Ipv4Net;

use super::super::build::parse_service_name;
use super::super::nacl::{NaclEntry, NetworkAcl};
use super::super::prefix_list::{Entries, PrefixList};
use super::super::region::{PrefixListMeaning, prefix_list_meaning};
use super::super::sg::{Peer, Protocol, SecurityGroup, SgRule};
use super::super::{
    Az, Destination, EndpointKind, Ident, InternetGateway, NatGateway, Route, RouteTable, RouteTarget, Subnet, Vpc,
    VpcEndpoint,
};
use super::json::rnode;
use super::{Anchor, Binder};
use crate::resolve::Unknown;
use crate::state::endpoint::{VpcEndpointState, VpcEndpointType};
use crate::state::firewall::{IpPermission, RuleAction};
use crate::state::routing::{ConnectivityType, NatGatewayState, RouteState};
use crate::state::{Item, Kind, firewall, routing, vpc};

/// An IPv4 block as the API prints it.
fn cidr(text: &str) -> Option<Ipv4Net> {
    text.trim().parse::<Ipv4Net>().ok().map(|n| n.trunc())
}

impl Binder<'_> {
    /// A VPC, with its DNS attributes (open without their
    /// `describe-vpc-attribute` output), DHCP DNS servers, endpoints and
    /// `default` group.
    pub(super) fn vpc(&mut self, item: &Item<vpc::Vpc>, a: &Anchor) {
        let v = &item.value;
        let id = v.vpc_id.clone();
        let mut cidrs: Vec<Ipv4Net> = v
            .cidr_block_association_set
            .iter()
            .filter(|c| c.cidr_block_state.as_ref().and_then(|s| s.state.as_deref()).is_none_or(|s| s == "associated"))
            .filter_map(|c| c.cidr_block.as_deref().and_then(cidr))
            .collect();
        if cidrs.is_empty() {
            cidrs.extend(v.cidr_block.as_deref().and_then(cidr));
        }
        let rs = self.rs;
        let (dns_support, dns_support_open) = match rs.dns_support(&id) {
            Some(x) => (x.value, None),
            None => (true, Some(self.open(format!("whether VPC {id} has DNS support on"), Kind::VpcDnsSupport, a))),
        };
        let (dns_hostnames, dns_hostnames_open) = match rs.dns_hostnames(&id) {
            Some(x) => (x.value, None),
            None => (true, Some(self.open(format!("whether VPC {id} has DNS hostnames on"), Kind::VpcDnsHostnames, a))),
        };
        // DHCP options other than AmazonProvidedDNS answer from outside
        // the VPC (VPC UG, "DHCP option sets")
        let custom_dns = v
            .dhcp_options_id
            .as_deref()
            .and_then(|d| rs.dhcp_options(d))
            .filter(|d| {
                let servers = d.value.values("domain-name-servers");
                !servers.is_empty() && !servers.iter().all(|s| s.eq_ignore_ascii_case("AmazonProvidedDNS"))
            })
            .map(|d| (d.value.dhcp_options_id.clone(), a.span));
        if let Some(d) = custom_dns.as_ref().and_then(|(d, _)| rs.dhcp_options(d)) {
            let did = d.value.dhcp_options_id.clone();
            self.record(&did, &d.origin, a, None);
        }
        self.out.vpcs.push(Vpc {
            id: id.clone(),
            span: a.span,
            cidrs,
            dns_support,
            dns_support_span: None,
            dns_hostnames,
            dns_hostnames_span: None,
            custom_dns,
            resolver_rules: Vec::new(),
            dns_support_open,
            dns_hostnames_open,
            endpoints_open: (!rs.has(Kind::VpcEndpoints))
                .then(|| self.open(format!("the VPC endpoints of {id}"), Kind::VpcEndpoints, a)),
        });
        let role = (v.is_default == Some(true)).then(|| "the account's default VPC".to_string());
        self.record(&id, &item.origin, a, role);
        for e in rs.vpc_endpoints_in(&id) {
            let eid = e.value.vpc_endpoint_id.clone();
            self.bind_id(&eid, a);
        }
        if let Some(g) = rs.default_security_group(&id) {
            let gid = g.value.group_id.clone();
            if self.bind_id(&gid, a) {
                self.out.default_groups.insert(id, gid);
            }
        }
    }

    /// A subnet, with its route table (the explicit association, else the
    /// VPC's main table) and network ACL.
    pub(super) fn subnet(&mut self, item: &Item<vpc::Subnet>, a: &Anchor) {
        let s = &item.value;
        let id = s.subnet_id.clone();
        self.record(&id, &item.origin, a, None);
        let vpc = match &s.vpc_id {
            Some(v) => self.ident(v, a),
            None => Ident::Unknown(self.open(format!("the VPC of subnet {id}"), Kind::Subnets, a)),
        };
        let rs = self.rs;
        let route_table = match rs.route_table_of_subnet(&id) {
            Some(t) => {
                let tid = t.table.value.route_table_id.clone();
                if !t.explicit && !self.bound.contains_key(&tid) {
                    self.bound.insert(tid.clone(), true);
                    let vpc = t.table.value.vpc_id.as_deref().unwrap_or("its VPC");
                    // one table for every such subnet: the role names none of them
                    let role =
                        format!("the main route table of {vpc}, used by its subnets without an explicit association");
                    self.route_table(t.table, a, Some(role));
                }
                self.ident(&tid, a)
            }
            None => Ident::Unknown(self.open(format!("the route table of subnet {id}"), Kind::RouteTables, a)),
        };
        let nacl = match rs.network_acl_of_subnet(&id) {
            Some(acl) => self.ident(&acl.acl.value.network_acl_id.clone(), a),
            None => Ident::Unknown(self.open(format!("the network ACL of subnet {id}"), Kind::NetworkAcls, a)),
        };
        self.out.subnets.push(Subnet {
            id,
            span: a.span,
            vpc,
            cidr: s.cidr_block.as_deref().and_then(cidr),
            map_public_ip: s.map_public_ip_on_launch.unwrap_or(false),
            map_public_ip_span: None,
            route_table: Some(route_table),
            nacl: Some(nacl),
            az: s.availability_zone.clone().map(Az::Name).or_else(|| s.availability_zone_id.clone().map(Az::Id)),
        });
    }

    /// The service an AWS-managed prefix list stands for in this region,
    /// by its name in the state (`com.amazonaws.<region>.s3`), else by the
    /// IDs privnet-lint ships.
    fn prefix_list_service(&self, pl: &str) -> Option<String> {
        let rs = self.rs;
        let name = rs.prefix_list(pl).and_then(|l| l.value.prefix_list_name.as_deref()).or_else(|| {
            rs.managed_prefix_list(pl).filter(|l| l.value.aws_managed())?.value.prefix_list_name.as_deref()
        });
        match name.and_then(parse_service_name) {
            Some((region, service)) if region == self.region => Some(service),
            Some(_) => None,
            None => (prefix_list_meaning(pl, self.region) == PrefixListMeaning::S3).then(|| "s3".to_string()),
        }
    }

    /// A prefix list the state describes, as a rule's peer: an AWS-managed
    /// list of this region by its service, a customer-managed one by its
    /// entries. `None` leaves the ID as it is (not in the state).
    pub(super) fn prefix_list_peer(&mut self, pl: &str, a: &Anchor) -> Option<Peer> {
        let rs = self.rs;
        let named = rs.prefix_list(pl).map(|l| l.origin.clone()).or_else(|| {
            rs.managed_prefix_list(pl)
                .filter(|l| l.value.aws_managed() && l.value.prefix_list_name.is_some())
                .map(|l| l.origin.clone())
        });
        if let Some(origin) = named
            && let Some(service) = self.prefix_list_service(pl)
        {
            self.record(pl, &origin, a, None);
            return Some(Peer::Service { id: pl.to_string(), service });
        }
        let entries = rs.prefix_list_entries(pl)?;
        let v6 = rs.managed_prefix_list(pl).and_then(|l| l.value.address_family.as_deref()) == Some("IPv6");
        let list =
            if v6 { Entries::V6 } else { Entries::V4(entries.value.iter().filter_map(|e| cidr(&e.cidr)).collect()) };
        self.record(pl, &entries.origin, a, None);
        Some(Peer::Declared(PrefixList { id: pl.to_string(), span: a.span, entries: list }))
    }

    /// A route table and its routes: the S3 gateway endpoint's route is the
    /// endpoint's (as in the template); a route whose target is gone
    /// (`blackhole`) carries nothing.
    pub(super) fn route_table(&mut self, item: &Item<routing::RouteTable>, a: &Anchor, role: Option<String>) {
        let t = &item.value;
        let id = t.route_table_id.clone();
        self.record(&id, &item.origin, a, role);
        let vpc = match &t.vpc_id {
            Some(v) => self.ident(v, a),
            None => Ident::Unknown(self.open(format!("the VPC of route table {id}"), Kind::RouteTables, a)),
        };
        let mut routes = Vec::new();
        for r in &t.routes {
            if r.state == Some(RouteState::Blackhole) || r.gateway_id.as_deref() == Some("local") {
                continue;
            }
            let Some(target) = self.route_target(&id, r, a) else { continue };
            let mut prefix_list = None;
            let destinations = if let Some(c) = &r.destination_cidr_block {
                vec![cidr(c).map(Destination::Cidr).unwrap_or(Destination::Other)]
            } else if let Some(pl) = &r.destination_prefix_list_id {
                let via_gateway_endpoint = matches!(&target, RouteTarget::Other(k, Ident::External(e)) if k == "VpcEndpointId" && self.is_gateway_endpoint(e));
                match self.prefix_list_service(pl) {
                    // a gateway endpoint carries its own route, as in the template
                    Some(_) if via_gateway_endpoint => continue,
                    Some(service) => vec![Destination::ServicePrefixList(service)],
                    None => match self.rs.prefix_list_entries(pl) {
                        Some(e) => {
                            prefix_list = Some(pl.clone());
                            e.value.iter().filter_map(|e| cidr(&e.cidr)).map(Destination::Cidr).collect()
                        }
                        None => vec![Destination::Other],
                    },
                }
            } else {
                vec![Destination::Other]
            };
            for destination in destinations {
                routes.push(Route {
                    id: id.clone(),
                    span: a.span,
                    destination,
                    target: target.clone(),
                    prefix_list: prefix_list.clone(),
                });
            }
        }
        self.out.route_tables.push(RouteTable { id, span: a.span, vpc, routes });
    }

    /// True when `id` is a gateway endpoint (S3, DynamoDB) of the state.
    fn is_gateway_endpoint(&self, id: &str) -> bool {
        self.rs.vpc_endpoint(id).is_some_and(|e| e.value.vpc_endpoint_type == Some(VpcEndpointType::Gateway))
    }

    /// Where a route sends traffic, its target bound when the state holds it.
    fn route_target(&mut self, table: &str, r: &routing::Route, a: &Anchor) -> Option<RouteTarget> {
        let other = |key: &str, id: &str| RouteTarget::Other(key.to_string(), Ident::External(id.to_string()));
        Some(if let Some(g) = &r.gateway_id {
            if g.starts_with("igw-") {
                match self.ident(g, a) {
                    i @ Ident::Resource(_) => RouteTarget::InternetGateway(i),
                    _ => other("GatewayId", g),
                }
            } else if g.starts_with("vpce-") {
                // a gateway, Gateway Load Balancer or firewall endpoint: the
                // state's describe-vpc-endpoints says which
                other("VpcEndpointId", g)
            } else {
                other("GatewayId", g)
            }
        } else if let Some(n) = &r.nat_gateway_id {
            RouteTarget::NatGateway(self.ident(n, a))
        } else if let Some(x) = &r.transit_gateway_id {
            other("TransitGatewayId", x)
        } else if let Some(x) = &r.vpc_peering_connection_id {
            other("VpcPeeringConnectionId", x)
        } else if let Some(x) = &r.instance_id {
            other("InstanceId", x)
        } else if let Some(x) = &r.network_interface_id {
            other("NetworkInterfaceId", x)
        } else if let Some(x) = &r.egress_only_internet_gateway_id {
            other("EgressOnlyInternetGatewayId", x)
        } else if let Some(x) = &r.local_gateway_id {
            other("LocalGatewayId", x)
        } else if let Some(x) = &r.carrier_gateway_id {
            other("CarrierGatewayId", x)
        } else if r.core_network_arn.is_some() {
            // an ARN: not echoed
            other("CoreNetworkArn", &format!("the Cloud WAN core network of {table}"))
        } else {
            return None;
        })
    }

    /// A security group with its effective rules.
    pub(super) fn group(&mut self, item: &Item<firewall::SecurityGroup>, a: &Anchor) {
        let g = &item.value;
        let id = g.group_id.clone();
        self.record(&id, &item.origin, a, None);
        let vpc = g.vpc_id.as_deref().map(|v| self.ident(v, a));
        let ingress = self.rules(&g.ip_permissions, a);
        let mut egress = self.rules(&g.ip_permissions_egress, a);
        // a group the CDK made with `allowAllOutbound: false` keeps its
        // placeholder rule when deployed
        let cdk_no_egress = egress.len() == 1 && egress[0].is_cdk_no_egress();
        if cdk_no_egress {
            egress.clear();
        }
        self.out.groups.push(SecurityGroup {
            id,
            span: a.span,
            vpc,
            ingress,
            egress,
            inline_ingress_span: None,
            inline_egress_span: None,
            stripped: Vec::new(),
            default_dropped: false,
            is_vpc_default: g.group_name.as_deref() == Some("default"),
            cdk_no_egress,
        });
    }

    /// One rule per peer of each permission.
    fn rules(&mut self, perms: &[IpPermission], a: &Anchor) -> Vec<SgRule> {
        let mut out = Vec::new();
        for p in perms {
            let protocol = p.ip_protocol.as_deref().map(Protocol::parse).unwrap_or(Protocol::Unknown);
            let (from, to) = (p.from_port.map_or(-1, i64::from), p.to_port.map_or(-1, i64::from));
            let mut peers: Vec<Peer> = Vec::new();
            for r in &p.ip_ranges {
                peers.push(match r.cidr_ip.as_deref().and_then(cidr) {
                    Some(n) => Peer::V4(n),
                    None => Peer::Unknown(Unknown::new("a rule's `CidrIp` is not an IPv4 block", a.span)),
                });
            }
            peers.extend(p.ipv6_ranges.iter().map(|_| Peer::V6));
            for pl in p.prefix_list_ids.iter().filter_map(|x| x.prefix_list_id.as_deref()) {
                let peer = self.prefix_list_peer(pl, a);
                peers.push(peer.unwrap_or_else(|| Peer::PrefixList(Ident::External(pl.to_string()))));
            }
            for pair in &p.user_id_group_pairs {
                peers.push(match &pair.group_id {
                    Some(gid) => Peer::Group(Ident::Resource(gid.clone())),
                    None => Peer::Unknown(Unknown::new("a rule names a group without its ID", a.span)),
                });
            }
            out.extend(peers.into_iter().map(|peer| SgRule {
                span: a.span,
                standalone: None,
                protocol,
                from,
                to,
                peer,
                peer_span: a.span,
            }));
        }
        out
    }

    /// A network ACL with its entries (the final `*` deny, rule 32767, is
    /// the implicit one).
    pub(super) fn nacl(&mut self, item: &Item<firewall::NetworkAcl>, a: &Anchor) {
        let acl = &item.value;
        let id = acl.network_acl_id.clone();
        self.record(&id, &item.origin, a, None);
        let vpc = match &acl.vpc_id {
            Some(v) => self.ident(v, a),
            None => Ident::Unknown(self.open(format!("the VPC of network ACL {id}"), Kind::NetworkAcls, a)),
        };
        let mut entries = Vec::new();
        for (j, e) in acl.entries.iter().enumerate() {
            let number = e.rule_number.map_or(i64::MAX, i64::from);
            if number >= 32767 {
                continue;
            }
            let egress = e.egress.unwrap_or(false);
            let entry_id = format!("{id} {} rule {number}", if egress { "outbound" } else { "inbound" });
            let origin = crate::state::Origin {
                file: item.origin.file.clone(),
                pointer: format!("{}/Entries/{j}", item.origin.pointer),
            };
            self.record(&entry_id, &origin, a, None);
            entries.push(NaclEntry {
                id: entry_id,
                span: a.span,
                number,
                egress,
                protocol: e.protocol.as_deref().map(Protocol::parse).unwrap_or(Protocol::Unknown),
                ports: e.port_range.and_then(|p| Some((i64::from(p.from?), i64::from(p.to?)))),
                allow: e.rule_action == Some(RuleAction::Allow),
                cidr: match (&e.cidr_block, &e.ipv6_cidr_block) {
                    (Some(c), _) => cidr(c).map(Some).ok_or(Unknown::new(
                        format!("an entry of network ACL {id} has a `CidrBlock` that is not an IPv4 block"),
                        a.span,
                    )),
                    _ => Ok(None),
                },
            });
        }
        entries.sort_by_key(|e| (e.egress, e.number));
        // the state's entries are the ACL's whole truth: no "allow all" shortcut
        self.out.nacls.push(NetworkAcl { id, span: a.span, vpc, entries, is_default: false });
    }

    /// A gateway or interface endpoint that is `available`; false for any
    /// other (a pending, failed or deleted endpoint serves nothing).
    pub(super) fn endpoint(&mut self, item: &Item<crate::state::endpoint::VpcEndpoint>, a: &Anchor) -> bool {
        let e = &item.value;
        if e.state.as_ref().is_some_and(|s| *s != VpcEndpointState::Available) {
            return false;
        }
        let kind = match &e.vpc_endpoint_type {
            Some(VpcEndpointType::Gateway) => EndpointKind::Gateway,
            Some(VpcEndpointType::Interface) => EndpointKind::Interface,
            _ => EndpointKind::Other,
        };
        let id = e.vpc_endpoint_id.clone();
        self.record(&id, &item.origin, a, None);
        let vpc = match &e.vpc_id {
            Some(v) => self.ident(v, a),
            None => Ident::Unknown(self.open(format!("the VPC of endpoint {id}"), Kind::VpcEndpoints, a)),
        };
        let subnets = e.subnet_ids.iter().map(|s| self.ident(s, a)).collect();
        let groups = e.groups.iter().filter_map(|g| g.group_id.as_deref()).map(|g| self.ident(g, a)).collect();
        let service_text = e.service_name.clone().unwrap_or_default();
        self.out.endpoints.push(VpcEndpoint {
            id,
            span: a.span,
            vpc,
            vpc_span: a.span,
            service: parse_service_name(&service_text),
            service_text,
            service_span: a.span,
            kind,
            route_tables: e.route_table_ids.iter().map(|t| Ident::Resource(t.clone())).collect(),
            route_tables_span: a.span,
            subnets,
            groups,
            private_dns: e.private_dns_enabled.unwrap_or(false),
            private_dns_span: None,
            policy: e.policy_document.as_ref().map(|p| (rnode(p, a.span), a.span)),
        });
        true
    }

    /// An internet gateway and the VPCs it is attached to.
    pub(super) fn igw(&mut self, item: &Item<routing::InternetGateway>, a: &Anchor) {
        let g = &item.value;
        let id = g.internet_gateway_id.clone();
        self.record(&id, &item.origin, a, None);
        let attached = g
            .attachments
            .iter()
            .filter(|x| x.attached())
            .filter_map(|x| x.vpc_id.as_deref())
            .map(|v| match self.bound.get(v) {
                Some(true) => Ident::Resource(v.to_string()),
                _ => Ident::External(v.to_string()),
            })
            .collect();
        self.out.igws.push(InternetGateway { id, span: a.span, attached });
    }

    /// A NAT gateway that is `available` (false for any other: its routes
    /// print as `blackhole`).
    pub(super) fn nat(&mut self, item: &Item<routing::NatGateway>, a: &Anchor) -> bool {
        let n = &item.value;
        if n.state.as_ref().is_some_and(|s| *s != NatGatewayState::Available) {
            return false;
        }
        let id = n.nat_gateway_id.clone();
        self.record(&id, &item.origin, a, None);
        let regional = n.availability_mode.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("regional"));
        let subnet = n.subnet_id.as_deref().map(|s| self.ident(s, a));
        let has_eip = n.nat_gateway_addresses.iter().any(|x| x.allocation_id.is_some() || x.public_ip.is_some());
        self.out.nats.push(NatGateway {
            id,
            span: a.span,
            subnet,
            has_eip: has_eip || regional,
            private: (n.connectivity_type == Some(ConnectivityType::Private)).then_some(a.span),
            regional,
        });
        true
    }
}
