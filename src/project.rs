//! The project root, and the one gate every file a *template* or the
//! configuration file names goes through before privnet-lint opens it.
//!
//! privnet-lint runs in CI on pull requests from anyone, so a template and
//! `.privnet-lint.yaml` are attacker-controlled text. Neither may choose a
//! file outside the repository to read (a nested stack `TemplateURL:
//! /etc/passwd` would otherwise be printed as a PN001 snippet into a public
//! log) or to write (`output: ../../.git/config`). Only what the user types
//! on the command line may name a file anywhere.
//!
//! The root is the git work tree holding what the user named; outside a
//! work tree, the current folder when the named path is inside it, else the
//! named folder (or the named file's folder). A reference is followed only
//! when it is relative, stays inside the root lexically *and* after every
//! symbolic link is resolved, does not go through a `.git` folder (which
//! holds the CI token `actions/checkout` persists), and is a regular file
//! no larger than [`MAX_FILE_BYTES`]. Everything else is a [`Refusal`]:
//! the caller reports it on the node that named the file, and nothing of
//! the target is read.

use std::fmt;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::source::MAX_FILE_BYTES;

/// The folder inside which templates and the configuration may name files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectRoot {
    /// Canonical (symbolic links resolved, absolute).
    path: PathBuf,
}

/// Why a file named by a template or the configuration was not opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `/etc/passwd`, `~/x`, `C:\x`: only the command line names absolute paths.
    Absolute,
    /// `../..` leads out of the project root.
    OutsideRoot,
    /// A symbolic link on the way leads out of the project root.
    SymlinkOutside,
    /// The path goes through a `.git` folder (credentials, hooks).
    GitInternals,
    /// No such file.
    Missing,
    /// A folder, FIFO, device or socket.
    NotRegularFile,
    /// Under `/proc`, `/sys` or `/dev`: the kernel's files (`/proc/self/environ`
    /// holds the process's secrets), whatever the root.
    SystemFile,
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge(u64),
    /// Reading it failed (permissions, not UTF-8).
    Unreadable(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Absolute => f.write_str("it is an absolute path"),
            Refusal::OutsideRoot => f.write_str("it leads out of the project root"),
            Refusal::SymlinkOutside => f.write_str("a symbolic link on the way leads out of the project root"),
            Refusal::GitInternals => f.write_str("it goes through a `.git` folder"),
            Refusal::Missing => f.write_str("there is no such file"),
            Refusal::NotRegularFile => f.write_str("it is not a regular file"),
            Refusal::SystemFile => f.write_str("it is a system file (/proc, /sys, /dev)"),
            Refusal::TooLarge(n) => {
                write!(f, "it is {n} bytes, over privnet-lint's limit of {} MiB", MAX_FILE_BYTES / (1024 * 1024))
            }
            Refusal::Unreadable(why) => write!(f, "it cannot be read ({why})"),
        }
    }
}

impl Refusal {
    /// True for the refusals that protect the machine (as opposed to a file
    /// that simply is not there or cannot be used).
    pub fn is_containment(&self) -> bool {
        matches!(
            self,
            Refusal::Absolute
                | Refusal::OutsideRoot
                | Refusal::SymlinkOutside
                | Refusal::GitInternals
                | Refusal::SystemFile
        )
    }
}

/// A file that passed [`ProjectRoot::read`]: where it is and its text.
#[derive(Clone, Debug)]
pub struct ContainedFile {
    /// The path to show: the referring file's folder joined with the
    /// reference, without `.` and `..`.
    pub shown: PathBuf,
    /// Its UTF-8 text.
    pub text: String,
}

impl ProjectRoot {
    /// The root for what the user named on the command line (a file or a
    /// folder; `-` for standard input counts as the current folder).
    pub fn for_named(named: &Path) -> ProjectRoot {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        ProjectRoot::for_named_in(named, &cwd)
    }

