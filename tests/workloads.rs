//! Workloads beyond a plain instance (issue 5): Auto Scaling groups with a
//! launch template or configuration (one workload per subnet), a public IP
//! from a network interface or an Elastic IP.

mod common;

use assert_cmd::Command;
use common::lint_stdin_json;
use serde_json::Value;

fn json(path: &str) -> (Value, i32) {
    let out = Command::cargo_bin("privnet-lint").unwrap().args([path, "--format", "json"]).output().unwrap();
    (serde_json::from_slice(&out.stdout).expect("json"), out.status.code().unwrap_or(-1))
}

fn statuses(doc: &Value) -> Vec<(String, String, String, String)> {
    doc["results"][0]["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["resource"].as_str().unwrap().to_string(),
                w["subnet"].as_str().unwrap_or("?").to_string(),
                w["checks"]["dnf"]["status"].as_str().unwrap().to_string(),
                w["checks"]["ssm"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(r: &str, s: &str, dnf: &str, ssm: &str) -> (String, String, String, String) {
    (r.into(), s.into(), dnf.into(), ssm.into())
}

#[test]
fn auto_scaling_group_is_a_workload_per_subnet() {
    let (doc, code) = json("fixtures/workloads/asg-launch-template.pass.yaml");
    assert_eq!(code, 0);
    assert_eq!(
        statuses(&doc),
        vec![
            row("AppGroup", "SubnetA", "reachable", "reachable"),
            row("AppGroup", "SubnetB", "reachable", "reachable")
        ]
    );
    assert_eq!(doc["results"][0]["workloads"][0]["kind"], "auto-scaling-group");
    let (doc, code) = json("fixtures/workloads/asg-launch-template.fail.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&doc),
        vec![
            row("AppGroup", "SubnetA", "reachable", "reachable"),
            row("AppGroup", "SubnetB", "unreachable", "reachable")
        ]
    );
    assert_eq!(doc["results"][0]["workloads"][1]["checks"]["dnf"]["reasons"], serde_json::json!(["PN102"]));
}

#[test]
fn launch_configuration_profile_and_public_ip() {
    let (doc, code) = json("fixtures/workloads/asg-launch-configuration.pass.yaml");
    assert_eq!(code, 0, "{doc}");
    assert_eq!(statuses(&doc), vec![row("Group", "PublicSubnet", "reachable", "reachable")]);
    let (doc, code) = json("fixtures/workloads/asg-launch-configuration.fail.yaml");
    assert_eq!(code, 1);
    assert_eq!(doc["results"][0]["workloads"][0]["checks"]["ssm"]["reasons"], serde_json::json!(["PN501"]));
}

#[test]
fn public_ip_from_a_network_interface_or_an_elastic_ip() {
    for name in ["eni-public-ip", "eip"] {
        let (doc, code) = json(&format!("fixtures/workloads/{name}.pass.yaml"));
        assert_eq!(code, 0, "{name}: {doc}");
        assert_eq!(statuses(&doc), vec![row("Instance", "PublicSubnet", "reachable", "reachable")], "{name}");
        let (doc, code) = json(&format!("fixtures/workloads/{name}.fail.yaml"));
        assert_eq!(code, 1);
        assert_eq!(statuses(&doc), vec![row("Instance", "PublicSubnet", "unreachable", "unreachable")], "{name}");
        let f = &doc["results"][0]["findings"][0];
        assert_eq!(f["code"], "PN105");
        // no Elastic IP: the subnet decides, the fix goes there; an
        // interface that says `AssociatePublicIpAddress: false` decides itself
        let line = if name == "eip" { 18 } else { 60 };
        assert_eq!(f["location"]["line"], line, "{name}: {f}");
    }
}

/// The 1-based line of the first line of `path` that contains `marker`.
fn line_of(path: &str, marker: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().position(|l| l.contains(marker)).unwrap_or_else(|| panic!("{marker} not in {path}")) as u64 + 1
}

/// The findings of the first result: (code, line, resource, message).
fn findings(doc: &Value) -> Vec<(String, u64, String, String)> {
    doc["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["resource"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn associate_public_ip_address_false_is_not_absent() {
    // issue 12 item 3: the subnet maps public IPs on launch, and each
    // workload refuses one (instance, launch template, launch configuration)
    let fail = "fixtures/workloads/public-ip-refused.fail.yaml";
    let (doc, code) = json(fail);
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&doc),
        vec![
            row("Instance", "PublicSubnet", "unreachable", "unreachable"),
            row("TemplateGroup", "PublicSubnet", "unreachable", "unreachable"),
            row("ConfigurationGroup", "PublicSubnet", "unreachable", "unreachable"),
        ]
    );
    let found = findings(&doc);
    let want = [
        ("# the instance", "Instance", "its primary network interface"),
        ("# the launch template", "LaunchTemplate", "the primary network interface of launch template LaunchTemplate"),
        ("# the launch configuration", "LaunchConfiguration", "its launch configuration LaunchConfiguration"),
    ];
    assert_eq!(found.len(), want.len(), "{found:?}");
    for ((marker, resource, whose), (code, line, res, message)) in want.iter().zip(&found) {
        assert_eq!(code, "PN105");
        assert_eq!(*line, line_of(fail, marker), "{message}");
        assert_eq!(res, resource);
        assert!(message.contains(&format!("{whose} sets `AssociatePublicIpAddress: false`")), "{message}");
        assert!(message.contains("`MapPublicIpOnLaunch: true` of subnet PublicSubnet does not apply"), "{message}");
    }
    // without the key, the subnet decides: all three get a public IP
    let (doc, code) = json("fixtures/workloads/public-ip-refused.pass.yaml");
    assert_eq!(code, 0, "{doc}");
    for (w, _, dnf, ssm) in statuses(&doc) {
        assert_eq!((dnf.as_str(), ssm.as_str()), ("reachable", "reachable"), "{w}");
    }
    let hops = doc["results"][0]["workloads"][0]["checks"]["ssm"]["paths"][0]["hops"].as_array().unwrap().clone();
    assert!(
        hops.iter()
            .any(|h| h["detail"].as_str().unwrap_or("").contains("subnet PublicSubnet has MapPublicIpOnLaunch: true")),
        "{hops:?}"
    );
}

#[test]
fn an_instance_on_a_template_network_interface_lives_in_its_subnet() {
    // issue 12 item 4: NetworkInterfaceId at DeviceIndex 0 names an
    // AWS::EC2::NetworkInterface of the template
    let fail = "fixtures/workloads/existing-eni.fail.yaml";
    let (doc, code) = json(fail);
    assert_eq!(code, 1);
    assert_eq!(statuses(&doc), vec![row("Instance", "PublicSubnet", "unreachable", "unreachable")]);
    let found = findings(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, line, resource, message) = &found[0];
    assert_eq!(code, "PN105");
    assert_eq!(*line, line_of(fail, "NetworkInterfaceId: !Ref Eni"), "{message}");
    assert_eq!(resource, "Instance");
    assert!(message.contains("launches on network interface Eni"), "{message}");
    assert!(!message.contains("default VPC"), "{message}");
    // the interface's groups are the instance's (not the VPC default group),
    // and the interface attached after launch (BackendEni) changes nothing
    let w = &doc["results"][0]["workloads"][0];
    let first = &w["checks"]["dnf"]["paths"][0]["hops"][0];
    assert_eq!(first["kind"], "workload");
    assert!(first["detail"].as_str().unwrap().contains("security groups InstanceSecurityGroup"), "{first}");
    // with an Elastic IP on the interface it works
    let (doc, code) = json("fixtures/workloads/existing-eni.pass.yaml");
    assert_eq!(code, 0, "{doc}");
    assert_eq!(statuses(&doc), vec![row("Instance", "PublicSubnet", "reachable", "reachable")]);
    let hops = doc["results"][0]["workloads"][0]["checks"]["ssm"]["paths"][0]["hops"].as_array().unwrap().clone();
    assert!(
        hops.iter().any(|h| h["detail"]
            .as_str()
            .unwrap_or("")
            .contains("Elastic IP association `EipAssociation` on network interface Eni")),
        "{hops:?}"
    );
}

#[test]
fn cfn_init_downloads_are_checked_at_their_line() {
    let (doc, code) = json("fixtures/workloads/cfn-init.fail.yaml");
    assert_eq!(code, 0, "PN601 is a warning");
    let f = &doc["results"][0]["findings"][0];
    assert_eq!(f["code"], "PN601");
    assert_eq!(f["location"]["line"], 97);
    let d = &doc["results"][0]["workloads"][0]["downloads"][0];
    assert_eq!(d["url"], "https://github.com/example/app/archive/refs/tags/v1.0.tar.gz");
    assert_eq!(d["status"], "unreachable");
    let (doc, _) = json("fixtures/workloads/cfn-init.pass.yaml");
    assert!(doc["results"][0]["findings"].as_array().unwrap().is_empty(), "{doc}");
    assert_eq!(doc["results"][0]["workloads"][0]["downloads"][0]["status"], "reachable");
}

/// Lints template text from stdin in us-east-1: the JSON and the exit code.
fn json_stdin(text: &str) -> (Value, i32) {
    lint_stdin_json(text, &[])
}

#[test]
fn network_interfaces_decide_placement_groups_and_public_ip() {
    let text = std::fs::read_to_string("fixtures/workloads/existing-eni.fail.yaml").unwrap();
    let eni = "      NetworkInterfaces:\n        - DeviceIndex: \"0\"\n          NetworkInterfaceId: !Ref Eni  # the interface\n";
    assert!(text.contains(eni));
    let groups = "      GroupSet: [!Ref InstanceSecurityGroup]\n";
    assert!(text.contains(groups));
    let eip_on_instance =
        "  Eip:\n    Type: AWS::EC2::EIP\n    Properties:\n      Domain: vpc\n      InstanceId: !Ref Instance\n";
    let cases: Vec<(String, &str, &str, &str)> = vec![
        // an Elastic IP associated with the instance lands on its primary interface
        (format!("{text}{eip_on_instance}"), "PublicSubnet", "reachable", ""),
        // an interface outside the template: unknown, not the default VPC
        (text.replace("NetworkInterfaceId: !Ref Eni", "NetworkInterfaceId: eni-0123456789abcdef0"), "?", "unknown", "eni-0123456789abcdef0"),
        // the interface's GroupSet is what filters: a group with tcp/80 only
        (
            text.replace(groups, "      GroupSet: [!Ref WebOnly]\n").replace(
                "  Role:\n",
                "  WebOnly:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      VpcId: !Ref Vpc\n      SecurityGroupEgress:\n        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}\n  Role:\n",
            ) + eip_on_instance,
            "PublicSubnet",
            "unreachable",
            "PN201",
        ),
        // a new interface and a second one at launch: no public IP at all
        (
            text.replace(
                eni,
                "      NetworkInterfaces:\n        - {DeviceIndex: \"0\", SubnetId: !Ref PublicSubnet, GroupSet: [!Ref InstanceSecurityGroup]}\n        - {DeviceIndex: \"1\", SubnetId: !Ref PublicSubnet}\n",
            ),
            "PublicSubnet",
            "unreachable",
            "more than one",
        ),
        // the same with one interface: the subnet maps a public IP
        (
            text.replace(
                eni,
                "      NetworkInterfaces:\n        - {DeviceIndex: \"0\", SubnetId: !Ref PublicSubnet, GroupSet: [!Ref InstanceSecurityGroup]}\n",
            ),
            "PublicSubnet",
            "reachable",
            "",
        ),
    ];
    for (variant, subnet, dnf, needle) in cases {
        let (doc, _) = json_stdin(&variant);
        let rows = statuses(&doc);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!((rows[0].1.as_str(), rows[0].2.as_str()), (subnet, dnf), "{needle}: {doc}");
        let text = doc["results"][0].to_string();
        assert!(text.contains(needle), "{needle}: {text}");
        assert!(!text.contains("default VPC"), "{text}");
    }
}
