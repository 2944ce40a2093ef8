//! Binding (issue 11, SPEC §7) through the binary: template values that
//! name deployed resources — parameter values and defaults, literal IDs,
//! instance profile names, `Fn::ImportValue` answered by the account's
//! exports — join the model from `--account-state`, and findings on them
//! point at the template node that names them, with where they were read
//! (`state`) and an AWS CLI fix. The fixture states are hand-written from
//! the API reference shapes (`fixtures/state/README.md`).

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::bin;

const APP: &str = "fixtures/state/templates/app.yaml";
const IMPORT: &str = "fixtures/state/templates/import.yaml";
const DEFAULT_VPC: &str = "fixtures/state/templates/default-vpc.yaml";
const SUBNET_IN_VPC: &str = "fixtures/state/templates/subnet-in-vpc.yaml";

fn state(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/state").join(name)
}

/// The JSON report of `template` against the states `states` (paths), and
/// the exit code.
fn json_with(template: &str, states: &[&Path], extra: &[&str]) -> (Option<i32>, Value) {
    let mut cmd = bin();
    cmd.arg(template).args(["--format", "json"]).args(extra);
    for s in states {
        cmd.arg("--account-state").arg(s);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}

/// [`json_with`] for one fixture state.
fn json(template: &str, scenario: &str, extra: &[&str]) -> (Option<i32>, Value) {
    json_with(template, &[&state(scenario)], extra)
}

fn workload(doc: &Value) -> &Value {
    &doc["results"][0]["workloads"][0]
}

fn status<'a>(doc: &'a Value, check: &str) -> &'a str {
    workload(doc)["checks"][check]["status"].as_str().unwrap_or("?")
}

fn findings(doc: &Value) -> Vec<&Value> {
    doc["results"][0]["findings"].as_array().map(|a| a.iter().collect()).unwrap_or_default()
}

fn finding<'a>(doc: &'a Value, code: &str) -> &'a Value {
    findings(doc).into_iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("no {code}: {doc:#}"))
}

/// The hops of the first path of `check`.
fn hops<'a>(doc: &'a Value, check: &str) -> &'a [Value] {
    workload(doc)["checks"][check]["paths"][0]["hops"].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// The line of the first line of `path` that contains `needle`.
fn line_of(path: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().position(|l| l.contains(needle)).map(|i| i as u64 + 1).unwrap_or_else(|| panic!("{needle}"))
}

#[test]
fn a_parameter_subnet_with_the_s3_route_and_the_ssm_endpoints_reaches_both() {
    let (code, doc) = json(APP, "private-subnet", &[]);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(status(&doc, "dnf"), "reachable");
    assert_eq!(status(&doc, "ssm"), "reachable");
    assert_eq!(workload(&doc)["subnet"], "subnet-0a1b2c3d4e5f67890");
    assert!(findings(&doc).is_empty(), "{doc:#}");
    // the hops name the deployed resources and where they were read
    let route = hops(&doc, "dnf").iter().find(|h| h["kind"] == "route-table").expect("route hop");
    assert_eq!(route["resource"], "rtb-0a1b2c3d4e5f67890");
    assert_eq!(route["state"]["pointer"], "/RouteTables/0");
    assert!(route["state"]["file"].as_str().unwrap().ends_with("private-subnet/route-tables.json"));
    let via = &workload(&doc)["checks"]["ssm"]["paths"][0]["via"];
    assert_eq!(via, "vpce-01234567890abcdef", "the ssm endpoint of the deployed VPC");
}

