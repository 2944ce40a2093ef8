//! The configuration file, `.privnet-lint.yaml`: the command-line options
//! as keys, plus `regions`, per-file `parameters` and `exclude` globs.
//!
//! It is read with the crate's own spanned loader ([`crate::source::parse`]),
//! so every mistake in it (an unknown key, a value of the wrong shape, a rule
//! that does not exist) is reported with its `file:line:col`. Relative paths
//! and globs in it are relative to the folder the file is in.
//!
//! ```yaml
//! regions: [us-east-1, eu-west-1]
//! fail-on: warning
//! ignore: [PN204]
//! exclude: [vendor, "templates/legacy/**"]
//! account-state: state/            # saved AWS CLI outputs (SPEC §7)
//! parameters:
//!   VpcCidr: 10.0.0.0/16          # every template
//!   "prod/*.yaml":                # templates matching the glob
//!     Environment: prod
//! ```

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::finding::{Code, Severity};
use crate::source::{self, Node, Span, Value};

/// The name looked for, upward from the working directory.
pub const FILE_NAME: &str = ".privnet-lint.yaml";

/// Every key the file may have, in the order the README documents them.
pub const KEYS: &[&str] = &[
    "format",
    "output",
    "regions",
    "region",
    "parameters",
    "parameters-file",
    "account-state",
    "select",
    "ignore",
    "fail-on",
    "no-color",
    "quiet",
    "exclude",
    "skip-non-templates",
];

/// A value and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where it is, for error messages.
    pub span: Span,
}

/// A file glob, matched against paths relative to the config file's folder.
///
/// A pattern without `/` matches a file name or any folder name on the way
/// (`vendor`, `*.json`), like a `.gitignore` line; a pattern with `/` matches
/// the whole relative path or one of its parent folders (`templates/legacy`,
/// `prod/*.yaml`, `**/generated/*`).
#[derive(Clone, Debug)]
pub struct Glob {
    /// The pattern as written.
    pub text: Setting<String>,
    pattern: glob::Pattern,
}

const MATCH: glob::MatchOptions =
    glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: false };

impl Glob {
    fn new(text: Setting<String>) -> Result<Glob, String> {
        let trimmed = text.value.trim().trim_start_matches("./").trim_end_matches('/');
        let pattern =
            glob::Pattern::new(trimmed).map_err(|e| format!("`{}` is not a valid glob: {}", text.value, e.msg))?;
        Ok(Glob { text, pattern })
    }

    /// True when `relative` (a path relative to the config file's folder,
    /// `/`-separated) or one of its parent folders matches.
    pub fn matches(&self, relative: &str) -> bool {
        let parts: Vec<&str> = relative.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        if !self.pattern.as_str().contains('/') {
            return parts.iter().any(|p| self.pattern.matches_with(p, MATCH));
        }
        (1..=parts.len()).any(|n| self.pattern.matches_with(&parts[..n].join("/"), MATCH))
    }
}

/// Parameter values for the templates a glob matches (`None`: every template).
#[derive(Clone, Debug)]
pub struct ParameterRule {
    /// Which templates; `None` for a value given at the top of `parameters`.
    pub files: Option<Glob>,
    /// Parameter name → value.
    pub values: BTreeMap<String, String>,
}

/// A configuration file, read and checked.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file, as shown in messages.
    pub path: String,
    /// The folder relative paths and globs start from.
    pub dir: PathBuf,
    /// `format`: an output format name (checked by the command line).
    pub format: Option<Setting<String>>,
    /// `output`: where to write the report (relative to [`Config::dir`]).
    pub output: Option<Setting<PathBuf>>,
    /// `regions` (or `region`): region names, or `all`.
    pub regions: Vec<Setting<String>>,
    /// `parameters`, in file order (later rules win).
    pub parameters: Vec<ParameterRule>,
    /// `parameters-file` (relative to [`Config::dir`]).
    pub parameters_file: Option<Setting<PathBuf>>,
    /// `account-state`: saved AWS CLI outputs, files or folders (relative
    /// to [`Config::dir`]).
    pub account_state: Vec<Setting<PathBuf>>,
    /// `select`: report only these rules.
    pub select: Vec<Code>,
    /// `ignore`: never report these rules.
    pub ignore: Vec<Code>,
    /// `fail-on`: the lowest severity that fails the run; `Some(None)` is `never`.
    pub fail_on: Option<Option<Severity>>,
    /// `no-color`.
    pub no_color: Option<bool>,
    /// `quiet`.
    pub quiet: Option<bool>,
    /// `exclude`: files and folders never linted.
    pub exclude: Vec<Glob>,
    /// `skip-non-templates`: named files that are not templates are skipped.
    pub skip_non_templates: Option<bool>,
}

