//! Reading account state (`--account-state`, SPEC §7): a generated account
//! of 5,000 subnets, 5,000 route tables (one per subnet, 3 routes each) and
//! 10,000 security groups (2 inbound and 2 outbound rules each) in 50 VPCs,
//! printed the way the AWS CLI prints it (4-space indented JSON, 31 MB).
//! Measures parsing, merging and indexing: from text in memory, and from
//! files on disk (reading included); then binding: a template whose 20
//! instances name subnets and groups of that account (one per VPC's S3
//! gateway endpoint and default network ACL are in the state too), linted
//! with the state loaded from disk (`load_and_bind`), with a state already
//! loaded (`bind`), and without state (`without_state`: what a run without
//! `--account-state` costs). The budget for load and bind together is
//! 300 ms (issue 11).
//!
//! ```sh
//! cargo bench --bench account_state
//! ```

use std::path::PathBuf;
use std::sync::LazyLock;

use std::sync::Arc;

use divan::Bencher;
use divan::counter::BytesCount;
use privnet_lint::state::AccountState;
use privnet_lint::{Options, lint_text};
use serde::Serialize;
use serde_json::{Value, json};

/// The binary's allocator (see `src/main.rs`), so the numbers are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
    let _ = std::fs::remove_dir_all(folder());
}

const VPCS: usize = 50;
const SUBNETS: usize = 5_000;
const GROUPS: usize = 10_000;
const ACCOUNT: &str = "123456789012";

/// JSON as the AWS CLI prints it: indented by 4 spaces.
fn cli_json(v: &Value) -> String {
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b"    "));
    v.serialize(&mut ser).expect("JSON");
    String::from_utf8(out).expect("UTF-8")
}

fn id(prefix: &str, n: usize) -> String {
    format!("{prefix}-0{n:016x}")
}

/// (file name, text) of the three outputs.
static FILES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let subnets: Vec<Value> = (0..SUBNETS)
        .map(|i| {
            let vpc = i % VPCS;
            json!({
                "AvailabilityZone": format!("us-east-1{}", ["a", "b", "c"][i % 3]),
                "AvailabilityZoneId": format!("use1-az{}", i % 3 + 1),
                "AvailableIpAddressCount": 250,
                "CidrBlock": format!("10.{}.{}.0/24", vpc, i / VPCS),
                "DefaultForAz": false,
                "MapPublicIpOnLaunch": false,
                "State": "available",
                "SubnetId": id("subnet", i),
                "VpcId": id("vpc", vpc),
                "OwnerId": ACCOUNT,
                "AssignIpv6AddressOnCreation": false,
                "Ipv6CidrBlockAssociationSet": [],
                "Tags": [{"Key": "Name", "Value": format!("private-{i}")}],
                "SubnetArn": format!("arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{}", id("subnet", i)),
            })
        })
        .collect();
    let tables: Vec<Value> = (0..SUBNETS)
        .map(|i| {
            let vpc = i % VPCS;
            json!({
                "Associations": [{
                    "Main": false,
                    "RouteTableAssociationId": id("rtbassoc", i),
                    "RouteTableId": id("rtb", i),
                    "SubnetId": id("subnet", i),
                    "AssociationState": {"State": "associated"}
                }],
                "PropagatingVgws": [],
                "RouteTableId": id("rtb", i),
                "Routes": [
                    {"DestinationCidrBlock": format!("10.{vpc}.0.0/16"), "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
                    {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": id("vpce", vpc), "Origin": "CreateRoute", "State": "active"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": id("nat", vpc), "Origin": "CreateRoute", "State": "active"}
                ],
                "Tags": [],
                "VpcId": id("vpc", vpc),
                "OwnerId": ACCOUNT
            })
        })
        .collect();
    let rule = |cidr: String| {
        json!({"FromPort": 443, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": cidr}], "Ipv6Ranges": [],
               "PrefixListIds": [], "ToPort": 443, "UserIdGroupPairs": []})
    };
    let groups: Vec<Value> = (0..GROUPS)
        .map(|i| {
            let vpc = i % VPCS;
            json!({
                "Description": format!("group {i}"),
                "GroupName": format!("group-{i}"),
                "IpPermissions": [rule(format!("10.{vpc}.0.0/16")), {
                    "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
                    "UserIdGroupPairs": [{"GroupId": id("sg", (i + 1) % GROUPS), "UserId": ACCOUNT}]
                }],
                "OwnerId": ACCOUNT,
                "GroupId": id("sg", i),
                "IpPermissionsEgress": [rule("0.0.0.0/0".into()), {
                    "IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [{"PrefixListId": "pl-63a5400a"}],
                    "UserIdGroupPairs": []
                }],
                "VpcId": id("vpc", vpc)
            })
        })
        .collect();
    let vpcs: Vec<Value> = (0..VPCS)
        .map(|v| {
            json!({"CidrBlock": format!("10.{v}.0.0/16"), "DhcpOptionsId": "default", "State": "available",
                   "VpcId": id("vpc", v), "OwnerId": ACCOUNT, "IsDefault": false,
                   "CidrBlockAssociationSet": [{"CidrBlock": format!("10.{v}.0.0/16"), "CidrBlockState": {"State": "associated"}}]})
        })
        .collect();
    let endpoints: Vec<Value> = (0..VPCS)
        .map(|v| {
            let tables: Vec<String> = (0..SUBNETS).filter(|i| i % VPCS == v).map(|i| id("rtb", i)).collect();
            json!({"VpcEndpointId": id("vpce", v), "VpcEndpointType": "Gateway", "VpcId": id("vpc", v),
                   "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "RouteTableIds": tables,
                   "PolicyDocument": "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                   "SubnetIds": [], "Groups": [], "PrivateDnsEnabled": false, "OwnerId": ACCOUNT})
        })
        .collect();
    let acls: Vec<Value> = (0..VPCS)
        .map(|v| {
            let all = |egress: bool| json!({"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100});
            json!({"Associations": [], "Entries": [all(true), all(false)], "IsDefault": true,
                   "NetworkAclId": id("acl", v), "VpcId": id("vpc", v), "OwnerId": ACCOUNT})
        })
        .collect();
    // describe-vpc-attribute: one file per VPC and attribute
    let attributes = (0..VPCS).flat_map(|v| {
        ["EnableDnsSupport", "EnableDnsHostnames"].map(|a| {
            (format!("{}-{a}.json", id("vpc", v)), cli_json(&json!({"VpcId": id("vpc", v), a: {"Value": true}})))
        })
    });
    let mut files: Vec<(String, String)> = attributes.collect();
    files.extend([
        ("vpcs.json".into(), cli_json(&json!({"Vpcs": vpcs}))),
        ("vpc-endpoints.json".into(), cli_json(&json!({"VpcEndpoints": endpoints}))),
        ("network-acls.json".into(), cli_json(&json!({"NetworkAcls": acls}))),
        ("subnets.json".into(), cli_json(&json!({"Subnets": subnets}))),
        ("route-tables.json".into(), cli_json(&json!({"RouteTables": tables}))),
        ("security-groups.json".into(), cli_json(&json!({"SecurityGroups": groups}))),
    ]);
    files
});

fn bytes() -> BytesCount {
    BytesCount::new(FILES.iter().map(|(_, t)| t.len()).sum::<usize>())
}

fn folder() -> PathBuf {
    std::env::temp_dir().join(format!("privnet-lint-bench-state-{}", std::process::id()))
}

/// The same files in a temporary folder (removed when the benchmarks end).
static FOLDER: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = folder();
    std::fs::create_dir_all(&dir).expect("temp folder");
    for (name, text) in FILES.iter() {
        std::fs::write(dir.join(name), text).expect("write");
    }
    dir
});

fn check(state: &AccountState) -> usize {
    let r = state.region("us-east-1");
    let rt = r.route_table_of_subnet(&id("subnet", SUBNETS - 1)).expect("indexed");
    assert!(r.security_group(&id("sg", GROUPS - 1)).is_some());
    rt.table.value.routes.len()
}

/// Parse, merge and index from text in memory.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn from_text(b: Bencher) {
    let files: Vec<(&str, Option<&str>, &str)> = FILES.iter().map(|(n, t)| (n.as_str(), None, t.as_str())).collect();
    b.counter(bytes()).bench_local(|| check(&AccountState::from_texts(&files).expect("loads")));
}

