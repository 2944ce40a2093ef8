//! Beyond the workload's VPC route table: through an AWS Network Firewall
//! (its policy, then its subnets' routes) or a transit gateway (its route
//! tables, the next VPC's attachment subnet and routes, and the way back),
//! tracing on as the same workload in the subnet the traffic reaches.
//! Transit Gateway guide, "Amazon VPC attachments" and "Example: Centralized
//! outbound routing to the internet".

use super::route::{RouteChoice, RouteTableRef, describe_target};
use super::{pass, unknown};
use crate::finding::Code;
use crate::network::transit::{BackVia, Firewall, TgwAttachment};
use crate::network::{Az, Destination, Ident, Route, RouteTarget, Subnet};
use crate::reach::{Blocker, Hop, HopKind, Tracer, Verdict};

impl<'n> Tracer<'n> {
    /// True when this tracer stands in a VPC the traffic reached through a
    /// transit gateway (not the workload's own VPC).
    pub(super) fn transited(&self) -> bool {
        let own = self.w.subnet.id().and_then(|id| self.net.subnet(id)).and_then(|s| self.net.vpc_of_subnet(s));
        own.map(|v| v.id.as_str()) != self.vpc.map(|v| v.id.as_str())
    }

    /// The same workload traced from `subnet` on (after a transit gateway).
    fn in_subnet(&self, subnet: &'n Subnet) -> Tracer<'n> {
        Tracer {
            net: self.net,
            region: self.region,
            w: self.w,
            subnet: Some(subnet),
            vpc: self.net.vpc_of_subnet(subnet),
            group_idents: self.group_idents.clone(),
            port: self.port,
        }
    }

    /// The default route of `subnet`'s route table and what follows it.
    fn onward(
        &self,
        subnet: &'n Subnet,
        why_here: &str,
        peer: &str,
        host: &str,
        depth: usize,
    ) -> (Vec<Hop>, Option<String>) {
        match self.public_route(subnet, false) {
            RouteChoice::Route(r) => {
                let rt = match self.route_table_of(subnet) {
                    RouteTableRef::Table(rt) => rt.id.clone(),
                    _ => subnet.id.clone(),
                };
                let mut hops = vec![pass(
                    HopKind::RouteTable,
                    &rt,
                    format!("{why_here}; route table {rt}: 0.0.0.0/0 ({})", r.id),
                    r.span,
                )];
                let (more, via) = self.beyond(r, peer, host, depth + 1);
                hops.extend(more);
                (hops, via)
            }
            RouteChoice::Unknown(u) => (vec![self.unknown_hop(HopKind::RouteTable, &subnet.id, &u)], None),
            RouteChoice::None | RouteChoice::GatewayEndpoint(_) => {
                let why = format!("{why_here}, but the route table of subnet {} has no 0.0.0.0/0 route", subnet.id);
                (
                    vec![unknown(
                        HopKind::RouteTable,
                        &subnet.id,
                        why.clone(),
                        Blocker {
                            code: Code::PN106,
                            span: subnet.span,
                            resource: Some(subnet.id.clone()),
                            why,
                            fix: format!("Route 0.0.0.0/0 from subnet {} to a NAT gateway.", subnet.id),
                        },
                    )],
                    None,
                )
            }
        }
    }

    /// Through a Network Firewall: its policy, then its subnet's route.
    pub(super) fn firewall_hops(
        &self,
        fw: &'n Firewall,
        route: &Route,
        peer: &str,
        host: &str,
        depth: usize,
    ) -> (Vec<Hop>, Option<String>) {
        let fix =
            format!("Check that firewall {} lets HTTPS to {peer} through, then suppress PN106 on {}.", fw.id, route.id);
        let passed = match fw.https_verdict(host) {
            Ok(why) => why,
            Err(why) => {
                let why = format!(
                    "the deciding route {} sends the traffic through Network Firewall {}: {why}",
                    route.id, fw.id
                );
                return (vec![self.route_unknown(route, why, fix)], None);
            }
        };
        let subnets: Vec<&'n Subnet> =
            fw.subnets.iter().filter_map(|s| s.id().and_then(|id| self.net.subnet(id))).collect();
        if subnets.is_empty() || subnets.len() != fw.subnets.len() {
            let why = format!(
                "the deciding route {} sends the traffic to Network Firewall {}, whose subnets are not all in the template",
                route.id, fw.id
            );
            return (vec![self.route_unknown(route, why, fix)], None);
        }
        let mut first = None;
        // which AZ's endpoint a route picks is not knowable: every subnet must work
        for s in subnets {
            let mut hops = vec![pass(
                HopKind::RouteTable,
                &fw.id,
                format!("Network Firewall {} lets HTTPS to {peer} through ({passed})", fw.id),
                fw.span,
            )];
            let (more, via) = self.onward(s, &format!("the firewall's subnet {}", s.id), peer, host, depth);
            hops.extend(more);
            if hops.iter().any(|h| h.verdict != Verdict::Pass) {
                return (hops, via);
            }
            first.get_or_insert((hops, via));
        }
        first.unwrap_or_default()
    }

    /// Through a transit gateway: the route table of the source VPC's
    /// attachment, its `0.0.0.0/0` route, then the target attachment's VPC.
    pub(super) fn tgw_hops(
        &self,
        tgw: &str,
        route: &Route,
        peer: &str,
        host: &str,
        depth: usize,
    ) -> (Vec<Hop>, Option<String>) {
        let transit = &self.net.transit;
        let fix = format!("Check the path beyond transit gateway {tgw} by hand, then suppress PN106 on {}.", route.id);
        let say = |detail: String| {
            format!("the deciding route {} sends the traffic to transit gateway {tgw}, {detail}", route.id)
        };
        let vpc = self.vpc.map(|v| v.id.as_str()).unwrap_or_default();
        let Some(att) = transit.attachment_of(tgw, vpc) else {
            return (
                vec![self.route_unknown(
                    route,
                    say(format!("but VPC {vpc} has no attachment to it in the template")),
                    fix,
                )],
                None,
            );
        };
        // traffic enters the gateway only through an attachment subnet in
        // the source's Availability Zone (Transit Gateway guide, "Amazon VPC
        // attachments": limits)
        if let Some(az) = self.subnet.and_then(|s| s.az.as_ref()) {
            let zones: Vec<&Az> = att
                .subnets
                .iter()
                .filter_map(|s| s.id().and_then(|id| self.net.subnet(id)).and_then(|s| s.az.as_ref()))
                .collect();
            if zones.len() == att.subnets.len() && zones.iter().all(|z| z.same(az) == Some(false)) {
                let listed = zones.iter().map(|z| z.to_string()).collect::<Vec<_>>().join(", ");
                return (
                    vec![self.unknown_at(
                        &att.id,
                        att.subnets_span,
                        say(format!(
                            "but attachment {} has no subnet in {az} (only {listed}), and a transit gateway takes traffic only from an attachment subnet in the source's Availability Zone",
                            att.id
                        )),
                        format!("Add a subnet in {az} to the SubnetIds of {}.", att.id),
                    )],
                    None,
                );
            }
        }
        let table = match &att.route_table {
            Some(Ident::Resource(t)) => t.clone(),
            Some(other) => {
                return (
                    vec![self.route_unknown(
                        route,
                        say(format!("whose route table for attachment {} is {}", att.id, other.describe())),
                        fix,
                    )],
                    None,
                );
            }
            None => {
                let default = transit.gateway(tgw).is_some_and(|g| g.default_association);
                let detail = if default {
                    format!(
                        "where attachment {} uses the gateway's default route table, whose routes are not in the template",
                        att.id
                    )
                } else {
                    format!("but attachment {} is associated with no route table", att.id)
                };
                return (vec![self.route_unknown(route, say(detail), fix)], None);
            }
        };
        let mut table = table;
        let mut hops = Vec::new();
        // through firewalls attached to the gateway (each one's traffic is
        // routed on by the table associated with its attachment)
        let (tr, next) = loop {
            let Some(tr) = transit.default_route(&table) else {
                return (
                    vec![self.route_unknown(
                        route,
                        say(format!("whose route table {table} has no static 0.0.0.0/0 route")),
                        fix,
                    )],
                    None,
                );
            };
            let target = match &tr.attachment {
                Some(Ident::Resource(a)) => a.as_str(),
                other => {
                    let what = match other {
                        None => "drops it (blackhole)".to_string(),
                        Some(a) => format!("sends it to attachment {}", a.describe()),
                    };
                    return (vec![self.route_unknown(route, say(format!("whose route {} {what}", tr.id)), fix)], None);
                }
            };
            if let Some(next) = transit.attachment(target) {
                break (tr, next);
            }
            let fw = self.net.firewalls.iter().find(|f| f.id == target);
            let after = transit.firewall_tables.iter().find(|(f, _)| f == target).and_then(|(_, t)| t.id());
            let (Some(fw), Some(after)) = (fw, after) else {
                let why = format!(
                    "whose route {} sends it to {target}, which is not a VPC attachment of the template",
                    tr.id
                );
                return (vec![self.route_unknown(route, say(why), fix)], None);
            };
            if hops.len() >= 4 {
                return (
                    vec![self.route_unknown(
                        route,
                        say("through more firewalls than privnet-lint follows".into()),
                        fix,
                    )],
                    None,
                );
            }
            match fw.https_verdict(host) {
                Ok(why) => hops.push(pass(
                    HopKind::RouteTable,
                    &fw.id,
                    format!(
                        "transit gateway {tgw}: route table {table} sends 0.0.0.0/0 ({}) to Network Firewall {}, which lets HTTPS to {peer} through ({why}); route table {after} takes it on",
                        tr.id, fw.id
                    ),
                    tr.span,
                )),
                Err(why) => {
                    let why = say(format!("whose route {} sends it through Network Firewall {}: {why}", tr.id, fw.id));
                    return (vec![self.route_unknown(route, why, fix)], None);
                }
            }
            table = after.to_string();
        };
        let subnets: Vec<&Subnet> =
            next.subnets.iter().filter_map(|s| s.id()).filter_map(|id| self.net.subnet(id)).collect();
        if subnets.is_empty() {
            return (
                vec![self.route_unknown(
                    route,
                    say(format!("then to attachment {}, whose subnets are not in the template", next.id)),
                    fix,
                )],
                None,
            );
        }
        // The gateway hands the traffic to the attachment's subnet in the
        // source's Availability Zone when it has one; otherwise the subnets
        // must all route it the same way for the answer not to depend on it.
        let az = self.subnet.and_then(|s| s.az.as_ref());
        let same_zone = subnets.iter().find(|s| az.zip(s.az.as_ref()).and_then(|(a, b)| a.same(b)) == Some(true));
        let candidates: Vec<&Subnet> = match same_zone {
            Some(s) => vec![s],
            None => subnets,
        };
        let mut onward: Vec<(&Subnet, Vec<Hop>, Option<String>)> = Vec::new();
        for subnet in candidates {
            let there = self.in_subnet(subnet);
            let (more, via) = there.onward(subnet, &format!("attachment subnet {}", subnet.id), peer, host, depth);
            onward.push((subnet, more, via));
        }
        let outcome = |hops: &[Hop]| {
            if hops.iter().any(|h| h.verdict == Verdict::Block) {
                Verdict::Block
            } else if hops.iter().any(|h| h.verdict == Verdict::Unknown) {
                Verdict::Unknown
            } else {
                Verdict::Pass
            }
        };
        let first = outcome(&onward[0].1);
        if let Some((other, _, _)) = onward.iter().find(|(_, h, _)| outcome(h) != first) {
            let why = say(format!(
                "then to attachment {}, whose subnets {} and {} route it differently; which one it leaves by depends on the source's Availability Zone, which the template does not tie to one of theirs",
                next.id, onward[0].0.id, other.id
            ));
            return (vec![self.route_unknown(route, why, fix)], None);
        }
        let (out_subnet, more, via) = onward.swap_remove(0);
        // the replies come back the same way: only worth asking when the
        // way out works
        if first == Verdict::Pass
            && let Some(h) = self.tgw_return_hop(tgw, att, next, out_subnet)
        {
            return (vec![h], None);
        }
        hops.push(pass(
            HopKind::RouteTable,
            tgw,
            format!(
                "transit gateway {tgw}: route table {table} sends 0.0.0.0/0 ({}) to attachment {} (VPC {})",
                tr.id,
                next.id,
                next.vpc.describe()
            ),
            tr.span,
        ));
        hops.extend(more);
        (hops, via)
    }

    /// The way back through a transit gateway, when the template shows it
    /// broken (an unknown hop, PN106, at the route table or attachment to
    /// edit): the replies reach the NAT gateway of
    /// the egress VPC, whose subnet's route table must send the source
    /// subnet's CIDR to the gateway, and the gateway route table of the
    /// egress attachment must send it to the source attachment (a static
    /// route or the source attachment's propagated CIDR, longest prefix
    /// first). Transit Gateway guide, "Example: Centralized outbound routing
    /// to the internet". `None` when it works or cannot be told.
    fn tgw_return_hop(
        &self,
        tgw: &str,
        att: &TgwAttachment,
        next: &TgwAttachment,
        out_subnet: &'n Subnet,
    ) -> Option<Hop> {
        let src = self.subnet?;
        let src_cidr = src.cidr?;
        let fix = |what: String, on: &str| format!("{what}; or suppress PN106 on {on} once verified.");
        // 1. the NAT gateway's subnet sends the replies to the gateway
        if let RouteChoice::Route(r) = self.public_route(out_subnet, false)
            && let RouteTarget::NatGateway(nat) = &r.target
            && let Some(nat) = nat.id().and_then(|id| self.net.nat(id))
            && let Some(nat_subnet) = nat.subnet.as_ref().and_then(Ident::id).and_then(|id| self.net.subnet(id))
            && let RouteTableRef::Table(rt) = self.route_table_of(nat_subnet)
        {
            let back = rt
                .routes
                .iter()
                .filter_map(|x| match &x.destination {
                    // longest prefix first, then a plain route before a prefix list's
                    Destination::Cidr(c) if c.contains(&src_cidr) => {
                        Some(((c.prefix_len(), x.prefix_list.is_none()), x))
                    }
                    _ => None,
                })
                .max_by_key(|(rank, _)| *rank);
            let to_tgw = |x: &Route| matches!(&x.target, RouteTarget::Other(k, i) if k == "TransitGatewayId" && i.id() == Some(tgw));
            // a route to a prefix list (say, of the spokes' CIDRs) may cover
            // the source: then the template cannot tell
            let known_dest = rt.routes.iter().all(|x| match x.destination {
                Destination::Unknown(_) => false,
                Destination::Other => !to_tgw(x),
                _ => true,
            });
            match back {
                Some((_, x)) if to_tgw(x) => {}
                Some((_, x)) if matches!(x.target, RouteTarget::Other(..)) => {}
                other if known_dest => {
                    let sent = match other {
                        Some((_, x)) => format!("sends {src_cidr} to {} ({})", describe_target(&x.target), x.id),
                        None => format!("has no route for {src_cidr}"),
                    };
                    let why = format!(
                        "the way back is broken: route table {} of NAT gateway {}'s subnet {} {sent}, not to transit gateway {tgw}, so the replies for {} never return",
                        rt.id, nat.id, nat_subnet.id, src.id
                    );
                    return Some(self.unknown_at(
                        &rt.id,
                        rt.span,
                        why,
                        fix(
                            format!(
                                "Add a route for {src_cidr} (or the spokes' range) to transit gateway {tgw} in route table {}",
                                rt.id
                            ),
                            &rt.id,
                        ),
                    ));
                }
                _ => {}
            }
        }
        // 2. the egress attachment's gateway route table sends them to the
        // source attachment, possibly through firewalls attached to the
        // gateway (each one's attachment table takes over, as on the way out)
        let transit = &self.net.transit;
        let Some(Ident::Resource(first)) = &next.route_table else { return None };
        let cidrs = |vpc: &Ident| vpc.id().and_then(|id| self.net.vpc(id)).map(|v| v.cidrs.clone()).unwrap_or_default();
        let mut table = first.clone();
        let mut firewalls = 0;
        let sent = loop {
            let back = transit.route_back(tgw, &table, src_cidr, &cidrs).ok()?;
            break match &back {
                Some((_, BackVia::Propagated(a))) if a == &att.id => return None,
                Some((_, BackVia::Static(_, Some(a)))) if a.id() == Some(att.id.as_str()) => return None,
                Some((_, BackVia::Static(_, Some(Ident::Resource(a))))) if transit.attachment(a).is_none() => {
                    // a firewall attached to the gateway: its table goes on
                    match transit.firewall_tables.iter().find(|(f, _)| f == a).and_then(|(_, t)| t.id()) {
                        Some(after) if firewalls < 4 => {
                            firewalls += 1;
                            table = after.to_string();
                            continue;
                        }
                        _ => return None,
                    }
                }
                Some((_, BackVia::Static(_, Some(a)))) if a.id().is_none() => return None,
                Some((net, BackVia::Static(id, Some(a)))) => format!("sends {net} to {} ({id})", a.describe()),
                Some((net, BackVia::Static(id, None))) => format!("drops {net} (blackhole route {id})"),
                Some((net, BackVia::Propagated(a))) => format!("sends {net} to attachment {a}"),
                None => format!("has no route for {src_cidr} (neither a static route nor a propagation of {})", att.id),
            };
        };
        let why = format!(
            "the way back is broken: transit gateway route table {table} of attachment {} {sent}, not to attachment {} of {}'s VPC, so the replies never return",
            next.id, att.id, src.id
        );
        Some(self.unknown_at(
            &att.id,
            att.span,
            why,
            fix(
                format!(
                    "Add an AWS::EC2::TransitGatewayRouteTablePropagation of {} to {table} (or a static route for {src_cidr} to {})",
                    att.id, att.id
                ),
                &att.id,
            ),
        ))
    }
}
