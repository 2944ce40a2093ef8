//! Builds the [`Network`] model from a resolved template.
//!
//! Every CloudFormation default that changes behaviour is applied here, with
//! its source: `EnableDnsSupport` true and `EnableDnsHostnames` false
//! (CFN AWS::EC2::VPC), `VpcEndpointType` Gateway and `PrivateDnsEnabled`
//! false (CFN AWS::EC2::VPCEndpoint), `MapPublicIpOnLaunch` false (CFN
//! AWS::EC2::Subnet), the default egress rule (CFN AWS::EC2::SecurityGroup),
//! the VPC's default security group and network ACL (VPC UG).

use std::collections::HashMap;

use ipnet::Ipv4Net;

use super::iam::{self, InstanceProfile, Role};
use super::nacl::{NaclEntry, NetworkAcl};
use super::prefix_list::Entries;
use super::sg::{Peer, Protocol, SecurityGroup, SgRule, inline_rules};
use super::workload;
use super::{
    Az, Destination, EndpointKind, Ident, InternetGateway, NatGateway, Network, ResolverRule, Route, RouteTable,
    RouteTarget, Subnet, Vpc, VpcEndpoint,
};
use crate::resolve::{Existence, RNode, Resolved, ResolvedResource, Unknown, Val};
use crate::source::Span;