    /// [`ProjectRoot::for_named`] with an explicit working folder.
    pub fn for_named_in(named: &Path, cwd: &Path) -> ProjectRoot {
        let cwd = canonical_or_lexical(cwd, cwd);
        let named = canonical_or_lexical(named, &cwd);
        let start = if named.is_dir() { named.clone() } else { named.parent().map(Path::to_path_buf).unwrap_or(named) };
        // a `.git` folder, or the `.git` file of a linked work tree
        let root = match start.ancestors().find(|d| d.join(".git").exists()) {
            Some(work_tree) => work_tree.to_path_buf(),
            None if start.starts_with(&cwd) => cwd,
            None => start,
        };
        ProjectRoot { path: root }
    }

    /// A root at `path` exactly (tests, and callers that know it).
    pub fn at(path: &Path) -> ProjectRoot {
        ProjectRoot { path: canonical_or_lexical(path, Path::new("/")) }
    }

    /// The root folder, canonical.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where `reference` (as a template writes it) leads from the file
    /// `from`, if it may be followed: relative, inside the root before and
    /// after symbolic links, not through `.git`, a regular file. Returns
    /// the path to show and the canonical path to open.
    pub fn locate(&self, from: &Path, reference: &str) -> Result<(PathBuf, PathBuf), Refusal> {
        self.locate_entry(from, reference, false)
    }

    /// [`Self::locate`], accepting a folder too when `folder` is set.
    fn locate_entry(&self, from: &Path, reference: &str, folder: bool) -> Result<(PathBuf, PathBuf), Refusal> {
        let r = reference.trim();
        if is_absolute_text(r) {
            return Err(Refusal::Absolute);
        }
        let base = from.parent().unwrap_or(Path::new(""));
        let shown = lexical(&base.join(r));
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        // lexically first: `..` may not climb out even through folders
        // that do not exist
        let lexical_abs = lexical(&canonical_or_lexical(base, &cwd).join(r));
        if !lexical_abs.starts_with(&self.path) {
            return Err(Refusal::OutsideRoot);
        }
        if through_git(&lexical_abs, &self.path) {
            return Err(Refusal::GitInternals);
        }
        let real = match std::fs::canonicalize(&lexical_abs) {
            Ok(p) => p,
            Err(_) => return Err(self.why_missing(&lexical_abs)),
        };
        if !real.starts_with(&self.path) {
            return Err(Refusal::SymlinkOutside);
        }
        if through_git(&real, &self.path) {
            return Err(Refusal::GitInternals);
        }
        if is_system(&real) {
            return Err(Refusal::SystemFile);
        }
        let meta = std::fs::metadata(&real).map_err(|e| Refusal::Unreadable(describe_io(&e)))?;
        if folder && meta.is_dir() {
            return Ok((shown, real));
        }
        if !meta.is_file() {
            return Err(Refusal::NotRegularFile);
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(Refusal::TooLarge(meta.len()));
        }
        Ok((shown, real))
    }