#[test]
fn the_same_table_without_the_s3_route_blocks_dnf_at_the_parameter() {
    let (code, doc) = json(APP, "no-s3-route", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&doc, "dnf"), "unreachable");
    assert_eq!(status(&doc, "ssm"), "reachable");
    let f = finding(&doc, "PN101");
    // at the template node that names the subnet, on the template resource
    assert_eq!(f["location"]["line"], line_of(APP, "SubnetId: !Ref SubnetId"));
    assert_eq!(f["resource"], "Instance");
    assert!(f["message"].as_str().unwrap().contains("rtb-0a1b2c3d4e5f67890"), "{f:#}");
    assert_eq!(f["state"]["id"], "rtb-0a1b2c3d4e5f67890");
    assert_eq!(f["state"]["pointer"], "/RouteTables/0");
    assert!(f["state"]["file"].as_str().unwrap().ends_with("no-s3-route/route-tables.json"), "{f:#}");
    // the fix is in the account
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.contains("aws ec2 create-vpc-endpoint --region us-east-1 --vpc-id vpc-0a1b2c3d4e5f67890 --service-name com.amazonaws.us-east-1.s3 --route-table-ids rtb-0a1b2c3d4e5f67890"),
        "{fix}"
    );
    let blocked = hops(&doc, "dnf").iter().find(|h| h["verdict"] == "block").expect("a blocking hop");
    assert_eq!(blocked["state"]["id"], "rtb-0a1b2c3d4e5f67890");
}

#[test]
fn without_an_explicit_association_the_main_table_decides() {
    let (code, doc) = json(APP, "implicit-association", &[]);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(status(&doc, "dnf"), "reachable");
    let route = hops(&doc, "dnf").iter().find(|h| h["kind"] == "route-table").expect("route hop");
    assert_eq!(route["resource"], "rtb-0f9e8d7c6b5a43210", "the main table");
    assert!(route["detail"].as_str().unwrap().contains("main route table"), "{route:#}");
    // the same main table without the S3 route: dnf fails on it
    let dir = common::scratch("binding", "main-table");
    for e in std::fs::read_dir(state("implicit-association")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let tables = dir.join("route-tables.json");
    let mut t: Value = serde_json::from_str(&std::fs::read_to_string(&tables).unwrap()).unwrap();
    t["RouteTables"][0]["Routes"].as_array_mut().unwrap().retain(|r| r.get("DestinationPrefixListId").is_none());
    std::fs::write(&tables, serde_json::to_string_pretty(&t).unwrap()).unwrap();
    // (and the endpoint no longer lists it: the two outputs agree)
    let endpoints = dir.join("vpc-endpoints.json");
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(&endpoints).unwrap()).unwrap();
    for ep in e["VpcEndpoints"].as_array_mut().unwrap() {
        ep["RouteTableIds"] = Value::Array(Vec::new());
    }
    std::fs::write(&endpoints, serde_json::to_string_pretty(&e).unwrap()).unwrap();
    let (code, doc) = json_with(APP, &[&dir], &[]);
    assert_eq!(code, Some(1));
    // the VPC's gateway endpoint is not on the main table
    let f = finding(&doc, "PN102");
    assert!(f["fix"].as_str().unwrap().contains("--add-route-table-ids rtb-0f9e8d7c6b5a43210"), "{f:#}");
}

#[test]
fn a_template_subnet_in_a_deployed_vpc_uses_its_main_table() {
    let (code, doc) = json(SUBNET_IN_VPC, "private-subnet", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&doc, "dnf"), "unreachable");
    assert_eq!(status(&doc, "ssm"), "reachable", "the VPC's endpoints serve the new subnet");
    let route = hops(&doc, "dnf").iter().find(|h| h["kind"] == "route-table").expect("route hop");
    assert_eq!(route["resource"], "rtb-0f9e8d7c6b5a43210");
    let f = finding(&doc, "PN102");
    assert_eq!(f["location"]["line"], line_of(SUBNET_IN_VPC, "VpcId: !Ref VpcId"));
    assert_eq!(f["resource"], "Subnet");
    assert_eq!(f["state"]["id"], "vpce-0a1b2c3d4e5f67890");
}

