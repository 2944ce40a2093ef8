//! Which files to lint, and reading them safely.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::finding::{Code, Finding};
use crate::project::ProjectRoot;
use crate::source::{LineIndex, MAX_FILE_BYTES, Pos, Span};

/// A file to lint.
#[derive(Clone, Debug)]
pub struct Input {
    /// Where to read it (`None` = standard input).
    pub path: Option<PathBuf>,
    /// How to show it.
    pub display: String,
    /// Found by walking a folder (lint only if it looks like a template).
    pub walked: bool,
    /// The project root of the command-line path it comes from: the files
    /// a template names must stay inside it.
    pub root: Option<ProjectRoot>,
    /// A CDK cloud assembly folder (`cdk.out`), read with [`crate::cdk::read`]
    /// rather than as a file.
    pub assembly: bool,
}

/// Why a file could not be linted.
pub enum ReadProblem {
    /// It can be reported as a finding on the file (too large, not UTF-8,
    /// not a template): PN001.
    Finding(Finding),
    /// It cannot be read at all: exit code 2.
    Error(String),
    /// Found by walking and not a template: skipped silently.
    Skip,
}

const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

fn has_template_extension(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') && name.len() > 1 || name == "node_modules"
}

/// Expands the command-line paths into files, in a deterministic order,
/// leaving out what `excluded` says (the config file's `exclude` globs; a
/// file named on the command line is left out too, so that pre-commit, which
/// names every staged file, honours them).
/// With `skip_non_templates`, a named file is treated like one found by
/// walking: skipped when it is not a template.
/// Returns the files and whether some path could not be used.
pub fn collect(paths: &[PathBuf], excluded: &dyn Fn(&Path) -> bool, skip_non_templates: bool) -> (Vec<Input>, bool) {
    let mut out = Vec::new();
    let mut error = false;
    let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    for p in &paths {
        if p.as_os_str() == "-" {
            out.push(Input { path: None, display: "<stdin>".into(), walked: false, root: None, assembly: false });
            continue;
        }
        if excluded(p) {
            continue;
        }
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("privnet-lint: error: {}: {}", p.display(), describe_io(&e));
                error = true;
                continue;
            }
        };
        let root = ProjectRoot::for_named(p);
        if !meta.is_dir() {
            out.push(Input {
                path: Some(p.clone()),
                display: p.display().to_string(),
                walked: skip_non_templates,
                root: Some(root),
                assembly: false,
            });
            continue;
        }
        // a cloud assembly named on the command line is read as one
        // (SPEC §8); so is each one found by walking, a CDK project's
        // `cdk.out/` among them, and nothing inside it is walked
        if crate::cdk::is_named_assembly(p) {
            out.push(Input {
                path: Some(p.clone()),
                display: p.display().to_string(),
                walked: false,
                root: Some(root),
                assembly: true,
            });
            continue;
        }
        let assemblies = std::cell::RefCell::new(Vec::new());
        let walker = walkdir::WalkDir::new(p).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let dir = e.file_type().is_dir();
            if dir && e.file_name().to_str().is_some_and(skipped_dir) || excluded(e.path()) {
                return false;
            }
            if dir && crate::cdk::is_assembly(e.path()) {
                assemblies.borrow_mut().push(e.path().to_path_buf());
                return false;
            }
            true
        });
        let mut found = Vec::new();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() && has_template_extension(e.path()) => {
                    // a committed symbolic link may point anywhere on the
                    // machine: files found by walking stay in the project
                    if !inside(&root, e.path()) {
                        eprintln!(
                            "privnet-lint: warning: {}: symbolic link leads out of the project root, not followed",
                            e.path().display()
                        );
                        continue;
                    }
                    found.push(Input {
                        path: Some(e.path().to_path_buf()),
                        display: e.path().display().to_string(),
                        walked: true,
                        root: Some(root.clone()),
                        assembly: false,
                    });
                }
                Ok(_) => {}
                Err(e) if e.loop_ancestor().is_some() => {
                    eprintln!(
                        "privnet-lint: warning: {}: symbolic link loop, not followed",
                        e.path().map(|p| p.display().to_string()).unwrap_or_default()
                    );
                }
                Err(e) => {
                    let path = e.path().map(|p| p.display().to_string()).unwrap_or_else(|| p.display().to_string());
                    let why = e.io_error().map(describe_io).unwrap_or_else(|| e.to_string());
                    eprintln!("privnet-lint: error: {path}: {why}");
                    error = true;
                }
            }
        }
        let assemblies = assemblies.into_inner();
        if assemblies.is_empty() && crate::cdk::is_project(p) {
            eprintln!(
                "privnet-lint: note: {} is a CDK project (cdk.json) with no cloud assembly in it: run `cdk synth` first; privnet-lint reads the cdk.out/ it writes",
                crate::report::escape::visible(&p.display().to_string())
            );
        }
        for dir in assemblies {
            if !inside(&root, &dir) {
                eprintln!(
                    "privnet-lint: warning: {}: symbolic link leads out of the project root, not followed",
                    dir.display()
                );
                continue;
            }
            found.push(Input {
                display: dir.display().to_string(),
                path: Some(dir),
                walked: false,
                root: Some(root.clone()),
                assembly: true,
            });
        }
        // walking order: an assembly where its folder would have been
        found.sort_by(|a, b| a.path.cmp(&b.path));
        out.extend(found);
    }
    (out, error)
}

