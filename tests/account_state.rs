//! `--account-state` and `account-state:` through the binary: the state is
//! read once per run (check, trace, graph); a state that cannot be used is
//! exit 2 with one line naming the file and a JSON Pointer (never a value);
//! a run without state is unchanged.

use std::path::{Path, PathBuf};

mod common;
use common::bin;

const SEED: &str = "fixtures/seed-stack.yaml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn state(name: &str) -> PathBuf {
    root().join("fixtures/state").join(name)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Every malformed state: exit 2, one line, the file, where in it, and none
/// of its values.
#[test]
fn malformed_states_are_exit_2_with_file_and_pointer() {
    let cases: &[(&str, &[&str])] = &[
        ("not-json", &["not-json/subnets.json:7:5: not valid JSON"]),
        ("wrong-shape", &["wrong-shape/subnets.json: `/Subnets/1/MapPublicIpOnLaunch` has the wrong type"]),
        ("next-token", &["next-token/subnets.json: truncated page", "rerun without --max-items"]),
        (
            "disagree",
            &[
                "disagree/a-subnets.json at /Subnets/0 and ",
                "disagree/b-subnets.json at /Subnets/0 disagree about `subnet-0a1b2c3d4e5f67890`",
            ],
        ),
        ("entries-without-id", &["entries-without-id/corp-ranges.json: `Entries`", "<pl-id>.json"]),
    ];
    for (case, expected) in cases {
        let path = state(&format!("malformed/{case}"));
        for sub in [&["check"][..], &[]] {
            let out = bin().args(sub).arg(SEED).arg("--account-state").arg(&path).output().unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{case}: {err}");
            assert!(out.stdout.is_empty(), "{case}: no report");
            assert_eq!(err.lines().count(), 1, "{case}: {err}");
            assert!(err.starts_with("privnet-lint: error: account state: "), "{case}: {err}");
            for e in *expected {
                assert!(err.contains(e), "{case}: `{e}` not in {err}");
            }
            for secret in ["123456789012", "eyJ", "arn:aws"] {
                assert!(!err.contains(secret), "{case}: echoes `{secret}`: {err}");
            }
        }
    }
    let out = bin().arg(SEED).args(["--account-state", "no/such/state"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/state: no such file or folder"), "{}", stderr(&out));
}

/// trace and graph read the state too.
#[test]
fn trace_and_graph_read_the_state() {
    let bad = state("malformed/wrong-shape");
    let trace = bin()
        .args(["trace", SEED, "--from", "MyEC2Instance", "--to", "s3", "--region", "ap-northeast-1"])
        .arg("--account-state")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(trace.status.code(), Some(2), "{}", stderr(&trace));
    assert!(stderr(&trace).contains("/Subnets/1/MapPublicIpOnLaunch"));
    let graph = bin().args(["graph", SEED]).arg("--account-state").arg(&bad).output().unwrap();
    assert_eq!(graph.status.code(), Some(2), "{}", stderr(&graph));
    let good = state("private-subnet");
    let trace = bin()
        .args(["trace", SEED, "--from", "MyEC2Instance", "--to", "s3", "--region", "ap-northeast-1"])
        .arg("--account-state")
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(trace.status.code(), Some(0), "{}", stderr(&trace));
    let graph = bin().args(["graph", SEED]).arg("--account-state").arg(&good).output().unwrap();
    assert_eq!(graph.status.code(), Some(0), "{}", stderr(&graph));
}

/// The hops of every path of every workload of a JSON report.
fn every_hop(doc: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut out = Vec::new();
    for r in doc["results"].as_array().into_iter().flatten() {
        for w in r["workloads"].as_array().into_iter().flatten() {
            for c in w["checks"].as_object().into_iter().flat_map(|m| m.values()) {
                for p in c["paths"].as_array().into_iter().flatten() {
                    out.extend(p["hops"].as_array().into_iter().flatten());
                }
            }
        }
    }
    out
}

/// A template that names no deployed resource gets the same verdicts and
/// findings with or without a valid state (the seed hard-codes no ID the
/// states hold): only the account's own settings, which apply to every VPC
/// of the region, show on its paths with where they were read; a run
/// without it is the same run as before.
#[test]
fn a_state_that_the_template_does_not_name_changes_nothing() {
    let run = |extra: &[&std::ffi::OsStr]| {
        let out = bin().args([SEED, "--region", "ap-northeast-1", "--format", "json"]).args(extra).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string(), stderr(&out))
    };
    let (code, plain, err) = run(&[]);
    assert!(err.is_empty(), "{err}");
    let with = state("private-subnet");
    let region_folder = state("region-folder");
    let (code2, stated, err2) =
        run(&["--account-state".as_ref(), with.as_os_str(), "--account-state".as_ref(), region_folder.as_os_str()]);
    assert_eq!(code, code2, "{err2}");
    let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
    let stated: serde_json::Value = serde_json::from_str(&stated).unwrap();
    assert_eq!(plain["results"][0]["findings"], stated["results"][0]["findings"]);
    let (before, after) = (every_hop(&plain), every_hop(&stated));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b["kind"], &b["verdict"]), (&a["kind"], &a["verdict"]));
        if a.get("state").is_some() {
            // the account's Session Manager preferences, read from the state
            assert_eq!(a["kind"], "session-preferences", "no deployed resource is reported: {a:#}");
            assert!(a["detail"].as_str().unwrap().contains("turn on no KMS encryption and no session logging"));
            assert!(a["state"]["file"].as_str().unwrap().ends_with("private-subnet/session-preferences.json"));
        } else {
            assert_eq!(b, a);
        }
    }
    assert!(after.iter().any(|h| h.get("state").is_some()), "the preferences apply to every VPC");
    assert!(err2.is_empty(), "one region analyzed: no note: {err2}");
}