/// Builds the model of everything `resolved` deploys.
pub fn build(resolved: &Resolved) -> Network {
    let mut net = Network { malformed: super::resource_id::scan(resolved), ..Network::default() };
    let live: Vec<&ResolvedResource> = resolved.resources.iter().filter(|r| r.exists != Existence::No).collect();

    for r in &live {
        match r.ty.as_str() {
            "AWS::EC2::VPC" => vpc(&mut net, r),
            "AWS::EC2::Subnet" => subnet(&mut net, r),
            "AWS::EC2::RouteTable" => net.route_tables.push(RouteTable {
                id: r.id.clone(),
                span: r.span,
                vpc: ident_prop(r, "VpcId"),
                routes: Vec::new(),
            }),
            "AWS::EC2::InternetGateway" => {
                net.igws.push(InternetGateway { id: r.id.clone(), span: r.span, attached: Vec::new() })
            }
            "AWS::EC2::NatGateway" => nat(&mut net, r),
            "AWS::EC2::SecurityGroup" => group(&mut net, r),
            "AWS::EC2::NetworkAcl" => net.nacls.push(NetworkAcl {
                id: r.id.clone(),
                span: r.span,
                vpc: ident_prop(r, "VpcId"),
                entries: Vec::new(),
                is_default: false,
            }),
            "AWS::EC2::VPCEndpoint" => endpoint(&mut net, r),
            "AWS::IAM::InstanceProfile" => net.profiles.push(InstanceProfile {
                id: r.id.clone(),
                span: r.span,
                roles: r.prop("Roles").map(ident_list).unwrap_or_default(),
                name: r.prop("InstanceProfileName").and_then(RNode::text).map(str::to_string),
            }),
            "AWS::IAM::Role" => role(&mut net, r),
            "AWS::NetworkFirewall::Firewall" => net.firewalls.push(super::transit::firewall(resolved, r)),
            "AWS::EC2::PrefixList" => net.prefix_lists.push(super::prefix_list::parse(r)),
            _ => net.transit.add(r),
        }
    }
    reindex(&mut net);

    let mut standalone_egress: HashMap<String, Vec<SgRule>> = HashMap::new();
    for r in &live {
        match r.ty.as_str() {
            "AWS::EC2::VPCCidrBlock" => {
                if let (Some(vpc), Some(cidr)) = (ident_prop(r, "VpcId").id(), r.prop("CidrBlock").and_then(cidr)) {
                    let vpc = vpc.to_string();
                    if let Some(v) = find_mut(&mut net.vpcs, &net.index, &Ident::Resource(vpc), |v| &v.id) {
                        v.cidrs.push(cidr);
                    }
                }
            }
            "AWS::EC2::Route" => route(&mut net, r),
            "AWS::EC2::SubnetRouteTableAssociation" => {
                if let Some(s) = find_mut(&mut net.subnets, &net.index, &ident_prop(r, "SubnetId"), |s| &s.id) {
                    s.route_table = Some(ident_prop(r, "RouteTableId"));
                }
            }
            "AWS::EC2::SubnetNetworkAclAssociation" => {
                if let Some(s) = find_mut(&mut net.subnets, &net.index, &ident_prop(r, "SubnetId"), |s| &s.id) {
                    s.nacl = Some(ident_prop(r, "NetworkAclId"));
                }
            }
            "AWS::EC2::VPCGatewayAttachment" => {
                if r.prop("InternetGatewayId").is_some()
                    && let Some(igw) =
                        find_mut(&mut net.igws, &net.index, &ident_prop(r, "InternetGatewayId"), |g| &g.id)
                {
                    igw.attached.push(ident_prop(r, "VpcId"));
                }
            }
            "AWS::EC2::SecurityGroupIngress" => {
                let rule = SgRule::parse(&r.properties, r.span, Some(r.id.clone()), false);
                let target = group_ident(r);
                if let Some(g) = find_mut(&mut net.groups, &net.index, &target, |g| &g.id) {
                    g.ingress.push(rule);
                }
            }
            "AWS::EC2::SecurityGroupEgress" => {
                let rule = SgRule::parse(&r.properties, r.span, Some(r.id.clone()), true);
                if let Some(id) = ident_prop(r, "GroupId").id() {
                    standalone_egress.entry(id.to_string()).or_default().push(rule);
                }
            }
            "AWS::EC2::NetworkAclEntry" => nacl_entry(&mut net, r),
            "AWS::EC2::VPCDHCPOptionsAssociation" => dhcp(&mut net, resolved, r),
            "AWS::Route53Resolver::ResolverRuleAssociation" => resolver_rule(&mut net, resolved, r),
            "AWS::EC2::TransitGatewayRouteTableAssociation" => net.transit.associate(r),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                if let Some(doc) = r.prop("PolicyDocument").map(iam::document) {
                    let doc = &doc;
                    if r.ty == "AWS::IAM::ManagedPolicy" {
                        net.managed_policies.push((r.id.clone(), doc.clone()));
                    }
                    for role_ident in r.prop("Roles").map(ident_list).unwrap_or_default() {
                        attach_policy(&mut net, &role_ident, doc);
                    }
                }
            }
            // An inline policy of one role, declared as its own resource
            // (`RoleName` takes the role's name, which `!Ref` of a role gives).
            "AWS::IAM::RolePolicy" => {
                if let (Some(doc), Some(role)) = (r.prop("PolicyDocument"), r.prop("RoleName")) {
                    attach_policy(&mut net, &Ident::of(role), &iam::document(doc));
                }
            }
            _ => {}
        }
    }
    let lists = std::mem::take(&mut net.prefix_lists);
    let lists_by_id: HashMap<&str, &super::prefix_list::PrefixList> =
        lists.iter().map(|l| (l.id.as_str(), l)).collect();
    for g in &mut net.groups {
        let rules = standalone_egress.remove(&g.id).unwrap_or_default();
        g.finish(rules);
        // VPC UG, "Managed prefix lists": a rule that references a list
        // stands for one rule per entry
        g.expand_prefix_lists(|id| lists_by_id.get(id).copied());
    }
    net.prefix_lists = lists;
    for acl in &mut net.nacls {
        acl.entries.sort_by_key(|e| (e.egress, e.number));
    }
    workload::build_all(&mut net, &live);
    net.peerings = super::peering::read(&live);
    net.private_zones = super::zones::read(&live);
    net.account = super::account::read(&live);
    reindex(&mut net);
    // the deployed resources that template values name (`--account-state`)
    super::deployed::bind(&mut net, resolved);
    net
}

pub(super) fn reindex(net: &mut Network) {
    let mut index = HashMap::new();
    macro_rules! add {
        ($field:ident) => {
            for (i, x) in net.$field.iter().enumerate() {
                index.insert(x.id.clone(), i);
            }
        };
    }
    add!(vpcs);
    add!(subnets);
    add!(route_tables);
    add!(igws);
    add!(nats);
    add!(groups);
    add!(nacls);
    add!(endpoints);
    add!(profiles);
    add!(roles);
    add!(prefix_lists);
    net.index = index;
    let mut by_vpc: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, ep) in net.endpoints.iter().enumerate() {
        if let Some(vpc) = ep.vpc.id() {
            by_vpc.entry(vpc.to_string()).or_default().push(i);
        }
    }
    net.endpoints_by_vpc = by_vpc;
}