/// Walk the folder, read, parse, merge and index.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn from_files(b: Bencher) {
    let dir = FOLDER.clone();
    b.counter(bytes()).bench_local(|| check(&AccountState::load(std::slice::from_ref(&dir), &[]).expect("loads")));
}

/// A template with 20 instances, each in a subnet and a group of the
/// account (spread over the VPCs), given as parameter defaults.
static TEMPLATE: LazyLock<String> = LazyLock::new(|| {
    let mut t = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n");
    let mut resources = String::from("Resources:\n");
    for n in 0..20 {
        let subnet = n * 249;
        t.push_str(&format!(
            "  Subnet{n}:\n    Type: AWS::EC2::Subnet::Id\n    Default: {}\n  Group{n}:\n    Type: AWS::EC2::SecurityGroup::Id\n    Default: {}\n",
            id("subnet", subnet),
            id("sg", subnet % VPCS + VPCS * n)
        ));
        resources.push_str(&format!(
            "  Instance{n}:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n      SubnetId: !Ref Subnet{n}\n      SecurityGroupIds: [!Ref Group{n}]\n"
        ));
    }
    t.push_str(&resources);
    t
});

/// Lints the template; the number of instances that reach S3 (all of them
/// when the state is bound).
fn lint(state: Option<Arc<AccountState>>) -> usize {
    let opts = Options { account_state: state, ..Options::default() };
    let results = lint_text("app.yaml", &TEMPLATE, &opts);
    results[0].workloads.iter().filter(|w| w.dnf.status == privnet_lint::reach::Status::Reachable).count()
}

/// Load the state from disk and lint the template against it.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_and_bind(b: Bencher) {
    let dir = FOLDER.clone();
    b.bench_local(|| {
        let state = AccountState::load(std::slice::from_ref(&dir), &[]).expect("loads");
        let reached = lint(Some(Arc::new(state)));
        assert_eq!(reached, 20);
        reached
    });
}

/// Lint the template against a state already loaded.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn bind(b: Bencher) {
    let dir = FOLDER.clone();
    let state = Arc::new(AccountState::load(std::slice::from_ref(&dir), &[]).expect("loads"));
    b.bench_local(|| lint(Some(state.clone())));
}

/// Lint the template without state (its subnets stay open).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn without_state(b: Bencher) {
    b.bench_local(|| {
        let reached = lint(None);
        assert_eq!(reached, 0);
        reached
    });
}
