//! "Certain beats unknown" (SPEC §2, issue 10) through the real binary: a
//! subnet the template leaves open does not hide a hop that blocks in
//! every subnet (the identity hops, the workload's own security groups),
//! and each open value gets one note, at the value, naming what it decides.

mod common;

use common::{fixture, lint_stdin_json};
use serde_json::Value;

const OPEN: &str = "fixtures/scenarios/open-subnet.yaml";

/// Lints `text` (as `stack.yaml` on stdin) for us-east-1: the JSON document
/// and the exit code.
fn lint(text: &str) -> (Value, i32) {
    lint_stdin_json(text, &[])
}

/// The fixture with the line holding `marker` replaced by `line` (or
/// removed when `line` is empty).
fn variant(text: &str, marker: &str, line: &str) -> String {
    assert!(text.contains(marker), "{marker}");
    text.lines()
        .filter_map(|l| match l.contains(marker) {
            false => Some(l.to_string()),
            true if line.is_empty() => None,
            true => Some(line.to_string()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}")) as u64 + 1
}

fn workload<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["results"][0]["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["resource"] == name)
        .unwrap_or_else(|| panic!("{name}: {doc}"))
}

fn findings<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    doc["results"][0]["findings"].as_array().expect("findings").iter().filter(|f| f["code"] == code).collect()
}

/// The hops of `check`'s path to `target`: `(kind, verdict, code)`.
fn hops(w: &Value, check: &str, target: &str) -> Vec<(String, String, String)> {
    let paths = w["checks"][check]["paths"].as_array().expect("paths");
    let path = paths.iter().find(|p| p["target"] == target).unwrap_or_else(|| panic!("{target}: {w}"));
    path["hops"]
        .as_array()
        .expect("hops")
        .iter()
        .map(|h| {
            let s = |k: &str| h[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("verdict"), s("code"))
        })
        .collect()
}

#[test]
fn a_subnet_parameter_with_a_complete_role_is_unknown_with_one_note_at_the_parameter() {
    let text = fixture(OPEN);
    let (doc, code) = lint(&text);
    assert_eq!(code, 0, "{doc}");
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["dnf"]["status"], "unknown");
    assert_eq!(w["checks"]["ssm"]["status"], "unknown");
    assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(["PN005"]));
    // what the template shows is evaluated, what it leaves open is said
    let ssm = hops(w, "ssm", "ssm");
    assert_eq!(ssm[0], ("workload".into(), "unknown".into(), "PN005".into()), "{ssm:?}");
    assert!(ssm.contains(&("iam".into(), "pass".into(), String::new())), "{ssm:?}");
    assert!(ssm.contains(&("instance-metadata".into(), "pass".into(), String::new())), "{ssm:?}");
    assert!(ssm.contains(&("security-group-egress".into(), "pass".into(), String::new())), "{ssm:?}");
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let note = notes[0];
    assert_eq!(note["severity"], "note");
    assert_eq!(note["location"]["line"], line_of(&text, "  SubnetParam:"));
    let message = note["message"].as_str().unwrap();
    assert!(message.contains("dnf and Session Manager on Instance"), "{message}");
    assert!(message.contains("parameter `SubnetParam` (AWS::EC2::Subnet::Id)"), "{message}");
    let fix = note["fix"].as_str().unwrap();
    assert!(fix.contains("--parameter SubnetParam=subnet-") && fix.contains("--account-state"), "{fix}");
}

