//! Byte offset to line and column.

use std::cell::Cell;

use super::Pos;

/// Where each line starts, to turn byte offsets into line and column.
///
/// The loaders ask for positions mostly in source order, so [`pos`] first
/// tries the line of the previous answer and the one after it (a hint kept
/// in a `Cell`) before searching.
///
/// [`pos`]: LineIndex::pos
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    ascii: bool,
    len: u32,
    hint: Cell<usize>,
}

impl LineIndex {
    /// Indexes `text` (lines end at `\n`; a `\r` before it belongs to the line).
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // a generous guess (templates average 25-40 bytes a line) saves regrowth
        let mut starts = Vec::with_capacity(bytes.len() / 24 + 1);
        starts.push(0u32);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| (i + 1) as u32));
        LineIndex { starts, ascii: text.is_ascii(), len: text.len() as u32, hint: Cell::new(0) }
    }

    /// The 0-based line holding byte `offset` (already clamped).
    fn line_of(&self, offset: u32) -> usize {
        let on = |line: usize| {
            self.starts.get(line).is_some_and(|&s| s <= offset)
                && self.starts.get(line + 1).is_none_or(|&next| offset < next)
        };
        let hint = self.hint.get();
        let line = if on(hint) {
            hint
        } else if on(hint + 1) {
            hint + 1
        } else {
            match self.starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        self.hint.set(line);
        line
    }

    /// The position of byte `offset` (clamped to the text; an offset inside a
    /// multi-byte character counts as that character).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let offset = (offset as u32).min(self.len);
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        let column = if self.ascii {
            offset as usize - start
        } else {
            let end = floor_char_boundary(text, offset as usize);
            text[start..end].chars().count()
        };
        Pos { line: line as u32 + 1, column: column as u32 + 1, offset }
    }

    /// The byte offset where 1-based `line` starts, if the text has it.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.starts.get(line.checked_sub(1)? as usize).map(|&s| s as usize)
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "a: é🦀\nb: x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.pos(text, x), Pos { line: 2, column: 4, offset: x as u32 });
        let crab_end = text.find('\n').unwrap();
        assert_eq!(idx.pos(text, crab_end).column, 6);
    }

    #[test]
    fn any_order_of_questions_gets_the_same_answers() {
        let text = "a\n\nbc\nd\n\n\nefg";
        let idx = LineIndex::new(text);
        let expected = |o: usize| {
            let before = &text[..o];
            let line = before.matches('\n').count() as u32 + 1;
            let column = (o - before.rfind('\n').map_or(0, |i| i + 1)) as u32 + 1;
            Pos { line, column, offset: o as u32 }
        };
        let forward: Vec<usize> = (0..=text.len()).collect();
        let backward: Vec<usize> = forward.iter().rev().copied().collect();
        let jumping: Vec<usize> = (0..=text.len()).map(|i| (i * 7) % (text.len() + 1)).collect();
        for order in [forward, backward, jumping] {
            for o in order {
                assert_eq!(idx.pos(text, o), expected(o), "offset {o}");
            }
        }
        assert_eq!(idx.pos(text, 10_000).offset, text.len() as u32);
    }

    #[test]
    fn crlf_lines() {
        let text = "a: 1\r\nb: 2\r\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(text, text.find('b').unwrap()).line, 2);
        assert_eq!(idx.pos(text, text.find('b').unwrap()).column, 1);
    }
}
