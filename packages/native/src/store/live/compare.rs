//! DQL's comparison functions `eq le lt ge gt between`, as Dgraph answers
//! them outside `eq`'s equality index: at the root through a sortable index
//! (`exact int float year month day hour`), and in a filter on given
//! subjects, read from their values (no index needed).
//!
//! At the root, the index keys between the bounds' tokens are scanned (a
//! lossless tokenizer, `exact` or `int`, leaves out a bound's own token for
//! `lt`/`gt`); when the tokenizer is lossy (float and datetime tokens stand
//! for many values) each subject's value is compared too. A value compared
//! is the untagged one (any of them for a list), or, for a function on
//! `pred@lang`, the value in that language (`.`: any value), as Dgraph's
//! string filtering does: the index of a tagged value (`exact`'s collation
//! keys) only finds the candidates, their value is compared byte by byte.

use super::keys::{data_key, index_key};
use super::lists::{read_list, value_cmp, value_eq};
use super::LiveStore;
use crate::format::proto::ValType;
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{decode_list, ValueKind};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// A comparison function and its bounds (schema-typed binary values): one
/// or more for `eq` (any of them), two for `between`, one otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Le,
    Lt,
    Ge,
    Gt,
    Between,
}

impl CompareOp {
    pub fn parse(name: &str) -> std::result::Result<Self, String> {
        Ok(match name {
            "eq" => CompareOp::Eq,
            "le" => CompareOp::Le,
            "lt" => CompareOp::Lt,
            "ge" => CompareOp::Ge,
            "gt" => CompareOp::Gt,
            "between" => CompareOp::Between,
            _ => return Err(format!("{name} is not a comparison function")),
        })
    }

    fn check_bounds(self, n: usize) -> Result<()> {
        let ok = match self {
            CompareOp::Eq => n >= 1,
            CompareOp::Between => n == 2,
            _ => n == 1,
        };
        if ok {
            Ok(())
        } else {
            Err(StoreError::invalid(format!(
                "{self:?} takes {} value(s), got {n}",
                match self {
                    CompareOp::Eq => "one or more",
                    CompareOp::Between => "two",
                    _ => "one",
                }
            )))
        }
    }

