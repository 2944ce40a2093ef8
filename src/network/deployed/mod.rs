//! The deployed account as a second source of the same model
//! (`--account-state`, SPEC §7).
//!
//! A template value that names a deployed resource — a parameter value or
//! `Default`, a literal `subnet-…`, `vpc-…`, `sg-…`, `rtb-…`, `pl-…`,
//! `vpce-…`, an instance profile name or ARN, an `Fn::ImportValue` the
//! account's exports answer (resolved in [`crate::resolve`]) — binds to it:
//! the resource joins the [`Network`] as an ordinary element keyed by its
//! AWS ID (logical IDs never contain `-`, so the two cannot clash), with
//! what it transitively needs (a subnet brings its VPC, its route table —
//! the explicit association, else the VPC's main table — and its network
//! ACL; a VPC brings its endpoints and its `default` group; a route brings
//! its NAT or internet gateway). The simulator then traces it like any
//! element of the template; a deployed resource no template value leads to
//! never enters the model, so it is never reported.
//!
//! Every deployed element's span is the template node that brought it in
//! (its [`Anchor`]): a finding on it points where the template names it,
//! and [`Network::deployed`] says where it was read. What the state does not
//! say stays open (an unknown naming the AWS CLI call to run); instances
//! without a subnet land in the default VPC's `DefaultForAz` subnets (VPC
//! UG, "Default VPCs"), or cannot launch when the account has none.
//!
//! The conversions from the API shapes are in [`ec2`] and [`iam`]; the
//! account's per-Region settings in [`settings`].

mod ec2;
mod iam;
mod json;
pub mod settings;

use std::collections::{HashMap, HashSet};

use super::iam::{InstanceProfile, Role};
use super::nacl::NetworkAcl;
use super::sg::{Peer, SecurityGroup};
use super::{Ident, InternetGateway, NatGateway, Network, RouteTable, RouteTarget, Subnet, Vpc, VpcEndpoint, Workload};
use crate::finding::StateRef;
use crate::resolve::{Existence, Open, RNode, Resolved, Unknown, Val};
use crate::source::Span;
use crate::state::{Kind, Origin, RegionState};

/// A deployed resource in the model: where it was read and which template
/// node brought it in.
#[derive(Clone, Debug)]
pub struct Deployed {
    /// Its file, JSON Pointer and ID.
    pub state: StateRef,
    /// The template node that names it (or names what led to it); `None`
    /// for an account setting no template node names (Block Public Access,
    /// Session Manager preferences: [`settings`]).
    pub anchor: Option<Anchor>,
    /// What it is to the workload, when that is not its kind alone (`the
    /// main route table of vpc-…`, `the default subnet of vpc-… in
    /// us-east-1a`).
    pub role: Option<String>,
}

/// A template node that names a deployed resource, and the resource of the
/// template it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// The node (a `!Ref` of a parameter, a literal ID, an `Fn::ImportValue`).
    pub span: Span,
    /// The logical ID of the template resource whose property it is.
    pub resource: String,
}

/// Binds the template values of `net` that name deployed resources to the
/// account state of `resolved`'s context (nothing happens without one).
pub fn bind(net: &mut Network, resolved: &Resolved) {
    let Some(state) = resolved.ctx.account_state.as_ref() else { return };
    let rs = state.region(&resolved.ctx.region);
    let taken: HashSet<String> = net.index.keys().cloned().collect();
    let mut b = Binder {
        rs,
        region: &resolved.ctx.region,
        anchors: anchors(resolved),
        taken,
        bound: HashMap::new(),
        out: Out::default(),
    };
    bind_template(net, &mut b, resolved);
    b.account_settings(&mut net.account);
    b.finish(net);
}

/// Elements made from the state, appended to the model at the end.
#[derive(Default)]
struct Out {
    vpcs: Vec<Vpc>,
    subnets: Vec<Subnet>,
    route_tables: Vec<RouteTable>,
    igws: Vec<InternetGateway>,
    nats: Vec<NatGateway>,
    groups: Vec<SecurityGroup>,
    nacls: Vec<NetworkAcl>,
    endpoints: Vec<VpcEndpoint>,
    profiles: Vec<InstanceProfile>,
    roles: Vec<Role>,
    managed_policies: Vec<(String, RNode)>,
    deployed: HashMap<String, Deployed>,
    default_groups: HashMap<String, String>,
}

