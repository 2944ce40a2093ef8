//! The real corpus (`../shared/corpus/real/`, or `$PRIVNET_LINT_CORPUS`;
//! 1,472 public templates): every file gets a result (findings or a clean
//! PN001) without a panic, file by file through the library and as one
//! folder through the binary. Skipped when the corpus is not there.

use std::path::{Path, PathBuf};

use privnet_lint::{Options, lint_text};

fn corpus() -> Option<PathBuf> {
    let p = match std::env::var_os("PRIVNET_LINT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real"),
    };
    p.is_dir().then_some(p)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["yaml", "yml", "json", "template"].contains(&e))
        {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_file_gets_a_result() {
    let Some(dir) = corpus() else {
        eprintln!("corpus not found; skipped");
        return;
    };
    let mut all = Vec::new();
    files(&dir, &mut all);
    assert!(all.len() > 1000, "{} files", all.len());
    let opts = Options::default();
    let mut parse_errors = 0;
    for p in &all {
        let bytes = std::fs::read(p).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        let results = lint_text(&p.display().to_string(), &text, &opts);
        assert_eq!(results.len(), 1, "{}", p.display());
        if results[0].findings.iter().any(|f| f.code.as_str() == "PN001") {
            parse_errors += 1;
        }
    }
    // most of the corpus parses; the broken ones are cfn-lint's bad fixtures
    assert!(parse_errors < 60, "{parse_errors} files did not parse");
}

/// Every span of every corpus file's tree and parse findings agrees with its
/// byte offset: the YAML loader takes lines and columns from the parser's
/// markers, and this checks them against the line index, file by file.
#[test]
fn every_corpus_span_agrees_with_its_offset() {
    let Some(dir) = corpus() else { return };
    let mut all = Vec::new();
    files(&dir, &mut all);
    for p in &all {
        let bytes = std::fs::read(p).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("template.yaml");
        privnet_lint::fuzzing::check_loader(name, &text);
    }
}

#[test]
fn the_corpus_as_one_folder_through_the_binary() {
    let Some(dir) = corpus() else { return };
    let out = assert_cmd::Command::cargo_bin("privnet-lint")
        .expect("binary")
        .arg(&dir)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert!(doc["results"].as_array().expect("results").len() > 1000);
}

/// Templates with `Fn::ForEach` under `Transform: AWS::LanguageExtensions`
/// (the `CloudFormation/fn-foreach-*` samples among them) are valid: no
/// error, and their loops are expanded (issue 12, item 5). A workload's
/// check may still fail (an instance the loop makes without an instance
/// profile has no Session Manager, whatever its subnet): those findings
/// are the checks' verdicts, not errors in the template.
#[test]
fn language_extensions_loops_in_the_corpus_get_no_error() {
    let Some(dir) = corpus() else { return };
    let mut all = Vec::new();
    files(&dir, &mut all);
    let loops: Vec<&PathBuf> = all
        .iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "cfn-lint-bad"))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("Fn::ForEach")))
        .collect();
    let samples = loops.iter().filter(|p| p.to_string_lossy().contains("CloudFormation/fn-foreach-")).count();
    assert!(samples >= 4, "the fn-foreach samples are in the corpus");
    for p in loops {
        let text = std::fs::read_to_string(p).expect("readable");
        let display = p.display().to_string();
        for r in lint_text(&display, &text, &Options::default()) {
            let verdicts: Vec<_> =
                r.workloads.iter().flat_map(|w| w.dnf.reasons.iter().chain(&w.ssm.reasons)).collect();
            let errors: Vec<_> = r
                .findings
                .iter()
                .filter(|f| f.severity() == privnet_lint::finding::Severity::Error && !verdicts.contains(&&f.code))
                .collect();
            assert!(errors.is_empty(), "{display}: {errors:#?}");
        }
    }
}
