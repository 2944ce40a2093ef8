//! The model built from small templates: prefix lists expanded in rules and
//! routes, and where a workload lives and whether it gets a public IP.

use super::prefix_list::Entries;
use super::sg::Peer;
use super::{Destination, Ident, Network, PublicIp};
use crate::resolve::{Context, resolve};
use crate::source::parse;
use crate::template::Template;

const BASE: &str = "
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}
  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
";

fn net(resources: &str) -> Network {
    net_with("", resources)
}

fn net_with(parameters: &str, resources: &str) -> Network {
    network_of(&format!("{parameters}Resources:{BASE}{resources}"))
}

/// The network of the template `text`, analyzed for us-east-1 (the
/// network and reach tests' one way to build one).
pub(crate) fn network_of(text: &str) -> Network {
    let doc = parse(Some("t.yaml"), text);
    let root = doc.root.expect("parses");
    let (t, _) = Template::new(&root).expect("template");
    super::build(&resolve(&t, &Context::new("us-east-1")))
}

fn cidrs(list: &[&str]) -> Entries {
    Entries::V4(list.iter().map(|c| c.parse().unwrap()).collect())
}

#[test]
fn prefix_lists_read_their_entries() {
    let n = net_with(
        "Parameters:\n  Office: {Type: String, Default: 192.168.0.0/16}\n  Open: {Type: String}\n",
        "
  Internal:
    Type: AWS::EC2::PrefixList
    Properties:
      AddressFamily: IPv4
      Entries: [{Cidr: 10.0.0.0/16}, {Cidr: !Ref Office, Description: office}]
  Empty:
    Type: AWS::EC2::PrefixList
    Properties: {AddressFamily: IPv4, MaxEntries: 5}
  Six:
    Type: AWS::EC2::PrefixList
    Properties: {AddressFamily: IPv6, Entries: [{Cidr: \"2001:db8::/32\"}]}
  Unset:
    Type: AWS::EC2::PrefixList
    Properties: {AddressFamily: IPv4, Entries: [{Cidr: !Ref Open}]}
",
    );
    let entries = |id: &str| n.prefix_list(id).map(|l| l.entries.clone()).unwrap();
    assert_eq!(entries("Internal"), cidrs(&["10.0.0.0/16", "192.168.0.0/16"]));
    assert_eq!(entries("Empty"), cidrs(&[]));
    assert_eq!(entries("Six"), Entries::V6);
    assert!(matches!(entries("Unset"), Entries::Unknown(_)));
}

#[test]
fn rules_and_routes_name_declared_lists_by_ref_or_prefix_list_id() {
    let n = net("
  Internal:
    Type: AWS::EC2::PrefixList
    Properties: {AddressFamily: IPv4, Entries: [{Cidr: 10.0.0.0/16}, {Cidr: 10.8.0.0/16}]}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, SourcePrefixListId: !Ref Internal}]
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationPrefixListId: !GetAtt Internal.PrefixListId}]
  Out:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 80, ToPort: 80, DestinationPrefixListId: pl-0e5b2c7a9d1f34a68}
  ToList:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationPrefixListId: !Ref Internal, TransitGatewayId: tgw-1}
  ToExternal:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationPrefixListId: pl-0e5b2c7a9d1f34a68, TransitGatewayId: tgw-1}
");
    let g = n.group("Sg").unwrap();
    let declared = |p: &Peer| matches!(p, Peer::Declared(l) if l.id == "Internal" && l.entries == cidrs(&["10.0.0.0/16", "10.8.0.0/16"]));
    assert!(declared(&g.ingress[0].peer), "{:?}", g.ingress[0].peer);
    assert!(declared(&g.egress[0].peer), "{:?}", g.egress[0].peer);
    assert_eq!(g.egress[1].peer, Peer::PrefixList(Ident::External("pl-0e5b2c7a9d1f34a68".into())));
    // one route per entry, each remembering its list; an external list decides nothing
    let routes: Vec<(&str, Destination, Option<&str>)> = n.route_tables[0]
        .routes
        .iter()
        .map(|r| (r.id.as_str(), r.destination.clone(), r.prefix_list.as_deref()))
        .collect();
    assert_eq!(
        routes,
        vec![
            ("ToList", Destination::Cidr("10.0.0.0/16".parse().unwrap()), Some("Internal")),
            ("ToList", Destination::Cidr("10.8.0.0/16".parse().unwrap()), Some("Internal")),
            ("ToExternal", Destination::Other, None),
        ]
    );
}

const PROFILE: &str = "
  Eni:
    Type: AWS::EC2::NetworkInterface
    Properties: {SubnetId: !Ref Subnet, GroupSet: [!Ref Sg]}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: x, VpcId: !Ref Vpc}
";

/// The first workload's subnet, groups and public IP.
fn placement(resources: &str) -> (Ident, Vec<Ident>, PublicIp) {
    let n = net(&format!("{PROFILE}{resources}"));
    let w = n.workloads.first().expect("a workload");
    (w.subnet.clone(), w.groups.clone(), w.public_ip.clone())
}

fn no_public_ip_at(public: &PublicIp) -> Option<(String, String)> {
    match public {
        PublicIp::No(no) => Some((no.resource.clone(), no.why.clone())),
        _ => None,
    }
}