/// The element of `items` that `ident` names, through the model's index
/// (logical IDs are unique, so an ID indexed at another kind's position
/// names no element of `items`).
fn find_mut<'a, T>(
    items: &'a mut [T],
    index: &HashMap<String, usize>,
    ident: &Ident,
    id: impl Fn(&T) -> &String,
) -> Option<&'a mut T> {
    let want = ident.id()?;
    items.get_mut(*index.get(want)?).filter(|x| id(x) == want)
}

/// What a property names (Unknown when absent).
pub(super) fn ident_prop(r: &ResolvedResource, name: &str) -> Ident {
    match r.prop(name) {
        Some(v) => Ident::of(v),
        None => Ident::Unknown(Unknown::new(format!("`{}` has no `{name}`", r.id), r.span)),
    }
}

/// A list of IDs (a list value, or one value that is a list parameter).
pub(super) fn ident_list(node: &RNode) -> Vec<Ident> {
    match &node.val {
        Val::List(items) => items.iter().map(Ident::of).collect(),
        _ => vec![Ident::of(node)],
    }
}

/// The edit span of a property, or the resource's span when absent.
pub(super) fn prop_span(r: &ResolvedResource, name: &str) -> Span {
    r.prop_entry(name).map(|e| e.edit_span()).unwrap_or(r.span)
}

fn cidr(node: &RNode) -> Option<Ipv4Net> {
    node.text()?.trim().parse::<Ipv4Net>().ok().map(|n| n.trunc())
}

fn flag(r: &ResolvedResource, name: &str, default: bool) -> (bool, Option<Span>) {
    match r.prop_entry(name) {
        Some(e) => (e.value.as_bool().unwrap_or(default), Some(e.edit_span())),
        None => (default, None),
    }
}

fn vpc(net: &mut Network, r: &ResolvedResource) {
    // CFN AWS::EC2::VPC: EnableDnsSupport defaults to true, EnableDnsHostnames
    // to false ("Disabled by default for nondefault VPCs").
    let (dns_support, dns_support_span) = flag(r, "EnableDnsSupport", true);
    let (dns_hostnames, dns_hostnames_span) = flag(r, "EnableDnsHostnames", false);
    net.vpcs.push(Vpc {
        id: r.id.clone(),
        span: r.span,
        cidrs: r.prop("CidrBlock").and_then(cidr).into_iter().collect(),
        dns_support,
        dns_support_span,
        dns_hostnames,
        dns_hostnames_span,
        custom_dns: None,
        resolver_rules: Vec::new(),
        dns_support_open: None,
        dns_hostnames_open: None,
        endpoints_open: None,
    });
    // The VPC's default security group: inbound only from its own members,
    // all outbound (VPC UG, "Default security groups for your VPCs").
    let default_id = format!("{}.DefaultSecurityGroup", r.id);
    net.groups.push(SecurityGroup {
        id: default_id.clone(),
        span: r.span,
        vpc: Some(Ident::Resource(r.id.clone())),
        ingress: vec![SgRule {
            span: r.span,
            standalone: None,
            protocol: Protocol::All,
            from: -1,
            to: -1,
            peer: Peer::Group(Ident::Resource(default_id)),
            peer_span: r.span,
        }],
        egress: Vec::new(),
        inline_ingress_span: None,
        inline_egress_span: None,
        stripped: Vec::new(),
        default_dropped: false,
        is_vpc_default: true,
        cdk_no_egress: false,
    });
    // The VPC's default network ACL allows all traffic in and out (VPC UG,
    // "Default network ACL"); entries added to it come after rule 100.
    let all = |egress: bool| NaclEntry {
        id: format!("{}.DefaultNetworkAcl", r.id),
        span: r.span,
        number: 100,
        egress,
        protocol: Protocol::All,
        ports: None,
        allow: true,
        cidr: Ok(Some(Ipv4Net::default())),
    };
    net.nacls.push(NetworkAcl {
        id: format!("{}.DefaultNetworkAcl", r.id),
        span: r.span,
        vpc: Ident::Resource(r.id.clone()),
        entries: vec![all(false), all(true)],
        is_default: true,
    });
}

