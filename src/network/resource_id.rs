//! EC2 resource IDs and their shape (PN011 `malformed-resource-id`).
//!
//! A property that takes the ID of an EC2 resource (`SubnetId`, `GroupSet`,
//! `VpcId`, a route's `NatGatewayId` …) needs `<prefix>-` and hexadecimal
//! digits: `subnet-0123abcd`, `sg-0123456789abcdef0` (8 characters after
//! the hyphen before 2016, 17 for resources created since; EC2 UG, "Resource
//! IDs",
//! <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html>).
//! A literal of any other shape cannot name a deployed resource: EC2
//! rejects it before looking it up, with a `*.Malformed` error ("The
//! specified subnet ID is malformed. Ensure that you specify the ID in the
//! form subnet-xxxxxxxx", `InvalidSubnetID.Malformed`,
//! `InvalidGroupId.Malformed`, `InvalidVpcID.Malformed`,
//! `InvalidRouteTableId.Malformed` …; Error codes for the Amazon EC2 API,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html>),
//! so the resource, and the stack, fail to create. The usual cause is a
//! forgotten `!Ref`: `SubnetId: PublicSubnet` where `!Ref PublicSubnet`
//! was meant.
//!
//! Only properties that take IDs are read: an instance's `SecurityGroups`
//! takes security group *names* ("The names of the security groups. For a
//! nondefault VPC, you must use security group IDs instead", CFN
//! AWS::EC2::Instance), and an instance profile is named, so neither is
//! checked.

use crate::resolve::{Existence, ParameterUse, RNode, Resolved, ResolvedResource, Val};
use crate::source::Span;

/// A kind of EC2 resource ID, by its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// `subnet-`
    Subnet,
    /// `sg-`
    SecurityGroup,
    /// `vpc-`
    Vpc,
    /// `rtb-`
    RouteTable,
    /// `igw-`
    InternetGateway,
    /// `vgw-`
    VpnGateway,
    /// `nat-`
    NatGateway,
    /// `vpce-`
    VpcEndpoint,
    /// `eni-`
    NetworkInterface,
    /// `tgw-`
    TransitGateway,
    /// `pcx-`
    PeeringConnection,
    /// `acl-`
    NetworkAcl,
    /// `eipalloc-`
    EipAllocation,
    /// `eigw-`
    EgressOnlyInternetGateway,
    /// `i-`
    Instance,
    /// `cagw-`
    CarrierGateway,
    /// `lgw-`
    LocalGateway,
}

impl IdKind {
    /// The ID's prefix, without the hyphen.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Subnet => "subnet",
            IdKind::SecurityGroup => "sg",
            IdKind::Vpc => "vpc",
            IdKind::RouteTable => "rtb",
            IdKind::InternetGateway => "igw",
            IdKind::VpnGateway => "vgw",
            IdKind::NatGateway => "nat",
            IdKind::VpcEndpoint => "vpce",
            IdKind::NetworkInterface => "eni",
            IdKind::TransitGateway => "tgw",
            IdKind::PeeringConnection => "pcx",
            IdKind::NetworkAcl => "acl",
            IdKind::EipAllocation => "eipalloc",
            IdKind::EgressOnlyInternetGateway => "eigw",
            IdKind::Instance => "i",
            IdKind::CarrierGateway => "cagw",
            IdKind::LocalGateway => "lgw",
        }
    }

    /// What it names, in words.
    pub fn noun(self) -> &'static str {
        match self {
            IdKind::Subnet => "subnet",
            IdKind::SecurityGroup => "security group",
            IdKind::Vpc => "VPC",
            IdKind::RouteTable => "route table",
            IdKind::InternetGateway => "internet gateway",
            IdKind::VpnGateway => "virtual private gateway",
            IdKind::NatGateway => "NAT gateway",
            IdKind::VpcEndpoint => "VPC endpoint",
            IdKind::NetworkInterface => "network interface",
            IdKind::TransitGateway => "transit gateway",
            IdKind::PeeringConnection => "VPC peering connection",
            IdKind::NetworkAcl => "network ACL",
            IdKind::EipAllocation => "Elastic IP allocation",
            IdKind::EgressOnlyInternetGateway => "egress-only internet gateway",
            IdKind::Instance => "instance",
            IdKind::CarrierGateway => "carrier gateway",
            IdKind::LocalGateway => "local gateway",
        }
    }

    /// The error EC2 answers a malformed ID of this kind with, where the
    /// EC2 API error code list names one.
    pub fn error(self) -> Option<&'static str> {
        match self {
            IdKind::Subnet => Some("InvalidSubnetID.Malformed"),
            IdKind::SecurityGroup => Some("InvalidGroupId.Malformed"),
            IdKind::Vpc => Some("InvalidVpcID.Malformed"),
            IdKind::RouteTable => Some("InvalidRouteTableId.Malformed"),
            IdKind::InternetGateway => Some("InvalidInternetGatewayId.Malformed"),
            IdKind::VpcEndpoint => Some("InvalidVpcEndpointId.Malformed"),
            IdKind::NetworkInterface => Some("InvalidNetworkInterfaceId.Malformed"),
            IdKind::NetworkAcl => Some("InvalidNetworkAclId.Malformed"),
            IdKind::Instance => Some("InvalidInstanceID.Malformed"),
            _ => None,
        }
    }

    /// The AWS-specific parameter type that holds this kind, when there is
    /// one (CloudFormation checks such a value at create time).
    pub fn parameter_type(self) -> Option<&'static str> {
        match self {
            IdKind::Subnet => Some("AWS::EC2::Subnet::Id"),
            IdKind::SecurityGroup => Some("AWS::EC2::SecurityGroup::Id"),
            IdKind::Vpc => Some("AWS::EC2::VPC::Id"),
            _ => None,
        }
    }
}

