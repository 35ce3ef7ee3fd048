//! The first pass of Dgraph's term and fulltext analyzers (bleve's unicode
//! tokenizer, `to_lower` and `unicodenorm_nfkc` filters), byte for byte:
//!
//! * split on Unicode word boundaries (UAX #29), keeping the segments bleve
//!   types as words: letters, digits (general category Nd), connector
//!   punctuation (`_`), ideographs and kana. Punctuation, symbols, spaces
//!   and other numbers (½, ²) are dropped;
//! * lower-case each in place as bleve's `to_lower` does ([`go_lower`]);
//! * NFKC-normalise it, leaving bytes that are not UTF-8 as they are.
//!
//! Words are bytes, not strings: bleve's in-place lower-casing leaves stray
//! bytes behind after a rune whose lower case is shorter (İ, K, Ω, ẞ, Å),
//! and Dgraph indexes those bytes.

use super::checked_chars::is_ideographic;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

/// The words of `s` in order (duplicates kept).
pub fn words(s: &str) -> Vec<Vec<u8>> {
    words_at(s).into_iter().map(|w| w.term).collect()
}

/// A word with where it starts in the text and how Dgraph's split types it.
pub struct Word {
    pub term: Vec<u8>,
    /// Byte offset of the segment in the original text.
    pub start: usize,
    /// A Han character or a kana run (what CJK bigrams are made of).
    pub ideographic: bool,
}

/// The words of `s` in order, with their offsets and types.
pub fn words_at(s: &str) -> Vec<Word> {
    s.split_word_bound_indices()
        .filter(|(_, seg)| seg.chars().any(is_word_char))
        .map(|(start, seg)| Word {
            term: nfkc_bytes(&go_lower(seg.as_bytes())),
            start,
            ideographic: seg.chars().next().is_some_and(is_ideographic),
        })
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || matches!(
            c.general_category(),
            GeneralCategory::DecimalNumber | GeneralCategory::ConnectorPunctuation
        )
}

/// bleve's `to_lower` on one token. Runes are rewritten in place with Go's
/// simple case mapping; a rune that is already lower case is skipped without
/// being moved, so after a rune whose lower case is shorter in UTF-8 the
/// tail keeps its old bytes and the token is cut short by the difference. A
/// capital sigma in the last two bytes becomes a final sigma. At a rune whose
/// lower case is longer (Ⱥ, Ⱦ) the rest is lower-cased into a new buffer.
pub fn go_lower(token: &[u8]) -> Vec<u8> {
    let mut s = token.to_vec();
    let (mut i, mut j) = (0, 0);
    while i < s.len() {
        let (r, wid) = go_decode(&s[i..]);
        let mut l = simple_lower(r);
        if l == r {
            i += wid;
            j += wid;
            continue;
        }
        if l == 'σ' && i + 2 == s.len() {
            l = 'ς';
        }
        let lwid = l.len_utf8();
        if lwid > wid {
            let mut out = s[..j].to_vec();
            for (r, _) in GoRunes(&s[i..]) {
                let mut buf = [0u8; 4];
                out.extend_from_slice(simple_lower(r).encode_utf8(&mut buf).as_bytes());
            }
            return out;
        }
        l.encode_utf8(&mut s[j..j + lwid]);
        i += wid;
        j += lwid;
    }
    s.truncate(j);
    s
}

/// Go's `unicode.ToLower`: the simple case mapping. Rust's `to_lowercase` is
/// the full mapping; the two differ only where the full one yields several
/// characters (U+0130 İ), whose simple mapping is the first of them.
fn simple_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `utf8.DecodeRune`: an invalid byte is U+FFFD of width 1.
fn go_decode(b: &[u8]) -> (char, usize) {
    let head = &b[..b.len().min(4)];
    match head.utf8_chunks().next() {
        Some(chunk) if !chunk.valid().is_empty() => {
            let c = chunk.valid().chars().next().unwrap_or('\u{fffd}');
            (c, c.len_utf8())
        }
        _ => ('\u{fffd}', 1),
    }
}

/// The runes of `b` as Go reads them (`[]rune(string(b))`).
pub struct GoRunes<'a>(pub &'a [u8]);

impl Iterator for GoRunes<'_> {
    type Item = (char, usize);
    fn next(&mut self) -> Option<(char, usize)> {
        if self.0.is_empty() {
            return None;
        }
        let (c, w) = go_decode(self.0);
        self.0 = &self.0[w..];
        Some((c, w))
    }
}

/// NFKC of the UTF-8 runs of `b`; bytes that are not UTF-8 stay as they are
/// (as Go's `norm.NFKC.Bytes` leaves them).
fn nfkc_bytes(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.extend(chunk.valid().nfkc().collect::<String>().into_bytes());
        out.extend_from_slice(chunk.invalid());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(s: &str) -> Vec<u8> {
        go_lower(s.as_bytes())
    }

    #[test]
    fn lower_case_follows_bleve() {
        assert_eq!(lower("ÉCOLE"), "école".as_bytes());
        assert_eq!(lower("ΟΔΟΣ"), "οδος".as_bytes());
        assert_eq!(lower("Σ"), "ς".as_bytes());
        assert_eq!(lower("ΣΑ"), "σα".as_bytes());
        // after a rune whose lower case is wider, the rest plainly
        assert_eq!(lower("ȺΣ"), "ⱥσ".as_bytes());
        // İ (2 bytes) becomes i (1 byte): the tail is not moved and the
        // token loses its last byte (Dgraph v24.0.5 indexes these bytes)
        assert_eq!(lower("İnşaat"), b"i\xb0n\xc5\x9faa");
        assert_eq!(lower("aİb"), b"ai\xb0");
    }

    #[test]
    fn split_lower_and_normalise() {
        let w: Vec<Vec<u8>> = ["hello", "world", "fine", "42", "a_b", "_", "can't", "1,000"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        assert_eq!(words("Hello, WORLD! ﬁne 42 a_b _ can't 1,000 ½"), w);
        assert!(words(" ,.; ½ ").is_empty());
    }
}
