//! `scripts/collect-account-state.sh` against a fake `aws` on PATH that
//! records every call and prints the fixture state's outputs: the exact
//! call list, the folder layout, a result the binary reads, and the IAM
//! policy in `docs/` granting exactly the actions the script uses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::bin;

const SCRIPT: &str = "scripts/collect-account-state.sh";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fake AWS CLI: logs its arguments to $FAKE_AWS_LOG, prints the
/// fixture's output for each call, fails the call named in $FAKE_AWS_FAIL,
/// and has no Session Manager preferences document in eu-west-1.
const FAKE_AWS: &str = r#"#!/bin/sh
printf '%s\n' "$*" >> "$FAKE_AWS_LOG"
F="$FAKE_AWS_FIXTURES"
region=""; query=""; attribute=""; prev=""
for a in "$@"; do
    case "$prev" in
        --region) region="$a" ;;
        --query) query="$a" ;;
        --attribute) attribute="$a" ;;
    esac
    prev="$a"
done
if [ "$1 $2" = "${FAKE_AWS_FAIL:-}" ]; then
    echo "An error occurred (UnauthorizedOperation) when calling the operation" >&2
    exit 254
fi
case "$1 $2" in
    "ec2 describe-vpcs") if [ -n "$query" ]; then printf 'vpc-0a1b2c3d4e5f67890\n'; else cat "$F/vpcs.json"; fi ;;
    "ec2 describe-vpc-attribute")
        case "$attribute" in
            enableDnsSupport) cat "$F/vpc-dns-support.json" ;;
            enableDnsHostnames) cat "$F/vpc-dns-hostnames.json" ;;
        esac ;;
    "ec2 describe-subnets") cat "$F/subnets.json" ;;
    "ec2 describe-route-tables") cat "$F/route-tables.json" ;;
    "ec2 describe-security-groups") cat "$F/security-groups.json" ;;
    "ec2 describe-network-acls") cat "$F/network-acls.json" ;;
    "ec2 describe-vpc-endpoints") cat "$F/vpc-endpoints.json" ;;
    "ec2 describe-managed-prefix-lists")
        if [ -n "$query" ]; then printf 'pl-0a1b2c3d4e5f67890\n'; else cat "$F/managed-prefix-lists.json"; fi ;;
    "ec2 describe-prefix-lists") cat "$F/prefix-lists.json" ;;
    "ec2 get-managed-prefix-list-entries") cat "$F/pl-0a1b2c3d4e5f67890.json" ;;
    "ec2 describe-network-interfaces") cat "$F/network-interfaces.json" ;;
    "ec2 describe-internet-gateways") cat "$F/internet-gateways.json" ;;
    "ec2 describe-egress-only-internet-gateways") cat "$F/egress-only-internet-gateways.json" ;;
    "ec2 describe-nat-gateways") cat "$F/nat-gateways.json" ;;
    "ec2 describe-dhcp-options") cat "$F/dhcp-options.json" ;;
    "ec2 describe-vpc-peering-connections") cat "$F/vpc-peering-connections.json" ;;
    "ec2 describe-vpc-block-public-access-options") cat "$F/vpc-block-public-access-options.json" ;;
    "ec2 describe-vpc-block-public-access-exclusions") cat "$F/vpc-block-public-access-exclusions.json" ;;
    "ec2 describe-instances") printf '{\n    "Reservations": []\n}\n' ;;
    "ec2 describe-transit-gateways") printf '{\n    "TransitGateways": []\n}\n' ;;
    "ec2 describe-transit-gateway-attachments") printf '{\n    "TransitGatewayAttachments": []\n}\n' ;;
    "ec2 describe-transit-gateway-route-tables")
        if [ -n "$query" ]; then printf 'tgw-rtb-0123456789abcdef0\n'; else
        printf '{"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-0123456789abcdef0"}]}\n'; fi ;;
    "ec2 search-transit-gateway-routes") printf '{"Routes": [], "AdditionalRoutesAvailable": false}\n' ;;
    "cloudformation list-exports") cat "$F/exports.json" ;;
    "cloudformation describe-stacks") cat "$F/stacks.json" ;;
    "iam get-account-authorization-details") cat "$F/iam.json" ;;
    "ssm get-document")
        if [ "$region" = "eu-west-1" ]; then
            echo "An error occurred (InvalidDocument) when calling the GetDocument operation: Document with name SSM-SessionManagerRunShell does not exist." >&2
            exit 254
        fi
        cat "$F/session-preferences.json" ;;
    *) echo "fake aws: unexpected call: $*" >&2; exit 255 ;;
esac
"#;

struct Run {
    code: Option<i32>,
    stderr: String,
    calls: Vec<String>,
    out: PathBuf,
    _dir: common::Scratch,
}

