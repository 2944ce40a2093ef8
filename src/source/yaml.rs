//! YAML: `saphyr-parser` events into the spanned [`Node`] tree.
//!
//! saphyr-parser was chosen because it reports a start and end marker for
//! every event, keeps tags and each scalar's raw text and style, and does not
//! stop at duplicate keys (we report them and go on). Its markers count
//! characters, not bytes; [`CharMap`] converts them.

use std::cell::OnceCell;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};

use super::{
    Document, Entry, Format, LineIndex, MAX_ALIAS_NODES, MAX_DEPTH, Node, Pos, Span, Style, Value, duplicate_key,
    scalar,
};
use crate::finding::{Code, Finding};

/// Character index (in the text given to the parser) to byte offset in the
/// source (identity for ASCII text that was not relaxed).
#[derive(Clone)]
struct CharMap {
    bytes_at: Option<Vec<u32>>,
    len: usize,
}

impl CharMap {
    fn new(text: &str) -> CharMap {
        let bytes_at = (!text.is_ascii()).then(|| Self::offsets(text));
        CharMap { bytes_at, len: text.len() }
    }
    fn offsets(text: &str) -> Vec<u32> {
        let mut v: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
        v.push(text.len() as u32);
        v
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.bytes_at {
            None => char_index.min(self.len),
            Some(v) => v.get(char_index).map(|b| *b as usize).unwrap_or(self.len),
        }
    }
}

/// An open collection. `at` is the character index (in the parsed text)
/// where it starts: a scan error inside a flow collection is relaxed from
/// there (see [`relaxed`]).
enum Frame {
    /// `base`: where this sequence's items start in [`Builder::items`].
    Seq {
        start: Pos,
        at: usize,
        tag: Option<Tag>,
        anchor: usize,
        base: usize,
    },
    Map(MapFrame),
}

impl Frame {
    fn at(&self) -> usize {
        match self {
            Frame::Seq { at, .. } => *at,
            Frame::Map(m) => m.at,
        }
    }
}

struct MapFrame {
    start: Pos,
    at: usize,
    tag: Option<Tag>,
    anchor: usize,
    /// Where this mapping's entries start in [`Builder::entries`].
    base: usize,
    key: Option<(String, Span)>,
    merge_key: bool,
    index: Option<HashMap<String, usize>>,
}

struct Builder<'t> {
    text: &'t str,
    /// Built only when a position cannot come from a marker (see [`pos`]).
    ///
    /// [`pos`]: Builder::pos
    lines: OnceCell<LineIndex>,
    /// Whether the parser's markers give line and column directly: the text
    /// parsed is the source text, and the source has no line break or BOM
    /// that saphyr-parser counts differently from [`LineIndex`].
    direct: bool,
    chars: CharMap,
    stack: Vec<Frame>,
    /// The items of every open sequence and the entries of every open
    /// mapping, innermost last: a collection's children move into a Vec of
    /// exactly their number when it closes, instead of each collection
    /// growing its own.
    items: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, (Node, usize)>,
    expanded: usize,
    root: Option<Node>,
    documents: usize,
    findings: Vec<Finding>,
    alias_reported: bool,
}

/// Why building stopped early.
struct Abort(Finding);

pub fn parse(text: &str) -> Document {
    let (doc, error) = build(text, text, CharMap::new(text));
    match error {
        Some(e) if relaxable(&e) => relaxed(text, e).unwrap_or(doc),
        _ => doc,
    }
}

/// Can markers stand for positions in `text`? saphyr-parser counts a lone
/// `\r` as a line break ([`LineIndex`] only `\n`), and a BOM inside the
/// text moves its character index but not its column.
fn markers_match_lines(text: &str) -> bool {
    let bytes = text.as_bytes();
    let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    !lone_cr && memchr::memmem::find(bytes, "\u{feff}".as_bytes()).is_none()
}