/// The binding in progress: the state of one region, the template nodes
/// that name IDs, and what has been bound so far.
struct Binder<'s> {
    rs: RegionState<'s>,
    region: &'s str,
    anchors: HashMap<String, Anchor>,
    /// IDs of the template's own elements (an IAM name equal to one is not bound).
    taken: HashSet<String>,
    /// ID → bound (true) or looked up and not in the state (false).
    bound: HashMap<String, bool>,
    out: Out,
}

impl<'s> Binder<'s> {
    /// The anchor of a value: the first template node holding it, else `fallback`.
    fn anchor_of(&self, text: &str, fallback: &Anchor) -> Anchor {
        self.anchors.get(text).cloned().unwrap_or_else(|| fallback.clone())
    }

    /// Records a deployed element.
    fn record(&mut self, id: &str, origin: &Origin, anchor: &Anchor, role: Option<String>) {
        let state = StateRef { file: origin.file.clone(), pointer: origin.pointer.clone(), id: id.to_string() };
        self.out.deployed.insert(id.to_string(), Deployed { state, anchor: Some(anchor.clone()), role });
    }

    /// Binds the EC2 resource `id` (by its prefix) when the state holds it;
    /// true when it is (now) an element of the model.
    fn bind_id(&mut self, id: &str, anchor: &Anchor) -> bool {
        if let Some(&done) = self.bound.get(id) {
            return done;
        }
        // marked before converting: a VPC's endpoints name the VPC again
        self.bound.insert(id.to_string(), true);
        // a resource the template names is anchored where it names it,
        // whatever led to it first
        let anchor = &self.anchors.get(id).cloned().unwrap_or_else(|| anchor.clone());
        let rs = self.rs;
        let found = match id.split_once('-').map(|(p, _)| p) {
            Some("vpc") => rs.vpc(id).map(|v| self.vpc(v, anchor)).is_some(),
            Some("subnet") => rs.subnet(id).map(|s| self.subnet(s, anchor)).is_some(),
            Some("rtb") => rs.route_table(id).map(|t| self.route_table(t, anchor, None)).is_some(),
            Some("sg") => rs.security_group(id).map(|g| self.group(g, anchor)).is_some(),
            Some("acl") => rs.network_acl(id).map(|a| self.nacl(a, anchor)).is_some(),
            Some("vpce") => rs.vpc_endpoint(id).is_some_and(|e| self.endpoint(e, anchor)),
            Some("igw") => rs.internet_gateway(id).map(|g| self.igw(g, anchor)).is_some(),
            Some("nat") => rs.nat_gateway(id).is_some_and(|n| self.nat(n, anchor)),
            _ => false,
        };
        self.bound.insert(id.to_string(), found);
        found
    }

    /// An ident bound to the deployed resource `id`, or left as it is.
    fn ident(&mut self, id: &str, anchor: &Anchor) -> Ident {
        if self.bind_id(id, anchor) { Ident::Resource(id.to_string()) } else { Ident::External(id.to_string()) }
    }

    /// Rebinds a template ident that names an ID outside the template.
    fn rebind(&mut self, ident: &mut Ident, fallback: &Anchor) {
        if let Ident::External(id) = ident {
            let anchor = self.anchor_of(id, fallback);
            if self.bind_id(id, &anchor) {
                *ident = Ident::Resource(id.clone());
            }
        }
    }

    /// [`Binder::rebind`], and an ID of a kind the state reads that it does
    /// not hold becomes an open value saying why (not in the output read,
    /// or no such output).
    fn rebind_or_open(&mut self, ident: &mut Ident, fallback: &Anchor) {
        self.rebind(ident, fallback);
        let Ident::External(id) = &*ident else { return };
        let Some(kind) = kind_of(id) else { return };
        let anchor = self.anchor_of(id, fallback);
        let reason = if self.exists(id) {
            format!("`{id}` is in the account state, but not available")
        } else if self.rs.has(kind) {
            format!(
                "`{id}` is not in the account state (`{}` for {}): it belongs to another account or region, or is newer than the state",
                kind.call(),
                self.region
            )
        } else {
            format!(
                "`{id}` is outside the template, and the account state has no `{}` output for {}",
                kind.call(),
                self.region
            )
        };
        let open = Open::State { what: format!("what `{id}` is"), call: kind.call().to_string() };
        *ident = Ident::Unknown(Unknown::decided_by(reason, anchor.span, open));
    }