fn run(name: &str, fail: Option<&str>) -> Run {
    let dir = common::scratch("collect", name);
    let bin_dir = dir.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let aws = bin_dir.join("aws");
    std::fs::write(&aws, FAKE_AWS).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = dir.join("calls.log");
    let out = dir.join("state");
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("sh");
    cmd.arg(root().join(SCRIPT))
        .args(["--regions", "us-east-1,eu-west-1", "--out"])
        .arg(&out)
        .env("PATH", path)
        .env("FAKE_AWS_LOG", &log)
        .env("FAKE_AWS_FIXTURES", root().join("fixtures/state/private-subnet"))
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    if let Some(f) = fail {
        cmd.env("FAKE_AWS_FAIL", f);
    }
    let o = cmd.output().unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default().lines().map(str::to_string).collect();
    Run { code: o.status.code(), stderr: String::from_utf8_lossy(&o.stderr).to_string(), calls, out, _dir: dir }
}

fn regional_calls(region: &str) -> Vec<String> {
    let r = format!("--region {region}");
    let vpc = "vpc-0a1b2c3d4e5f67890";
    vec![
        format!("ec2 describe-vpcs {r} --output json"),
        format!("ec2 describe-vpcs {r} --query Vpcs[].VpcId --output text"),
        format!("ec2 describe-vpc-attribute {r} --vpc-id {vpc} --attribute enableDnsSupport --output json"),
        format!("ec2 describe-vpc-attribute {r} --vpc-id {vpc} --attribute enableDnsHostnames --output json"),
        format!("ec2 describe-subnets {r} --output json"),
        format!("ec2 describe-route-tables {r} --output json"),
        format!("ec2 describe-security-groups {r} --output json"),
        format!("ec2 describe-network-acls {r} --output json"),
        format!("ec2 describe-vpc-endpoints {r} --output json"),
        format!("ec2 describe-managed-prefix-lists {r} --output json"),
        format!("ec2 describe-prefix-lists {r} --output json"),
        format!(
            "ec2 describe-managed-prefix-lists {r} --query PrefixLists[?OwnerId!='AWS'].PrefixListId --output text"
        ),
        format!("ec2 get-managed-prefix-list-entries {r} --prefix-list-id pl-0a1b2c3d4e5f67890 --output json"),
        format!("ec2 describe-network-interfaces {r} --output json"),
        format!("ec2 describe-internet-gateways {r} --output json"),
        format!("ec2 describe-egress-only-internet-gateways {r} --output json"),
        format!("ec2 describe-nat-gateways {r} --output json"),
        format!("ec2 describe-dhcp-options {r} --output json"),
        format!("ec2 describe-vpc-peering-connections {r} --output json"),
        format!("ec2 describe-vpc-block-public-access-options {r} --output json"),
        format!("ec2 describe-vpc-block-public-access-exclusions {r} --output json"),
        format!("ec2 describe-instances {r} --output json"),
        format!("ec2 describe-transit-gateways {r} --output json"),
        format!("ec2 describe-transit-gateway-attachments {r} --output json"),
        format!("ec2 describe-transit-gateway-route-tables {r} --output json"),
        format!(
            "ec2 describe-transit-gateway-route-tables {r} --query TransitGatewayRouteTables[].TransitGatewayRouteTableId --output text"
        ),
        format!(
            "ec2 search-transit-gateway-routes {r} --transit-gateway-route-table-id tgw-rtb-0123456789abcdef0 --filters Name=state,Values=active,blackhole --output json"
        ),
        format!("cloudformation list-exports {r} --output json"),
        format!("cloudformation describe-stacks {r} --output json"),
        format!("ssm get-document {r} --name SSM-SessionManagerRunShell --document-format JSON --output json"),
    ]
}