    /// Reads the file `reference` names from `from`, after [`Self::locate`].
    pub fn read(&self, from: &Path, reference: &str) -> Result<ContainedFile, Refusal> {
        let (shown, real) = self.locate(from, reference)?;
        let mut bytes = Vec::new();
        std::fs::File::open(&real)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| Refusal::Unreadable(describe_io(&e)))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(Refusal::TooLarge(bytes.len() as u64));
        }
        let text = String::from_utf8(bytes).map_err(|_| Refusal::Unreadable("not UTF-8 text".into()))?;
        Ok(ContainedFile { shown, text })
    }

    /// Checks a path the configuration file names for writing (`output`),
    /// relative to `dir`: inside the root, not through `.git`, and, when it
    /// exists, a regular file reached without leaving the root. Returns the
    /// path to write.
    pub fn writable(&self, dir: &Path, path: &Path) -> Result<PathBuf, Refusal> {
        if is_absolute_text(&path.to_string_lossy()) {
            return Err(Refusal::Absolute);
        }
        let target = lexical(&canonical_or_lexical(dir, dir).join(path));
        if !target.starts_with(&self.path) || target == self.path {
            return Err(Refusal::OutsideRoot);
        }
        if through_git(&target, &self.path) {
            return Err(Refusal::GitInternals);
        }
        // the folder it goes into, with its links resolved
        let parent = target.parent().ok_or(Refusal::OutsideRoot)?;
        let real_parent = std::fs::canonicalize(parent).map_err(|_| Refusal::Missing)?;
        if !real_parent.starts_with(&self.path) {
            return Err(Refusal::SymlinkOutside);
        }
        if through_git(&real_parent.join("x"), &self.path) {
            return Err(Refusal::GitInternals);
        }
        let name = target.file_name().ok_or(Refusal::OutsideRoot)?;
        let real = real_parent.join(name);
        match std::fs::symlink_metadata(&real) {
            // a link could point anywhere; an existing special file would block
            Ok(m) if m.file_type().is_symlink() => Err(Refusal::SymlinkOutside),
            Ok(m) if !m.is_file() => Err(Refusal::NotRegularFile),
            _ => Ok(real),
        }
    }

    /// Checks a path the configuration file names for reading
    /// (`parameters-file`, `account-state`), relative to `dir`.
    pub fn readable(&self, dir: &Path, path: &Path) -> Result<PathBuf, Refusal> {
        let text = path.to_string_lossy();
        if is_absolute_text(&text) {
            return Err(Refusal::Absolute);
        }
        // `locate` takes the referring file; any name in `dir` will do
        self.locate(&dir.join(".privnet-lint.yaml"), &text).map(|(_, real)| real)
    }

    /// Checks a file or folder the configuration file names for reading
    /// (`account-state`), relative to `dir`. A folder's files must be
    /// checked with [`Self::contains`] as they are found.
    pub fn readable_entry(&self, dir: &Path, path: &Path) -> Result<PathBuf, Refusal> {
        let text = path.to_string_lossy();
        if is_absolute_text(&text) {
            return Err(Refusal::Absolute);
        }
        self.locate_entry(&dir.join(".privnet-lint.yaml"), &text, true).map(|(_, real)| real)
    }

    /// True when `path`, its symbolic links resolved, is inside the root
    /// and not in `.git` or a system folder.
    pub fn contains(&self, path: &Path) -> bool {
        std::fs::canonicalize(path)
            .is_ok_and(|p| p.starts_with(&self.path) && !through_git(&p, &self.path) && !is_system(&p))
    }

    fn why_missing(&self, lexical_abs: &Path) -> Refusal {
        // a dangling link, or a link into a missing folder outside, is
        // still a link leading out: say so rather than "missing"
        let mut at = PathBuf::new();
        for c in lexical_abs.components() {
            at.push(c);
            if let Ok(m) = std::fs::symlink_metadata(&at)
                && m.file_type().is_symlink()
                && let Ok(target) = std::fs::read_link(&at)
            {
                let resolved = lexical(&at.parent().unwrap_or(Path::new("/")).join(target));
                if !resolved.starts_with(&self.path) {
                    return Refusal::SymlinkOutside;
                }
            }
        }
        Refusal::Missing
    }
}

/// Absolute in any of the forms a template might use: `/x`, `\x`, `~/x`,
/// `C:\x`, `C:/x`, `file:/x`.
fn is_absolute_text(r: &str) -> bool {
    let b = r.as_bytes();
    r.starts_with('/')
        || r.starts_with('\\')
        || r.starts_with('~')
        || r.to_ascii_lowercase().starts_with("file:")
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
        || Path::new(r).is_absolute()
}

/// The kernel's pseudo-files: never read, even with `/` as the root.
fn is_system(path: &Path) -> bool {
    ["/proc", "/sys", "/dev"].iter().any(|p| path.starts_with(p))
}

