//! Byte offset to line and column.

use super::Pos;

/// Where each line starts, to turn byte offsets into line and column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    ascii: bool,
    len: u32,
}

impl LineIndex {
    /// Indexes `text` (lines end at `\n`; a `\r` before it belongs to the line).
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0u32];
        starts.extend(memchr_newlines(text.as_bytes()).map(|i| (i + 1) as u32));
        LineIndex { starts, ascii: text.is_ascii(), len: text.len() as u32 }
    }

    /// The position of byte `offset` (clamped to the text; an offset inside a
    /// multi-byte character counts as that character).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let offset = (offset as u32).min(self.len);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
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

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i)
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
    fn crlf_lines() {
        let text = "a: 1\r\nb: 2\r\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(text, text.find('b').unwrap()).line, 2);
        assert_eq!(idx.pos(text, text.find('b').unwrap()).column, 1);
    }
}
