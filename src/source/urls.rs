//! URLs in text: where they are written (one pass over the text), and where
//! a URL that came out of a resolved template node is written in the
//! template — the line of a UserData download that a PN601 finding points
//! at.
//!
//! Both are linear in the text: a hostile UserData with 100,000 URLs must
//! not make the lint quadratic (the URL scan is one pass per scheme, each
//! region of the template is indexed once, and the `${…}` fallback looks at
//! a bounded number of lines per URL).

use std::collections::HashMap;

use super::{LineIndex, Span};

const SCHEMES: [&str; 3] = ["https://", "http://", "s3://"];

/// Characters that end a URL in a script.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '|' | ';' | ')' | '\\')
}

/// Every `https://`, `http://` and `s3://` URL in `text` with its byte
/// offset, in order; a URL ends at white space, a quote or shell
/// punctuation, and loses trailing `.` and `,`. A bare scheme is no URL.
pub fn urls(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for scheme in SCHEMES {
        for (i, _) in text.match_indices(scheme) {
            let tail = &text[i..];
            let end = tail.char_indices().find(|&(_, c)| ends_url(c)).map(|(j, _)| j).unwrap_or(tail.len());
            let url = tail[..end].trim_end_matches(['.', ',']);
            if url.len() > scheme.len() {
                out.push((i, url));
            }
        }
    }
    out.sort_unstable_by_key(|(i, _)| *i);
    out
}

/// How many `${…}` lines one look-up may compare before giving up (and
/// leaving the finding on the whole node).
const SUB_LINE_BUDGET: usize = 256;

/// Finds where strings that came out of template nodes are written inside
/// those nodes' spans, for one template text. Each node's text is indexed
/// once, on first use.
pub struct UrlLocator<'t> {
    text: &'t str,
    lines: LineIndex,
    regions: HashMap<(u32, u32), Region<'t>>,
}

/// One node's text, indexed.
struct Region<'t> {
    /// Each URL written in it, at its first place.
    first: HashMap<&'t str, usize>,
    /// The lines holding `${`, trimmed, with their offsets.
    sub_lines: Vec<(usize, &'t str)>,
}

impl<'t> UrlLocator<'t> {
    /// A locator over `text` (the template source).
    pub fn new(text: &'t str) -> UrlLocator<'t> {
        UrlLocator { text, lines: LineIndex::new(text), regions: HashMap::new() }
    }

    /// Where `needle` is written inside `within`: the exact text (a URL as
    /// [`urls`] finds it, or any text), else the source line that expands
    /// to `line` once `${…}` parts are substituted (a `!Sub` script).
    pub fn locate(&mut self, within: Span, needle: &str, line: &str) -> Option<Span> {
        let text = self.text;
        let start = within.start.offset as usize;
        let end = (within.end.offset as usize).min(text.len());
        let body = text.get(start..end)?;
        let region = self.regions.entry((within.start.offset, within.end.offset)).or_insert_with(|| {
            let mut first = HashMap::new();
            for (i, url) in urls(body) {
                first.entry(url).or_insert(start + i);
            }
            let mut sub_lines = Vec::new();
            let mut offset = start;
            for src_line in body.split_inclusive('\n') {
                let trimmed = src_line.trim();
                if trimmed.contains("${") {
                    sub_lines.push((offset + src_line.len() - src_line.trim_start().len(), trimmed));
                }
                offset += src_line.len();
            }
            Region { first, sub_lines }
        });
        let found = region.first.get(needle).copied();
        let (s, len) = match found {
            Some(s) => (s, needle.len()),
            None => {
                let want = line.trim();
                let (s, trimmed) = region
                    .sub_lines
                    .iter()
                    .take(SUB_LINE_BUDGET)
                    .find(|(_, l)| sub_pattern_matches(l, want))
                    .copied()
                    // small nodes only: a search per URL through a large one is quadratic
                    .or_else(|| {
                        (body.len() <= 1 << 16).then(|| body.find(needle)).flatten().map(|i| (start + i, needle))
                    })?;
                (s, trimmed.len())
            }
        };
        Some(Span { start: self.lines.pos(text, s), end: self.lines.pos(text, s + len) })
    }
}

/// Does a source line with `${…}` variables expand to `resolved`?
fn sub_pattern_matches(pattern: &str, resolved: &str) -> bool {
    let mut pieces: Vec<&str> = Vec::new();
    let mut rest = pattern;
    while let Some(i) = rest.find("${") {
        pieces.push(&rest[..i]);
        rest = match rest[i..].find('}') {
            Some(j) => &rest[i + j + 1..],
            None => "",
        };
    }
    pieces.push(rest);
    let mut pos = 0;
    for (k, piece) in pieces.iter().enumerate() {
        if k == 0 {
            if !resolved.starts_with(piece) {
                return false;
            }
            pos = piece.len();
            continue;
        }
        match resolved[pos..].find(piece) {
            Some(i) => pos += i + piece.len(),
            None => return false,
        }
    }
    pieces.last().is_none_or(|last| resolved.ends_with(last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Pos;

    fn whole(text: &str) -> Span {
        Span {
            start: Pos { line: 1, column: 1, offset: 0 },
            end: Pos { line: 1, column: 1, offset: text.len() as u32 },
        }
    }

    #[test]
    fn urls_in_order_with_offsets() {
        let t = "curl 'https://a.example/x.sh' | bash; wget http://b:8080/y, s3://bucket/k.\nhttps:// alone";
        let got: Vec<(usize, &str)> = urls(t);
        assert_eq!(got, vec![(6, "https://a.example/x.sh"), (43, "http://b:8080/y"), (60, "s3://bucket/k")]);
    }

    #[test]
    fn locates_urls_and_sub_lines() {
        let text = "a: |\n  curl http://x/1\n  curl http://${Host}/2\n  curl http://x/1\n";
        let mut l = UrlLocator::new(text);
        let s = l.locate(whole(text), "http://x/1", "curl http://x/1").unwrap();
        assert_eq!((s.start.line, s.start.column), (2, 8));
        let s = l.locate(whole(text), "http://h/2", "curl http://h/2").unwrap();
        assert_eq!((s.start.line, s.start.column), (3, 3));
        assert!(l.locate(whole(text), "http://nowhere/", "curl http://nowhere/").is_none());
    }
}