/// True when `value` has the shape of an ID of one of `kinds`: the prefix,
/// a hyphen and 8 or 17 hexadecimal digits.
pub fn fits(kinds: &[IdKind], value: &str) -> bool {
    kinds.iter().any(|k| {
        value
            .strip_prefix(k.prefix())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|hex| matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}

/// True for a parameter type whose values CloudFormation checks against
/// the account (`AWS::EC2::Subnet::Id`, `List<AWS::EC2::VPC::Id>` …).
pub fn is_aws_id_type(ty: &str) -> bool {
    let inner = ty.strip_prefix("List<").and_then(|t| t.strip_suffix('>')).unwrap_or(ty);
    inner.starts_with("AWS::EC2::") && inner.ends_with("::Id")
}

use IdKind as K;

const SUBNET: &[IdKind] = &[K::Subnet];
const SG: &[IdKind] = &[K::SecurityGroup];
const VPC: &[IdKind] = &[K::Vpc];
const RTB: &[IdKind] = &[K::RouteTable];

/// The properties that take IDs, by resource type: a path of keys (`*`: each
/// item of a list) and the kinds of ID its value may be. Only what the
/// analysis reads; an AWS::EC2::Instance's `SecurityGroups` (names) is not
/// here.
const PROPERTIES: &[(&str, &[&str], &[IdKind])] = &[
    ("AWS::EC2::Instance", &["SubnetId"], SUBNET),
    ("AWS::EC2::Instance", &["SecurityGroupIds", "*"], SG),
    ("AWS::EC2::Instance", &["NetworkInterfaces", "*", "SubnetId"], SUBNET),
    ("AWS::EC2::Instance", &["NetworkInterfaces", "*", "GroupSet", "*"], SG),
    ("AWS::EC2::Instance", &["NetworkInterfaces", "*", "NetworkInterfaceId"], &[K::NetworkInterface]),
    ("AWS::EC2::LaunchTemplate", &["LaunchTemplateData", "SecurityGroupIds", "*"], SG),
    ("AWS::EC2::LaunchTemplate", &["LaunchTemplateData", "NetworkInterfaces", "*", "SubnetId"], SUBNET),
    ("AWS::EC2::LaunchTemplate", &["LaunchTemplateData", "NetworkInterfaces", "*", "Groups", "*"], SG),
    (
        "AWS::EC2::LaunchTemplate",
        &["LaunchTemplateData", "NetworkInterfaces", "*", "NetworkInterfaceId"],
        &[K::NetworkInterface],
    ),
    ("AWS::AutoScaling::AutoScalingGroup", &["VPCZoneIdentifier", "*"], SUBNET),
    ("AWS::EC2::NetworkInterface", &["SubnetId"], SUBNET),
    ("AWS::EC2::NetworkInterface", &["GroupSet", "*"], SG),
    ("AWS::EC2::Subnet", &["VpcId"], VPC),
    ("AWS::EC2::RouteTable", &["VpcId"], VPC),
    ("AWS::EC2::NetworkAcl", &["VpcId"], VPC),
    ("AWS::EC2::SubnetRouteTableAssociation", &["SubnetId"], SUBNET),
    ("AWS::EC2::SubnetRouteTableAssociation", &["RouteTableId"], RTB),
    ("AWS::EC2::SubnetNetworkAclAssociation", &["SubnetId"], SUBNET),
    ("AWS::EC2::SubnetNetworkAclAssociation", &["NetworkAclId"], &[K::NetworkAcl]),
    ("AWS::EC2::Route", &["RouteTableId"], RTB),
    // CFN AWS::EC2::Route: "The ID of an internet gateway or virtual private
    // gateway attached to your VPC" (`local` is the VPC's own route)
    ("AWS::EC2::Route", &["GatewayId"], &[K::InternetGateway, K::VpnGateway]),
    ("AWS::EC2::Route", &["NatGatewayId"], &[K::NatGateway]),
    ("AWS::EC2::Route", &["VpcEndpointId"], &[K::VpcEndpoint]),
    ("AWS::EC2::Route", &["TransitGatewayId"], &[K::TransitGateway]),
    ("AWS::EC2::Route", &["VpcPeeringConnectionId"], &[K::PeeringConnection]),
    ("AWS::EC2::Route", &["NetworkInterfaceId"], &[K::NetworkInterface]),
    ("AWS::EC2::Route", &["InstanceId"], &[K::Instance]),
    ("AWS::EC2::Route", &["EgressOnlyInternetGatewayId"], &[K::EgressOnlyInternetGateway]),
    ("AWS::EC2::Route", &["CarrierGatewayId"], &[K::CarrierGateway]),
    ("AWS::EC2::Route", &["LocalGatewayId"], &[K::LocalGateway]),
    ("AWS::EC2::NatGateway", &["SubnetId"], SUBNET),
    ("AWS::EC2::NatGateway", &["AllocationId"], &[K::EipAllocation]),
    ("AWS::EC2::VPCEndpoint", &["VpcId"], VPC),
    ("AWS::EC2::VPCEndpoint", &["SubnetIds", "*"], SUBNET),
    ("AWS::EC2::VPCEndpoint", &["SecurityGroupIds", "*"], SG),
    ("AWS::EC2::VPCEndpoint", &["RouteTableIds", "*"], RTB),
    ("AWS::EC2::VPCGatewayAttachment", &["VpcId"], VPC),
    ("AWS::EC2::VPCGatewayAttachment", &["InternetGatewayId"], &[K::InternetGateway]),
];

/// Where a malformed value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written in the property; `Some(id)` when it is the logical ID of a
    /// resource of the template (a forgotten `!Ref`).
    Literal(Option<String>),
    /// The `Default` of this parameter.
    Default(String),
    /// The value given for this parameter, of an AWS-specific type.
    Given(String),
}

/// A value where an ID is needed that cannot be one (PN011).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedId {
    /// The resource whose property it is.
    pub resource: String,
    /// The property, as a path (`NetworkInterfaces[0].SubnetId`).
    pub property: String,
    /// The value.
    pub value: String,
    /// The kinds of ID the property takes.
    pub kinds: &'static [IdKind],
    /// Where to fix it: the literal, or the parameter's `Default`.
    pub span: Span,
    /// Where it comes from.
    pub origin: Origin,
}

