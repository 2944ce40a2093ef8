//! Network ACLs: ordered, stateless rules at the subnet boundary.
//!
//! Entries are evaluated in ascending `RuleNumber`, first match wins,
//! separately for each direction, with an implicit final deny (VPC UG,
//! "Network ACL rules"). A port range is evaluated port by port in effect:
//! different ports of the ephemeral range may match different entries.

use ipnet::Ipv4Net;

use super::Ident;
use super::sg::Protocol;
use crate::resolve::Unknown;
use crate::source::Span;

/// One `AWS::EC2::NetworkAclEntry`.
#[derive(Clone, Debug)]
pub struct NaclEntry {
    /// Logical ID of the entry resource.
    pub id: String,
    /// Where its logical ID is.
    pub span: Span,
    /// `RuleNumber`.
    pub number: i64,
    /// `Egress` (default false: ingress).
    pub egress: bool,
    /// `Protocol`.
    pub protocol: Protocol,
    /// `PortRange`, when given.
    pub ports: Option<(i64, i64)>,
    /// `RuleAction: allow`.
    pub allow: bool,
    /// `CidrBlock`; `None` for an IPv6 entry.
    pub cidr: Result<Option<Ipv4Net>, Unknown>,
}

/// A network ACL.
#[derive(Clone, Debug)]
pub struct NetworkAcl {
    /// Logical ID (`Vpc.DefaultNetworkAcl` for a VPC's default NACL).
    pub id: String,
    /// Where its logical ID is.
    pub span: Span,
    /// Its VPC.
    pub vpc: Ident,
    /// Entries, sorted by rule number.
    pub entries: Vec<NaclEntry>,
    /// True for a VPC's default NACL, which allows everything.
    pub is_default: bool,
}

/// The other end of the traffic, as a NACL sees it.
#[derive(Clone, Copy, Debug)]
pub enum Remote {
    /// Public addresses of an AWS service or the internet.
    Public,
    /// A private subnet range (`None`: not known).
    Private(Option<Ipv4Net>),
}

/// How a NACL treats a range of ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NaclVerdict {
    /// Every port allowed (by these entries).
    Allow,
    /// Every port denied: by this entry (`None`: the implicit final deny).
    Deny(Option<String>),
    /// Some ports allowed, some denied: the entry that allows part.
    Partial(Option<String>),
    /// Cannot tell: an entry whose CIDR may or may not match.
    Unknown(String, Unknown),
}

enum Match {
    Yes,
    No,
    Maybe(Unknown),
}

impl NaclEntry {
    fn matches(&self, remote: Remote) -> Match {
        let net = match &self.cidr {
            Err(u) => return Match::Maybe(u.clone()),
            Ok(None) => return Match::No,
            Ok(Some(n)) => *n,
        };
        if net.prefix_len() == 0 {
            return Match::Yes;
        }
        match remote {
            Remote::Public => {
                if ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
                    .iter()
                    .filter_map(|r| r.parse::<Ipv4Net>().ok())
                    .any(|r| r.contains(&net))
                {
                    Match::No
                } else {
                    Match::Maybe(Unknown::new(
                        format!(
                            "entry `{}` matches {net}; the service's public address ranges change over time and cannot be verified",
                            self.id
                        ),
                        self.span,
                    ))
                }
            }
            Remote::Private(Some(c)) if net.contains(&c) => Match::Yes,
            Remote::Private(Some(c)) if !net.contains(&c.network()) && !c.contains(&net.network()) => Match::No,
            Remote::Private(c) => Match::Maybe(Unknown::new(
                match c {
                    Some(c) => format!("entry `{}` matches {net}, only part of {c}", self.id),
                    None => format!("entry `{}` matches {net}; the other end's address is not known", self.id),
                },
                self.span,
            )),
        }
    }

    /// The TCP ports this entry applies to (all for `-1` and non-port protocols).
    fn tcp_ports(&self) -> Option<(i64, i64)> {
        match self.protocol {
            Protocol::All => Some((0, 65535)),
            Protocol::Tcp => Some(self.ports.unwrap_or((0, 65535))),
            _ => None,
        }
    }
}

impl NetworkAcl {
    /// How TCP traffic to/from `remote` on ports `lo..=hi` (destination
    /// ports for both directions: the request's 443, or the reply's
    /// ephemeral range) is treated in direction `egress`.
    pub fn evaluate(&self, egress: bool, lo: i64, hi: i64, remote: Remote) -> NaclVerdict {
        if self.is_default {
            return NaclVerdict::Allow;
        }
        // ports not yet decided, as disjoint ranges
        let mut open: Vec<(i64, i64)> = vec![(lo, hi)];
        let mut allowed_by: Option<String> = None;
        let mut denied_by: Option<String> = None;
        let mut any_allowed = false;
        let mut any_denied = false;
        for e in self.entries.iter().filter(|e| e.egress == egress) {
            let Some((plo, phi)) = e.tcp_ports() else {
                if e.protocol == Protocol::Unknown {
                    return NaclVerdict::Unknown(
                        e.id.clone(),
                        Unknown::new(format!("entry `{}` has a protocol that is not known", e.id), e.span),
                    );
                }
                continue;
            };
            let hit: Vec<(i64, i64)> = open.iter().filter_map(|&(a, b)| intersect((a, b), (plo, phi))).collect();
            if hit.is_empty() {
                continue;
            }
            match e.matches(remote) {
                Match::No => continue,
                Match::Maybe(u) => return NaclVerdict::Unknown(e.id.clone(), u),
                Match::Yes => {}
            }
            open = open.into_iter().flat_map(|r| subtract(r, (plo, phi))).collect();
            if e.allow {
                any_allowed = true;
                allowed_by.get_or_insert_with(|| e.id.clone());
            } else {
                any_denied = true;
                denied_by.get_or_insert_with(|| e.id.clone());
            }
            if open.is_empty() {
                break;
            }
        }
        if !open.is_empty() {
            any_denied = true;
        }
        match (any_allowed, any_denied) {
            (true, false) => NaclVerdict::Allow,
            (false, _) => NaclVerdict::Deny(denied_by),
            (true, true) => NaclVerdict::Partial(allowed_by),
        }
    }