/// A configuration file that cannot be used (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// 1-based line and column, when the mistake has a place.
    pub location: Option<(u32, u32)>,
    /// What is wrong.
    pub message: String,
}

/// Looks for [`FILE_NAME`] in `start` and each of its parent folders.
pub fn find(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// Reads and checks the configuration file at `path` (`cwd` makes a
/// relative path absolute, for the folder globs are relative to).
pub fn load(path: &Path, cwd: &Path) -> Result<Config, ConfigError> {
    let shown = path.display().to_string();
    let error = |message: String| ConfigError { path: shown.clone(), location: None, message };
    let meta = std::fs::metadata(path).map_err(|e| error(format!("cannot read the config file: {}", describe(&e))))?;
    if !meta.is_file() {
        return Err(error("the config file is not a regular file".into()));
    }
    if meta.len() > 1024 * 1024 {
        return Err(error("the config file is over 1 MiB".into()));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| error(format!("cannot read the config file: {}", describe(&e))))?;
    let dir = normalize(&cwd.join(path)).parent().map(Path::to_path_buf).unwrap_or_else(|| cwd.to_path_buf());
    parse(&shown, dir, &text)
}

fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Removes `.` and resolves `..` components without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

struct Reader<'a> {
    path: &'a str,
}

impl Reader<'_> {
    fn err(&self, span: Span, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path.to_string(),
            location: Some((span.start.line.max(1), span.start.column.max(1))),
            message: message.into(),
        }
    }

    fn string(&self, key: &str, node: &Node) -> Result<Setting<String>, ConfigError> {
        match node.scalar_text() {
            Some(s) if !s.trim().is_empty() => Ok(Setting { value: s.trim().to_string(), span: node.span }),
            _ => Err(self.err(node.span, format!("`{key}` must be a non-empty text value"))),
        }
    }

    fn bool(&self, key: &str, node: &Node) -> Result<bool, ConfigError> {
        match node.value {
            Value::Bool(b) => Ok(b),
            _ => Err(self.err(node.span, format!("`{key}` must be true or false"))),
        }
    }

    /// A list, or one value standing for a one-item list.
    fn strings(&self, key: &str, node: &Node) -> Result<Vec<Setting<String>>, ConfigError> {
        match node.as_seq() {
            Some(items) => items.iter().map(|i| self.string(key, i)).collect(),
            None => Ok(vec![self.string(key, node)?]),
        }
    }

    fn codes(&self, key: &str, node: &Node) -> Result<Vec<Code>, ConfigError> {
        self.strings(key, node)?
            .into_iter()
            .flat_map(|s| {
                // `PN201, PN202` written as one value is a list too
                let span = s.span;
                s.value.split(',').map(|p| (p.trim().to_string(), span)).collect::<Vec<_>>()
            })
            .filter(|(p, _)| !p.is_empty())
            .map(|(p, span)| {
                Code::lookup(&p)
                    .ok_or_else(|| self.err(span, format!("`{key}`: no rule `{p}`; `privnet-lint rules` lists them")))
            })
            .collect()
    }

    fn parameters(&self, node: &Node) -> Result<Vec<ParameterRule>, ConfigError> {
        let entries = node.as_map().ok_or_else(|| {
            self.err(node.span, "`parameters` must map parameter names to values, or file globs to such mappings")
        })?;
        let mut global = BTreeMap::new();
        let mut rules = Vec::new();
        for e in entries {
            if let Some(values) = e.value.as_map() {
                let glob = Glob::new(Setting { value: e.key.clone(), span: e.key_span })
                    .map_err(|m| self.err(e.key_span, format!("`parameters`: {m}")))?;
                let mut map = BTreeMap::new();
                for v in values {
                    let text = v.value.scalar_text().ok_or_else(|| {
                        self.err(
                            v.value.span,
                            format!("parameter `{}` must have a text, number or boolean value", v.key),
                        )
                    })?;
                    map.insert(v.key.clone(), text);
                }
                rules.push(ParameterRule { files: Some(glob), values: map });
            } else {
                let text = e.value.scalar_text().ok_or_else(|| {
                    self.err(
                        e.value.span,
                        format!(
                            "parameter `{}` must have a text, number or boolean value (or, for a file glob, a mapping)",
                            e.key
                        ),
                    )
                })?;
                global.insert(e.key.clone(), text);
            }
        }
        if !global.is_empty() {
            // values for every template come first: a glob's values win over them
            rules.insert(0, ParameterRule { files: None, values: global });
        }
        Ok(rules)
    }
}

