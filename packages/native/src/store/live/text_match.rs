//! DQL's word-matching functions through an index, as Dgraph answers them:
//! `anyofterms`/`allofterms` (term index) and `anyoftext`/`alloftext`
//! (fulltext index).
//!
//! The query text is tokenized with the predicate's tokenizer (term tokens
//! ignore the language; fulltext ones use the function's, English when none
//! or `.`), the index lists of the tokens are united (`anyof`) or
//! intersected (`allof`). On a predicate with `@lang`, unless the language is
//! `.`, each subject is then checked as Dgraph's `filterStringFunction` does:
//! its value in the function's language (the untagged one when none) is
//! tokenized in that language and must hold one (`anyof`) or every (`allof`)
//! query token.

use super::keys::{data_key, index_key};
use super::lists::read_list;
use super::LiveStore;
use crate::store::error::{Result, StoreError};
use crate::store::tokenize::Tokenizer;
use std::collections::BTreeSet;

/// One word-matching function call.
pub struct TextMatch<'a> {
    /// `term` or `fulltext`.
    pub tokenizer: Tokenizer,
    /// `allof...` (every token) rather than `anyof...` (one token).
    pub all: bool,
    pub text: &'a str,
    /// The function's language (`name@fr`): "" when none, "." for any.
    pub lang: &'a str,
}

impl TextMatch<'_> {
    /// Whether `tokens` (a value's) satisfy the function for `wanted` (the query's).
    fn satisfied(&self, wanted: &BTreeSet<Vec<u8>>, tokens: &[Vec<u8>]) -> bool {
        let hits = tokens.iter().filter(|t| wanted.contains(*t)).count();
        if self.all {
            hits == wanted.len()
        } else {
            hits > 0
        }
    }
}

impl LiveStore {
    /// Subjects matching `m` on predicate `attr` at `read_ts`, ascending.
    pub fn text_match(&self, attr: &str, m: &TextMatch, read_ts: u64, ns: u64) -> Result<Vec<u64>> {
        if !matches!(m.tokenizer, Tokenizer::Term | Tokenizer::Fulltext) {
            return Err(StoreError::invalid(format!(
                "{} is not a word-matching tokenizer",
                m.tokenizer.name()
            )));
        }
        let rtxn = self.view(read_ts)?;
        let schema = self.load_schema(&rtxn, ns, attr, read_ts)?;
        let Some(schema) = schema.filter(|s| s.toks.contains(&m.tokenizer)) else {
            return Err(StoreError::invalid(format!(
                "Attribute {attr} is not indexed with type {}",
                m.tokenizer.name()
            )));
        };
        let query_lang = match (m.tokenizer, m.lang) {
            (Tokenizer::Term, _) => "",
            (_, ".") => "en",
            (_, l) => l,
        };
        let wanted: BTreeSet<Vec<u8>> = m
            .tokenizer
            .tokens(m.text.as_bytes(), query_lang)
            .map_err(StoreError::invalid)?
            .into_iter()
            .collect();
        let mut found: Option<BTreeSet<u64>> = None;
        for t in &wanted {
            let list = read_list(&self.store, &rtxn, &index_key(ns, attr, t), read_ts)?.uids;
            found = Some(match found {
                None => list.into_iter().collect(),
                Some(f) if m.all => list.into_iter().filter(|u| f.contains(u)).collect(),
                Some(mut f) => {
                    f.extend(list);
                    f
                }
            });
        }
        let found = found.unwrap_or_default();
        if !schema.su.lang || m.lang == "." {
            return Ok(found.into_iter().collect());
        }
        let mut out = Vec::new();
        for s in found {
            let pl = read_list(&self.store, &rtxn, &data_key(ns, attr, s), read_ts)?;
            let value = pl
                .postings
                .iter()
                .find(|p| !p.is_uid_ref() && p.lang_tag == m.lang.as_bytes());
            let Some(v) = value else { continue };
            // A value Strata cannot tokenize as Dgraph does was refused when
            // written; one restored from Dgraph that fails here does not match.
            let Ok(tokens) = m.tokenizer.tokens(&v.value, m.lang) else {
                continue;
            };
            if m.satisfied(&wanted, &tokens) {
                out.push(s);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::proto::ValType;
    use crate::store::live::Edge;
    use crate::store::test_support::{alter_preds, set_str, sp, temp_live};

    fn m<'a>(tokenizer: Tokenizer, all: bool, text: &'a str, lang: &'a str) -> TextMatch<'a> {
        TextMatch {
            tokenizer,
            all,
            text,
            lang,
        }
    }

    fn tagged(subject: u64, p: &str, v: &str, lang: &str) -> Edge {
        let mut e = set_str(subject, p, v);
        e.lang = lang.into();
        e
    }

    #[test]
    fn any_and_all_of_terms_and_text() {
        let (_t, s) = temp_live("textmatch");
        let mut name = sp("name", ValType::String);
        name.index = vec!["term".into()];
        let mut about = sp("about", ValType::String);
        about.index = vec!["fulltext".into()];
        about.lang = true;
        alter_preds(&s, 1, vec![name, about]);
        s.apply_mutations(
            2,
            &[
                set_str(1, "name", "Blue Sky"),
                set_str(2, "name", "blue river"),
                set_str(3, "name", "Red Sky"),
                set_str(1, "about", "The dogs were running"),
                tagged(2, "about", "Les chiens couraient", "fr"),
                tagged(3, "about", "a dog runs", "fr"),
            ],
        )
        .unwrap();
        let q = |mm: TextMatch, attr: &str| s.text_match(attr, &mm, 2, 0).unwrap();
        assert_eq!(
            q(m(Tokenizer::Term, false, "sky BLUE", ""), "name"),
            vec![1, 2, 3]
        );
        assert_eq!(q(m(Tokenizer::Term, true, "sky BLUE", ""), "name"), vec![1]);
        assert_eq!(
            q(m(Tokenizer::Term, true, "", ""), "name"),
            Vec::<u64>::new()
        );
        // English stems for the untagged value; only it is checked without a language.
        assert_eq!(
            q(m(Tokenizer::Fulltext, true, "dog run", ""), "about"),
            vec![1]
        );
        // "." takes the index's answer as it is: the French "dog" of 3 too.
        assert_eq!(
            q(m(Tokenizer::Fulltext, false, "dog", "."), "about"),
            vec![1, 3]
        );
        // French: the value tagged fr is re-tokenized in French.
        assert_eq!(
            q(m(Tokenizer::Fulltext, false, "chien", "fr"), "about"),
            vec![2]
        );
        assert_eq!(
            q(m(Tokenizer::Fulltext, false, "chien", ""), "about"),
            Vec::<u64>::new()
        );
        let e = s
            .text_match("name", &m(Tokenizer::Fulltext, false, "x", ""), 2, 0)
            .unwrap_err();
        assert!(
            e.message().contains("not indexed with type fulltext"),
            "{e}"
        );
        let e = s
            .text_match("about", &m(Tokenizer::Exact, false, "x", ""), 2, 0)
            .unwrap_err();
        assert!(e.message().contains("word-matching"), "{e}");
    }
}
