//! Template text made safe to print: control characters and bidirectional
//! overrides become visible escapes.
//!
//! A template is attacker-controlled text in CI, and terminals and CI logs
//! interpret what they print: an `ESC ]0;… BEL` retitles the terminal,
//! `ESC [2J` clears it, a carriage return overwrites a line, and the
//! Unicode bidirectional controls (U+202A–U+202E, U+2066–U+2069, the
//! "Trojan Source" characters) make a line display in another order than
//! it reads. Every format shows such characters as visible escapes instead:
//! the Unicode control pictures for C0 and DEL (`␛`, one column, like the
//! character they stand for) and `<U+202E>` for the others.
//!
//! [`Snippet`] does the same to a whole source file for the human output's
//! snippets, keeping a map from original to shown offsets so that every
//! underline still points at its node.

/// True for the characters that must never reach a terminal raw: C0
/// controls other than tab, line feed and carriage return (line breaks are
/// the caller's business), DEL, C1 controls, and the bidirectional
/// formatting characters.
pub fn is_hazard(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Appends the visible form of a hazard: the control picture of a C0
/// character or DEL (`␛` for ESC), `<U+XXXX>` for the rest.
pub fn push_visible(out: &mut String, c: char) {
    match c as u32 {
        n @ 0..=0x1f => out.push(char::from_u32(0x2400 + n).unwrap_or('\u{fffd}')),
        0x7f => out.push('\u{2421}'),
        n => {
            use std::fmt::Write as _;
            let _ = write!(out, "<U+{n:04X}>");
        }
    }
}

/// serde_json escapes control characters but writes the bidirectional
/// formatting characters raw; a `\uXXXX` escape is the same JSON value and
/// never reaches a terminal or log as the character itself (they can only
/// occur inside strings, where the escape is valid).
pub fn json_safe(json: &str) -> String {
    if !json.chars().any(is_hazard) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_hazard(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` with every hazard (and carriage return) shown as its visible escape;
/// line feeds and tabs are kept.
pub fn visible(s: &str) -> String {
    if !s.chars().any(|c| is_hazard(c) || c == '\r') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hazard(c) || c == '\r' {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// A source file prepared for a snippet: hazards shown as escapes (line
/// breaks kept, so line numbers do not move), with the offsets of the
/// original mapped onto the shown text.
#[derive(Clone, Debug)]
pub struct Snippet {
    /// The text to show.
    pub text: String,
    /// `(original offset, shown offset)` just after each escaped character,
    /// in order: the shift that applies from there on.
    shifts: Vec<(usize, usize)>,
    /// Where each line of `text` starts.
    line_starts: Vec<usize>,
}

impl Snippet {
    /// Prepares `source`. A carriage return not followed by a line feed
    /// ends a line in YAML but would move a terminal's cursor back over the
    /// line: it is shown as `␍` and a line break.
    pub fn new(source: &str) -> Snippet {
        let lone_cr = |i: usize| source.as_bytes().get(i + 1) != Some(&b'\n');
        let needs = source.char_indices().any(|(i, c)| is_hazard(c) || c == '\r' && lone_cr(i));
        let (text, shifts) = if needs {
            let mut text = String::with_capacity(source.len() + 64);
            let mut shifts = Vec::new();
            for (i, c) in source.char_indices() {
                if is_hazard(c) {
                    push_visible(&mut text, c);
                    shifts.push((i + c.len_utf8(), text.len()));
                } else if c == '\r' && lone_cr(i) {
                    push_visible(&mut text, c);
                    text.push('\n');
                    shifts.push((i + 1, text.len()));
                } else {
                    text.push(c);
                }
            }
            (text, shifts)
        } else {
            (source.to_string(), Vec::new())
        };
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Snippet { text, shifts, line_starts }
    }

    /// The 0-based line of byte `offset` of the shown text.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// Where 0-based line `line` of the shown text starts (the text's
    /// length past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// Where byte `offset` of the original is in the shown text.
    pub fn offset(&self, offset: usize) -> usize {
        match self.shifts.partition_point(|(orig, _)| *orig <= offset) {
            0 => offset,
            n => {
                let (orig, shown) = self.shifts[n - 1];
                shown + (offset - orig)
            }
        }
    }

    /// Where byte `offset` of the shown text is in the original (an offset
    /// inside an escape maps to the escaped character).
    pub fn original(&self, offset: usize) -> usize {
        match self.shifts.partition_point(|(_, shown)| *shown <= offset) {
            0 => offset,
            n => {
                let (orig, shown) = self.shifts[n - 1];
                orig + (offset - shown)
            }
        }
    }

    /// A span of the original (offset, length) in the shown text.
    pub fn span(&self, offset: usize, len: usize) -> (usize, usize) {
        let start = self.offset(offset);
        let end = self.offset(offset + len);
        (start, end.saturating_sub(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_become_visible() {
        assert_eq!(visible("a\x1b]0;pwn\x07b\x1b[2J"), "a␛]0;pwn␇b␛[2J");
        assert_eq!(visible("x\u{202e}y\u{2066}z"), "x<U+202E>y<U+2066>z");
        assert_eq!(visible("c1\u{85}d\u{7f}"), "c1<U+0085>d␡");
        assert_eq!(visible("a\rb"), "a␍b");
        assert_eq!(visible("tab\tand\nline"), "tab\tand\nline");
        assert_eq!(visible("plain ünïcödé"), "plain ünïcödé");
    }

    #[test]
    fn snippet_offsets_follow_the_escapes() {
        let src = "a: \x1b[2J\nb: \u{202e}x\nc: y\r\n";
        let s = Snippet::new(src);
        assert_eq!(s.text, "a: ␛[2J\nb: <U+202E>x\nc: y\r\n");
        assert_eq!(
            (s.line_of(0), s.line_of(s.text.find('b').unwrap()), s.line_start(1)),
            (0, 1, s.text.find('b').unwrap())
        );
        assert!(!s.text.chars().any(is_hazard));
        // every original character boundary lands on the same character
        for (i, c) in src.char_indices() {
            if is_hazard(c) {
                continue;
            }
            let j = s.offset(i);
            assert_eq!(s.text[j..].chars().next(), Some(c), "offset {i}");
        }
        for (i, _) in src.char_indices() {
            assert_eq!(s.original(s.offset(i)), i, "round trip of {i}");
        }
        let y = src.find('y').unwrap();
        assert_eq!(s.span(y, 1), (s.text.find('y').unwrap(), 1));
        let x = src.find('x').unwrap();
        let esc = src.find('\u{202e}').unwrap();
        assert_eq!(s.span(esc, x + 1 - esc), (s.text.find('<').unwrap(), "<U+202E>x".len()));
    }

    #[test]
    fn a_lone_carriage_return_is_shown_and_still_ends_the_line() {
        let s = Snippet::new("a: 1\rb: 2\r\nc: 3");
        assert_eq!(s.text, "a: 1␍\nb: 2\r\nc: 3");
        assert_eq!(s.span(5, 1), (s.text.find('b').unwrap(), 1));
        assert_eq!(s.line_of(s.text.find('c').unwrap()), 2);
    }

    #[test]
    fn clean_sources_are_unchanged() {
        let s = Snippet::new("a: b\n");
        assert_eq!(s.text, "a: b\n");
        assert_eq!(s.span(3, 1), (3, 1));
    }
}