/// saphyr-parser's error for a continuation line of a quoted scalar that is
/// not indented past its parent.
const QUOTED_INDENT: &str = "invalid indentation in quoted scalar";

/// How many quoted scalars [`relaxed`] re-indents before giving up, and how
/// many bytes it may re-parse in all (each fix re-parses the whole text, so
/// a large file full of such scalars must not cost hundreds of parses).
const MAX_RELAXED: usize = 256;
const MAX_RELAXED_BYTES: usize = 64 << 20;

/// saphyr-parser's errors for a token less indented than the block
/// around it; [`relaxed`] only touches them inside a flow collection.
const INDENT: [&str; 2] = ["invalid indentation", "invalid indentation in flow construct"];

/// A scan error: where (a character index of the parsed text), what, and
/// where the innermost open collection starts (a character index).
struct ScanErr {
    index: usize,
    info: String,
    open: Option<usize>,
}

/// Does [`relaxed`] have a fix to try for this error?
fn relaxable(e: &ScanErr) -> bool {
    e.info.contains(QUOTED_INDENT) || (INDENT.contains(&e.info.as_str()) && e.open.is_some())
}

fn build(text: &str, parsed: &str, chars: CharMap) -> (Document, Option<ScanErr>) {
    let mut b = Builder {
        text,
        lines: OnceCell::new(),
        direct: std::ptr::eq(text, parsed) && markers_match_lines(text),
        chars,
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        anchors: HashMap::new(),
        expanded: 0,
        root: None,
        documents: 0,
        findings: Vec::new(),
        alias_reported: false,
    };
    let mut error = None;
    let mut parser = Parser::new_from_str(parsed);
    loop {
        let next = parser.next_event();
        let result = match next {
            None => break,
            Some(Err(e)) => {
                error = Some(ScanErr {
                    index: e.marker().index(),
                    info: e.info().to_string(),
                    open: b.stack.last().map(Frame::at),
                });
                Err(Abort(b.scan_error(e.marker(), e.info())))
            }
            Some(Ok((event, span))) => b.event(event, span.start, span.end),
        };
        if let Err(Abort(finding)) = result {
            b.findings.push(finding);
            b.root = None;
            // drop a partial tree iteratively is unnecessary: depth is bounded
            b.stack.clear();
            break;
        }
    }
    (Document { root: b.root, format: Format::Yaml, findings: b.findings }, error)
}

/// The YAML spec wants the continuation lines of a multi-line quoted scalar
/// indented past the parent node, and saphyr-parser enforces it. PyYAML
/// (cfn-lint, the AWS CLI) and SnakeYAML do not: their scanner checks only
/// for a document marker (`---`, `...`) at column 0 inside the quotes, and
/// CloudFormation accepts such templates (AWS samples ship them). So when
/// strict parsing fails on that, each offending scalar's continuation lines
/// are indented up to its opening quote (leading blanks of a continuation
/// line are not part of the value) and the text is parsed again, with
/// positions mapped back to the source. `None` when that does not give a
/// valid document: the strict error is then the finding.
///
/// The same holds inside flow collections (`[…]`, `{…}`): PyYAML and
/// SnakeYAML check no indentation at all there, saphyr-parser wants every
/// line indented past the enclosing block (a closing `]` at the column of
/// its key fails). Inside a flow collection leading blanks mean nothing, so
/// the offending line is indented past the collection's opening bracket.
fn relaxed(text: &str, first: ScanErr) -> Option<Document> {
    let mut chars: Vec<char> = text.chars().collect();
    let mut offsets = CharMap::offsets(text);
    let rounds = MAX_RELAXED.min(MAX_RELAXED_BYTES / text.len().max(1)).max(1);
    let mut e = first;
    for _ in 0..rounds {
        let fixed = match e.open {
            _ if e.info.contains(QUOTED_INDENT) => indent_quoted(&mut chars, &mut offsets, e.index),
            Some(open) if INDENT.contains(&e.info.as_str()) => indent_in_flow(&mut chars, &mut offsets, e.index, open),
            _ => false,
        };
        if !fixed {
            return None;
        }
        let parsed: String = chars.iter().collect();
        let map = CharMap { bytes_at: Some(offsets.clone()), len: text.len() };
        match build(text, &parsed, map) {
            (doc, None) => return Some(doc),
            (_, Some(next)) if relaxable(&next) => e = next,
            _ => return None,
        }
    }
    None
}