    /// True when the state holds `id`, bound or not (an endpoint that is not
    /// `available` is not bound).
    fn exists(&self, id: &str) -> bool {
        match kind_of(id) {
            Some(Kind::VpcEndpoints) => self.rs.vpc_endpoint(id).is_some(),
            Some(Kind::NatGateways) => self.rs.nat_gateway(id).is_some(),
            _ => false,
        }
    }

    /// An unknown for what the state does not say, naming the call whose
    /// output would.
    fn open(&self, what: String, kind: Kind, anchor: &Anchor) -> Unknown {
        let reason = format!("the account state does not say {what} (save the output of `{}` with it)", kind.call());
        Unknown::decided_by(reason, anchor.span, Open::State { what, call: kind.call().to_string() })
    }

    /// The route table of `vpc`'s subnets that have no explicit association.
    fn main_table(&mut self, vpc: &str, anchor: &Anchor) -> Ident {
        match self.rs.main_route_table(vpc) {
            Some(t) => {
                let id = t.value.route_table_id.clone();
                if !self.bound.contains_key(&id) {
                    self.bound.insert(id.clone(), true);
                    self.route_table(t, anchor, Some(format!("the main route table of {vpc}")));
                }
                Ident::Resource(id)
            }
            None => Ident::Unknown(self.open(format!("the main route table of {vpc}"), Kind::RouteTables, anchor)),
        }
    }

    /// The network ACL of `vpc`'s subnets that no ACL lists: its default one.
    fn default_acl(&mut self, vpc: &str, anchor: &Anchor) -> Ident {
        match self.rs.default_network_acl(vpc).map(|a| a.value.network_acl_id.clone()) {
            Some(id) if self.bind_id(&id, anchor) => Ident::Resource(id),
            _ => Ident::Unknown(self.open(format!("the default network ACL of {vpc}"), Kind::NetworkAcls, anchor)),
        }
    }

    /// Appends what was bound to `net` and indexes it.
    fn finish(self, net: &mut Network) {
        let o = self.out;
        net.vpcs.extend(o.vpcs);
        net.subnets.extend(o.subnets);
        net.route_tables.extend(o.route_tables);
        net.igws.extend(o.igws);
        net.nats.extend(o.nats);
        net.groups.extend(o.groups);
        net.nacls.extend(o.nacls);
        net.endpoints.extend(o.endpoints);
        net.profiles.extend(o.profiles);
        net.roles.extend(o.roles);
        net.managed_policies.extend(o.managed_policies);
        net.deployed.extend(o.deployed);
        net.default_groups.extend(o.default_groups);
        super::build::reindex(net);
    }
}

/// The call whose output lists resources with `id`'s prefix.
fn kind_of(id: &str) -> Option<Kind> {
    Some(match id.split_once('-')?.0 {
        "vpc" => Kind::Vpcs,
        "subnet" => Kind::Subnets,
        "rtb" => Kind::RouteTables,
        "sg" => Kind::SecurityGroups,
        "acl" => Kind::NetworkAcls,
        "vpce" => Kind::VpcEndpoints,
        "igw" => Kind::InternetGateways,
        "nat" => Kind::NatGateways,
        _ => return None,
    })
}

/// Every string value of the template's live resources, at its first node:
/// where a deployed ID (or name) is named.
fn anchors(resolved: &Resolved) -> HashMap<String, Anchor> {
    let mut out: HashMap<String, Anchor> = HashMap::new();
    for r in resolved.resources.iter().filter(|r| r.exists != Existence::No) {
        r.properties.walk(&mut |n| {
            if let Val::Str(s) = &n.val
                && s.len() <= 2048
                && !out.contains_key(s)
            {
                out.insert(s.clone(), Anchor { span: n.span, resource: r.id.clone() });
            }
        });
    }
    out
}

/// True when the workload has no subnet and launches into the default VPC.
fn in_default_vpc(w: &Workload) -> bool {
    matches!(&w.subnet, Ident::Unknown(u) if u.open == Some(Open::DefaultVpc))
}

