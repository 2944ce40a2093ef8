//! CDK cloud assemblies (SPEC §8) as an input source: a `cdk.out` folder
//! becomes the lint inputs of its stacks, each with the stack's name and
//! the region of its environment, and the findings about its manifests.
//!
//! `cdk synth` writes a cloud assembly: `manifest.json` lists the stacks
//! (their template files), and each CDK Stage is a nested assembly in a
//! folder of its own (`assembly-Prod/manifest.json`). Nested stacks are
//! templates next to their parent's, named by the `aws:asset:path`
//! metadata of the `AWS::CloudFormation::Stack` resource; the nested-stack
//! reader follows them ([`crate::stacks`]). All the stacks of the run are
//! linted together, so the `Fn::ImportValue`s and `Fn::GetStackOutput`s
//! CDK writes for cross-stack references resolve.
//!
//! An assembly in a pull request is written by whoever opened it. Every
//! file a manifest names (`templateFile`, `directoryName`) is opened
//! through [`ProjectRoot::read`] (relative, inside the project root, no
//! link leading out, no `.git`, a regular file within the size limit);
//! nested assemblies and stacks are bounded ([`BOUNDS`]); a manifest that
//! is not the schema is a finding on it ([`manifest`]), never a crash.

pub mod manifest;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::finding::{Code, Finding};
use crate::lint::Input;
use crate::project::ProjectRoot;
use manifest::{Artifact, Environment};

/// The manifest's file name in an assembly folder.
pub const MANIFEST: &str = "manifest.json";
/// The version marker `cdk synth` writes next to every manifest.
pub const MARKER: &str = "cdk.out";

/// How much of an assembly is read, whatever its manifests say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Levels of nested assemblies (Stages in Stages) below the top one.
    pub depth: usize,
    /// Manifests read in all.
    pub assemblies: usize,
    /// Stack templates read in all.
    pub stacks: usize,
    /// Bytes of stack templates read in all.
    pub bytes: u64,
}

/// Four levels of Stages, 64 manifests, 256 stacks and 256 MiB of
/// templates: CloudFormation accepts templates of 1 MB, so a real app stays
/// far below (a stack's nested stacks have their own bounds,
/// [`crate::stacks::BOUNDS`]).
pub const BOUNDS: Bounds = Bounds { depth: 4, assemblies: 64, stacks: 256, bytes: 256 * 1024 * 1024 };

/// A manifest with something to say.
#[derive(Clone, Debug)]
pub struct ManifestReport {
    /// The manifest, as shown.
    pub path: String,
    /// Its text (empty when it could not be read).
    pub text: Arc<str>,
    /// What is wrong with it, or what it names that was not read.
    pub findings: Vec<Finding>,
}

/// A cloud assembly read: its stacks to lint and its manifests' findings.
#[derive(Clone, Debug, Default)]
pub struct Assembly {
    /// Every stack of the assembly and of its nested assemblies, in
    /// manifest order, with its name and region.
    pub stacks: Vec<Input>,
    /// Manifests with findings.
    pub manifests: Vec<ManifestReport>,
}

/// True when `dir` holds a cloud assembly that `cdk synth` wrote: a
/// `manifest.json` and the `cdk.out` version marker next to it (or a
/// `manifest.json` in a folder named `cdk.out`). Used when
/// walking folders; a folder named on the command line only needs the
/// manifest ([`is_named_assembly`]).
pub fn is_assembly(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file() && (dir.join(MARKER).is_file() || dir.file_name().is_some_and(|n| n == MARKER))
}

/// True when a folder named on the command line is an assembly: it has a
/// `manifest.json`.
pub fn is_named_assembly(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// True when `dir` is a CDK project folder: it has the `cdk.json` that
/// `cdk init` writes. Its cloud assembly (`cdk.out/`, or the `output`
/// folder `cdk.json` names) is found by walking it.
pub fn is_project(dir: &Path) -> bool {
    dir.join("cdk.json").is_file()
}

/// Reads the assembly in `dir` (as shown), every file through `root`.
pub fn read(dir: &Path, root: &ProjectRoot) -> Assembly {
    let mut r = Reader { root, out: Assembly::default(), seen: HashSet::new(), manifests: 0, stacks: 0, bytes: 0 };
    // the top manifest is named by the folder the user gave, and still goes
    // through the gate: a committed `manifest.json` may be a link anywhere
    r.assembly(&dir.join(MANIFEST), MANIFEST, None, BOUNDS.depth);
    r.out
}

struct Reader<'a> {
    root: &'a ProjectRoot,
    out: Assembly,
    /// Manifests and templates already read (as shown).
    seen: HashSet<PathBuf>,
    manifests: usize,
    stacks: usize,
    bytes: u64,
}

