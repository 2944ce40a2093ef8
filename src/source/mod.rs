//! The first stage: bytes to a spanned tree.
//!
//! YAML (through `saphyr-parser` events) and JSON (through `jsonc-parser` in
//! strict mode) both become one [`Node`] tree in which every mapping key,
//! value, sequence item and scalar knows its start and end line, column and
//! byte offset. YAML short-form tags (`!Ref`, `!GetAtt A.B`, `!Sub`, ...) are
//! turned into their long forms here, so later stages see one shape only.

mod json;
mod lines;
mod scalar;
mod urls;
mod yaml;

use serde::Serialize;

use crate::finding::{Code, Finding};
pub use json::strict_options as strict_json_options;
pub use lines::LineIndex;
pub use urls::{UrlLocator, urls};

/// Templates larger than this are refused with PN001 before parsing.
/// CloudFormation itself accepts at most 1 MB (from S3); the margin leaves
/// room for generated and packaged templates.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Collections nested deeper than this are refused with PN001 (real
/// templates stay under 30; the bound keeps recursion in later stages safe).
pub const MAX_DEPTH: usize = 200;

/// YAML alias expansion stops once it has copied this many nodes.
pub const MAX_ALIAS_NODES: usize = 200_000;

/// A position in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
    /// 0-based byte offset.
    pub offset: u32,
}

/// A range of the source text: `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// Just past the last character.
    pub end: Pos,
}

impl Span {
    /// Spans from the start of `self` to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start, end: other.end }
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.offset.saturating_sub(self.start.offset) as usize
    }
    /// True when the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// True when start and end are on the same line.
    pub fn is_single_line(&self) -> bool {
        self.start.line == self.end.line
    }
}

/// How a scalar was written; decides how CloudFormation types it and how a
/// multi-line string maps back to source lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// A YAML plain scalar, or any collection.
    #[default]
    Plain,
    /// A quoted YAML scalar or a JSON string.
    Quoted,
    /// A YAML literal block scalar (`|`): one source line per text line.
    Literal,
    /// A YAML folded block scalar (`>`).
    Folded,
    /// A long-form mapping that came from a YAML short-form tag (`!Sub`).
    ShortForm,
}

/// A value in the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~`, or nothing.
    Null,
    /// A boolean, including CloudFormation's YAML 1.1 forms (`yes`, `off`).
    Bool(bool),
    /// A number, as canonical decimal text (`0123` reads as octal 83).
    Number(String),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, without duplicate keys (the last wins).
    Map(Vec<Entry>),
}

/// A node of the tree: a value and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node is, tag included.
    pub span: Span,
    /// How it was written.
    pub style: Style,
    /// What it is.
    pub value: Value,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key text.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Entry {
    /// The span to underline when the user must edit this property: the key
    /// and, when it fits on the key's line, the value too.
    pub fn edit_span(&self) -> Span {
        let whole = self.key_span.to(self.value.span);
        if whole.is_single_line() && whole.end.offset >= whole.start.offset { whole } else { self.key_span }
    }
}

impl Node {
    /// The mapping entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }
    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }
    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// The text of a scalar (string, number, boolean), the way
    /// CloudFormation turns it into a string.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    /// The entry with this key, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }
    /// The value under this key, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }
    /// A one-entry mapping whose key is an intrinsic function (`Ref`,
    /// `Condition` or `Fn::*`): its name and argument.
    pub fn as_intrinsic(&self) -> Option<(&str, &Entry)> {
        match self.as_map() {
            Some([entry]) if entry.key == "Ref" || entry.key == "Condition" || entry.key.starts_with("Fn::") => {
                Some((entry.key.as_str(), entry))
            }
            _ => None,
        }
    }
    /// The number of nodes in this subtree.
    pub fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| 1 + e.value.count()).sum(),
            _ => 0,
        }
    }
}

/// The syntax a file was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// A parsed file: the tree (if any) and what the parser found wrong.
#[derive(Debug)]
pub struct Document {
    /// The root node; `None` when the file did not parse or is empty.
    pub root: Option<Node>,
    /// The syntax it was read as.
    pub format: Format,
    /// PN001 (parse error), PN002 (duplicate key), PN006 (YAML alias).
    pub findings: Vec<Finding>,
}

/// Which syntax to read a file as: `.json` files and text starting with `{`
/// are JSON, everything else YAML.
pub fn detect_format(path: Option<&str>, text: &str) -> Format {
    let by_extension = path.map(|p| p.to_ascii_lowercase().ends_with(".json")).unwrap_or(false);
    if by_extension || text.trim_start().starts_with('{') { Format::Json } else { Format::Yaml }
}

/// Parses template text (a UTF-8 BOM must already be stripped).
///
/// JSON is parsed strictly; a file that only looks like JSON (starts with
/// `{`, no `.json` extension) and fails as JSON is tried as YAML, since a
/// YAML flow mapping also starts with `{`.
pub fn parse(path: Option<&str>, text: &str) -> Document {
    match detect_format(path, text) {
        Format::Yaml => yaml::parse(text),
        Format::Json => {
            let doc = json::parse(text, &LineIndex::new(text));
            let json_failed = doc.root.is_none();
            let explicit_json = path.map(|p| p.to_ascii_lowercase().ends_with(".json")).unwrap_or(false);
            if json_failed && !explicit_json {
                let as_yaml = yaml::parse(text);
                if as_yaml.root.is_some() {
                    return as_yaml;
                }
            }
            doc
        }
    }
}

/// PN002 at the repeated key `second`, pointing back at the `first`.
/// Who rejects the file depends on the syntax: YAML forbids duplicate keys
/// and the AWS CLI's YAML loader refuses them; JSON leaves the outcome to
/// each reader (RFC 8259 §4), and cfn-lint refuses them in both.
fn duplicate_key(format: Format, key: &str, second: Span, first: Span) -> Finding {
    let who = match format {
        Format::Yaml => "YAML forbids it, cfn-lint and the AWS CLI reject the file",
        Format::Json => "JSON leaves the outcome to each reader (RFC 8259), cfn-lint rejects the file",
    };
    Finding::new(
        Code::PN002,
        Some(second),
        format!(
            "duplicate key `{key}` (first at line {}): {who}, and CloudFormation keeps only one of the values",
            first.start.line
        ),
    )
    .fix(format!("Remove one of the two `{key}` keys, or merge their contents."))
    .related(first, "first occurrence")
}

/// Removes a leading UTF-8 byte order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests;
