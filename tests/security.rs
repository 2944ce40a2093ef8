//! What a hostile template or configuration file can make privnet-lint
//! read, write and print (README "Security"): a nested stack's `TemplateURL`
//! outside the project root is never opened and nothing of its target
//! reaches any output format; the configuration file cannot name an output
//! or parameters file outside the root; control characters and
//! bidirectional overrides in a template never reach the terminal raw.
//!
//! Each case builds a small project: a git work tree (`repo/`, with a
//! `.git` folder) holding the template, and a secret file *outside* it
//! whose contents must never appear.

mod common;

use std::path::{Path, PathBuf};

use common::{Scratch, bin, scratch};

/// A line no output may ever contain: it is only in files outside the root.
const SECRET: &str = "TOP-SECRET-4f1c9a-credentials";

const FORMATS: &[&str] = &["human", "concise", "github", "json", "sarif", "markdown"];

/// A project: `repo/` (a git work tree) and `outside/secret.yaml` next to
/// it, a valid-looking template holding the secret, so that reading it
/// would put it in a snippet.
fn project(name: &str) -> (Scratch, PathBuf) {
    let dir = scratch("security", name);
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("nested")).unwrap();
    std::fs::create_dir_all(dir.join("outside")).unwrap();
    std::fs::write(repo.join(".git/config"), format!("[http]\n\textraheader = AUTHORIZATION: {SECRET}\n")).unwrap();
    let secret = format!("# {SECRET}\nResources:\n  X: [unclosed {SECRET}\n");
    std::fs::write(dir.join("outside/secret.yaml"), secret).unwrap();
    (dir, repo)
}

fn parent(url: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: {url}\n"
    )
}

/// Lints `file` (inside `repo`, from `repo` as working folder) in every
/// format and checks that the secret never appears, that a PN009 finding is
/// on the `TemplateURL` line (6) when `refused`, and returns the JSON output.
fn lint_everywhere(repo: &Path, file: &str, refused: bool) -> serde_json::Value {
    let mut json = serde_json::Value::Null;
    for format in FORMATS {
        let out = bin().current_dir(repo).args([file, "--format", format]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{format}: the secret leaked:\n{stdout}\n{stderr}"
        );
        assert!(!stdout.contains("extraheader"), "{format}: .git/config leaked:\n{stdout}");
        assert!(out.status.code().is_some_and(|c| c < 2), "{format}: exit {:?}: {stderr}", out.status.code());
        if refused {
            assert!(stdout.contains("PN009"), "{format}: no PN009:\n{stdout}");
        }
        if *format == "json" {
            json = serde_json::from_str(&stdout).unwrap();
        }
    }
    if refused {
        let findings = json["results"][0]["findings"].as_array().unwrap();
        let f = findings.iter().find(|f| f["code"] == "PN009").expect("PN009 in JSON");
        assert_eq!(f["location"]["line"], 6, "{f}");
        assert_eq!(json["results"].as_array().unwrap().len(), 1, "a result for another file: {json}");
    }
    json
}

fn message(json: &serde_json::Value) -> String {
    json["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PN009")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn an_absolute_template_url_is_not_read() {
    let (dir, repo) = project("absolute");
    let secret = dir.join("outside/secret.yaml");
    std::fs::write(repo.join("t.yaml"), parent(&secret.display().to_string())).unwrap();
    let json = lint_everywhere(&repo, "t.yaml", true);
    assert!(message(&json).contains("absolute path"), "{json}");
}

#[test]
fn etc_passwd_and_proc_are_not_read() {
    let (_dir, repo) = project("system");
    for url in ["/etc/passwd", "/proc/self/environ", "../../../../../../../../proc/self/environ"] {
        std::fs::write(repo.join("t.yaml"), parent(url)).unwrap();
        let json = lint_everywhere(&repo, "t.yaml", true);
        let out = bin().current_dir(&repo).arg("t.yaml").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("root:x:0") && !text.contains("PATH="), "{url}: {text}");
        assert!(!message(&json).is_empty(), "{url}");
    }
}

