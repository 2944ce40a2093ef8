//! Each hop evaluator on its own, on small networks.

use super::hops::route::RouteChoice;
use super::{HopKind, Tracer, Verdict};
use crate::finding::Code;
use crate::network::Network;
use crate::network::tests::network_of;

const BASE: &str = "
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Rt}
  I:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref Subnet}
";

/// The network of `BASE` (a VPC, a subnet, its route table and instance
/// `I`) and `extra` (used by the hop families' own tests too).
pub(super) fn net(extra: &str) -> Network {
    net_from(BASE, extra)
}

/// The network of `base` (the workload's VPC, subnet and route table) and `extra`.
fn net_from(base: &str, extra: &str) -> Network {
    network_of(&format!("Resources:{base}{extra}"))
}

fn with<T>(extra: &str, f: impl FnOnce(&Tracer<'_>) -> T) -> T {
    let n = net(extra);
    let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
    f(&t)
}

#[test]
fn route_lookup_prefers_the_gateway_endpoint_over_the_default_route() {
    let nat = "
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref Subnet, AllocationId: eipalloc-1}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
";
    let ep = "
  S3:
    Type: AWS::EC2::VPCEndpoint
    Properties: {VpcId: !Ref Vpc, ServiceName: com.amazonaws.us-east-1.s3, RouteTableIds: [!Ref Rt]}
";
    with(nat, |t| {
        assert!(matches!(t.public_route(t.subnet.unwrap(), true), RouteChoice::Route(r) if r.id == "Default"))
    });
    with(&format!("{nat}{ep}"), |t| {
        assert!(matches!(t.public_route(t.subnet.unwrap(), true), RouteChoice::GatewayEndpoint(e) if e.id == "S3"));
        // only S3 traffic takes the endpoint route
        assert!(matches!(t.public_route(t.subnet.unwrap(), false), RouteChoice::Route(_)));
    });
    // an endpoint of another region adds no route for this region's S3
    with(&ep.replace("us-east-1", "eu-west-1"), |t| {
        assert!(matches!(t.public_route(t.subnet.unwrap(), true), RouteChoice::None))
    });
    // a subnet without association uses the main route table: local only
    let n = net("");
    let mut unassociated = n.subnets[0].clone();
    unassociated.route_table = None;
    let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
    assert!(matches!(t.public_route(&unassociated, true), RouteChoice::None));
}

fn nat_verdict(extra: &str) -> (Vec<Verdict>, Vec<Code>) {
    let base = "
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}
  PublicRt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  PublicAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Public, RouteTableId: !Ref PublicRt}
  Igw:
    Type: AWS::EC2::InternetGateway
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
";
    with(&format!("{base}{extra}"), |t| {
        let RouteChoice::Route(r) = t.public_route(t.subnet.unwrap(), false) else { panic!("no route") };
        let hops = t.route_target_hops(r, "x").0;
        (
            hops.iter().map(|h| h.verdict).collect(),
            hops.iter()
                .filter(|h| h.verdict != Verdict::Pass)
                .filter_map(|h| h.blocker.as_ref().map(|b| b.code))
                .collect(),
        )
    })
}

#[test]
fn nat_gateway_needs_an_eip_public_connectivity_and_an_attached_igw_route() {
    let nat = "
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref Public, AllocationId: eipalloc-1}
";
    let route = "
  PublicDefault:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref PublicRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
";
    let attach = "
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
";
    let (v, codes) = nat_verdict(&format!("{nat}{route}{attach}"));
    assert!(v.iter().all(|v| *v == Verdict::Pass), "{v:?} {codes:?}");
    assert_eq!(nat_verdict(&format!("{nat}{route}")).1, vec![Code::PN104], "IGW not attached");
    assert_eq!(nat_verdict(&format!("{nat}{attach}")).1, vec![Code::PN104], "NAT subnet without IGW route");
    assert_eq!(
        nat_verdict(&format!("{}{route}{attach}", nat.replace(", AllocationId: eipalloc-1", ""))).1,
        vec![Code::PN104]
    );
    let private = nat.replace("AllocationId: eipalloc-1", "ConnectivityType: private");
    assert_eq!(nat_verdict(&format!("{private}{route}{attach}")).1, vec![Code::PN104]);
}

