//! The hops that account settings and peering add: VPC Block Public Access,
//! edge-to-edge routing through a peering connection, the Session Manager
//! preferences and the agent's buckets behind an S3 gateway endpoint.

use super::hops::block_public_access::Leaves;
use super::{HopKind, Status, Target, Tracer, Verdict, analyze};
use crate::finding::Code;
use crate::network::Network;
use crate::network::tests::network_of;

/// A VPC with a public subnet (internet gateway, NAT gateway) and a private
/// one whose default route is `PRIVATE_ROUTE`, and an instance in it.
const BASE: &str = "
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, MapPublicIpOnLaunch: true}
  PublicRt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  PublicAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Public, RouteTableId: !Ref PublicRt}
  PublicDefault:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref PublicRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref Public, AllocationId: eipalloc-1}
  Private:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Private, RouteTableId: !Ref Rt}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore]
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties: {Roles: [!Ref Role]}
  I:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref Private, IamInstanceProfile: !Ref Profile}
";

const VIA_NAT: &str = "
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
";

fn net(extra: &str) -> Network {
    network_of(&format!("Parameters:\n  Mode: {{Type: String}}\nResources:{BASE}{extra}"))
}

fn options(mode: &str) -> String {
    format!(
        "
  Options:
    Type: AWS::EC2::VPCBlockPublicAccessOptions
    Properties: {{InternetGatewayBlockMode: {mode}}}
"
    )
}

fn exclusion(id: &str, scope: &str, mode: &str) -> String {
    format!(
        "
  {id}:
    Type: AWS::EC2::VPCBlockPublicAccessExclusion
    Properties: {{{scope}, InternetGatewayExclusionMode: {mode}}}
"
    )
}

/// The verdict and code of a hop, if there is one.
type Outcome = Option<(Verdict, Option<Code>)>;

/// The verdict and code of the Block Public Access hop for `leaves`.
fn bpa(extra: &str, leaves: Leaves<'_>) -> Outcome {
    let n = net(extra);
    let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
    t.block_public_access_hop(leaves).map(|h| (h.verdict, h.blocker.map(|b| b.code)))
}

#[test]
fn block_public_access_by_mode_exclusion_and_where_the_traffic_leaves() {
    let nat = Leaves::Nat { nat: "Nat", vpc: "Vpc", subnet: Some("Public") };
    let own = Leaves::Workload { vpc: "Vpc", subnet: "Public" };
    let pass = Some((Verdict::Pass, None));
    let blocked = Some((Verdict::Block, Some(Code::PN107)));
    let open = Some((Verdict::Unknown, Some(Code::PN005)));
    let bidi = options("block-bidirectional");
    let ingress = options("block-ingress");
    let cases: Vec<(String, Leaves<'_>, Outcome)> = vec![
        // no setting, no hop: the account default is off
        (String::new(), nat, None),
        (options("'off'"), nat, pass),
        (bidi.clone(), nat, blocked),
        (bidi.clone(), own, blocked),
        (format!("{bidi}{}", exclusion("E", "SubnetId: !Ref Public", "allow-egress")), nat, pass),
        (format!("{bidi}{}", exclusion("E", "VpcId: !Ref Vpc", "allow-egress")), own, pass),
        // the workload's subnet excluded does not let the NAT gateway out
        (format!("{bidi}{}", exclusion("E", "SubnetId: !Ref Private", "allow-egress")), nat, blocked),
        (ingress.clone(), nat, pass),
        (ingress.clone(), own, blocked),
        (format!("{ingress}{}", exclusion("E", "SubnetId: !Ref Public", "allow-egress")), own, blocked),
        (format!("{ingress}{}", exclusion("E", "SubnetId: !Ref Public", "allow-bidirectional")), own, pass),
        // a mode or an exclusion that is not known
        (options("!Ref Mode"), nat, open),
        (format!("{bidi}{}", exclusion("E", "SubnetId: !Ref Public", "!Ref Mode")), nat, open),
        // a regional NAT gateway: only its VPC's exclusion counts
        (
            format!("{bidi}{}", exclusion("E", "SubnetId: !Ref Public", "allow-egress")),
            Leaves::Nat { nat: "Nat", vpc: "Vpc", subnet: None },
            blocked,
        ),
    ];
    for (i, (extra, leaves, want)) in cases.into_iter().enumerate() {
        assert_eq!(bpa(&extra, leaves), want, "case {i}: {extra}");
    }
}

#[test]
fn the_block_public_access_hop_follows_the_internet_gateway_on_both_paths() {
    let n = net(&format!("{VIA_NAT}{}", options("block-bidirectional")));
    let results = analyze(&n, "us-east-1");
    let dnf = &results[0].dnf;
    assert_eq!(dnf.status, Status::Unreachable);
    assert_eq!(dnf.reasons, vec![Code::PN107]);
    let kinds: Vec<HopKind> = dnf.paths[0].hops.iter().map(|h| h.kind).collect();
    let igw = kinds.iter().position(|k| *k == HopKind::InternetGateway).expect("internet gateway hop");
    assert_eq!(kinds[igw + 1], HopKind::BlockPublicAccess);
}

