//! The reads of the query layer at a read ts: a node's facts
//! (`get_nodes`), subjects having a predicate, equality through an index,
//! reverse edges, and the RDF export of the open store.

use super::compare::in_lang;
use super::keys::{data_key, index_key, kind_prefix, reverse_key, uid_after};
use super::lists::{read_list, uid_edges, value_eq};
use super::types::{FactValue, NodeFacts, PredicateFacts};
use super::LiveStore;
use crate::export::{collect, ExportOptions, ExportOutput, Exporter};
use crate::format::keys::{parse_key, KIND_DATA, KIND_REVERSE, PREFIX_SCHEMA};
use crate::format::proto::{BackupPostingList, ValType};
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{decode_list, namespace_prefix, ValueKind};
use crate::store::tokenize::Tokenizer;
use std::collections::BTreeSet;

/// The facts of one non-empty DATA list of `predicate`.
fn predicate_facts(predicate: &str, pl: BackupPostingList) -> PredicateFacts {
    let mut f = PredicateFacts {
        predicate: predicate.to_string(),
        uids: uid_edges(&pl).into_iter().collect(),
        ..Default::default()
    };
    for po in pl.postings {
        if po.is_uid_ref() {
            if !po.facets.is_empty() {
                f.uid_facets.push((po.uid, po.facets));
            }
        } else {
            f.values.push(FactValue {
                value: po.value,
                val_type: po.val_type,
                lang: String::from_utf8_lossy(&po.lang_tag).into_owned(),
                facets: po.facets,
            });
        }
    }
    f
}

/// Whether a stored DATA list holds a value without a language tag.
/// What `has` looks for besides the predicate (see [`LiveStore::has_where`]).
#[derive(Debug, Clone, Default)]
pub struct HasOf {
    /// Objects of reverse edges instead of subjects.
    pub reverse: bool,
    /// A value in this language ("." any); "" the untagged one under @lang.
    pub lang: String,
}

/// The equality tokenizers of a value type, best first.
fn eq_tokenizers(vt: ValType) -> &'static [Tokenizer] {
    match vt {
        ValType::String | ValType::Default => &[
            Tokenizer::Exact,
            Tokenizer::Hash,
            Tokenizer::Term,
            Tokenizer::Sha256,
        ],
        ValType::Int => &[Tokenizer::Int],
        ValType::Float => &[Tokenizer::Float],
        ValType::Bool => &[Tokenizer::Bool],
        ValType::Datetime => &[
            Tokenizer::Hour,
            Tokenizer::Day,
            Tokenizer::Month,
            Tokenizer::Year,
        ],
        _ => &[],
    }
}

