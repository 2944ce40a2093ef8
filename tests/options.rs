//! The command line's options and its polish, through the real binary:
//! every misuse is exit 2 with one line on standard error; `--fail-on`,
//! `--select`, `--ignore`, `-q`, `--no-color`/`NO_COLOR`, `-o`, the new
//! formats, `$GITHUB_STEP_SUMMARY`, `--version`, `--help` and completions.

use predicates::prelude::*;

mod common;
use common::bin;

fn scratch(name: &str) -> common::Scratch {
    common::scratch("options", name)
}

const PN101: &str = "fixtures/rules/PN101-no-route-to-s3.fail.yaml";
const SEED: &str = "fixtures/seed-stack.yaml";

#[test]
fn every_misuse_is_exit_2_and_one_line() {
    let dir = scratch("misuse");
    std::fs::write(dir.join("bad.yaml"), "regions: [us-east-1]\nfail_on: error\n").unwrap();
    std::fs::write(dir.join("params.json"), "{not json").unwrap();
    let bad_config = dir.join("bad.yaml").display().to_string();
    let bad_params = dir.join("params.json").display().to_string();
    let missing_dir_output = dir.join("no/such/dir/out.txt").display().to_string();
    #[rustfmt::skip]
    let table: &[(&[&str], &str)] = &[
        (&[SEED, "--format", "xml"], "invalid value 'xml' for '--format <FORMAT>'"),
        (&[SEED, "--fail-on", "sometimes"], "invalid value 'sometimes' for '--fail-on <FAIL_ON>'"),
        (&[SEED, "--region", "Tokyo"], "`Tokyo` is not a region name"),
        (&[SEED, "-p", "novalue"], "`--parameter novalue`: expected KEY=VALUE"),
        (&[SEED, "-p", "=x"], "the key is empty"),
        (&[SEED, "--select", "PN999"], "no rule `PN999`"),
        (&[SEED, "--ignore", "no-such-rule"], "no rule `no-such-rule`"),
        (&[SEED, "--frobnicate"], "unexpected argument '--frobnicate'"),
        (&[SEED, "--fail_on", "error"], "a similar argument exists: '--fail-on'"),
        (&[SEED, "--parameters-file", "missing.json"], "cannot read parameters file missing.json: no such file"),
        (&[SEED, "--parameters-file", &bad_params], "not valid JSON"),
        (&[SEED, "--config", "missing.yaml"], "config missing.yaml: cannot read the config file: no such file"),
        (&[SEED, "--config", &bad_config], ":2:1: unknown key `fail_on`; did you mean `fail-on`?"),
        (&[SEED, "--config", &bad_config, "--no-config"], "cannot be used with"),
        (&[SEED, "-o", &missing_dir_output], "cannot write"),
        (&[SEED, "--format", "sarif", "--sarif-category", " "], "`--sarif-category` is empty"),
        (&["does-not-exist.yaml"], "does-not-exist.yaml: no such file or folder"),
        (&["explain"], "required arguments were not provided: <RULE>"),
        (&["explain", "PN999"], "no rule `PN999`"),
        (&["rules", "--format", "xml"], "invalid value 'xml'"),
        (&["completions", "tcsh"], "invalid value 'tcsh'"),
        (&["completions"], "required arguments were not provided: <SHELL>"),
        (&["trace", SEED], "required arguments were not provided: --from <LOGICAL_ID> --to <TARGET>"),
        (&["trace", SEED, "--from", "Nope", "--to", "s3"], "`Nope` is not a workload"),
        (&["trace", SEED, "--from", "MyEC2Instance", "--to", "gopher"], "`gopher` is not a target"),
        (&["trace", "missing.yaml", "--from", "A", "--to", "s3"], "missing.yaml"),
        (&["graph", "missing.yaml"], "missing.yaml"),
        (&["graph", SEED, "--format", "png"], "invalid value 'png'"),
    ];
    for (args, expected) in table {
        let out = bin().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line expected, got:\n{stderr}");
        assert!(stderr.starts_with("privnet-lint: error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: `{expected}` not in: {stderr}");
    }
}

#[test]
fn version_help_and_completions() {
    bin().arg("--version").assert().code(0).stdout(format!("privnet-lint {}\n", env!("CARGO_PKG_VERSION")));
    let help = bin().arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8_lossy(&help.stdout);
    for needle in ["Examples:", "--format github", "--format sarif", "Exit codes:", ".privnet-lint.yaml", "completions"]
    {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
    for sub in ["check", "explain", "rules", "completions"] {
        bin().args([sub, "--help"]).assert().code(0).stdout(predicate::str::contains("Examples:"));
    }
    for shell in ["bash", "zsh", "fish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains("privnet-lint") && script.contains("fail-on"), "{shell}");
        assert!(script.contains("markdown"), "{shell}: the format values are completed");
    }
    // the bash script is valid bash
    let dir = scratch("completions");
    let out = bin().args(["completions", "bash"]).output().unwrap();
    std::fs::write(dir.join("c.bash"), &out.stdout).unwrap();
    let syntax = std::process::Command::new("bash").arg("-n").arg(dir.join("c.bash")).status();
    if let Ok(s) = syntax {
        assert!(s.success(), "bash -n on the completion script");
    }
}

#[test]
fn fail_on_decides_the_exit_code() {
    // the seed in us-east-1 has an error (PN206), warnings and a note;
    // --select keeps one severity at a time
    let error = [SEED, "--select", "PN206"];
    let warnings = [SEED, "--select", "PN407"];
    let note = [SEED, "--select", "PN204"];
    bin().args(error).assert().code(1);
    bin().args(error).args(["--fail-on", "error"]).assert().code(1);
    bin().args(error).args(["--fail-on", "never"]).assert().code(0);
    bin().args(warnings).assert().code(0);
    bin().args(warnings).args(["--fail-on", "error"]).assert().code(0);
    bin().args(warnings).args(["--fail-on", "warning"]).assert().code(1);
    bin().args(warnings).args(["--fail-on", "note"]).assert().code(1);
    bin().args(note).args(["--fail-on", "warning"]).assert().code(0);
    bin().args(note).args(["--fail-on", "note"]).assert().code(1);
    bin().args(note).args(["--fail-on", "never"]).assert().code(0);
    // exit 2 wins over findings: the tool could not do its job
    bin().args([SEED, "missing.yaml", "--fail-on", "never"]).assert().code(2);
}

#[test]
fn select_and_ignore_filter_the_findings() {
    let concise = |extra: &[&str]| -> Vec<String> {
        let out = bin().args([SEED, "--format", "concise"]).args(extra).output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split(' ').nth(1).unwrap_or("").to_string()).collect()
    };
    let all = concise(&[]);
    assert!(all.contains(&"PN206".to_string()) && all.contains(&"PN204".to_string()), "{all:?}");
    assert_eq!(concise(&["--select", "PN206"]), vec!["PN206"]);
    // by name, and comma-separated
    assert_eq!(concise(&["--select", "prefix-list-wrong-region,PN204"]), vec!["PN204", "PN206"]);
    let ignored = concise(&["--ignore", "PN204", "--ignore", "cross-region-s3"]);
    assert!(!ignored.contains(&"PN204".to_string()) && !ignored.contains(&"PN407".to_string()), "{ignored:?}");
    assert_eq!(ignored.len(), all.len() - 2);
    // ignoring the error makes the run pass
    bin().args([SEED, "--ignore", "PN206"]).assert().code(0);
}

#[test]
fn quiet_prints_findings_only() {
    let loud = bin().args([PN101]).output().unwrap();
    let quiet = bin().args([PN101, "-q"]).output().unwrap();
    let (loud, quiet) = (String::from_utf8_lossy(&loud.stdout), String::from_utf8_lossy(&quiet.stdout));
    assert!(loud.contains("1 file: 1 error") && loud.contains("path to s3"));
    assert!(quiet.contains("PN101") && !quiet.contains("1 file:") && !quiet.contains("path to s3"), "{quiet}");
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), where colour
/// is on unless something turns it off.
fn on_a_terminal(args: &str, env: &[(&str, &str)]) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("privnet-lint");
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"]).env_remove("NO_COLOR");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().ok().filter(|o| o.status.code().is_some())?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn colour_only_on_a_terminal_and_not_when_turned_off() {
    let Some(tty) = on_a_terminal(PN101, &[]) else {
        eprintln!("skipped: util-linux `script` is not available to fake a terminal");
        return;
    };
    assert!(tty.contains('\u{1b}'), "colour on a terminal: {tty}");
    let no_color = on_a_terminal(PN101, &[("NO_COLOR", "1")]).unwrap();
    assert!(!no_color.contains('\u{1b}'), "NO_COLOR");
    let flag = on_a_terminal(&format!("{PN101} --no-color"), &[]).unwrap();
    assert!(!flag.contains('\u{1b}'), "--no-color");
    // not a terminal: no colour even without NO_COLOR
    let piped = bin().env_remove("NO_COLOR").arg(PN101).output().unwrap();
    assert!(!String::from_utf8_lossy(&piped.stdout).contains('\u{1b}'));
    // -o: a file gets no colour either
    let dir = scratch("colour");
    let out = dir.join("report.txt");
    on_a_terminal(&format!("{PN101} -o {}", out.display()), &[]).unwrap();
    assert!(!std::fs::read_to_string(&out).unwrap().contains('\u{1b}'), "-o FILE");
}

