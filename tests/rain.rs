//! Rain modules (issue 13): `!Rain::Module` and the `Modules:` section
//! expanded from local files as `rain pkg` does, on fixtures/rain and on the
//! corpus's Solutions templates, whose packaged `-pkg` versions must get the
//! same verdicts.

mod common;

use common::bin;
use serde_json::Value;

fn run(dir: &str, args: &[&str]) -> (Value, i32) {
    let out = bin().current_dir(dir).args(args).args(["--format", "json"]).output().unwrap();
    (serde_json::from_slice(&out.stdout).expect("json"), out.status.code().unwrap_or(-1))
}

/// (workload, dnf, ssm) of every result.
fn verdicts(doc: &Value) -> Vec<(String, String, String)> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["workloads"].as_array().unwrap())
        .map(|w| {
            (
                w["resource"].as_str().unwrap().to_string(),
                w["checks"]["dnf"]["status"].as_str().unwrap().to_string(),
                w["checks"]["ssm"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Codes of the findings at warning or error.
fn alarms(doc: &Value) -> Vec<String> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .filter(|f| f["severity"] != "note")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn v(w: &str, dnf: &str, ssm: &str) -> (String, String, String) {
    (w.to_string(), dnf.to_string(), ssm.to_string())
}

#[test]
fn a_module_makes_the_network_the_instance_runs_in() {
    let (doc, code) = run(".", &["fixtures/rain/private-instance.pass.yaml"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(verdicts(&doc), vec![v("Instance", "reachable", "reachable")]);
    assert!(alarms(&doc).is_empty(), "{doc}");
    let w = &doc["results"][0]["workloads"][0];
    assert_eq!(w["subnet"], "NetworkSubnet");
    assert_eq!(w["checks"]["dnf"]["paths"][0]["via"], "NetworkS3Endpoint");
}

#[test]
fn the_modules_section_is_expanded_too() {
    let (doc, code) = run(".", &["fixtures/rain/modules-section.pass.yaml"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(verdicts(&doc), vec![v("Instance", "reachable", "reachable")]);
}

#[test]
fn an_override_changes_the_module_resource() {
    let (doc, code) = run(".", &["fixtures/rain/private-instance.fail.yaml"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(verdicts(&doc), vec![v("Instance", "unreachable", "reachable")]);
    let f = &doc["results"][0]["findings"][0];
    assert_eq!(f["code"], "PN102", "{doc}");
    assert_eq!(f["resource"], "NetworkS3Endpoint");
    // the finding names the module that made the endpoint
    assert!(f["message"].as_str().unwrap().contains("Rain::Module Network, modules/private-vpc.yaml"), "{f}");
}

#[test]
fn a_module_on_a_url_stays_unknown() {
    let (doc, code) = run(".", &["fixtures/rain/url-module.yaml"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(verdicts(&doc), vec![v("Instance", "unknown", "unknown")]);
    let notes: Vec<&str> =
        doc["results"][0]["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(notes.iter().any(|m| m.contains("https://example.com/modules/private-vpc.yaml")), "{notes:?}");
}

#[test]
fn corpus_templates_with_modules_get_the_verdicts_of_their_packaged_versions() {
    let corpus = "../shared/corpus/real";
    if !std::path::Path::new(corpus).join("aws-cloudformation-templates/RainModules").is_dir() {
        eprintln!("the corpus is not there: skipped");
        return;
    }
    for name in ["GitLab/GitLabServer", "Gitea/Gitea", "VSCode/VSCodeServer"] {
        let source = format!("aws-cloudformation-templates/Solutions/{name}.yaml");
        let packaged = format!("aws-cloudformation-templates/Solutions/{name}-pkg.yaml");
        // run from the corpus root: the project root holds RainModules/
        let (with_modules, _) = run(corpus, &[&source]);
        let (pkg, _) = run(corpus, &[&packaged]);
        assert!(!verdicts(&pkg).is_empty(), "{name}: {pkg}");
        assert_eq!(verdicts(&with_modules), verdicts(&pkg), "{name}: {with_modules}");
        assert!(verdicts(&with_modules).iter().all(|(_, d, s)| d != "unknown" && s != "unknown"), "{name}");
        let mut new: Vec<String> = alarms(&with_modules);
        for a in alarms(&pkg) {
            if let Some(i) = new.iter().position(|x| *x == a) {
                new.remove(i);
            }
        }
        assert!(new.is_empty(), "{name}: alarms the packaged template does not have: {new:?}");
    }
}
