//! Every input the fuzzers ever stopped on (`fuzz/regressions/<target>/`),
//! replayed through the code the fuzz target runs (`privnet_lint::fuzzing`),
//! and the fixtures through the whole-pipeline target's checks.

use std::path::{Path, PathBuf};

use privnet_lint::fuzzing::{check_loader, check_manifest, check_pipeline};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

fn regressions(target: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    files(&dir)
        .into_iter()
        .filter_map(|p| {
            // the targets skip input that is not UTF-8; so does the replay
            let bytes = std::fs::read(&p).expect("readable");
            String::from_utf8(bytes).ok().map(|t| (p, t))
        })
        .collect()
}

#[test]
fn yaml_regressions() {
    for (p, text) in regressions("yaml") {
        eprintln!("{}", p.display());
        check_loader("fuzz.yaml", &text);
    }
}

#[test]
fn json_regressions() {
    for (p, text) in regressions("json") {
        eprintln!("{}", p.display());
        check_loader("fuzz.json", &text);
    }
}

#[test]
fn cdk_manifest_regressions() {
    let saved = regressions("cdk_manifest");
    assert!(!saved.is_empty(), "fuzz/regressions/cdk_manifest holds the saved inputs");
    // every saved input of every target is a manifest's text too
    let all: Vec<_> = ["yaml", "json", "pipeline", "cdk_manifest"].iter().flat_map(|t| regressions(t)).collect();
    for (p, text) in all {
        eprintln!("{}", p.display());
        check_manifest(&text);
    }
}

#[test]
fn pipeline_regressions() {
    let all: Vec<_> = ["yaml", "json", "pipeline"].iter().flat_map(|t| regressions(t)).collect();
    assert!(!all.is_empty(), "fuzz/regressions holds the saved inputs");
    for (p, text) in all {
        eprintln!("{}", p.display());
        check_pipeline(&text);
    }
}

/// The pipeline target's invariants (spans inside the text, valid JSON from
/// the JSON formats, no CR in GitHub annotations) hold on every fixture.
#[test]
fn fixtures_through_the_pipeline_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut n = 0;
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("walkable");
        let p = entry.path();
        if !p.is_file() || !p.extension().is_some_and(|e| e == "yaml" || e == "json" || e == "yml") {
            continue;
        }
        let text = std::fs::read_to_string(p).expect("fixtures are UTF-8");
        let name = if p.extension().is_some_and(|e| e == "json") { "fuzz.json" } else { "fuzz.yaml" };
        check_loader(name, &text);
        check_pipeline(&text);
        n += 1;
    }
    assert!(n > 50, "only {n} fixtures found");
}