/// PN009 on the node of a manifest that names a file not read.
fn not_followed(span: crate::source::Span, what: &str, reference: &str, why: &str) -> Finding {
    Finding::new(Code::PN009, Some(span), format!("{what} `{reference}` was not read: {why}")).fix(
        "privnet-lint reads only files inside the project root (the git work tree of what you name on the command \
         line). Regenerate the cloud assembly with `cdk synth` inside the repository.",
    )
}

impl Reader<'_> {
    fn report(&mut self, path: &Path, text: &Arc<str>, finding: Finding) {
        let shown = path.display().to_string();
        match self.out.manifests.iter_mut().find(|m| m.path == shown) {
            Some(m) => m.findings.push(finding),
            None => {
                self.out.manifests.push(ManifestReport { path: shown, text: text.clone(), findings: vec![finding] })
            }
        }
    }

    /// Reads the manifest `reference` names from `from`; `parent` is the
    /// manifest and node that named it (`None` for the top one).
    fn assembly(
        &mut self,
        from: &Path,
        reference: &str,
        parent: Option<(&Path, &Arc<str>, crate::source::Span)>,
        depth: usize,
    ) {
        let file = match self.root.read(from, reference) {
            Ok(f) => f,
            Err(why) => {
                let why = why.to_string();
                match parent {
                    Some((path, text, span)) => {
                        let f = not_followed(span, "nested cloud assembly", reference, &why);
                        self.report(path, text, f);
                    }
                    None => {
                        let at = crate::source::Pos { line: 1, column: 1, offset: 0 };
                        let f = Finding::new(
                            Code::PN001,
                            Some(crate::source::Span { start: at, end: at }),
                            format!("the cloud assembly manifest was not read: {why}"),
                        );
                        let shown = crate::project::lexical(&from.parent().unwrap_or(Path::new("")).join(reference));
                        self.report(&shown, &Arc::from(""), f);
                    }
                }
                return;
            }
        };
        if !self.seen.insert(file.shown.clone()) {
            return;
        }
        self.manifests += 1;
        let text: Arc<str> = Arc::from(file.text.as_str());
        let shown = file.shown.display().to_string();
        let m = manifest::read(&shown, &text);
        for f in m.findings {
            self.report(&file.shown, &text, f);
        }
        for a in m.artifacts {
            match a {
                Artifact::Stack { template_file, span, stack_name, environment, .. } => {
                    self.stack(&file.shown, &text, &template_file, span, stack_name, environment);
                }
                Artifact::Assembly { directory, span, .. } => {
                    let bounded = if depth == 0 {
                        Some(format!(
                            "nested cloud assemblies are followed {} levels deep, and this one is deeper",
                            BOUNDS.depth
                        ))
                    } else if self.manifests >= BOUNDS.assemblies {
                        Some(format!(
                            "one run reads at most {} cloud assembly manifests, and this one is past that",
                            BOUNDS.assemblies
                        ))
                    } else {
                        None
                    };
                    match bounded {
                        Some(why) => {
                            let f = not_followed(
                                span,
                                "nested cloud assembly",
                                &directory,
                                &format!("{why}; its stacks are not analyzed"),
                            );
                            self.report(&file.shown, &text, f);
                        }
                        None => {
                            let nested = format!("{}/{MANIFEST}", directory.trim_end_matches('/'));
                            self.assembly(&file.shown, &nested, Some((&file.shown, &text, span)), depth - 1);
                        }
                    }
                }
            }
        }
    }

    fn stack(
        &mut self,
        manifest: &Path,
        text: &Arc<str>,
        template: &str,
        span: crate::source::Span,
        stack_name: String,
        environment: Environment,
    ) {
        if self.stacks >= BOUNDS.stacks || self.bytes >= BOUNDS.bytes {
            let why = format!(
                "one run reads at most {} stack templates and {} MiB of them, and this one is past that; the stack is not analyzed",
                BOUNDS.stacks,
                BOUNDS.bytes / (1024 * 1024)
            );
            self.report(manifest, text, not_followed(span, "stack template", template, &why));
            return;
        }
        let file = match self.root.read(manifest, template) {
            Ok(f) => f,
            Err(why) => {
                let f = not_followed(span, "stack template", template, &format!("{why}; the stack is not analyzed"));
                self.report(manifest, text, f);
                return;
            }
        };
        if !self.seen.insert(file.shown.clone()) {
            return;
        }
        self.stacks += 1;
        self.bytes += file.text.len() as u64;
        let region = match environment {
            Environment::Region(r) => Some(r),
            Environment::Agnostic => None,
        };
        self.out.stacks.push(Input {
            path: file.shown.display().to_string(),
            text: file.text,
            found: false,
            root: Some(self.root.clone()),
            stack_name: Some(stack_name),
            region,
        });
    }
}
