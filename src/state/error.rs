//! Why account state cannot be used. Every message is one line that names
//! the file, a JSON Pointer and the resource ID — never a value from the
//! file (it holds account IDs and ARNs).

use std::fmt;

/// Where something was read: a state file and a JSON Pointer into it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// The file, as shown to the user.
    pub file: std::sync::Arc<str>,
    /// A JSON Pointer (RFC 6901) to the value (`/Subnets/3`).
    pub pointer: String,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.file, if self.pointer.is_empty() { "/" } else { &self.pointer })
    }
}

/// Account state that cannot be read (the command line exits with 2).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A path that cannot be read.
    #[error("{path}: {reason}")]
    Unreadable {
        /// The path.
        path: String,
        /// Why, in a few words.
        reason: String,
    },
    /// A file that is not JSON.
    #[error("{path}:{line}:{column}: not valid JSON: {reason}")]
    NotJson {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's reason (never a value from the file).
        reason: String,
    },
    /// A known key whose value has the wrong shape.
    #[error("{path}: `{pointer}` {problem}")]
    Shape {
        /// The file.
        path: String,
        /// JSON Pointer to the offending value.
        pointer: String,
        /// What is wrong (never a value from the file).
        problem: String,
    },
    /// A page of a paginated call, not the whole output.
    #[error("{path}: truncated page (top-level `{key}`): rerun without --max-items")]
    Truncated {
        /// The file.
        path: String,
        /// `NextToken`, or `IsTruncated` for IAM.
        key: &'static str,
    },
    /// `get-managed-prefix-list-entries` output saved under a name without the list's ID.
    #[error(
        "{path}: `Entries` of get-managed-prefix-list-entries name no prefix list: save the output as <pl-id>.json (the file name must contain the `pl-…` ID)"
    )]
    EntriesWithoutId {
        /// The file.
        path: String,
    },
    /// A file named as state that holds no output privnet-lint reads.
    #[error(
        "{path}: no output privnet-lint reads (a top-level `Vpcs`, `Subnets`, `RouteTables`, …: README, \"Checking against your account\")"
    )]
    NothingKnown {
        /// The file.
        path: String,
    },
    /// Two files (or two places in one) that disagree about one resource.
    #[error("{first} and {second} disagree about `{id}`{detail}")]
    Conflict {
        /// The resource ID (or name).
        id: String,
        /// Where it was read first.
        first: Origin,
        /// Where it was read again, differently.
        second: Origin,
        /// What they disagree on, when it is not the whole resource.
        detail: String,
    },
}

impl StateError {
    /// Two origins that disagree about `id`, in a stable order.
    pub(crate) fn conflict(id: &str, a: &Origin, b: &Origin, detail: impl Into<String>) -> StateError {
        let (first, second) = if a <= b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) };
        StateError::Conflict { id: id.to_string(), first, second, detail: detail.into() }
    }
}