fn peering(peer: &str) -> String {
    format!(
        "
  Other:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: 10.1.0.0/16}}
  OtherS3:
    Type: AWS::EC2::VPCEndpoint
    Properties: {{VpcId: !Ref Other, ServiceName: com.amazonaws.us-east-1.s3}}
  Pcx:
    Type: AWS::EC2::VPCPeeringConnection
    Properties: {{VpcId: !Ref Vpc, PeerVpcId: {peer}}}
  Default:
    Type: AWS::EC2::Route
    Properties: {{RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, VpcPeeringConnectionId: !Ref Pcx}}
"
    )
}

#[test]
fn a_peering_route_to_public_addresses_is_edge_to_edge_routing() {
    let n = net(&peering("!Ref Other"));
    let results = analyze(&n, "us-east-1");
    assert_eq!(results[0].dnf.reasons, vec![Code::PN108]);
    assert_eq!(results[0].ssm.reasons, vec![Code::PN108]);
    let hop = results[0].dnf.paths[0].hops.iter().find(|h| h.kind == HopKind::VpcPeering).expect("peering hop");
    assert!(hop.detail.contains("S3 gateway endpoint OtherS3"), "{}", hop.detail);
    // the peer outside the template: PN106
    let n = net(&peering("vpc-0abc"));
    let results = analyze(&n, "us-east-1");
    assert_eq!(results[0].dnf.status, Status::Unknown);
    assert_eq!(results[0].dnf.reasons, vec![Code::PN106]);
}

const PREFERENCES: &str = "
  Prefs:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Session
      Content: {inputs: {INPUTS}}
";

fn targets(extra: &str, inputs: &str) -> Vec<(Target, Status)> {
    let n = net(&format!("{extra}{}", PREFERENCES.replace("INPUTS", inputs)));
    let results = analyze(&n, "us-east-1");
    results[0].ssm.paths.iter().skip(3).map(|p| (p.target.clone(), p.status)).collect()
}

#[test]
fn each_preference_turned_on_adds_its_path() {
    let all = "kmsKeyId: k, cloudWatchLogGroupName: g, s3BucketName: b";
    assert_eq!(
        targets(VIA_NAT, all),
        vec![
            (Target::Kms, Status::Unreachable),
            (Target::Logs, Status::Unreachable),
            (Target::SessionLogBucket, Status::Unreachable)
        ]
    );
    assert_eq!(targets(VIA_NAT, "kmsKeyId: '', s3BucketName: ''"), vec![]);
    // an administrator has every action: the NAT gateway path decides
    let admin = VIA_NAT.to_string()
        + "
  Admin:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: admin
      Roles: [!Ref Role]
      PolicyDocument: {Statement: [{Effect: Allow, Action: '*', Resource: '*'}]}
";
    assert_eq!(targets(&admin, "kmsKeyId: k").as_slice(), [(Target::Kms, Status::Reachable)]);
    // no way out at all: the kms path fails at the missing endpoint too
    let n = net(&format!("{admin}{}", PREFERENCES.replace("INPUTS", "s3BucketName: b")).replace(VIA_NAT, ""));
    let results = analyze(&n, "us-east-1");
    let path = results[0].ssm.paths.iter().find(|p| p.target == Target::SessionLogBucket).expect("s3-logs path");
    let codes: Vec<Code> = path
        .hops
        .iter()
        .filter(|h| h.verdict == Verdict::Block)
        .filter_map(|h| h.blocker.as_ref().map(|b| b.code))
        .collect();
    assert_eq!(codes, vec![Code::PN413]);
}

#[test]
fn the_agent_buckets_note_needs_a_restrictive_policy_on_the_route_and_a_profile() {
    let endpoint = |policy: &str| {
        format!(
            "
  S3:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.us-east-1.s3
      RouteTableIds: [!Ref Rt]
      {policy}
"
        )
    };
    let note = |extra: &str| {
        let n = net(extra);
        let t = Tracer::new(&n, "us-east-1", &n.workloads[0]);
        t.agent_buckets_note().map(|b| b.why)
    };
    assert_eq!(note(&endpoint("")), None, "the default policy allows everything");
    let repo_only = "PolicyDocument: {Statement: [{Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*'}]}";
    let why = note(&endpoint(repo_only)).expect("a note");
    assert!(why.contains("us-east-1-birdwatcher-prod") && why.contains("amazon-ssm-us-east-1"), "{why}");
    let everything =
        "PolicyDocument: {Statement: [{Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: '*'}]}";
    assert_eq!(note(&endpoint(everything)), None);
    // the endpoint on another route table: not this workload's S3 path
    assert_eq!(note(&endpoint(repo_only).replace("[!Ref Rt]", "[!Ref PublicRt]")), None);
}