#[test]
fn internet_gateway_needs_a_public_ip() {
    let igw = "
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
";
    let blockers = |extra: &str| {
        with(&format!("{igw}{extra}"), |t| {
            let RouteChoice::Route(r) = t.public_route(t.subnet.unwrap(), false) else { panic!("no route") };
            t.route_target_hops(r, "x").0.iter().filter_map(|h| h.blocker.as_ref().map(|b| b.code)).collect::<Vec<_>>()
        })
    };
    assert_eq!(blockers(""), vec![Code::PN105]);
    let eip = "
  Eip:
    Type: AWS::EC2::EIP
    Properties: {InstanceId: !Ref I}
";
    assert!(blockers(eip).is_empty());
}

#[test]
fn security_group_egress_default_and_replaced() {
    let sg = |egress: &str| {
        format!(
            "
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: !Ref Vpc
      GroupDescription: x{egress}
  I2:
    Type: AWS::EC2::Instance
    Properties: {{SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Sg]}}
"
        )
    };
    let s3 = crate::network::sg::Target::Public { region: "us-east-1", is_s3: true };
    let egress_verdict = |extra: &str| {
        let n = net(extra);
        let w = n.workloads.iter().find(|w| w.id == "I2").unwrap();
        let t = Tracer::new(&n, "us-east-1", w);
        let h = t.sg_egress_hop(&s3, "S3", Code::PN201, "");
        (h.verdict, h.blocker.map(|b| b.code))
    };
    assert_eq!(egress_verdict(&sg("")), (Verdict::Pass, None));
    let only_80 = "\n      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}]";
    assert_eq!(egress_verdict(&sg(only_80)), (Verdict::Block, Some(Code::PN201)));
    let standalone = "
  Out:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}
";
    assert_eq!(egress_verdict(&format!("{}{standalone}", sg(""))), (Verdict::Block, Some(Code::PN201)));
}

#[test]
fn nacl_hops_see_both_directions() {
    let acl = |entries: &str| {
        format!(
            "
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {{VpcId: !Ref Vpc}}
  AclAssoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {{SubnetId: !Ref Subnet, NetworkAclId: !Ref Acl}}
{entries}"
        )
    };
    let out443 = "
  Out:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Egress: true, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 443, To: 443}}
";
    let back = "
  Back:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 1024, To: 65535}}