impl LiveStore {
    /// The facts of each uid at `read_ts`: every predicate in `predicates`
    /// (or, when `None`, every predicate of the namespace's schema) that the
    /// node has. One entry per requested uid, in order.
    pub fn get_nodes(
        &self,
        uids: &[u64],
        predicates: Option<&[String]>,
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<NodeFacts>> {
        let rtxn = self.view(read_ts)?;
        let preds: Vec<String> = match predicates {
            Some(p) => p.to_vec(),
            None => {
                let mut out = Vec::new();
                let p = namespace_prefix(PREFIX_SCHEMA, ns);
                self.store.scan_from_in(&rtxn, &p, &p, read_ts, &mut |v| {
                    out.push(String::from_utf8_lossy(&parse_key(v.key, true)?.attr).into_owned());
                    Ok(true)
                })?;
                out.sort_unstable();
                out
            }
        };
        let mut out = Vec::with_capacity(uids.len());
        for &uid in uids {
            let mut node = NodeFacts {
                uid,
                predicates: vec![],
            };
            for p in &preds {
                let pl = read_list(&self.store, &rtxn, &data_key(ns, p, uid), read_ts)?;
                if !pl.uids.is_empty() || !pl.postings.is_empty() {
                    node.predicates.push(predicate_facts(p, pl));
                }
            }
            out.push(node);
        }
        Ok(out)
    }

    /// Subjects with a non-empty DATA list of `attr` at `read_ts`, ascending,
    /// strictly after `after`, at most `first`. As Dgraph's `has`, a
    /// predicate with `@lang` counts only subjects with an untagged value.
    pub fn has_predicate(
        &self,
        attr: &str,
        read_ts: u64,
        ns: u64,
        after: u64,
        first: Option<usize>,
    ) -> Result<Vec<u64>> {
        self.has_where(attr, read_ts, ns, after, first, HasOf::default())
    }

    /// [`LiveStore::has_predicate`] for `has(~attr)` (objects of reverse
    /// edges) or `has(attr@lang)` (subjects with a value in `lang`, "." any).
    pub fn has_where(
        &self,
        attr: &str,
        read_ts: u64,
        ns: u64,
        after: u64,
        first: Option<usize>,
        of: HasOf,
    ) -> Result<Vec<u64>> {
        let rtxn = self.view(read_ts)?;
        let kind = if of.reverse { KIND_REVERSE } else { KIND_DATA };
        let p = kind_prefix(ns, attr, kind);
        let mut out = Vec::new();
        if after == u64::MAX || first == Some(0) {
            return Ok(out);
        }
        let lang_pred = self
            .load_schema(&rtxn, ns, attr, read_ts)?
            .is_some_and(|s| s.su.lang);
        // Which values count: none to check for edges and predicates without
        // @lang (unless a language is asked), else those of `of.lang`.
        let check = !of.reverse && (lang_pred || !of.lang.is_empty());
        let mut start = p.clone();
        start.extend_from_slice(&(after + 1).to_be_bytes());
        self.store
            .scan_from_in(&rtxn, &p, &start, read_ts, &mut |v| {
                if let Some(subject) = uid_after(&p, v.key) {
                    let keep = !check
                        || (v.kind == ValueKind::PostingList
                            && decode_list(v.payload)?
                                .postings
                                .iter()
                                .any(|x| in_lang(x, &of.lang)));
                    if keep {
                        out.push(subject);
                    }
                }
                Ok(first.is_none_or(|n| out.len() < n))
            })?;
        Ok(out)
    }

    /// Subjects whose `attr` (untagged) value equals one of `values`
    /// (schema-typed binary), via the best equality index, ascending.
    pub fn eq(&self, attr: &str, values: &[Vec<u8>], read_ts: u64, ns: u64) -> Result<Vec<u64>> {
        self.eq_in(attr, values, "", read_ts, ns)
    }

    /// [`LiveStore::eq`] on the value in `lang` ("" untagged, "." any).
    pub fn eq_in(
        &self,
        attr: &str,
        values: &[Vec<u8>],
        lang: &str,
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<u64>> {
        let rtxn = self.view(read_ts)?;
        let schema = self.schema_at(&rtxn, ns, attr, read_ts)?;
        let order = eq_tokenizers(schema.vt);
        let Some(tok) = order.iter().find(|t| schema.toks.contains(t)).copied() else {
            let names: Vec<&str> = order.iter().map(|t| t.name()).collect();
            return Err(StoreError::invalid(format!(
                "predicate {attr} needs an index for eq ({})",
                if names.is_empty() {
                    format!("type {} has no equality index", schema.vt.schema_name())
                } else {
                    names.join("/")
                }
            )));
        };
        let mut out = BTreeSet::new();
        for v in values {
            let tokens = tok
                .tokens(v, if lang == "." { "" } else { lang })
                .map_err(StoreError::invalid)?;
            let mut cand: Option<BTreeSet<u64>> = None;
            for t in &tokens {
                let l: BTreeSet<u64> =
                    read_list(&self.store, &rtxn, &index_key(ns, attr, t), read_ts)?
                        .uids
                        .into_iter()
                        .collect();
                cand = Some(match cand {
                    None => l,
                    Some(c) => c.intersection(&l).copied().collect(),
                });
            }
            for s in cand.unwrap_or_default() {
                let pl = read_list(&self.store, &rtxn, &data_key(ns, attr, s), read_ts)?;
                if pl
                    .postings
                    .iter()
                    .any(|p| in_lang(p, lang) && value_eq(schema.vt, &p.value, v))
                {
                    out.insert(s);
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    /// For each object, the subjects pointing to it through `attr` (needs
    /// `@reverse`).
    pub fn reverse(
        &self,
        attr: &str,
        objects: &[u64],
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<(u64, Vec<u64>)>> {
        let rtxn = self.view(read_ts)?;
        let schema = self.schema_at(&rtxn, ns, attr, read_ts)?;
        if !schema.reverse() {
            return Err(StoreError::invalid(format!(
                "predicate {attr} has no @reverse index: add @reverse to its schema"
            )));
        }
        objects
            .iter()
            .map(|&o| {
                let pl = read_list(&self.store, &rtxn, &reverse_key(ns, attr, o), read_ts)?;
                Ok((o, pl.uids))
            })
            .collect()
    }

    /// Canonical RDF export of this store at `read_ts`, in memory (the
    /// stream is [`crate::export::stream::ExportStream`]).
    pub fn export_rdf(&self, read_ts: u64) -> Result<ExportOutput> {
        let mut ex = Exporter::new(ExportOptions::default().sorter());
        self.export_into(&mut ex, read_ts, &|| None)?;
        let (schema, merger) = ex.finish()?;
        collect(schema, merger)
    }

    /// Adds this store at `read_ts` to an export.
    pub fn export_into(
        &self,
        ex: &mut Exporter,
        read_ts: u64,
        stop: &dyn Fn() -> Option<StoreError>,
    ) -> Result<()> {
        ex.add_store(&self.store, read_ts, stop)
    }
}