/// The line whose first token is at `chars[at]` lies inside the flow
/// collection that starts at `chars[open]` (its opening bracket, or a tag or
/// anchor before it on the same line): indents the line one column past the
/// bracket, keeping `offsets` in step as [`indent_quoted`] does. False when
/// `open` is not a flow collection, `at` is not the first token of its line,
/// or the line is already indented that far.
fn indent_in_flow(chars: &mut Vec<char>, offsets: &mut Vec<u32>, at: usize, open: usize) -> bool {
    let line_start = |i: usize| chars[..i].iter().rposition(|c| *c == '\n').map_or(0, |k| k + 1);
    // the bracket, after any `!Tag` or `&anchor` on the same line
    let Some(bracket) = chars
        .get(open..)
        .and_then(|rest| rest.iter().take_while(|c| **c != '\n').position(|c| matches!(c, '[' | '{')))
        .map(|k| open + k)
    else {
        return false;
    };
    if chars[open..bracket].iter().any(|c| matches!(c, '"' | '\'' | '#')) || at <= bracket || at >= chars.len() {
        return false;
    }
    let start = line_start(at);
    if !chars[start..at].iter().all(|c| matches!(c, ' ' | '\t')) {
        return false;
    }
    let want = bracket - line_start(bracket) + 1;
    let have = at - start;
    if have >= want {
        return false;
    }
    let pad = want - have;
    let offset = offsets[start];
    chars.splice(start..start, std::iter::repeat_n(' ', pad));
    offsets.splice(start..start, std::iter::repeat_n(offset, pad));
    true
}

/// Indents the continuation lines of the quoted scalar whose opening quote is
/// at `chars[quote]` to the quote's column, keeping `offsets` (source byte
/// offset of each character; inserted blanks take the offset of the line's
/// first character) in step. False when nothing was changed, the scalar is
/// not closed, or a continuation line is a document marker.
fn indent_quoted(chars: &mut Vec<char>, offsets: &mut Vec<u32>, quote: usize) -> bool {
    let Some(&q) = chars.get(quote) else { return false };
    if q != '\'' && q != '"' {
        return false;
    }
    let column = quote - chars[..quote].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
    let mut changed = false;
    let mut i = quote + 1;
    loop {
        match chars.get(i) {
            None => return false,
            Some('\'') if q == '\'' => {
                if chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                    continue;
                }
                return changed;
            }
            Some('"') if q == '"' => return changed,
            // an escape; an escaped line break leaves the break to the arm below
            Some('\\') if q == '"' => i += if matches!(chars.get(i + 1), Some('\n' | '\r')) { 1 } else { 2 },
            Some('\n') => {
                let start = i + 1;
                let rest = &chars[start..];
                let blanks = rest.iter().take_while(|c| matches!(c, ' ' | '\t')).count();
                let content = rest.get(blanks).is_some_and(|c| !matches!(c, '\n' | '\r'));
                let marker = (rest.starts_with(&['-', '-', '-']) || rest.starts_with(&['.', '.', '.']))
                    && rest.get(3).is_none_or(|c| c.is_whitespace());
                if marker {
                    return false;
                }
                if content && blanks < column {
                    let pad = column - blanks;
                    let offset = offsets[start];
                    chars.splice(start..start, std::iter::repeat_n(' ', pad));
                    offsets.splice(start..start, std::iter::repeat_n(offset, pad));
                    changed = true;
                    i = start + pad + blanks;
                } else {
                    i = start;
                }
            }
            Some(_) => i += 1,
        }
    }
}

