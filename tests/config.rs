//! The configuration file (`.privnet-lint.yaml`, found upward or given with
//! `--config`) and template-metadata suppression, end to end through the
//! binary: every key works, the command line wins, mistakes are exit 2 with
//! their `file:line:col`, and a stale suppression gets a PN007 note.

use std::path::Path;

mod common;
use common::bin;

fn scratch(name: &str) -> common::Scratch {
    common::scratch("config", name)
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).expect("fixture")
}

const SEED: &str = "fixtures/seed-stack.yaml";
const PN101: &str = "fixtures/rules/PN101-no-route-to-s3.fail.yaml";

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn found_upward_and_overridden_by_the_command_line() {
    let dir = scratch("upward");
    write(&dir, ".privnet-lint.yaml", "regions: [ap-northeast-1]\nfail-on: note\nformat: json\n");
    write(&dir, "stacks/app/seed.yaml", &fixture(SEED));
    let deep = dir.join("stacks/app");
    let out = bin().current_dir(&deep).arg("seed.yaml").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "fail-on: note and the seed's note");
    let doc = json(&out);
    assert_eq!(doc["results"][0]["region"], "ap-northeast-1");
    // each option on the command line wins over its key
    let out =
        bin().current_dir(&deep).args(["seed.yaml", "--fail-on", "never", "--region", "eu-west-1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["results"][0]["region"], "eu-west-1");
    let out = bin().current_dir(&deep).args(["seed.yaml", "--format", "concise"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("seed.yaml:34:3: PN204"));
    // --no-config: the defaults (us-east-1, human, fail on errors: PN206)
    let out = bin().current_dir(&deep).args(["seed.yaml", "--no-config"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(us-east-1)"));
}

#[test]
fn explicit_config_and_every_key() {
    let dir = scratch("keys");
    write(&dir, "t/seed.yaml", &fixture(SEED));
    write(
        &dir,
        "conf/privnet.yaml",
        "# every option\nformat: concise\noutput: ../report.txt\nregion: us-east-1\nselect: [PN204, PN206, PN407]\n\
         ignore: [prefix-list-wrong-region]\nfail-on: warning\nno-color: true\nquiet: true\n",
    );
    let out = bin().current_dir(&*dir).args(["t/seed.yaml", "--config", "conf/privnet.yaml"]).output().unwrap();
    // PN206 (the error) is ignored, PN407 (a warning) fails the run
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "output: goes to the file, relative to the config's folder");
    let report = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    let codes: Vec<&str> = report.lines().filter_map(|l| l.split(' ').nth(1)).collect();
    assert_eq!(codes, vec!["PN204", "PN407"], "{report}");
}

#[test]
fn mistakes_are_exit_2_with_their_location() {
    let dir = scratch("mistakes");
    write(&dir, "seed.yaml", &fixture(SEED));
    let cases: &[(&str, &str)] = &[
        ("regions: [us-east-1]\nfail_on: error\n", ":2:1: unknown key `fail_on`; did you mean `fail-on`?"),
        ("format: xml\n", ":1:9: `format: xml`: expected one of human, concise, json, github, sarif, markdown"),
        ("regions:\n  - us-east-1\n  - Tokyo\n", ":3:5: `Tokyo` is not a region name"),
        ("ignore: [PN204, PN999]\n", ":1:17: `ignore`: no rule `PN999`"),
        ("fail-on: sometimes\n", ":1:10: `fail-on: sometimes`"),
        ("quiet: maybe\n", ":1:8: `quiet` must be true or false"),
        ("exclude: ['[']\n", ":1:11: `exclude`: `[` is not a valid glob"),
        ("parameters: [a]\n", ":1:13: `parameters` must map"),
        ("parameters-file: missing.json\n", ":1:18: cannot read parameters file"),
        ("quiet: true\nquiet: false\n", ":2:1:"),
        ("regions: [us-east-1\n", "config .privnet-lint.yaml:"),
        ("- a list\n", ":1:1: the config file must be a mapping"),
    ];
    for (text, expected) in cases {
        write(&dir, ".privnet-lint.yaml", text);
        let out = bin().current_dir(&*dir).arg("seed.yaml").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{text}: {stderr}");
        assert!(stderr.starts_with("privnet-lint: error: config .privnet-lint.yaml"), "{text}: {stderr}");
        assert!(stderr.contains(expected), "{text}: `{expected}` not in {stderr}");
    }
}

#[test]
fn exclude_globs_skip_files_and_folders() {
    let dir = scratch("exclude");
    let seed = fixture(SEED);
    for f in ["a.yaml", "vendor/b.yaml", "deep/vendor/c.yaml", "legacy/d.yaml", "legacy/keep/e.yaml", "x.json"] {
        write(&dir, f, &seed);
    }
    std::fs::remove_file(dir.join("x.json")).unwrap();
    write(
        &dir,
        ".privnet-lint.yaml",
        "exclude:\n  - vendor\n  - legacy/*.yaml\nregions: [ap-northeast-1]\nformat: json\n",
    );
    let paths = |out: &std::process::Output| -> Vec<String> {
        let doc = json(out);
        let mut p: Vec<String> =
            doc["results"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap().to_string()).collect();
        p.sort();
        p
    };
    let out = bin().current_dir(&*dir).arg(".").output().unwrap();
    assert_eq!(paths(&out), vec!["./a.yaml", "./legacy/keep/e.yaml"]);
    // a file named explicitly (as pre-commit does) is excluded too
    let out = bin().current_dir(&*dir).args(["a.yaml", "vendor/b.yaml", "legacy/d.yaml"]).output().unwrap();
    assert_eq!(paths(&out), vec!["a.yaml"]);
    // from a sub-folder, globs stay relative to the config file
    let out = bin().current_dir(dir.join("legacy")).args(["d.yaml", "keep/e.yaml"]).output().unwrap();
    assert_eq!(paths(&out), vec!["keep/e.yaml"]);
}

/// A template whose subnet is a parameter without default: the checks are
/// unknown (PN005) until a value is given.
const PARAMETRIC: &str = "Parameters:\n  Subnet:\n    Type: AWS::EC2::Subnet::Id\n  Env:\n    Type: String\n    Default: dev\n\
Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: !Ref Subnet\n      Tags: [{Key: env, Value: !Ref Env}]\n";

#[test]
fn parameters_per_file_glob_and_the_command_line_wins() {
    let dir = scratch("params");
    write(&dir, "prod/app.yaml", PARAMETRIC);
    write(&dir, "dev/app.yaml", PARAMETRIC);
    write(&dir, "p.json", r#"{"Parameters": {"Subnet": "subnet-0fedcba9876543210"}}"#);
    write(
        &dir,
        ".privnet-lint.yaml",
        "format: json\nparameters:\n  Env: staging\n  \"prod/*.yaml\":\n    Subnet: subnet-0123456789abcdef0\n",
    );
    // what decides the checks: the config's subnet (outside the template) or none
    let why = |doc: &serde_json::Value, path: &str| -> String {
        let r = doc["results"].as_array().unwrap().iter().find(|r| r["path"] == path).expect(path);
        let f = r["findings"].as_array().unwrap().iter().find(|f| f["code"] == "PN005").expect("PN005");
        f["message"].as_str().unwrap().to_string()
    };
    let out = bin().current_dir(&*dir).args(["prod/app.yaml", "dev/app.yaml"]).output().unwrap();
    let doc = json(&out);
    assert!(why(&doc, "prod/app.yaml").contains("`subnet-0123456789abcdef0` is outside the template"), "{doc}");
    assert!(why(&doc, "dev/app.yaml").contains("parameter `Subnet`"), "{doc}");
    // --parameters-file and -p win over the config, for every file
    let out = bin()
        .current_dir(&*dir)
        .args(["prod/app.yaml", "dev/app.yaml", "--parameters-file", "p.json"])
        .output()
        .unwrap();
    let doc = json(&out);
    assert!(why(&doc, "prod/app.yaml").contains("`subnet-0fedcba9876543210`"), "{doc}");
    assert!(why(&doc, "dev/app.yaml").contains("`subnet-0fedcba9876543210`"), "{doc}");
    let out = bin()
        .current_dir(&*dir)
        .args(["prod/app.yaml", "--parameters-file", "p.json", "-p", "Subnet=subnet-0aaabbbb"])
        .output()
        .unwrap();
    assert!(why(&json(&out), "prod/app.yaml").contains("`subnet-0aaabbbb`"));
}

// --- suppression through template metadata (SPEC §1) -------------------------

fn lint_text(dir: &Path, name: &str, text: &str, extra: &[&str]) -> (i32, String) {
    write(dir, name, text);
    let out = bin().current_dir(dir).args([name, "--format", "concise", "--no-config"]).args(extra).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

const ROUTE_TABLE: &str = "  PrivateRouteTable: # expect: PN101\n    Type: AWS::EC2::RouteTable\n";

#[test]
fn resource_metadata_silences_its_own_findings() {
    let dir = scratch("suppress-resource");
    let base = fixture(PN101);
    assert!(base.contains(ROUTE_TABLE));
    let (code, out) = lint_text(&dir, "base.yaml", &base, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("PN101"));
    let silenced = base
        .replace(ROUTE_TABLE, &format!("{ROUTE_TABLE}    Metadata:\n      privnet-lint:\n        ignore: [PN101]\n"));
    let (code, out) = lint_text(&dir, "resource.yaml", &silenced, &["--fail-on", "note"]);
    assert_eq!((code, out.as_str()), (0, ""), "silenced, and no PN007 since it was used");
    // on another resource it silences nothing: PN101 stays, PN007 says so
    let elsewhere = base.replace(
        "  PrivateSubnet:\n    Type: AWS::EC2::Subnet\n",
        "  PrivateSubnet:\n    Type: AWS::EC2::Subnet\n    Metadata:\n      privnet-lint:\n        ignore: [PN101]\n",
    );
    let (code, out) = lint_text(&dir, "elsewhere.yaml", &elsewhere, &[]);
    assert_eq!(code, 1);
    assert!(out.contains(": PN101 [error]"), "{out}");
    assert!(
        out.contains("elsewhere.yaml:17:18: PN007 [note] `ignore: PN101` on PrivateSubnet suppresses nothing"),
        "{out}"
    );
}

#[test]
fn template_metadata_silences_the_whole_file() {
    let dir = scratch("suppress-template");
    let base = fixture(PN101);
    let text = base.replace("Resources:\n", "Metadata:\n  privnet-lint:\n    ignore: [no-route-to-s3]\nResources:\n");
    let (code, out) = lint_text(&dir, "t.yaml", &text, &["--fail-on", "note"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // a stale or misspelt entry is a note, not an error
    let text =
        base.replace("Resources:\n", "Metadata:\n  privnet-lint:\n    ignore: [PN101, PN203, PN99]\nResources:\n");
    let (code, out) = lint_text(&dir, "stale.yaml", &text, &[]);
    assert_eq!(code, 0, "notes do not fail the run by default: {out}");
    assert!(out.contains("`ignore: PN203` suppresses nothing in this file"), "{out}");
    assert!(out.contains("`PN99` in `privnet-lint: ignore` names no rule"), "{out}");
    let (code, _) = lint_text(&dir, "stale.yaml", &text, &["--fail-on", "note"]);
    assert_eq!(code, 1);
    // and PN007 itself can be ignored on the command line
    let (code, out) = lint_text(&dir, "stale.yaml", &text, &["--fail-on", "note", "--ignore", "PN007"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn the_pn007_fixture_fires() {
    let out = bin()
        .args(["fixtures/rules/PN007-unused-suppression.fail.yaml", "--format", "concise", "--fail-on", "note"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("PN007 [note]"));
}

#[test]
fn the_example_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/.privnet-lint.yaml");
    let c = privnet_lint::config::load(&path, Path::new("/")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.regions.len(), 2);
    assert_eq!(c.exclude.len(), 2);
    // every key the file documents (commented or not) is a known key
    let text = std::fs::read_to_string(&path).unwrap();
    for line in text.lines().map(|l| l.trim_start_matches("# ")) {
        let Some((key, _)) = line.split_once(": ") else { continue };
        if key.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            assert!(
                privnet_lint::config::KEYS.contains(&key),
                "examples/.privnet-lint.yaml documents unknown key `{key}`"
            );
        }
    }
}

#[test]
fn trace_and_graph_read_the_config_too() {
    let dir = scratch("trace");
    write(&dir, "seed.yaml", &fixture(SEED));
    write(&dir, ".privnet-lint.yaml", "regions: [ap-northeast-1, us-east-1]\n");
    let trace = ["trace", "seed.yaml", "--from", "MyEC2Instance", "--to", "s3"];
    // the config's first region: the seed's own, where dnf works
    let out = bin().current_dir(&*dir).args(trace).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(ap-northeast-1)"));
    bin().current_dir(&*dir).args(trace).arg("--no-config").assert().code(1);
    bin().current_dir(&*dir).args(trace).args(["--region", "us-east-1"]).assert().code(1);
    bin().current_dir(&*dir).args(["graph", "seed.yaml", "--format", "mermaid"]).assert().code(0);
    write(&dir, ".privnet-lint.yaml", "regions: nowhere\n");
    let out = bin().current_dir(&*dir).args(["graph", "seed.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("config .privnet-lint.yaml:1:10:"));
}