#[test]
fn dns_hostnames_off_blocks_session_manager() {
    let (code, doc) = json(APP, "dns-hostnames-off", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&doc, "dnf"), "reachable");
    assert_eq!(status(&doc, "ssm"), "unreachable");
    let f = finding(&doc, "PN404");
    assert_eq!(f["state"]["id"], "vpc-0a1b2c3d4e5f67890");
    assert!(!f["message"].as_str().unwrap().contains("fails to create"), "the VPC exists: {f:#}");
    assert!(f["fix"].as_str().unwrap().contains("modify-vpc-attribute"), "{f:#}");
    assert!(f["fix"].as_str().unwrap().contains("--enable-dns-hostnames"), "{f:#}");
}

#[test]
fn a_deployed_group_with_egress_only_to_the_vpc_blocks_dnf() {
    let (code, doc) = json(APP, "egress-vpc-cidr-only", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&doc, "dnf"), "unreachable");
    assert_eq!(status(&doc, "ssm"), "reachable", "the endpoints are in the VPC");
    let f = finding(&doc, "PN201");
    assert_eq!(f["location"]["line"], line_of(APP, "- !Ref SecurityGroupId"));
    assert_eq!(f["state"]["id"], "sg-0a1b2c3d4e5f67890");
    assert_eq!(f["state"]["pointer"], "/SecurityGroups/0");
    assert!(f["fix"].as_str().unwrap().contains("authorize-security-group-egress"), "{f:#}");
    assert!(f["fix"].as_str().unwrap().contains("PrefixListId=pl-63a5400a"), "{f:#}");
}

#[test]
fn imports_resolve_through_the_accounts_exports() {
    let (code, doc) = json(IMPORT, "private-subnet", &[]);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(workload(&doc)["subnet"], "subnet-0a1b2c3d4e5f67890");
    assert_eq!(status(&doc, "dnf"), "reachable");
    assert_eq!(status(&doc, "ssm"), "reachable");
    let (code, doc) = json(IMPORT, "no-s3-route", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(finding(&doc, "PN101")["location"]["line"], line_of(IMPORT, "!ImportValue network-PrivateSubnetId"));
    // an export the state does not hold: the stack fails to create
    let dir = common::scratch("binding", "missing-export");
    let template = dir.join("import.yaml");
    let text = std::fs::read_to_string(IMPORT).unwrap().replace("network-PrivateSubnetId", "network-Gone");
    std::fs::write(&template, text).unwrap();
    let (code, doc) = json(template.to_str().unwrap(), "private-subnet", &[]);
    assert_eq!(code, Some(1));
    let f = finding(&doc, "PN003");
    assert!(f["message"].as_str().unwrap().contains("No export named network-Gone found"), "{f:#}");
    // without the state, the import stays open
    let out = bin().arg(IMPORT).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status(&doc, "dnf"), "unknown");
}

#[test]
fn instance_profiles_by_name_with_and_without_the_session_actions() {
    let (code, doc) = json(APP, "private-subnet", &["--parameter", "InstanceProfile=app-ssm-profile"]);
    assert_eq!(code, Some(0));
    let iam = workload(&doc)["checks"]["ssm"]["paths"][0]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "iam")
        .cloned()
        .expect("iam hop");
    assert_eq!(iam["verdict"], "pass");
    assert_eq!(iam["resource"], "app-ssm-role");
    let (code, doc) = json(APP, "private-subnet", &["--parameter", "InstanceProfile=app-plain-profile"]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&doc, "ssm"), "unreachable");
    assert_eq!(status(&doc, "dnf"), "reachable");
    let f = finding(&doc, "PN502");
    assert_eq!(f["location"]["line"], line_of(APP, "IamInstanceProfile: !Ref InstanceProfile"));
    assert_eq!(f["state"]["id"], "app-plain-role");
    assert_eq!(f["state"]["pointer"], "/RoleDetailList/1");
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("aws iam attach-role-policy --role-name app-plain-role --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
        "{f:#}"
    );
    // by ARN too
    let arn = "InstanceProfile=arn:aws:iam::123456789012:instance-profile/app-ssm-profile";
    let (code, doc) = json(APP, "private-subnet", &["--parameter", arn]);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(status(&doc, "ssm"), "reachable");
}