";
    let codes = |extra: &str| {
        with(&acl(extra), |t| {
            t.public_nacl_hops(t.subnet.unwrap(), "S3")
                .into_iter()
                .map(|h| (h.kind, h.verdict, h.blocker.map(|b| b.code)))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        codes(""),
        vec![
            (HopKind::NaclOutbound, Verdict::Block, Some(Code::PN301)),
            (HopKind::NaclInbound, Verdict::Block, Some(Code::PN302))
        ]
    );
    assert_eq!(
        codes(&format!("{out443}{back}")),
        vec![(HopKind::NaclOutbound, Verdict::Pass, None), (HopKind::NaclInbound, Verdict::Pass, None)]
    );
    let narrow = back.replace("From: 1024", "From: 49152");
    assert_eq!(codes(&format!("{out443}{narrow}"))[1], (HopKind::NaclInbound, Verdict::Unknown, Some(Code::PN304)));
}

#[test]
fn vpc_dns_hop() {
    with("", |t| assert!(t.vpc_dns_hop("x").is_none()));
    let n = net("").vpcs[0].clone();
    assert!(n.dns_support && n.dns_hostnames);
    let n = net_from(&BASE.replace("EnableDnsSupport: true, EnableDnsHostnames: true", "EnableDnsSupport: false"), "");
    let tr = Tracer::new(&n, "us-east-1", &n.workloads[0]);
    let h = tr.vpc_dns_hop("x").expect("a DNS hop");
    assert_eq!((h.verdict, h.blocker.map(|b| b.code)), (Verdict::Block, Some(Code::PN403)));
    // defaults: hostnames off, support on
    let n = net_from(&BASE.replace(", EnableDnsSupport: true, EnableDnsHostnames: true", ""), "");
    assert!(n.vpcs[0].dns_support && !n.vpcs[0].dns_hostnames);
}

/// Whether the role `Role` of `extra` grants the Session Manager actions.
fn role_grants(extra: &str) -> crate::network::iam::Tri {
    let n = net(extra);
    let role = n.role("Role").expect("role");
    let documents = |arn: &crate::resolve::RNode| {
        let id = arn.as_ref_id()?;
        n.managed_policies.iter().find(|(p, _)| p == id).map(|(_, d)| d.clone())
    };
    role.grants_session_actions(&documents).0
}

const ROLE: &str = "
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app-role
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
";

#[test]
fn separate_role_policies_and_power_user_count_for_the_role() {
    use crate::network::iam::Tri;
    assert_eq!(role_grants(ROLE), Tri::No);
    // AWS::IAM::RolePolicy names its one role by `RoleName`: `!Ref Role` (the
    // role's name) or the literal name
    for role_name in ["!Ref Role", "app-role"] {
        let policy = format!(
            "
  SsmPolicy:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: {role_name}
      PolicyName: ssm
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [ssm:UpdateInstanceInformation, ssmmessages:*]
            Resource: '*'
"
        );
        assert_eq!(role_grants(&format!("{ROLE}{policy}")), Tri::Yes, "{role_name}");
        let other = policy.replace(&format!("RoleName: {role_name}"), "RoleName: other-role");
        assert_eq!(role_grants(&format!("{ROLE}{other}")), Tri::No, "a policy of another role");
    }
    let power =
        format!("{ROLE}      ManagedPolicyArns: [!Sub 'arn:${{AWS::Partition}}:iam::aws:policy/PowerUserAccess']\n");
    assert_eq!(role_grants(&power), Tri::Yes);
}

#[test]
fn resolver_rule_makes_ssm_without_endpoint_unknown() {
    let blocker = |extra: &str| {
        with(extra, |t| {
            let c = super::ssm::check(t);
            let hops = &c.paths[0].hops;
            hops.iter()
                .filter(|h| matches!(h.kind, HopKind::Dns | HopKind::RouteTable))
                .find_map(|h| h.blocker.as_ref().map(|b| (h.verdict, b.code)))
        })
    };
    // no endpoint, no internet path, no resolver rule: PN103
    assert_eq!(blocker(""), Some((Verdict::Block, Code::PN103)));
    // a rule from outside the template may forward ssm to shared endpoints
    let assoc = "
  RuleAssoc:
    Type: AWS::Route53Resolver::ResolverRuleAssociation
    Properties: {VPCId: !Ref Vpc, ResolverRuleId: rslvr-rr-0123456789abcdef0}
";
    assert_eq!(blocker(assoc), Some((Verdict::Unknown, Code::PN411)));
    // a rule in the template for another domain changes nothing
    let rule = |domain: &str| {
        format!(
            "
  Rule:
    Type: AWS::Route53Resolver::ResolverRule
    Properties: {{DomainName: {domain}, RuleType: FORWARD, TargetIps: [{{Ip: 10.1.0.53}}]}}
  RuleAssoc:
    Type: AWS::Route53Resolver::ResolverRuleAssociation
    Properties: {{VPCId: !Ref Vpc, ResolverRuleId: !Ref Rule}}
"
        )
    };
    assert_eq!(blocker(&rule("corp.example.com")), Some((Verdict::Block, Code::PN103)));
    assert_eq!(blocker(&rule("us-east-1.amazonaws.com.")), Some((Verdict::Unknown, Code::PN411)));
}

/// Verdicts and blocking codes of the hops beyond the workload's default route.
fn beyond_default_route(extra: &str, host: &str) -> (Vec<Verdict>, Vec<Code>) {
    beyond_default_route_from(BASE, extra, host)
}

fn beyond_default_route_from(base: &str, extra: &str, host: &str) -> (Vec<Verdict>, Vec<Code>) {
    let n = net_from(base, extra);
    let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
    let RouteChoice::Route(r) = t.public_route(t.subnet.unwrap(), false) else { panic!("no route") };
    let hops = t.route_target_hops_to(r, "S3", host).0;
    (
        hops.iter().map(|h| h.verdict).collect(),
        hops.iter().filter(|h| h.verdict != Verdict::Pass).filter_map(|h| h.blocker.as_ref().map(|b| b.code)).collect(),
    )
}

/// An egress VPC's public side: a public subnet whose route table goes to an
/// attached internet gateway and back to the spokes through transit gateway
/// `Tgw`, and a NAT gateway in it.
const EGRESS_PUBLIC: &str = "
  Egress:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.9.0.0/16}
  EgressPublic:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Egress, CidrBlock: 10.9.2.0/24}
  EgressPublicRt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Egress}
  EgressPublicAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref EgressPublic, RouteTableId: !Ref EgressPublicRt}
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Egress, InternetGatewayId: !Ref Igw}
  PublicDefault:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref EgressPublicRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref EgressPublic, AllocationId: eipalloc-1}
  PublicToSpokes:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref EgressPublicRt, DestinationCidrBlock: 10.0.0.0/8, TransitGatewayId: !Ref Tgw}