/// Binds every ident of the template's elements that names a deployed
/// resource, and places workloads without a subnet in the default VPC.
fn bind_template(net: &mut Network, b: &mut Binder<'_>, resolved: &Resolved) {
    let own = |id: &str, span: Span| Anchor { span, resource: id.to_string() };
    for s in &mut net.subnets {
        let a = own(&s.id, s.span);
        b.rebind_or_open(&mut s.vpc, &a);
        if let Some(rt) = &mut s.route_table {
            b.rebind(rt, &a);
        }
        if let Some(acl) = &mut s.nacl {
            b.rebind(acl, &a);
        }
        // a subnet of the template in a deployed VPC: its main table and
        // default ACL are the account's, not "local only" and "allow all"
        if let Ident::Resource(vpc) = &s.vpc
            && b.out.deployed.contains_key(vpc)
        {
            let vpc_anchor = b.anchor_of(vpc, &a);
            if s.route_table.is_none() {
                s.route_table = Some(b.main_table(vpc, &vpc_anchor));
            }
            if s.nacl.is_none() {
                s.nacl = Some(b.default_acl(vpc, &vpc_anchor));
            }
        }
    }
    for t in &mut net.route_tables {
        let a = own(&t.id, t.span);
        b.rebind(&mut t.vpc, &a);
        for r in &mut t.routes {
            let ra = own(&r.id, r.span);
            match &mut r.target {
                RouteTarget::NatGateway(n) | RouteTarget::InternetGateway(n) => b.rebind(n, &ra),
                RouteTarget::Other(key, Ident::External(id)) if key == "GatewayId" && id.starts_with("igw-") => {
                    let anchor = b.anchor_of(id, &ra);
                    if b.bind_id(id, &anchor) {
                        r.target = RouteTarget::InternetGateway(Ident::Resource(id.clone()));
                    }
                }
                _ => {}
            }
        }
    }
    for g in &mut net.igws {
        let a = own(&g.id, g.span);
        for v in &mut g.attached {
            b.rebind(v, &a);
        }
    }
    for n in &mut net.nats {
        let a = own(&n.id, n.span);
        if let Some(s) = &mut n.subnet {
            b.rebind(s, &a);
        }
    }
    for e in &mut net.endpoints {
        let a = own(&e.id, e.span);
        b.rebind_or_open(&mut e.vpc, &a);
        for i in e.route_tables.iter_mut().chain(e.subnets.iter_mut()).chain(e.groups.iter_mut()) {
            b.rebind(i, &a);
        }
    }
    for acl in &mut net.nacls {
        let a = own(&acl.id, acl.span);
        b.rebind(&mut acl.vpc, &a);
    }
    for g in &mut net.groups {
        let a = own(&g.id, g.span);
        if let Some(v) = &mut g.vpc {
            b.rebind(v, &a);
        }
        for rule in g.ingress.iter_mut().chain(g.egress.iter_mut()) {
            let ra = Anchor { span: rule.peer_span, resource: rule.standalone.clone().unwrap_or_else(|| g.id.clone()) };
            match &mut rule.peer {
                Peer::Group(i) => b.rebind(i, &ra),
                Peer::PrefixList(Ident::External(pl)) => {
                    let anchor = b.anchor_of(pl, &ra);
                    if let Some(peer) = b.prefix_list_peer(&pl.clone(), &anchor) {
                        rule.peer = peer;
                    }
                }
                _ => {}
            }
        }
    }
    for p in &mut net.profiles {
        let a = own(&p.id, p.span);
        for r in &mut p.roles {
            if let Ident::External(name) = r {
                let anchor = b.anchor_of(name, &a);
                if let Some(id) = b.bind_role(&name.clone(), &anchor) {
                    *r = Ident::Resource(id);
                }
            }
        }
    }
    for role in &net.roles {
        // customer managed policies of the account a template role attaches
        for arn in role.managed.iter().chain(role.boundary.iter().map(|(a, _)| a)) {
            if let Some(text) = arn.text() {
                b.policy_document(text, text, arn.span);
            }
        }
    }
    let workloads = std::mem::take(&mut net.workloads);
    for mut w in workloads {
        if let Some((Ident::External(name), span)) = &w.profile {
            let anchor = b.anchor_of(name, &Anchor { span: *span, resource: w.id.clone() });
            let (name, span) = (name.clone(), *span);
            match b.bind_profile(&name, &anchor) {
                Some(id) => w.profile = Some((Ident::Resource(id), span)),
                None if b.rs.has(Kind::Iam) && !b.taken.contains(&name) => {
                    let reason = format!(
                        "instance profile `{name}` is not in the account state (`{}`): it does not exist yet, or the state is older than it",
                        Kind::Iam.call()
                    );
                    let open = Open::State {
                        what: format!("what instance profile `{name}` is"),
                        call: Kind::Iam.call().into(),
                    };
                    w.profile = Some((Ident::Unknown(Unknown::decided_by(reason, anchor.span, open)), span));
                }
                None => {}
            }
        }
        // the subnet first: what it brings is anchored at it
        let placed = if in_default_vpc(&w) {
            b.default_vpc(w, resolved, &mut net.no_default_vpc)
        } else {
            let sa = b.anchor_of(ident_text(&w.subnet), &Anchor { span: w.subnet_span, resource: w.id.clone() });
            b.rebind_or_open(&mut w.subnet, &sa);
            vec![w]
        };
        for mut w in placed {
            let ga = Anchor { span: w.groups_span, resource: w.id.clone() };
            for g in &mut w.groups {
                b.rebind_or_open(g, &ga);
            }
            net.workloads.push(w);
        }
    }
}