/// Checks configuration text read from `path` (shown in messages), whose
/// relative paths and globs start at `dir`.
pub fn parse(path: &str, dir: PathBuf, text: &str) -> Result<Config, ConfigError> {
    let r = Reader { path };
    // the `.yaml` name keeps a config that happens to start with `{` YAML
    let doc = source::parse(Some(FILE_NAME), source::strip_bom(text));
    if let Some(f) = doc.findings.iter().find(|f| matches!(f.code, Code::PN001 | Code::PN002)) {
        let span = f.span.unwrap_or_default();
        return Err(r.err(span, f.message.clone()));
    }
    let mut config = Config { path: path.to_string(), dir, ..Config::default() };
    let Some(root) = doc.root else { return Ok(config) };
    if matches!(root.value, Value::Null) {
        return Ok(config);
    }
    let entries = root.as_map().ok_or_else(|| r.err(root.span, "the config file must be a mapping of option names"))?;
    if entries.iter().any(|e| e.key == "region") && entries.iter().any(|e| e.key == "regions") {
        let second = entries.iter().filter(|e| e.key == "region" || e.key == "regions").nth(1);
        return Err(r.err(second.map(|e| e.key_span).unwrap_or_default(), "give `regions` or `region`, not both"));
    }
    for e in entries {
        let v = &e.value;
        match e.key.as_str() {
            "format" => config.format = Some(r.string("format", v)?),
            "output" => {
                let s = r.string("output", v)?;
                config.output = Some(Setting { value: PathBuf::from(s.value), span: s.span });
            }
            "regions" | "region" => config.regions = r.strings(&e.key, v)?,
            "parameters" => config.parameters = r.parameters(v)?,
            "parameters-file" => {
                let s = r.string("parameters-file", v)?;
                config.parameters_file = Some(Setting { value: PathBuf::from(s.value), span: s.span });
            }
            "account-state" => {
                config.account_state = r
                    .strings("account-state", v)?
                    .into_iter()
                    .map(|s| Setting { value: PathBuf::from(s.value), span: s.span })
                    .collect();
            }
            "select" => config.select = r.codes("select", v)?,
            "ignore" => config.ignore = r.codes("ignore", v)?,
            "fail-on" => {
                let s = r.string("fail-on", v)?;
                config.fail_on = Some(match s.value.as_str() {
                    "error" => Some(Severity::Error),
                    "warning" => Some(Severity::Warning),
                    "note" => Some(Severity::Note),
                    "never" => None,
                    other => {
                        return Err(
                            r.err(s.span, format!("`fail-on: {other}`: expected error, warning, note or never"))
                        );
                    }
                });
            }
            "no-color" => config.no_color = Some(r.bool("no-color", v)?),
            "quiet" => config.quiet = Some(r.bool("quiet", v)?),
            "skip-non-templates" => config.skip_non_templates = Some(r.bool("skip-non-templates", v)?),
            "exclude" => {
                config.exclude = r
                    .strings("exclude", v)?
                    .into_iter()
                    .map(|s| {
                        let span = s.span;
                        Glob::new(s).map_err(|m| r.err(span, format!("`exclude`: {m}")))
                    })
                    .collect::<Result<_, _>>()?;
            }
            other => {
                let hint = suggestion(other).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
                return Err(r.err(e.key_span, format!("unknown key `{other}`{hint} (known keys: {})", KEYS.join(", "))));
            }
        }
    }
    Ok(config)
}

/// The known key closest to a misspelt one (`fail_on` → `fail-on`).
fn suggestion(key: &str) -> Option<&'static str> {
    let folded = key.to_ascii_lowercase().replace('_', "-");
    KEYS.iter().copied().find(|k| *k == folded || k.trim_end_matches('s') == folded.trim_end_matches('s'))
}

impl Config {
    /// `path:line:col` of a value in this file, for messages about it.
    pub fn at(&self, span: Span) -> String {
        format!("{}:{}:{}", self.path, span.start.line.max(1), span.start.column.max(1))
    }

