//! The AMI family decides what the `dnf` check traces and whether PN505
//! speaks: scenarios through the real binary. `fixtures/ami/repo-only-endpoint.yaml`
//! is a private subnet without NAT whose S3 gateway endpoint allows only the
//! AL2023 repository; `--parameter ImageParameter=<public parameter>` picks
//! the family.

use assert_cmd::Command;
use serde_json::Value;

const BASE: &str = "fixtures/ami/repo-only-endpoint.yaml";
const WINDOWS: &str = "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base";
const AL2: &str = "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2";
const UBUNTU: &str = "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id";
const BOTTLEROCKET: &str = "/aws/service/bottlerocket/aws-ecs-2/x86_64/latest/image_id";
const ECS_AL2023: &str = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

fn run(image: Option<&str>, format: &str) -> (String, i32) {
    let mut cmd = Command::cargo_bin("privnet-lint").expect("binary");
    cmd.arg(BASE).args(["--region", "us-east-1", "--format", format, "--no-color"]);
    if let Some(image) = image {
        cmd.arg("--parameter").arg(format!("ImageParameter={image}"));
    }
    let out = cmd.output().expect("runs");
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

fn json(image: Option<&str>) -> (Value, i32) {
    let (text, code) = run(image, "json");
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (doc, code)
}

fn instance(doc: &Value) -> &Value {
    &doc["results"][0]["workloads"][0]
}

fn findings(doc: &Value) -> Vec<&Value> {
    doc["results"][0]["findings"].as_array().expect("findings").iter().collect()
}

fn codes(doc: &Value) -> Vec<&str> {
    findings(doc).iter().filter_map(|f| f["code"].as_str()).collect()
}

#[test]
fn al2023_behind_the_repo_only_policy_works() {
    let (doc, code) = json(None);
    assert_eq!(code, 0, "{:?}", codes(&doc));
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "al2023");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
    // the only finding: a policy that allows only the repository also shuts
    // out the buckets SSM Agent reads (a warning, the checks pass)
    assert_eq!(codes(&doc), ["PN414"]);
}

#[test]
fn windows_has_no_dnf_check() {
    let (doc, code) = json(Some(WINDOWS));
    assert_eq!(code, 0);
    let w = instance(&doc);
    let dnf = &w["checks"]["dnf"];
    assert_eq!(dnf["status"], "not-applicable");
    assert_eq!(dnf["reasons"], serde_json::json!([]));
    assert_eq!(dnf["paths"], serde_json::json!([]));
    // the workload says why
    assert_eq!(w["ami"]["family"], "windows");
    assert_eq!(w["ami"]["parameter"], WINDOWS);
    assert_eq!(w["ami"]["package_manager"], Value::Null);
    assert!(w["ami"]["detail"].as_str().is_some_and(|d| d.contains("Windows Update")), "{}", w["ami"]);
    // Session Manager is still checked; Windows ships the agent
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
    assert!(!codes(&doc).contains(&"PN505"));
    assert_eq!(doc["summary"]["errors"], 0);

    let (text, code) = run(Some(WINDOWS), "human");
    assert_eq!(code, 0);
    assert!(text.contains("Instance (PrivateSubnet)  dnf –  ssm ✓"), "{text}");
    assert!(text.contains("dnf: not applicable (Windows Server has no dnf"), "{text}");
    assert!(!text.contains("dnf ✓"), "{text}");

    let (text, _) = run(Some(WINDOWS), "markdown");
    assert!(text.contains("| ➖ n/a | ✅ |"), "{text}");
}

#[test]
fn al2_behind_a_repo_only_policy_gets_pn406_naming_the_al2_bucket() {
    let (doc, code) = json(Some(AL2));
    assert_eq!(code, 1);
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "al2");
    assert_eq!(w["checks"]["dnf"]["status"], "unreachable");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN406"]));
    let pn406 = findings(&doc).into_iter().find(|f| f["code"] == "PN406").expect("PN406");
    let message = pn406["message"].as_str().unwrap_or_default();
    assert!(message.contains("arn:aws:s3:::amazonlinux-2-repos-us-east-1/*"), "{message}");
    assert!(message.contains("Amazon Linux 2"), "{message}");
    assert!(!message.contains("al2023-repos"), "{message}");
    let fix = pn406["fix"].as_str().unwrap_or_default();
    assert!(fix.contains("amazonlinux-2-repos-${AWS::Region}/*"), "{fix}");
    assert!(fix.contains("amazonlinux.${AWS::Region}.amazonaws.com/*"), "{fix}");
    // the path traced goes to the AL2 bucket
    let hops = w["checks"]["dnf"]["paths"][0]["hops"].as_array().expect("hops");
    let destination = hops.last().expect("destination");
    assert_eq!(destination["resource"], "amazonlinux-2-repos-us-east-1");
}