/// True when `path` (inside `root`) has a `.git` component below the root.
fn through_git(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root).is_ok_and(|rel| rel.components().any(|c| c.as_os_str().eq_ignore_ascii_case(".git")))
}

/// `path` made absolute from `cwd` and canonical when it exists; lexically
/// normalized when it does not.
fn canonical_or_lexical(path: &Path, cwd: &Path) -> PathBuf {
    let abs = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
    std::fs::canonicalize(&abs).unwrap_or_else(|_| lexical(&abs))
}

/// Removes `.` and resolves `..` without touching the disk (`..` above the
/// start is kept, so a relative path that climbs stays visibly climbing).
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.kind().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempdir::Dir, ProjectRoot) {
        let d = tempdir::Dir::new();
        std::fs::create_dir_all(d.path().join("repo/sub")).unwrap();
        std::fs::create_dir_all(d.path().join("repo/.git")).unwrap();
        std::fs::write(d.path().join("repo/.git/config"), "secret").unwrap();
        std::fs::write(d.path().join("repo/parent.yaml"), "Resources: {}").unwrap();
        std::fs::write(d.path().join("repo/sub/child.yaml"), "Resources: {}").unwrap();
        std::fs::write(d.path().join("outside.yaml"), "secret").unwrap();
        let root = ProjectRoot::for_named_in(&d.path().join("repo/parent.yaml"), d.path());
        (d, root)
    }

    #[test]
    fn the_git_work_tree_is_the_root() {
        let (d, root) = tree();
        assert_eq!(root.path(), std::fs::canonicalize(d.path().join("repo")).unwrap());
        // outside a work tree: the working folder when the file is in it
        let plain = ProjectRoot::for_named_in(&d.path().join("outside.yaml"), d.path());
        assert_eq!(plain.path(), std::fs::canonicalize(d.path()).unwrap());
        // else the named file's folder
        let elsewhere = ProjectRoot::for_named_in(&d.path().join("repo/sub/child.yaml"), Path::new("/"));
        assert_eq!(elsewhere.path(), root.path());
    }

    #[test]
    fn references_inside_are_followed() {
        let (d, root) = tree();
        let parent = d.path().join("repo/parent.yaml");
        let f = root.read(&parent, "sub/child.yaml").unwrap();
        assert!(f.shown.ends_with("repo/sub/child.yaml"));
        assert!(root.read(&parent, "./sub/../sub/child.yaml").is_ok());
        assert!(root.read(&d.path().join("repo/sub/child.yaml"), "../parent.yaml").is_ok());
    }

    #[test]
    fn references_out_are_refused() {
        let (d, root) = tree();
        let parent = d.path().join("repo/parent.yaml");
        assert_eq!(root.read(&parent, "/etc/passwd").unwrap_err(), Refusal::Absolute);
        assert_eq!(root.read(&parent, "~/.aws/credentials").unwrap_err(), Refusal::Absolute);
        assert_eq!(root.read(&parent, "C:\\x.yaml").unwrap_err(), Refusal::Absolute);
        assert_eq!(root.read(&parent, "file:///etc/passwd").unwrap_err(), Refusal::Absolute);
        assert_eq!(root.read(&parent, "../outside.yaml").unwrap_err(), Refusal::OutsideRoot);
        assert_eq!(root.read(&parent, "sub/../../outside.yaml").unwrap_err(), Refusal::OutsideRoot);
        assert_eq!(root.read(&parent, "nowhere/../../outside.yaml").unwrap_err(), Refusal::OutsideRoot);
        assert_eq!(root.read(&parent, ".git/config").unwrap_err(), Refusal::GitInternals);
        assert_eq!(root.read(&parent, "sub/../.GIT/config").unwrap_err(), Refusal::GitInternals);
        assert_eq!(root.read(&parent, "sub").unwrap_err(), Refusal::NotRegularFile);
        assert_eq!(root.read(&parent, "missing.yaml").unwrap_err(), Refusal::Missing);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_followed_only_inside() {
        let (d, root) = tree();
        let repo = d.path().join("repo");
        let parent = repo.join("parent.yaml");
        std::os::unix::fs::symlink(d.path().join("outside.yaml"), repo.join("file-out.yaml")).unwrap();
        std::os::unix::fs::symlink(d.path(), repo.join("dir-out")).unwrap();
        std::os::unix::fs::symlink(repo.join("sub/child.yaml"), repo.join("file-in.yaml")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/x", repo.join("dangling.yaml")).unwrap();
        std::os::unix::fs::symlink(repo.join(".git"), repo.join("gitlink")).unwrap();
        assert_eq!(root.read(&parent, "file-out.yaml").unwrap_err(), Refusal::SymlinkOutside);
        assert_eq!(root.read(&parent, "dir-out/outside.yaml").unwrap_err(), Refusal::SymlinkOutside);
        assert_eq!(root.read(&parent, "dangling.yaml").unwrap_err(), Refusal::SymlinkOutside);
        assert_eq!(root.read(&parent, "gitlink/config").unwrap_err(), Refusal::GitInternals);
        assert!(root.read(&parent, "file-in.yaml").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused() {
        let (d, _) = tree();
        let root = ProjectRoot::at(Path::new("/"));
        let parent = d.path().join("x.yaml");
        assert_eq!(root.read(Path::new("/x.yaml"), "proc/self/environ").unwrap_err(), Refusal::SystemFile);
        assert_eq!(root.read(Path::new("/x.yaml"), "dev/null").unwrap_err(), Refusal::SystemFile);
        // a folder is no file either (FIFOs: tests/hostile.rs)
        let root = ProjectRoot::at(d.path());
        assert_eq!(root.read(&parent, "repo").unwrap_err(), Refusal::NotRegularFile);
    }

    #[test]
    fn config_outputs_stay_inside() {
        let (d, root) = tree();
        let repo = d.path().join("repo");
        assert!(root.writable(&repo, Path::new("report.txt")).is_ok());
        assert!(root.writable(&repo, Path::new("sub/report.txt")).is_ok());
        assert_eq!(root.writable(&repo, Path::new("/tmp/x")).unwrap_err(), Refusal::Absolute);
        assert_eq!(root.writable(&repo, Path::new("../x")).unwrap_err(), Refusal::OutsideRoot);
        assert_eq!(root.writable(&repo, Path::new(".git/config")).unwrap_err(), Refusal::GitInternals);
        assert_eq!(root.writable(&repo, Path::new(".")).unwrap_err(), Refusal::OutsideRoot);
        assert_eq!(root.writable(&repo, Path::new("nofolder/x")).unwrap_err(), Refusal::Missing);
        assert!(root.readable(&repo, Path::new("sub/child.yaml")).is_ok());
        assert_eq!(root.readable(&repo, Path::new("../outside.yaml")).unwrap_err(), Refusal::OutsideRoot);
    }

    #[test]
    fn lexical_normalization() {
        assert_eq!(lexical(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(lexical(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(lexical(Path::new("/../a")), PathBuf::from("/a"));
    }

    /// A temporary folder removed on drop (no extra dependency for one use).
    mod tempdir {
        use std::path::{Path, PathBuf};
        use std::sync::atomic::{AtomicUsize, Ordering};

        pub struct Dir(PathBuf);
        static N: AtomicUsize = AtomicUsize::new(0);
        impl Dir {
            pub fn new() -> Dir {
                let p = std::env::temp_dir().join(format!(
                    "privnet-lint-project-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                ));
                let _ = std::fs::remove_dir_all(&p);
                std::fs::create_dir_all(&p).unwrap();
                Dir(std::fs::canonicalize(&p).unwrap())
            }
            pub fn path(&self) -> &Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
