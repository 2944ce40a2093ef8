//! What lies beyond a VPC route table when the template declares it: AWS
//! Network Firewall endpoints and transit gateways.
//!
//! A firewall endpoint route (`VpcEndpointId` picked out of
//! `!GetAtt Firewall.EndpointIds`) hands the traffic to the firewall, whose
//! subnet's route table then decides (Network Firewall guide, "Simple
//! single zone architecture"). The firewall's policy is read only as far as
//! it can be decided without a Suricata engine: rule groups with only
//! `alert`/`pass` rules, domain allow and deny lists, and the stateful
//! default action. Anything else leaves the check unknown.
//!
//! A transit gateway route hands the traffic to the route table associated
//! with the source VPC's attachment (explicit association, else the
//! gateway's default table, which is outside the template), whose static
//! routes send it to another attachment; there the route table of the
//! attachment's subnet in the source's Availability Zone decides (Transit
//! Gateway guide, "How transit gateways work", and "Amazon VPC
//! attachments": traffic enters the gateway only from an attachment subnet
//! in the source's zone). The replies come back through the route table
//! of the NAT gateway's subnet and the gateway route table of the egress
//! attachment, whose static routes and propagations ([`Transit::route_back`])
//! must lead to the source attachment ("Example: Centralized outbound
//! routing to the internet").

use ipnet::Ipv4Net;

use super::Ident;
use crate::resolve::{RNode, Resolved, ResolvedResource, Val};
use crate::source::Span;

/// An `AWS::NetworkFirewall::Firewall`.
#[derive(Clone, Debug)]
pub struct Firewall {
    /// Logical ID.
    pub id: String,
    /// Where it is declared.
    pub span: Span,
    /// The subnets of its endpoints (`SubnetMappings`).
    pub subnets: Vec<Ident>,
    /// Its policy, or why it cannot be read.
    pub policy: Result<FirewallPolicy, String>,
}

/// What a firewall policy does to TLS connections, by server name.
#[derive(Clone, Debug)]
pub struct FirewallPolicy {
    /// Logical ID.
    pub id: String,
    /// The stateful rule groups, by logical ID.
    pub groups: Vec<(String, RuleGroup)>,
    /// `StatefulDefaultActions` drops (or rejects) what no rule passes.
    pub default_drop: bool,
}

/// A stateful rule group, as far as privnet-lint reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleGroup {
    /// Only `alert` and `pass` rules (or none): blocks nothing.
    AlertOrPass,
    /// A domain allow list for TLS SNI: listed names pass, others drop.
    AllowList(Vec<String>),
    /// A domain deny list for TLS SNI: listed names drop.
    DenyList(Vec<String>),
    /// Rules that need a Suricata engine to evaluate (`drop`, `reject`, ...).
    Opaque,
}

/// True when `host` matches a Network Firewall domain-list target
/// (`.example.com` matches the domain and its subdomains).
fn domain_matches(target: &str, host: &str) -> bool {
    let t = target.to_ascii_lowercase();
    let h = host.to_ascii_lowercase();
    match t.strip_prefix('.') {
        Some(d) => h == d || h.ends_with(&t),
        None => h == t,
    }
}

impl Firewall {
    /// `Ok` with what lets HTTPS to `host` through, `Err` with why it is
    /// dropped or cannot be decided.
    pub fn https_verdict(&self, host: &str) -> Result<String, String> {
        let p = self.policy.as_ref().map_err(Clone::clone)?;
        let mut allowed_by = None;
        for (id, g) in &p.groups {
            match g {
                RuleGroup::AlertOrPass => {}
                RuleGroup::Opaque => {
                    return Err(format!(
                        "rule group {id} of firewall {} has drop or reject rules that privnet-lint cannot evaluate",
                        self.id
                    ));
                }
                RuleGroup::DenyList(d) if d.iter().any(|t| domain_matches(t, host)) => {
                    return Err(format!("rule group {id} of firewall {} denies {host}", self.id));
                }
                RuleGroup::DenyList(_) => {}
                RuleGroup::AllowList(a) if a.iter().any(|t| domain_matches(t, host)) => {
                    allowed_by.get_or_insert(format!("rule group {id} allows {host}"));
                }
                RuleGroup::AllowList(_) => {
                    return Err(format!(
                        "the allow list of rule group {id} (firewall {}) does not include {host}",
                        self.id
                    ));
                }
            }
        }
        match allowed_by {
            Some(why) => Ok(why),
            None if p.default_drop => Err(format!(
                "firewall policy {} drops by default and no rule group privnet-lint can read passes {host}",
                p.id
            )),
            None => Ok(format!("the rule groups of policy {} only alert or pass", p.id)),
        }
    }
}