/// The text of an external ident (for its anchor).
fn ident_text(i: &Ident) -> &str {
    match i {
        Ident::External(s) | Ident::Resource(s) => s,
        Ident::Unknown(_) => "",
    }
}

impl Binder<'_> {
    /// Places a workload without a subnet: one copy per default subnet of
    /// the default VPC it may land in (its zone's, when the template names
    /// one), PN109 when the account has VPCs but no default one.
    fn default_vpc(
        &mut self,
        w: Workload,
        resolved: &Resolved,
        no_default: &mut HashMap<String, Span>,
    ) -> Vec<Workload> {
        use crate::state::DefaultVpc;
        let anchor = Anchor { span: w.span, resource: w.id.clone() };
        let vpc = match self.rs.default_vpc() {
            DefaultVpc::Found(v) => v,
            DefaultVpc::NoDefault => {
                no_default.insert(w.id.clone(), w.span);
                return vec![w];
            }
            DefaultVpc::NotRead => return vec![w],
        };
        let vpc_id = vpc.value.vpc_id.clone();
        self.bind_id(&vpc_id, &anchor);
        let zones = zones_of(resolved, &w.id);
        let subnets: Vec<String> = self
            .rs
            .default_subnets(&vpc_id)
            .into_iter()
            .filter(|s| {
                zones.is_empty() || s.value.availability_zone.as_ref().is_some_and(|z| zones.iter().any(|x| x == z))
            })
            .map(|s| s.value.subnet_id.clone())
            .collect();
        if subnets.is_empty() {
            let mut w = w;
            let what = if zones.is_empty() {
                format!("the default VPC {vpc_id} has no default subnet (`DefaultForAz`)")
            } else {
                format!("the default VPC {vpc_id} has no default subnet in {}", zones.join(", "))
            };
            w.subnet = Ident::Unknown(self.open(what, Kind::Subnets, &anchor));
            return vec![w];
        }
        let mut out = Vec::with_capacity(subnets.len());
        for s in subnets {
            if self.bind_id(&s, &anchor) {
                if let Some(d) = self.out.deployed.get_mut(&s) {
                    d.role = Some(format!("a default subnet of the default VPC {vpc_id}"));
                }
                let mut placed = w.clone();
                placed.subnet = Ident::Resource(s);
                placed.subnet_span = w.span;
                out.push(placed);
            }
        }
        out
    }
}

/// The zones a workload's template names: an instance's
/// `AvailabilityZone`, an Auto Scaling group's `AvailabilityZones`.
fn zones_of(resolved: &Resolved, id: &str) -> Vec<String> {
    let Some(r) = resolved.resource(id) else { return Vec::new() };
    let node = r.prop("AvailabilityZone").or_else(|| r.prop("AvailabilityZones"));
    match node.map(|n| &n.val) {
        Some(Val::Str(z)) => vec![z.clone()],
        Some(Val::List(items)) => {
            let zones: Vec<String> = items.iter().filter_map(|i| i.text().map(str::to_string)).collect();
            // a zone that is not known leaves every zone possible
            if zones.len() == items.len() { zones } else { Vec::new() }
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
