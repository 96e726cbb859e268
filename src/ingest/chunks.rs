//! A large XML feed read a few hundred entries at a time. The parser keeps about 1.8 KB
//! per entry besides its text, so a 20,000-entry archive file would need 40 MB for that
//! alone; cut into documents of [`ENTRIES_PER_CHUNK`] entries (each with the elements
//! that enclose the entries, so it parses as the whole would), memory follows the chunk.

use quick_xml::events::Event;

/// Entries parsed at a time.
pub const ENTRIES_PER_CHUNK: usize = 500;

/// Where a document's entries are, and the start tags that enclose them.
#[derive(Debug)]
pub struct Cuts {
    /// Spans of the start tags of the entries' ancestors, the root first.
    ancestors: Vec<(usize, usize)>,
    /// Spans of the entries, in document order.
    entries: Vec<(usize, usize)>,
}

/// How to cut `text`, or None when it need not or cannot be cut: few entries, not XML,
/// malformed XML, or entries at more than one depth. Such documents are read whole.
pub fn plan(text: &str) -> Option<Cuts> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut ancestors: Option<Vec<(usize, usize)>> = None;
    let mut entries = Vec::new();
    // Where the entry being read started, and how many elements were open around it.
    let mut in_entry: Option<(usize, usize)> = None;
    loop {
        let before = position(&reader);
        let event = reader.read_event().ok()?;
        let after = position(&reader);
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(tag) | Event::Empty(tag) => {
                let is_entry = matches!(tag.local_name().as_ref(), "item" | "entry");
                if in_entry.is_none() && is_entry {
                    match &ancestors {
                        None => ancestors = Some(open.clone()),
                        Some(first) if first.len() != open.len() => return None,
                        Some(_) => {}
                    }
                    if empty {
                        entries.push((before, after));
                    } else {
                        in_entry = Some((before, open.len()));
                    }
                }
                if !empty {
                    open.push((before, after));
                }
            }
            Event::End(_) => {
                open.pop();
                if let Some((start, depth)) = in_entry
                    && open.len() == depth
                {
                    entries.push((start, after));
                    in_entry = None;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let ancestors = ancestors?;
    (entries.len() > ENTRIES_PER_CHUNK && !ancestors.is_empty())
        .then_some(Cuts { ancestors, entries })
}

fn position(reader: &quick_xml::Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

impl Cuts {
    pub fn chunks(&self) -> usize {
        self.entries.len().div_ceil(ENTRIES_PER_CHUNK)
    }

    /// The `index`th document: the first keeps everything before its entries (the
    /// channel's title and links), the last everything after; the others get the
    /// enclosing start tags and their end tags.
    pub fn chunk(&self, text: &str, index: usize) -> String {
        let from = index * ENTRIES_PER_CHUNK;
        let to = (from + ENTRIES_PER_CHUNK).min(self.entries.len());
        let (Some(first), Some(last)) = (self.entries.get(from), self.entries.get(to - 1)) else {
            return String::new();
        };
        let mut chunk = String::with_capacity(last.1 - first.0 + 256);
        if index == 0 {
            chunk.push_str(&text[..first.0]);
        } else {
            let root = self.ancestors[0];
            chunk.push_str(&text[..root.1]);
            for &(start, end) in &self.ancestors[1..] {
                chunk.push_str(&text[start..end]);
            }
        }
        chunk.push_str(&text[first.0..last.1]);
        if to == self.entries.len() {
            chunk.push_str(&text[last.1..]);
        } else {
            for &(start, end) in self.ancestors.iter().rev() {
                chunk.push_str("</");
                chunk.push_str(tag_name(&text[start..end]));
                chunk.push('>');
            }
        }
        chunk
    }
}

/// `rdf:RDF` from `<rdf:RDF xmlns:rdf="…">`.
fn tag_name(start_tag: &str) -> &str {
    let name = start_tag.trim_start_matches('<');
    let end = name
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(name.len());
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rss(items: usize) -> String {
        let items: String = (0..items)
            .map(|i| format!("<item><title>t{i}</title><guid>g{i}</guid></item>\n"))
            .collect();
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE rss><rss version=\"2.0\" xmlns:dc=\"x\">\
             <channel><title>c</title>{items}<link>l</link></channel></rss>"
        )
    }

    #[test]
    fn few_entries_are_read_whole() {
        assert!(plan(&rss(ENTRIES_PER_CHUNK)).is_none());
        assert!(plan("{\"items\": []}").is_none());
        assert!(plan("<rss><channel><item></channel>").is_none());
    }

    #[test]
    fn every_entry_lands_in_exactly_one_chunk_that_parses_alone() {
        let text = rss(ENTRIES_PER_CHUNK * 2 + 7);
        let cuts = plan(&text).unwrap();
        assert_eq!(cuts.chunks(), 3);
        let chunks: Vec<String> = (0..3).map(|i| cuts.chunk(&text, i)).collect();
        assert!(chunks[0].starts_with("<?xml version=\"1.0\"?><!DOCTYPE rss><rss"));
        assert!(chunks[0].ends_with("</channel></rss>"));
        assert!(chunks[1].contains("<channel><item><title>t500<"));
        assert!(!chunks[1].contains("<title>c</title>"));
        assert!(chunks[2].ends_with("<link>l</link></channel></rss>"));
        let all = chunks.concat();
        for i in 0..ENTRIES_PER_CHUNK * 2 + 7 {
            assert_eq!(all.matches(&format!("<guid>g{i}</guid>")).count(), 1, "{i}");
        }
        for chunk in &chunks {
            let mut reader = quick_xml::Reader::from_str(chunk);
            while !matches!(reader.read_event().unwrap(), Event::Eof) {}
        }
    }
}