";

const HOST: &str = "al2023-repos-us-east-1-de612dc2.s3.dualstack.us-east-1.amazonaws.com";

#[test]
fn network_firewall_endpoint_routes_follow_the_firewall_subnet() {
    // the instance's subnet routes to the firewall endpoint; the firewall's
    // subnet routes to an attached internet gateway; the instance has a
    // public address (the distributed-firewall design)
    let base = "
  FwSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.9.0/24}
  FwRt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  FwAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref FwSubnet, RouteTableId: !Ref FwRt}
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  FwDefault:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref FwRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Eip:
    Type: AWS::EC2::EIP
    Properties: {InstanceId: !Ref I}
  Firewall:
    Type: AWS::NetworkFirewall::Firewall
    Properties:
      VpcId: !Ref Vpc
      FirewallPolicyArn: !Ref Policy
      SubnetMappings: [{SubnetId: !Ref FwSubnet}]
  Default:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref Rt
      DestinationCidrBlock: 0.0.0.0/0
      VpcEndpointId: !Select [1, !Split [':', !Select [0, !GetAtt Firewall.EndpointIds]]]
";
    let policy = |groups: &str, default: &str| {
        format!(
            "
  Policy:
    Type: AWS::NetworkFirewall::FirewallPolicy
    Properties:
      FirewallPolicy:
        StatelessDefaultActions: ['aws:forward_to_sfe']
        StatelessFragmentDefaultActions: ['aws:forward_to_sfe']
        StatefulDefaultActions: [{default}]
        StatefulRuleGroupReferences: [{{ResourceArn: !Ref Group}}]
  Group:
    Type: AWS::NetworkFirewall::RuleGroup
    Properties:
      Type: STATEFUL
      Capacity: 100
      RuleGroup:
        RulesSource:
{groups}
"
        )
    };
    let log_only = "          RulesString: |\n            # only logs\n            alert tls any any -> any any (msg:\"tls\"; sid:1;)\n";
    let strict = "          RulesString: |\n            drop tcp any any -> any any (sid:2;)\n";
    let allow = |d: &str| {
        format!(
            "          RulesSourceList: {{TargetTypes: [TLS_SNI], GeneratedRulesType: ALLOWLIST, Targets: ['{d}']}}\n"
        )
    };
    let (v, codes) = beyond_default_route(&format!("{base}{}", policy(log_only, "'aws:alert_established'")), HOST);
    assert!(v.iter().all(|v| *v == Verdict::Pass) && v.len() >= 3, "{v:?} {codes:?}");
    assert_eq!(
        beyond_default_route(&format!("{base}{}", policy(strict, "'aws:alert_established'")), HOST).1,
        vec![Code::PN106]
    );
    assert_eq!(
        beyond_default_route(&format!("{base}{}", policy(log_only, "'aws:drop_established'")), HOST).1,
        vec![Code::PN106]
    );
    let amazonaws = policy(&allow(".amazonaws.com"), "'aws:drop_established'");
    assert!(beyond_default_route(&format!("{base}{amazonaws}"), HOST).0.iter().all(|v| *v == Verdict::Pass));
    let google = policy(&allow(".google.com"), "'aws:drop_established'");
    assert_eq!(beyond_default_route(&format!("{base}{google}"), HOST).1, vec![Code::PN106]);
    // without the instance's public address the firewall subnet's IGW route fails as it would directly
    let no_eip = base.replace("  Eip:\n    Type: AWS::EC2::EIP\n    Properties: {InstanceId: !Ref I}\n", "");
    assert_eq!(
        beyond_default_route(&format!("{no_eip}{}", policy(log_only, "'aws:alert_established'")), HOST).1,
        vec![Code::PN105]
    );
}

