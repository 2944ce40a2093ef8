//! The way to a bucket on S3 in the workload's region, shared by every path
//! that ends at a bucket (the package repository of `dnf`, the Session
//! Manager log bucket): DNS gives S3's public addresses (a gateway endpoint
//! changes routing, not DNS: PrivateLink guide, "Gateway endpoints for
//! Amazon S3"), then the subnet's route table sends the packet to the S3
//! gateway endpoint (its prefix-list route is more specific than
//! `0.0.0.0/0`) or down the default route.

use super::pass;
use super::route::RouteChoice;
use crate::network::{Subnet, VpcEndpoint};
use crate::reach::{Hop, HopKind, Tracer};

/// What the route leg of a path to S3 found.
pub struct S3Leg {
    /// The DNS and route-table hops, in the order the packet meets them.
    pub here: Vec<Hop>,
    /// The hops beyond the route (the endpoint and its policy, or the NAT
    /// or internet gateway), which come after the subnet's own groups and
    /// NACL in the path.
    pub beyond: Vec<Hop>,
    /// The endpoint or gateway the traffic goes through.
    pub via: Option<String>,
}

impl<'n> Tracer<'n> {
    /// The DNS and route hops from `subnet` to `host` on S3. `policy` gives
    /// the gateway endpoint's policy hop for the bucket, `missing` the hop
    /// when nothing routes to S3.
    pub(crate) fn s3_leg(
        &self,
        subnet: &'n Subnet,
        host: &str,
        policy: impl FnOnce(&VpcEndpoint) -> Hop,
        missing: impl FnOnce() -> Hop,
    ) -> S3Leg {
        let mut here = Vec::new();
        let mut beyond = Vec::new();
        let mut via = None;
        here.push(self.vpc_dns_hop(host).unwrap_or_else(|| {
            pass(
                HopKind::Dns,
                &self.w.id,
                format!("{host} resolves to S3's public addresses in {}", self.region),
                self.w.span,
            )
        }));
        match self.public_route(subnet, true) {
            RouteChoice::GatewayEndpoint(ep) => {
                let rt = self.route_table_name();
                here.push(pass(
                    HopKind::RouteTable,
                    &rt,
                    format!("route table {rt} sends S3 traffic to gateway endpoint {} (prefix-list route, more specific than 0.0.0.0/0)", ep.id),
                    ep.route_tables_span,
                ));
                via = Some(ep.id.clone());
                beyond.push(pass(
                    HopKind::GatewayEndpoint,
                    &ep.id,
                    format!("gateway endpoint {} ({})", ep.id, ep.service_text),
                    ep.span,
                ));
                beyond.push(policy(ep));
            }
            RouteChoice::Route(r) => {
                let rt = self.route_table_name();
                here.push(pass(
                    HopKind::RouteTable,
                    &rt,
                    format!("route table {rt}: 0.0.0.0/0 ({}) carries S3 traffic", r.id),
                    r.span,
                ));
                let (h, v) = self.route_target_hops_to(r, "S3", host);
                beyond.extend(h);
                via = v;
            }
            RouteChoice::Unknown(u) => here.push(self.unknown_hop(HopKind::RouteTable, &self.route_table_name(), &u)),
            RouteChoice::None => here.push(missing()),
        }
        S3Leg { here, beyond, via }
    }
}