#[test]
fn without_a_subnet_the_instance_lands_in_the_default_vpc() {
    let (code, doc) = json(DEFAULT_VPC, "default-vpc", &[]);
    // no instance profile: Session Manager fails whatever the network
    assert_eq!(code, Some(1));
    let results = doc["results"][0]["workloads"].as_array().unwrap();
    assert_eq!(results.len(), 1, "one result when every zone agrees: {doc:#}");
    assert_eq!(status(&doc, "dnf"), "reachable", "public default subnet, main table to the internet gateway");
    assert!(workload(&doc)["subnet"].as_str().unwrap().starts_with("subnet-0d1e2f3a4b5c6"), "{doc:#}");
    let first = &hops(&doc, "dnf")[0];
    assert!(first["detail"].as_str().unwrap().contains("the same verdict in each default subnet"), "{first:#}");
    assert_eq!(finding(&doc, "PN501")["code"], "PN501");
    // a zone the template names: that zone's default subnet only
    let dir = common::scratch("binding", "zone");
    let template = dir.join("zone.yaml");
    let text = std::fs::read_to_string(DEFAULT_VPC)
        .unwrap()
        .replace("      InstanceType: t3.micro", "      InstanceType: t3.micro\n      AvailabilityZone: us-east-1b");
    std::fs::write(&template, text).unwrap();
    let (_, doc) = json(template.to_str().unwrap(), "default-vpc", &[]);
    let subnet = workload(&doc)["subnet"].as_str().unwrap().to_string();
    let subnets: Value =
        serde_json::from_str(&std::fs::read_to_string(state("default-vpc/subnets.json")).unwrap()).unwrap();
    let zone = subnets["Subnets"].as_array().unwrap().iter().find(|s| s["SubnetId"] == subnet.as_str()).unwrap();
    assert_eq!(zone["AvailabilityZone"], "us-east-1b");
}