#[test]
fn transit_gateway_routes_follow_the_attachment_route_table_to_the_egress_vpc() {
    let base = &format!("{EGRESS_PUBLIC}{}", "
  Tgw:
    Type: AWS::EC2::TransitGateway
    Properties: {DefaultRouteTableAssociation: disable, DefaultRouteTablePropagation: disable}
  SpokeAttach:
    Type: AWS::EC2::TransitGatewayAttachment
    Properties: {TransitGatewayId: !Ref Tgw, VpcId: !Ref Vpc, SubnetIds: [!Ref Subnet]}
  EgressTgwSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Egress, CidrBlock: 10.9.1.0/24}
  EgressAttach:
    Type: AWS::EC2::TransitGatewayAttachment
    Properties: {TransitGatewayId: !Ref Tgw, VpcId: !Ref Egress, SubnetIds: [!Ref EgressTgwSubnet]}
  TgwRt:
    Type: AWS::EC2::TransitGatewayRouteTable
    Properties: {TransitGatewayId: !Ref Tgw}
  TgwDefault:
    Type: AWS::EC2::TransitGatewayRoute
    Properties: {TransitGatewayRouteTableId: !Ref TgwRt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayAttachmentId: !Ref EgressAttach}
  EgressTgwRt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Egress}
  EgressTgwAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref EgressTgwSubnet, RouteTableId: !Ref EgressTgwRt}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayId: !Ref Tgw}
");
    let assoc = "
  SpokeAssoc:
    Type: AWS::EC2::TransitGatewayRouteTableAssociation
    Properties: {TransitGatewayAttachmentId: !Ref SpokeAttach, TransitGatewayRouteTableId: !Ref TgwRt}
";
    let to_nat = "
  EgressToNat:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref EgressTgwRt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
";
    let to_igw = "
  EgressToIgw:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref EgressTgwRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
";
    let (v, codes) = beyond_default_route(&format!("{base}{assoc}{to_nat}"), HOST);
    assert!(v.iter().all(|v| *v == Verdict::Pass) && v.len() >= 4, "{v:?} {codes:?}");
    // no association: the gateway's default table is not in the template
    assert_eq!(beyond_default_route(&format!("{base}{to_nat}"), HOST).1, vec![Code::PN106]);
    // the egress VPC has no default route for what arrives from the gateway
    assert_eq!(beyond_default_route(&format!("{base}{assoc}"), HOST).1, vec![Code::PN106]);
    // straight to an internet gateway, the instance's private address goes nowhere
    assert_eq!(beyond_default_route(&format!("{base}{assoc}{to_igw}"), HOST).1, vec![Code::PN106]);
    // a blackhole route
    let blackhole = base.replace("TransitGatewayAttachmentId: !Ref EgressAttach}", "Blackhole: true}");
    assert_eq!(beyond_default_route(&format!("{blackhole}{assoc}{to_nat}"), HOST).1, vec![Code::PN106]);
    // through a firewall attached to the gateway, whose attachment's table goes on to the egress VPC
    let via_fw = base.replace(
        "TransitGatewayAttachmentId: !Ref EgressAttach}",
        "TransitGatewayAttachmentId: !GetAtt Fw.TransitGatewayAttachmentId}",
    );
    let fw = |rules: &str| {
        format!(
            "
  Fw:
    Type: AWS::NetworkFirewall::Firewall
    Properties: {{TransitGatewayId: !Ref Tgw, FirewallPolicyArn: !Ref Policy}}
  Policy:
    Type: AWS::NetworkFirewall::FirewallPolicy
    Properties:
      FirewallPolicy:
        StatelessDefaultActions: ['aws:forward_to_sfe']
        StatefulRuleGroupReferences: [{{ResourceArn: !Ref Group}}]
  Group:
    Type: AWS::NetworkFirewall::RuleGroup
    Properties:
      RuleGroup: {{RulesSource: {{RulesString: '{rules}'}}}}
  InspectionRt:
    Type: AWS::EC2::TransitGatewayRouteTable
    Properties: {{TransitGatewayId: !Ref Tgw}}
  FwAssoc:
    Type: AWS::EC2::TransitGatewayRouteTableAssociation
    Properties: {{TransitGatewayAttachmentId: !GetAtt Fw.TransitGatewayAttachmentId, TransitGatewayRouteTableId: !Ref InspectionRt}}
  InspectedDefault:
    Type: AWS::EC2::TransitGatewayRoute
    Properties: {{TransitGatewayRouteTableId: !Ref InspectionRt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayAttachmentId: !Ref EgressAttach}}
"
        )
    };
    let (v, codes) =
        beyond_default_route(&format!("{via_fw}{assoc}{to_nat}{}", fw("alert tls any any -> any any (sid:1;)")), HOST);
    assert!(v.iter().all(|v| *v == Verdict::Pass) && v.len() >= 5, "{v:?} {codes:?}");
    let strict = fw("drop tcp any any -> any any (sid:1;)");
    assert_eq!(beyond_default_route(&format!("{via_fw}{assoc}{to_nat}{strict}"), HOST).1, vec![Code::PN106]);
}

