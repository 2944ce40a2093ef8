//! The GitHub Action (action.yml), run locally: its shell steps are read
//! from action.yml with privnet-lint's own YAML loader and run with bash the
//! way the runner does (`bash --noprofile --norc -eo pipefail`), with fake
//! `GITHUB_*` files: the install step really builds privnet-lint with cargo,
//! the lint step annotates the broken template, appends the Markdown report
//! to the step summary and writes the SARIF file. The `uses:` steps (cache,
//! SARIF upload) are checked for shape only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use privnet_lint::source::{self, Node};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Node {
    let text = std::fs::read_to_string(crate_dir().join("action.yml")).expect("action.yml");
    let doc = source::parse(Some("action.yml"), &text);
    assert!(doc.findings.is_empty(), "action.yml: {:?}", doc.findings);
    doc.root.expect("action.yml has content")
}

fn text(n: Option<&Node>) -> Option<String> {
    n.and_then(Node::scalar_text)
}

struct Step {
    name: String,
    id: Option<String>,
    run: Option<String>,
    uses: Option<String>,
    condition: Option<String>,
    env: Vec<(String, String)>,
    with: Vec<(String, String)>,
}

fn steps(action: &Node) -> Vec<Step> {
    let list = action.get("runs").and_then(|r| r.get("steps")).and_then(Node::as_seq).expect("runs.steps");
    let pairs = |n: Option<&Node>| -> Vec<(String, String)> {
        n.and_then(Node::as_map)
            .map(|m| m.iter().map(|e| (e.key.clone(), e.value.scalar_text().unwrap_or_default())).collect())
            .unwrap_or_default()
    };
    list.iter()
        .map(|s| Step {
            name: text(s.get("name")).unwrap_or_default(),
            id: text(s.get("id")),
            run: text(s.get("run")),
            uses: text(s.get("uses")),
            condition: text(s.get("if")),
            env: pairs(s.get("env")),
            with: pairs(s.get("with")),
        })
        .collect()
}

/// The action's inputs and their defaults.
fn input_defaults(action: &Node) -> BTreeMap<String, String> {
    action
        .get("inputs")
        .and_then(Node::as_map)
        .expect("inputs")
        .iter()
        .map(|e| (e.key.clone(), text(e.value.get("default")).unwrap_or_default()))
        .collect()
}

/// Evaluates the `${{ }}` expressions the action's `env:` blocks use.
fn expand(value: &str, inputs: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let v = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs.get(name).unwrap_or_else(|| panic!("no input `{name}`")).clone()
        } else if expr == "github.action_path" {
            crate_dir().display().to_string()
        } else {
            panic!("the test runner does not know `{expr}`: teach tests/action.rs");
        };
        out.push_str(&v);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A fake runner: one workspace, the GITHUB_* files, PATH additions.
struct Runner {
    root: PathBuf,
    workspace: PathBuf,
    summary: PathBuf,
    output: PathBuf,
    path_file: PathBuf,
    base_path: String,
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Runner {
    fn new(name: &str) -> Runner {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("action-{name}"));
        let _ = std::fs::remove_dir_all(&root);
        let workspace = root.join("workspace");
        std::fs::create_dir_all(workspace.join("templates")).unwrap();
        std::fs::create_dir_all(workspace.join(".github/workflows")).unwrap();
        std::fs::create_dir_all(root.join("home")).unwrap();
        std::fs::create_dir_all(root.join("temp")).unwrap();
        let fixtures = crate_dir().join("fixtures/rules");
        std::fs::copy(fixtures.join("PN101-no-route-to-s3.fail.yaml"), workspace.join("templates/broken.yaml"))
            .unwrap();
        std::fs::copy(fixtures.join("PN101-no-route-to-s3.pass.yaml"), workspace.join("templates/fixed.yaml")).unwrap();
        std::fs::write(workspace.join(".github/workflows/ci.yml"), "on: push\njobs: {}\n").unwrap();
        let summary = root.join("step_summary.md");
        let output = root.join("github_output");
        let path_file = root.join("github_path");
        for f in [&summary, &output, &path_file] {
            std::fs::write(f, "").unwrap();
        }
        Runner { workspace, summary, output, path_file, base_path: std::env::var("PATH").unwrap_or_default(), root }
    }