#[test]
fn a_default_subnet_that_differs_says_its_zone() {
    // the default subnet of us-east-1b gets a network ACL that allows nothing
    let dir = common::scratch("binding", "zones");
    for e in std::fs::read_dir(state("default-vpc")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let acls = dir.join("network-acls.json");
    let mut a: Value = serde_json::from_str(&std::fs::read_to_string(&acls).unwrap()).unwrap();
    let list = a["NetworkAcls"].as_array_mut().unwrap();
    list[0]["Associations"].as_array_mut().unwrap().retain(|x| x["SubnetId"] != "subnet-0d1e2f3a4b5c60002");
    list.push(serde_json::json!({
        "Associations": [{"NetworkAclAssociationId": "aclassoc-0f0f0f0f0f0f0f0f0", "NetworkAclId": "acl-0f0f0f0f0f0f0f0f0",
                          "SubnetId": "subnet-0d1e2f3a4b5c60002"}],
        "Entries": [
            {"CidrBlock": "0.0.0.0/0", "Egress": true, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
            {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767}
        ],
        "IsDefault": false, "NetworkAclId": "acl-0f0f0f0f0f0f0f0f0", "VpcId": "vpc-0d1e2f3a4b5c67890"
    }));
    std::fs::write(&acls, serde_json::to_string_pretty(&a).unwrap()).unwrap();
    let (_, doc) = json_with(DEFAULT_VPC, &[&dir], &[]);
    let results = doc["results"][0]["workloads"].as_array().unwrap();
    assert_eq!(results.len(), 3, "one result per zone: {doc:#}");
    let dnf: Vec<&str> = results.iter().map(|w| w["checks"]["dnf"]["status"].as_str().unwrap()).collect();
    assert_eq!(dnf, ["reachable", "unreachable", "reachable"]);
    let said = results[1]["checks"]["dnf"]["paths"][0]["hops"][0]["detail"].as_str().unwrap();
    assert!(said.contains("zone us-east-1b: the verdict differs by zone"), "{said}");
    let f = finding(&doc, "PN301");
    assert_eq!(f["state"]["id"], "acl-0f0f0f0f0f0f0f0f0");
    assert!(f["fix"].as_str().unwrap().contains("aws ec2 create-network-acl-entry"), "{f:#}");
}

#[test]
fn without_a_subnet_and_without_a_default_vpc_the_launch_fails() {
    let (code, doc) = json(DEFAULT_VPC, "no-default-vpc", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&doc, "dnf"), "unreachable");
    assert_eq!(status(&doc, "ssm"), "unreachable");
    let f = finding(&doc, "PN109");
    assert_eq!(f["location"]["line"], line_of(DEFAULT_VPC, "  Instance:"));
    // without state the placement stays open
    let out = bin().arg(DEFAULT_VPC).args(["--format", "json"]).output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(findings(&doc).iter().all(|f| f["code"] != "PN109"));
}

#[test]
fn a_region_folder_applies_to_its_region_only() {
    let (_, doc) = json(IMPORT, "region-folder", &["--region", "eu-west-1"]);
    assert_eq!(workload(&doc)["subnet"], "subnet-0e1f2a3b4c5d67890", "the eu-west-1 export and subnet");
    let route = hops(&doc, "dnf").iter().find(|h| h["kind"] == "route-table").expect("route hop");
    assert!(route["state"]["file"].as_str().unwrap().contains("eu-west-1"), "{route:#}");
    let (_, doc) = json(IMPORT, "region-folder", &["--region", "us-east-1"]);
    assert_eq!(workload(&doc)["subnet"], Value::Null, "nothing of eu-west-1 in us-east-1: {doc:#}");
    assert_eq!(status(&doc, "dnf"), "unknown");
    let text = doc.to_string();
    assert!(!text.contains("subnet-0e1f2a3b4c5d67890") && !text.contains("eu-west-1/"), "{text}");
}

#[test]
fn what_the_state_does_not_say_stays_open_naming_the_call() {
    // region-folder's eu-west-1 holds no VPC attributes, endpoints, groups or ACLs
    let (_, doc) = json(IMPORT, "region-folder", &["--region", "eu-west-1"]);
    let text = doc.to_string();
    assert!(text.contains("aws ec2 describe-vpc-attribute"), "{text}");
    assert!(text.contains("aws ec2 describe-vpc-endpoints"), "{text}");
    assert_eq!(status(&doc, "ssm"), "unknown");
    assert!(findings(&doc).iter().all(|f| f["code"] != "PN103" && f["code"] != "PN401"), "{text}");
}

/// The state holds account IDs, ARNs and policy documents: a report names
/// the deployed resources' IDs and no more.
#[test]
fn reports_do_not_echo_the_state() {
    for scenario in ["private-subnet", "no-s3-route", "dns-hostnames-off", "egress-vpc-cidr-only"] {
        for format in ["human", "json", "sarif", "concise", "github", "markdown"] {
            for profile in ["app-ssm-profile", "app-plain-profile"] {
                let out = bin()
                    .arg(APP)
                    .args(["--format", format, "--parameter", &format!("InstanceProfile={profile}")])
                    .arg("--account-state")
                    .arg(state(scenario))
                    .output()
                    .unwrap();
                let text = String::from_utf8_lossy(&out.stdout);
                for secret in ["123456789012", "AROA", "AIPA", "network/0a1b2c3d", "example-artifacts"] {
                    assert!(!text.contains(secret), "{scenario} {format}: echoes `{secret}`");
                }
            }
        }
    }
    // the account's settings (options and exclusions name the account and ARNs)
    for format in ["human", "json", "sarif", "concise", "github", "markdown"] {
        let out = bin()
            .arg(DEFAULT_VPC)
            .args(["--format", format])
            .arg("--account-state")
            .arg(state("default-vpc"))
            .arg("--account-state")
            .arg(state("block-public-access"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("PN107"), "{format}: {text}");
        assert!(!text.contains("123456789012") && !text.contains("arn:aws:ec2"), "{format}: echoes the account");
    }
}

#[test]
fn human_output_names_the_deployed_resource_under_the_snippet() {
    let out = bin().arg(APP).arg("--account-state").arg(state("no-s3-route")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("deployed rtb-0a1b2c3d4e5f67890: read from ")
            && text.contains("route-tables.json at /RouteTables/0"),
        "{text}"
    );
    assert!(text.contains("no-route-to-s3 (Instance)"), "{text}");
}

/// The account's VPC Block Public Access options and exclusions apply to
/// every VPC of the region: with `block-bidirectional`, the default
/// subnets reach the internet only where an exclusion in force exempts
/// them, and the finding is on the workload (no template node names the
/// setting), with where it was read and an AWS CLI fix.
#[test]
fn block_public_access_comes_from_the_state() {
    let states = [state("default-vpc"), state("block-public-access")];
    let (code, doc) = json_with(DEFAULT_VPC, &[&states[0], &states[1]], &[]);
    assert_eq!(code, Some(1));
    let results = doc["results"][0]["workloads"].as_array().unwrap();
    let dnf: Vec<(&str, &str)> = results
        .iter()
        .map(|w| (w["subnet"].as_str().unwrap(), w["checks"]["dnf"]["status"].as_str().unwrap()))
        .collect();
    // 60001's exclusion is deleted (`delete-complete`), 60002's is in force
    assert_eq!(
        dnf,
        [
            ("subnet-0d1e2f3a4b5c60001", "unreachable"),
            ("subnet-0d1e2f3a4b5c60002", "reachable"),
            ("subnet-0d1e2f3a4b5c60003", "unreachable")
        ]
    );
    let f = finding(&doc, "PN107");
    assert_eq!(f["location"]["line"], line_of(DEFAULT_VPC, "  Instance:"));
    assert_eq!(f["resource"], "Instance");
    assert_eq!(f["state"]["id"], "VpcBlockPublicAccessOptions");
    assert_eq!(f["state"]["pointer"], "/VpcBlockPublicAccessOptions");
    assert!(f["state"]["file"].as_str().unwrap().ends_with("block-public-access/vpc-block-public-access-options.json"));
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.contains("aws ec2 create-vpc-block-public-access-exclusion --region us-east-1 --subnet-id subnet-0d1e2f3a4b5c60001 --internet-gateway-exclusion-mode allow-egress"),
        "{fix}"
    );
    assert!(fix.contains("SubnetId: subnet-0d1e2f3a4b5c60001"), "a deployed subnet is named by its ID: {fix}");
    // the exclusion that lets 60002 out is on its path, with where it was read
    let excluded = results[1]["checks"]["dnf"]["paths"][0]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "block-public-access")
        .cloned()
        .expect("the Block Public Access hop");
    assert_eq!(excluded["verdict"], "pass");
    assert_eq!(excluded["resource"], "vpcbpa-exclude-0a1b2c3d4e5f60002");
    assert_eq!(excluded["state"]["pointer"], "/VpcBlockPublicAccessExclusions/1");
    // the account IDs in the ARNs and options are not echoed
    assert!(!doc.to_string().contains("123456789012"));
}