fn subnet(net: &mut Network, r: &ResolvedResource) {
    let (map_public_ip, map_public_ip_span) = flag(r, "MapPublicIpOnLaunch", false);
    net.subnets.push(Subnet {
        id: r.id.clone(),
        span: r.span,
        vpc: ident_prop(r, "VpcId"),
        cidr: r.prop("CidrBlock").and_then(cidr),
        map_public_ip,
        map_public_ip_span,
        route_table: None,
        nacl: None,
        az: match (r.prop("AvailabilityZone").and_then(RNode::text), r.prop("AvailabilityZoneId").and_then(RNode::text))
        {
            (Some(name), _) => Some(Az::Name(name.to_string())),
            (None, Some(id)) => Some(Az::Id(id.to_string())),
            (None, None) => None,
        },
    });
}

fn nat(net: &mut Network, r: &ResolvedResource) {
    let private = r
        .prop_entry("ConnectivityType")
        .filter(|e| e.value.text().is_some_and(|t| t.eq_ignore_ascii_case("private")))
        .map(|e| e.edit_span());
    let regional = r.prop("AvailabilityMode").and_then(RNode::text).is_some_and(|t| t.eq_ignore_ascii_case("regional"));
    net.nats.push(NatGateway {
        id: r.id.clone(),
        span: r.span,
        subnet: r.prop("SubnetId").map(Ident::of),
        has_eip: r.prop("AllocationId").is_some() || regional,
        private,
        regional,
    });
}

fn group(net: &mut Network, r: &ResolvedResource) {
    let egress_entry = r.prop_entry("SecurityGroupEgress");
    let ingress_entry = r.prop_entry("SecurityGroupIngress");
    let (placeholder, egress): (Vec<SgRule>, Vec<SgRule>) = egress_entry
        .map(|e| inline_rules(&e.value, true))
        .unwrap_or_default()
        .into_iter()
        .partition(SgRule::is_cdk_no_egress);
    net.groups.push(SecurityGroup {
        id: r.id.clone(),
        span: r.span,
        vpc: r.prop("VpcId").map(Ident::of),
        ingress: ingress_entry.map(|e| inline_rules(&e.value, false)).unwrap_or_default(),
        cdk_no_egress: !placeholder.is_empty() && egress.is_empty(),
        egress,
        inline_ingress_span: ingress_entry.map(|e| e.key_span),
        inline_egress_span: egress_entry.map(|e| e.key_span),
        stripped: Vec::new(),
        default_dropped: false,
        is_vpc_default: false,
    });
}

/// The group a standalone rule attaches to (`GroupId`, or `GroupName` for
/// default-VPC groups).
fn group_ident(r: &ResolvedResource) -> Ident {
    match r.prop("GroupId") {
        Some(v) => Ident::of(v),
        None => ident_prop(r, "GroupName"),
    }
}

/// `com.amazonaws.<region>.<service>` → `(region, service)`.
pub(super) fn parse_service_name(name: &str) -> Option<(String, String)> {
    let rest = name.strip_prefix("com.amazonaws.").or_else(|| name.strip_prefix("cn.com.amazonaws."))?;
    let (region, service) = rest.split_once('.')?;
    Some((region.to_string(), service.to_string()))
}

fn endpoint(net: &mut Network, r: &ResolvedResource) {
    let service_text = r.prop("ServiceName").and_then(RNode::pattern_text).unwrap_or_default();
    // CFN AWS::EC2::VPCEndpoint: VpcEndpointType defaults to Gateway.
    let kind = match r.prop("VpcEndpointType").and_then(RNode::text) {
        None => EndpointKind::Gateway,
        Some(t) if t.eq_ignore_ascii_case("gateway") => EndpointKind::Gateway,
        Some(t) if t.eq_ignore_ascii_case("interface") => EndpointKind::Interface,
        Some(_) => EndpointKind::Other,
    };
    // CFN AWS::EC2::VPCEndpoint: PrivateDnsEnabled "Default: false" (unlike
    // the console and the EC2 API).
    let (private_dns, private_dns_span) = flag(r, "PrivateDnsEnabled", false);
    net.endpoints.push(VpcEndpoint {
        id: r.id.clone(),
        span: r.span,
        vpc: ident_prop(r, "VpcId"),
        vpc_span: prop_span(r, "VpcId"),
        service: parse_service_name(&service_text),
        service_text,
        service_span: prop_span(r, "ServiceName"),
        kind,
        route_tables: r.prop("RouteTableIds").map(ident_list).unwrap_or_default(),
        route_tables_span: r.prop_entry("RouteTableIds").map(|e| e.key_span).unwrap_or(r.span),
        subnets: r.prop("SubnetIds").map(ident_list).unwrap_or_default(),
        groups: r.prop("SecurityGroupIds").map(ident_list).unwrap_or_default(),
        private_dns,
        private_dns_span,
        policy: r.prop_entry("PolicyDocument").map(|e| (iam::document(&e.value), e.key_span)),
    });
}