#[test]
fn ubuntu_in_a_private_subnet_with_only_an_s3_endpoint_cannot_reach_its_mirror() {
    let (doc, code) = json(Some(UBUNTU));
    assert_eq!(code, 1);
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "ubuntu");
    assert_eq!(w["ami"]["package_manager"], "apt");
    // the JSON key stays `dnf` (schema contract)
    let dnf = &w["checks"]["dnf"];
    assert_eq!(dnf["status"], "unreachable");
    assert_eq!(dnf["reasons"], serde_json::json!(["PN101"]));
    assert_eq!(dnf["paths"][0]["target"], "mirror");
    assert_eq!(dnf["paths"][0]["via"], Value::Null);
    let pn101 = findings(&doc).into_iter().find(|f| f["code"] == "PN101").expect("PN101");
    let message = pn101["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("apt on Instance cannot reach the Ubuntu archive"), "{message}");
    assert!(message.contains("us-east-1.ec2.archive.ubuntu.com (tcp/80) is on the internet"), "{message}");
    assert!(message.contains("S3 gateway endpoint does not help"), "{message}");
    assert!(pn101["fix"].as_str().is_some_and(|f| f.contains("NatGatewayId")), "{pn101}");
    // the endpoint policy is not on apt's path
    assert!(!codes(&doc).contains(&"PN406"));
    // Ubuntu 22.04 ships the agent
    assert!(!codes(&doc).contains(&"PN505"));

    let (text, _) = run(Some(UBUNTU), "human");
    assert!(text.contains("Instance (PrivateSubnet)  apt ✗  ssm ✓"), "{text}");
    assert!(text.contains("apt: unreachable (PN101)"), "{text}");
    assert!(text.contains("path to mirror (unreachable)"), "{text}");
}

#[test]
fn bottlerocket_has_no_package_manager() {
    let (doc, code) = json(Some(BOTTLEROCKET));
    assert_eq!(code, 0);
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "bottlerocket");
    assert_eq!(w["checks"]["dnf"]["status"], "not-applicable");
    assert!(w["ami"]["detail"].as_str().is_some_and(|d| d.contains("no package manager")), "{}", w["ami"]);
    // its control container runs the agent
    assert_eq!(w["ami"]["ssm_agent"], "preinstalled");
    // the agent still reads its buckets through the repo-only endpoint policy
    assert_eq!(codes(&doc), ["PN414"]);
}

#[test]
fn ecs_optimized_al2023_ships_the_agent() {
    let (doc, code) = json(Some(ECS_AL2023));
    assert_eq!(code, 0);
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "al2023");
    assert_eq!(w["ami"]["ssm_agent"], "preinstalled");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
    assert!(!codes(&doc).contains(&"PN505"), "{:?}", codes(&doc));
}

#[test]
fn an_unknown_ami_gets_pn505_when_nothing_else_is_in_doubt() {
    // an SSM parameter of the account, not an AWS public parameter
    let (doc, code) = json(Some("/golden/ami"));
    assert_eq!(code, 0);
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "unknown");
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
    let pn505 = findings(&doc).into_iter().find(|f| f["code"] == "PN505").expect("PN505");
    assert_eq!(pn505["severity"], "note");
    assert!(pn505["message"].as_str().is_some_and(|m| m.contains("/golden/ami")), "{pn505}");
    // dnf assumes AL2023, and says so
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");
    let workload_hop = &w["checks"]["dnf"]["paths"][0]["hops"][0];
    assert!(
        workload_hop["detail"].as_str().is_some_and(|d| d.contains("assuming Amazon Linux 2023")),
        "{workload_hop}"
    );
}

#[test]
fn an_unknown_ami_gets_no_pn505_when_session_manager_fails_anyway() {
    let out = Command::cargo_bin("privnet-lint")
        .expect("binary")
        .args(["fixtures/ami/mapped-ami-no-profile.yaml", "--region", "us-east-1", "--format", "json"])
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(1));
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "unknown");
    assert!(w["ami"]["detail"].as_str().is_some_and(|d| d.contains("ami-0123456789abcdef0")), "{}", w["ami"]);
    assert_eq!(w["checks"]["ssm"]["status"], "unreachable");
    assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(["PN501"]));
    assert_eq!(codes(&doc), vec!["PN501"]);
}

#[test]
fn trace_to_the_repository_of_a_windows_instance_says_not_applicable() {
    let out = Command::cargo_bin("privnet-lint")
        .expect("binary")
        .args(["trace", BASE, "--from", "Instance", "--to", "dnf", "--region", "us-east-1"])
        .arg("--parameter")
        .arg(format!("ImageParameter={WINDOWS}"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("dnf is not applicable"), "{text}");
}

#[test]
fn the_nat_subnet_acl_is_checked_on_the_repository_port() {
    let run = |image: Option<&str>| {
        let mut cmd = Command::cargo_bin("privnet-lint").expect("binary");
        cmd.args(["fixtures/ami/nat-https-only-nacl.yaml", "--region", "us-east-1", "--format", "json"]);
        if let Some(image) = image {
            cmd.arg("--parameter").arg(format!("ImageParameter={image}"));
        }
        let out = cmd.output().expect("runs");
        let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
        (doc, out.status.code())
    };
    // Ubuntu: apt's tcp/80 is dropped by the NAT subnet's HTTPS-only NACL
    let (doc, code) = run(None);
    assert_eq!(code, Some(1));
    let w = instance(&doc);
    assert_eq!(w["ami"]["family"], "ubuntu");
    assert_eq!(w["checks"]["dnf"]["status"], "unreachable");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN301"]));
    let pn301 = findings(&doc).into_iter().find(|f| f["code"] == "PN301").expect("PN301");
    assert_eq!(pn301["resource"], "PublicNetworkAcl");
    assert!(pn301["message"].as_str().is_some_and(|m| m.contains("tcp/80")), "{pn301}");
    // Session Manager goes through the same NAT on tcp/443
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
    // AL2023's dnf uses tcp/443 too
    let (doc, code) = run(Some("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"));
    assert_eq!(code, Some(0), "{:?}", codes(&doc));
    assert_eq!(instance(&doc)["checks"]["dnf"]["status"], "reachable");
}
