//! The region nobody gave (issue 10): where the analyzed region comes from
//! (`region_source` in JSON, a note in the human output when it is the
//! default), and the region a template's own values name, suggested but
//! never switched to.

use std::path::Path;

mod common;
use common::bin;

const SEED: &str = "fixtures/seed-stack.yaml";
const NOTICE: &str = "analyzed for us-east-1, the default";

fn json(args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let mut cmd = bin();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).args(["--format", "json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn human(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = bin();
    for (k, v) in env {
        cmd.env(k, v);
    }
    String::from_utf8(cmd.args(args).output().unwrap().stdout).unwrap()
}

#[test]
fn the_default_region_is_said_once_with_the_templates_own_region() {
    let text = human(&[SEED, "fixtures/rules/PN101-no-route-to-s3.fail.yaml"], &[]);
    assert_eq!(text.matches(NOTICE).count(), 1, "{text}");
    assert!(text.starts_with("note: analyzed for us-east-1, the default: no --region"), "{text}");
    // the seed names Tokyo (its prefix list and its UserData URL); the
    // PN101 fixture names no region, so nothing is said about it
    let seed_line = text.lines().find(|l| l.contains("fixtures/seed-stack.yaml names")).expect("a line for the seed");
    assert!(seed_line.contains("names ap-northeast-1 in its own values, not us-east-1"), "{seed_line}");
    assert!(seed_line.contains("prefix list pl-61a54008 (line 65)"), "{seed_line}");
    assert!(seed_line.contains("amazon-ssm-ap-northeast-1"), "{seed_line}");
    assert!(seed_line.ends_with("run with --region ap-northeast-1"), "{seed_line}");
    assert!(!text.contains("PN101-no-route-to-s3.fail.yaml names"), "{text}");
    // and the analysis stays in us-east-1: the Tokyo prefix list is PN206
    assert!(text.contains("fixtures/seed-stack.yaml (us-east-1)"), "{text}");
    assert!(text.contains("PN206"), "{text}");

    let doc = json(&[SEED], &[]);
    let r = &doc["results"][0];
    assert_eq!(r["region"], "us-east-1");
    assert_eq!(r["region_source"], "default");
    assert_eq!(r["region_hint"]["region"], "ap-northeast-1");
    assert_eq!(r["region_hint"]["flag"], "--region ap-northeast-1");
    let kinds: Vec<&str> =
        r["region_hint"]["evidence"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["prefix list", "URL"]);
}

#[test]
fn a_region_from_the_flag_is_not_remarked_on() {
    let text = human(&[SEED, "--region", "us-east-1"], &[]);
    assert!(!text.contains(NOTICE), "{text}");
    assert!(!text.contains("names ap-northeast-1"), "{text}");
    let doc = json(&[SEED, "--region", "us-east-1"], &[]);
    assert_eq!(doc["results"][0]["region_source"], "flag");
    assert!(doc["results"][0].get("region_hint").is_none(), "{doc}");
    // the flag wins over the environment
    let doc = json(&[SEED, "--region", "us-east-1"], &[("AWS_REGION", "eu-west-1")]);
    assert_eq!(doc["results"][0]["region_source"], "flag");
    assert_eq!(doc["results"][0]["region"], "us-east-1");
}

#[test]
fn a_region_from_the_environment() {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        let doc = json(&[SEED], &[(var, "us-east-1")]);
        let r = &doc["results"][0];
        assert_eq!(r["region_source"], "environment", "{var}");
        assert_eq!(r["region"], "us-east-1");
        assert!(r.get("region_hint").is_none(), "{r}");
        let text = human(&[SEED], &[(var, "us-east-1")]);
        assert!(!text.contains(NOTICE), "{text}");
    }
}

#[test]
fn a_region_from_the_config_file() {
    let dir = common::scratch("region-source", "config");
    std::fs::write(dir.join(".privnet-lint.yaml"), "regions: [us-east-1]\n").unwrap();
    let seed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED)).unwrap();
    std::fs::write(dir.join("seed.yaml"), seed).unwrap();
    let out = bin().current_dir(&*dir).args(["seed.yaml", "--format", "json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][0]["region_source"], "config");
    assert!(doc["results"][0].get("region_hint").is_none());
    let out = bin().current_dir(&*dir).arg("seed.yaml").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(NOTICE), "{text}");
}

#[test]
fn values_of_several_regions_suggest_none() {
    // a template that works in both: its own values disagree, so nothing
    // points at one region
    let dir = common::scratch("region-source", "mixed");
    let text = "Resources:\n  A:\n    Type: AWS::EC2::Subnet\n    Properties:\n      AvailabilityZone: ap-northeast-1a\n      CidrBlock: 10.0.0.0/24\n      VpcId: vpc-1\n  B:\n    Type: AWS::EC2::Subnet\n    Properties:\n      AvailabilityZone: eu-west-1b\n      CidrBlock: 10.0.1.0/24\n      VpcId: vpc-1\n";
    std::fs::write(dir.join("mixed.yaml"), text).unwrap();
    let path = dir.join("mixed.yaml");
    let doc = json(&[path.to_str().unwrap()], &[]);
    assert_eq!(doc["results"][0]["region_source"], "default");
    assert!(doc["results"][0].get("region_hint").is_none(), "{doc}");
    // one zone name is enough for a hint
    std::fs::write(&path, text.replace("eu-west-1b", "ap-northeast-1c")).unwrap();
    let doc = json(&[path.to_str().unwrap()], &[]);
    let hint = &doc["results"][0]["region_hint"];
    assert_eq!(hint["region"], "ap-northeast-1");
    assert_eq!(hint["evidence"][1]["kind"], "Availability Zone");
    assert_eq!(hint["evidence"][1]["line"], 11);
}