/// The logical ID a `Ref` or `GetAtt` value names.
fn named(node: &RNode) -> Option<&str> {
    match &node.val {
        Val::Ref(id) | Val::Att(id, _) => Some(id),
        _ => None,
    }
}

fn texts(node: Option<&RNode>) -> Vec<String> {
    node.and_then(RNode::as_list).unwrap_or_default().iter().filter_map(|n| n.text().map(str::to_string)).collect()
}

/// Reads an `AWS::NetworkFirewall::Firewall`.
pub fn firewall(resolved: &Resolved, r: &ResolvedResource) -> Firewall {
    let subnets = r
        .prop("SubnetMappings")
        .and_then(RNode::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.get("SubnetId").map(Ident::of))
        .collect();
    let policy = match r.prop("FirewallPolicyArn").and_then(named).and_then(|id| resolved.resource(id)) {
        Some(p) if p.ty == "AWS::NetworkFirewall::FirewallPolicy" => policy(resolved, p),
        _ => Err(format!("the policy of firewall {} is not declared in the template", r.id)),
    };
    Firewall { id: r.id.clone(), span: r.span, subnets, policy }
}

fn policy(resolved: &Resolved, p: &ResolvedResource) -> Result<FirewallPolicy, String> {
    let doc = p.prop("FirewallPolicy").ok_or_else(|| format!("firewall policy {} has no `FirewallPolicy`", p.id))?;
    // stateless rules are not read: only "everything to the stateful engine"
    let stateless = texts(doc.get("StatelessDefaultActions"));
    if stateless.iter().any(|a| a != "aws:forward_to_sfe") || doc.get("StatelessRuleGroupReferences").is_some() {
        return Err(format!("firewall policy {} has stateless rules or actions privnet-lint does not evaluate", p.id));
    }
    let default_drop = texts(doc.get("StatefulDefaultActions")).iter().any(|a| a.starts_with("aws:drop"));
    let mut groups = Vec::new();
    for reference in doc.get("StatefulRuleGroupReferences").and_then(RNode::as_list).unwrap_or_default() {
        let group = reference.get("ResourceArn").and_then(named).and_then(|id| resolved.resource(id));
        let Some(g) = group.filter(|g| g.ty == "AWS::NetworkFirewall::RuleGroup") else {
            return Err(format!("a rule group of firewall policy {} is not declared in the template", p.id));
        };
        groups.push((g.id.clone(), rule_group(g)));
    }
    Ok(FirewallPolicy { id: p.id.clone(), groups, default_drop })
}

fn rule_group(g: &ResolvedResource) -> RuleGroup {
    let Some(source) = g.prop("RuleGroup").and_then(|rg| rg.get("RulesSource")) else { return RuleGroup::Opaque };
    if let Some(rules) = source.get("RulesString").and_then(RNode::text) {
        let blocks = rules
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .any(|l| !matches!(l.split_whitespace().next(), Some("alert" | "pass")));
        return if blocks { RuleGroup::Opaque } else { RuleGroup::AlertOrPass };
    }
    if let Some(list) = source.get("RulesSourceList") {
        if !texts(list.get("TargetTypes")).iter().any(|t| t == "TLS_SNI") {
            return RuleGroup::AlertOrPass;
        }
        let targets = texts(list.get("Targets"));
        return match list.get("GeneratedRulesType").and_then(RNode::text) {
            Some("ALLOWLIST") => RuleGroup::AllowList(targets),
            Some("DENYLIST") => RuleGroup::DenyList(targets),
            _ => RuleGroup::Opaque,
        };
    }
    RuleGroup::Opaque
}