impl Builder<'_> {
    /// Where a marker is in the source: straight from the marker when it
    /// can be ([`Builder::direct`]), else through the line index.
    fn pos(&self, m: &Marker) -> Pos {
        let offset = self.chars.byte(m.index());
        if self.direct && m.line() > 0 {
            let (line, column, offset) = (m.line() as u32, m.col() as u32 + 1, offset as u32);
            let text = self.text;
            if (offset as usize) < text.len() || m.col() > 0 || text.is_empty() || text.ends_with('\n') {
                return Pos { line, column, offset };
            }
            // At the end of a text without a final line break, the scanner
            // moves its end-of-stream marker to a line of its own; the
            // position is at the end of the last line.
            let last_line = memchr::memrchr(b'\n', text.as_bytes()).map_or(0, |i| i + 1);
            let column = text[last_line..].chars().count() as u32 + 1;
            return Pos { line: line - 1, column, offset };
        }
        self.lines.get_or_init(|| LineIndex::new(self.text)).pos(self.text, offset)
    }

    fn span(&self, start: &Marker, end: &Marker) -> Span {
        let start = self.pos(start);
        let end = self.trim_end(start, self.pos(end));
        Span { start, end }
    }

    /// Block collections and block scalars end at the next token: move the
    /// end back over trailing whitespace so underlines stop at the text.
    fn trim_end(&self, start: Pos, end: Pos) -> Pos {
        let bytes = self.text.as_bytes();
        let mut e = end.offset as usize;
        while e > start.offset as usize && matches!(bytes.get(e - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            e -= 1;
        }
        if e == end.offset as usize {
            return end;
        }
        // only blanks and line breaks lie between `e` and `end`
        let skipped = &bytes[e..end.offset as usize];
        let breaks = memchr::memchr_iter(b'\n', skipped).count() as u32;
        let column = if breaks == 0 {
            end.column.saturating_sub(skipped.len() as u32).max(1)
        } else {
            let line_start = memchr::memrchr(b'\n', &bytes[..e]).map_or(0, |i| i + 1);
            self.text[line_start..e].chars().count() as u32 + 1
        };
        Pos { line: end.line - breaks, column, offset: e as u32 }
    }

    fn scan_error(&self, m: &Marker, info: &str) -> Finding {
        let pos = self.pos(m);
        let span = Span { start: pos, end: pos };
        // saphyr-parser's messages mention the char index as "byte N"; our
        // location is exact, so keep just the description.
        let info = info.trim();
        Finding::new(Code::PN001, Some(span), format!("invalid YAML: {info}"))
            .fix("Correct the YAML syntax at this position (indentation, a missing `:` or quote, an unclosed bracket).")
    }

    fn event(&mut self, event: Event<'_>, start: Marker, end: Marker) -> Result<(), Abort> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    let span = self.span(&start, &end);
                    return Err(Abort(
                        Finding::new(
                            Code::PN001,
                            Some(span),
                            "the file holds more than one YAML document; a CloudFormation template is one document",
                        )
                        .fix("Split the documents into separate files, or remove the `---` separator."),
                    ));
                }
                Ok(())
            }
            Event::Scalar(raw, style, anchor, tag) => {
                let span = self.span(&start, &end);
                let mut raw = raw.into_owned();
                // the scanner's buffer grows by doubling: keep the text, not
                // the slack (a large template holds millions of scalars)
                if raw.capacity() > raw.len() + 8 {
                    raw.shrink_to_fit();
                }
                let node = self.scalar(raw, style, tag.as_deref(), span);
                self.complete(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => self.open(Frame::Seq {
                start: self.pos(&start),
                at: start.index(),
                tag: tag.map(|t| t.into_owned()),
                anchor,
                base: self.items.len(),
            }),
            Event::MappingStart(anchor, tag) => self.open(Frame::Map(MapFrame {
                start: self.pos(&start),
                at: start.index(),
                tag: tag.map(|t| t.into_owned()),
                anchor,
                base: self.entries.len(),
                key: None,
                merge_key: false,
                index: None,
            })),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return Ok(()) };
                let end_pos = self.pos(&end);
                let (node, anchor) = match frame {
                    Frame::Seq { start, tag, anchor, base, .. } => {
                        let items = self.items.split_off(base);
                        let span = Span { start, end: self.trim_end(start, end_pos) };
                        (with_tag(Node { span, style: Style::Plain, value: Value::Seq(items) }, tag.as_ref()), anchor)
                    }
                    Frame::Map(m) => {
                        let entries = self.entries.split_off(m.base);
                        let span = Span { start: m.start, end: self.trim_end(m.start, end_pos) };
                        (
                            with_tag(Node { span, style: Style::Plain, value: Value::Map(entries) }, m.tag.as_ref()),
                            m.anchor,
                        )
                    }
                };
                self.complete(node, anchor)
            }
            Event::Alias(id) => {
                let span = self.span(&start, &end);
                self.report_alias(span, "a YAML alias");
                let Some((node, count)) = self.anchors.get(&id) else {
                    return Err(Abort(Finding::new(
                        Code::PN001,
                        Some(span),
                        "invalid YAML: alias to an unknown anchor",
                    )));
                };
                self.expanded += count;
                if self.expanded > MAX_ALIAS_NODES {
                    return Err(Abort(
                        Finding::new(
                            Code::PN001,
                            Some(span),
                            format!(
                                "YAML alias expansion exceeds {MAX_ALIAS_NODES} nodes (an alias bomb?); the file was not analyzed"
                            ),
                        )
                        .fix("Write the repeated content out, or package the template with `aws cloudformation package`."),
                    ));
                }
                let mut copy = node.clone();
                // the copy stands where the alias is
                copy.span = span;
                self.complete(copy, 0)
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), Abort> {
        if self.stack.len() >= MAX_DEPTH {
            let start = match &frame {
                Frame::Seq { start, .. } => *start,
                Frame::Map(m) => m.start,
            };
            return Err(Abort(Finding::new(
                Code::PN001,
                Some(Span { start, end: start }),
                format!("collections are nested more than {MAX_DEPTH} levels deep; the file was not analyzed"),
            )));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn report_alias(&mut self, span: Span, what: &str) {
        if self.alias_reported {
            return;
        }
        self.alias_reported = true;
        self.findings.push(
            Finding::new(
                Code::PN006,
                Some(span),
                format!(
                    "the template uses {what}; CloudFormation rejects YAML aliases and merge keys unless the template is packaged first (the analysis expands them)"
                ),
            )
            .fix("Write the repeated values out in full, or deploy through `aws cloudformation package` / SAM, which expand aliases."),
        );
    }

    fn scalar(&mut self, raw: String, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Node {
        let our_style = match style {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
            _ => Style::Quoted,
        };
        let value = match tag {
            Some(t) if t.is_yaml_core_schema() => match t.suffix.as_str() {
                "str" => Value::String(raw),
                "null" => Value::Null,
                _ => scalar::plain(raw),
            },
            Some(_) => Value::String(raw),
            None if style == ScalarStyle::Plain => scalar::plain(raw),
            None => Value::String(raw),
        };
        with_tag(Node { span, style: our_style, value }, tag)
    }

    /// A finished node goes into its parent (or becomes the root).
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), Abort> {
        if anchor != 0 {
            let count = node.count();
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map(m)) if m.key.is_none() => {
                let (span, style) = (node.span, node.style);
                let text = match node.value {
                    Value::String(s) | Value::Number(s) => s,
                    Value::Bool(b) => b.to_string(),
                    Value::Null => String::new(),
                    Value::Seq(_) | Value::Map(_) => {
                        self.findings.push(Finding::new(
                            Code::PN001,
                            Some(span),
                            "a mapping key must be a plain value; CloudFormation does not accept complex keys",
                        ));
                        String::from("<complex key>")
                    }
                };
                m.merge_key = text == "<<" && style == Style::Plain;
                m.key = Some((text, span));
            }
            Some(Frame::Map(m)) => {
                let Some((key, key_span)) = m.key.take() else { return Ok(()) };
                if m.merge_key {
                    m.merge_key = false;
                    for entry in merge_sources(&node) {
                        if find(m, &self.entries, &entry.key).is_none() {
                            insert(m, &mut self.entries, entry);
                        }
                    }
                    self.report_alias(key_span, "a YAML merge key (`<<`)");
                    return Ok(());
                }
                match find(m, &self.entries, &key) {
                    Some(i) => {
                        let first = self.entries[i].key_span;
                        // the analysis keeps the last value
                        self.entries[i] = Entry { key: key.clone(), key_span, value: node };
                        self.findings.push(duplicate_key(Format::Yaml, &key, key_span, first));
                    }
                    None => insert(m, &mut self.entries, Entry { key, key_span, value: node }),
                }
            }
        }
        Ok(())
    }
}