/// Adds a policy document to the template role that `role` names (by logical
/// ID, or by its `RoleName`); a role outside the template is not modelled.
fn attach_policy(net: &mut Network, role: &Ident, doc: &RNode) {
    let role_id = match role {
        Ident::Resource(id) => Some(id.clone()),
        Ident::External(name) => net.roles.iter().find(|x| x.name.as_deref() == Some(name)).map(|x| x.id.clone()),
        Ident::Unknown(_) => None,
    };
    if let Some(role) = role_id.and_then(|id| find_mut(&mut net.roles, &net.index, &Ident::Resource(id), |x| &x.id)) {
        role.documents.push(doc.clone());
    }
}

fn role(net: &mut Network, r: &ResolvedResource) {
    let mut documents = Vec::new();
    if let Some(policies) = r.prop("Policies").and_then(RNode::as_list) {
        documents.extend(policies.iter().filter_map(|p| p.get("PolicyDocument").map(iam::document)));
    }
    net.roles.push(Role {
        id: r.id.clone(),
        span: r.span,
        trust: r.prop_entry("AssumeRolePolicyDocument").map(|e| (iam::document(&e.value), e.key_span)),
        managed: match r.prop("ManagedPolicyArns") {
            Some(RNode { val: Val::List(items), .. }) => items.clone(),
            Some(other) => vec![other.clone()],
            None => Vec::new(),
        },
        managed_span: r.prop_entry("ManagedPolicyArns").map(|e| e.key_span),
        documents,
        name: r.prop("RoleName").and_then(RNode::text).map(str::to_string),
        boundary: r.prop_entry("PermissionsBoundary").map(|e| (e.value.clone(), e.edit_span())),
    });
}

const ROUTE_TARGETS: &[&str] = &[
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "InstanceId",
    "NetworkInterfaceId",
    "VpcEndpointId",
    "CarrierGatewayId",
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
];

fn route(net: &mut Network, r: &ResolvedResource) {
    // A route to a prefix list of the template stands for a route to each
    // of its entries (VPC UG, "Managed prefix lists"); it loses to a plain
    // CIDR route of the same length (VPC UG, "How route priority works").
    let mut prefix_list = None;
    let destinations = if let Some(d) = r.prop("DestinationCidrBlock") {
        vec![match cidr(d) {
            Some(c) => Destination::Cidr(c),
            None => Destination::Unknown(
                d.unknown().unwrap_or(Unknown::new("`DestinationCidrBlock` is not an IPv4 CIDR", d.span)),
            ),
        }]
    } else if let Some(list) =
        r.prop("DestinationPrefixListId").and_then(|p| Ident::of(p).id().and_then(|id| net.prefix_list(id)))
        && let Entries::V4(nets) = &list.entries
    {
        prefix_list = Some(list.id.clone());
        nets.iter().map(|n| Destination::Cidr(*n)).collect()
    } else {
        // IPv6 blocks, lists outside the template or of unknown entries
        vec![Destination::Other]
    };
    let Some((key, value)) = ROUTE_TARGETS.iter().find_map(|k| r.prop(k).map(|v| (*k, v))) else { return };
    let ident = Ident::of(value);
    let is_type = |id: &str, ty: &str| net_type(net, id) == Some(ty);
    let target = match key {
        "GatewayId" => match &ident {
            Ident::Resource(id) if is_type(id, "igw") => RouteTarget::InternetGateway(ident.clone()),
            Ident::External(s) if s == "local" => RouteTarget::Local,
            _ => RouteTarget::Other(key.to_string(), ident.clone()),
        },
        "NatGatewayId" => RouteTarget::NatGateway(ident.clone()),
        _ => RouteTarget::Other(key.to_string(), ident.clone()),
    };
    let rt = ident_prop(r, "RouteTableId");
    if let Some(table) = find_mut(&mut net.route_tables, &net.index, &rt, |t| &t.id) {
        for destination in destinations {
            table.routes.push(Route {
                id: r.id.clone(),
                span: prop_span(r, key),
                destination,
                target: target.clone(),
                prefix_list: prefix_list.clone(),
            });
        }
    }
}

