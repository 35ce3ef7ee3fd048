//! DQL's `regexp()` and `match()` (fuzzy, by Levenshtein distance) on a
//! string predicate, as Dgraph's `handleRegexFunction` and
//! `handleMatchFunction` answer them.
//!
//! At the root both start from the trigram index: `regexp` from the lists
//! its trigram query names (an expression that requires no trigram is
//! refused as too wide-ranging), `match` from the lists of any trigram of
//! the text. In a filter they start from the given subjects. Each
//! candidate's value is then tested: the value in the call's language
//! (`name@fr`), else every untagged value of a list, else the untagged
//! value.
//!
//! Dgraph also cuts each trigram list to the block's `first` before
//! uniting them, which can lose matches; Strata does not.

use super::keys::{data_key, index_key};
use super::lists::read_list;
use super::schema::Schema;
use super::LiveStore;
use crate::format::proto::{BackupPostingList, ValType};
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use crate::store::regex::trigrams::{Op, Query};
use crate::store::regex::DqlRegex;
use crate::store::tokenize::Tokenizer;
use std::collections::BTreeSet;

/// The values of a list a `regexp`/`match` call tests (see the module doc).
fn tested_values<'a>(pl: &'a BackupPostingList, lang: &str, list: bool) -> Vec<&'a [u8]> {
    let values = pl.postings.iter().filter(|p| !p.is_uid_ref());
    if !lang.is_empty() {
        return values
            .filter(|p| p.lang_tag == lang.as_bytes())
            .map(|p| p.value.as_slice())
            .take(1)
            .collect();
    }
    let untagged = values
        .filter(|p| p.lang_tag.is_empty())
        .map(|p| p.value.as_slice());
    if list {
        untagged.collect()
    } else {
        untagged.take(1).collect()
    }
}

/// Dgraph's Levenshtein distance, over characters (invalid UTF-8 bytes
/// count as U+FFFD each, as Go's `[]rune` conversion makes them).
fn levenshtein(a: &str, b: &str) -> usize {
    let (s, t): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (s, t) = if s.len() > t.len() { (t, s) } else { (s, t) };
    let mut column: Vec<usize> = (0..=s.len()).collect();
    for (x, tc) in t.iter().enumerate() {
        column[0] = x + 1;
        let mut last_diag = x;
        for y in 1..=s.len() {
            let old_diag = column[y];
            let cost = usize::from(s[y - 1] != *tc);
            column[y] = (column[y] + 1).min(column[y - 1] + 1).min(last_diag + cost);
            last_diag = old_diag;
        }
    }
    column[s.len()]
}

/// One `regexp` or `match` call.
pub enum Pattern<'a> {
    Regexp(&'a DqlRegex),
    /// `match(pred, text, max)`.
    Fuzzy {
        text: &'a str,
        max: usize,
    },
}

impl Pattern<'_> {
    fn name(&self) -> &'static str {
        match self {
            Pattern::Regexp(_) => "Regex",
            Pattern::Fuzzy { .. } => "Fuzzy",
        }
    }

    fn holds(&self, value: &[u8]) -> bool {
        match self {
            Pattern::Regexp(re) => re.matches(value),
            Pattern::Fuzzy { text, max } => {
                let value = String::from_utf8_lossy(value);
                // the distance is at least the difference in length: a long
                // value is ruled out without the quadratic table
                let (n, m) = (value.chars().count(), text.chars().count());
                !value.is_empty() && n.abs_diff(m) <= *max && levenshtein(&value, text) <= *max
            }
        }
    }
}

