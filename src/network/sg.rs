//! Security groups: rules, the default egress rule, and whether a group set
//! lets HTTPS through.
//!
//! Security groups are stateful: a reply to an allowed request is always
//! allowed back (VPC UG, "Security groups"), so only the request direction
//! is evaluated here.

use ipnet::Ipv4Net;

use super::Ident;
use super::prefix_list::{Cover, Entries, PrefixList, cover};
use super::region::{PrefixListMeaning, is_aws_managed_prefix_list, prefix_list_meaning};
use crate::resolve::{RNode, Unknown, Val};
use crate::source::Span;

/// An IP protocol of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `-1`: every protocol, ports ignored.
    All,
    /// `tcp` / `6`.
    Tcp,
    /// `udp` / `17`.
    Udp,
    /// `icmp` / `1`.
    Icmp,
    /// `icmpv6` / `58`.
    Icmpv6,
    /// Another protocol number (all its traffic, ports ignored).
    Number(u16),
    /// Not known.
    Unknown,
}

impl Protocol {
    /// Reads `IpProtocol` (security groups) or `Protocol` (network ACLs).
    pub fn parse(text: &str) -> Protocol {
        match text.trim().to_ascii_lowercase().as_str() {
            "-1" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            other => other.parse::<u16>().map(Protocol::Number).unwrap_or(Protocol::Unknown),
        }
    }
}

/// The other side of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// `CidrIp`.
    V4(Ipv4Net),
    /// `CidrIpv6` (never matches the IPv4 traffic modelled here).
    V6,
    /// `DestinationPrefixListId` / `SourcePrefixListId`: the ID, or the
    /// in-template prefix list it refers to (before expansion).
    PrefixList(Ident),
    /// A prefix list declared in the template, expanded to its entries
    /// (see [`SecurityGroup::expand_prefix_lists`]), or a customer-managed
    /// list whose entries the account state holds.
    Declared(PrefixList),
    /// An AWS-managed prefix list the account state names for the analyzed
    /// region (`com.amazonaws.<region>.<service>`): the service's public
    /// addresses, which only that service's traffic matches.
    Service {
        /// `pl-…`.
        id: String,
        /// `s3`, `dynamodb`, …
        service: String,
    },
    /// `DestinationSecurityGroupId` / `SourceSecurityGroupId` / `SourceSecurityGroupName`.
    Group(Ident),
    /// No destination or source at all: CloudFormation creates the stack
    /// but does not add the rule (PN208).
    Missing,
    /// Not known.
    Unknown(Unknown),
}

/// One security-group rule.
#[derive(Clone, Debug)]
pub struct SgRule {
    /// Where it is declared: the inline list item, or the standalone
    /// resource's logical ID.
    pub span: Span,
    /// The standalone `AWS::EC2::SecurityGroupEgress/Ingress` resource, if any.
    pub standalone: Option<String>,
    /// Protocol.
    pub protocol: Protocol,
    /// First port (or ICMP type); -1 = all.
    pub from: i64,
    /// Last port (or ICMP code); -1 = all.
    pub to: i64,
    /// Destination (egress) or source (ingress).
    pub peer: Peer,
    /// Where the destination or source property is (the rule when absent).
    pub peer_span: Span,
}

impl SgRule {
    /// The rule the CDK writes for a security group created with
    /// `allowAllOutbound: false`, so that CloudFormation does not add its
    /// default allow-all egress: icmp type 252 code 86 to
    /// 255.255.255.255/32, "Disallow all traffic" (aws-cdk-lib
    /// `aws-ec2/lib/security-group.ts`, `MATCH_NO_TRAFFIC`). It allows
    /// nothing: the group has no egress.
    pub fn is_cdk_no_egress(&self) -> bool {
        self.protocol == Protocol::Icmp
            && self.from == 252
            && self.to == 86
            && matches!(self.peer, Peer::V4(net) if net == Ipv4Net::new(std::net::Ipv4Addr::BROADCAST, 32).unwrap_or_default())
    }