#[test]
fn transit_gateway_attachments_are_taken_in_the_source_availability_zone() {
    // an egress VPC attached in two zones: zone a's attachment subnet routes
    // to a NAT gateway, zone b's has no default route
    let egress = &format!("{EGRESS_PUBLIC}{}", "
  Tgw:
    Type: AWS::EC2::TransitGateway
    Properties: {DefaultRouteTableAssociation: disable}
  SpokeAttach:
    Type: AWS::EC2::TransitGatewayAttachment
    Properties: {TransitGatewayId: !Ref Tgw, VpcId: !Ref Vpc, SubnetIds: [!Ref Subnet]}
  SpokeAssoc:
    Type: AWS::EC2::TransitGatewayRouteTableAssociation
    Properties: {TransitGatewayAttachmentId: !Ref SpokeAttach, TransitGatewayRouteTableId: !Ref TgwRt}
  TgwRt:
    Type: AWS::EC2::TransitGatewayRouteTable
    Properties: {TransitGatewayId: !Ref Tgw}
  TgwDefault:
    Type: AWS::EC2::TransitGatewayRoute
    Properties: {TransitGatewayRouteTableId: !Ref TgwRt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayAttachmentId: !Ref EgressAttach}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayId: !Ref Tgw}
  TgwSubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Egress, CidrBlock: 10.9.1.0/24, AvailabilityZone: !Select [0, !GetAZs '']}
  TgwSubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Egress, CidrBlock: 10.9.3.0/24, AvailabilityZone: !Select [1, !GetAZs '']}
  EgressAttach:
    Type: AWS::EC2::TransitGatewayAttachment
    Properties: {TransitGatewayId: !Ref Tgw, VpcId: !Ref Egress, SubnetIds: [!Ref TgwSubnetB, !Ref TgwSubnetA]}
  RtA:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Egress}
  AssocA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref TgwSubnetA, RouteTableId: !Ref RtA}
  RtB:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Egress}
  AssocB:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref TgwSubnetB, RouteTableId: !Ref RtB}
  ToNatA:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref RtA, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
");
    let in_zone = |k: usize| {
        BASE.replace(
            "CidrBlock: 10.0.1.0/24}",
            &format!("CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [{k}, !GetAZs '']}}"),
        )
    };
    let all_pass = |(v, codes): (Vec<Verdict>, Vec<Code>)| v.iter().all(|v| *v == Verdict::Pass) && codes.is_empty();
    // the workload in zone a leaves through TgwSubnetA (listed second) and its NAT route
    assert!(all_pass(beyond_default_route_from(&in_zone(0), egress, HOST)));
    // in zone b the spoke attachment's subnet is in zone b too; TgwSubnetB has no default route
    assert_eq!(beyond_default_route_from(&in_zone(1), egress, HOST).1, vec![Code::PN106]);
    // no zone on the workload's subnet: the two attachment subnets disagree
    assert_eq!(beyond_default_route_from(BASE, egress, HOST).1, vec![Code::PN106]);
    // ... and once both route to the NAT gateway, the zone does not matter
    let both = format!(
        "{egress}
  ToNatB:
    Type: AWS::EC2::Route
    Properties: {{RouteTableId: !Ref RtB, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}}
"
    );
    assert!(all_pass(beyond_default_route_from(BASE, &both, HOST)));
    // the spoke's attachment has no subnet in the workload's zone: the
    // gateway never receives the traffic
    let spoke = "
  SpokeTgwSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.9.0/24, AvailabilityZone: !Select [1, !GetAZs '']}
