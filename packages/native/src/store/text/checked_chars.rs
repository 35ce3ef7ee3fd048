//! Which text this build analyses exactly as Dgraph does. Dgraph's word
//! split uses Unicode 8.0 tables and a state machine of its own; this build
//! uses current Unicode. The two were compared code point by code point
//! against Dgraph's `tok` package (`examples/checked_chars.rs` writes the
//! table): a value with a character outside the checked set is refused by
//! the term and fulltext tokenizers rather than indexed differently.

use super::checked_chars_table::{AFTER_LETTER, ANYWHERE, IDEOGRAPHIC};

fn within(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(a, b)| {
            if b < cp {
                std::cmp::Ordering::Less
            } else if a > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether Dgraph's word split types `c` as ideographic.
pub fn is_ideographic(c: char) -> bool {
    within(&IDEOGRAPHIC, c)
}

/// `Err` names the first character of `s` whose analysis was not shown to
/// match Dgraph's where it stands.
pub fn check(s: &str) -> Result<(), String> {
    // After a letter, or after a mark that followed one (not after a digit:
    // U+FE10 between digits joins them in Dgraph's split).
    let mut in_word = false;
    for c in s.chars() {
        if c.is_ascii() {
            in_word = c.is_ascii_alphabetic();
            continue;
        }
        if within(&ANYWHERE, c) {
            in_word = c.is_alphabetic();
        } else if in_word && within(&AFTER_LETTER, c) {
            // stays in the word
        } else {
            return Err(format!(
                "the character U+{:04X} {} is not split into words the way Dgraph splits it \
                 (Dgraph uses Unicode 8.0 word boundaries); Strata cannot index this value \
                 exactly yet",
                c as u32,
                if in_word || within(&AFTER_LETTER, c) {
                    "at the start of a word"
                } else {
                    "(new since Unicode 8.0, or treated specially by Dgraph)"
                }
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_text_passes_and_unchecked_characters_are_named() {
        for ok in [
            "Hello, world",
            "façade",
            "हिन्दी",
            "שָׁלוֹם",
            "كِتَاب",
            "日本語のテキスト",
            "Ωμέγα 😀",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        // a combining mark at the start of a word
        assert!(check(" \u{93f}x").unwrap_err().contains("U+093F"));
        // fullwidth digits are not numbers to Dgraph's word split
        assert!(check("２").unwrap_err().contains("U+FF12"));
        // a presentation-form comma joins digits in Dgraph's split only
        assert!(check("1\u{fe10}2").is_err());
        // an emoji skin-tone modifier (Unicode 8.0 had it, as a symbol)
        assert!(check("👍🏻").is_err());
    }
}