    /// The entry with this logical ID.
    pub fn entry(&self, id: &str) -> Option<&NaclEntry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

fn intersect(a: (i64, i64), b: (i64, i64)) -> Option<(i64, i64)> {
    let lo = a.0.max(b.0);
    let hi = a.1.min(b.1);
    (lo <= hi).then_some((lo, hi))
}

fn subtract(a: (i64, i64), b: (i64, i64)) -> Vec<(i64, i64)> {
    if intersect(a, b).is_none() {
        return vec![a];
    }
    let mut out = Vec::new();
    if a.0 < b.0 {
        out.push((a.0, b.0 - 1));
    }
    if a.1 > b.1 {
        out.push((b.1 + 1, a.1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: i64, egress: bool, proto: &str, ports: Option<(i64, i64)>, allow: bool, cidr: &str) -> NaclEntry {
        NaclEntry {
            id: format!("E{n}{}", if egress { "out" } else { "in" }),
            span: Span::default(),
            number: n,
            egress,
            protocol: Protocol::parse(proto),
            ports,
            allow,
            cidr: Ok(Some(cidr.parse().unwrap())),
        }
    }

    fn acl(mut entries: Vec<NaclEntry>) -> NetworkAcl {
        entries.sort_by_key(|e| e.number);
        NetworkAcl {
            id: "Acl".into(),
            span: Span::default(),
            vpc: Ident::Resource("Vpc".into()),
            entries,
            is_default: false,
        }
    }

    #[test]
    fn custom_acl_denies_until_allowed() {
        assert_eq!(acl(vec![]).evaluate(true, 443, 443, Remote::Public), NaclVerdict::Deny(None));
    }

    #[test]
    fn first_match_wins_in_rule_number_order() {
        let a = acl(vec![
            entry(200, true, "6", Some((443, 443)), true, "0.0.0.0/0"),
            entry(100, true, "-1", None, false, "0.0.0.0/0"),
        ]);
        assert_eq!(a.evaluate(true, 443, 443, Remote::Public), NaclVerdict::Deny(Some("E100out".into())));
        let b = acl(vec![
            entry(100, true, "6", Some((443, 443)), true, "0.0.0.0/0"),
            entry(200, true, "-1", None, false, "0.0.0.0/0"),
        ]);
        assert_eq!(b.evaluate(true, 443, 443, Remote::Public), NaclVerdict::Allow);
    }

    #[test]
    fn ephemeral_ranges() {
        let full = acl(vec![entry(100, false, "6", Some((1024, 65535)), true, "0.0.0.0/0")]);
        assert_eq!(full.evaluate(false, 32768, 60999, Remote::Public), NaclVerdict::Allow);
        let part = acl(vec![entry(100, false, "6", Some((49152, 65535)), true, "0.0.0.0/0")]);
        assert_eq!(part.evaluate(false, 32768, 60999, Remote::Public), NaclVerdict::Partial(Some("E100in".into())));
        let none = acl(vec![entry(100, false, "6", Some((443, 443)), true, "0.0.0.0/0")]);
        assert_eq!(none.evaluate(false, 32768, 60999, Remote::Public), NaclVerdict::Deny(None));
    }

    #[test]
    fn cidr_matching() {
        let a = acl(vec![entry(100, true, "-1", None, true, "10.0.0.0/16")]);
        assert_eq!(
            a.evaluate(true, 443, 443, Remote::Private(Some("10.0.2.0/24".parse().unwrap()))),
            NaclVerdict::Allow
        );
        assert_eq!(a.evaluate(true, 443, 443, Remote::Public), NaclVerdict::Deny(None));
        let s3 = acl(vec![entry(100, true, "6", Some((443, 443)), true, "52.216.0.0/15")]);
        assert!(matches!(s3.evaluate(true, 443, 443, Remote::Public), NaclVerdict::Unknown(..)));
    }

    #[test]
    fn udp_entries_do_not_match_tcp() {
        let a = acl(vec![entry(100, true, "17", Some((0, 65535)), true, "0.0.0.0/0")]);
        assert_eq!(a.evaluate(true, 443, 443, Remote::Public), NaclVerdict::Deny(None));
    }
}
