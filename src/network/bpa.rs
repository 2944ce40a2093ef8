//! VPC Block Public Access: the account's per-Region switch that blocks
//! traffic through internet gateways, and the VPCs and subnets excluded
//! from it.
//!
//! `AWS::EC2::VPCBlockPublicAccessOptions` sets `InternetGatewayBlockMode`
//! for the whole account in the Region the stack is deployed to, so it
//! applies to every VPC of that Region, not only those of its template.
//! `AWS::EC2::VPCBlockPublicAccessExclusion` exempts one VPC or one subnet
//! (`InternetGatewayExclusionMode`). VPC UG, "Block public access to VPCs
//! and subnets" and "VPC BPA basics"; EC2 API Reference,
//! `VpcBlockPublicAccessOptions` and `VpcBlockPublicAccessExclusion`.
//!
//! The settings come from the template today; the account state
//! (`describe-vpc-block-public-access-options` / `-exclusions`) fills the
//! same types through another [`Origin`].

use super::Ident;
use super::account::Origin;
use super::build::ident_prop;
use crate::resolve::{RNode, ResolvedResource, Unknown};
use crate::source::Span;

/// `InternetGatewayBlockMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockMode {
    /// `off`: nothing is blocked.
    Off,
    /// `block-bidirectional`: all traffic to and from internet gateways
    /// and egress-only internet gateways, NAT gateways' included.
    Bidirectional,
    /// `block-ingress`: all internet traffic to the VPCs; only traffic to
    /// and from NAT gateways and egress-only internet gateways passes
    /// (they allow only outbound connections).
    Ingress,
}

impl BlockMode {
    /// Reads an API or CloudFormation value (the API also prints the older
    /// `bidirectional-access-blocked` spellings).
    pub fn parse(text: &str) -> Option<BlockMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" | "bidirectional-access-allowed" => Some(BlockMode::Off),
            "block-bidirectional" | "bidirectional-access-blocked" => Some(BlockMode::Bidirectional),
            "block-ingress" | "ingress-access-blocked" => Some(BlockMode::Ingress),
            _ => None,
        }
    }

    /// The CloudFormation spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockMode::Off => "off",
            BlockMode::Bidirectional => "block-bidirectional",
            BlockMode::Ingress => "block-ingress",
        }
    }
}

/// `InternetGatewayExclusionMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExclusionMode {
    /// `allow-bidirectional`: all internet traffic of the excluded VPC or
    /// subnet passes.
    Bidirectional,
    /// `allow-egress`: outbound traffic passes, inbound is blocked; it
    /// applies only when the account blocks bidirectionally.
    Egress,
}

impl ExclusionMode {
    /// Reads an API or CloudFormation value.
    pub fn parse(text: &str) -> Option<ExclusionMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "allow-bidirectional" => Some(ExclusionMode::Bidirectional),
            "allow-egress" => Some(ExclusionMode::Egress),
            _ => None,
        }
    }

    /// The CloudFormation spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionMode::Bidirectional => "allow-bidirectional",
            ExclusionMode::Egress => "allow-egress",
        }
    }
}

/// What an exclusion exempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A whole VPC.
    Vpc(Ident),
    /// One subnet.
    Subnet(Ident),
}

/// One exclusion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclusion {
    /// The VPC or subnet it exempts.
    pub scope: Scope,
    /// Its mode, or why it is not known.
    pub mode: Result<ExclusionMode, Unknown>,
    /// Where it comes from.
    pub origin: Origin,
}

/// The account's Block Public Access settings for the analyzed Region, as
/// far as they are known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockPublicAccess {
    /// The mode and where it is set; `None` when nothing sets it (the
    /// account default, `off`, unless the account state says otherwise).
    pub mode: Option<(Result<BlockMode, Unknown>, Origin)>,
    /// Exclusions.
    pub exclusions: Vec<Exclusion>,
}

/// The exclusions that apply to one VPC or subnet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage<'a> {
    /// The most permissive exclusion that certainly applies.
    pub certain: Option<(ExclusionMode, &'a Exclusion)>,
    /// An exclusion that may apply (its target or mode is not known), and why.
    pub maybe: Option<(&'a Exclusion, Unknown)>,
}

impl BlockPublicAccess {
    /// The exclusions that cover subnet `subnet` of VPC `vpc` (`None` when
    /// only the VPC is known, as for a regional NAT gateway): the subnet's
    /// own and its VPC's.
    pub fn exclusion_of(&self, vpc: &str, subnet: Option<&str>) -> Coverage<'_> {
        let mut c = Coverage::default();
        for e in &self.exclusions {
            let (ident, want) = match &e.scope {
                Scope::Vpc(i) => (i, Some(vpc)),
                Scope::Subnet(i) => (i, subnet),
            };
            let Some(want) = want else { continue };
            let why = match (ident, &e.mode) {
                (Ident::Resource(id), Ok(m)) if id == want => {
                    if c.certain.is_none_or(|(b, _)| b == ExclusionMode::Egress) {
                        c.certain = Some((*m, e));
                    }
                    continue;
                }
                (Ident::Resource(id), Err(u)) if id == want => u.clone(),
                (Ident::Unknown(u), _) => Unknown {
                    reason: format!(
                        "exclusion {} names a VPC or subnet not known before deployment ({})",
                        e.origin.resource(),
                        u.reason
                    ),
                    span: u.span,
                    open: u.open.clone(),
                },
                // another resource, or a literal ID outside the template
                _ => continue,
            };
            c.maybe.get_or_insert((e, why));
        }
        c
    }
}