/// An `AWS::EC2::TransitGateway`.
#[derive(Clone, Debug)]
pub struct TransitGateway {
    /// Logical ID.
    pub id: String,
    /// `DefaultRouteTableAssociation` (CFN default `enable`).
    pub default_association: bool,
    /// `DefaultRouteTablePropagation` (CFN default `enable`): attachments
    /// propagate their VPC's CIDR into the default propagation table.
    pub default_propagation: bool,
    /// `PropagationDefaultRouteTableId`, when set (else the table AWS
    /// creates, which is not in the template).
    pub propagation_table: Option<Ident>,
}

/// A VPC attachment (`AWS::EC2::TransitGatewayAttachment` or
/// `AWS::EC2::TransitGatewayVpcAttachment`).
#[derive(Clone, Debug)]
pub struct TgwAttachment {
    /// Logical ID.
    pub id: String,
    /// Its transit gateway.
    pub tgw: Ident,
    /// The attached VPC.
    pub vpc: Ident,
    /// The subnets its ENIs are in.
    pub subnets: Vec<Ident>,
    /// Where it is declared.
    pub span: Span,
    /// Where to edit its subnets (`SubnetIds`, else the resource).
    pub subnets_span: Span,
    /// The explicitly associated route table.
    pub route_table: Option<Ident>,
}

/// A static transit gateway route (`AWS::EC2::TransitGatewayRoute`).
#[derive(Clone, Debug)]
pub struct TgwRoute {
    /// Logical ID.
    pub id: String,
    /// Where it is declared.
    pub span: Span,
    /// Its route table.
    pub table: Ident,
    /// `DestinationCidrBlock`.
    pub destination: Option<Ipv4Net>,
    /// The attachment it sends to (`None`: `Blackhole`).
    pub attachment: Option<Ident>,
}

/// How a transit gateway route table sends traffic back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackVia {
    /// A static route (its ID) to an attachment (`None`: blackhole).
    Static(String, Option<Ident>),
    /// A CIDR that this attachment propagates.
    Propagated(String),
}

/// Transit gateways, their attachments and static routes.
#[derive(Clone, Debug, Default)]
pub struct Transit {
    /// Transit gateways.
    pub gateways: Vec<TransitGateway>,
    /// VPC attachments.
    pub attachments: Vec<TgwAttachment>,
    /// Static routes.
    pub routes: Vec<TgwRoute>,
    /// `AWS::EC2::TransitGatewayRouteTablePropagation`s: (attachment, table).
    pub propagations: Vec<(Ident, Ident)>,
    /// Route tables with an `AWS::EC2::TransitGatewayPrefixListReference`
    /// (routes to a prefix list's CIDRs, which the template does not list).
    pub prefix_list_tables: Vec<Ident>,
    /// Route tables associated with the transit gateway attachments of
    /// Network Firewalls (`!GetAtt Firewall.TransitGatewayAttachmentId`):
    /// (firewall, table).
    pub firewall_tables: Vec<(String, Ident)>,
}

