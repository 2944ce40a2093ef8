//! The command line through the real binary: exit codes (SPEC §1), bad
//! input, stdin, folders.

use predicates::prelude::*;

mod common;
use common::bin;

fn scratch(name: &str) -> common::Scratch {
    common::scratch("cli", name)
}

#[test]
fn exit_0_on_the_seed_in_its_region() {
    bin()
        .args(["fixtures/seed-stack.yaml", "--region", "ap-northeast-1"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("dnf ✓"));
}

/// The README's quick start shows what the seed command prints: each part
/// of its output block (between `...` lines) appears, in order, in the real
/// output.
#[test]
fn the_readme_quick_start_shows_the_real_output() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme.split("\n## Quick start\n").nth(1).unwrap().split("\n## ").next().unwrap();
    assert!(section.contains("cargo run --release -- fixtures/seed-stack.yaml --region ap-northeast-1"));
    // the commands block ends with the first fence, the output block is the next one
    let block = section.split("\n```\n").nth(2).expect("an output block after the commands");
    let out = bin().args(["fixtures/seed-stack.yaml", "--region", "ap-northeast-1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).unwrap();
    let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
    let shown: Vec<&str> = block.lines().map(str::trim_end).collect();
    let mut at = 0;
    for part in shown.split(|l| *l == "...").filter(|p| !p.is_empty()) {
        let found = (at..=printed.len().saturating_sub(part.len())).find(|&i| printed[i..i + part.len()] == *part);
        let i = found.unwrap_or_else(|| {
            panic!(
                "README quick start shows\n{}\nnot printed (after line {at}) in:\n{}",
                part.join("\n"),
                printed.join("\n")
            )
        });
        at = i + part.len();
    }
    assert!(shown.iter().any(|l| l.contains("PN601")), "the quick start shows the PN601 warning");
}

#[test]
fn exit_1_on_an_error_and_fail_on_never_makes_it_0() {
    bin().args(["fixtures/seed-stack.yaml"]).assert().code(1).stdout(predicate::str::contains("PN206"));
    bin().args(["fixtures/seed-stack.yaml", "--fail-on", "never"]).assert().code(0);
    bin().args(["fixtures/seed-stack.yaml", "--region", "ap-northeast-1", "--fail-on", "note"]).assert().code(1);
}

#[test]
fn aws_region_from_the_environment() {
    bin().env("AWS_REGION", "ap-northeast-1").args(["fixtures/seed-stack.yaml"]).assert().code(0);
    bin().env("AWS_DEFAULT_REGION", "ap-northeast-1").args(["fixtures/seed-stack.yaml"]).assert().code(0);
}

#[test]
fn a_missing_path_is_exit_2_and_the_others_are_still_linted() {
    bin()
        .args(["does-not-exist.yaml", "fixtures/seed-stack.yaml", "--region", "ap-northeast-1", "--format", "concise"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does-not-exist.yaml: no such file or folder"))
        .stdout(predicate::str::contains("fixtures/seed-stack.yaml:34:3: PN204"));
}

#[test]
fn bad_arguments_are_exit_2_with_one_line() {
    bin()
        .args(["fixtures/seed-stack.yaml", "--region", "Tokyo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a region name"));
    bin()
        .args(["fixtures/seed-stack.yaml", "-p", "novalue"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KEY=VALUE"));
    bin().args(["fixtures/seed-stack.yaml", "--format", "xml"]).assert().code(2);
    bin()
        .args(["fixtures/seed-stack.yaml", "--select", "PN999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule"));
}

#[test]
fn stdin_is_linted() {
    let seed = std::fs::read_to_string("fixtures/seed-stack.yaml").unwrap();
    bin()
        .args(["-", "--region", "ap-northeast-1", "--format", "concise"])
        .write_stdin(seed)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("<stdin>:34:3: PN204"));
}

#[test]
fn broken_files_are_findings_not_crashes() {
    let dir = scratch("broken");
    std::fs::write(dir.join("empty.yaml"), "").unwrap();
    std::fs::write(dir.join("binary.yaml"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    std::fs::write(dir.join("latin1.yaml"), b"Resources:\n  A: {Type: \"caf\xe9\"}\n").unwrap();
    std::fs::write(dir.join("bad.json"), "{\"Resources\": {,}}").unwrap();
    let mut nest = String::new();
    for _ in 0..10_000 {
        nest.push('[');
    }
    std::fs::write(dir.join("deep.yaml"), format!("Resources: {nest}")).unwrap();
    let mut bomb = String::from("Resources:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    std::fs::write(dir.join("bomb.yaml"), bomb).unwrap();
    for name in ["empty.yaml", "binary.yaml", "latin1.yaml", "bad.json", "deep.yaml", "bomb.yaml"] {
        let out = bin().arg(dir.join(name)).args(["--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let findings = doc["results"][0]["findings"].as_array().unwrap();
        assert!(findings.iter().any(|f| f["code"] == "PN001"), "{name}: {doc}");
    }
    let latin = bin().arg(dir.join("latin1.yaml")).args(["--format", "concise"]).output().unwrap();
    assert!(String::from_utf8_lossy(&latin.stdout).contains(":2:"), "latin1 error on line 2");
}

#[test]
fn folders_are_walked_and_non_templates_skipped() {
    let dir = scratch("walk");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::copy("fixtures/seed-stack.yaml", dir.join("sub/stack.yml")).unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 3\n").unwrap();
    std::fs::write(dir.join("chart.yaml"), "{{ .Values.x }}: [\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "Resources: none\n").unwrap();
    let out = bin().arg(&*dir).args(["--region", "ap-northeast-1", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = doc["results"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("stack.yml"));
}

#[test]
fn a_named_file_that_is_not_a_template_is_pn001() {
    let dir = scratch("named");
    std::fs::write(dir.join("values.yaml"), "replicas: 3\n").unwrap();
    bin()
        .arg(dir.join("values.yaml"))
        .args(["--format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("PN001"));
}

#[test]
fn explain_and_rules() {
    bin()
        .args(["explain", "PN402"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("# PN402 endpoint-private-dns-disabled"));
    bin().args(["explain", "no-route-to-s3"]).assert().code(0).stdout(predicate::str::contains("PN101"));
    bin().args(["explain", "PN999"]).assert().code(2);
    bin().args(["rules"]).assert().code(0).stdout(predicate::str::contains("PN101  no-route-to-s3"));
    let out = bin().args(["rules", "--format", "json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.as_array().unwrap().iter().any(|r| r["code"] == "PN206" && r["severity"] == "error"));
}

#[test]
fn parameters_change_the_verdict() {
    let dir = scratch("params");
    let template = "Parameters:\n  Subnet:\n    Type: AWS::EC2::Subnet::Id\nResources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: !Ref Subnet\n";
    std::fs::write(dir.join("t.yaml"), template).unwrap();
    let out = bin().arg(dir.join("t.yaml")).args(["--format", "json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][0]["workloads"][0]["checks"]["dnf"]["status"], "unknown");
    assert_eq!(doc["results"][0]["workloads"][0]["checks"]["dnf"]["reasons"][0], "PN005");
    std::fs::write(dir.join("p.json"), r#"[{"ParameterKey":"Subnet","ParameterValue":"subnet-0123abcd"}]"#).unwrap();
    let out = bin()
        .arg(dir.join("t.yaml"))
        .arg("--parameters-file")
        .arg(dir.join("p.json"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // the value from the file decides what is open now: the subnet it names
    let notes: Vec<&str> = doc["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "PN005")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(notes.iter().any(|m| m.contains("`subnet-0123abcd`")), "{notes:?}");
    assert!(!notes.iter().any(|m| m.contains("parameter `Subnet`")), "{notes:?}");
    // whatever the subnet, an instance without a profile has no Session Manager
    assert_eq!(doc["results"][0]["workloads"][0]["checks"]["ssm"]["reasons"][0], "PN501");
    assert_eq!(out.status.code(), Some(1));
}
