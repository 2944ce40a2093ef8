//! The effective options of a lint run: the configuration file's values,
//! overridden by the command line's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::ValueEnum;

use super::UsageError;
use super::args::{self, Format, LintArgs};
use crate::analyzed_region::RegionSource;
use crate::config::{self, Config};
use crate::finding::{Code, Severity};
use crate::project::{ProjectRoot, Refusal};
use crate::state::AccountState;

/// What a lint run does.
#[derive(Debug)]
pub struct Settings {
    /// Output format.
    pub format: Format,
    /// Where the report goes (`None`: standard output).
    pub output: Option<PathBuf>,
    /// The SARIF analysis category (`--sarif-category`).
    pub sarif_category: String,
    /// Regions, validated.
    pub regions: Vec<String>,
    /// Where they came from.
    pub region_source: RegionSource,
    /// `--stack-name FILE=NAME`.
    pub stack_names: Vec<(PathBuf, String)>,
    /// Report only these rules (empty: all).
    pub select: Vec<Code>,
    /// Never report these rules.
    pub ignore: Vec<Code>,
    /// Lowest severity that makes the exit code 1 (`None`: never).
    pub fail_on: Option<Severity>,
    /// `--no-color` or `no-color: true`.
    pub no_color: bool,
    /// `-q` or `quiet: true`.
    pub quiet: bool,
    /// `--skip-non-templates` or `skip-non-templates: true`.
    pub skip_non_templates: bool,
    /// `--account-state` paths, else the config's `account-state` (resolved
    /// against its folder); empty: no account state.
    pub account_state: Vec<PathBuf>,
    /// The project root the config's `account-state` folders must keep
    /// their files in (`None`: the paths come from the command line).
    account_state_root: Option<ProjectRoot>,
    /// The configuration file, if one was used.
    pub config: Option<Config>,
    /// Parameters that apply to every file and win over the config's
    /// per-file ones: the command line's, else the config's `parameters-file`.
    base_parameters: BTreeMap<String, String>,
    /// Parameters from the command line (win over everything).
    cli_parameters: BTreeMap<String, String>,
    cwd: PathBuf,
}

fn located(config: &Config, span: crate::source::Span, message: impl std::fmt::Display) -> UsageError {
    UsageError(format!("config {}: {message}", config.at(span)))
}

/// A path the configuration file names, checked against the project root
/// of the configuration file (its git work tree, else its folder): a path
/// outside it, through `.git` or through a symbolic link leading out is
/// refused (exit 2). `write`: a file to create or overwrite.
fn contained(
    c: &Config,
    key: &str,
    path: &Path,
    span: crate::source::Span,
    cwd: &Path,
    write: bool,
) -> Result<PathBuf, UsageError> {
    let root = config_root(c, cwd);
    let checked = if write { root.writable(&c.dir, path) } else { root.readable(&c.dir, path) };
    if !write && checked == Err(Refusal::Missing) {
        // not a question of containment: the reader says it is missing
        return Ok(c.dir.join(path));
    }
    checked.map_err(|why| {
        let why = match why {
            Refusal::Missing if write => "its folder does not exist".to_string(),
            other => other.to_string(),
        };
        located(
            c,
            span,
            format!(
                "`{key}: {}` is refused: {why}. A configuration file may name only files inside the project root ({}); \
                 only the command line may name a file elsewhere",
                path.display(),
                root.path().display()
            ),
        )
    })
}

/// The project root of a configuration file's paths: its git work tree,
/// else its folder.
fn config_root(c: &Config, cwd: &Path) -> ProjectRoot {
    ProjectRoot::for_named_in(&c.dir.join(config::FILE_NAME), cwd)
}

/// [`contained`] for `account-state`, which may name a folder.
fn contained_entry(c: &Config, path: &Path, span: crate::source::Span, cwd: &Path) -> Result<PathBuf, UsageError> {
    let root = config_root(c, cwd);
    match root.readable_entry(&c.dir, path) {
        Ok(p) => Ok(p),
        // the state reader says it is missing, with its own wording
        Err(Refusal::Missing) => Ok(c.dir.join(path)),
        Err(why) => Err(located(
            c,
            span,
            format!(
                "`account-state: {}` is refused: {why}. A configuration file may name only files inside the project root ({}); \
                 only the command line may name a file elsewhere",
                path.display(),
                root.path().display()
            ),
        )),
    }
}