#[test]
fn identity_hops_fail_whatever_the_subnet() {
    let text = fixture(OPEN);
    for (marker, line, code, at) in [
        ("# the profile", "", "PN501", "  Instance:"),
        // a role that grants nothing the agent needs
        (
            "# the permissions",
            "        - !Sub arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess",
            "PN502",
            "ManagedPolicyArns",
        ),
        // trusted by another service than EC2
        ("# the trust", "              Service: lambda.amazonaws.com", "PN503", "AssumeRolePolicyDocument:"),
    ] {
        let t = variant(&text, marker, line);
        let (doc, exit) = lint(&t);
        assert_eq!(exit, 1, "{code}: {doc}");
        let w = workload(&doc, "Instance");
        let ssm = &w["checks"]["ssm"];
        assert_eq!(ssm["status"], "unreachable", "{code}: {w}");
        assert_eq!(ssm["reasons"], serde_json::json!([code]), "{code}: {w}");
        let f = findings(&doc, code);
        assert_eq!(f.len(), 1, "{code}: {f:#?}");
        assert_eq!(f[0]["severity"], "error");
        assert_eq!(f[0]["location"]["line"], line_of(&t, at), "{code}: {}", f[0]);
        // the path shows both the certain blocker and the open subnet
        let hops = hops(w, "ssm", "ssm");
        assert!(hops.contains(&("iam".into(), "block".into(), code.into())), "{code}: {hops:?}");
        assert!(hops.contains(&("workload".into(), "unknown".into(), "PN005".into())), "{code}: {hops:?}");
        // dnf still depends on the subnet: its note stays, naming only dnf
        assert_eq!(w["checks"]["dnf"]["status"], "unknown");
        let notes = findings(&doc, "PN005");
        assert_eq!(notes.len(), 1, "{code}: {notes:#?}");
        let message = notes[0]["message"].as_str().unwrap();
        assert!(message.starts_with("dnf on Instance cannot be verified"), "{code}: {message}");
    }
}

#[test]
fn metadata_off_fails_an_auto_scaling_group_in_subnets_given_at_deploy_time() {
    let path = "fixtures/scenarios/open-subnet-asg.yaml";
    let text = fixture(path);
    let (doc, exit) = lint(&text);
    assert_eq!(exit, 1, "{doc}");
    let w = workload(&doc, "Group");
    assert_eq!(w["kind"], "auto-scaling-group");
    assert_eq!(w["subnet"], Value::Null);
    assert_eq!(w["checks"]["ssm"]["status"], "unreachable");
    assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(["PN504"]));
    let f = findings(&doc, "PN504");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["location"]["line"], line_of(&text, "# the metadata"));
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0]["location"]["line"], line_of(&text, "  PrivateSubnets:"));
    // metadata on: back to unknown, exit 0
    let (doc, exit) = lint(&variant(&text, "# the metadata", "          HttpEndpoint: enabled"));
    assert_eq!(exit, 0, "{doc}");
    assert_eq!(workload(&doc, "Group")["checks"]["ssm"]["status"], "unknown");
}

#[test]
fn egress_to_a_private_range_cannot_reach_s3_in_any_vpc() {
    let text = fixture(OPEN);
    let only_vpc = variant(&text, "# the egress", "          CidrIp: 10.0.0.0/16");
    let (doc, exit) = lint(&only_vpc);
    assert_eq!(exit, 1, "{doc}");
    let w = workload(&doc, "Instance");
    // S3 answers on public addresses through a gateway endpoint or a NAT alike
    assert_eq!(w["checks"]["dnf"]["status"], "unreachable");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN201"]));
    let pn201 = findings(&doc, "PN201");
    assert_eq!(pn201.len(), 1, "{pn201:#?}");
    assert_eq!(pn201[0]["location"]["line"], line_of(&only_vpc, "SecurityGroupEgress:"));
    // an interface endpoint of a VPC that is not known may well be in
    // 10.0.0.0/16: Session Manager stays open, decided by the subnet
    assert_eq!(w["checks"]["ssm"]["status"], "unknown", "{w}");
    assert!(findings(&doc, "PN202").is_empty());
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "one note, the subnet's: {notes:#?}");
    assert!(notes[0]["message"].as_str().unwrap().starts_with("Session Manager to Instance cannot be verified"));

    // no HTTPS out at all: nothing can reach either, in any VPC
    let no_https = variant(&text, "# the egress", "          CidrIp: 0.0.0.0/0").replace("443", "80");
    let (doc, exit) = lint(&no_https);
    assert_eq!(exit, 1);
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN201"]));
    assert_eq!(w["checks"]["ssm"]["status"], "unreachable");
    assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(["PN202"]));
    // every verdict is certain: the subnet decides nothing, no note
    assert!(findings(&doc, "PN005").is_empty(), "{:#?}", findings(&doc, "PN005"));
}