impl Transit {
    /// Reads one resource, when it is about transit gateways.
    pub fn add(&mut self, r: &ResolvedResource) {
        let ident = |name: &str| r.prop(name).map(Ident::of);
        match r.ty.as_str() {
            "AWS::EC2::TransitGateway" => self.gateways.push(TransitGateway {
                id: r.id.clone(),
                default_association: r
                    .prop("DefaultRouteTableAssociation")
                    .and_then(RNode::text)
                    .is_none_or(|v| !v.eq_ignore_ascii_case("disable")),
                default_propagation: r
                    .prop("DefaultRouteTablePropagation")
                    .and_then(RNode::text)
                    .is_none_or(|v| !v.eq_ignore_ascii_case("disable")),
                propagation_table: ident("PropagationDefaultRouteTableId"),
            }),
            "AWS::EC2::TransitGatewayAttachment" | "AWS::EC2::TransitGatewayVpcAttachment" => {
                self.attachments.push(TgwAttachment {
                    id: r.id.clone(),
                    tgw: ident("TransitGatewayId").unwrap_or(Ident::External(String::new())),
                    vpc: ident("VpcId").unwrap_or(Ident::External(String::new())),
                    subnets: r.prop("SubnetIds").map(super::build::ident_list).unwrap_or_default(),
                    span: r.span,
                    subnets_span: r.prop_entry("SubnetIds").map_or(r.span, |e| e.edit_span()),
                    route_table: None,
                })
            }
            "AWS::EC2::TransitGatewayPrefixListReference" => {
                if let Some(t) = ident("TransitGatewayRouteTableId") {
                    self.prefix_list_tables.push(t);
                }
            }
            "AWS::EC2::TransitGatewayRouteTablePropagation" => {
                if let (Some(a), Some(t)) = (ident("TransitGatewayAttachmentId"), ident("TransitGatewayRouteTableId")) {
                    self.propagations.push((a, t));
                }
            }
            "AWS::EC2::TransitGatewayRoute" => self.routes.push(TgwRoute {
                id: r.id.clone(),
                span: r.span,
                table: ident("TransitGatewayRouteTableId").unwrap_or(Ident::External(String::new())),
                destination: r.prop("DestinationCidrBlock").and_then(|d| d.text()?.trim().parse::<Ipv4Net>().ok()),
                attachment: if r.prop("Blackhole").and_then(RNode::as_bool) == Some(true) {
                    None
                } else {
                    ident("TransitGatewayAttachmentId")
                },
            }),
            _ => {}
        }
    }

    /// Reads an `AWS::EC2::TransitGatewayRouteTableAssociation` (after
    /// every attachment is known).
    pub fn associate(&mut self, r: &ResolvedResource) {
        let (Some(a), Some(t)) = (r.prop("TransitGatewayAttachmentId"), r.prop("TransitGatewayRouteTableId")) else {
            return;
        };
        let a = Ident::of(a);
        if let Some(att) = self.attachments.iter_mut().find(|x| a.id() == Some(x.id.as_str())) {
            att.route_table = Some(Ident::of(t));
        } else if let Some(Val::Att(fw, attr)) = r.prop("TransitGatewayAttachmentId").map(|n| &n.val)
            && attr == "TransitGatewayAttachmentId"
        {
            self.firewall_tables.push((fw.clone(), Ident::of(t)));
        }
    }

    /// The attachment of `vpc` to transit gateway `tgw`.
    pub fn attachment_of(&self, tgw: &str, vpc: &str) -> Option<&TgwAttachment> {
        self.attachments.iter().find(|a| a.tgw.id() == Some(tgw) && a.vpc.id() == Some(vpc))
    }

    /// The attachment with this logical ID.
    pub fn attachment(&self, id: &str) -> Option<&TgwAttachment> {
        self.attachments.iter().find(|a| a.id == id)
    }

    /// The static route of `table` that a public address takes: the only
    /// one that certainly covers any public address is `0.0.0.0/0`.
    pub fn default_route(&self, table: &str) -> Option<&TgwRoute> {
        self.routes.iter().find(|r| r.table.id() == Some(table) && r.destination.is_some_and(|d| d.prefix_len() == 0))
    }

    /// The transit gateway with this logical ID.
    pub fn gateway(&self, id: &str) -> Option<&TransitGateway> {
        self.gateways.iter().find(|g| g.id == id)
    }

