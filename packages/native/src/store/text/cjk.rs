//! The last pass of Dgraph's fulltext analysis for Chinese, Japanese and
//! Korean (bleve's `cjk_bigram` filter, without unigrams): each ideographic
//! word is cut into characters, and each character that directly follows
//! another in the text (no gap between their byte ranges) is paired with it;
//! a character with no neighbour stays alone. Other words pass through.
//! Offsets count the normalised bytes of a word from where its segment
//! starts in the text, as bleve's do, so a character that normalisation
//! lengthens breaks the run.

use super::words::{GoRunes, Word};

pub fn bigrams(words: Vec<Word>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // The last ideographic character seen: its bytes and end offset, and
    // whether it was already paired with the one before it.
    let mut prev: Option<(Vec<u8>, usize, bool)> = None;
    let flush = |prev: &mut Option<(Vec<u8>, usize, bool)>, out: &mut Vec<Vec<u8>>| {
        if let Some((term, _, false)) = prev.take() {
            out.push(term);
        }
    };
    for w in words {
        if !w.ideographic {
            flush(&mut prev, &mut out);
            out.push(w.term);
            continue;
        }
        let mut at = 0;
        for (_, len) in GoRunes(&w.term) {
            let ch = w.term[at..at + len].to_vec();
            let start = w.start + at;
            at += len;
            if prev.as_ref().is_some_and(|(_, end, _)| *end != start) {
                flush(&mut prev, &mut out);
            }
            prev = Some(match prev.take() {
                Some((p, _, _)) => {
                    out.push([p.as_slice(), ch.as_slice()].concat());
                    (ch, start + len, true)
                }
                None => (ch, start + len, false),
            });
        }
    }
    flush(&mut prev, &mut out);
    out
}