/// What the template declares wins over the account's setting: deploying
/// `AWS::EC2::VPCBlockPublicAccessOptions` changes it.
#[test]
fn the_templates_block_public_access_wins_over_the_state() {
    let dir = common::scratch("binding", "bpa-template");
    let template = dir.join("bpa-off.yaml");
    let text = std::fs::read_to_string(DEFAULT_VPC).unwrap()
        + "  Options:\n    Type: AWS::EC2::VPCBlockPublicAccessOptions\n    Properties:\n      InternetGatewayBlockMode: \"off\"\n";
    std::fs::write(&template, text).unwrap();
    let (_, doc) = json_with(template.to_str().unwrap(), &[&state("default-vpc"), &state("block-public-access")], &[]);
    assert!(findings(&doc).iter().all(|f| f["code"] != "PN107"), "{doc:#}");
    assert_eq!(doc["results"][0]["workloads"].as_array().unwrap().len(), 1, "every zone agrees again");
    assert_eq!(status(&doc, "dnf"), "reachable");
    let bpa = hops(&doc, "dnf").iter().find(|h| h["kind"] == "block-public-access").expect("the hop");
    assert_eq!(bpa["resource"], "Options");
    assert!(bpa.get("state").is_none());
}

/// The account's Session Manager preferences (`SSM-SessionManagerRunShell`
/// saved with `ssm get-document`) add their paths: CloudWatch Logs needs a
/// `logs` endpoint in the deployed VPC and the `logs:` actions in the
/// deployed role, each fixed by an AWS CLI command.
#[test]
fn session_manager_preferences_come_from_the_state() {
    let dir = common::scratch("binding", "session-logging");
    for e in std::fs::read_dir(state("private-subnet")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let prefs = dir.join("session-preferences.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&prefs).unwrap()).unwrap();
    let mut content: Value = serde_json::from_str(doc["Content"].as_str().unwrap()).unwrap();
    content["inputs"]["cloudWatchLogGroupName"] = "/ssm/sessions".into();
    content["inputs"]["cloudWatchStreamingEnabled"] = true.into();
    doc["Content"] = serde_json::to_string_pretty(&content).unwrap().into();
    std::fs::write(&prefs, serde_json::to_string_pretty(&doc).unwrap()).unwrap();

    // the saved defaults turn nothing on: both checks pass, and the hop says where it read them
    let (code, plain) = json(APP, "private-subnet", &[]);
    assert_eq!(code, Some(0));
    let hop = hops(&plain, "ssm").iter().find(|h| h["kind"] == "session-preferences").expect("the hop");
    assert!(hop["detail"].as_str().unwrap().contains("turn on no KMS encryption and no session logging"), "{hop:#}");
    assert!(hop["state"]["file"].as_str().unwrap().ends_with("private-subnet/session-preferences.json"));

    let (code, doc) = json_with(APP, &[&dir], &[]);
    assert_eq!(code, Some(1));
    assert_eq!(status(&doc, "ssm"), "unreachable");
    assert_eq!(workload(&doc)["checks"]["ssm"]["reasons"], serde_json::json!(["PN413"]));
    let pn413: Vec<&Value> = findings(&doc).into_iter().filter(|f| f["code"] == "PN413").collect();
    assert_eq!(pn413.len(), 2, "{doc:#}");
    let endpoint = pn413.iter().find(|f| f["state"]["id"] == "vpc-0a1b2c3d4e5f67890").expect("the VPC");
    assert_eq!(endpoint["location"]["line"], line_of(APP, "SubnetId: !Ref SubnetId"));
    assert!(
        endpoint["fix"]
            .as_str()
            .unwrap()
            .contains("--service-name com.amazonaws.us-east-1.logs --subnet-ids subnet-0a1b2c3d4e5f67890"),
        "{endpoint:#}"
    );
    let role = pn413.iter().find(|f| f["state"]["id"] == "app-ssm-role").expect("the role");
    assert_eq!(role["location"]["line"], line_of(APP, "IamInstanceProfile: !Ref InstanceProfile"));
    let fix = role["fix"].as_str().unwrap();
    assert!(fix.contains("aws iam put-role-policy --role-name app-ssm-role"), "{fix}");
    assert!(fix.contains("logs:CreateLogStream") && fix.contains("logs:PutLogEvents"), "{fix}");
}

/// SARIF: a finding on a deployed resource has the state file as a related
/// location, with the JSON Pointer and ID as properties.
#[test]
fn sarif_relates_the_deployed_resource() {
    let out = bin()
        .arg(APP)
        .args(["--format", "sarif"])
        .arg("--account-state")
        .arg(state("egress-vpc-cidr-only"))
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "PN201").expect("PN201");
    let location = &r["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], APP);
    assert_eq!(location["region"]["startLine"], line_of(APP, "- !Ref SecurityGroupId"));
    let related = r["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["properties"]["id"] == "sg-0a1b2c3d4e5f67890")
        .expect("the deployed group");
    assert!(
        related["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("egress-vpc-cidr-only/security-groups.json")
    );
    assert_eq!(related["properties"]["pointer"], "/SecurityGroups/0");
}

/// The README's "Checking against your account" shows what the example
/// commands print: each `privnet-lint …` command block is followed by an
/// output block whose parts (between `...` lines) appear, in order, in the
/// real output.
#[test]
fn the_readme_example_shows_the_real_output() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme.split("\n## Checking against your account\n").nth(1).unwrap().split("\n## ").next().unwrap();
    // the fenced blocks, with their info string
    let mut blocks: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut lines = section.lines();
    while let Some(l) = lines.next() {
        if let Some(info) = l.strip_prefix("```") {
            blocks.push((info, lines.by_ref().take_while(|l| *l != "```").collect()));
        }
    }
    let mut checked = 0;
    for pair in blocks.windows(2) {
        let [(info, command), (next, shown)] = pair else { continue };
        let [command] = command.as_slice() else { continue };
        let Some(args) = command.strip_prefix("privnet-lint fixtures/") else { continue };
        assert!(*info == "sh" && next.is_empty(), "{command}: a plain output block follows");
        let args: Vec<String> = std::iter::once(format!("fixtures/{}", args.split(' ').next().unwrap()))
            .chain(args.split(' ').skip(1).map(str::to_string))
            .collect();
        let out = bin().args(&args).output().unwrap();
        let printed = String::from_utf8(out.stdout).unwrap();
        let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
        let shown: Vec<&str> = shown.iter().map(|l| l.trim_end()).collect();
        let mut at = 0;
        for part in shown.split(|l| *l == "...").filter(|p| !p.is_empty()) {
            let found = (at..=printed.len().saturating_sub(part.len())).find(|&i| printed[i..i + part.len()] == *part);
            let i = found.unwrap_or_else(|| {
                panic!("README shows\n{}\nnot printed by `{command}` in:\n{}", part.join("\n"), printed.join("\n"))
            });
            at = i + part.len();
        }
        checked += 1;
    }
    assert_eq!(checked, 2, "the passing and the failing example");
}

/// `trace` shows where each deployed hop was read and the account's fix.
#[test]
fn trace_names_the_deployed_hops_and_the_cli_fix() {
    let out = bin()
        .args(["trace", APP, "--from", "Instance", "--to", "s3"])
        .arg("--account-state")
        .arg(state("no-s3-route"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("deployed: rtb-0a1b2c3d4e5f67890 from ") && text.contains("route-tables.json at /RouteTables/0"),
        "{text}"
    );
    assert!(text.contains("aws ec2 create-vpc-endpoint --region us-east-1"), "{text}");
    assert!(!text.contains("!Ref rtb-"), "no template snippet naming a deployed ID: {text}");
    let out = bin()
        .args(["trace", APP, "--from", "Instance", "--to", "s3", "--format", "json"])
        .arg("--account-state")
        .arg(state("no-s3-route"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hops = doc["traces"][0]["hops"].as_array().unwrap();
    let route = hops.iter().find(|h| h["kind"] == "route-table").unwrap();
    assert_eq!(route["state"]["pointer"], "/RouteTables/0");
    assert!(hops.iter().find(|h| h["kind"] == "workload").unwrap().get("state").is_none());
}