    /// Whether `v` satisfies the function for `bounds`.
    fn holds(self, vt: ValType, v: &[u8], bounds: &[Vec<u8>]) -> bool {
        let cmp = |b: &Vec<u8>| value_cmp(vt, v, b);
        match self {
            CompareOp::Eq => bounds.iter().any(|b| value_eq(vt, v, b)),
            CompareOp::Le => matches!(cmp(&bounds[0]), Some(Ordering::Less | Ordering::Equal)),
            CompareOp::Lt => cmp(&bounds[0]) == Some(Ordering::Less),
            CompareOp::Ge => matches!(cmp(&bounds[0]), Some(Ordering::Greater | Ordering::Equal)),
            CompareOp::Gt => cmp(&bounds[0]) == Some(Ordering::Greater),
            CompareOp::Between => {
                matches!(cmp(&bounds[0]), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(cmp(&bounds[1]), Some(Ordering::Less | Ordering::Equal))
            }
        }
    }
}

impl LiveStore {
    /// The subjects among `among` (ascending) whose untagged value of
    /// `attr` (any of them for a list; the one in `lang` when not empty,
    /// any value for ".") satisfies `op` for `bounds`.
    #[allow(clippy::too_many_arguments)]
    pub fn compare_among(
        &self,
        attr: &str,
        op: CompareOp,
        bounds: &[Vec<u8>],
        among: &[u64],
        lang: &str,
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<u64>> {
        op.check_bounds(bounds.len())?;
        let rtxn = self.view(read_ts)?;
        let vt = self.schema_at(&rtxn, ns, attr, read_ts)?.vt;
        let mut out = BTreeSet::new();
        for &s in among {
            let pl = read_list(&self.store, &rtxn, &data_key(ns, attr, s), read_ts)?;
            if pl
                .postings
                .iter()
                .any(|p| in_lang(p, lang) && op.holds(vt, &p.value, bounds))
            {
                out.insert(s);
            }
        }
        Ok(out.into_iter().collect())
    }

    /// The subjects whose value of `attr` (see [`LiveStore::compare_among`]
    /// for `lang`) satisfies `op` (`eq` through [`LiveStore::eq_in`]) for
    /// `bounds`, through the first sortable index of the predicate,
    /// ascending.
    pub fn compare_index(
        &self,
        attr: &str,
        op: CompareOp,
        bounds: &[Vec<u8>],
        lang: &str,
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<u64>> {
        op.check_bounds(bounds.len())?;
        if op == CompareOp::Eq {
            return self.eq_in(attr, bounds, lang, read_ts, ns);
        }
        let rtxn = self.view(read_ts)?;
        let schema = self.schema_at(&rtxn, ns, attr, read_ts)?;
        let Some(tok) = schema.toks.iter().copied().find(|t| t.sortable()) else {
            return Err(StoreError::invalid(format!(
                "Attribute:{attr} does not have proper index for comparison"
            )));
        };
        let mut tokens = Vec::with_capacity(bounds.len());
        for b in bounds {
            let mut t = tok
                .tokens(b, if lang == "." { "" } else { lang })
                .map_err(StoreError::invalid)?;
            if t.len() != 1 {
                return Err(StoreError::invalid(format!(
                    "Attribute {attr} does not have a valid tokenizer."
                )));
            }
            tokens.push(t.remove(0));
        }
        // A tagged value's token starts with its own identifier (`exact`'s
        // collation keys); Dgraph scans every token under it, in any language.
        let Some(id) = tokens[0].get(..1) else {
            return Err(StoreError::invalid(format!(
                "Attribute {attr} does not have a valid tokenizer."
            )));
        };
        let prefix = index_key(ns, attr, id);
        let lossy = tok.lossy();
        let (start, lo, hi): (Vec<u8>, &[u8], Option<&[u8]>) = match op {
            CompareOp::Ge | CompareOp::Gt => (index_key(ns, attr, &tokens[0]), &tokens[0], None),
            CompareOp::Between => (
                index_key(ns, attr, &tokens[0]),
                &tokens[0],
                Some(&tokens[1]),
            ),
            _ => (prefix.clone(), &[], Some(&tokens[0])),
        };
        let mut found = BTreeSet::new();
        self.store
            .scan_from_in(&rtxn, &prefix, &start, read_ts, &mut |v| {
                let token = &v.key[prefix.len() - 1..];
                if hi.is_some_and(|h| token > h) {
                    return Ok(false);
                }
                // Versions follow the key in the store, so a token that is a
                // prefix of the lower bound ("ab" before "abc") sorts after it.
                if token < lo {
                    return Ok(true);
                }
                let exclusive = !lossy
                    && ((op == CompareOp::Gt && token == lo)
                        || (op == CompareOp::Lt && Some(token) == hi));
                if v.kind == ValueKind::PostingList && !exclusive {
                    found.extend(decode_list(v.payload)?.uids);
                }
                Ok(true)
            })?;
        if !lossy && lang.is_empty() {
            return Ok(found.into_iter().collect());
        }
        drop(rtxn);
        let among: Vec<u64> = found.into_iter().collect();
        self.compare_among(attr, op, bounds, &among, lang, read_ts, ns)
    }
}

/// Whether a posting is a value `lang` compares: the untagged one (""),
/// any ("."), or the one tagged `lang`.
pub(super) fn in_lang(p: &crate::format::proto::Posting, lang: &str) -> bool {
    !p.is_uid_ref()
        && match lang {
            "" => p.lang_tag.is_empty(),
            "." => true,
            l => p.lang_tag == l.as_bytes(),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::live::{Edge, HasOf};
    use crate::store::test_support::{alter_preds, set_int, set_str, sp, temp_live};

    fn float(subject: u64, p: &str, v: f64) -> Edge {
        Edge::set_value(subject, p, &v.to_le_bytes(), ValType::Float)
    }

    #[test]
    fn comparisons_through_indexes_and_among_subjects() {
        let (_t, s) = temp_live("compare");
        let with = |name: &str, vt: ValType, index: &[&str], list: bool, lang: bool| {
            let mut p = sp(name, vt);
            p.index = index.iter().map(|t| t.to_string()).collect();
            p.list = list;
            p.lang = lang;
            p
        };
        alter_preds(
            &s,
            1,
            vec![
                with("age", ValType::Int, &["int"], false, false),
                with("score", ValType::Float, &["float"], false, false),
                with("nick", ValType::String, &["hash", "exact"], true, false),
                with("title", ValType::String, &[], false, true),
                with("plain", ValType::Int, &[], false, false),
            ],
        );
        let mut tagged = set_str(3, "title", "x");
        tagged.lang = "fr".into();
        s.apply_mutations(
            2,
            &[
                set_int(1, "age", -5),
                set_int(2, "age", 30),
                set_int(3, "age", 31),
                set_int(4, "age", 1000),
                float(1, "score", 1.25),
                float(2, "score", 1.75),
                float(3, "score", 2.0),
                float(4, "score", -0.5),
                set_str(1, "nick", "ann"),
                set_str(1, "nick", "zed"),
                set_str(2, "nick", "bob"),
                set_str(3, "nick", "cid"),
                tagged,
                set_str(4, "title", "x"),
                set_int(1, "plain", 7),
            ],
        )
        .unwrap();
        let i = |v: i64| v.to_le_bytes().to_vec();
        let f = |v: f64| v.to_le_bytes().to_vec();
        let st = |v: &str| v.as_bytes().to_vec();
        let idx = |p: &str, op, b: &[Vec<u8>]| s.compare_index(p, op, b, "", 2, 0).unwrap();
        // int: lossless, signed order, bounds' own token in or out
        assert_eq!(idx("age", CompareOp::Ge, &[i(30)]), vec![2, 3, 4]);
        assert_eq!(idx("age", CompareOp::Gt, &[i(30)]), vec![3, 4]);
        assert_eq!(idx("age", CompareOp::Le, &[i(30)]), vec![1, 2]);
        assert_eq!(idx("age", CompareOp::Lt, &[i(30)]), vec![1]);
        assert_eq!(idx("age", CompareOp::Lt, &[i(-5)]), Vec::<u64>::new());
        assert_eq!(idx("age", CompareOp::Between, &[i(0), i(31)]), vec![2, 3]);
        // float: tokens are the integer part, values decide
        assert_eq!(idx("score", CompareOp::Gt, &[f(1.5)]), vec![2, 3]);
        assert_eq!(idx("score", CompareOp::Le, &[f(1.25)]), vec![1, 4]);
        assert_eq!(
            idx("score", CompareOp::Between, &[f(1.3), f(2.0)]),
            vec![2, 3]
        );
        // string: exact is the first sortable tokenizer (hash is not); any list value counts
        assert_eq!(idx("nick", CompareOp::Ge, &[st("c")]), vec![1, 3]);
        assert_eq!(idx("nick", CompareOp::Lt, &[st("bob")]), vec![1]);
        // a value that is a prefix of the bound ("bob" under "bobby") is below it
        assert_eq!(idx("nick", CompareOp::Ge, &[st("bobby")]), vec![1, 3]);
        assert_eq!(
            idx("nick", CompareOp::Between, &[st("bobby"), st("d")]),
            vec![3]
        );
        let e = s
            .compare_index("plain", CompareOp::Ge, &[i(1)], "", 2, 0)
            .unwrap_err();
        assert!(
            e.message()
                .contains("does not have proper index for comparison"),
            "{e}"
        );
        let e = s
            .compare_index("age", CompareOp::Between, &[i(1)], "", 2, 0)
            .unwrap_err();
        assert!(e.message().contains("two"), "{e}");
        // among given subjects: no index needed; only the untagged value is compared
        let among =
            |p: &str, op, b: &[Vec<u8>], a: &[u64]| s.compare_among(p, op, b, a, "", 2, 0).unwrap();
        assert_eq!(
            among("plain", CompareOp::Eq, &[i(7), i(8)], &[1, 2]),
            vec![1]
        );
        assert_eq!(
            among("plain", CompareOp::Gt, &[i(7)], &[1]),
            Vec::<u64>::new()
        );
        assert_eq!(
            among("nick", CompareOp::Eq, &[st("zed")], &[1, 2, 3]),
            vec![1]
        );
        assert_eq!(among("title", CompareOp::Eq, &[st("x")], &[3, 4]), vec![4]);
        // in a language: the value tagged so ("." any)
        let among_in = |op, b: &[Vec<u8>], a: &[u64], lang: &str| {
            s.compare_among("title", op, b, a, lang, 2, 0).unwrap()
        };
        assert_eq!(among_in(CompareOp::Eq, &[st("x")], &[3, 4], "fr"), vec![3]);
        assert_eq!(
            among_in(CompareOp::Eq, &[st("x")], &[3, 4], "."),
            vec![3, 4]
        );
        assert_eq!(
            among_in(CompareOp::Eq, &[st("x")], &[3, 4], "de"),
            Vec::<u64>::new()
        );
        // through the collation keys of tagged values (any language), then the value in it
        let mut sv = set_str(5, "ctitle", "b");
        sv.lang = "sv".into();
        let mut de = set_str(6, "ctitle", "a");
        de.lang = "de".into();
        let mut plain = with("ctitle", ValType::String, &["exact"], false, true);
        plain.index = vec!["exact".into()];
        alter_preds(&s, 3, vec![plain]);
        s.apply_mutations(4, &[sv, de, set_str(7, "ctitle", "a")])
            .unwrap();
        let lt = |lang: &str, v: &str| {
            s.compare_index("ctitle", CompareOp::Lt, &[st(v)], lang, 4, 0)
                .unwrap()
        };
        assert_eq!(lt("sv", "c"), vec![5]);
        assert_eq!(lt("de", "b"), vec![6]);
        assert_eq!(lt("", "b"), vec![7]);
        // has: objects of reverse edges, subjects with a value in a language
        let has = |p: &str, reverse: bool, lang: &str| {
            let of = HasOf {
                reverse,
                lang: lang.into(),
            };
            s.has_where(p, 2, 0, 0, None, of).unwrap()
        };
        assert_eq!(has("title", false, ""), vec![4]);
        assert_eq!(has("title", false, "fr"), vec![3]);
        assert_eq!(has("title", false, "."), vec![3, 4]);
        assert_eq!(has("nick", false, ""), vec![1, 2, 3]);
        assert_eq!(
            among("age", CompareOp::Between, &[i(-10), i(30)], &[1, 2, 3, 9]),
            vec![1, 2]
        );
    }
}