#[test]
fn an_instance_on_a_template_interface_takes_its_subnet_and_groups() {
    let instance = "
  I:
    Type: AWS::EC2::Instance
    Properties: {NetworkInterfaces: [{DeviceIndex: 0, NetworkInterfaceId: !Ref Eni}]}
";
    let (subnet, groups, public) = placement(instance);
    assert_eq!(subnet, Ident::Resource("Subnet".into()));
    assert_eq!(groups, vec![Ident::Resource("Sg".into())]);
    // MapPublicIpOnLaunch does not apply to an existing interface
    let (resource, why) = no_public_ip_at(&public).expect("no public IP");
    assert_eq!(resource, "I");
    assert!(why.contains("network interface Eni"), "{why}");
    // an Elastic IP association on the interface, or on the instance, gives one
    let on_eni = "
  Assoc:
    Type: AWS::EC2::EIPAssociation
    Properties: {AllocationId: eipalloc-1, NetworkInterfaceId: !Ref Eni}
";
    assert!(matches!(placement(&format!("{instance}{on_eni}")).2, PublicIp::Yes(_)));
    let on_instance = "
  Eip:
    Type: AWS::EC2::EIP
    Properties: {InstanceId: !Ref I}
";
    assert!(matches!(placement(&format!("{instance}{on_instance}")).2, PublicIp::Yes(_)));
    // an interface without GroupSet carries the VPC's default group
    let (_, groups, _) = placement(&instance.replace("Eni}", "Bare}").replace(
        "  I:\n",
        "  Bare:\n    Type: AWS::EC2::NetworkInterface\n    Properties: {SubnetId: !Ref Subnet}\n  I:\n",
    ));
    assert!(groups.is_empty(), "{groups:?}");
    // an interface outside the template: unknown, not the default VPC
    let (subnet, _, public) = placement(&instance.replace("!Ref Eni", "eni-0123456789abcdef0"));
    let Ident::Unknown(u) = subnet else { panic!("{subnet:?}") };
    assert!(u.reason.contains("eni-0123456789abcdef0") && !u.reason.contains("default VPC"), "{}", u.reason);
    assert!(matches!(public, PublicIp::Unknown(_)));
}

#[test]
fn an_interface_attached_after_launch_does_not_move_the_instance() {
    let (subnet, groups, public) = placement(
        "
  Other:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.9.0/24}
  Second:
    Type: AWS::EC2::NetworkInterface
    Properties: {SubnetId: !Ref Other}
  Attach:
    Type: AWS::EC2::NetworkInterfaceAttachment
    Properties: {InstanceId: !Ref I, NetworkInterfaceId: !Ref Second, DeviceIndex: 1}
  I:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Sg]}
",
    );
    assert_eq!(subnet, Ident::Resource("Subnet".into()));
    assert_eq!(groups, vec![Ident::Resource("Sg".into())]);
    assert_eq!(public, PublicIp::FromSubnet);
}

#[test]
fn associate_public_ip_address_true_false_and_absent_differ() {
    let nic = |extra: &str| {
        format!(
            "
  I:
    Type: AWS::EC2::Instance
    Properties:
      NetworkInterfaces:
        - {{DeviceIndex: 0, SubnetId: !Ref Subnet{extra}}}
"
        )
    };
    assert_eq!(placement(&nic("")).2, PublicIp::FromSubnet);
    assert!(matches!(placement(&nic(", AssociatePublicIpAddress: true")).2, PublicIp::Yes(_)));
    let (resource, why) = no_public_ip_at(&placement(&nic(", AssociatePublicIpAddress: \"false\"")).2).unwrap();
    assert_eq!(resource, "I");
    assert!(why.contains("AssociatePublicIpAddress: false"), "{why}");
    // a second interface at launch: no public IP, even with `true`
    let second = ", AssociatePublicIpAddress: true}\n        - {DeviceIndex: 1, SubnetId: !Ref Subnet";
    let (_, why) = no_public_ip_at(&placement(&nic(second)).2).unwrap();
    assert!(why.contains("2 network interfaces"), "{why}");
    // a value known only at deployment
    let unknown = placement(&format!("{}\n", nic(", AssociatePublicIpAddress: !ImportValue Shared"))).2;
    assert!(matches!(unknown, PublicIp::Unknown(_)), "{unknown:?}");
}

#[test]
fn launch_templates_and_configurations_refuse_public_ips_where_they_say_so() {
    let lt = "
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        NetworkInterfaces: [{DeviceIndex: 0, Groups: [!Ref Sg], AssociatePublicIpAddress: false}]
  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: 1, MaxSize: 1, VPCZoneIdentifier: [!Ref Subnet], LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: 1}}
";
    let (resource, why) = no_public_ip_at(&placement(lt).2).unwrap();
    assert_eq!(resource, "Lt");
    assert!(why.contains("launch template Lt"), "{why}");
    let lc = "
  Lc:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties: {ImageId: ami-1, InstanceType: t3.micro, AssociatePublicIpAddress: false}
  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: 1, MaxSize: 1, VPCZoneIdentifier: [!Ref Subnet], LaunchConfigurationName: !Ref Lc}
";
    let (resource, _) = no_public_ip_at(&placement(lc).2).unwrap();
    assert_eq!(resource, "Lc");
    assert_eq!(placement(&lc.replace(", AssociatePublicIpAddress: false", "")).2, PublicIp::FromSubnet);
}
