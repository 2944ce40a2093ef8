//! PN011 `malformed-resource-id` through the binary: a string where EC2 needs
//! a resource ID that cannot be one is a certain blocker (the launch fails),
//! not an open value outside the template; a well-formed ID stays open
//! (PN005).

use serde_json::Value;

mod common;
use common::bin;

/// A private instance whose only open question is `SUBNET`.
fn template(parameters: &str, subnet: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
{parameters}Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: 10.0.0.0/16, EnableDnsHostnames: true}}
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: ec2.amazonaws.com}}, Action: sts:AssumeRole}}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore]
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties: {{Roles: [!Ref Role]}}
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
      IamInstanceProfile: !Ref Profile
      SubnetId: {subnet}
"#
    )
}

fn lint_with(text: &str, extra: &[&str]) -> Value {
    let out = bin().args(["-", "--format", "json"]).args(extra).write_stdin(text).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn lint(text: &str) -> Value {
    lint_with(text, &[])
}

fn findings<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    doc["results"][0]["findings"].as_array().into_iter().flatten().filter(|f| f["code"] == code).collect()
}

fn check<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["results"][0]["workloads"][0]["checks"][name]
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).map(|i| i as u64 + 1).unwrap_or(0)
}

#[test]
fn a_logical_id_without_ref_fails_the_launch_and_the_fix_is_the_ref() {
    let text = template("", "PublicSubnet");
    let doc = lint(&text);
    let pn011 = findings(&doc, "PN011");
    assert_eq!(pn011.len(), 1, "{doc:#}");
    let f = pn011[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["location"]["line"], line_of(&text, "SubnetId: PublicSubnet"));
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("`PublicSubnet`") && message.contains("InvalidSubnetID.Malformed"), "{message}");
    assert!(message.contains("neither dnf nor Session Manager"), "{message}");
    let fix = f["fix"].as_str().unwrap();
    assert!(fix.contains("write `!Ref PublicSubnet`"), "{fix}");
    for name in ["dnf", "ssm"] {
        assert_eq!(check(&doc, name)["status"], "unreachable", "{name}: {doc:#}");
        assert!(check(&doc, name)["reasons"].as_array().unwrap().iter().any(|r| r == "PN011"), "{name}");
    }
    assert!(
        findings(&doc, "PN005").iter().all(|f| !f["message"].as_str().unwrap().contains("PublicSubnet")),
        "{doc:#}"
    );
}

#[test]
fn a_string_that_names_nothing_asks_for_the_real_id() {
    let doc = lint(&template("", "my-app-subnet"));
    let f = findings(&doc, "PN011");
    assert_eq!(f.len(), 1, "{doc:#}");
    let fix = f[0]["fix"].as_str().unwrap();
    assert!(fix.contains("subnet-0123") && fix.contains("AWS::EC2::Subnet::Id"), "{fix}");
}

#[test]
fn a_well_formed_id_outside_the_template_stays_open() {
    for id in ["subnet-0abc1234", "subnet-0123456789abcdef0"] {
        let doc = lint(&template("", id));
        assert!(findings(&doc, "PN011").is_empty(), "{id}: {doc:#}");
        assert_eq!(check(&doc, "dnf")["status"], "unknown", "{id}");
        assert!(findings(&doc, "PN005").iter().any(|f| f["message"].as_str().unwrap().contains(id)), "{id}");
    }
}

#[test]
fn a_malformed_parameter_default_is_reported_at_the_default() {
    let parameters = "Parameters:\n  Subnet:\n    Type: String\n    Default: PublicSubnet\n";
    let text = template(parameters, "!Ref Subnet");
    let doc = lint(&text);
    let f = findings(&doc, "PN011");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["location"]["line"], line_of(&text, "Default: PublicSubnet"));
    assert!(f[0]["message"].as_str().unwrap().contains("`Default` of parameter `Subnet`"), "{:#}", f[0]);
    assert_eq!(check(&doc, "ssm")["status"], "unreachable");
}

#[test]
fn a_given_value_of_a_plain_parameter_is_left_to_the_user() {
    let parameters = "Parameters:\n  Subnet:\n    Type: String\n";
    let doc = lint_with(&template(parameters, "!Ref Subnet"), &["-p", "Subnet=my-subnet"]);
    assert!(findings(&doc, "PN011").is_empty(), "{doc:#}");
    assert_eq!(check(&doc, "dnf")["status"], "unknown");
}

/// The checkov example from the real corpus (skipped when the corpus is
/// absent): names of the template's resources in `GroupSet` and `SubnetId`.
#[test]
fn the_checkov_example_is_pn011_not_pn005() {
    let path = "../shared/corpus/real/checkov/checks/resource/aws/example_EC2PublicIP/EC2PublicIP-FAILED.yaml";
    if !std::path::Path::new(path).exists() {
        return;
    }
    let out = bin().arg(path).args(["--format", "json"]).output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<u64> = findings(&doc, "PN011").iter().map(|f| f["location"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![11, 12], "{doc:#}");
    assert!(findings(&doc, "PN005").is_empty(), "{doc:#}");
    assert_eq!(check(&doc, "dnf")["status"], "unreachable");
}