#[test]
fn the_exact_read_only_calls_into_a_folder_per_region() {
    let r = run("calls", None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut expected = vec![
        "iam get-account-authorization-details --filter Role LocalManagedPolicy AWSManagedPolicy --output json"
            .to_string(),
    ];
    expected.extend(regional_calls("us-east-1"));
    expected.extend(regional_calls("eu-west-1"));
    assert_eq!(r.calls, expected);
    assert!(r.calls.iter().all(|c| !c.contains("--max-items") && !c.contains("--no-paginate")));
    assert!(r.stderr.contains("eu-west-1 has no Session Manager preferences document"), "{}", r.stderr);

    // the layout: IAM at the top, one folder per region, nothing half-written
    let mut files: Vec<String> = Vec::new();
    for e in walk(&r.out) {
        files.push(e.strip_prefix(&r.out).unwrap().to_string_lossy().replace('\\', "/"));
    }
    files.sort();
    let regional = [
        "dhcp-options.json",
        "egress-only-internet-gateways.json",
        "exports.json",
        "instances.json",
        "internet-gateways.json",
        "managed-prefix-lists.json",
        "nat-gateways.json",
        "network-acls.json",
        "network-interfaces.json",
        "pl-0a1b2c3d4e5f67890.json",
        "prefix-lists.json",
        "route-tables.json",
        "security-groups.json",
        "stacks.json",
        "subnets.json",
        "tgw-rtb-0123456789abcdef0.json",
        "transit-gateway-attachments.json",
        "transit-gateway-route-tables.json",
        "transit-gateways.json",
        "vpc-0a1b2c3d4e5f67890-enableDnsHostnames.json",
        "vpc-0a1b2c3d4e5f67890-enableDnsSupport.json",
        "vpc-block-public-access-exclusions.json",
        "vpc-block-public-access-options.json",
        "vpc-endpoints.json",
        "vpc-peering-connections.json",
        "vpcs.json",
    ];
    let mut expected: Vec<String> = vec!["iam.json".into()];
    for region in ["eu-west-1", "us-east-1"] {
        expected.extend(regional.iter().map(|f| format!("{region}/{f}")));
        if region == "us-east-1" {
            expected.push(format!("{region}/session-preferences.json"));
        }
    }
    expected.sort();
    assert_eq!(files, expected);

    // and privnet-lint reads it, each region folder for its region
    let out = bin()
        .args(["fixtures/seed-stack.yaml", "--region", "us-east-1,eu-west-1", "-q", "--format", "concise"])
        .arg("--account-state")
        .arg(&r.out)
        .current_dir(root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{err}");
    assert!(err.is_empty(), "region folders and global IAM: no note: {err}");
}

#[test]
fn a_failing_call_stops_the_script_without_a_partial_file() {
    let r = run("fail", Some("ec2 describe-subnets"));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("failed: aws ec2 describe-subnets --region us-east-1"), "{}", r.stderr);
    assert!(r.out.join("us-east-1/vpcs.json").is_file());
    assert!(!r.out.join("us-east-1/subnets.json").exists());
    assert!(walk(&r.out).iter().all(|p| !p.to_string_lossy().ends_with(".part")));
    assert!(r.calls.iter().all(|c| !c.contains("eu-west-1")), "stops at the first failure");

    // an optional call (a region or CLI without Block Public Access) is a warning
    let r = run("optional", Some("ec2 describe-vpc-block-public-access-options"));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("warning: skipped (failed): aws ec2 describe-vpc-block-public-access-options"));
    assert!(!r.out.join("us-east-1/vpc-block-public-access-options.json").exists());
}

#[test]
fn arguments_and_missing_region() {
    let o = Command::new("sh").arg(root().join(SCRIPT)).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--regions"));
    let o = Command::new("sh")
        .arg(root().join(SCRIPT))
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no region"));
    let o = Command::new("sh").arg(root().join(SCRIPT)).arg("--bogus").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// The policy grants exactly the actions of the calls the script makes.
#[test]
fn the_iam_policy_has_exactly_the_scripts_actions() {
    let r = run("policy", None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let used: BTreeSet<String> = r
        .calls
        .iter()
        .map(|c| {
            let mut words = c.split_whitespace();
            let service = words.next().unwrap_or_default();
            let op: String = words
                .next()
                .unwrap_or_default()
                .split('-')
                .map(|w| {
                    let mut cs = w.chars();
                    cs.next().map(|f| f.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
                })
                .collect();
            format!("{service}:{op}")
        })
        .collect();
    let text = std::fs::read_to_string(root().join("docs/account-state-policy.json")).unwrap();
    let policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut granted = BTreeSet::new();
    for s in policy["Statement"].as_array().unwrap() {
        assert_eq!(s["Effect"], "Allow");
        match &s["Action"] {
            serde_json::Value::String(a) => granted.insert(a.clone()),
            serde_json::Value::Array(list) => {
                for a in list {
                    granted.insert(a.as_str().unwrap().to_string());
                }
                true
            }
            other => panic!("{other}"),
        };
        assert!(!s["Action"].to_string().contains('*'), "no wildcard actions");
    }
    assert_eq!(granted, used);
}

#[test]
fn the_script_is_posix_sh() {
    let o = Command::new("sh").arg("-n").arg(root().join(SCRIPT)).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    match Command::new("shellcheck").args(["-s", "sh"]).arg(root().join(SCRIPT)).output() {
        Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout)),
        Err(_) => eprintln!("shellcheck is not installed: only `sh -n` checked the script"),
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The README shows the same policy (condensed): the same actions on the
/// same resources.
#[test]
fn the_readme_shows_the_same_policy() {
    let grants = |policy: &serde_json::Value| -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for s in policy["Statement"].as_array().unwrap() {
            let resource = s["Resource"].as_str().unwrap().to_string();
            let actions = match &s["Action"] {
                serde_json::Value::String(a) => vec![a.clone()],
                serde_json::Value::Array(l) => l.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
                other => panic!("{other}"),
            };
            out.extend(actions.into_iter().map(|a| (a, resource.clone())));
        }
        out
    };
    let docs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/account-state-policy.json")).unwrap()).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = &readme[readme.find("## Checking against your account").unwrap()..];
    let block = section.split("```json\n").nth(1).unwrap().split("\n```").next().unwrap();
    let shown: serde_json::Value = serde_json::from_str(block).unwrap();
    assert_eq!(grants(&shown), grants(&docs));
}
