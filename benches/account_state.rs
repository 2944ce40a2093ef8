//! Reading account state (`--account-state`, SPEC §7): a generated account
//! of 5,000 subnets, 5,000 route tables (one per subnet, 3 routes each) and
//! 10,000 security groups (2 inbound and 2 outbound rules each) in 50 VPCs,
//! printed the way the AWS CLI prints it (4-space indented JSON, 31 MB).
//! Measures parsing, merging and indexing: from text in memory, and from
//! files on disk (reading included). The budget for load and bind together
//! is 300 ms (issue 11).
//!
//! ```sh
//! cargo bench --bench account_state
//! ```

use std::path::PathBuf;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use privnet_lint::state::AccountState;
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
    vec![
        ("subnets.json".into(), cli_json(&json!({"Subnets": subnets}))),
        ("route-tables.json".into(), cli_json(&json!({"RouteTables": tables}))),
        ("security-groups.json".into(), cli_json(&json!({"SecurityGroups": groups}))),
    ]
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