/// Files outside region folders apply to every analyzed region: said once.
#[test]
fn several_regions_get_one_note_about_unscoped_files() {
    let out = bin()
        .args([SEED, "--region", "us-east-1,eu-west-1", "-q", "--format", "concise"])
        .arg("--account-state")
        .arg(state("private-subnet"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(err.matches("privnet-lint: note: account state outside a region folder").count(), 1, "{err}");
    // a region folder and global IAM need no note
    let out = bin()
        .args([SEED, "--region", "us-east-1,eu-west-1", "-q", "--format", "concise"])
        .arg("--account-state")
        .arg(state("region-folder"))
        .output()
        .unwrap();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// `account-state:` in the config file: one path or a list, relative to the
/// config's folder; `--account-state` replaces it.
#[test]
fn config_key_relative_to_the_config_folder() {
    let dir = common::scratch("account-state", "config");
    std::fs::create_dir_all(dir.join("states/eu-west-1")).unwrap();
    std::fs::copy(root().join(SEED), dir.join("seed.yaml")).unwrap();
    std::fs::copy(state("malformed/wrong-shape/subnets.json"), dir.join("states/eu-west-1/subnets.json")).unwrap();
    std::fs::write(dir.join(".privnet-lint.yaml"), "regions: [eu-west-1]\naccount-state: states\n").unwrap();
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let out = bin().current_dir(&sub).arg("../seed.yaml").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("states/eu-west-1/subnets.json: `/Subnets/1/MapPublicIpOnLaunch`"),
        "{}",
        stderr(&out)
    );
    // the file is in a region folder: a run for another region does not read it
    let out = bin().current_dir(&sub).args(["../seed.yaml", "--region", "us-east-1"]).output().unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    // the command line's paths replace the config's
    let out = bin()
        .current_dir(&sub)
        .arg("../seed.yaml")
        .arg("--account-state")
        .arg(state("private-subnet"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    // a list
    std::fs::write(dir.join(".privnet-lint.yaml"), "regions: [eu-west-1]\naccount-state: [missing, states]\n").unwrap();
    let out = bin().current_dir(&*dir).arg("seed.yaml").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing: no such file or folder"), "{}", stderr(&out));
}