";
    let elsewhere = format!("{}{spoke}", both.replace("SubnetIds: [!Ref Subnet]", "SubnetIds: [!Ref SpokeTgwSubnet]"));
    let n = net_from(&in_zone(0), &elsewhere);
    let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
    let RouteChoice::Route(r) = t.public_route(t.subnet.unwrap(), false) else { panic!("no route") };
    let hops = t.route_target_hops_to(r, "S3", HOST).0;
    let unknown = hops.iter().find(|h| h.verdict == Verdict::Unknown).expect("an unknown hop");
    assert!(unknown.detail.contains("has no subnet in us-east-1a"), "{}", unknown.detail);
    assert!(all_pass(beyond_default_route_from(&in_zone(1), &elsewhere, HOST)));
}

#[test]
fn transit_gateway_replies_need_a_way_back() {
    // the centralized-egress design: spoke -> gateway -> egress VPC -> NAT;
    // the replies go NAT subnet -> gateway -> spoke attachment
    let egress = format!(
        "{EGRESS_PUBLIC}
  Tgw:
    Type: AWS::EC2::TransitGateway
    Properties: {{DefaultRouteTableAssociation: disable, DefaultRouteTablePropagation: disable}}
  SpokeAttach:
    Type: AWS::EC2::TransitGatewayAttachment
    Properties: {{TransitGatewayId: !Ref Tgw, VpcId: !Ref Vpc, SubnetIds: [!Ref Subnet]}}
  SpokeRt:
    Type: AWS::EC2::TransitGatewayRouteTable
    Properties: {{TransitGatewayId: !Ref Tgw}}
  SpokeAssoc:
    Type: AWS::EC2::TransitGatewayRouteTableAssociation
    Properties: {{TransitGatewayAttachmentId: !Ref SpokeAttach, TransitGatewayRouteTableId: !Ref SpokeRt}}
  SpokeDefault:
    Type: AWS::EC2::TransitGatewayRoute
    Properties: {{TransitGatewayRouteTableId: !Ref SpokeRt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayAttachmentId: !Ref EgressAttach}}
  Default:
    Type: AWS::EC2::Route
    Properties: {{RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, TransitGatewayId: !Ref Tgw}}
  EgressTgwSubnet:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Egress, CidrBlock: 10.9.1.0/24}}
  EgressAttach:
    Type: AWS::EC2::TransitGatewayAttachment
    Properties: {{TransitGatewayId: !Ref Tgw, VpcId: !Ref Egress, SubnetIds: [!Ref EgressTgwSubnet]}}
  EgressTgwRt:
    Type: AWS::EC2::RouteTable
    Properties: {{VpcId: !Ref Egress}}
  EgressTgwAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {{SubnetId: !Ref EgressTgwSubnet, RouteTableId: !Ref EgressTgwRt}}
  EgressToNat:
    Type: AWS::EC2::Route
    Properties: {{RouteTableId: !Ref EgressTgwRt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}}
  EgressRt:
    Type: AWS::EC2::TransitGatewayRouteTable
    Properties: {{TransitGatewayId: !Ref Tgw}}
  EgressAssoc:
    Type: AWS::EC2::TransitGatewayRouteTableAssociation
    Properties: {{TransitGatewayAttachmentId: !Ref EgressAttach, TransitGatewayRouteTableId: !Ref EgressRt}}
"
    );
    let propagation = "
  SpokePropagation:
    Type: AWS::EC2::TransitGatewayRouteTablePropagation
    Properties: {TransitGatewayAttachmentId: !Ref SpokeAttach, TransitGatewayRouteTableId: !Ref EgressRt}