impl MalformedId {
    fn kind(&self) -> IdKind {
        self.kinds.first().copied().unwrap_or(IdKind::Subnet)
    }

    /// What the value should look like: "a subnet ID (`subnet-` and 8 or
    /// 17 hexadecimal digits)".
    fn shape(&self) -> String {
        let nouns: Vec<String> = self.kinds.iter().map(|k| format!("{} ID", k.noun())).collect();
        let prefixes: Vec<String> = self.kinds.iter().map(|k| format!("`{}-`", k.prefix())).collect();
        format!("a {} ({} and 8 or 17 hexadecimal digits)", nouns.join(" or "), prefixes.join(" or "))
    }

    /// Why the stack fails.
    pub fn why(&self) -> String {
        let error = self.kind().error().map(|e| format!(" ({e})")).unwrap_or_default();
        let origin = match &self.origin {
            Origin::Literal(_) => String::new(),
            Origin::Default(p) => format!(" (the `Default` of parameter `{p}`)"),
            Origin::Given(p) => format!(" (the value given for parameter `{p}`)"),
        };
        format!(
            "`{}` of {} is `{}`{origin}, which cannot be {}: EC2 rejects it{error}, {} fails to create and the stack rolls back, so neither dnf nor Session Manager can work",
            self.property,
            self.resource,
            self.value,
            self.shape(),
            self.resource
        )
    }

