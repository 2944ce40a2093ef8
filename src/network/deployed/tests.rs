//! Binding on small states written inline: which elements join the model,
//! with what, and what stays open.

use std::sync::Arc;

use crate::lint::{Options, analyze_file};
use crate::network::sg::Peer;
use crate::network::{Destination, Ident, Network, RouteTarget};
use crate::state::AccountState;

const VPC: &str = r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "IsDefault": false}]}"#;
const SUBNETS: &str = r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
    "AvailabilityZone": "us-east-1a", "MapPublicIpOnLaunch": false}]}"#;

/// The model of `template` (instances naming `subnet-1`, …) against the
/// state files `(name, JSON)`.
fn model(template: &str, files: &[(&str, &str)]) -> Network {
    let texts: Vec<(&str, Option<&str>, &str)> = files.iter().map(|(n, t)| (*n, None, *t)).collect();
    let state = AccountState::from_texts(&texts).expect("state");
    let opts = Options { account_state: Some(Arc::new(state)), ..Options::default() };
    analyze_file("t.yaml", template, "us-east-1", &opts).expect("a template").network
}

fn instance(props: &str) -> String {
    format!("Resources:\n  Instance:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n{props}")
}

#[test]
fn a_subnet_brings_its_vpc_main_table_and_default_acl() {
    let tables = r#"{"RouteTables": [{"RouteTableId": "rtb-main", "VpcId": "vpc-1",
        "Associations": [{"Main": true, "RouteTableId": "rtb-main"}],
        "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                   {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "blackhole"},
                   {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}]},
        {"RouteTableId": "rtb-other", "VpcId": "vpc-1", "Associations": [], "Routes": []}]}"#;
    let acls = r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Associations": [],
        "Entries": [{"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": true, "CidrBlock": "0.0.0.0/0",
                     "PortRange": {"From": 443, "To": 443}},
                    {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": true, "CidrBlock": "0.0.0.0/0"}]}]}"#;
    let igws = r#"{"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}]}"#;
    let net = model(
        &instance("      SubnetId: subnet-1\n"),
        &[("v.json", VPC), ("s.json", SUBNETS), ("r.json", tables), ("a.json", acls), ("i.json", igws)],
    );
    let s = net.subnet("subnet-1").expect("the subnet");
    assert_eq!(s.vpc, Ident::Resource("vpc-1".into()));
    assert_eq!(s.route_table, Some(Ident::Resource("rtb-main".into())), "no explicit association: the main table");
    assert_eq!(s.nacl, Some(Ident::Resource("acl-1".into())));
    assert!(net.route_table("rtb-other").is_none(), "a table nothing leads to stays out");
    let rt = net.route_table("rtb-main").expect("main table");
    // the local route is implicit, a blackhole route carries nothing
    assert_eq!(rt.routes.len(), 1);
    assert_eq!(rt.routes[0].target, RouteTarget::InternetGateway(Ident::Resource("igw-1".into())));
    assert!(net.igw("igw-1").is_some_and(|g| g.attached == [Ident::Resource("vpc-1".into())]));
    let acl = net.nacl("acl-1").expect("acl");
    assert!(!acl.is_default, "the state's entries, no allow-all shortcut");
    assert_eq!(acl.entries.len(), 1, "the final * deny is implicit");
    assert_eq!(net.workloads[0].subnet, Ident::Resource("subnet-1".into()));
    // where each was read, and the template node that named it
    let d = net.deployed("rtb-main").expect("recorded");
    assert_eq!((&*d.state.file, d.state.pointer.as_str()), ("r.json", "/RouteTables/0"));
    assert_eq!(d.anchor.as_ref().expect("named").resource, "Instance");
    assert_eq!(d.anchor.as_ref().expect("named").span.start.line, 6);
    assert!(d.role.as_deref().is_some_and(|r| r.contains("main route table")));
    // no DNS attributes, no endpoints output: open, naming the calls
    let v = net.vpc("vpc-1").expect("vpc");
    assert!(v.dns_support_open.as_ref().is_some_and(|u| u.reason.contains("enableDnsSupport")));
    assert!(v.endpoints_open.as_ref().is_some_and(|u| u.reason.contains("describe-vpc-endpoints")));
}

#[test]
fn groups_keep_their_effective_rules_and_prefix_lists_their_meaning() {
    let groups = r#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "app", "VpcId": "vpc-1",
        "IpPermissions": [],
        "IpPermissionsEgress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-s3"}, {"PrefixListId": "pl-0c0c0c0c0c0c0c0c0"}]},
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2"}], "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]}]}"#;
    let lists = r#"{"PrefixLists": [{"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15"]}]}"#;
    let entries = r#"{"Entries": [{"Cidr": "192.168.0.0/16"}]}"#;
    let net = model(
        &instance("      SubnetId: subnet-1\n      SecurityGroupIds: [sg-1]\n"),
        &[
            ("v.json", VPC),
            ("s.json", SUBNETS),
            ("g.json", groups),
            ("p.json", lists),
            ("pl-0c0c0c0c0c0c0c0c0.json", entries),
        ],
    );
    let g = net.group("sg-1").expect("group");
    assert_eq!(g.egress.len(), 4, "one rule per peer, no default added");
    assert_eq!(g.egress[0].peer, Peer::Service { id: "pl-s3".into(), service: "s3".into() });
    assert!(matches!(&g.egress[1].peer, Peer::Declared(l) if l.id == "pl-0c0c0c0c0c0c0c0c0"));
    assert!(g.egress.iter().any(|r| r.peer == Peer::Group(Ident::Resource("sg-2".into()))));
    assert_eq!(net.workloads[0].groups, [Ident::Resource("sg-1".into())]);
    // a group that is not in the state, when the state lists groups: open
    let net = model(
        &instance("      SubnetId: subnet-1\n      SecurityGroupIds: [sg-9]\n"),
        &[("v.json", VPC), ("s.json", SUBNETS), ("g.json", groups)],
    );
    assert!(matches!(&net.workloads[0].groups[0], Ident::Unknown(u) if u.reason.contains("not in the account state")));
}

