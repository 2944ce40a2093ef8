//! The last stage: output formats. Each is a pure function from the report
//! to text.

pub mod concise;
pub mod escape;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod trace;

use std::borrow::Cow;

use crate::finding::{Finding, Severity};
use crate::lint::FileResult;

/// A finding's message with the CDK construct path of its resource, for
/// the one-line formats (concise, github): `… (construct App/Instance/Resource)`.
pub fn message_with_construct(f: &Finding) -> Cow<'_, str> {
    match &f.construct_path {
        Some(p) => Cow::Owned(format!("{} (construct {p})", f.message)),
        None => Cow::Borrowed(&f.message),
    }
}

/// Everything one run found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One entry per (file, region), in input order.
    pub results: Vec<FileResult>,
}

/// Finding counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Distinct files.
    pub files: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Note findings.
    pub notes: usize,
}

impl Report {
    /// Counts files and findings.
    pub fn summary(&self) -> Summary {
        let mut files: Vec<&str> = self.results.iter().map(|r| r.path.as_str()).collect();
        files.dedup();
        let count = |s| self.results.iter().map(|r| r.count(s)).sum();
        Summary {
            files: files.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
        }
    }

    /// True when a finding at or above `threshold` exists.
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        let Some(t) = threshold else { return false };
        self.results.iter().any(|r| r.findings.iter().any(|f| f.severity() >= t))
    }
}
