//! No surprises: privnet-lint writes nothing but standard output, the
//! `--output` file (and, with `--format github`, the job summary GitHub names
//! in `$GITHUB_STEP_SUMMARY`). Every run here has a fresh empty working
//! folder, HOME and TMPDIR; afterwards each of them, and the input folder,
//! must look exactly as before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("privnet-lint-nosurprise-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    Scratch(dir)
}

/// Path → (is a folder, size, mtime).
type Listing = BTreeMap<PathBuf, (bool, u64, Option<SystemTime>)>;

/// Every entry below `dir` (hidden ones too): kind, size and mtime.
fn listing(dir: &Path) -> Listing {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).min_depth(1) {
        let e = e.expect("walkable");
        let m = e.metadata().expect("metadata");
        out.insert(e.path().to_path_buf(), (m.is_dir(), m.len(), m.modified().ok()));
    }
    out
}

struct Sandbox {
    _root: Scratch,
    cwd: PathBuf,
    home: PathBuf,
    tmp: PathBuf,
    input: PathBuf,
    out: PathBuf,
}

fn sandbox(name: &str) -> Sandbox {
    let root = scratch(name);
    let [cwd, home, tmp, input, out] = ["cwd", "home", "tmp", "input", "out"].map(|d| root.0.join(d));
    for d in [&cwd, &home, &tmp, &input, &out] {
        std::fs::create_dir_all(d).unwrap();
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(manifest.join("fixtures/seed-stack.yaml"), input.join("seed-stack.yaml")).unwrap();
    std::fs::create_dir_all(input.join("nested")).unwrap();
    for f in std::fs::read_dir(manifest.join("fixtures/rules")).unwrap().filter_map(|e| e.ok()).take(12) {
        std::fs::copy(f.path(), input.join("nested").join(f.file_name())).unwrap();
    }
    std::fs::write(input.join("nested/notes.txt"), "not a template\n").unwrap();
    Sandbox { _root: root, cwd, home, tmp, input, out }
}

impl Sandbox {
    fn bin(&self) -> Command {
        let mut c = Command::cargo_bin("privnet-lint").expect("binary");
        c.current_dir(&self.cwd)
            .env("HOME", &self.home)
            .env("TMPDIR", &self.tmp)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION");
        c
    }

    fn snapshot(&self) -> Vec<Listing> {
        [&self.cwd, &self.home, &self.tmp, &self.input].iter().map(|d| listing(d)).collect()
    }
}

#[test]
fn lint_writes_only_stdout_or_the_output_file() {
    let s = sandbox("lint");
    let before = s.snapshot();
    let mut expected_outputs = Vec::new();
    for (i, format) in ["human", "json", "concise", "github", "sarif", "markdown"].iter().enumerate() {
        // to stdout, a folder and a file
        let run =
            s.bin().arg(&s.input).arg(s.input.join("seed-stack.yaml")).args(["--format", format]).output().unwrap();
        assert!(matches!(run.status.code(), Some(0 | 1)), "{format}: {}", String::from_utf8_lossy(&run.stderr));
        assert!(!run.stdout.is_empty(), "{format} printed its report");
        // to --output
        let file = s.out.join(format!("report-{i}.{format}"));
        let run = s.bin().arg(&s.input).args(["--format", format, "--output"]).arg(&file).output().unwrap();
        assert!(matches!(run.status.code(), Some(0 | 1)), "{format}: {}", String::from_utf8_lossy(&run.stderr));
        assert!(run.stdout.is_empty(), "{format}: with --output nothing goes to stdout");
        assert!(std::fs::metadata(&file).is_ok_and(|m| m.len() > 0), "{format}: {} written", file.display());
        expected_outputs.push(file);
    }
    // trace and graph
    let seed = s.input.join("seed-stack.yaml");
    let run = s.bin().arg("trace").arg(&seed).args(["--from", "MyEC2Instance", "--to", "s3"]).output().unwrap();
    assert!(matches!(run.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&run.stderr));
    let dot = s.out.join("graph.dot");
    let run = s.bin().arg("graph").arg(&seed).arg("--output").arg(&dot).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    expected_outputs.push(dot);
    // stdin
    let run = s.bin().args(["-", "--format", "json"]).write_stdin(std::fs::read(&seed).unwrap()).output().unwrap();
    assert!(matches!(run.status.code(), Some(0 | 1)) && !run.stdout.is_empty());

    let after = s.snapshot();
    for (name, (b, a)) in ["working folder", "HOME", "TMPDIR", "input folder"].iter().zip(before.iter().zip(&after)) {
        assert_eq!(b, a, "the {name} changed");
    }
    let mut written: Vec<PathBuf> = listing(&s.out).into_keys().collect();
    expected_outputs.sort();
    written.sort();
    assert_eq!(written, expected_outputs, "only the --output files were created");
}

#[test]
fn the_github_format_also_writes_the_step_summary_it_is_given() {
    let s = sandbox("summary");
    let summary = s.out.join("summary.md");
    let before = s.snapshot();
    let run = s
        .bin()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .arg(s.input.join("seed-stack.yaml"))
        .args(["--format", "github"])
        .output()
        .unwrap();
    assert!(matches!(run.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(std::fs::read_to_string(&summary).is_ok_and(|t| t.contains("privnet-lint")));
    assert_eq!(before, s.snapshot());
    assert_eq!(listing(&s.out).into_keys().collect::<Vec<_>>(), vec![summary]);
}

/// The sources hold no way to start a process or open a socket: no
/// `std::process::Command`, no `std::net`, no HTTP client crate.
#[test]
fn the_sources_start_no_process_and_open_no_socket() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden =
        ["Command::new", "std::net::Tcp", "std::net::Udp", "TcpStream", "UdpSocket", "reqwest", "ureq", "hyper::"];
    let mut n = 0;
    for e in walkdir::WalkDir::new(&src) {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        for f in forbidden {
            assert!(!text.contains(f), "{} uses {f}", e.path().display());
        }
        n += 1;
    }
    assert!(n > 20);
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    for c in ["reqwest", "ureq", "hyper", "curl", "tokio", "isahc", "attohttpc"] {
        assert!(!deps.lines().any(|l| l.trim_start().starts_with(c)), "{c} is a dependency");
    }
}