/// A group the CDK made with `allowAllOutbound: false`, deployed: its only
/// egress rule is the placeholder (icmp 252-86 to 255.255.255.255/32,
/// aws-cdk-lib `MATCH_NO_TRAFFIC`), so it has no egress and says why.
#[test]
fn a_deployed_cdk_group_without_outbound_has_no_egress() {
    let groups = r#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "locked", "VpcId": "vpc-1",
        "IpPermissions": [],
        "IpPermissionsEgress": [{"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86,
            "IpRanges": [{"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic"}]}]}]}"#;
    let net = model(
        &instance("      SubnetId: subnet-1\n      SecurityGroupIds: [sg-1]\n"),
        &[("v.json", VPC), ("s.json", SUBNETS), ("g.json", groups)],
    );
    let g = net.group("sg-1").expect("group");
    assert!(g.egress.is_empty() && g.cdk_no_egress, "{:?}", g.egress);
}

#[test]
fn s3_routes_through_an_undescribed_endpoint_stay_open() {
    let tables = r#"{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
        "Associations": [{"Main": false, "SubnetId": "subnet-1", "RouteTableId": "rtb-1"}],
        "Routes": [{"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-9", "State": "active"}]}]}"#;
    let net =
        model(&instance("      SubnetId: subnet-1\n"), &[("v.json", VPC), ("s.json", SUBNETS), ("r.json", tables)]);
    let rt = net.route_table("rtb-1").expect("table");
    assert_eq!(rt.routes[0].destination, Destination::ServicePrefixList("s3".into()));
    assert_eq!(rt.routes[0].target, RouteTarget::Other("VpcEndpointId".into(), Ident::External("vpce-9".into())));
}