    /// Reads a rule from an inline item or a standalone resource's
    /// properties. `egress` picks the destination or source property names.
    pub fn parse(props: &RNode, span: Span, standalone: Option<String>, egress: bool) -> SgRule {
        let protocol = props.get("IpProtocol").and_then(RNode::text).map(Protocol::parse).unwrap_or(Protocol::Unknown);
        let port = |k: &str| props.get(k).and_then(RNode::as_i64).unwrap_or(-1);
        let (prefix_key, group_keys): (&str, &[&str]) = if egress {
            ("DestinationPrefixListId", &["DestinationSecurityGroupId"])
        } else {
            ("SourcePrefixListId", &["SourceSecurityGroupId", "SourceSecurityGroupName"])
        };
        let peer_keys = ["CidrIp", "CidrIpv6", prefix_key, group_keys[0], "SourceSecurityGroupName"];
        let peer_span = peer_keys.iter().find_map(|k| props.entry(k)).map(|e| e.edit_span()).unwrap_or(span);
        let peer = if let Some(c) = props.get("CidrIp") {
            match c.text().map(|t| t.trim().parse::<Ipv4Net>()) {
                Some(Ok(net)) => Peer::V4(net.trunc()),
                Some(Err(_)) => Peer::Unknown(Unknown::new(
                    format!("`CidrIp` {} is not an IPv4 CIDR block", c.text().unwrap_or_default()),
                    c.span,
                )),
                None => Peer::Unknown(c.unknown().unwrap_or(Unknown::new("`CidrIp` is not known", c.span))),
            }
        } else if props.get("CidrIpv6").is_some() {
            Peer::V6
        } else if let Some(p) = props.get(prefix_key) {
            Peer::PrefixList(Ident::of(p))
        } else if let Some(g) = group_keys.iter().find_map(|k| props.get(k)) {
            Peer::Group(Ident::of(g))
        } else {
            Peer::Missing
        };
        SgRule { span, standalone, protocol, from: port("FromPort"), to: port("ToPort"), peer, peer_span }
    }

    /// True for an allow-all rule (`-1` to `0.0.0.0/0` or `::/0`).
    pub fn is_allow_all(&self) -> bool {
        self.protocol == Protocol::All && matches!(&self.peer, Peer::V4(n) if n.prefix_len() == 0)
    }

    /// Whether the rule covers TCP port `port` (ignoring the peer).
    pub fn covers_tcp(&self, port: i64) -> Option<bool> {
        match self.protocol {
            Protocol::All => Some(true),
            Protocol::Tcp => Some((self.from == -1 && self.to == -1) || (self.from <= port && port <= self.to)),
            Protocol::Unknown => None,
            _ => Some(false),
        }
    }
}

/// A security group as it is after CloudFormation created it.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    /// Logical ID (`Vpc.DefaultSecurityGroup` for a VPC's default group).
    pub id: String,
    /// Where the logical ID is (the VPC's for a default group).
    pub span: Span,
    /// Its VPC (`None`: no `VpcId`, the default VPC).
    pub vpc: Option<Ident>,
    /// Ingress rules, inline then standalone.
    pub ingress: Vec<SgRule>,
    /// Egress rules in effect after creation (see [`SecurityGroup::finish`]).
    pub egress: Vec<SgRule>,
    /// Where the inline `SecurityGroupIngress` key is.
    pub inline_ingress_span: Option<Span>,
    /// Where the inline `SecurityGroupEgress` key is.
    pub inline_egress_span: Option<Span>,
    /// Explicit allow-all rules that CloudFormation strips (PN209).
    pub stripped: Vec<SgRule>,
    /// True when standalone egress rules removed the default allow-all rule (PN204).
    pub default_dropped: bool,
    /// True for a VPC's default group (inbound only from its members).
    pub is_vpc_default: bool,
    /// True when its only inline egress rule was the CDK's placeholder for
    /// `allowAllOutbound: false` ([`SgRule::is_cdk_no_egress`]), which is
    /// left out of `egress`.
    pub cdk_no_egress: bool,
}