impl LiveStore {
    /// Subjects whose value of `attr` satisfies `p`, ascending: among
    /// `among` in a filter, else through the trigram index. `lang` is the
    /// call's language ("" none).
    pub fn pattern_match(
        &self,
        attr: &str,
        p: &Pattern,
        lang: &str,
        among: Option<&[u64]>,
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<u64>> {
        let rtxn = self.view(read_ts)?;
        let schema = self.load_schema(&rtxn, ns, attr, read_ts)?;
        let trigram = schema
            .as_ref()
            .is_some_and(|s| s.toks.contains(&Tokenizer::Trigram));
        if matches!(p, Pattern::Fuzzy { .. }) && !trigram {
            return Err(StoreError::invalid(format!(
                "Attribute {attr} is not indexed with type trigram"
            )));
        }
        let Some(schema) = schema else {
            return Err(StoreError::invalid(format!("Attribute not scalar: {attr}")));
        };
        check_string(&schema, p)?;
        let candidates: Vec<u64> = match (among, p) {
            (Some(a), _) => a.to_vec(),
            (None, _) if !trigram => {
                return Err(StoreError::invalid(format!(
                    "Attribute {attr} does not have trigram index for regex matching. Please add \
                     a trigram index or use has/uid function with regexp() as filter."
                )))
            }
            (None, Pattern::Regexp(re)) => {
                let q = re.query();
                if matches!(q.op, Op::All | Op::None) {
                    return Err(StoreError::invalid(
                        "regular expression is too wide-ranging and can't be executed efficiently",
                    ));
                }
                self.eval_trigrams(&rtxn, ns, attr, q, read_ts)?
                    .into_iter()
                    .collect()
            }
            (None, Pattern::Fuzzy { text, .. }) => {
                let mut all = BTreeSet::new();
                for t in Tokenizer::Trigram
                    .tokens(text.as_bytes(), "")
                    .map_err(StoreError::invalid)?
                {
                    all.extend(
                        read_list(&self.store, &rtxn, &index_key(ns, attr, &t), read_ts)?.uids,
                    );
                }
                all.into_iter().collect()
            }
        };
        let mut out = Vec::new();
        for s in candidates {
            let pl = read_list(&self.store, &rtxn, &data_key(ns, attr, s), read_ts)?;
            if tested_values(&pl, lang, schema.su.list)
                .into_iter()
                .any(|v| p.holds(v))
            {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The subjects a trigram query selects: intersections for `And`,
    /// unions for `Or`.
    fn eval_trigrams(
        &self,
        rtxn: &Txn<'_>,
        ns: u64,
        attr: &str,
        q: &Query,
        read_ts: u64,
    ) -> Result<BTreeSet<u64>> {
        let list = |t: &[u8]| -> Result<BTreeSet<u64>> {
            let token = [&[Tokenizer::Trigram.id()][..], t].concat();
            Ok(
                read_list(&self.store, rtxn, &index_key(ns, attr, &token), read_ts)?
                    .uids
                    .into_iter()
                    .collect(),
            )
        };
        let mut out: Option<BTreeSet<u64>> = None;
        let and = q.op == Op::And;
        let mut add = |s: BTreeSet<u64>| {
            out = Some(match out.take() {
                None => s,
                Some(o) if and => o.intersection(&s).copied().collect(),
                Some(mut o) => {
                    o.extend(s);
                    o
                }
            });
        };
        for t in &q.trigram {
            add(list(t)?);
        }
        for sub in &q.sub {
            add(self.eval_trigrams(rtxn, ns, attr, sub, read_ts)?);
        }
        Ok(out.unwrap_or_default())
    }
}

fn check_string(schema: &Schema, p: &Pattern) -> Result<()> {
    if schema.vt == ValType::String {
        return Ok(());
    }
    Err(StoreError::invalid(format!(
        "Got non-string type. {} match is allowed only on string type.",
        p.name()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{alter_preds, set_int, set_str, sp, temp_live};

    #[test]
    fn levenshtein_as_dgraph() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("Füße", "Fusse"), 3);
    }

    #[test]
    fn regexp_and_match_at_the_root_and_among_subjects() {
        let (_t, s) = temp_live("pattern");
        let mut name = sp("name", ValType::String);
        name.index = vec!["trigram".into()];
        name.lang = true;
        let plain = sp("plain", ValType::String);
        let age = sp("age", ValType::Int);
        alter_preds(&s, 1, vec![name, plain, age]);
        let mut fr = set_str(3, "name", "Pierre Dupont");
        fr.lang = "fr".into();
        s.apply_mutations(
            2,
            &[
                set_str(1, "name", "Alice Smith"),
                set_str(2, "name", "Bob Smithers"),
                set_str(3, "name", "Carol Smyth"),
                fr,
                set_str(4, "plain", "Smith"),
                set_int(4, "age", 3),
            ],
        )
        .unwrap();
        let re = |p: &str, f: &str| DqlRegex::compile(p, f).unwrap();
        let run = |attr: &str, p: &Pattern, lang: &str, among: Option<&[u64]>| {
            s.pattern_match(attr, p, lang, among, 2, 0)
        };
        let smith = re("Smith", "");
        assert_eq!(
            run("name", &Pattern::Regexp(&smith), "", None).unwrap(),
            vec![1, 2]
        );
        let ers = re("smith(ers)?$", "i");
        assert_eq!(
            run("name", &Pattern::Regexp(&ers), "", None).unwrap(),
            vec![1, 2]
        );
        let dup = re("Dup", "");
        assert_eq!(
            run("name", &Pattern::Regexp(&dup), "fr", None).unwrap(),
            vec![3]
        );
        assert!(run("name", &Pattern::Regexp(&dup), "", None)
            .unwrap()
            .is_empty());
        // too wide at the root, fine in a filter; a filter needs no index
        let wide = re("^S", "");
        let e = run("name", &Pattern::Regexp(&wide), "", None).unwrap_err();
        assert!(e.message().contains("too wide-ranging"), "{e}");
        assert!(run("name", &Pattern::Regexp(&wide), "", Some(&[1, 2]))
            .unwrap()
            .is_empty());
        let e = run("plain", &Pattern::Regexp(&smith), "", None).unwrap_err();
        assert!(e.message().contains("does not have trigram index"), "{e}");
        assert_eq!(
            run("plain", &Pattern::Regexp(&smith), "", Some(&[4])).unwrap(),
            vec![4]
        );
        let e = run("age", &Pattern::Regexp(&smith), "", Some(&[4])).unwrap_err();
        assert!(
            e.message()
                .contains("Regex match is allowed only on string type"),
            "{e}"
        );
        // match: trigram candidates at the root, then the distance
        let fuzzy = |text, max| Pattern::Fuzzy { text, max };
        assert_eq!(
            run("name", &fuzzy("Alice Smyth", 1), "", None).unwrap(),
            vec![1]
        );
        assert_eq!(
            run("name", &fuzzy("Alice Smyth", 5), "", None).unwrap(),
            vec![1, 3]
        );
        assert_eq!(
            run("name", &fuzzy("Carol Smith", 1), "", Some(&[1, 3])).unwrap(),
            vec![3]
        );
        let e = run("plain", &fuzzy("Smith", 1), "", Some(&[4])).unwrap_err();
        assert!(e.message().contains("not indexed with type trigram"), "{e}");
    }
}