    /// The fix.
    pub fn fix(&self) -> String {
        let kind = self.kind();
        let example = format!("{}-0123…", kind.prefix());
        let key = self.property.rsplit('.').next().unwrap_or(&self.property);
        let key = key.split('[').next().unwrap_or(key);
        match &self.origin {
            Origin::Literal(Some(id)) => format!(
                "`{id}` is a resource of this template: write `!Ref {id}` (a forgotten `!Ref` makes the logical ID a literal string) in `{key}`."
            ),
            Origin::Literal(None) => match kind.parameter_type() {
                Some(ty) => format!("Use the real ID ({example}) or a parameter of type {ty}."),
                None => format!("Use the real ID ({example}), or `!Ref` the {} of this template.", kind.noun()),
            },
            Origin::Default(p) | Origin::Given(p) => format!(
                "Give parameter `{p}` a real {} ID ({example}), or pass one at deploy time{}.",
                kind.noun(),
                kind.parameter_type().map(|t| format!(" (type {t} lets CloudFormation check it)")).unwrap_or_default()
            ),
        }
    }
}

/// The malformed IDs of `resolved`'s resources, in template order.
pub fn scan(resolved: &Resolved) -> Vec<MalformedId> {
    let mut out = Vec::new();
    for r in resolved.resources.iter().filter(|r| r.exists != Existence::No) {
        for (ty, path, kinds) in PROPERTIES {
            if r.ty == *ty {
                walk(resolved, r, &r.properties, path, String::new(), kinds, &mut out);
            }
        }
    }
    out
}

fn walk(
    resolved: &Resolved,
    r: &ResolvedResource,
    node: &RNode,
    path: &[&str],
    at: String,
    kinds: &'static [IdKind],
    out: &mut Vec<MalformedId>,
) {
    match path.split_first() {
        None => {
            if let Some(m) = check(resolved, r, node, at, kinds) {
                out.push(m);
            }
        }
        Some((&"*", rest)) => match &node.val {
            Val::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(resolved, r, item, rest, format!("{at}[{i}]"), kinds, out);
                }
            }
            // one value where a list is expected: CloudFormation reads the
            // list parameter's items; a lone string is the one item
            _ => walk(resolved, r, node, rest, at, kinds, out),
        },
        Some((key, rest)) => {
            if let Some(v) = node.get(key) {
                let at = if at.is_empty() { key.to_string() } else { format!("{at}.{key}") };
                walk(resolved, r, v, rest, at, kinds, out);
            }
        }
    }
}