/// Finds and reads the configuration file the arguments ask for.
fn load_config(a: &LintArgs, cwd: &Path) -> Result<Option<Config>, UsageError> {
    if a.no_config {
        return Ok(None);
    }
    let path = match &a.config {
        Some(p) => p.clone(),
        None => match config::find(cwd) {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    // a file found in the working directory is shown by its name
    let shown = path.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(path);
    config::load(&shown, cwd).map(Some).map_err(|e| UsageError(format!("config {e}")))
}

impl Settings {
    /// Merges the configuration file (found upward from `cwd`, or
    /// `--config`) and the command line, which wins.
    pub fn new(a: &LintArgs, cwd: &Path) -> Result<Settings, UsageError> {
        let config = load_config(a, cwd)?;
        let c = config.as_ref();
        let format = match (a.format, c.and_then(|c| c.format.as_ref().map(|f| (c, f)))) {
            (Some(f), _) => f,
            (None, Some((c, s))) => Format::from_str(&s.value, true).map_err(|_| {
                let names: Vec<String> = Format::value_variants()
                    .iter()
                    .filter_map(|v| v.to_possible_value())
                    .map(|v| v.get_name().to_string())
                    .collect();
                located(c, s.span, format!("`format: {}`: expected one of {}", s.value, names.join(", ")))
            })?,
            (None, None) => Format::Human,
        };
        // only the command line may name a file outside the project root:
        // the config file is repository content (SECURITY in the README)
        let output = match (&a.output, c.and_then(|c| c.output.as_ref().map(|o| (c, o)))) {
            (Some(o), _) => Some(o.clone()),
            (None, Some((c, o))) => Some(contained(c, "output", &o.value, o.span, cwd, true)?),
            (None, None) => None,
        };
        let (regions, region_source) = match c.filter(|c| !c.regions.is_empty()) {
            Some(c) if a.region.is_empty() => {
                let mut list: Vec<String> = Vec::new();
                for r in &c.regions {
                    for name in args::regions(std::slice::from_ref(&r.value)).map_err(|e| located(c, r.span, e))?.0 {
                        if !list.contains(&name) {
                            list.push(name);
                        }
                    }
                }
                (list, RegionSource::Config)
            }
            _ => args::regions(&a.region)?,
        };
        let select =
            if a.select.is_empty() { c.map(|c| c.select.clone()).unwrap_or_default() } else { a.codes(&a.select)? };
        let ignore =
            if a.ignore.is_empty() { c.map(|c| c.ignore.clone()).unwrap_or_default() } else { a.codes(&a.ignore)? };
        let fail_on = match (a.fail_on, c.and_then(|c| c.fail_on)) {
            (Some(f), _) => f.threshold(),
            (None, Some(t)) => t,
            (None, None) => Some(Severity::Error),
        };
        let mut base_parameters = BTreeMap::new();
        if let Some(c) = c
            && let Some(file) = &c.parameters_file
        {
            let path = contained(c, "parameters-file", &file.value, file.span, cwd, false)?;
            base_parameters = args::read_parameters_file(&path).map_err(|e| located(c, file.span, e))?;
        }
        // the command line's paths replace the config's, as for other options
        let (account_state, account_state_root) = match c {
            Some(c) if a.account_state.is_empty() && !c.account_state.is_empty() => {
                // repository content: inside the project root, as for every config path
                let mut paths = Vec::new();
                for s in &c.account_state {
                    paths.push(contained_entry(c, &s.value, s.span, cwd)?);
                }
                (paths, Some(config_root(c, cwd)))
            }
            _ => (a.account_state.clone(), None),
        };
        let mut cli_parameters = BTreeMap::new();
        if let Some(p) = &a.parameters_file {
            cli_parameters.extend(args::read_parameters_file(p)?);
        }
        cli_parameters.extend(a.parameter_values()?);
        let sarif_category = match a.sarif_category.as_deref().map(str::trim) {
            Some("") => return Err(UsageError("`--sarif-category` is empty".into())),
            Some(c) => c.to_string(),
            None => crate::report::sarif::DEFAULT_CATEGORY.to_string(),
        };
        Ok(Settings {
            format,
            output,
            sarif_category,
            regions,
            region_source,
            stack_names: a.stack_names()?,
            select,
            ignore,
            fail_on,
            no_color: a.no_color || c.and_then(|c| c.no_color).unwrap_or(false),
            quiet: a.quiet || c.and_then(|c| c.quiet).unwrap_or(false),
            skip_non_templates: a.skip_non_templates || c.and_then(|c| c.skip_non_templates).unwrap_or(false),
            account_state,
            account_state_root,
            config,
            base_parameters,
            cli_parameters,
            cwd: cwd.to_path_buf(),
        })
    }

    /// True when the config file excludes `path`.
    pub fn excluded(&self, path: &Path) -> bool {
        self.config.as_ref().is_some_and(|c| c.excludes(path, &self.cwd))
    }

    /// The parameter values for one file (`None`: standard input): the
    /// config's `parameters-file`, its `parameters` (for every template, then
    /// per glob), then `--parameters-file` and `-p`.
    pub fn parameters_for(&self, file: Option<&Path>) -> BTreeMap<String, String> {
        let mut out = self.base_parameters.clone();
        if let Some(c) = &self.config {
            out.extend(c.parameters_for(file, &self.cwd));
        }
        out.extend(self.cli_parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    /// Reads the account state once for a run that analyzes `regions`
    /// (`None` without `--account-state` or `account-state:`, at no cost).
    /// Files outside region folders apply to every region: with several
    /// regions that is said once on standard error (SPEC §7).
    pub fn load_account_state(&self, regions: &[String]) -> Result<Option<Arc<AccountState>>, UsageError> {
        if self.account_state.is_empty() {
            return Ok(None);
        }
        let state = AccountState::load_within(&self.account_state, regions, self.account_state_root.as_ref())
            .map_err(|e| UsageError(format!("account state: {e}")))?;
        let outside = state.regional_files_outside_region_folders();
        if regions.len() > 1 && !outside.is_empty() {
            let shown: Vec<&str> = outside.iter().take(3).copied().collect();
            let more = if outside.len() > 3 { format!(" and {} more", outside.len() - 3) } else { String::new() };
            eprintln!(
                "privnet-lint: note: account state outside a region folder applies to every analyzed region ({}{more}); put each region's files in a folder named after it",
                shown.join(", ")
            );
        }
        Ok(Some(Arc::new(state)))
    }

    /// The `--stack-name` given for `file`, if any.
    pub fn stack_name_for(&self, file: &Path) -> Option<String> {
        let same = |a: &Path, b: &Path| {
            a == b || std::fs::canonicalize(a).ok().zip(std::fs::canonicalize(b).ok()).is_some_and(|(x, y)| x == y)
        };
        self.stack_names.iter().find(|(f, _)| same(f, file)).map(|(_, n)| n.clone())
    }

    /// True when a finding of this rule is reported.
    pub fn reports(&self, code: Code) -> bool {
        (self.select.is_empty() || self.select.contains(&code)) && !self.ignore.contains(&code)
    }
}