/// What a packet is sent to, for matching rule peers.
#[derive(Clone, Debug)]
pub enum Target<'a> {
    /// A public AWS service address (S3, public SSM): the region's S3
    /// prefix list when the service is S3 and the list is known.
    Public {
        /// The analyzed region (prefix-list IDs mean different things per region).
        region: &'a str,
        /// True when the destination is S3 (prefix-list rules can match).
        is_s3: bool,
    },
    /// A service endpoint seen from a VPC the template does not show (the
    /// workload's subnet is open): an interface endpoint's ENI, at a private
    /// address in that VPC with that endpoint's groups, or the service's
    /// public addresses. Only a rule that matches none of these is certain
    /// to let nothing through.
    Unplaced {
        /// The analyzed region (prefix-list IDs mean different things per region).
        region: &'a str,
    },
    /// A private address in the VPC (an endpoint ENI, a workload).
    Private {
        /// The subnet CIDR the address is in, when known.
        cidr: Option<Ipv4Net>,
        /// The security groups on the ENI.
        groups: &'a [Ident],
    },
}

/// The outcome of a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed, by this rule.
    Allow(Span),
    /// Not allowed by any rule.
    Deny,
    /// Cannot tell.
    Unknown(Unknown),
}

const PRIVATE_RANGES: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

fn is_private(net: &Ipv4Net) -> bool {
    PRIVATE_RANGES.iter().filter_map(|r| r.parse::<Ipv4Net>().ok()).any(|r| r.contains(net))
}

/// Why CIDR blocks may or may not match a target.
enum Doubt {
    /// This public block may or may not hold the service's addresses.
    Public(Ipv4Net),
    /// The blocks cover only part of this subnet.
    Part(Ipv4Net),
    /// The address compared with is not known.
    NoAddress,
    /// The destination is an endpoint of a VPC that is not known: any
    /// block may hold its addresses.
    Unplaced,
}

/// Do the CIDR blocks `nets` (one rule's, or a prefix list's entries)
/// match `target`?
fn cidrs_match(nets: &[Ipv4Net], target: &Target<'_>) -> Result<bool, Doubt> {
    if nets.iter().any(|n| n.prefix_len() == 0) {
        return Ok(true);
    }
    match target {
        Target::Public { .. } => match nets.iter().find(|n| !is_private(n)) {
            None => Ok(false),
            Some(n) => Err(Doubt::Public(*n)),
        },
        Target::Private { cidr: Some(c), .. } => match cover(nets, c) {
            Cover::All => Ok(true),
            Cover::None => Ok(false),
            Cover::Part => Err(Doubt::Part(*c)),
        },
        Target::Private { cidr: None, .. } => Err(Doubt::NoAddress),
        Target::Unplaced { .. } => Err(Doubt::Unplaced),
    }
}