fn check(
    resolved: &Resolved,
    r: &ResolvedResource,
    node: &RNode,
    property: String,
    kinds: &'static [IdKind],
) -> Option<MalformedId> {
    let Val::Str(value) = &node.val else { return None };
    // an empty value is CloudFormation's "not given" in many templates
    // (`!If [Cond, !Ref X, ""]`), and `local` is the VPC's own route target
    if value.is_empty() || value == "local" || fits(kinds, value) {
        return None;
    }
    let used = resolved.parameter_uses.iter().find(|u: &&ParameterUse| u.at == node.span);
    let (span, origin) = match used {
        Some(u) => match u.default {
            Some(d) => (d, Origin::Default(u.name.clone())),
            None if is_aws_id_type(&u.ty) => (node.span, Origin::Given(u.name.clone())),
            // a plain parameter's given value: left to the user
            None => return None,
        },
        None => {
            let same = resolved.resources.iter().find(|x| x.id == *value).map(|x| x.id.clone());
            (node.span, Origin::Literal(same))
        }
    };
    Some(MalformedId { resource: r.id.clone(), property, value: value.clone(), kinds, span, origin })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_a_prefix_and_8_or_17_hex_digits() {
        let cases: &[(&[IdKind], &str, bool)] = &[
            (SUBNET, "subnet-0abc1234", true),
            (SUBNET, "subnet-0123456789abcdef0", true),
            (SG, "sg-0123456789abcdef0", true),
            (SG, "sg-12345678", true),
            (VPC, "vpc-0ABC1234", true),
            (SUBNET, "PublicSubnet", false),
            (SG, "myVPCEC2SecurityGroup", false),
            (SUBNET, "sg-0abc1234", false),
            (SUBNET, "subnet-123", false),
            (SUBNET, "subnet-xxxxxxxx", false),
            (SUBNET, "subnet-0abc12345", false),
            (SUBNET, "subnet0abc1234", false),
            (&[K::InternetGateway, K::VpnGateway], "vgw-0abc1234", true),
            (&[K::InternetGateway, K::VpnGateway], "nat-0abc1234", false),
            (&[K::Instance], "i-0123456789abcdef0", true),
        ];
        for (kinds, value, expected) in cases {
            assert_eq!(fits(kinds, value), *expected, "{value} as {kinds:?}");
        }
    }

    #[test]
    fn aws_specific_parameter_types() {
        assert!(is_aws_id_type("AWS::EC2::Subnet::Id"));
        assert!(is_aws_id_type("List<AWS::EC2::SecurityGroup::Id>"));
        assert!(is_aws_id_type("AWS::EC2::VPC::Id"));
        assert!(!is_aws_id_type("String"));
        assert!(!is_aws_id_type("AWS::SSM::Parameter::Value<String>"));
    }

    fn scan_text(text: &str, params: &[(&str, &str)]) -> Vec<MalformedId> {
        let doc = crate::source::parse(Some("t.yaml"), text);
        let root = doc.root.expect("parses");
        let (t, _) = crate::template::Template::new(&root).expect("template");
        let mut ctx = crate::resolve::Context::new("us-east-1");
        for (k, v) in params {
            ctx.parameters.insert(k.to_string(), v.to_string());
        }
        scan(&crate::resolve::resolve(&t, &ctx))
    }

    const TEMPLATE: &str = "Parameters:
  Subnet:
    Type: String
    Default: my-subnet
  GivenSubnet:
    Type: AWS::EC2::Subnet::Id
  PlainSubnet:
    Type: String
Resources:
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-0abc1234
      CidrBlock: 10.0.0.0/24
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      SubnetId: PublicSubnet
      SecurityGroups: [web]
      SecurityGroupIds: [sg-0123456789abcdef0, default]
      IamInstanceProfile: MyProfile
  FromDefault:
    Type: AWS::EC2::Instance
    Properties:
      SubnetId: !Ref Subnet
  FromGiven:
    Type: AWS::EC2::Instance
    Properties:
      SubnetId: !Ref GivenSubnet
  FromPlain:
    Type: AWS::EC2::Instance
    Properties:
      SubnetId: !Ref PlainSubnet
";

    #[test]
    fn scan_finds_literals_defaults_and_given_values_of_aws_types() {
        let found = scan_text(TEMPLATE, &[("GivenSubnet", "subnet-1"), ("PlainSubnet", "whatever")]);
        let seen: Vec<(&str, &str, &str, &Origin)> =
            found.iter().map(|m| (m.resource.as_str(), m.property.as_str(), m.value.as_str(), &m.origin)).collect();
        assert_eq!(
            seen,
            vec![
                ("Instance", "SubnetId", "PublicSubnet", &Origin::Literal(Some("PublicSubnet".into()))),
                ("Instance", "SecurityGroupIds[1]", "default", &Origin::Literal(None)),
                ("FromDefault", "SubnetId", "my-subnet", &Origin::Default("Subnet".into())),
                ("FromGiven", "SubnetId", "subnet-1", &Origin::Given("GivenSubnet".into())),
            ]
        );
        // the default's span: line 4 of the template
        assert_eq!(found[2].span.start.line, 4);
        assert!(found[0].fix().contains("!Ref PublicSubnet"), "{}", found[0].fix());
        assert!(found[1].fix().contains("AWS::EC2::SecurityGroup::Id"), "{}", found[1].fix());
        assert!(found[0].why().contains("InvalidSubnetID.Malformed"), "{}", found[0].why());
    }

    #[test]
    fn real_ids_and_references_are_not_malformed() {
        let text = "Resources:
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      SubnetId: subnet-0abc1234
      SecurityGroupIds: [!GetAtt Group.GroupId]
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      VpcId: vpc-0123456789abcdef0
";
        assert_eq!(scan_text(text, &[]), Vec::new());
    }
}