    /// Where route table `table` of gateway `tgw` sends traffic for `dest`
    /// (a source subnet's CIDR coming back): longest prefix first among
    /// its static routes and the CIDRs that attachments propagate into it
    /// (`vpc_cidrs` gives an attached VPC's CIDRs). `Ok(None)`: no route;
    /// `Err`: the table may hold routes the template does not show.
    pub fn route_back(
        &self,
        tgw: &str,
        table: &str,
        dest: Ipv4Net,
        vpc_cidrs: &dyn Fn(&Ident) -> Vec<Ipv4Net>,
    ) -> Result<Option<(Ipv4Net, BackVia)>, String> {
        if let Some(g) = self.gateway(tgw)
            && g.default_propagation
            && let Some(t) = &g.propagation_table
            && t.id().is_none()
        {
            return Err(format!("the gateway's default propagation table is {}", t.describe()));
        }
        if self.prefix_list_tables.iter().any(|t| t.id() == Some(table) || t.id().is_none()) {
            return Err(format!("route table {table} has prefix list references"));
        }
        let default_here = self
            .gateway(tgw)
            .is_some_and(|g| g.default_propagation && g.propagation_table.as_ref().and_then(Ident::id) == Some(table));
        let mut best: Option<(Ipv4Net, BackVia)> = None;
        let mut consider = |net: Ipv4Net, via: BackVia| {
            if net.contains(&dest) && best.as_ref().is_none_or(|(b, _)| net.prefix_len() > b.prefix_len()) {
                best = Some((net, via));
            }
        };
        for r in self.routes.iter().filter(|r| r.table.id() == Some(table)) {
            if let Some(d) = r.destination {
                consider(d, BackVia::Static(r.id.clone(), r.attachment.clone()));
            }
        }
        for a in self.attachments.iter().filter(|a| a.tgw.id() == Some(tgw)) {
            let propagated = default_here
                || self.propagations.iter().any(|(pa, pt)| pa.id() == Some(a.id.as_str()) && pt.id() == Some(table));
            if propagated {
                for c in vpc_cidrs(&a.vpc) {
                    consider(c, BackVia::Propagated(a.id.clone()));
                }
            }
        }
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_lists_match_subdomains_only_with_a_leading_dot() {
        assert!(domain_matches(".amazonaws.com", "ssm.us-east-1.amazonaws.com"));
        assert!(domain_matches(".amazonaws.com", "amazonaws.com"));
        assert!(!domain_matches(".amazonaws.com", "notamazonaws.com"));
        assert!(domain_matches("ssm.us-east-1.amazonaws.com", "SSM.us-east-1.amazonaws.com"));
        assert!(!domain_matches("amazonaws.com", "ssm.us-east-1.amazonaws.com"));
    }

    fn fw(groups: Vec<(String, RuleGroup)>, default_drop: bool) -> Firewall {
        Firewall {
            id: "Fw".into(),
            span: Span::default(),
            subnets: Vec::new(),
            policy: Ok(FirewallPolicy { id: "Policy".into(), groups, default_drop }),
        }
    }

    #[test]
    fn firewall_verdicts() {
        let host = "al2023-repos-us-east-1-de612dc2.s3.dualstack.us-east-1.amazonaws.com";
        assert!(fw(vec![], false).https_verdict(host).is_ok());
        assert!(fw(vec![("Log".into(), RuleGroup::AlertOrPass)], false).https_verdict(host).is_ok());
        assert!(fw(vec![("Log".into(), RuleGroup::AlertOrPass)], true).https_verdict(host).is_err());
        assert!(fw(vec![("Strict".into(), RuleGroup::Opaque)], false).https_verdict(host).is_err());
        let allow = |t: &str| fw(vec![("Allow".into(), RuleGroup::AllowList(vec![t.into()]))], true);
        assert!(allow(".amazonaws.com").https_verdict(host).is_ok());
        assert!(allow(".google.com").https_verdict(host).is_err());
        let deny = fw(vec![("Deny".into(), RuleGroup::DenyList(vec![".amazonaws.com".into()]))], false);
        assert!(deny.https_verdict(host).is_err());
    }
}
