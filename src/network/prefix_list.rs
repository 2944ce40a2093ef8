//! Customer-managed prefix lists declared in the template
//! (`AWS::EC2::PrefixList`): a named set of CIDR blocks that security-group
//! rules and routes reference as one peer or destination (VPC UG, "Managed
//! prefix lists"). `Ref` and `Fn::GetAtt X.PrefixListId` both give its ID
//! (CFN AWS::EC2::PrefixList, "Return values"), so a rule or route naming
//! it is expanded here to its entries; a list outside the template stays
//! unverifiable (PN207).

use ipnet::Ipv4Net;

use crate::resolve::{RNode, ResolvedResource, Unknown, Val};
use crate::source::Span;

/// An `AWS::EC2::PrefixList` of the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixList {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// Its entries.
    pub entries: Entries,
}

/// What a prefix list holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entries {
    /// `AddressFamily: IPv4`: its CIDR blocks (possibly none).
    V4(Vec<Ipv4Net>),
    /// `AddressFamily: IPv6`: matches no IPv4 traffic. A list holds one
    /// family only (VPC UG, "Managed prefix lists": "You cannot combine
    /// IPv4 and IPv6 CIDR blocks in a single prefix list").
    V6,
    /// An entry (or the family) is not known before deployment.
    Unknown(Unknown),
}

/// Whether a set of addresses covers another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cover {
    /// Every address of it.
    All,
    /// None of it.
    None,
    /// Some of it only.
    Part,
}

/// Reads an `AWS::EC2::PrefixList`.
pub fn parse(r: &ResolvedResource) -> PrefixList {
    let unknown = |node: &RNode, what: &str| {
        node.unknown().unwrap_or(Unknown::new(format!("{what} of prefix list `{}` is not known", r.id), node.span))
    };
    let entries = match r.prop("AddressFamily") {
        Some(f) if f.text().is_some_and(|t| t.eq_ignore_ascii_case("IPv6")) => Entries::V6,
        Some(f) if f.text().is_none() => Entries::Unknown(unknown(f, "`AddressFamily`")),
        // `AddressFamily` is required; IPv4 entries decide, whatever it says
        _ => match r.prop("Entries").map(|e| &e.val) {
            None => Entries::V4(Vec::new()),
            Some(Val::List(items)) => {
                let mut cidrs = Vec::new();
                let mut missing = None;
                for item in items {
                    let cidr = item.get("Cidr");
                    match cidr.and_then(RNode::text).map(|t| t.trim().parse::<Ipv4Net>()) {
                        Some(Ok(net)) => cidrs.push(net.trunc()),
                        // an IPv6 entry of a list declared IPv4: never IPv4 traffic
                        Some(Err(_)) if cidr.and_then(RNode::text).is_some_and(|t| t.contains(':')) => {}
                        _ => {
                            missing.get_or_insert_with(|| unknown(cidr.unwrap_or(item), "an entry's `Cidr`"));
                        }
                    }
                }
                match missing {
                    Some(u) => Entries::Unknown(u),
                    None => Entries::V4(cidrs),
                }
            }
            Some(_) => {
                let node = r.prop("Entries").unwrap_or(&r.properties);
                Entries::Unknown(unknown(node, "`Entries`"))
            }
        },
    };
    PrefixList { id: r.id.clone(), span: r.span, entries }
}

/// How much of `target` the CIDR blocks `nets` cover together (two halves
/// of a block cover the block).
pub fn cover(nets: &[Ipv4Net], target: &Ipv4Net) -> Cover {
    let merged = Ipv4Net::aggregate(&nets.to_vec());
    // blocks are nested or disjoint, and the aggregate holds the largest
    // blocks of the union: the target is inside one of them, or not covered
    if merged.iter().any(|n| n.contains(target)) {
        Cover::All
    } else if merged.iter().any(|n| target.contains(n)) {
        Cover::Part
    } else {
        Cover::None
    }
}

impl PrefixList {
    /// The entries for messages: `InternalNetworks (10.0.0.0/16, 10.1.0.0/16)`.
    pub fn describe(&self) -> String {
        match &self.entries {
            Entries::V4(nets) if nets.is_empty() => format!("{} (no entries)", self.id),
            Entries::V4(nets) => {
                const SHOWN: usize = 4;
                let mut shown: Vec<String> = nets.iter().take(SHOWN).map(ToString::to_string).collect();
                if nets.len() > SHOWN {
                    shown.push(format!("{} more", nets.len() - SHOWN));
                }
                format!("{} ({})", self.id, shown.join(", "))
            }
            Entries::V6 => format!("{} (IPv6)", self.id),
            Entries::Unknown(_) => format!("{} (entries not known)", self.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<Ipv4Net> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn cover_of_a_block_by_a_set() {
        let t: Ipv4Net = "10.0.1.0/24".parse().unwrap();
        let cases: &[(&[&str], Cover)] = &[
            (&["10.0.0.0/16"], Cover::All),
            (&["0.0.0.0/0"], Cover::All),
            (&["10.0.1.0/25", "10.0.1.128/25"], Cover::All),
            (&["192.168.0.0/16", "10.0.1.0/24"], Cover::All),
            (&["10.0.1.0/25"], Cover::Part),
            (&["10.0.1.7/32", "172.16.0.0/12"], Cover::Part),
            (&["10.1.0.0/16", "172.16.0.0/12"], Cover::None),
            (&[], Cover::None),
        ];
        for (list, want) in cases {
            assert_eq!(cover(&nets(list), &t), *want, "{list:?}");
        }
    }
}
