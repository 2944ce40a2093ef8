//! Route-table hops: which table a subnet uses (the main one, local route
//! only, when none is associated), which route a packet to a public address
//! takes (an S3 gateway endpoint's prefix-list route beats `0.0.0.0/0`), what
//! the route's target leads to (NAT gateway, internet gateway, Network
//! Firewall, transit gateway), PN101/PN102 when nothing routes to S3, and
//! PN106 where the path leaves what the template shows.

use super::{block, unknown, unknown_of};
use crate::finding::Code;
use crate::network::ami::Ami;
use crate::network::{Destination, Ident, Route, RouteTable, RouteTarget, Subnet, VpcEndpoint};
use crate::reach::{Blocker, Hop, HopKind, Tracer};
use crate::resolve::Unknown;
use crate::source::Span;

/// Which route table a subnet uses.
#[derive(Clone, Debug)]
pub enum RouteTableRef<'n> {
    /// An explicitly associated table of the template.
    Table(&'n RouteTable),
    /// No association: the VPC's main route table, which a template cannot
    /// change; assumed to hold only the local route (VPC UG, "Main route table").
    Main,
    /// Associated with something outside the template, or unknown.
    Unknown(Unknown),
}

/// What the route table does with traffic to a public address.
#[derive(Clone, Debug)]
pub enum RouteChoice<'n> {
    /// The S3 gateway endpoint's prefix-list route (beats `0.0.0.0/0`).
    GatewayEndpoint(&'n VpcEndpoint),
    /// The default route.
    Route(&'n Route),
    /// No route: the packet is dropped.
    None,
    /// Cannot tell.
    Unknown(Unknown),
}

impl<'n> Tracer<'n> {
    /// The route table of a subnet.
    pub fn route_table_of(&self, subnet: &'n Subnet) -> RouteTableRef<'n> {
        match &subnet.route_table {
            None => RouteTableRef::Main,
            Some(Ident::Resource(id)) => match self.net.route_table(id) {
                Some(t) => RouteTableRef::Table(t),
                None => RouteTableRef::Unknown(Unknown::new(
                    format!("route table `{id}` is not an AWS::EC2::RouteTable"),
                    subnet.span,
                )),
            },
            Some(other) => RouteTableRef::Unknown(unknown_of(other, subnet.span, "its route table")),
        }
    }

    /// Where traffic from `subnet` to a public address goes. `s3` lets the
    /// region's S3 gateway endpoint route compete: its prefix-list CIDRs
    /// are all narrower than `/0`, so it wins over the default route (VPC
    /// UG, "Route priority"; PrivateLink guide, "Gateway endpoints").
    pub fn public_route(&self, subnet: &'n Subnet, s3: bool) -> RouteChoice<'n> {
        let rt = match self.route_table_of(subnet) {
            RouteTableRef::Main => return RouteChoice::None,
            RouteTableRef::Unknown(u) => return RouteChoice::Unknown(u),
            RouteTableRef::Table(t) => t,
        };
        if s3
            && let Some(ep) =
                self.s3_gateway_endpoints().find(|ep| ep.route_tables.iter().any(|r| r.id() == Some(rt.id.as_str())))
        {
            return RouteChoice::GatewayEndpoint(ep);
        }
        let mut unknown_dest = None;
        // a route to the S3 prefix list through an endpoint the account
        // state does not describe (a gateway endpoint, or a Gateway Load
        // Balancer or firewall endpoint: all print as `vpce-…`)
        if s3
            && let Some(r) =
                rt.routes.iter().find(|r| matches!(&r.destination, Destination::ServicePrefixList(s) if s == "s3"))
        {
            let what = format!("what {} is", describe_target(&r.target));
            return RouteChoice::Unknown(Unknown::decided_by(
                format!(
                    "route table {} sends S3 traffic to {}, whose kind the account state does not say (save the output of `aws ec2 describe-vpc-endpoints` with it)",
                    rt.id,
                    describe_target(&r.target)
                ),
                r.span,
                crate::resolve::Open::State { what, call: "aws ec2 describe-vpc-endpoints".into() },
            ));
        }
        // a `0.0.0.0/0` entry of a prefix list loses to a plain `0.0.0.0/0`
        // route (VPC UG, "How route priority works")
        let mut from_list = None;
        for r in &rt.routes {
            match &r.destination {
                Destination::Cidr(c) if c.prefix_len() == 0 && r.prefix_list.is_none() => {
                    return RouteChoice::Route(r);
                }
                Destination::Cidr(c) if c.prefix_len() == 0 => {
                    from_list.get_or_insert(r);
                }
                Destination::Unknown(u) => {
                    unknown_dest.get_or_insert_with(|| u.clone());
                }
                _ => {}
            }
        }
        match (from_list, unknown_dest) {
            (Some(r), _) => RouteChoice::Route(r),
            (None, Some(u)) => RouteChoice::Unknown(u),
            (None, None) => RouteChoice::None,
        }
    }

    /// True when the route table sends `0.0.0.0/0` somewhere (an internet
    /// path is intended, whether or not it works).
    pub fn has_default_route(&self) -> bool {
        let Some(s) = self.subnet else { return false };
        matches!(self.public_route(s, false), RouteChoice::Route(_) | RouteChoice::Unknown(_))
    }

    /// The name of the workload subnet's route table, for messages.
    pub(crate) fn route_table_name(&self) -> String {
        match self.subnet.map(|s| self.route_table_of(s)) {
            Some(RouteTableRef::Table(rt)) => rt.id.clone(),
            _ => self.subnet.map(|s| format!("{} (main route table)", s.id)).unwrap_or_default(),
        }
    }

    /// No route to S3: PN102 when an S3 gateway endpoint exists but is not on
    /// this route table, PN101 otherwise.
    pub(crate) fn no_route_to_s3(&self) -> Hop {
        let subnet = self.subnet.expect("checked by the caller");
        let (rt_id, rt_span, main) = match self.route_table_of(subnet) {
            RouteTableRef::Table(rt) => (rt.id.clone(), rt.span, false),
            _ => (subnet.id.clone(), subnet.span, true),
        };
        let detail = if main {
            format!(
                "subnet {} has no route table association, so it uses the VPC's main route table, which holds only the local route",
                subnet.id
            )
        } else {
            format!("route table {rt_id} has no route for S3 (no S3 gateway endpoint, no 0.0.0.0/0 route)")
        };
        if let Some(ep) = self.s3_gateway_endpoints().next() {
            let listed: Vec<String> = ep.route_tables.iter().map(|r| r.describe()).collect();
            let listed = if listed.is_empty() { "no route table".to_string() } else { listed.join(", ") };
            let table = if main {
                format!("the main route table of subnet {}", subnet.id)
            } else {
                format!("route table {rt_id}")
            };
            let why = format!(
                "S3 gateway endpoint {} is not on {table} (its `RouteTableIds` lists {listed}), and {table} has no 0.0.0.0/0 route: S3 is unreachable from subnet {}",
                ep.id, subnet.id
            );
            let fix = if main {
                format!(
                    "Associate subnet {} with a route table (AWS::EC2::SubnetRouteTableAssociation) and add that table to `RouteTableIds` of {}.",
                    subnet.id, ep.id
                )
            } else {
                format!("Add the route table to the endpoint:\n  RouteTableIds:\n    - !Ref {rt_id}")
            };
            return block(
                HopKind::RouteTable,
                &rt_id,
                why.clone(),
                Blocker { code: Code::PN102, span: ep.route_tables_span, resource: Some(ep.id.clone()), why, fix },
            );
        }
        // a peered VPC's gateway endpoint does not serve this one (VPC
        // Peering guide, "VPC peering limitations": edge-to-edge routing)
        let peered: Vec<String> = self
            .peer_s3_endpoints()
            .into_iter()
            .map(|(ep, vpc, pcx)| {
                format!("S3 gateway endpoint {ep} of VPC {vpc}, peered through {pcx}, does not serve this VPC")
            })
            .collect();
        let peered = if peered.is_empty() { String::new() } else { format!(" ({})", peered.join("; ")) };
        let why = format!("{detail}; S3 in {} is unreachable{peered}", self.region);
        let vpc = self.vpc.map(|v| v.id.as_str()).unwrap_or("<Vpc>");
        let rt_ref = if main { "<RouteTable>".to_string() } else { rt_id.clone() };
        let fix = format!(
            "Add an S3 gateway endpoint on the subnet's route table (free, no internet needed):\n  S3GatewayEndpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref {vpc}\n      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.s3\n      RouteTableIds:\n        - !Ref {rt_ref}"
        );
        block(
            HopKind::RouteTable,
            &rt_id,
            why.clone(),
            Blocker { code: Code::PN101, span: rt_span, resource: Some(rt_id.clone()), why, fix },
        )
    }

    /// No route to a distribution mirror on the internet (PN101): only a NAT
    /// gateway or an internet gateway reaches it; an S3 gateway endpoint
    /// serves S3 alone (PrivateLink guide, "Gateway endpoints").
    pub(crate) fn no_route_to_mirror(&self, ami: &Ami, host: &str, port: u16) -> Hop {
        let subnet = self.subnet.expect("checked by the caller");
        let (rt_id, rt_span, main) = match self.route_table_of(subnet) {
            RouteTableRef::Table(rt) => (rt.id.clone(), rt.span, false),
            _ => (subnet.id.clone(), subnet.span, true),
        };
        let table = if main {
            format!("subnet {} uses the VPC's main route table, which holds only the local route", subnet.id)
        } else {
            format!("route table {rt_id} has no 0.0.0.0/0 route (no NAT gateway, no internet gateway)")
        };
        let endpoint = if self.s3_gateway_endpoints().next().is_some() {
            "; the S3 gateway endpoint does not help: it serves only S3"
        } else {
            ""
        };
        let why = format!("{host} (tcp/{port}) is on the internet, but {table}{endpoint}");
        let rt_ref = if main { "<RouteTable>".to_string() } else { rt_id.clone() };
        let fix = format!(
            "Give the subnet a NAT gateway route (the mirror is on the internet):\n  DefaultRoute:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref {rt_ref}\n      DestinationCidrBlock: 0.0.0.0/0\n      NatGatewayId: !Ref <NatGateway>\nor point {} at a package proxy or mirror inside the VPC.",
            ami.package_manager()
        );
        block(
            HopKind::RouteTable,
            &rt_id,
            why.clone(),
            Blocker { code: Code::PN101, span: rt_span, resource: Some(rt_id.clone()), why, fix },
        )
    }

    /// The hops that follow a public route choice (`via` is the resource the
    /// traffic leaves through).
    pub fn route_target_hops(&self, route: &Route, peer: &str) -> (Vec<Hop>, Option<String>) {
        self.beyond(route, peer, peer, 0)
    }

    /// [`Tracer::route_target_hops`] where `peer` (for messages) is not
    /// the host name a firewall's domain lists see (`host`).
    pub fn route_target_hops_to(&self, route: &Route, peer: &str, host: &str) -> (Vec<Hop>, Option<String>) {
        self.beyond(route, peer, host, 0)
    }

    /// [`Tracer::route_target_hops`] after `depth` firewalls or transit
    /// gateways (a transit gateway's traffic reaches the next VPC with the
    /// instance's private address; `self` is then a tracer in that VPC).
    pub(super) fn beyond(&self, route: &Route, peer: &str, host: &str, depth: usize) -> (Vec<Hop>, Option<String>) {
        const MAX_DEPTH: usize = 4;
        match &route.target {
            RouteTarget::NatGateway(n) => (self.nat_hops(n, route, peer), n.id().map(str::to_string)),
            RouteTarget::InternetGateway(g) if self.transited() => {
                let why = format!(
                    "the deciding route {} sends traffic that came through a transit gateway straight to internet gateway {}: it keeps the instance's private address, which an internet gateway does not translate",
                    route.id,
                    g.describe()
                );
                (
                    vec![self.route_unknown(
                        route,
                        why,
                        "Route the transit gateway's traffic to a NAT gateway in this VPC.".into(),
                    )],
                    None,
                )
            }
            RouteTarget::InternetGateway(g) => (self.igw_hops(g, route), g.id().map(str::to_string)),
            RouteTarget::Local | RouteTarget::GatewayEndpoint(_) => (Vec::new(), None),
            RouteTarget::Other(kind, Ident::Resource(id)) if depth < MAX_DEPTH && kind == "VpcEndpointId" => {
                match self.net.firewalls.iter().find(|f| f.id == *id) {
                    Some(fw) => self.firewall_hops(fw, route, peer, host, depth),
                    None => {
                        (vec![self.outside(route, &humanize_target(kind), &route_target_ident(&route.target))], None)
                    }
                }
            }
            RouteTarget::Other(kind, Ident::Resource(id))
                if depth < MAX_DEPTH && kind == "TransitGatewayId" && self.net.transit.gateway(id).is_some() =>
            {
                self.tgw_hops(id, route, peer, host, depth)
            }
            RouteTarget::Other(kind, Ident::Resource(id))
                if kind == "VpcPeeringConnectionId" && self.peered(id).is_some() =>
            {
                let hops = self.peered(id).map(|(p, other)| self.peering_block(route, p, other));
                (hops.into_iter().collect(), None)
            }
            RouteTarget::Other(kind, ident) => (vec![self.outside(route, &humanize_target(kind), ident)], None),
        }
    }

    /// A hop whose far side is outside the template: unknown (PN106).
    /// A target declared in the template (a transit gateway, a Cloud WAN
    /// attachment) is not outside it, but the model ends there.
    pub fn outside(&self, route: &Route, what: &str, ident: &Ident) -> Hop {
        if let Ident::External(id) = ident
            && let Some(m) = self.net.malformed(id)
        {
            return super::super::tracer::malformed_hop(HopKind::RouteTable, &route.id, m);
        }
        let (why, fix) = match ident {
            Ident::Resource(id) => (
                format!(
                    "the deciding route {} sends the traffic to {what} {id}, declared in the template, but privnet-lint does not follow traffic beyond a {what} (only VPC route tables, NAT and internet gateways are modelled)",
                    route.id
                ),
                format!(
                    "Check the path beyond {id} by hand, then suppress PN106 on {} (`Metadata: {{privnet-lint: {{ignore: [PN106]}}}}`).",
                    route.id
                ),
            ),
            Ident::External(id) => (
                format!(
                    "the deciding route {} sends the traffic to {what} `{id}`, which is outside the template",
                    route.id
                ),
                "Lint the stack that defines the target in the same run, or check that path by hand.".to_string(),
            ),
            Ident::Unknown(u) => (
                format!(
                    "the deciding route {} sends the traffic to a {what} that is not known before deployment: {}",
                    route.id, u.reason
                ),
                "Lint the stack that defines the target in the same run, or check that path by hand.".to_string(),
            ),
        };
        unknown(
            HopKind::RouteTable,
            &route.id,
            why.clone(),
            Blocker { code: Code::PN106, span: route.span, resource: Some(route.id.clone()), why, fix },
        )
    }

    /// An unknown hop at a route (PN106) with its own reason.
    pub(super) fn route_unknown(&self, route: &Route, why: String, fix: String) -> Hop {
        self.unknown_at(&route.id, route.span, why, fix)
    }

    /// PN106 pointing at `resource` (at `span`), the thing to edit.
    pub(super) fn unknown_at(&self, resource: &str, span: Span, why: String, fix: String) -> Hop {
        unknown(
            HopKind::RouteTable,
            resource,
            why.clone(),
            Blocker { code: Code::PN106, span, resource: Some(resource.to_string()), why, fix },
        )
    }
}

/// A route target's property (`TransitGatewayId`) in words.
pub(super) fn humanize_target(key: &str) -> String {
    match key {
        "GatewayId" => "gateway",
        "TransitGatewayId" => "transit gateway",
        "VpcPeeringConnectionId" => "VPC peering connection",
        "InstanceId" => "instance",
        "NetworkInterfaceId" => "network interface",
        "VpcEndpointId" => "Gateway Load Balancer endpoint",
        "CarrierGatewayId" => "carrier gateway",
        "EgressOnlyInternetGatewayId" => "egress-only internet gateway",
        "LocalGatewayId" => "local gateway",
        "CoreNetworkArn" => "Cloud WAN core network",
        _ => key,
    }
    .to_string()
}

/// A route target in words: `NAT gateway Nat`.
pub(super) fn describe_target(t: &RouteTarget) -> String {
    match t {
        RouteTarget::Local => "the VPC itself (local)".into(),
        RouteTarget::InternetGateway(i) => format!("internet gateway {}", i.describe()),
        RouteTarget::NatGateway(i) => format!("NAT gateway {}", i.describe()),
        RouteTarget::GatewayEndpoint(id) => format!("gateway endpoint {id}"),
        RouteTarget::Other(key, i) => format!("{} {}", humanize_target(key), i.describe()),
    }
}

/// The ident of a route target.
pub(super) fn route_target_ident(t: &RouteTarget) -> Ident {
    match t {
        RouteTarget::InternetGateway(i) | RouteTarget::NatGateway(i) | RouteTarget::Other(_, i) => i.clone(),
        RouteTarget::GatewayEndpoint(id) => Ident::Resource(id.clone()),
        RouteTarget::Local => Ident::External("local".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::RouteChoice;
    use crate::reach::Tracer;
    use crate::reach::tests::net;

    const LIST: &str = "
  Everything:
    Type: AWS::EC2::PrefixList
    Properties: {AddressFamily: IPv4, Entries: [{Cidr: 10.0.0.0/8}, {Cidr: 0.0.0.0/0}]}
  ViaList:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationPrefixListId: !Ref Everything, NatGatewayId: nat-1}
";

    /// The route a packet to a public address takes from the base subnet.
    fn chosen(extra: &str) -> Option<String> {
        let n = net(extra);
        let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
        match t.public_route(t.subnet.expect("subnet"), false) {
            RouteChoice::Route(r) => Some(r.id.clone()),
            _ => None,
        }
    }

    #[test]
    fn a_prefix_list_entry_routes_but_loses_to_a_plain_route_of_its_length() {
        assert_eq!(chosen(LIST).as_deref(), Some("ViaList"));
        let plain = "
  Plain:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayId: tgw-1}
";
        // whatever the order in the template
        assert_eq!(chosen(&format!("{LIST}{plain}")).as_deref(), Some("Plain"));
        assert_eq!(chosen(&format!("{plain}{LIST}")).as_deref(), Some("Plain"));
        // a list without 0.0.0.0/0 is no default route
        assert_eq!(chosen(&LIST.replace(", {Cidr: 0.0.0.0/0}", "")), None);
    }
}
