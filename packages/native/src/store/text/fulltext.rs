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
    /// A Snowball stemmer (Dgraph's `stemmer_<lang>_snowball`).
    Snowball(Algorithm),
    /// Martin Porter's original English stemmer (`stemmer_porter`).
    Porter,
    /// Chinese, Japanese, Korean: ideographic characters paired up.
    CjkBigrams,
    /// A stemmer on the characters of a word: the light stemmers
    /// (`stemmer_<lang>_light`), Arabic's and Hindi's.
    Light(fn(&mut Vec<char>)),
}

/// The stemmer of base language `base`, or the name of the one Dgraph uses
/// that this build lacks.
fn stemmer_of(base: &str) -> Result<Stem, &'static str> {
    Ok(match base {
        "en" => Stem::Porter,
        "da" => Stem::Snowball(Algorithm::Danish),
        "fi" => Stem::Snowball(Algorithm::Finnish),
        "hu" => Stem::Snowball(Algorithm::Hungarian),
        "nl" => Stem::Snowball(Algorithm::Dutch),
        "no" => Stem::Snowball(Algorithm::Norwegian),
        "ro" => Stem::Snowball(Algorithm::Romanian),
        "ru" => Stem::Snowball(Algorithm::Russian),
        "sv" => Stem::Snowball(Algorithm::Swedish),
        "tr" => Stem::Snowball(Algorithm::Turkish),
        "de" => Stem::Light(light::german),
        "es" => Stem::Light(light::spanish),
        "fr" => Stem::Light(light::french),
        "it" => Stem::Light(light::italian),
        "pt" => Stem::Light(light::portuguese),
        "ar" => Stem::Light(affix::arabic),
        "hi" => Stem::Light(affix::hindi),
        "ckb" => Stem::Light(affix::sorani),
        "ja" | "ko" | "zh" => Stem::CjkBigrams,
        _ => Stem::Keep,
    })
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
    let stem = stemmer_of(base).map_err(|what| {
        format!(
            "fulltext index: language {base:?} (tag {tag:?}) needs {what}, which Strata does \
             not reproduce yet"
        )
    })?;
    check(value).map_err(|e| format!("fulltext index: {e}"))?;
    let stops = stop_words(base);
    let snowball = match &stem {
        Stem::Snowball(a) => Some(Stemmer::create(*a)),
        _ => None,
    };
    if let Stem::CjkBigrams = stem {
        return Ok(bigrams(words_at(value))
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect());
    }
    let mut out = BTreeSet::new();
    for w in words(value) {
        if stops.is_some_and(|s| std::str::from_utf8(&w).is_ok_and(|w| s.contains(w))) {
            continue;
        }
        out.insert(match (&stem, &snowball) {
            (Stem::Porter, _) => on_runes(&w, |r| *r = porter::stem(r)),
            // bleve's Hindi and Sorani stemmers return an unmatched word's
            // bytes as they are, the others re-encode them: only UTF-8 is the
            // same for both
            (Stem::Light(_), _)
                if matches!(base, "hi" | "ckb") && std::str::from_utf8(&w).is_err() =>
            {
                return Err(format!(
                    "fulltext index: {value:?} lower-cases to bytes that are not UTF-8; \
                     Strata cannot stem those for language {base:?} as Dgraph does"
                ))
            }
            (Stem::Light(f), _) => on_runes(&w, f),
            (_, Some(s)) => {
                // Only the lower-casing quirk of words.rs yields non-UTF-8
                // words; Go's Snowball runtime reads those bytes in ways
                // this build does not reproduce.
                let w = std::str::from_utf8(&w).map_err(|_| {
                    format!(
                        "fulltext index: {value:?} lower-cases to bytes that are not UTF-8; \
                         Strata cannot stem those for language {base:?} as Dgraph does"
                    )
                })?;
                s.stem(w).into_owned().into_bytes()
            }
            _ => w,
        });
    }
    Ok(out.into_iter().collect())
}

/// Runs a stemmer on the runes of `w` as Go reads them (a byte that is not
/// UTF-8 is U+FFFD) and encodes the result, as bleve's rune-based filters do.
fn on_runes(w: &[u8], f: impl Fn(&mut Vec<char>)) -> Vec<u8> {
    let mut runes: Vec<char> = GoRunes(w).map(|(c, _)| c).collect();
    f(&mut runes);
    runes.into_iter().collect::<String>().into_bytes()
}