/// Does `peer` match `target`? `None` = cannot tell.
pub fn peer_matches(peer: &Peer, target: &Target<'_>, rule_span: Span) -> Result<bool, Unknown> {
    let unknown = |reason: String| Err(Unknown::new(reason, rule_span));
    match (peer, target) {
        (Peer::V6 | Peer::Missing, _) => Ok(false),
        (Peer::Unknown(u), _) => Err(u.clone()),
        (Peer::V4(net), target) => cidrs_match(std::slice::from_ref(net), target).or_else(|doubt| {
            unknown(match doubt {
                Doubt::Public(_) => format!(
                    "the rule allows {net}, which may or may not cover the service's public addresses (they change over time)"
                ),
                Doubt::Part(c) => format!("the rule allows {net}, which covers only part of {c}"),
                Doubt::NoAddress => {
                    format!("the rule allows {net}, and the address it is compared with is not known")
                }
                Doubt::Unplaced => format!(
                    "the rule allows {net}, and the endpoint's addresses are in a VPC that is not known (an interface endpoint has addresses of its VPC)"
                ),
            })
        }),
        (Peer::Declared(pl), target) => match &pl.entries {
            Entries::V4(nets) => cidrs_match(nets, target).or_else(|doubt| {
                let list = pl.describe();
                unknown(match doubt {
                    Doubt::Public(n) => format!(
                        "the rule allows prefix list {list}, whose entry {n} may or may not cover the service's public addresses (they change over time)"
                    ),
                    Doubt::Part(c) => format!("the rule allows prefix list {list}, whose entries cover only part of {c}"),
                    Doubt::NoAddress => format!(
                        "the rule allows prefix list {list}, and the address it is compared with is not known"
                    ),
                    Doubt::Unplaced => format!(
                        "the rule allows prefix list {list}, and the endpoint's addresses are in a VPC that is not known"
                    ),
                })
            }),
            Entries::V6 => Ok(false),
            Entries::Unknown(u) => Err(u.clone()),
        },
        (Peer::PrefixList(id), Target::Public { region, is_s3 }) => match id {
            Ident::External(pl) if *is_s3 => match prefix_list_meaning(pl, region) {
                PrefixListMeaning::S3 => Ok(true),
                PrefixListMeaning::DynamoDb | PrefixListMeaning::ElsewhereOnly(_) => Ok(false),
                PrefixListMeaning::Unknown => unknown(format!(
                    "`{pl}` is not a prefix list privnet-lint knows for {region}; what it covers cannot be verified"
                )),
            },
            Ident::External(_) => Ok(false),
            Ident::Resource(r) => unknown(format!("the rule allows the customer-managed prefix list `{r}`")),
            Ident::Unknown(u) => Err(u.clone()),
        },
        (Peer::PrefixList(id), Target::Private { cidr, .. }) => match id {
            // an AWS-managed list holds a service's public addresses
            Ident::External(pl) if is_aws_managed_prefix_list(pl) => Ok(false),
            // a customer-managed list outside the template may hold any range
            Ident::External(pl) => unknown(format!(
                "the rule allows `{pl}`, a prefix list outside the template: whether it covers {} cannot be verified",
                cidr.map(|c| c.to_string()).unwrap_or_else(|| "the address".into())
            )),
            Ident::Resource(r) => unknown(format!("the rule allows `{r}`, which is not a prefix list of this template")),
            Ident::Unknown(u) => Err(u.clone()),
        },
        // an AWS-managed list holds one service's public ranges (S3,
        // DynamoDB), never an SSM endpoint's addresses (VPC UG, "AWS-managed
        // prefix lists")
        (Peer::PrefixList(id), Target::Unplaced { region }) => match id {
            Ident::External(pl) => match prefix_list_meaning(pl, region) {
                PrefixListMeaning::S3 | PrefixListMeaning::DynamoDb | PrefixListMeaning::ElsewhereOnly(_) => Ok(false),
                PrefixListMeaning::Unknown => unknown(format!(
                    "`{pl}` is not a prefix list privnet-lint knows for {region}; what it covers cannot be verified"
                )),
            },
            Ident::Resource(r) => unknown(format!("the rule allows the customer-managed prefix list `{r}`")),
            Ident::Unknown(u) => Err(u.clone()),
        },
        (Peer::Group(g), Target::Unplaced { .. }) => match g {
            Ident::Unknown(u) => Err(u.clone()),
            _ => unknown(format!(
                "the rule allows security group {}, and the groups of the endpoint in a VPC that is not known cannot be compared",
                g.describe()
            )),
        },
        (Peer::Service { service, .. }, Target::Public { is_s3, .. }) => Ok(*is_s3 && service == "s3"),
        (Peer::Service { .. }, Target::Private { .. } | Target::Unplaced { .. }) => Ok(false),
        (Peer::Group(_), Target::Public { .. }) => Ok(false),
        (Peer::Group(g), Target::Private { groups, .. }) => match g {
            Ident::Unknown(u) => Err(u.clone()),
            _ if groups.contains(g) => Ok(true),
            _ if groups.iter().any(|x| matches!(x, Ident::Unknown(_))) => {
                unknown("the ENI's security groups are not all known".to_string())
            }
            Ident::External(_) if groups.iter().any(|x| matches!(x, Ident::External(_))) => {
                unknown("security groups outside the template cannot be compared".to_string())
            }
            _ => Ok(false),
        },
    }
}

/// Whether any rule of `rules` allows TCP `port` to (or from) `target`.
pub fn allows(rules: &[SgRule], port: i64, target: &Target<'_>) -> Verdict {
    let mut unknown: Option<Unknown> = None;
    for rule in rules {
        match rule.covers_tcp(port) {
            Some(false) => continue,
            None => {
                unknown.get_or_insert(Unknown::new("a rule's protocol is not known", rule.span));
                continue;
            }
            Some(true) => {}
        }
        match peer_matches(&rule.peer, target, rule.span) {
            Ok(true) => return Verdict::Allow(rule.span),
            Ok(false) => {}
            Err(u) => {
                unknown.get_or_insert(u);
            }
        }
    }
    match unknown {
        Some(u) => Verdict::Unknown(u),
        None => Verdict::Deny,
    }
}

