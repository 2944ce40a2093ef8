//! JSON: `jsonc-parser` (strict mode) into the spanned [`Node`] tree.
//!
//! JSON templates do not go through the YAML parser: every YAML parser we
//! measured rejects some valid JSON (surrogate-pair escapes, keys over 1,024
//! characters) and silently accepts invalid JSON (trailing commas). With all
//! `allow_*` options off, jsonc-parser is a strict JSON parser that keeps a
//! byte range on every value and property name, and key order and
//! duplicates, which we report ourselves.

use std::collections::HashMap;

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

use super::{Document, Entry, Format, LineIndex, MAX_DEPTH, Node, Span, Style, Value, duplicate_key};
use crate::finding::{Code, Finding};

/// jsonc-parser with every extension off: a strict JSON parser.
pub fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

pub fn parse(text: &str, lines: &LineIndex) -> Document {
    let options = strict_options();
    let collect = CollectOptions { comments: CommentCollectionStrategy::Off, tokens: false };
    let mut doc = Document { root: None, format: Format::Json, findings: Vec::new() };
    match parse_to_ast(text, &collect, &options) {
        Err(e) => {
            let range = e.range();
            let span = Span { start: lines.pos(text, range.start), end: lines.pos(text, range.end) };
            doc.findings.push(
                Finding::new(Code::PN001, Some(span), format!("invalid JSON: {}", e.kind()))
                    .fix("Correct the JSON syntax at this position."),
            );
        }
        Ok(result) => {
            let mut conv = Converter { text, lines, findings: Vec::new() };
            if let Some(v) = result.value {
                match conv.node(&v, 0) {
                    Ok(node) => doc.root = Some(node),
                    Err(f) => doc.findings.push(f),
                }
            }
            doc.findings.extend(conv.findings);
        }
    }
    doc
}

struct Converter<'t> {
    text: &'t str,
    lines: &'t LineIndex,
    findings: Vec<Finding>,
}

impl Converter<'_> {
    fn span(&self, range: jsonc_parser::common::Range) -> Span {
        Span { start: self.lines.pos(self.text, range.start), end: self.lines.pos(self.text, range.end) }
    }

    fn node(&mut self, v: &ast::Value<'_>, depth: usize) -> Result<Node, Finding> {
        let (range, value) = match v {
            ast::Value::StringLit(s) => (s.range, Value::String(s.value.to_string())),
            ast::Value::NumberLit(n) => (n.range, Value::Number(n.value.to_string())),
            ast::Value::BooleanLit(b) => (b.range, Value::Bool(b.value)),
            ast::Value::NullKeyword(n) => (n.range, Value::Null),
            ast::Value::Array(a) => {
                self.depth(depth, a.range)?;
                let mut items = Vec::with_capacity(a.elements.len());
                for e in &a.elements {
                    items.push(self.node(e, depth + 1)?);
                }
                (a.range, Value::Seq(items))
            }
            ast::Value::Object(o) => {
                self.depth(depth, o.range)?;
                let mut entries: Vec<Entry> = Vec::with_capacity(o.properties.len());
                // a key index only for large objects: most have a handful of keys
                let mut index: Option<HashMap<String, usize>> = None;
                for p in &o.properties {
                    let (key, key_range) = match &p.name {
                        ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                        ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                    };
                    let key_span = self.span(key_range);
                    let value = self.node(&p.value, depth + 1)?;
                    let seen = match &index {
                        Some(index) => index.get(&key).copied(),
                        None => entries.iter().position(|e| e.key == key),
                    };
                    if let Some(i) = seen {
                        let first = entries[i].key_span;
                        self.findings.push(duplicate_key(Format::Json, &key, key_span, first));
                        entries[i] = Entry { key, key_span, value };
                    } else {
                        if index.is_none() && entries.len() >= 16 {
                            index = Some(entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect());
                        }
                        if let Some(index) = &mut index {
                            index.insert(key.clone(), entries.len());
                        }
                        entries.push(Entry { key, key_span, value });
                    }
                }
                (o.range, Value::Map(entries))
            }
        };
        let style = if matches!(value, Value::String(_)) { Style::Quoted } else { Style::Plain };
        Ok(Node { span: self.span(range), style, value })
    }

    fn depth(&self, depth: usize, range: jsonc_parser::common::Range) -> Result<(), Finding> {
        if depth >= MAX_DEPTH {
            return Err(Finding::new(
                Code::PN001,
                Some(self.span(range)),
                format!("collections are nested more than {MAX_DEPTH} levels deep; the file was not analyzed"),
            ));
        }
        Ok(())
    }
}