#[test]
fn one_note_per_parameter_naming_every_workload_it_decides() {
    let text = fixture(OPEN);
    let twin = "  Twin:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0123456789abcdef0\n      SubnetId: !Ref SubnetParam\n      IamInstanceProfile: !Ref InstanceProfile\n  Third:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0123456789abcdef0\n      SubnetId: !Ref SubnetParam\n      IamInstanceProfile: !Ref InstanceProfile\n";
    let (doc, _) = lint(&format!("{text}\n{twin}"));
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let message = notes[0]["message"].as_str().unwrap();
    assert!(message.contains("Instance, Twin, Third"), "{message}");
}

#[test]
fn no_note_where_no_verdict_depends_on_the_value() {
    // no workload: an open parameter and an undecidable condition decide nothing
    let text = "Parameters:\n  Env:\n    Type: String\n  Subnet:\n    Type: AWS::EC2::Subnet::Id\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Condition: IsProd\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      VpcId: !Ref Subnet\n";
    let (doc, exit) = lint(text);
    assert_eq!(exit, 0);
    assert!(findings(&doc, "PN005").is_empty(), "{doc}");
    // a condition on a resource off every path decides nothing either
    let with = fixture(OPEN).replace(
        "Resources:\n",
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Condition: IsProd\n",
    );
    let with = with.replace("Parameters:\n", "Parameters:\n  Env:\n    Type: String\n");
    let (doc, _) = lint(&with);
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "only the subnet's: {notes:#?}");
    assert!(notes[0]["message"].as_str().unwrap().contains("SubnetParam"));
}

#[test]
fn a_condition_on_the_path_gets_its_parameter_noted() {
    // the instance's own security group exists only in production
    let text = fixture(OPEN)
        .replace("Parameters:\n", "Parameters:\n  Env:\n    Type: String\n")
        .replace("Resources:\n", "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n")
        .replace("  AppSecurityGroup:\n    Type:", "  AppSecurityGroup:\n    Condition: IsProd\n    Type:");
    let (doc, _) = lint(&text);
    let notes = findings(&doc, "PN005");
    let env = notes.iter().find(|n| n["message"].as_str().unwrap().contains("`Env`")).expect("Env's note");
    assert_eq!(env["location"]["line"], line_of(&text, "  Env:"));
    let message = env["message"].as_str().unwrap();
    assert!(message.contains("whether AppSecurityGroup exists"), "{message}");
}

#[test]
fn no_subnet_is_the_default_vpc_but_a_network_interface_subnet_is_not() {
    let text = fixture(OPEN);
    let (doc, _) = lint(&variant(&text, "SubnetId: !Ref SubnetParam", ""));
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let message = notes[0]["message"].as_str().unwrap();
    assert!(message.contains("launches in a default subnet of the account's default VPC"), "{message}");
    assert!(notes[0]["fix"].as_str().unwrap().contains("--account-state"));

    // the primary network interface names the subnet: not the default VPC
    let nic = "      NetworkInterfaces:\n        - DeviceIndex: \"0\"\n          SubnetId: !Ref SubnetParam\n          GroupSet: [!Ref AppSecurityGroup]";
    let (doc, _) = lint(&variant(&variant(&text, "SecurityGroupIds:", ""), "SubnetId: !Ref SubnetParam", nic));
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(notes[0]["message"].as_str().unwrap().contains("parameter `SubnetParam`"), "{notes:#?}");

    // an existing interface made primary: the instance lives in its subnet
    let eni = "  Eni:\n    Type: AWS::EC2::NetworkInterface\n    Properties:\n      SubnetId: subnet-0123456789abcdef0\n      GroupSet: [!Ref AppSecurityGroup]\n";
    let on_eni = variant(
        &text,
        "SubnetId: !Ref SubnetParam",
        "      NetworkInterfaces:\n        - DeviceIndex: \"0\"\n          NetworkInterfaceId: !Ref Eni",
    );
    let (doc, _) = lint(&format!("{on_eni}\n{eni}"));
    let notes = findings(&doc, "PN005");
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let message = notes[0]["message"].as_str().unwrap();
    assert!(message.contains("`subnet-0123456789abcdef0`") && !message.contains("default VPC"), "{message}");
}
