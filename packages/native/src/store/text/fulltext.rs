//! Dgraph's `fulltext` tokenizer: the [`words`] of a value, without the stop
//! words of its language, each reduced by the language's stemmer; distinct
//! and sorted. Languages whose stemmer is not reproduced here are refused
//! with an error naming them, so that no index key differs from Dgraph's.

use super::cjk::bigrams;
use super::words::{words, words_at, GoRunes};
use super::{affix, checked_chars::check, lang, light, porter, stopwords::stop_words};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::BTreeSet;

/// How Dgraph reduces the words of a base language after stop words.
enum Stem {
    /// No stemmer for the language: words are kept as they are.
    Keep,
    /// A Snowball stemmer (Dgraph's `stemmer_<lang>_snowball`). Go's Snowball
    /// runtime reads non-UTF-8 words in ways not reproduced: those are refused.
    Snowball(Stemmer),
    /// Martin Porter's original English stemmer (`stemmer_porter`).
    Porter,
    /// Chinese, Japanese, Korean: ideographic characters paired up.
    CjkBigrams,
    /// A stemmer on the characters of a word (Go's runes, re-encoded): the
    /// light stemmers (`stemmer_<lang>_light`) and Arabic's.
    Runes(fn(&mut Vec<char>)),
    /// The same on the bytes of a word, as bleve's Hindi and Sorani stemmers
    /// work: they return an unmatched word's bytes as they are, so only a
    /// UTF-8 word comes out the same; others are refused.
    Utf8Runes(fn(&mut Vec<char>)),
}

/// The stemmer Dgraph applies to base language `base`.
fn stemmer_of(base: &str) -> Stem {
    let snowball = |a| Stem::Snowball(Stemmer::create(a));
    match base {
        "en" => Stem::Porter,
        "da" => snowball(Algorithm::Danish),
        "fi" => snowball(Algorithm::Finnish),
        "hu" => snowball(Algorithm::Hungarian),
        "nl" => snowball(Algorithm::Dutch),
        "no" => snowball(Algorithm::Norwegian),
        "ro" => snowball(Algorithm::Romanian),
        "ru" => snowball(Algorithm::Russian),
        "sv" => snowball(Algorithm::Swedish),
        "tr" => snowball(Algorithm::Turkish),
        "de" => Stem::Runes(light::german),
        "es" => Stem::Runes(light::spanish),
        "fr" => Stem::Runes(light::french),
        "it" => Stem::Runes(light::italian),
        "pt" => Stem::Runes(light::portuguese),
        "ar" => Stem::Runes(affix::arabic),
        "hi" => Stem::Utf8Runes(affix::hindi),
        "ckb" => Stem::Utf8Runes(affix::sorani),
        "ja" | "ko" | "zh" => Stem::CjkBigrams,
        _ => Stem::Keep,
    }
}

/// The fulltext terms (without the identifier byte) of `value` tagged
/// `tag` ("" when untagged), distinct and sorted. An empty value has none.
pub fn fulltext_terms(value: &str, tag: &str) -> Result<Vec<Vec<u8>>, String> {
    let Some(base) = lang::base(tag) else {
        return Err(format!(
            "fulltext index: language tag {tag:?} is not supported yet (supported: untagged, \
             a two-letter language code, or ckb, each with an optional script and region)"
        ));
    };
    check(value).map_err(|e| format!("fulltext index: {e}"))?;
    let stem = stemmer_of(base);
    if let Stem::CjkBigrams = stem {
        let terms: BTreeSet<Vec<u8>> = bigrams(words_at(value)).into_iter().collect();
        return Ok(terms.into_iter().collect());
    }
    let stops = stop_words(base);
    let mut out = BTreeSet::new();
    for w in words(value) {
        if stops.is_some_and(|s| std::str::from_utf8(&w).is_ok_and(|w| s.contains(w))) {
            continue;
        }
        out.insert(match &stem {
            Stem::Keep | Stem::CjkBigrams => w,
            Stem::Porter => on_runes(&w, |r| *r = porter::stem(r)),
            Stem::Runes(f) => on_runes(&w, f),
            Stem::Utf8Runes(f) => {
                utf8_word(&w, value, base)?;
                on_runes(&w, f)
            }
            Stem::Snowball(s) => s
                .stem(utf8_word(&w, value, base)?)
                .into_owned()
                .into_bytes(),
        });
    }
    Ok(out.into_iter().collect())
}

/// A word as UTF-8, or the error naming `value`: only the lower-casing quirk
/// of words.rs yields words that are not, and stemmers that read bytes treat
/// those in ways this build does not reproduce.
fn utf8_word<'a>(w: &'a [u8], value: &str, base: &str) -> Result<&'a str, String> {
    std::str::from_utf8(w).map_err(|_| {
        format!(
            "fulltext index: {value:?} lower-cases to bytes that are not UTF-8; Strata cannot \
             stem those for language {base:?} as Dgraph does"
        )
    })
}

/// Runs a stemmer on the runes of `w` as Go reads them (a byte that is not
/// UTF-8 is U+FFFD) and encodes the result, as bleve's rune-based filters do.
fn on_runes(w: &[u8], f: impl Fn(&mut Vec<char>)) -> Vec<u8> {
    let mut runes: Vec<char> = GoRunes(w).map(|(c, _)| c).collect();
    f(&mut runes);
    runes.into_iter().collect::<String>().into_bytes()
}
