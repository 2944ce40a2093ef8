//! `AWS::LanguageExtensions` through the real binary: instances made by a
//! `Fn::ForEach` loop get verdicts, and a finding on one of them points into
//! the loop body and names its iteration.

use serde_json::Value;

mod common;

const PASS: &str = "fixtures/language-extensions/instances-loop.pass.yaml";
const FAIL: &str = "fixtures/language-extensions/instances-loop.fail.yaml";

fn json(args: &[&str]) -> (Value, i32) {
    let out = common::bin().args(args).args(["--format", "json"]).output().expect("runs");
    (serde_json::from_slice(&out.stdout).expect("json"), out.status.code().unwrap_or(-1))
}

fn verdicts(doc: &Value) -> Vec<String> {
    doc["results"][0]["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .map(|w| {
            format!(
                "{} in {}: dnf {}, ssm {}",
                w["resource"].as_str().unwrap_or("?"),
                w["subnet"].as_str().unwrap_or("?"),
                w["checks"]["dnf"]["status"].as_str().unwrap_or("?"),
                w["checks"]["ssm"]["status"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn findings(doc: &Value) -> &Vec<Value> {
    doc["results"][0]["findings"].as_array().expect("findings")
}

/// The 1-based line of `text` holding `needle`.
fn line_in(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).expect("the line") as u64 + 1
}

fn line_of(path: &str, needle: &str) -> u64 {
    line_in(&std::fs::read_to_string(path).expect("fixture"), needle)
}

#[test]
fn instances_made_by_a_loop_get_verdicts() {
    let (doc, code) = json(&[PASS]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        verdicts(&doc),
        [
            "WebInstance in SubnetA: dnf reachable, ssm reachable",
            "WorkerInstance in SubnetB: dnf reachable, ssm reachable"
        ]
    );
    assert!(findings(&doc).is_empty(), "{:#?}", findings(&doc));
}

#[test]
fn a_finding_on_a_made_instance_points_into_the_loop_and_names_the_iteration() {
    let (doc, code) = json(&[FAIL]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&doc),
        [
            "WebInstance in SubnetA: dnf reachable, ssm reachable",
            "WorkerInstance in SubnetB: dnf reachable, ssm unreachable"
        ]
    );
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["code"], "PN501");
    assert_eq!(f[0]["resource"], "WorkerInstance");
    assert_eq!(f[0]["location"]["line"], line_of(FAIL, "- ${App}Instance:"));
    let message = f[0]["message"].as_str().expect("message");
    assert!(message.contains("WorkerInstance (Fn::ForEach::Instances, Worker)"), "{message}");

    // the concise format shows the same place and iteration
    let out = common::bin().args([FAIL, "--format", "concise"]).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let at = format!(
        "{FAIL}:{}:7: PN501 [error] Session Manager cannot reach WorkerInstance (Fn::ForEach::Instances, Worker)",
        line_of(FAIL, "- ${App}Instance:")
    );
    assert!(text.contains(&at), "{text}");
}

#[test]
fn the_collection_follows_the_parameter_values() {
    let (doc, code) = json(&[PASS, "--parameter", "Apps=Worker"]);
    assert_eq!(code, 0);
    assert_eq!(verdicts(&doc), ["WorkerInstance in SubnetB: dnf reachable, ssm reachable"]);
}

#[test]
fn a_collection_without_a_value_is_a_note_never_an_error() {
    let dir = common::scratch("language-extensions", "no-value");
    let text = std::fs::read_to_string(PASS).expect("fixture").replace("    Default: Web,Worker\n", "");
    let path = dir.join("loop.yaml");
    std::fs::write(&path, &text).expect("write");
    let (doc, code) = json(&[path.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(verdicts(&doc).is_empty());
    let notes: Vec<&Value> = findings(&doc).iter().filter(|f| f["code"] == "PN005").collect();
    assert_eq!(notes.len(), 2, "the instances and the outputs loop: {notes:#?}");
    assert_eq!(notes[0]["location"]["line"], line_in(&text, "    - !Ref Apps"));
    let message = notes[0]["message"].as_str().expect("message");
    assert!(message.contains("`Fn::ForEach::Instances`"), "{message}");
    assert!(message.contains("parameter `Apps` (CommaDelimitedList) has no value"), "{message}");
    assert!(message.contains("the resources it makes are not analyzed"), "{message}");
    assert!(findings(&doc).iter().all(|f| f["severity"] == "note"), "{doc:#}");
}

#[test]
fn without_the_transform_a_loop_is_an_error() {
    let dir = common::scratch("language-extensions", "no-transform");
    let text = std::fs::read_to_string(PASS).expect("fixture").replace("Transform: AWS::LanguageExtensions\n", "");
    let path = dir.join("loop.yaml");
    std::fs::write(&path, text).expect("write");
    let (doc, code) = json(&[path.to_str().expect("utf-8")]);
    assert_eq!(code, 1);
    let pn008: Vec<&Value> = findings(&doc).iter().filter(|f| f["code"] == "PN008").collect();
    assert_eq!(pn008.len(), 5, "one per loop: {pn008:#?}");
    assert!(pn008[0]["message"].as_str().unwrap_or("").contains("does not declare"), "{pn008:#?}");
}