/// The Block Public Access settings the template's resources declare.
pub fn read(resources: &[&ResolvedResource]) -> BlockPublicAccess {
    let mut bpa = BlockPublicAccess::default();
    for r in resources {
        match r.ty.as_str() {
            "AWS::EC2::VPCBlockPublicAccessOptions" if bpa.mode.is_none() => {
                let (mode, span) = mode_of(r, "InternetGatewayBlockMode", BlockMode::parse);
                bpa.mode = Some((mode, Origin::Template { resource: r.id.clone(), span }));
            }
            "AWS::EC2::VPCBlockPublicAccessExclusion" => {
                let scope = match (r.prop("SubnetId"), r.prop("VpcId")) {
                    (Some(s), _) => Scope::Subnet(Ident::of(s)),
                    (None, Some(_)) => Scope::Vpc(ident_prop(r, "VpcId")),
                    (None, None) => continue,
                };
                let (mode, span) = mode_of(r, "InternetGatewayExclusionMode", ExclusionMode::parse);
                bpa.exclusions.push(Exclusion {
                    scope,
                    mode,
                    origin: Origin::Template { resource: r.id.clone(), span },
                });
            }
            _ => {}
        }
    }
    bpa
}

/// A mode property: its value, or why it is not known, and where to edit it.
fn mode_of<T>(r: &ResolvedResource, key: &str, parse: fn(&str) -> Option<T>) -> (Result<T, Unknown>, Span) {
    let Some(entry) = r.prop_entry(key) else {
        let u = Unknown { reason: format!("`{}` has no `{key}`", r.id), span: r.span, open: None };
        return (Err(u), r.span);
    };
    let value: &RNode = &entry.value;
    let mode = match value.text() {
        Some(t) => parse(t).ok_or_else(|| Unknown {
            reason: format!("`{key}: {t}` of {} is not a value privnet-lint knows", r.id),
            span: value.span,
            open: None,
        }),
        None => Err(value.unknown().unwrap_or(Unknown {
            reason: format!("`{key}` of {} is not known before deployment", r.id),
            span: value.span,
            open: None,
        })),
    };
    (mode, entry.edit_span())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Pos;

    fn at(line: u32) -> Span {
        Span { start: Pos { line, column: 1, offset: 0 }, end: Pos { line, column: 2, offset: 1 } }
    }

    fn exclusion(scope: Scope, mode: ExclusionMode, line: u32) -> Exclusion {
        Exclusion { scope, mode: Ok(mode), origin: Origin::Template { resource: format!("E{line}"), span: at(line) } }
    }

    fn settings(exclusions: Vec<Exclusion>) -> BlockPublicAccess {
        let origin = Origin::Template { resource: "Options".into(), span: at(1) };
        BlockPublicAccess { mode: Some((Ok(BlockMode::Bidirectional), origin)), exclusions }
    }

    fn res(id: &str) -> Ident {
        Ident::Resource(id.into())
    }

    #[test]
    fn modes_read_both_spellings() {
        assert_eq!(BlockMode::parse("block-bidirectional"), Some(BlockMode::Bidirectional));
        assert_eq!(BlockMode::parse("ingress-access-blocked"), Some(BlockMode::Ingress));
        assert_eq!(BlockMode::parse("OFF"), Some(BlockMode::Off));
        assert_eq!(BlockMode::parse("block-all"), None);
        assert_eq!(ExclusionMode::parse("allow-egress"), Some(ExclusionMode::Egress));
        assert_eq!(ExclusionMode::parse("allow-ingress"), None);
    }

    #[test]
    fn a_subnet_or_its_vpc_exclusion_covers_it_the_most_permissive_wins() {
        let s = settings(vec![
            exclusion(Scope::Subnet(res("Public")), ExclusionMode::Egress, 10),
            exclusion(Scope::Vpc(res("Vpc")), ExclusionMode::Bidirectional, 11),
            exclusion(Scope::Subnet(res("Other")), ExclusionMode::Egress, 12),
        ]);
        let mode = |vpc: &str, subnet: Option<&str>| s.exclusion_of(vpc, subnet).certain.map(|(m, _)| m);
        assert_eq!(mode("Vpc", Some("Public")), Some(ExclusionMode::Bidirectional));
        assert_eq!(mode("Vpc2", Some("Other")), Some(ExclusionMode::Egress));
        assert_eq!(s.exclusion_of("Vpc2", Some("Private")), Coverage::default());
        // a regional NAT gateway has no subnet: only a VPC exclusion counts
        assert_eq!(mode("Vpc2", None), None);
        assert_eq!(mode("Vpc", None), Some(ExclusionMode::Bidirectional));
    }

    #[test]
    fn an_exclusion_of_an_unknown_subnet_may_cover_it() {
        let u = Unknown::new("parameter `S` has no value", at(20));
        let s = settings(vec![
            exclusion(Scope::Subnet(Ident::Unknown(u)), ExclusionMode::Egress, 21),
            exclusion(Scope::Subnet(Ident::External("subnet-0abc".into())), ExclusionMode::Egress, 22),
        ]);
        let c = s.exclusion_of("Vpc", Some("Private"));
        assert_eq!(c.certain, None);
        let (e, u) = c.maybe.expect("may cover");
        assert_eq!(e.origin.resource(), "E21");
        assert!(u.reason.contains("parameter `S`"), "{}", u.reason);
    }
}