/// The index in `entries` (the builder's shared stack) of the open mapping
/// `m`'s entry with this key.
fn find(m: &MapFrame, entries: &[Entry], key: &str) -> Option<usize> {
    if let Some(index) = &m.index {
        return index.get(key).map(|i| m.base + i);
    }
    entries[m.base..].iter().position(|e| e.key == key).map(|i| m.base + i)
}

/// Adds an entry to the open mapping `m` (the innermost one).
fn insert(m: &mut MapFrame, entries: &mut Vec<Entry>, entry: Entry) {
    let own = &entries[m.base..];
    if m.index.is_none() && own.len() >= 16 {
        m.index = Some(own.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect());
    }
    if let Some(index) = &mut m.index {
        index.insert(entry.key.clone(), own.len());
    }
    entries.push(entry);
}

/// The entries a merge key brings: one mapping, or a list of mappings
/// (earlier ones win).
fn merge_sources(node: &Node) -> Vec<Entry> {
    match &node.value {
        Value::Map(entries) => entries.clone(),
        Value::Seq(items) => {
            let mut out: Vec<Entry> = Vec::new();
            for item in items {
                for e in item.as_map().unwrap_or(&[]) {
                    if !out.iter().any(|o| o.key == e.key) {
                        out.push(e.clone());
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The node with its short-form tag, if any, turned into the long form.
#[inline]
fn with_tag(node: Node, tag: Option<&Tag>) -> Node {
    match tag {
        Some(tag) if tag.handle == "!" && !tag.suffix.is_empty() => wrap_tag(node, tag),
        _ => node,
    }
}

/// A short-form tag (`!Sub x`) becomes its long form (`{Fn::Sub: x}`);
/// `!Ref` and `!Condition` keep their names without `Fn::`.
#[inline(never)]
fn wrap_tag(node: Node, tag: &Tag) -> Node {
    let key = match tag.suffix.as_str() {
        "Ref" | "Condition" => tag.suffix.clone(),
        other => {
            let mut key = String::with_capacity(4 + other.len());
            key.push_str("Fn::");
            key.push_str(other);
            key
        }
    };
    let span = node.span;
    let tag_len = 1 + tag.suffix.len() as u32;
    let key_end =
        Pos { line: span.start.line, column: span.start.column + tag_len, offset: span.start.offset + tag_len };
    let key_span = Span { start: span.start, end: key_end.min(span.end).max(span.start) };
    Node { span, style: Style::ShortForm, value: Value::Map(vec![Entry { key, key_span, value: node }]) }
}
