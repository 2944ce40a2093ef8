//! Rendering the report in the chosen format and writing it: to standard
//! output or `--output`, and, for `--format github`, the Markdown report
//! appended to `$GITHUB_STEP_SUMMARY`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::UsageError;
use super::args::Format;
use super::settings::Settings;
use crate::config::normalize;
use crate::report::{self, Report};

/// Renders `report` in the settings' format.
pub fn render(report: &Report, s: &Settings, color: bool) -> String {
    let quiet = s.quiet;
    match s.format {
        Format::Human => report::human::render(report, report::human::Style { color, quiet }),
        Format::Json => report::json::render(report),
        Format::Concise => report::concise::render(report),
        Format::Github => report::github::render(report),
        Format::Sarif => report::sarif::render_in(report, &s.sarif_category),
        Format::Markdown => report::markdown::render(report),
    }
}

/// The folder paths are made relative to for GitHub and SARIF, which want
/// paths from the repository root: `$GITHUB_WORKSPACE` in GitHub Actions,
/// else the enclosing git work tree, else the working directory.
pub fn repository_root(cwd: &Path) -> PathBuf {
    if let Some(w) = std::env::var_os("GITHUB_WORKSPACE").filter(|w| !w.is_empty()) {
        return normalize(&cwd.join(w));
    }
    cwd.ancestors().find(|d| d.join(".git").exists()).unwrap_or(cwd).to_path_buf()
}

/// `path` (as given on the command line) relative to `root`, `/`-separated;
/// unchanged when it is outside `root` or is `<stdin>`.
pub fn relative_to_root(path: &str, cwd: &Path, root: &Path) -> String {
    if path == "<stdin>" {
        return path.to_string();
    }
    let abs = normalize(&cwd.join(path));
    match abs.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
        }
        _ => path.to_string(),
    }
}

/// Renders and writes the report as the settings say.
pub fn emit(report: &Report, s: &Settings, cwd: &Path, color: bool) -> Result<(), UsageError> {
    let for_ci = matches!(s.format, Format::Github | Format::Sarif | Format::Markdown);
    let relocated;
    let report = if for_ci {
        let root = repository_root(cwd);
        let mut r = report.clone();
        for res in &mut r.results {
            res.path = relative_to_root(&res.path, cwd, &root);
        }
        relocated = r;
        &relocated
    } else {
        report
    };
    let text = render(report, s, color);
    match &s.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| UsageError(format!("cannot write {}: {}", path.display(), super::describe_io(&e))))?,
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (`| head`) is not an error worth a panic
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
        }
    }
    if s.format == Format::Github
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        let markdown = report::markdown::render(report);
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .and_then(|mut f| f.write_all(markdown.as_bytes()));
        if let Err(e) = appended {
            eprintln!(
                "privnet-lint: warning: cannot append the summary to $GITHUB_STEP_SUMMARY ({}): {}",
                Path::new(&summary).display(),
                super::describe_io(&e)
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relative_to_the_repository() {
        let root = Path::new("/repo");
        assert_eq!(relative_to_root("t/a.yaml", Path::new("/repo"), root), "t/a.yaml");
        assert_eq!(relative_to_root("./a.yaml", Path::new("/repo/t"), root), "t/a.yaml");
        assert_eq!(relative_to_root("/repo/t/a.yaml", Path::new("/x"), root), "t/a.yaml");
        assert_eq!(relative_to_root("../b.yaml", Path::new("/repo"), root), "../b.yaml");
        assert_eq!(relative_to_root("<stdin>", Path::new("/repo"), root), "<stdin>");
    }
}