#[test]
fn output_file_gets_the_report() {
    let dir = scratch("output");
    for format in ["human", "concise", "json", "github", "sarif", "markdown"] {
        let file = dir.join(format!("report.{format}"));
        let out = bin().args([PN101, "--format", format, "-o"]).arg(&file).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(out.stdout.is_empty(), "{format}: nothing on stdout with -o");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("PN101"), "{format}: {text}");
    }
}

#[test]
fn sarif_category_is_the_automation_id() {
    let id = |extra: &[&str]| {
        let out = bin().args([PN101, "--format", "sarif"]).args(extra).output().unwrap();
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        log["runs"][0]["automationDetails"]["id"].as_str().map(str::to_string)
    };
    assert_eq!(id(&[]).as_deref(), Some("privnet-lint/"));
    assert_eq!(id(&["--sarif-category", "privnet-lint/eu-west-1"]).as_deref(), Some("privnet-lint/eu-west-1/"));
}

#[test]
fn github_format_appends_the_markdown_summary() {
    let dir = scratch("summary");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = bin().args([PN101, "--format", "github"]).env("GITHUB_STEP_SUMMARY", &summary).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("::error file=fixtures/rules/PN101-no-route-to-s3.fail.yaml,line=18,"), "{stdout}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n## privnet-lint\n"), "appended, not overwritten: {text}");
    assert!(text.contains("| fixtures/rules/PN101-no-route-to-s3.fail.yaml | us-east-1 | Instance |"));
    assert!(text.contains("```mermaid"));
    // other formats leave the summary alone
    bin().args([PN101, "--format", "concise"]).env("GITHUB_STEP_SUMMARY", &summary).assert().code(1);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), text);
}

