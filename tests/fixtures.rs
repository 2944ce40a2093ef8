//! Every rule page has a fixture pair, and each pair behaves: the `.fail`
//! file makes exactly that rule fire on the lines marked `# expect: CODE`
//! (other findings may only be notes), the `.pass` file (the fix applied)
//! has no finding of that rule and no error at all. A fixture may name the
//! account state it is linted against (`# account-state: fixtures/state/…`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use privnet_lint::Options;
use privnet_lint::finding::{Code, PAGES, Severity};
use privnet_lint::lint::{FileResult, Input, lint_inputs};
use privnet_lint::state::AccountState;

struct Fixture {
    text: String,
    opts: Options,
    /// Templates linted in the same run (`# with: PATH`), after the fixture.
    with: Vec<String>,
}

fn load(path: &Path) -> Fixture {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut opts = Options::default();
    let mut with = Vec::new();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(r) = line.strip_prefix("# region:") {
            opts.regions = vec![r.trim().to_string()];
        }
        if let Some(p) = line.strip_prefix("# parameter:")
            && let Some((k, v)) = p.trim().split_once('=')
        {
            opts.parameters.insert(k.to_string(), v.to_string());
        }
        if let Some(p) = line.strip_prefix("# with:") {
            with.push(p.trim().to_string());
        }
        if let Some(s) = line.strip_prefix("# account-state:") {
            let state = AccountState::load(&[PathBuf::from(s.trim())], &opts.regions)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            opts.account_state = Some(Arc::new(state));
        }
    }
    Fixture { text, opts, with }
}

/// Lints the fixture (first) with the templates it names in `# with:`.
fn lint(display: &str, f: &Fixture) -> Vec<FileResult> {
    let mut inputs = vec![Input::named(display, f.text.clone())];
    for w in &f.with {
        let text = std::fs::read_to_string(w).unwrap_or_else(|e| panic!("{w}: {e}"));
        inputs.push(Input::named(w.clone(), text));
    }
    lint_inputs(&inputs, &f.opts)
}

fn expected_lines(text: &str, code: &str) -> BTreeSet<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.split('#').skip(1).any(|c| c.trim() == format!("expect: {code}")))
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

fn fixture_path(code: Code, kind: &str) -> std::path::PathBuf {
    Path::new("fixtures/rules").join(format!("{}-{}.{kind}.yaml", code.as_str(), code.name()))
}

#[test]
fn every_rule_fires_on_its_fail_fixture_at_the_marked_lines() {
    let mut problems = Vec::new();
    for page in PAGES {
        let path = fixture_path(page.code, "fail");
        let f = load(&path);
        let display = path.display().to_string();
        let results = lint(&display, &f);
        let findings = &results[0].findings;
        let want = expected_lines(&f.text, page.id);
        let got: BTreeSet<u32> =
            findings.iter().filter(|x| x.code == page.code).filter_map(|x| x.span.map(|s| s.start.line)).collect();
        if want.is_empty() {
            problems.push(format!("{display}: no `# expect: {}` line", page.id));
        }
        if got != want {
            problems.push(format!("{display}: {} expected on lines {want:?}, found on {got:?}", page.id));
        }
        for other in findings.iter().filter(|x| x.code != page.code && x.severity() != Severity::Note) {
            problems.push(format!(
                "{display}: unexpected {} at line {:?}: {}",
                other.code,
                other.span.map(|s| s.start.line),
                other.message
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_is_quiet_on_its_pass_fixture() {
    let mut problems = Vec::new();
    for page in PAGES {
        let path = fixture_path(page.code, "pass");
        let f = load(&path);
        let display = path.display().to_string();
        let results = lint(&display, &f);
        for x in &results[0].findings {
            if x.code == page.code || x.severity() == Severity::Error {
                problems.push(format!(
                    "{display}: {} at line {:?}: {}",
                    x.code,
                    x.span.map(|s| s.start.line),
                    x.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    for entry in std::fs::read_dir("fixtures/rules").expect("fixtures/rules exists") {
        let name = entry.expect("entry").file_name().to_string_lossy().to_string();
        let stem = name.trim_end_matches(".fail.yaml").trim_end_matches(".pass.yaml");
        let code = Code::lookup(&stem[..5.min(stem.len())]).unwrap_or_else(|| panic!("{name}: no rule"));
        assert_eq!(stem, format!("{}-{}", code.as_str(), code.name()), "{name}: name does not match its rule page");
    }
}

#[test]
fn every_code_used_in_src_has_a_page() {
    // The enum is generated from rules/*.md, so a code without a page does
    // not compile; this also catches codes written as strings.
    let mut missing = Vec::new();
    let mut stack = vec![std::path::PathBuf::from("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("readable src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for (i, _) in text.match_indices("PN") {
                // `get`: "VPN, …" puts a multi-byte character within reach
                let Some(code) = text.get(i..(i + 5).min(text.len())) else { continue };
                if code.len() == 5 && code[2..].bytes().all(|b| b.is_ascii_digit()) && Code::lookup(code).is_none() {
                    missing.push(format!("{}: {code}", p.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "codes without a page: {missing:?}");
}