    /// A path written in the file, made usable from the working directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() { p.to_path_buf() } else { self.dir.join(p) }
    }

    /// `file` (as given on the command line) relative to the config file's
    /// folder, `/`-separated; `None` when it is outside that folder.
    pub fn relative(&self, file: &Path, cwd: &Path) -> Option<String> {
        let abs = normalize(&cwd.join(file));
        let rel = abs.strip_prefix(&self.dir).ok()?;
        Some(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
    }

    /// True when `file` matches an `exclude` glob.
    pub fn excludes(&self, file: &Path, cwd: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let rel = self
            .relative(file, cwd)
            .unwrap_or_else(|| file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
        self.exclude.iter().any(|g| g.matches(&rel))
    }

    /// The parameter values for `file` (`None`: standard input): the values
    /// for every template, then those of each matching glob in file order.
    pub fn parameters_for(&self, file: Option<&Path>, cwd: &Path) -> BTreeMap<String, String> {
        let rel = file.and_then(|f| self.relative(f, cwd));
        let mut out = BTreeMap::new();
        for rule in &self.parameters {
            let applies = match (&rule.files, &rel) {
                (None, _) => true,
                (Some(g), Some(rel)) => g.matches(rel),
                (Some(_), None) => false,
            };
            if applies {
                out.extend(rule.values.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Result<Config, ConfigError> {
        parse(".privnet-lint.yaml", PathBuf::from("/repo"), text)
    }

    #[test]
    fn every_key() {
        let c = cfg("format: github\noutput: out.txt\nregions: [us-east-1, eu-west-1]\nparameters-file: p.json\n\
                     account-state: [state, more/eu-west-1.json]\n\
                     select: [PN101, no-route-to-ssm]\nignore: PN204\nfail-on: never\nno-color: true\nquiet: false\n\
                     exclude: [vendor]\nparameters:\n  A: 1\n  \"prod/*.yaml\":\n    A: 2\n")
        .unwrap();
        assert_eq!(c.format.as_ref().map(|f| f.value.as_str()), Some("github"));
        assert_eq!(c.regions.len(), 2);
        let state: Vec<PathBuf> = c.account_state.iter().map(|s| c.resolve(&s.value)).collect();
        assert_eq!(state, vec![PathBuf::from("/repo/state"), PathBuf::from("/repo/more/eu-west-1.json")]);
        assert_eq!(cfg("account-state: state\n").unwrap().account_state.len(), 1);
        assert!(cfg("account-state: {a: 1}\n").is_err());
        assert_eq!(c.select, vec![Code::PN101, Code::PN103]);
        assert_eq!(c.ignore, vec![Code::PN204]);
        assert_eq!(c.fail_on, Some(None));
        assert_eq!((c.no_color, c.quiet), (Some(true), Some(false)));
        let cwd = Path::new("/repo");
        assert_eq!(c.parameters_for(Some(Path::new("prod/a.yaml")), cwd)["A"], "2");
        assert_eq!(c.parameters_for(Some(Path::new("dev/a.yaml")), cwd)["A"], "1");
        assert_eq!(c.parameters_for(None, cwd)["A"], "1");
    }

    #[test]
    fn mistakes_have_their_location() {
        let e = cfg("regions: [us-east-1]\nfail_on: error\n").unwrap_err();
        assert_eq!(e.location, Some((2, 1)));
        assert!(e.message.contains("unknown key `fail_on`; did you mean `fail-on`?"), "{e}");
        assert_eq!(e.to_string().lines().count(), 1);
        let e = cfg("ignore:\n  - PN204\n  - no-such-rule\n").unwrap_err();
        assert_eq!(e.location, Some((3, 5)));
        let e = cfg("fail-on: sometimes\n").unwrap_err();
        assert_eq!(e.location, Some((1, 10)));
        let e = cfg("quiet: 3\n").unwrap_err();
        assert!(e.message.contains("true or false"));
        let e = cfg("a: [\n").unwrap_err();
        assert!(e.location.is_some());
        let e = cfg("quiet: true\nquiet: false\n").unwrap_err();
        assert_eq!(e.location.map(|l| l.0), Some(2), "duplicate key: {e}");
        assert!(cfg("- a\n").is_err());
        assert!(cfg("exclude: ['[']\n").is_err());
    }

    #[test]
    fn empty_files_are_empty_configs() {
        assert!(cfg("").unwrap().regions.is_empty());
        assert!(cfg("# nothing\n").unwrap().exclude.is_empty());
    }

    #[test]
    fn globs() {
        let g = |p: &str| Glob::new(Setting { value: p.to_string(), span: Span::default() }).unwrap();
        assert!(g("vendor").matches("a/vendor/x.yaml"));
        assert!(g("*.json").matches("a/b.json"));
        assert!(!g("*.json").matches("a/b.yaml"));
        assert!(g("templates/legacy").matches("templates/legacy/x.yaml"));
        assert!(g("templates/legacy/").matches("templates/legacy/x.yaml"));
        assert!(!g("templates/legacy").matches("other/templates/legacy/x.yaml"));
        assert!(g("**/legacy/*.yaml").matches("other/templates/legacy/x.yaml"));
        assert!(g("prod/*.yaml").matches("prod/a.yaml"));
        assert!(!g("prod/*.yaml").matches("prod/sub/a.yaml"));
        assert!(g("./prod/**").matches("prod/sub/a.yaml"));
    }

    #[test]
    fn paths_relative_to_the_config_folder() {
        let c = Config { dir: PathBuf::from("/repo"), ..Config::default() };
        assert_eq!(c.relative(Path::new("sub/../a.yaml"), Path::new("/repo/x")).as_deref(), Some("x/a.yaml"));
        assert_eq!(c.relative(Path::new("/elsewhere/a.yaml"), Path::new("/repo")), None);
    }
}