#[test]
fn profiles_bring_their_role_and_the_accounts_policy_documents() {
    let iam = r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "InstanceProfileList": [{"InstanceProfileName": "p", "Arn": "arn:aws:iam::123456789012:instance-profile/p", "Roles": [{"RoleName": "r"}]}],
        "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "mine", "PolicyArn": "arn:aws:iam::123456789012:policy/mine"}]}],
        "Policies": [{"Arn": "arn:aws:iam::123456789012:policy/mine", "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": [{"Effect": "Allow", "Action": "ssm*:*", "Resource": "*"}]}}]}]}"#;
    for name in ["p", "arn:aws:iam::123456789012:instance-profile/p"] {
        let net = model(&instance(&format!("      IamInstanceProfile: {name}\n")), &[("iam.json", iam)]);
        assert_eq!(net.workloads[0].profile.as_ref().map(|(i, _)| i.clone()), Some(Ident::Resource("p".into())));
        let role = net.role("r").expect("role");
        let arn = role.managed[0].text().unwrap_or_default();
        assert_eq!(arn, "arn:aws:iam::<account>:policy/mine", "no account ID");
        assert!(net.managed_policies.iter().any(|(k, _)| k == arn), "its document, under that name");
    }
}

#[test]
fn the_default_vpc_places_instances_without_a_subnet() {
    let vpcs = r#"{"Vpcs": [{"VpcId": "vpc-d", "CidrBlock": "172.31.0.0/16", "IsDefault": true}]}"#;
    let subnets = r#"{"Subnets": [
        {"SubnetId": "subnet-a", "VpcId": "vpc-d", "CidrBlock": "172.31.0.0/20", "AvailabilityZone": "us-east-1a", "DefaultForAz": true},
        {"SubnetId": "subnet-b", "VpcId": "vpc-d", "CidrBlock": "172.31.16.0/20", "AvailabilityZone": "us-east-1b", "DefaultForAz": true},
        {"SubnetId": "subnet-x", "VpcId": "vpc-d", "CidrBlock": "172.31.32.0/20", "AvailabilityZone": "us-east-1a", "DefaultForAz": false}]}"#;
    let net = model(&instance(""), &[("v.json", vpcs), ("s.json", subnets)]);
    let placed: Vec<Ident> = net.workloads.iter().map(|w| w.subnet.clone()).collect();
    assert_eq!(placed, [Ident::Resource("subnet-a".into()), Ident::Resource("subnet-b".into())]);
    let net = model(&instance("      AvailabilityZone: us-east-1b\n"), &[("v.json", vpcs), ("s.json", subnets)]);
    assert_eq!(net.workloads.len(), 1);
    assert_eq!(net.workloads[0].subnet, Ident::Resource("subnet-b".into()));
    // VPCs, none the default: PN109's mark
    let net = model(&instance(""), &[("v.json", VPC)]);
    assert!(net.no_default_vpc.contains_key("Instance"));
    // no describe-vpcs at all: open
    let net = model(&instance(""), &[("s.json", SUBNETS)]);
    assert!(net.no_default_vpc.is_empty() && matches!(net.workloads[0].subnet, Ident::Unknown(_)));
}

#[test]
fn without_state_nothing_binds() {
    let opts = Options::default();
    let net = analyze_file("t.yaml", &instance("      SubnetId: subnet-1\n"), "us-east-1", &opts).expect("t").network;
    assert!(net.deployed.is_empty());
    assert_eq!(net.workloads[0].subnet, Ident::External("subnet-1".into()));
}