/// Reads an inline rule list (`SecurityGroupIngress`/`SecurityGroupEgress`).
pub fn inline_rules(list: &RNode, egress: bool) -> Vec<SgRule> {
    match &list.val {
        Val::List(items) => items.iter().map(|item| SgRule::parse(item, item.span, None, egress)).collect(),
        _ => Vec::new(),
    }
}

impl SecurityGroup {
    /// Replaces each rule's reference to a prefix list declared in the
    /// template (`lookup` finds it by logical ID) with the list and its
    /// entries.
    pub fn expand_prefix_lists<'a>(&mut self, lookup: impl Fn(&str) -> Option<&'a PrefixList>) {
        for rule in self.ingress.iter_mut().chain(self.egress.iter_mut()).chain(self.stripped.iter_mut()) {
            if let Peer::PrefixList(Ident::Resource(id)) = &rule.peer
                && let Some(list) = lookup(id)
            {
                rule.peer = Peer::Declared(list.clone());
            }
        }
    }

    /// Applies what CloudFormation does at creation time once every rule is
    /// known (AWS-SEMANTICS §3):
    /// - no inline egress: AWS adds the default allow-all egress rule;
    /// - an inline egress list replaces that default;
    /// - a standalone `AWS::EC2::SecurityGroupEgress` removes allow-all
    ///   rules before adding itself (aws/aws-cdk#987, #22140), so the group
    ///   keeps only the declared rules, minus any inline allow-all.
    pub fn finish(&mut self, standalone_egress: Vec<SgRule>) {
        let has_inline = self.inline_egress_span.is_some();
        if standalone_egress.is_empty() {
            if !has_inline {
                self.egress.push(SgRule {
                    span: self.span,
                    standalone: None,
                    protocol: Protocol::All,
                    from: -1,
                    to: -1,
                    peer: Peer::V4(Ipv4Net::default()),
                    peer_span: self.span,
                });
            }
            return;
        }
        if !has_inline {
            self.default_dropped = true;
        }
        let (stripped, kept): (Vec<SgRule>, Vec<SgRule>) =
            std::mem::take(&mut self.egress).into_iter().partition(SgRule::is_allow_all);
        self.stripped = stripped;
        self.egress = kept;
        // A standalone allow-all survives if nothing is created after it;
        // with other standalone rules, creation order decides (PN209 warns).
        if standalone_egress.len() > 1 {
            self.stripped.extend(standalone_egress.iter().filter(|r| r.is_allow_all()).cloned());
        }
        self.egress.extend(standalone_egress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, from: i64, to: i64, peer: Peer) -> SgRule {
        SgRule {
            span: Span::default(),
            standalone: None,
            protocol: Protocol::parse(protocol),
            from,
            to,
            peer,
            peer_span: Span::default(),
        }
    }
    fn v4(s: &str) -> Peer {
        Peer::V4(s.parse().unwrap())
    }
    const S3: Target<'static> = Target::Public { region: "us-east-1", is_s3: true };

    #[test]
    fn https_to_s3() {
        let pl = |id: &str| Peer::PrefixList(Ident::External(id.into()));
        let cases = [
            (rule("-1", -1, -1, v4("0.0.0.0/0")), true),
            (rule("tcp", 443, 443, v4("0.0.0.0/0")), true),
            (rule("6", 0, 65535, v4("0.0.0.0/0")), true),
            (rule("tcp", 80, 80, v4("0.0.0.0/0")), false),
            (rule("udp", 443, 443, v4("0.0.0.0/0")), false),
            (rule("50", -1, -1, v4("0.0.0.0/0")), false),
            (rule("tcp", 443, 443, pl("pl-63a5400a")), true),
            (rule("tcp", 443, 443, pl("pl-61a54008")), false),
            (rule("tcp", 443, 443, pl("pl-02cd2c6b")), false),
            (rule("tcp", 443, 443, v4("10.0.0.0/8")), false),
            (rule("tcp", 443, 443, Peer::Missing), false),
        ];
        for (r, want) in cases {
            assert_eq!(allows(std::slice::from_ref(&r), 443, &S3) != Verdict::Deny, want, "{r:?}");
        }
        let narrow = rule("tcp", 443, 443, v4("52.216.0.0/15"));
        assert!(matches!(allows(&[narrow], 443, &S3), Verdict::Unknown(_)));
    }

    #[test]
    fn https_to_a_private_eni() {
        let sg = Ident::Resource("EndpointSg".into());
        let groups = [sg.clone()];
        let t = Target::Private { cidr: Some("10.0.1.0/24".parse().unwrap()), groups: &groups };
        assert!(matches!(allows(&[rule("tcp", 443, 443, Peer::Group(sg))], 443, &t), Verdict::Allow(_)));
        assert!(matches!(allows(&[rule("tcp", 443, 443, v4("10.0.0.0/16"))], 443, &t), Verdict::Allow(_)));
        assert_eq!(allows(&[rule("tcp", 443, 443, v4("10.1.0.0/16"))], 443, &t), Verdict::Deny);
        assert!(matches!(allows(&[rule("tcp", 443, 443, v4("10.0.1.0/25"))], 443, &t), Verdict::Unknown(_)));
        let other = Peer::Group(Ident::Resource("Other".into()));
        assert_eq!(allows(&[rule("tcp", 443, 443, other)], 443, &t), Verdict::Deny);
    }

    #[test]
    fn https_to_an_endpoint_of_a_vpc_that_is_not_known() {
        let t = Target::Unplaced { region: "us-east-1" };
        let pl = |id: &str| Peer::PrefixList(Ident::External(id.into()));
        let group = Peer::Group(Ident::Resource("EndpointSg".into()));
        // certain: allowed anywhere, or no rule that could match on tcp/443
        assert!(matches!(allows(&[rule("-1", -1, -1, v4("0.0.0.0/0"))], 443, &t), Verdict::Allow(_)));
        assert_eq!(allows(&[rule("tcp", 80, 80, v4("0.0.0.0/0"))], 443, &t), Verdict::Deny);
        assert_eq!(allows(&[rule("tcp", 443, 443, pl("pl-63a5400a"))], 443, &t), Verdict::Deny);
        assert_eq!(allows(&[], 443, &t), Verdict::Deny);
        // open: the endpoint's private addresses and groups are its VPC's
        for peer in [v4("10.0.0.0/16"), v4("52.0.0.0/8"), group, pl("pl-0123456789abcdef0"), v4_list(&["10.0.0.0/8"])] {
            assert!(matches!(allows(&[rule("tcp", 443, 443, peer.clone())], 443, &t), Verdict::Unknown(_)), "{peer:?}");
        }
        assert!(matches!(allows(&[rule("tcp", 443, 443, v4_list(&["0.0.0.0/0"]))], 443, &t), Verdict::Allow(_)));
    }

    fn list(entries: Entries) -> Peer {
        Peer::Declared(PrefixList { id: "Internal".into(), span: Span::default(), entries })
    }
    fn v4_list(cidrs: &[&str]) -> Peer {
        list(Entries::V4(cidrs.iter().map(|c| c.parse().unwrap()).collect()))
    }

    #[test]
    fn a_declared_prefix_list_matches_by_its_entries() {
        let groups = [Ident::Resource("EndpointSg".into())];
        let eni = Target::Private { cidr: Some("10.0.1.0/24".parse().unwrap()), groups: &groups };
        let verdict = |peer: Peer, t: &Target<'_>| allows(&[rule("tcp", 443, 443, peer)], 443, t);
        let unknown = Entries::Unknown(Unknown::new("entry", Span::default()));
        let cases: [(Peer, &Target<'_>, Option<bool>); 11] = [
            (v4_list(&["10.0.0.0/16"]), &eni, Some(true)),
            (v4_list(&["192.168.0.0/16", "10.0.1.0/25", "10.0.1.128/25"]), &eni, Some(true)),
            (v4_list(&["10.1.0.0/16"]), &eni, Some(false)),
            (v4_list(&["10.0.1.0/25"]), &eni, None),
            (v4_list(&[]), &eni, Some(false)),
            (list(Entries::V6), &eni, Some(false)),
            (list(unknown), &eni, None),
            // a list for S3: only 0.0.0.0/0 surely covers its public addresses
            (v4_list(&["10.0.0.0/8", "0.0.0.0/0"]), &S3, Some(true)),
            (v4_list(&["10.0.0.0/8", "172.16.0.0/12"]), &S3, Some(false)),
            (v4_list(&["10.0.0.0/8", "52.216.0.0/15"]), &S3, None),
            (list(Entries::V6), &S3, Some(false)),
        ];
        for (peer, target, want) in cases {
            let got = match verdict(peer.clone(), target) {
                Verdict::Allow(_) => Some(true),
                Verdict::Deny => Some(false),
                Verdict::Unknown(_) => None,
            };
            assert_eq!(got, want, "{peer:?}");
        }
    }

    #[test]
    fn a_prefix_list_outside_the_template_is_unverifiable_for_a_private_address() {
        let groups = [Ident::Resource("EndpointSg".into())];
        let eni = Target::Private { cidr: Some("10.0.1.0/24".parse().unwrap()), groups: &groups };
        let pl = |id: &str| rule("tcp", 443, 443, Peer::PrefixList(Ident::External(id.into())));
        assert!(matches!(allows(&[pl("pl-0e5b2c7a9d1f34a68")], 443, &eni), Verdict::Unknown(_)));
        // an AWS-managed list (S3 in us-east-1) holds no private range
        assert_eq!(allows(&[pl("pl-63a5400a")], 443, &eni), Verdict::Deny);
    }

    #[test]
    fn expansion_replaces_references_to_declared_lists_only() {
        let declared = PrefixList { id: "Internal".into(), span: Span::default(), entries: Entries::V6 };
        let mut g = group(Some(vec![
            rule("tcp", 443, 443, Peer::PrefixList(Ident::Resource("Internal".into()))),
            rule("tcp", 443, 443, Peer::PrefixList(Ident::Resource("NotAList".into()))),
            rule("tcp", 443, 443, Peer::PrefixList(Ident::External("pl-63a5400a".into()))),
        ]));
        g.finish(vec![]);
        g.expand_prefix_lists(|id| (id == "Internal").then_some(&declared));
        assert_eq!(g.egress[0].peer, Peer::Declared(declared.clone()));
        assert_eq!(g.egress[1].peer, Peer::PrefixList(Ident::Resource("NotAList".into())));
        assert_eq!(g.egress[2].peer, Peer::PrefixList(Ident::External("pl-63a5400a".into())));
    }

    fn group(inline: Option<Vec<SgRule>>) -> SecurityGroup {
        SecurityGroup {
            id: "G".into(),
            span: Span::default(),
            vpc: None,
            ingress: vec![],
            egress: inline.clone().unwrap_or_default(),
            inline_ingress_span: None,
            inline_egress_span: inline.map(|_| Span::default()),
            stripped: vec![],
            default_dropped: false,
            is_vpc_default: false,
            cdk_no_egress: false,
        }
    }

    #[test]
    fn default_egress_exactly_as_aws_adds_or_drops_it() {
        let mut g = group(None);
        g.finish(vec![]);
        assert!(g.egress.iter().any(SgRule::is_allow_all));

        let mut g = group(Some(vec![rule("tcp", 443, 443, v4("0.0.0.0/0"))]));
        g.finish(vec![]);
        assert!(!g.egress.iter().any(SgRule::is_allow_all));

        let mut g = group(None);
        g.finish(vec![rule("tcp", 443, 443, v4("10.0.0.0/16"))]);
        assert!(g.default_dropped);
        assert_eq!(g.egress.len(), 1);

        let mut g = group(Some(vec![rule("-1", -1, -1, v4("0.0.0.0/0"))]));
        g.finish(vec![rule("tcp", 443, 443, v4("10.0.0.0/16"))]);
        assert_eq!(g.stripped.len(), 1);
        assert!(!g.egress.iter().any(SgRule::is_allow_all));
    }
}
