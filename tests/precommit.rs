//! The pre-commit hooks, for real (tests/precommit.sh): pre-commit from
//! PyPI, `pre-commit try-repo` against this checkout, a broken template
//! fails both hooks and a fixed one passes. Skipped, with a message, only
//! when python3 or PyPI is not available.

use std::path::{Path, PathBuf};
use std::process::Command;

use privnet_lint::source::{self, Node};

/// The hooks of .pre-commit-hooks.yaml, read with privnet-lint's own loader.
fn hooks() -> Vec<Node> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")).unwrap();
    let doc = source::parse(Some(".pre-commit-hooks.yaml"), &text);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    doc.root.and_then(|r| r.as_seq().map(<[Node]>::to_vec)).expect("a list of hooks")
}

#[test]
fn hooks_are_declared_as_documented() {
    let hooks = hooks();
    let field = |h: &Node, k: &str| h.get(k).and_then(Node::scalar_text).unwrap_or_default();
    let ids: Vec<String> = hooks.iter().map(|h| field(h, "id")).collect();
    assert_eq!(ids, ["privnet-lint", "privnet-lint-system"]);
    assert_eq!(field(&hooks[0], "language"), "rust");
    assert_eq!(field(&hooks[1], "language"), "system");
    for h in &hooks {
        assert!(field(h, "entry").starts_with("privnet-lint --skip-non-templates"), "{}", field(h, "id"));
        assert_eq!(field(h, "require_serial"), "true", "templates are linted together");
        for k in ["name", "description", "files"] {
            assert!(!field(h, k).is_empty(), "{}: {k}", field(h, "id"));
        }
    }
    // the example config names only hooks that exist
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pre-commit-config.yaml")).unwrap();
    for line in example.lines().map(str::trim).filter(|l| l.starts_with("- id:") || l.starts_with("# - id:")) {
        let id = line.rsplit("id:").next().unwrap().split('#').next().unwrap().trim();
        assert!(ids.iter().any(|i| i == id), "examples/pre-commit-config.yaml names hook `{id}`");
    }
}

#[test]
fn pre_commit_hooks_fail_the_broken_template_and_pass_the_fixed_one() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let started = std::time::Instant::now();
    let out = Command::new("bash")
        .arg(crate_dir.join("tests/precommit.sh"))
        .arg(crate_dir)
        .arg(tmp.join("precommit"))
        // the hook's `cargo install` builds here, outside the checkout, and
        // keeps its dependencies between runs (shared with tests/action.rs)
        .env("CARGO_TARGET_DIR", tmp.join("install-target"))
        .env_remove("CARGO_BUILD_TARGET_DIR")
        // what the `language: system` hook finds on PATH
        .env("PRIVNET_LINT_BIN", env!("CARGO_BIN_EXE_privnet-lint"))
        .output()
        .expect("bash runs tests/precommit.sh");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    match out.status.code() {
        Some(0) => eprintln!("{log}pre-commit test: {:.0}s", started.elapsed().as_secs_f64()),
        Some(77) => eprintln!("pre-commit test skipped:\n{log}"),
        code => panic!("tests/precommit.sh exited with {code:?}:\n{log}"),
    }
}