#[test]
fn a_parent_folder_escape_is_not_read() {
    let (_dir, repo) = project("dotdot");
    std::fs::write(repo.join("nested/t.yaml"), parent("../../outside/secret.yaml")).unwrap();
    let json = lint_everywhere(&repo, "nested/t.yaml", true);
    assert!(message(&json).contains("leads out of the project root"), "{json}");
}

#[test]
fn the_git_folder_is_not_read() {
    let (_dir, repo) = project("git");
    std::fs::write(repo.join("t.yaml"), parent(".git/config")).unwrap();
    let json = lint_everywhere(&repo, "t.yaml", true);
    assert!(message(&json).contains(".git"), "{json}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_leading_out_are_not_followed() {
    let (dir, repo) = project("symlinks");
    std::os::unix::fs::symlink(dir.join("outside/secret.yaml"), repo.join("link.yaml")).unwrap();
    std::os::unix::fs::symlink(dir.join("outside"), repo.join("linkdir")).unwrap();
    for url in ["link.yaml", "linkdir/secret.yaml"] {
        std::fs::write(repo.join("t.yaml"), parent(url)).unwrap();
        let json = lint_everywhere(&repo, "t.yaml", true);
        assert!(message(&json).contains("symbolic link"), "{url}: {json}");
    }
    // a walked folder does not follow them either
    let out = bin().current_dir(&repo).args([".", "--format", "concise"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(SECRET), "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with("./link")), "a linked file was linted: {stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("leads out of the project root"));
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_inside_the_root_is_followed() {
    let (_dir, repo) = project("inside");
    std::fs::write(
        repo.join("nested/child.yaml"),
        "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\nOutputs:\n  VpcId:\n    Value: !Ref Vpc\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(repo.join("nested/child.yaml"), repo.join("alias.yaml")).unwrap();
    std::fs::write(repo.join("t.yaml"), parent("alias.yaml")).unwrap();
    let json = lint_everywhere(&repo, "t.yaml", false);
    assert!(message(&json).is_empty(), "followed, so no PN009: {json}");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_not_opened() {
    let (_dir, repo) = project("fifo");
    let made = std::process::Command::new("mkfifo").arg(repo.join("pipe.yaml")).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: the FIFO check is skipped");
        return;
    }
    std::fs::write(repo.join("t.yaml"), parent("pipe.yaml")).unwrap();
    // a FIFO that were opened would block the run forever
    let json = lint_everywhere(&repo, "t.yaml", true);
    assert!(message(&json).contains("not a regular file"), "{json}");
}

#[test]
fn nesting_is_bounded() {
    let (_dir, repo) = project("depth");
    // six levels: the parent and five children, each nesting the next
    for level in 0..6 {
        let next = format!("level{}.yaml", level + 1);
        std::fs::write(repo.join(format!("level{level}.yaml")), parent(&next)).unwrap();
    }
    std::fs::write(repo.join("level6.yaml"), format!("# {SECRET}\nResources: {{}}\n")).unwrap();
    let out = bin().current_dir(&repo).args(["level0.yaml", "--format", "json"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(SECRET), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let all: Vec<&serde_json::Value> =
        json["results"].as_array().unwrap().iter().flat_map(|r| r["findings"].as_array().unwrap()).collect();
    let bound = all.iter().find(|f| f["code"] == "PN009").expect("a PN009 at the depth bound");
    assert!(bound["message"].as_str().unwrap().contains("levels deep"), "{bound}");
    // the finding is in the file whose TemplateURL was not followed
    let holder = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["findings"].as_array().unwrap().iter().any(|f| f["code"] == "PN009"))
        .unwrap();
    assert!(holder["path"].as_str().unwrap().ends_with("level4.yaml"), "{holder}");
    // and the template naming itself stops too
    std::fs::write(repo.join("self.yaml"), parent("self.yaml")).unwrap();
    let out = bin().current_dir(&repo).args(["self.yaml", "--format", "concise"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("PN009"));
}

#[test]
fn the_file_count_is_bounded() {
    let (_dir, repo) = project("count");
    let mut t = String::from("Resources:\n");
    for i in 0..70 {
        t.push_str(&format!(
            "  Child{i}:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child.yaml\n"
        ));
    }
    std::fs::write(repo.join("child.yaml"), "Resources: {}\n").unwrap();
    std::fs::write(repo.join("t.yaml"), t).unwrap();
    let out = bin().current_dir(&repo).args(["t.yaml", "--format", "concise"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("PN009").count(), 6, "70 children, 64 read: {stdout}");
    assert!(stdout.contains("at most 64 nested templates"), "{stdout}");
}

#[test]
fn the_config_file_cannot_write_or_read_outside() {
    let (dir, repo) = project("config");
    std::fs::write(repo.join("t.yaml"), "Resources: {}\n").unwrap();
    let target = dir.join("outside/written.txt");
    let cases = [
        (format!("output: {}\n", target.display()), "absolute path"),
        ("output: ../outside/written.txt\n".to_string(), "leads out of the project root"),
        ("output: .git/config\n".to_string(), ".git"),
        (format!("parameters-file: {}\n", dir.join("outside/secret.yaml").display()), "absolute path"),
        ("parameters-file: ../outside/secret.yaml\n".to_string(), "leads out of the project root"),
        ("account-state: ../outside\n".to_string(), "leads out of the project root"),
        (format!("account-state: [{}]\n", dir.join("outside").display()), "absolute path"),
    ];
    for (config, why) in cases {
        std::fs::write(repo.join(".privnet-lint.yaml"), &config).unwrap();
        let out = bin().current_dir(&repo).arg("t.yaml").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{config}: {stderr}");
        assert!(stderr.contains("is refused") && stderr.contains(why), "{config}: {stderr}");
        assert!(!stderr.contains(SECRET), "{stderr}");
        assert!(!target.exists(), "{config}: wrote outside the root");
        let git = std::fs::read_to_string(repo.join(".git/config")).unwrap();
        assert!(git.contains("extraheader"), "{config}: .git/config overwritten");
    }
    // inside the root it works, and the command line may name any file
    std::fs::write(repo.join(".privnet-lint.yaml"), "output: report.txt\n").unwrap();
    assert_eq!(bin().current_dir(&repo).arg("t.yaml").output().unwrap().status.code(), Some(0));
    assert!(repo.join("report.txt").exists());
    let out = bin().current_dir(&repo).args(["t.yaml", "-o"]).arg(&target).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(target.exists(), "-o names any file");
}

#[cfg(unix)]
#[test]
fn an_account_state_folder_from_the_config_keeps_its_files_inside() {
    let (dir, repo) = project("state-link");
    std::fs::write(repo.join("t.yaml"), "Resources: {}\n").unwrap();
    std::fs::create_dir_all(repo.join("state")).unwrap();
    std::fs::write(dir.join("outside/vpcs.json"), format!("{{\"Vpcs\": [], \"X\": \"{SECRET}\"}}")).unwrap();
    std::os::unix::fs::symlink(dir.join("outside/vpcs.json"), repo.join("state/vpcs.json")).unwrap();
    std::fs::write(repo.join(".privnet-lint.yaml"), "account-state: state\n").unwrap();
    let out = bin().current_dir(&repo).arg("t.yaml").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("leads out of the project root"), "{stderr}");
    assert!(!stderr.contains(SECRET));
    // named on the command line, the same folder is the user's choice
    std::fs::remove_file(repo.join(".privnet-lint.yaml")).unwrap();
    let out = bin().current_dir(&repo).args(["t.yaml", "--account-state", "state"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let (_dir, repo) = project("escapes");
    // the value is where the PN011 finding points (a subnet ID cannot hold
    // these characters)
    let t = "Resources:\n  Instance:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: \"\u{1b}]0;pwn\u{7}\u{1b}[2J\u{202e}gnp.exe\u{202c}\"\n";
    std::fs::write(repo.join("t.yaml"), t).unwrap();
    for format in FORMATS {
        let out = bin().current_dir(&repo).args(["t.yaml", "--format", format]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{202c}'] {
            assert!(!stdout.contains(c), "{format}: raw {c:?} in\n{stdout}");
        }
        if *format == "human" {
            // the snippet shows the escapes, and the underline still starts
            // under the value (column 17 of line 5)
            assert!(stdout.contains("␛]0;pwn␇␛[2J<U+202E>gnp.exe<U+202C>"), "{stdout}");
            assert!(stdout.contains("t.yaml:5:17]"), "{stdout}");
        }
    }
}

// --- CDK cloud assemblies (SPEC §8): a `cdk.out` comes from whoever opened
// the pull request; what its manifests name goes through the same gate.

/// A minimal stack template with no workload.
const EMPTY_STACK: &str = "{\"Resources\": {\"Topic\": {\"Type\": \"AWS::SNS::Topic\"}}}\n";

/// `repo/cdk.out/` with the version marker and `manifest` as its manifest.
fn assembly(repo: &Path, manifest: &str) -> PathBuf {
    let out = repo.join("cdk.out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("cdk.out"), "{\"version\":\"55.0.0\"}").unwrap();
    std::fs::write(out.join("manifest.json"), manifest).unwrap();
    std::fs::write(out.join("Ok.template.json"), EMPTY_STACK).unwrap();
    out
}

fn stack_manifest(template_file: &str) -> String {
    format!(
        r#"{{
  "version": "55.0.0",
  "artifacts": {{
    "Ok": {{ "type": "aws:cloudformation:stack", "environment": "aws://123456789012/eu-west-1",
            "properties": {{ "templateFile": "Ok.template.json" }} }},
    "Evil": {{ "type": "aws:cloudformation:stack", "environment": "aws://123456789012/eu-west-1",
            "properties": {{ "templateFile": {template_file:?} }} }}
  }}
}}"#
    )
}

/// Lints `repo/cdk.out` in every format: the secret never appears, the run
/// completes (exit 0 or 1), and the JSON output is returned.
fn lint_assembly(repo: &Path) -> serde_json::Value {
    let mut json = serde_json::Value::Null;
    for format in FORMATS {
        let out = bin().current_dir(repo).args(["cdk.out", "--format", format]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{format}: the secret leaked:\n{stdout}\n{stderr}"
        );
        assert!(!stdout.contains("extraheader"), "{format}: .git/config leaked:\n{stdout}");
        assert!(out.status.code().is_some_and(|c| c < 2), "{format}: exit {:?}: {stderr}", out.status.code());
        if *format == "json" {
            json = serde_json::from_str(&stdout).unwrap();
        }
    }
    json
}

/// The findings of the manifest's result, as (code, line, message).
fn manifest_findings(json: &serde_json::Value, manifest_end: &str) -> Vec<(String, u64, String)> {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with(manifest_end))
        .flat_map(|r| r["findings"].as_array().unwrap())
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_manifest_cannot_name_a_template_outside_the_root() {
    for (name, template) in [
        ("cdk-parent", "../../outside/secret.yaml"),
        ("cdk-absolute", "/etc/passwd"),
        ("cdk-proc", "/proc/self/environ"),
        ("cdk-git", "../.git/config"),
    ] {
        let (_dir, repo) = project(name);
        assembly(&repo, &stack_manifest(template));
        let json = lint_assembly(&repo);
        let found = manifest_findings(&json, "cdk.out/manifest.json");
        assert_eq!(found.len(), 1, "{name}: {json}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("PN009", 7), "{name}: {found:?}");
        assert!(found[0].2.contains("stack template") && found[0].2.contains("was not read"), "{found:?}");
        // the other stack is still linted, in its region
        let ok = json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"].as_str().unwrap().ends_with("Ok.template.json"));
        assert_eq!(ok.expect("the good stack")["region"], "eu-west-1");
    }
}

#[test]
fn links_in_an_assembly_leading_out_are_not_followed() {
    let (dir, repo) = project("cdk-links");
    let out = assembly(&repo, &stack_manifest("Evil.template.json"));
    std::os::unix::fs::symlink(dir.join("outside/secret.yaml"), out.join("Evil.template.json")).unwrap();
    let json = lint_assembly(&repo);
    let found = manifest_findings(&json, "cdk.out/manifest.json");
    assert!(found.iter().any(|(c, _, m)| c == "PN009" && m.contains("symbolic link")), "{found:?}");
    // a manifest that is itself a link out is not read either
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    std::os::unix::fs::symlink(dir.join("outside/secret.yaml"), out.join("manifest.json")).unwrap();
    let json = lint_assembly(&repo);
    let found = manifest_findings(&json, "cdk.out/manifest.json");
    assert!(found.iter().any(|(c, _, m)| c == "PN001" && m.contains("was not read")), "{found:?}");
}

#[test]
fn a_nested_assembly_outside_the_root_is_not_read() {
    let (dir, repo) = project("cdk-nested-out");
    std::fs::write(dir.join("outside/manifest.json"), stack_manifest("secret.yaml")).unwrap();
    let manifest = r#"{"version": "55.0.0", "artifacts": {
  "assembly-Evil": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "../../outside"}}}}"#;
    assembly(&repo, manifest);
    let json = lint_assembly(&repo);
    let found = manifest_findings(&json, "cdk.out/manifest.json");
    assert_eq!(found.len(), 1, "{json}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("PN009", 2), "{found:?}");
    assert!(found[0].2.contains("nested cloud assembly"), "{found:?}");
}

#[test]
fn nested_assemblies_are_bounded_and_cycles_stop() {
    let (_dir, repo) = project("cdk-depth");
    let out = assembly(
        &repo,
        r#"{"version": "55.0.0", "artifacts": {
  "Self": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}},
  "Deeper": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "a"}}}}"#,
    );
    // a chain of ten Stages, each in the one before
    let mut d = out.clone();
    for i in 0..10 {
        d = d.join("a");
        std::fs::create_dir_all(&d).unwrap();
        let next = if i < 9 {
            r#""Deeper": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "a"}}"#
        } else {
            ""
        };
        std::fs::write(d.join("manifest.json"), format!(r#"{{"version": "55.0.0", "artifacts": {{{next}}}}}"#))
            .unwrap();
    }
    let json = lint_assembly(&repo);
    let all: Vec<(String, u64, String)> = manifest_findings(&json, "manifest.json");
    let bounds: Vec<&(String, u64, String)> =
        all.iter().filter(|(c, _, m)| c == "PN009" && m.contains("levels deep")).collect();
    assert_eq!(bounds.len(), 1, "{all:?}");
}

#[test]
fn stacks_are_bounded_in_number() {
    let (_dir, repo) = project("cdk-count");
    let mut artifacts = Vec::new();
    for i in 0..260 {
        artifacts.push(format!(
            r#""S{i}": {{"type": "aws:cloudformation:stack", "properties": {{"templateFile": "Ok.template.json"}}}}"#
        ));
    }
    // the same file named 260 times is read once
    let out = assembly(&repo, &format!(r#"{{"version": "55.0.0", "artifacts": {{{}}}}}"#, artifacts.join(",")));
    let json = lint_assembly(&repo);
    assert!(manifest_findings(&json, "manifest.json").is_empty(), "{json}");
    // 260 distinct files: 256 read, 4 refused
    let mut artifacts = Vec::new();
    for i in 0..260 {
        std::fs::write(out.join(format!("S{i}.template.json")), EMPTY_STACK).unwrap();
        artifacts.push(format!(
            r#""S{i}": {{"type": "aws:cloudformation:stack", "properties": {{"templateFile": "S{i}.template.json"}}}}"#
        ));
    }
    std::fs::write(
        out.join("manifest.json"),
        format!(r#"{{"version": "55.0.0", "artifacts": {{{}}}}}"#, artifacts.join(",")),
    )
    .unwrap();
    let out = bin().current_dir(&repo).args(["cdk.out", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = manifest_findings(&json, "manifest.json");
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found.iter().all(|(c, _, m)| c == "PN009" && m.contains("at most 256 stack templates")), "{found:?}");
}

#[test]
fn a_manifest_that_is_not_the_schema_is_a_finding() {
    let deep = format!("{}{}", "[".repeat(400), "]".repeat(400));
    for (name, manifest) in [
        ("cdk-not-json", "this is { not json"),
        ("cdk-array", "[1, 2, 3]"),
        (
            "cdk-types",
            r#"{"version": 55, "artifacts": {"A": {"type": "aws:cloudformation:stack", "properties": {"templateFile": ["x"]}}}}"#,
        ),
        ("cdk-deep", deep.as_str()),
        ("cdk-empty", ""),
    ] {
        let (_dir, repo) = project(name);
        assembly(&repo, manifest);
        let json = lint_assembly(&repo);
        let found = manifest_findings(&json, "cdk.out/manifest.json");
        assert!(!found.is_empty() && found.iter().all(|(c, _, _)| c == "PN001"), "{name}: {found:?}");
    }
}

#[test]
fn an_asset_path_is_followed_only_on_stack_resources_and_only_inside() {
    let (_dir, repo) = project("cdk-asset");
    let template = r#"{
  "Resources": {
    "Handler": {
      "Type": "AWS::Lambda::Function",
      "Properties": {"Code": {"S3Bucket": "b", "S3Key": "k"}, "Role": "arn:aws:iam::1:role/r", "Runtime": "nodejs20.x", "Handler": "index.handler"},
      "Metadata": {"aws:asset:path": "../../outside/secret.yaml", "aws:asset:property": "Code"}
    },
    "Nested": {
      "Type": "AWS::CloudFormation::Stack",
      "Properties": {"TemplateURL": {"Fn::Join": ["", ["https://s3.", {"Ref": "AWS::URLSuffix"}, "/b/k.json"]]}},
      "Metadata": {"aws:asset:path": "../../outside/secret.yaml", "aws:asset:property": "TemplateURL"}
    }
  }
}
"#;
    let out = assembly(&repo, &stack_manifest("Evil.template.json"));
    std::fs::write(out.join("Evil.template.json"), template).unwrap();
    let json = lint_assembly(&repo);
    let evil = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("Evil.template.json"))
        .unwrap();
    let found: Vec<(&str, u64, &str)> = evil["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["code"].as_str().unwrap(), f["location"]["line"].as_u64().unwrap(), f["resource"].as_str().unwrap_or(""))
        })
        .collect();
    // the stack's asset path is refused where it is written; the Lambda's is never looked at
    assert_eq!(found, vec![("PN009", 11, "Nested")], "{evil}");
}

#[test]
fn a_rain_module_outside_the_root_is_not_read() {
    for (name, reference) in [("rain-parent", "../outside/secret.yaml"), ("rain-absolute", "/etc/passwd")] {
        let (_dir, repo) = project(name);
        let template = format!(
            "Resources:\n  Network:\n    Type: !Rain::Module {reference}\n    Properties:\n      Name: x\n  Topic:\n    Type: AWS::SNS::Topic\n"
        );
        std::fs::write(repo.join("t.yaml"), template).unwrap();
        let out = bin().current_dir(&repo).args(["t.yaml", "--format", "json"]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains(SECRET), "{stdout}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let f = &json["results"][0]["findings"][0];
        assert_eq!((f["code"].as_str(), f["location"]["line"].as_u64()), (Some("PN009"), Some(3)), "{json}");
        for format in FORMATS {
            let out = bin().current_dir(&repo).args(["t.yaml", "--format", format]).output().unwrap();
            assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET), "{format}");
        }
    }
}