    /// Runs one `run:` step as the runner would.
    fn run(&self, step: &Step, inputs: &BTreeMap<String, String>, path: Option<&str>) -> Ran {
        let script = self.root.join("step.sh");
        std::fs::write(&script, step.run.as_deref().expect("a run step")).unwrap();
        // PATH: what earlier steps added to $GITHUB_PATH comes first
        let added = std::fs::read_to_string(&self.path_file).unwrap_or_default();
        let mut dirs: Vec<&str> = added.lines().rev().collect();
        let base = path.unwrap_or(&self.base_path);
        dirs.push(base);
        let real_home = std::env::var("HOME").unwrap_or_default();
        let mut c = Command::new("bash");
        c.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(&self.workspace)
            .env_clear()
            .env("PATH", dirs.join(":"))
            // a fresh home for ~/.privnet-lint; cargo and rustup keep theirs
            .env("HOME", self.root.join("home"))
            .env("CARGO_HOME", std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{real_home}/.cargo")))
            .env("RUSTUP_HOME", std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{real_home}/.rustup")))
            // the build goes outside the checkout and is shared with tests/precommit.rs
            .env("CARGO_TARGET_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install-target"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_STEP_SUMMARY", &self.summary)
            .env("GITHUB_OUTPUT", &self.output)
            .env("GITHUB_PATH", &self.path_file)
            .env("RUNNER_TEMP", self.root.join("temp"));
        for (k, v) in &step.env {
            c.env(k, expand(v, inputs));
        }
        let out = c.output().expect("bash");
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

fn with_inputs(defaults: &BTreeMap<String, String>, set: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut m = defaults.clone();
    for (k, v) in set {
        assert!(m.contains_key(*k), "no input `{k}`");
        m.insert(k.to_string(), v.to_string());
    }
    m
}

#[test]
fn action_yml_has_the_expected_shape() {
    let a = action();
    assert_eq!(text(a.get("runs").and_then(|r| r.get("using"))).as_deref(), Some("composite"));
    for (name, input) in a.get("inputs").and_then(Node::as_map).unwrap().iter().map(|e| (&e.key, &e.value)) {
        assert!(text(input.get("description")).is_some_and(|d| !d.is_empty()), "input {name} needs a description");
    }
    let steps = steps(&a);
    for s in &steps {
        if let Some(run) = &s.run {
            // inputs reach scripts through env only: `${{ }}` in a script is
            // the classic workflow injection
            assert!(!run.contains("${{"), "step `{}` expands an expression inside its script", s.name);
        }
    }
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Cache the privnet-lint build",
            "Install privnet-lint",
            "Lint CloudFormation templates",
            "Upload SARIF to code scanning"
        ]
    );
    assert!(steps[0].uses.as_deref().is_some_and(|u| u.starts_with("actions/cache@")));
    let upload = &steps[3];
    assert!(upload.uses.as_deref().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")));
    let cond = upload.condition.as_deref().unwrap_or_default();
    assert!(cond.contains("inputs.sarif-file != ''") && cond.contains("!cancelled()"), "{cond}");
    assert!(upload.with.iter().any(|(k, v)| k == "sarif_file" && v == "${{ inputs.sarif-file }}"));
    assert_eq!(steps[2].id.as_deref(), Some("lint"));
    let output = a.get("outputs").and_then(|o| o.get("exit-code")).and_then(|o| text(o.get("value")));
    assert_eq!(output.as_deref(), Some("${{ steps.lint.outputs.exit-code }}"));
}

#[test]
fn the_example_workflow_uses_the_action_s_inputs() {
    let a = action();
    let inputs = input_defaults(&a);
    let text = std::fs::read_to_string(crate_dir().join("examples/github-workflow.yml")).unwrap();
    let doc = source::parse(Some("github-workflow.yml"), &text);
    let root = doc.root.expect("workflow");
    let steps =
        root.get("jobs").and_then(|j| j.get("privnet-lint")).and_then(|j| j.get("steps")).and_then(Node::as_seq);
    let ours = steps
        .unwrap()
        .iter()
        .find(|s| s.get("uses").and_then(Node::as_str).is_some_and(|u| u.contains("privnet-lint")))
        .expect("a step that uses privnet-lint");
    for e in ours.get("with").and_then(Node::as_map).unwrap() {
        assert!(inputs.contains_key(&e.key), "the example passes `{}`, which action.yml does not have", e.key);
    }
    let perms = root.get("permissions").and_then(|p| p.get("security-events")).and_then(Node::as_str);
    assert_eq!(perms, Some("write"), "the SARIF upload needs security-events: write");
}

#[test]
fn the_action_s_steps_run_locally() {
    let a = action();
    let defaults = input_defaults(&a);
    let steps = steps(&a);
    let (install, lint) = (&steps[1], &steps[2]);
    let r = Runner::new("run");
    let started = std::time::Instant::now();

    // install: cargo install from the action's checkout into ~/.privnet-lint
    let ran = r.run(install, &defaults, None);
    assert_eq!(ran.code, 0, "install:\n{}\n{}", ran.stdout, ran.stderr);
    let bin_dir = std::fs::read_to_string(&r.path_file).unwrap();
    assert_eq!(bin_dir.trim(), r.root.join("home/.privnet-lint/bin").display().to_string());
    assert!(r.root.join("home/.privnet-lint/bin/privnet-lint").is_file());
    eprintln!("action install step: {:.0}s", started.elapsed().as_secs_f64());

    // lint everything, with SARIF: the broken template fails the step
    let inputs = with_inputs(&defaults, &[("regions", "us-east-1"), ("sarif-file", "reports/privnet-lint.sarif")]);
    let ran = r.run(lint, &inputs, None);
    assert_eq!(ran.code, 1, "lint:\n{}\n{}", ran.stdout, ran.stderr);
    let annotations: Vec<&str> = ran.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{}", ran.stdout);
    assert!(
        annotations[0].starts_with(
            "::error file=templates/broken.yaml,line=18,endLine=18,col=3,endColumn=19,title=PN101 no-route-to-s3::templates/broken.yaml:18:3: dnf on Instance"
        ),
        "{}",
        annotations[0]
    );
    assert!(std::fs::read_to_string(&r.output).unwrap().contains("exit-code=1\n"));
    let summary = std::fs::read_to_string(&r.summary).unwrap();
    assert!(summary.starts_with("## privnet-lint\n"), "{summary}");
    assert!(
        summary.contains("| templates/broken.yaml | us-east-1 | Instance | PrivateSubnet | ❌ PN101 | ✅ |"),
        "{summary}"
    );
    assert!(summary.contains("| templates/fixed.yaml | us-east-1 | Instance | PrivateSubnet | ✅ | ✅ |"), "{summary}");
    assert!(summary.contains("```mermaid") && !summary.contains("ci.yml"), "{summary}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.workspace.join("reports/privnet-lint.sarif")).unwrap())
            .unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "PN101");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "templates/broken.yaml");

    // installed already (a cache hit): no cargo; the fixed template passes;
    // summary off leaves the job summary alone
    let ran = r.run(install, &defaults, Some("/usr/bin:/bin"));
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("privnet-lint is installed: privnet-lint "), "{}", ran.stdout);
    let inputs = with_inputs(&defaults, &[("paths", "templates/fixed.yaml\n.github"), ("summary", "false")]);
    let ran = r.run(lint, &inputs, None);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(!ran.stdout.contains("::"), "{}", ran.stdout);
    assert!(std::fs::read_to_string(&r.output).unwrap().ends_with("exit-code=0\n"));
    assert_eq!(std::fs::read_to_string(&r.summary).unwrap(), summary);

    // input values are data, never shell code
    let inputs = with_inputs(
        &defaults,
        &[
            ("paths", "templates/fixed.yaml $(touch pwned1) `touch pwned2`; touch pwned3"),
            ("args", "--ignore PN204 ;touch pwned4 | touch pwned5"),
            ("regions", "us-east-1\"; touch pwned6; \""),
            ("sarif-file", "out/$(touch pwned7).sarif"),
        ],
    );
    let ran = r.run(lint, &inputs, None);
    assert_eq!(ran.code, 2, "privnet-lint refuses the odd arguments: {}\n{}", ran.stdout, ran.stderr);
    for i in 1..=7 {
        assert!(!r.workspace.join(format!("pwned{i}")).exists(), "input injected a command (pwned{i})");
    }
    assert!(std::fs::read_to_string(&r.output).unwrap().ends_with("exit-code=2\n"));
}

#[test]
fn without_cargo_the_install_step_says_what_to_do() {
    if Path::new("/usr/bin/cargo").exists() || Path::new("/bin/cargo").exists() {
        eprintln!("skipped: cargo is on the system PATH here");
        return;
    }
    let a = action();
    let r = Runner::new("no-cargo");
    let ran = r.run(&steps(&a)[1], &input_defaults(&a), Some("/usr/bin:/bin"));
    assert_eq!(ran.code, 1);
    assert!(
        ran.stdout.starts_with("::error title=privnet-lint::cargo is not installed: add a Rust toolchain step"),
        "{}",
        ran.stdout
    );
}