#[test]
fn the_accounts_settings_fill_what_the_template_leaves_unsaid() {
    use crate::network::bpa::{BlockMode, ExclusionMode, Scope};
    use crate::network::session::{Preferences, Switch};
    let options = |allowed: &str| {
        format!(
            r#"{{"VpcBlockPublicAccessOptions": {{"InternetGatewayBlockMode": "block-ingress", "ExclusionsAllowed": "{allowed}"}}}}"#
        )
    };
    let exclusions = r#"{"VpcBlockPublicAccessExclusions": [
        {"ExclusionId": "vpcbpa-exclude-1", "InternetGatewayExclusionMode": "allow-bidirectional", "State": "create-complete",
         "ResourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1"},
        {"ExclusionId": "vpcbpa-exclude-2", "InternetGatewayExclusionMode": "allow-egress", "State": "create-in-progress",
         "ResourceArn": "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"},
        {"ExclusionId": "vpcbpa-exclude-3", "InternetGatewayExclusionMode": "allow-everything", "State": "update-complete",
         "ResourceArn": "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"}]}"#;
    let prefs = r#"{"Name": "SSM-SessionManagerRunShell", "DocumentType": "Session",
        "Content": "{\"inputs\": {\"kmsKeyId\": \"arn:aws:kms:us-east-1:123456789012:key/1234abcd\", \"s3BucketName\": \"\", \"s3EncryptionEnabled\": \"true\"}}"}"#;
    let template = instance("      SubnetId: subnet-1\n");
    let opts = options("allowed");
    let net = model(&template, &[("o.json", &opts), ("e.json", exclusions), ("p.json", prefs)]);
    let bpa = &net.account.block_public_access;
    let (mode, origin) = bpa.mode.as_ref().expect("the state's mode");
    assert_eq!(mode.as_ref().ok(), Some(&BlockMode::Ingress));
    assert_eq!(origin.resource(), "VpcBlockPublicAccessOptions");
    assert_eq!(origin.span(), None, "no template node declares it");
    // only exclusions in force; a mode not known stays open
    assert_eq!(bpa.exclusions.len(), 2);
    assert_eq!(bpa.exclusions[0].scope, Scope::Vpc(Ident::Resource("vpc-1".into())));
    assert_eq!(bpa.exclusions[0].mode, Ok(ExclusionMode::Bidirectional));
    assert!(bpa.exclusions[1].mode.is_err());
    let d = net.deployed("vpcbpa-exclude-1").expect("recorded");
    assert!(d.anchor.is_none() && d.state.pointer == "/VpcBlockPublicAccessExclusions/0");
    assert!(net.deployed("vpcbpa-exclude-2").is_none(), "not in force: never reported");
    match &net.account.session {
        Some(Preferences::Known(p)) => {
            assert!(
                matches!(&p.kms_key, Switch::On(k, _) if k == "arn:aws:kms:us-east-1:<account>:key/1234abcd"),
                "the account is not shown"
            );
            assert_eq!(p.bucket, Switch::Off);
            assert!(p.bucket_encrypted, "`\"true\"` as the console saves it");
            assert_eq!(p.origin.resource(), "SSM-SessionManagerRunShell");
        }
        other => panic!("{other:?}"),
    }
    // an organization that does not allow exclusions: they may cover, never certainly
    let opts = options("not-allowed");
    let net = model(&template, &[("o.json", &opts), ("e.json", exclusions)]);
    let c = net.account.block_public_access.exclusion_of("vpc-1", Some("subnet-1"));
    assert!(c.certain.is_none());
    let (_, why) = c.maybe.expect("may cover");
    assert!(why.reason.contains("ExclusionsAllowed: not-allowed"), "{}", why.reason);
    // the template's own options win
    let own = format!(
        "{template}  Options:\n    Type: AWS::EC2::VPCBlockPublicAccessOptions\n    Properties:\n      InternetGatewayBlockMode: \"off\"\n"
    );
    let net = model(&own, &[("o.json", &opts)]);
    let (mode, origin) = net.account.block_public_access.mode.as_ref().expect("a mode");
    assert_eq!((mode.as_ref().ok(), origin.resource()), (Some(&BlockMode::Off), "Options"));
    assert!(net.deployed("VpcBlockPublicAccessOptions").is_none());
}

#[test]
fn block_public_access_of_another_region_does_not_apply() {
    let options = r#"{"VpcBlockPublicAccessOptions": {"AwsRegion": "eu-west-1", "InternetGatewayBlockMode": "block-bidirectional"}}"#;
    let exclusions = r#"{"VpcBlockPublicAccessExclusions": [{"ExclusionId": "vpcbpa-exclude-1",
        "InternetGatewayExclusionMode": "allow-egress", "State": "create-complete",
        "ResourceArn": "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1"}]}"#;
    let net = model(&instance("      SubnetId: subnet-1\n"), &[("o.json", options), ("e.json", exclusions)]);
    assert_eq!(net.account.block_public_access, Default::default(), "analyzed for us-east-1");
    assert!(net.deployed.is_empty());
}