";
    let static_back = |target: &str| {
        format!(
            "
  BackToSpoke:
    Type: AWS::EC2::TransitGatewayRoute
    Properties: {{TransitGatewayRouteTableId: !Ref EgressRt, DestinationCidrBlock: 10.0.0.0/16, {target}}}
"
        )
    };
    let detail = |extra: &str| -> Option<String> {
        let n = net(extra);
        let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
        let RouteChoice::Route(r) = t.public_route(t.subnet.unwrap(), false) else { panic!("no route") };
        let hops = t.route_target_hops_to(r, "S3", HOST).0;
        let bad: Vec<_> = hops.iter().filter(|h| h.verdict != Verdict::Pass).collect();
        assert!(bad.iter().all(|h| h.blocker.as_ref().map(|b| b.code) == Some(Code::PN106)), "{bad:?}");
        bad.first().map(|h| h.detail.clone())
    };
    // the spoke's CIDR propagated into the egress attachment's table, or a static route back
    assert_eq!(detail(&format!("{egress}{propagation}")), None);
    assert_eq!(detail(&format!("{egress}{}", static_back("TransitGatewayAttachmentId: !Ref SpokeAttach"))), None);
    // nothing brings the replies back to the spoke
    let d = detail(&egress).expect("the way back is missing");
    assert!(d.contains("way back") && d.contains("EgressRt") && d.contains("no route for 10.0.1.0/24"), "{d}");
    // a blackhole, or a more specific static route elsewhere, beats the propagation
    let d = detail(&format!("{egress}{propagation}{}", static_back("Blackhole: true"))).expect("blackhole");
    assert!(d.contains("blackhole route BackToSpoke"), "{d}");
    let d = detail(&format!("{egress}{propagation}{}", static_back("TransitGatewayAttachmentId: !Ref EgressAttach")))
        .expect("sent elsewhere");
    assert!(d.contains("sends 10.0.0.0/16 to EgressAttach"), "{d}");
    // the NAT gateway's subnet must send the replies to the gateway, not to the internet gateway
    let no_return = egress.replace(
        "DestinationCidrBlock: 10.0.0.0/8, TransitGatewayId: !Ref Tgw",
        "DestinationCidrBlock: 192.168.0.0/16, TransitGatewayId: !Ref Tgw",
    );
    let d = detail(&format!("{no_return}{propagation}")).expect("the NAT subnet has no route back");
    assert!(d.contains("EgressPublicRt") && d.contains("sends 10.0.1.0/24 to internet gateway Igw"), "{d}");
    // prefix lists the template does not spell out may hold the way back: no verdict on it
    let via_prefix_list = egress.replace(
        "DestinationCidrBlock: 10.0.0.0/8, TransitGatewayId: !Ref Tgw",
        "DestinationPrefixListId: pl-0123456789abcdef0, TransitGatewayId: !Ref Tgw",
    );
    assert_eq!(detail(&format!("{via_prefix_list}{propagation}")), None);
    let reference = "
  SpokesReference:
    Type: AWS::EC2::TransitGatewayPrefixListReference
    Properties: {TransitGatewayRouteTableId: !Ref EgressRt, PrefixListId: pl-0123456789abcdef0, TransitGatewayAttachmentId: !Ref SpokeAttach}
";
    assert_eq!(detail(&format!("{egress}{reference}")), None);
    // back through a firewall attached to the gateway: its attachment's table takes over
    let inspection = "
  Fw:
    Type: AWS::NetworkFirewall::Firewall
    Properties: {TransitGatewayId: !Ref Tgw, FirewallPolicyArn: arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/p}
  InspectionRt:
    Type: AWS::EC2::TransitGatewayRouteTable
    Properties: {TransitGatewayId: !Ref Tgw}
  FwAssoc:
    Type: AWS::EC2::TransitGatewayRouteTableAssociation
    Properties: {TransitGatewayAttachmentId: !GetAtt Fw.TransitGatewayAttachmentId, TransitGatewayRouteTableId: !Ref InspectionRt}
  ToInspection:
    Type: AWS::EC2::TransitGatewayRoute
    Properties: {TransitGatewayRouteTableId: !Ref EgressRt, DestinationCidrBlock: 10.0.0.0/8, TransitGatewayAttachmentId: !GetAtt Fw.TransitGatewayAttachmentId}
";
    let d = detail(&format!("{egress}{inspection}")).expect("the inspection table has no way back");
    assert!(d.contains("route table InspectionRt") && d.contains("no route for 10.0.1.0/24"), "{d}");
    let inspected = propagation
        .replace("TransitGatewayRouteTableId: !Ref EgressRt", "TransitGatewayRouteTableId: !Ref InspectionRt");
    assert_eq!(detail(&format!("{egress}{inspection}{inspected}")), None);
}

#[test]
fn one_certain_block_beats_any_number_of_open_hops() {
    use Verdict::{Block, Pass, Unknown};
    let cases: &[(&[Verdict], super::Status)] = &[
        (&[], super::Status::Reachable),
        (&[Pass, Pass], super::Status::Reachable),
        (&[Pass, Unknown], super::Status::Unknown),
        (&[Unknown, Block], super::Status::Unreachable),
        (&[Block, Unknown, Unknown], super::Status::Unreachable),
    ];
    for (verdicts, want) in cases {
        assert_eq!(super::all_of(verdicts.iter().copied()), *want, "{verdicts:?}");
    }
}
