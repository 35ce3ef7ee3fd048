//! Edges applied to the DATA list of their (predicate, subject): uid edges
//! (with facets), values (placeholder uids, language tags) and deletes.

use super::lists::{uid_edges, value_eq};
use super::schema::{val_type_of, Schema};
use super::types::{Edge, EdgeOp, FacetInput};
use crate::format::proto::{BackupPostingList, Facet, Posting, PostingType, ValType};
use crate::store::error::{Result, StoreError};
use crate::store::farm::fingerprint64;
use crate::store::tokenize::term_words;
use std::collections::{BTreeMap, BTreeSet};

/// The stored facets of an edge, sorted by key (the first of equal keys
/// wins); string facets get their term tokens.
/// The term tokens Dgraph keeps in a string facet (protobuf strings: a
/// token that is not UTF-8, or text whose split is unproven, is refused).
fn facet_tokens(key: &str, value: &[u8]) -> Result<Vec<String>> {
    let bad = |e: String| StoreError::invalid(format!("facet {key}: {e}"));
    let text = std::str::from_utf8(value).map_err(|_| bad("the value is not UTF-8".into()))?;
    term_words(text, "")
        .map_err(bad)?
        .into_iter()
        .map(|w| {
            String::from_utf8(w)
                .map(|w| format!("\u{1}{w}"))
                .map_err(|_| bad(format!("{text:?} lower-cases to bytes that are not UTF-8")))
        })
        .collect()
}

fn facets_of(input: &[FacetInput]) -> Result<Vec<Facet>> {
    let mut out: Vec<Facet> = Vec::with_capacity(input.len());
    for f in input {
        if f.key.is_empty() {
            return Err(StoreError::invalid("facet key must not be empty"));
        }
        if !(0..=4).contains(&f.val_type) {
            return Err(StoreError::invalid(format!(
                "facet {}: valType {} is not one of STRING=0 INT=1 FLOAT=2 BOOL=3 DATETIME=4",
                f.key, f.val_type
            )));
        }
        let tokens = if f.val_type == 0 {
            facet_tokens(&f.key, &f.value)?
        } else {
            vec![]
        };
        out.push(Facet {
            key: f.key.clone(),
            value: f.value.clone(),
            val_type: f.val_type,
            tokens,
            alias: String::new(),
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out.dedup_by(|a, b| a.key == b.key);
    Ok(out)
}

/// A DATA list being edited: plain uid edges and postings (by uid).
pub(super) struct ListEdit {
    plain: BTreeSet<u64>,
    postings: BTreeMap<u64, Posting>,
}

impl ListEdit {
    pub fn new(old: &BackupPostingList) -> Self {
        let mut plain: BTreeSet<u64> = uid_edges(old);
        let mut postings: BTreeMap<u64, Posting> = BTreeMap::new();
        for p in &old.postings {
            plain.remove(&p.uid);
            postings.insert(p.uid, p.clone());
        }
        ListEdit { plain, postings }
    }

    /// The edited list: uids sorted, postings sorted by uid.
    pub fn into_list(self) -> BackupPostingList {
        let mut uids = self.plain;
        uids.extend(self.postings.keys().copied());
        BackupPostingList {
            uids: uids.into_iter().collect(),
            postings: self.postings.into_values().collect(),
            ..Default::default()
        }
    }

    /// Applies `e` (an edge of predicate `attr` with entry `schema`) at `ts`.
    pub fn apply(&mut self, schema: &Schema, attr: &str, ts: u64, e: &Edge) -> Result<()> {
        if e.star {
            self.plain.clear();
            self.postings.clear();
            return Ok(());
        }
        match e.object_uid {
            Some(o) => self.apply_uid(schema, attr, ts, e, o),
            None => self.apply_value(schema, attr, ts, e),
        }
    }

    fn apply_uid(&mut self, schema: &Schema, attr: &str, ts: u64, e: &Edge, o: u64) -> Result<()> {
        let (plain, postings) = (&mut self.plain, &mut self.postings);
        if schema.vt != ValType::Uid {
            return Err(StoreError::invalid(format!(
                "predicate {attr} is of type {}: it cannot take a uid object",
                schema.vt.schema_name()
            )));
        }
        match e.op {
            EdgeOp::Set => {
                if !schema.su.list {
                    plain.clear();
                    postings.clear();
                }
                if e.facets.is_empty() {
                    postings.remove(&o);
                    plain.insert(o);
                } else {
                    plain.remove(&o);
                    postings.insert(
                        o,
                        Posting {
                            uid: o,
                            val_type: ValType::Uid as i32,
                            posting_type: PostingType::Ref as i32,
                            facets: facets_of(&e.facets)?,
                            op: 1,
                            start_ts: ts - 1,
                            commit_ts: ts,
                            ..Default::default()
                        },
                    );
                }
            }
            EdgeOp::Del => {
                plain.remove(&o);
                postings.remove(&o);
            }
        }
        Ok(())
    }

    fn apply_value(&mut self, schema: &Schema, attr: &str, ts: u64, e: &Edge) -> Result<()> {
        let (plain, postings) = (&mut self.plain, &mut self.postings);
        let value = e.value.as_deref().unwrap_or_default();
        let vt = e.val_type.unwrap_or(0);
        if schema.vt == ValType::Uid {
            return Err(StoreError::invalid(format!(
                "predicate {attr} is of type uid: it cannot take a value"
            )));
        }
        if vt != schema.vt as i32 {
            return Err(StoreError::invalid(format!(
                "predicate {attr} is of type {}, the value is of type {} (convert it first)",
                schema.vt.schema_name(),
                val_type_of(vt).schema_name()
            )));
        }
        if !e.lang.is_empty() && !schema.su.lang {
            return Err(StoreError::invalid(format!(
                "predicate {attr} has no @lang directive: it cannot take the language-tagged value @{}",
                e.lang
            )));
        }
        // Placeholder uid (spec §7.1).
        let uid = if !e.lang.is_empty() {
            fingerprint64(e.lang.as_bytes())
        } else if schema.su.list {
            fingerprint64(value)
        } else {
            u64::MAX
        };
        match e.op {
            EdgeOp::Set => {
                postings.insert(
                    uid,
                    Posting {
                        uid,
                        value: value.to_vec(),
                        val_type: vt,
                        posting_type: if e.lang.is_empty() {
                            PostingType::Value as i32
                        } else {
                            PostingType::ValueLang as i32
                        },
                        lang_tag: e.lang.as_bytes().to_vec(),
                        facets: facets_of(&e.facets)?,
                        op: 1,
                        start_ts: ts - 1,
                        commit_ts: ts,
                    },
                );
                plain.remove(&uid);
            }
            EdgeOp::Del => {
                if postings
                    .get(&uid)
                    .is_some_and(|p| !p.is_uid_ref() && value_eq(schema.vt, &p.value, value))
                {
                    postings.remove(&uid);
                }
            }
        }
        Ok(())
    }
}