#[test]
fn github_and_sarif_paths_are_relative_to_the_workspace() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let abs = root.join(PN101);
    let out = bin().arg(&abs).args(["--format", "github"]).env("GITHUB_WORKSPACE", root).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with(&format!("::error file={},", PN101)), "{text}");
    let out = bin().arg(&abs).args(["--format", "sarif"]).env("GITHUB_WORKSPACE", root).output().unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], PN101);
    // run from a sub-folder: still relative to the root
    let out = bin()
        .current_dir(root.join("fixtures"))
        .args(["rules/PN101-no-route-to-s3.fail.yaml", "--format", "github"])
        .env("GITHUB_WORKSPACE", root)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("::error file={},", PN101)));
}

#[test]
fn rules_markdown_is_the_readme_table() {
    let out = bin().args(["rules", "--format", "markdown"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("| code | name | severity | summary |\n|---|---|---|---|\n"));
    let readme = std::fs::read_to_string("README.md").unwrap();
    for line in table.lines().skip(2) {
        assert!(
            readme.contains(line),
            "README's rule table lacks or differs on:\n{line}\n(regenerate it with `privnet-lint rules --format markdown`)"
        );
    }
    bin()
        .args(["rules", "--format", "text"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PN101  no-route-to-s3"));
}

#[test]
fn skip_non_templates_treats_named_files_like_walked_ones() {
    let dir = scratch("skip");
    std::fs::write(dir.join("values.yaml"), "replicas: 3\n").unwrap();
    std::fs::write(dir.join("broken.yaml"), "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n").unwrap();
    let values = dir.join("values.yaml");
    // named, it is a PN001 error; skipped with the flag (or the config key)
    bin().arg(&values).args(["--format", "concise"]).assert().code(1).stdout(predicate::str::contains("PN001"));
    bin().arg(&values).args(["--format", "concise", "--skip-non-templates"]).assert().code(0).stdout("");
    std::fs::write(dir.join("c.yaml"), "skip-non-templates: true\n").unwrap();
    bin().arg(&values).arg("--config").arg(dir.join("c.yaml")).assert().code(0);
    // a broken file that looks like a template is still reported
    bin()
        .arg(dir.join("broken.yaml"))
        .args(["--format", "concise", "--skip-non-templates"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("PN001"));
    bin().arg(SEED).args(["--skip-non-templates", "--region", "ap-northeast-1"]).assert().code(0);
}
