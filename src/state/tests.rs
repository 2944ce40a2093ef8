//! Loading, merging and indexing, on the fixture states
//! (`fixtures/state/<scenario>/`) and on small texts.

use std::path::{Path, PathBuf};

use super::endpoint::VpcEndpointType;
use super::vpc::InternetGatewayBlockMode;
use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/state").join(name)
}

fn load(name: &str) -> AccountState {
    match AccountState::load(&[fixture(name)], &[]) {
        Ok(s) => s,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn load_err(name: &str) -> StateError {
    match AccountState::load(&[fixture(name)], &[]) {
        Ok(_) => panic!("{name} loaded"),
        Err(e) => e,
    }
}

const VPC: &str = "vpc-0a1b2c3d4e5f67890";
const SUBNET: &str = "subnet-0a1b2c3d4e5f67890";

#[test]
fn private_subnet_scenario_is_read_whole() {
    let state = load("private-subnet");
    let r = state.region("us-east-1");
    let vpc = r.vpc(VPC).unwrap();
    assert_eq!(vpc.value.cidr_block.as_deref(), Some("10.0.0.0/16"));
    assert_eq!(vpc.value.is_default, Some(false));
    assert!(vpc.origin.file.ends_with("private-subnet/vpcs.json"), "{}", vpc.origin);
    assert_eq!(vpc.origin.pointer, "/Vpcs/0");
    assert_eq!(r.dns_support(VPC).map(|d| d.value), Some(true));
    let hostnames = r.dns_hostnames(VPC).unwrap();
    assert!(hostnames.value);
    assert_eq!(hostnames.origin.pointer, "/EnableDnsHostnames/Value");

    // the subnet's explicit table holds the S3 gateway endpoint route
    let subnet = r.subnet(SUBNET).unwrap();
    assert_eq!(subnet.value.map_public_ip_on_launch, Some(false));
    assert_eq!(subnet.value.availability_zone_id.as_deref(), Some("use1-az1"));
    let rt = r.route_table_of_subnet(SUBNET).unwrap();
    assert!(rt.explicit);
    assert_eq!(rt.table.value.route_table_id, "rtb-0a1b2c3d4e5f67890");
    assert_eq!(rt.table.origin.pointer, "/RouteTables/0");
    let s3 = rt.table.value.routes.iter().find(|r| r.destination_prefix_list_id.is_some()).unwrap();
    assert_eq!(s3.destination_prefix_list_id.as_deref(), Some("pl-63a5400a"));
    assert_eq!(s3.gateway_id.as_deref(), Some("vpce-0a1b2c3d4e5f67890"));
    assert_eq!(r.main_route_table(VPC).map(|t| t.value.route_table_id.as_str()), Some("rtb-0f9e8d7c6b5a43210"));

    // endpoints by VPC, with their types, policies and private DNS
    let endpoints = r.vpc_endpoints_in(VPC);
    assert_eq!(endpoints.len(), 4);
    let gateway = r.vpc_endpoint("vpce-0a1b2c3d4e5f67890").unwrap();
    assert_eq!(gateway.value.vpc_endpoint_type, Some(VpcEndpointType::Gateway));
    assert_eq!(gateway.value.route_table_ids, vec!["rtb-0a1b2c3d4e5f67890".to_string()]);
    assert_eq!(gateway.value.policy_document.as_ref().unwrap()["Statement"][0]["Effect"], "Allow");
    let services: Vec<&str> = endpoints.iter().filter_map(|e| e.value.service()).collect();
    for s in ["ssm", "ssmmessages", "ec2messages", "s3"] {
        assert!(services.contains(&s), "{services:?}");
    }
    assert!(
        endpoints.iter().filter(|e| e.value.service() != Some("s3")).all(|e| e.value.private_dns_enabled == Some(true))
    );

    // groups, ACLs, prefix lists and their entries
    let app = r.security_group("sg-0a1b2c3d4e5f67890").unwrap();
    assert_eq!(app.value.ip_permissions_egress[0].ip_protocol.as_deref(), Some("-1"));
    assert_eq!(r.default_security_group(VPC).map(|g| g.value.group_id.as_str()), Some("sg-0c1d2e3f4a5b67890"));
    let acl = r.network_acl_of_subnet(SUBNET).unwrap();
    assert!(acl.listed);
    let allow = &acl.acl.value.entries[0];
    assert_eq!((allow.protocol.as_deref(), allow.rule_number, allow.egress), (Some("-1"), Some(100), Some(true)));
    assert_eq!(r.prefix_list_by_name("com.amazonaws.us-east-1.s3"), Some("pl-63a5400a"));
    assert_eq!(r.prefix_list_cidrs("pl-63a5400a").map(|c| c.len()), Some(5));
    assert!(r.managed_prefix_list("pl-63a5400a").unwrap().value.aws_managed());
    let corp = r.prefix_list_cidrs("pl-0a1b2c3d4e5f67890").unwrap();
    assert_eq!(corp, vec!["192.168.0.0/16", "172.20.0.0/16"]);
    assert_eq!(r.prefix_list_entries("pl-0a1b2c3d4e5f67890").unwrap().origin.pointer, "/Entries");

    // exports, stacks, IAM, session preferences, Block Public Access
    assert_eq!(r.export("network-PrivateSubnetId").and_then(|e| e.value.value.as_deref()), Some(SUBNET));
    assert_eq!(r.stack("network").and_then(|s| s.value.output("VpcId")), Some(VPC));
    assert_eq!(r.stack("network").and_then(|s| s.value.region()), Some("us-east-1"));
    assert_eq!(r.stacks().iter().map(|s| s.value.stack_name.as_str()).collect::<Vec<_>>(), ["network"]);
    let profile = r.instance_profile("app-ssm-profile").unwrap();
    assert_eq!(profile.origin.pointer, "/RoleDetailList/0/InstanceProfileList/0");
    let by_arn = r.instance_profile("arn:aws:iam::123456789012:instance-profile/app-ssm-profile").unwrap();
    assert_eq!(by_arn.value.instance_profile_name, "app-ssm-profile");
    let role = r.role(&profile.value.roles[0].role_name).unwrap();
    let core = role.value.attached_managed_policies[0].policy_arn.as_deref().unwrap();
    let doc = r.managed_policy(core).unwrap().value.default_document().unwrap();
    assert!(doc.to_string().contains("ssmmessages:CreateControlChannel"));
    assert_eq!(
        role.value.assume_role_policy_document.as_ref().unwrap()["Statement"][0]["Principal"]["Service"],
        "ec2.amazonaws.com"
    );
    let plain = r.role("app-plain-role").unwrap();
    assert!(plain.value.attached_managed_policies.is_empty());
    assert_eq!(
        plain.value.role_policy_list[0].policy_document.as_ref().unwrap()["Statement"][0]["Action"],
        "s3:GetObject"
    );
    let prefs = r.session_preferences().unwrap();
    assert!(!prefs.value.session.as_ref().unwrap().needs_services());
    assert_eq!(r.block_public_access().unwrap().value.internet_gateway_block_mode, Some(InternetGatewayBlockMode::Off));
    assert!(r.has(Kind::Exports) && r.has(Kind::Iam) && r.has(Kind::PrefixListEntries));
    assert!(!r.has(Kind::Instances));
    // the unrelated cdk.context.json is skipped
    assert!(state.files().iter().all(|f| !f.path.ends_with("cdk.context.json")));
    assert_eq!(state.files().len(), 23);
}

#[test]
fn implicit_association_takes_the_main_table() {
    let state = load("implicit-association");
    let r = state.region("us-east-1");
    let rt = r.route_table_of_subnet(SUBNET).unwrap();
    assert!(!rt.explicit);
    assert!(rt.table.value.is_main());
    assert!(rt.table.value.routes.iter().any(|r| r.destination_prefix_list_id.as_deref() == Some("pl-63a5400a")));
}

#[test]
fn variants_differ_where_they_should() {
    let no_route = load("no-s3-route");
    let r = no_route.region("us-east-1");
    let rt = r.route_table_of_subnet(SUBNET).unwrap();
    assert!(rt.table.value.routes.iter().all(|r| r.destination_prefix_list_id.is_none()));
    assert!(r.vpc_endpoints_in(VPC).iter().all(|e| e.value.service() != Some("s3")));

    let off = load("dns-hostnames-off");
    assert_eq!(off.region("us-east-1").dns_hostnames(VPC).map(|d| d.value), Some(false));

    let narrow = load("egress-vpc-cidr-only");
    let g = narrow.region("us-east-1").security_group("sg-0a1b2c3d4e5f67890").unwrap();
    let rule = &g.value.ip_permissions_egress[0];
    assert_eq!((rule.ip_protocol.as_deref(), rule.from_port, rule.to_port), (Some("tcp"), Some(443), Some(443)));
    assert_eq!(rule.ip_ranges[0].cidr_ip.as_deref(), Some("10.0.0.0/16"));
}

#[test]
fn default_vpc_and_its_default_subnets() {
    let state = load("default-vpc");
    let r = state.region("us-east-1");
    let DefaultVpc::Found(vpc) = r.default_vpc() else { panic!("no default VPC") };
    assert_eq!(vpc.value.vpc_id, "vpc-0d1e2f3a4b5c67890");
    let subnets = r.default_subnets(&vpc.value.vpc_id);
    assert_eq!(subnets.len(), 3);
    assert!(subnets.iter().all(|s| s.value.map_public_ip_on_launch == Some(true)));
    assert_eq!(
        r.internet_gateway_of_vpc(&vpc.value.vpc_id).map(|g| g.value.internet_gateway_id.as_str()),
        Some("igw-0d1e2f3a4b5c67890")
    );
    // every default subnet uses the main table, which routes to the internet gateway
    let rt = r.route_table_of_subnet(&subnets[1].value.subnet_id).unwrap();
    assert!(!rt.explicit);
    assert!(rt.table.value.routes.iter().any(|r| r.gateway_id.as_deref() == Some("igw-0d1e2f3a4b5c67890")));

    assert!(matches!(load("no-default-vpc").region("us-east-1").default_vpc(), DefaultVpc::NoDefault));
    assert!(matches!(AccountState::default().region("us-east-1").default_vpc(), DefaultVpc::NotRead));
}

#[test]
fn region_folders_apply_to_their_region_only() {
    let state = load("region-folder");
    let eu = state.region("eu-west-1");
    let us = state.region("us-east-1");
    assert!(eu.subnet("subnet-0e1f2a3b4c5d67890").is_some());
    assert!(us.subnet("subnet-0e1f2a3b4c5d67890").is_none());
    assert!(eu.export("network-PrivateSubnetId").is_some());
    assert!(us.export("network-PrivateSubnetId").is_none());
    assert!(!us.has(Kind::Subnets) && eu.has(Kind::Subnets));
    // IAM outside the folder applies to both
    assert!(eu.instance_profile("app-ssm-profile").is_some() && us.instance_profile("app-ssm-profile").is_some());
    assert_eq!(state.region_folders().collect::<Vec<_>>(), vec!["eu-west-1"]);
    assert!(state.regional_files_outside_region_folders().is_empty(), "IAM is global");
    let scoped = state.files().iter().find(|f| f.path.ends_with("subnets.json")).unwrap();
    assert_eq!(scoped.region.as_deref(), Some("eu-west-1"));
    // files of regions not analyzed are not read at all
    let only_us = AccountState::load(&[fixture("region-folder")], &["us-east-1".to_string()]).unwrap();
    assert!(only_us.files().iter().all(|f| f.region.is_none()));
    // the folder named directly is a region folder too
    let direct = AccountState::load(&[fixture("region-folder/eu-west-1")], &[]).unwrap();
    assert!(direct.region("us-east-1").subnet("subnet-0e1f2a3b4c5d67890").is_none());
    assert!(direct.region("eu-west-1").subnet("subnet-0e1f2a3b4c5d67890").is_some());
    let file = AccountState::load(&[fixture("region-folder/eu-west-1/subnets.json")], &[]).unwrap();
    assert_eq!(file.files()[0].region.as_deref(), Some("eu-west-1"));
}

#[test]
fn the_same_resource_twice_is_read_once() {
    // a folder and a file inside it, and two scenarios sharing identical resources
    let state = AccountState::load(
        &[fixture("private-subnet"), fixture("private-subnet/vpcs.json"), fixture("egress-vpc-cidr-only/vpcs.json")],
        &[],
    )
    .unwrap();
    assert_eq!(state.files().iter().filter(|f| f.path.ends_with("private-subnet/vpcs.json")).count(), 1);
    assert!(state.region("us-east-1").vpc(VPC).unwrap().origin.file.contains("private-subnet"));
}

#[test]
fn errors_name_file_and_pointer_not_values() {
    match load_err("malformed/not-json") {
        StateError::NotJson { path, line, column, .. } => {
            assert!(path.ends_with("subnets.json"));
            assert_eq!((line, column), (7, 5));
        }
        e => panic!("{e}"),
    }
    let e = load_err("malformed/wrong-shape");
    match &e {
        StateError::Shape { pointer, problem, .. } => {
            assert_eq!(pointer, "/Subnets/1/MapPublicIpOnLaunch");
            assert_eq!(problem, "has the wrong type: expected a boolean");
        }
        e => panic!("{e}"),
    }
    assert!(!e.to_string().contains("false"), "{e}");
    let e = load_err("malformed/next-token");
    assert!(matches!(e, StateError::Truncated { key: "NextToken", .. }), "{e}");
    assert!(e.to_string().contains("rerun without --max-items"));
    assert!(!e.to_string().contains("eyJ"));
    let e = load_err("malformed/disagree");
    match &e {
        StateError::Conflict { id, first, second, .. } => {
            assert_eq!(id, SUBNET);
            assert!(first.file.ends_with("a-subnets.json") && second.file.ends_with("b-subnets.json"));
            assert_eq!((first.pointer.as_str(), second.pointer.as_str()), ("/Subnets/0", "/Subnets/0"));
        }
        e => panic!("{e}"),
    }
    assert!(matches!(load_err("malformed/entries-without-id"), StateError::EntriesWithoutId { .. }));
    // a file named as state must hold some; in a folder it is skipped
    let named = AccountState::load(&[fixture("private-subnet/cdk.context.json")], &[]).unwrap_err();
    assert!(matches!(named, StateError::NothingKnown { .. }), "{named}");
    assert!(named.to_string().contains("cdk.context.json: no output privnet-lint reads"), "{named}");
    let e = AccountState::load(&[fixture("no-such-folder")], &[]).unwrap_err();
    assert!(e.to_string().ends_with("no-such-folder: no such file or folder"), "{e}");
    for e in [load_err("malformed/not-json"), load_err("malformed/disagree"), load_err("malformed/wrong-shape")] {
        assert_eq!(e.to_string().lines().count(), 1, "{e}");
        assert!(!e.to_string().contains("123456789012"), "{e}");
    }
}

fn texts(files: &[(&str, &str)]) -> Result<AccountState, StateError> {
    let with_region: Vec<(&str, Option<&str>, &str)> = files.iter().map(|(p, t)| (*p, None, *t)).collect();
    AccountState::from_texts(&with_region)
}

#[test]
fn shapes_errors_table() {
    // (file text, the pointer of the error, or None when it loads)
    let cases: &[(&str, Option<&str>)] = &[
        (r#"{"Vpcs": {}}"#, Some("/Vpcs")),
        (r#"{"Vpcs": [{"CidrBlock": "10.0.0.0/16"}]}"#, Some("/Vpcs/0")),
        (
            r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [{"Protocol": 6}]}]}"#,
            Some("/NetworkAcls/0/Entries/0/Protocol"),
        ),
        (
            r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [{"Protocol": "6", "RuleNumber": "100"}]}]}"#,
            Some("/NetworkAcls/0/Entries/0/RuleNumber"),
        ),
        (
            r#"{"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "PolicyDocument": "{not json"}]}"#,
            Some("/VpcEndpoints/0/PolicyDocument"),
        ),
        (
            r#"{"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcEndpointType": "SomethingNew", "State": "available"}]}"#,
            None,
        ),
        (r#"{"VpcId": "vpc-1", "EnableDnsSupport": {"Value": "yes"}}"#, Some("/EnableDnsSupport/Value")),
        (r#"{"VpcId": "vpc-1", "EnableNetworkAddressUsageMetrics": {"Value": false}}"#, None),
        (
            r#"{"RoleDetailList": [{"RoleName": "r", "AssumeRolePolicyDocument": 5}]}"#,
            Some("/RoleDetailList/0/AssumeRolePolicyDocument"),
        ),
        (
            r#"{"Name": "SSM-SessionManagerRunShell", "Content": "schemaVersion: '1.0'", "DocumentFormat": "YAML"}"#,
            Some("/Content"),
        ),
        (r#"{"Subnets": [{"SubnetId": "subnet-1", "Tags": null, "Ipv6CidrBlockAssociationSet": null}]}"#, None),
        (r#"{"Subnets": [], "Subnets": []}"#, Some("")),
        (r#"[1, 2, 3]"#, None),
        (r#"{"Name": "app", "Version": 3}"#, None),
        (r#"{"Entries": [{"EventId": "1"}]}"#, None),
    ];
    for (text, expected) in cases {
        let got = texts(&[("state.json", text)]);
        match (got, expected) {
            (Ok(_), None) => {}
            (Err(StateError::Shape { pointer, .. }), Some(p)) => assert_eq!(pointer, *p, "{text}"),
            (Ok(_), Some(p)) => panic!("{text} loaded; expected an error at {p}"),
            (Err(e), _) => panic!("{text}: {e}"),
        }
    }
}

#[test]
fn unknown_enum_values_are_kept() {
    let s = texts(&[(
        "e.json",
        r#"{"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcId": "vpc-1", "VpcEndpointType": "SomethingNew", "State": "available"}]}"#,
    )])
    .unwrap();
    let e = s.region("us-east-1").vpc_endpoint("vpce-1").unwrap();
    assert_eq!(e.value.vpc_endpoint_type, Some(VpcEndpointType::Other("SomethingNew".into())));
    assert_eq!(e.value.state, Some(endpoint::VpcEndpointState::Available));
}

#[test]
fn truncation_and_iam_markers() {
    let e = texts(&[("i.json", r#"{"RoleDetailList": [], "IsTruncated": true, "Marker": "abc"}"#)]).unwrap_err();
    assert!(matches!(e, StateError::Truncated { key: "IsTruncated", .. }));
    assert!(texts(&[("i.json", r#"{"RoleDetailList": [], "IsTruncated": false}"#)]).is_ok());
    // a truncated page of a call privnet-lint does not read is someone else's
    assert!(texts(&[("x.json", r#"{"Buckets": [], "NextToken": "abc"}"#)]).unwrap().files().is_empty());
    assert!(texts(&[("x.json", r#"{"Subnets": [], "NextToken": null}"#)]).is_ok());
}

#[test]
fn contradicting_associations_are_errors() {
    let two_tables = r#"{"RouteTables": [
        {"RouteTableId": "rtb-a", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-1", "Main": false}]},
        {"RouteTableId": "rtb-b", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-1", "Main": false}]}]}"#;
    match texts(&[("rt.json", two_tables)]).unwrap_err() {
        StateError::Conflict { id, detail, first, second } => {
            assert_eq!(id, "subnet-1");
            assert!(detail.contains("`rtb-a` and `rtb-b`"), "{detail}");
            assert_eq!((first.pointer.as_str(), second.pointer.as_str()), ("/RouteTables/0", "/RouteTables/1"));
        }
        e => panic!("{e}"),
    }
    let two_mains = r#"{"RouteTables": [
        {"RouteTableId": "rtb-a", "VpcId": "vpc-1", "Associations": [{"Main": true}]},
        {"RouteTableId": "rtb-b", "VpcId": "vpc-1", "Associations": [{"Main": true}]}]}"#;
    assert!(matches!(texts(&[("rt.json", two_mains)]), Err(StateError::Conflict { .. })));
    // a disassociated association does not count
    let gone = r#"{"RouteTables": [
        {"RouteTableId": "rtb-a", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-1", "AssociationState": {"State": "disassociated"}}]},
        {"RouteTableId": "rtb-b", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-1"}]}]}"#;
    let s = texts(&[("rt.json", gone)]).unwrap();
    assert_eq!(
        s.region("us-east-1").route_table_of_subnet("subnet-1").map(|t| t.table.value.route_table_id.as_str()),
        Some("rtb-b")
    );
}

#[test]
fn regional_files_conflict_with_global_ones() {
    let a = r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}]}"#;
    let b = r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-2"}]}"#;
    let e = AccountState::from_texts(&[("eu-west-1/s.json", Some("eu-west-1"), b), ("s.json", None, a)]).unwrap_err();
    assert!(matches!(e, StateError::Conflict { .. }), "{e}");
    // the same content in both is one resource
    let s = AccountState::from_texts(&[("eu-west-1/s.json", Some("eu-west-1"), a), ("s.json", None, a)]).unwrap();
    assert_eq!(s.region("eu-west-1").subnet("subnet-1").unwrap().origin.file.as_ref(), "s.json");
    assert_eq!(s.regional_files_outside_region_folders(), vec!["s.json"]);
}

#[test]
fn both_prefix_list_shapes_and_entries_by_file_name() {
    let s = texts(&[
        ("lists.json", r#"{"PrefixLists": [{"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15"]}]}"#),
        ("managed.json", r#"{"PrefixLists": [{"PrefixListId": "pl-0123456789abcdef0", "PrefixListName": "corp", "OwnerId": "123456789012", "MaxEntries": 5}]}"#),
        ("pl-0123456789abcdef0.json", r#"{"Entries": [{"Cidr": "10.9.0.0/16"}]}"#),
    ])
    .unwrap();
    let r = s.region("us-east-1");
    assert_eq!(r.prefix_list_cidrs("pl-63a5400a"), Some(vec!["52.216.0.0/15"]));
    assert!(r.managed_prefix_list("pl-63a5400a").is_none());
    assert!(!r.managed_prefix_list("pl-0123456789abcdef0").unwrap().value.aws_managed());
    assert_eq!(r.prefix_list_cidrs("pl-0123456789abcdef0"), Some(vec!["10.9.0.0/16"]));
    assert!(r.has(Kind::PrefixLists) && r.has(Kind::ManagedPrefixLists));
}

#[test]
fn transit_gateway_outputs() {
    let s = texts(&[
        ("tgw.json", r#"{"TransitGateways": [{"TransitGatewayId": "tgw-0123456789abcdef0", "State": "available",
            "Options": {"DefaultRouteTableAssociation": "enable", "AssociationDefaultRouteTableId": "tgw-rtb-0123456789abcdef0"}}]}"#),
        ("att.json", r#"{"TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-0123456789abcdef0",
            "TransitGatewayId": "tgw-0123456789abcdef0", "ResourceType": "vpc", "ResourceId": "vpc-1", "State": "available",
            "Association": {"TransitGatewayRouteTableId": "tgw-rtb-0123456789abcdef0", "State": "associated"}}]}"#),
        ("tables.json", r#"{"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-0123456789abcdef0",
            "TransitGatewayId": "tgw-0123456789abcdef0", "DefaultAssociationRouteTable": true}]}"#),
        ("tgw-rtb-0123456789abcdef0.json", r#"{"Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "Type": "static", "State": "active",
            "TransitGatewayAttachments": [{"ResourceId": "vpc-egress", "TransitGatewayAttachmentId": "tgw-attach-1", "ResourceType": "vpc"}]}],
            "AdditionalRoutesAvailable": false}"#),
        ("other-routes.json", r#"{"Routes": [{"DestinationCidrBlock": "0.0.0.0/0"}]}"#),
    ])
    .unwrap();
    let r = s.region("us-east-1");
    let att = r.transit_gateway_attachment("tgw-attach-0123456789abcdef0").unwrap();
    assert_eq!(att.value.resource_type, Some(routing::TransitGatewayAttachmentResourceType::Vpc));
    let routes = r.transit_gateway_routes("tgw-rtb-0123456789abcdef0").unwrap();
    assert!(routes.value.complete);
    assert_eq!(routes.value.routes[0].route_type.as_deref(), Some("static"));
    assert!(r.transit_gateway("tgw-0123456789abcdef0").is_some());
    assert!(r.transit_gateway_route_table("tgw-rtb-0123456789abcdef0").is_some());
    assert_eq!(s.files().len(), 4, "Routes without a tgw-rtb ID in the name are someone else's");
}

#[test]
fn utf16_and_bom_files_are_read() {
    let dir = std::env::temp_dir().join(format!("privnet-lint-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = r#"{"Vpcs": [{"VpcId": "vpc-1", "IsDefault": true}]}"#;
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.join("a.json"), utf16).unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(r#"{"Subnets": [{"SubnetId": "subnet-1"}]}"#.bytes());
    std::fs::write(dir.join("b.json"), bom).unwrap();
    std::fs::write(dir.join("c.json"), [0x7B, 0xFF, 0x7D]).unwrap();
    std::fs::write(dir.join("ignored.txt"), "not json").unwrap();
    let e = AccountState::load(std::slice::from_ref(&dir), &[]).unwrap_err();
    assert!(e.to_string().contains("c.json:1:1: not valid JSON: not UTF-8 text"), "{e}");
    std::fs::remove_file(dir.join("c.json")).unwrap();
    let s = AccountState::load(std::slice::from_ref(&dir), &[]).unwrap();
    assert!(matches!(s.region("us-east-1").default_vpc(), DefaultVpc::Found(_)));
    assert!(s.region("us-east-1").subnet("subnet-1").is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn region_names() {
    assert!(is_region_name("eu-west-1"));
    assert!(is_region_name("us-gov-west-1"));
    assert!(!is_region_name("eu-west"));
    assert!(!is_region_name("state"));
    assert!(!is_region_name("EU-WEST-1"));
    assert!(!is_region_name("privnet-lint-state-32452"));
    assert!(!is_region_name("us-east-100"));
}

#[test]
fn internet_gateways_are_attached_when_available_or_attached() {
    let s = texts(&[(
        "igw.json",
        r#"{"InternetGateways": [
            {"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]},
            {"InternetGatewayId": "igw-2", "Attachments": [{"VpcId": "vpc-2"}]},
            {"InternetGatewayId": "igw-3", "Attachments": [{"VpcId": "vpc-3", "State": "detaching"}]}]}"#,
    )])
    .unwrap();
    let r = s.region("us-east-1");
    assert!(r.internet_gateway_of_vpc("vpc-1").is_some());
    assert!(r.internet_gateway_of_vpc("vpc-2").is_none(), "no state: not attached (EC2 API reference)");
    assert!(r.internet_gateway_of_vpc("vpc-3").is_none());
    assert!(r.internet_gateway("igw-2").is_some());
}
