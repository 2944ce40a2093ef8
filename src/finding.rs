//! Findings: what every stage of the pipeline reports, with the rule code,
//! severity, location in the template and the fix.
//!
//! The rule table itself (codes, names, severities, documentation) is
//! generated at build time from the pages in `rules/` (see `build.rs`).

use serde::Serialize;

use crate::source::Span;

/// How bad a finding is (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing: a default that changes behaviour, an assumption.
    Note,
    /// Probably wrong, or could not be verified.
    Warning,
    /// It will fail: a deploy error, or a check unreachable.
    Error,
}

impl Severity {
    /// The lower-case word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One rule's page from `rules/`, embedded at build time.
#[derive(Debug)]
pub struct RulePage {
    /// The rule code.
    pub code: Code,
    /// The code as text, `PN101`.
    pub id: &'static str,
    /// The kebab-case name, `no-route-to-s3`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One-sentence summary.
    pub summary: &'static str,
    /// The whole page (Markdown, front matter included).
    pub markdown: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/rules_generated.rs"));

impl Code {
    /// The rule's page.
    pub fn page(self) -> &'static RulePage {
        &PAGES[self as usize]
    }
    /// `PN101`.
    pub fn as_str(self) -> &'static str {
        self.page().id
    }
    /// `no-route-to-s3`.
    pub fn name(self) -> &'static str {
        self.page().name
    }
    /// The rule's severity.
    pub fn severity(self) -> Severity {
        self.page().severity
    }
    /// Every code, in order.
    pub fn all() -> impl Iterator<Item = Code> {
        PAGES.iter().map(|p| p.code)
    }
    /// Looks a rule up by code (`PN101`, case-insensitive) or name.
    pub fn lookup(text: &str) -> Option<Code> {
        PAGES.iter().find(|p| p.id.eq_ignore_ascii_case(text) || p.name.eq_ignore_ascii_case(text)).map(|p| p.code)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A secondary place in the template that helps explain a finding (another
/// hop of the blocked path, the first of two duplicate keys, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What it is, in a few words.
    pub label: String,
}

/// Where a deployed resource that decides a finding or a hop was read: a
/// file of the account state (`--account-state`, SPEC §7), a JSON Pointer
/// to the resource in it, and its ID (`state` in JSON, SPEC §3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StateRef {
    /// The state file, as shown to the user.
    pub file: std::sync::Arc<str>,
    /// A JSON Pointer (RFC 6901) to the resource in it (`/RouteTables/0`).
    pub pointer: String,
    /// The resource's ID (`rtb-0a1b2c3d4e5f67890`) or name.
    pub id: String,
}

impl std::fmt::Display for StateRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} from {} at {}", self.id, self.file, if self.pointer.is_empty() { "/" } else { &self.pointer })
    }
}

/// A finding: one rule firing at one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub code: Code,
    /// What fails and why, naming the workload and the check.
    pub message: String,
    /// The logical ID of the resource the finding is located on, if any.
    pub resource: Option<String>,
    /// The node to edit. `None` only for findings about a whole file that has
    /// no usable position (an unreadable file, say).
    pub span: Option<Span>,
    /// The concrete change that fixes it.
    pub fix: Option<String>,
    /// Other places worth showing.
    pub related: Vec<Related>,
    /// The deployed resource that decides it, when the fix is in the
    /// account rather than in the template (the location is then the
    /// template node that names it).
    pub state: Option<StateRef>,
    /// The CDK construct path of `resource` (`Metadata.aws:cdk:path`), for
    /// a template a CDK app synthesized.
    pub construct_path: Option<String>,
}

impl Finding {
    /// A finding with a message and location; add the rest with the builders.
    pub fn new(code: Code, span: Option<Span>, message: impl Into<String>) -> Finding {
        Finding {
            code,
            message: message.into(),
            resource: None,
            span,
            fix: None,
            related: Vec::new(),
            state: None,
            construct_path: None,
        }
    }
    /// Sets the resource the finding is on.
    pub fn on(mut self, resource: impl Into<String>) -> Finding {
        self.resource = Some(resource.into());
        self
    }
    /// Sets the fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
    /// Adds a related location.
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.related.push(Related { span, label: label.into() });
        self
    }
    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}
