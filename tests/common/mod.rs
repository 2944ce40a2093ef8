//! Helpers shared by the integration tests that drive the real binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary with a predictable environment: no region from the
/// environment, no GitHub variables, no colour.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("privnet-lint").expect("binary");
    c.env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_WORKSPACE")
        .env("NO_COLOR", "1");
    c
}

/// A scratch folder, removed when dropped.
pub struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// A fresh, empty scratch folder named after the test suite and `name`.
pub fn scratch(suite: &str, name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("privnet-lint-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    Scratch(dir)
}

/// Lints `text` (a template on standard input) for us-east-1 as JSON, with
/// `args` added: the document and the exit code.
pub fn lint_stdin_json(text: &str, args: &[&str]) -> (serde_json::Value, i32) {
    let out = bin()
        .args(["-", "--format", "json", "--region", "us-east-1"])
        .args(args)
        .write_stdin(text)
        .output()
        .expect("runs");
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (doc, out.status.code().unwrap_or(-1))
}

/// The text of a file of the repository (a fixture).
pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
