//! Workloads beyond a plain instance (issue 5): Auto Scaling groups with a
//! launch template or configuration (one workload per subnet), a public IP
//! from a network interface or an Elastic IP.

use assert_cmd::Command;
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
        assert_eq!(f["location"]["line"], 18, "{name}: the finding points at the subnet");
    }
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