/// True when `path`, its symbolic links resolved, is inside `root`.
fn inside(root: &ProjectRoot, path: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(root.path()))
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn whole_file(message: String) -> ReadProblem {
    let at = Pos { line: 1, column: 1, offset: 0 };
    ReadProblem::Finding(Finding::new(Code::PN001, Some(Span { start: at, end: at }), message))
}

/// Reads a file as UTF-8 text, refusing what is not a regular file, what
/// is larger than [`MAX_FILE_BYTES`], and what is not UTF-8.
pub fn read(input: &Input) -> Result<String, ReadProblem> {
    let mut bytes = Vec::new();
    match &input.path {
        None => {
            std::io::stdin()
                .lock()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| ReadProblem::Error(format!("standard input: {e}")))?;
        }
        Some(p) => {
            let meta = std::fs::metadata(p)
                .map_err(|e| ReadProblem::Error(format!("{}: {}", input.display, describe_io(&e))))?;
            if !meta.is_file() {
                // a FIFO or device would block or never end
                return Err(ReadProblem::Error(format!("{}: not a regular file", input.display)));
            }
            if meta.len() > MAX_FILE_BYTES {
                return Err(whole_file(format!(
                    "the file is {} bytes, over privnet-lint's limit of {} MiB (CloudFormation accepts at most 1 MB); it was not analyzed",
                    meta.len(),
                    MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            std::fs::File::open(p)
                .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
                .map_err(|e| ReadProblem::Error(format!("{}: {}", input.display, describe_io(&e))))?;
        }
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(whole_file(format!(
            "the input is over privnet-lint's limit of {} MiB; it was not analyzed",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let idx = LineIndex::new(&prefix);
            let pos = idx.pos(&prefix, valid);
            let binary = bytes.iter().take(8192).any(|b| *b == 0);
            if input.walked && binary {
                // a binary file with a template extension found by walking
                return Err(ReadProblem::Skip);
            }
            let what = if binary { "a binary file, not a template" } else { "not valid UTF-8" };
            return Err(ReadProblem::Finding(
                Finding::new(
                    Code::PN001,
                    Some(Span { start: pos, end: pos }),
                    format!("{what}: invalid UTF-8 at line {}, column {} (byte {valid})", pos.line, pos.column),
                )
                .fix("CloudFormation templates are UTF-8 text."),
            ));
        }
    };
    Ok(text)
}