fn net_type(net: &Network, id: &str) -> Option<&'static str> {
    if net.igw(id).is_some() { Some("igw") } else { None }
}

fn nacl_entry(net: &mut Network, r: &ResolvedResource) {
    let acl = ident_prop(r, "NetworkAclId");
    let protocol = r.prop("Protocol").and_then(RNode::text).map(Protocol::parse).unwrap_or(Protocol::Unknown);
    let ports = r.prop("PortRange").and_then(|p| Some((p.get("From")?.as_i64()?, p.get("To")?.as_i64()?)));
    let cidr = match (r.prop("CidrBlock"), r.prop("Ipv6CidrBlock")) {
        (Some(c), _) => match cidr(c) {
            Some(n) => Ok(Some(n)),
            None => Err(c.unknown().unwrap_or(Unknown::new("`CidrBlock` is not an IPv4 CIDR", c.span))),
        },
        (None, Some(_)) => Ok(None),
        (None, None) => Err(Unknown::new(format!("`{}` has no `CidrBlock`", r.id), r.span)),
    };
    let entry = NaclEntry {
        id: r.id.clone(),
        span: r.span,
        number: r.prop("RuleNumber").and_then(RNode::as_i64).unwrap_or(i64::MAX),
        egress: r.prop("Egress").and_then(RNode::as_bool).unwrap_or(false),
        protocol,
        ports,
        allow: r.prop("RuleAction").and_then(RNode::text).is_some_and(|a| a.eq_ignore_ascii_case("allow")),
        cidr,
    };
    if let Some(a) = find_mut(&mut net.nacls, &net.index, &acl, |a| &a.id) {
        a.entries.push(entry);
    }
}

fn dhcp(net: &mut Network, resolved: &Resolved, assoc: &ResolvedResource) {
    let Some(options_id) = ident_prop(assoc, "DhcpOptionsId").id().map(str::to_string) else { return };
    let Some(options) = resolved.resource(&options_id) else { return };
    let Some(servers) = options.prop_entry("DomainNameServers") else { return };
    let amazon = match &servers.value.val {
        Val::List(items) => items.iter().all(|s| s.text().is_some_and(|t| t.eq_ignore_ascii_case("AmazonProvidedDNS"))),
        _ => servers.value.text().is_some_and(|t| t.eq_ignore_ascii_case("AmazonProvidedDNS")),
    };
    if amazon {
        return;
    }
    if let Some(vpc) = find_mut(&mut net.vpcs, &net.index, &ident_prop(assoc, "VpcId"), |v| &v.id) {
        vpc.custom_dns = Some((options_id, servers.key_span));
    }
}

/// A resolver rule association: a `FORWARD` rule declared in the template
/// gives its domain; a `SYSTEM` rule (answer with the VPC's own resolver)
/// changes nothing; a rule from outside the template may forward anything.
fn resolver_rule(net: &mut Network, resolved: &Resolved, assoc: &ResolvedResource) {
    let rule = ident_prop(assoc, "ResolverRuleId");
    let span = assoc.prop_entry("ResolverRuleId").map(|e| e.key_span).unwrap_or(assoc.span);
    let mut domain = None;
    if let Some(r) =
        rule.id().and_then(|id| resolved.resource(id)).filter(|r| r.ty == "AWS::Route53Resolver::ResolverRule")
    {
        if r.prop("RuleType").and_then(RNode::text).is_some_and(|t| !t.eq_ignore_ascii_case("FORWARD")) {
            return;
        }
        domain = r.prop("DomainName").and_then(RNode::text).map(str::to_string);
    }
    if let Some(vpc) = find_mut(&mut net.vpcs, &net.index, &ident_prop(assoc, "VPCId"), |v| &v.id) {
        vpc.resolver_rules.push(ResolverRule { association: assoc.id.clone(), rule, span, domain });
    }
}
