//! Posting lists of the live store: reading and writing one version of a
//! list, and what a list holds (uid edges, value tokens, equal values).

use super::schema::Schema;
use crate::format::proto::{BackupPostingList, Facet, Posting, PostingType, ValType};
use crate::store::db::PostingStore;
use crate::store::delta::{apply_changes, UidDelta};
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreCode, StoreError};
use crate::store::mvcc::{decode_list, encode_value, version_key, ValueKind};
use crate::store::tokenize::go_time_instant;
use prost::Message;
use std::collections::{BTreeMap, BTreeSet};

/// The list visible at `read_ts` (empty when there is none).
pub(super) fn read_list(
    store: &PostingStore,
    txn: &Txn<'_>,
    key: &[u8],
    read_ts: u64,
) -> Result<BackupPostingList> {
    match store.get_in(txn, key, read_ts)? {
        None => Ok(BackupPostingList::default()),
        Some((ValueKind::PostingList, _, p)) => decode_list(&p),
        Some(_) => Err(StoreError::corrupt("schema value under a data key")),
    }
}

/// Where and when a commit writes its lists: the version ts, and the
/// horizon below which a key keeps only its newest version (`horizon.rs`;
/// 0: prune nothing).
#[derive(Clone, Copy)]
pub(super) struct At {
    pub ts: u64,
    pub horizon: u64,
}

/// Writes `pl` as the version `at.ts` of `key` (an empty list: a tombstone),
/// and drops the versions of `key` the horizon no longer needs.
pub(super) fn write_list(
    store: &PostingStore,
    wtxn: &Txn<'_>,
    key: &[u8],
    at: At,
    pl: &BackupPostingList,
) -> Result<()> {
    let ts = at.ts;
    let v = if pl.uids.is_empty() && pl.postings.is_empty() {
        encode_value(ValueKind::Tombstone, &[])
    } else {
        encode_value(ValueKind::PostingList, &pl.encode_to_vec())
    };
    store
        .postings_db()
        .put(wtxn, &version_key(key, ts), &v)
        .map_err(|e| match e {
            e if e.store_code() == Some(StoreCode::KeyTooLong) => StoreError::invalid(format!(
                "key of {} bytes is longer than the store allows ({})",
                key.len(),
                store.max_key_len()
            )),
            e => e,
        })?;
    if at.horizon > 0 {
        store.prune_versions_in(wtxn, key, at.horizon)?;
    }
    Ok(())
}

/// A list of uids only (index, reverse and count lists).
pub(super) fn uid_list(uids: Vec<u64>) -> BackupPostingList {
    BackupPostingList {
        uids,
        ..Default::default()
    }
}

/// The uid edges of a list: its uids that are not the placeholder uid of a
/// value posting (spec §7.1).
pub(super) fn uid_edges(pl: &BackupPostingList) -> BTreeSet<u64> {
    let values: BTreeSet<u64> = pl
        .postings
        .iter()
        .filter(|p| !p.is_uid_ref())
        .map(|p| p.uid)
        .collect();
    pl.uids
        .iter()
        .copied()
        .filter(|u| !values.contains(u))
        .collect()
}

/// The uid edges of a list with the facets each carries (none: empty),
/// which Dgraph copies onto the reverse edge.
pub(super) fn uid_edge_facets(pl: &BackupPostingList) -> BTreeMap<u64, Vec<Facet>> {
    let mut out: BTreeMap<u64, Vec<Facet>> =
        uid_edges(pl).into_iter().map(|u| (u, Vec::new())).collect();
    for p in pl.postings.iter().filter(|p| p.is_uid_ref()) {
        if let Some(f) = out.get_mut(&p.uid) {
            *f = p.facets.clone();
        }
    }
    out
}

/// The posting of a reverse edge from `subject` with `facets`, as Dgraph
/// writes it (a reference of no value type), written at `ts`.
pub(super) fn reverse_posting(subject: u64, facets: Vec<Facet>, ts: u64) -> Posting {
    Posting {
        uid: subject,
        posting_type: PostingType::Ref as i32,
        facets,
        op: 1,
        start_ts: ts - 1,
        commit_ts: ts,
        ..Default::default()
    }
}

/// The index tokens of every value of a list of predicate `attr` under
/// `schema`'s tokenizers; an error for a value whose tokens this build
/// cannot compute as Dgraph does (the write is refused, never half-indexed).
pub(super) fn value_tokens(
    schema: &Schema,
    attr: &str,
    pl: &BackupPostingList,
) -> Result<BTreeSet<Vec<u8>>> {
    let mut out = BTreeSet::new();
    for p in pl.postings.iter().filter(|p| !p.is_uid_ref()) {
        let lang = String::from_utf8_lossy(&p.lang_tag);
        for t in &schema.toks {
            let tokens = t
                .tokens(&p.value, &lang)
                .map_err(|e| StoreError::invalid(format!("predicate <{attr}>: {e}")))?;
            out.extend(tokens);
        }
    }
    Ok(out)
}

/// Equality of two values of one type (datetimes compare as instants).
pub(super) fn value_eq(vt: ValType, a: &[u8], b: &[u8]) -> bool {
    match vt {
        ValType::Datetime => go_time_instant(a) == go_time_instant(b),
        ValType::Bool => a.first().copied().unwrap_or(0) == b.first().copied().unwrap_or(0),
        _ => a == b,
    }
}

/// The order of two values of one type, as Dgraph's `CompareVals`
/// (datetimes as instants); `None` for types without one.
pub(super) fn value_cmp(vt: ValType, a: &[u8], b: &[u8]) -> Option<std::cmp::Ordering> {
    let i64_of = |v: &[u8]| <[u8; 8]>::try_from(v).ok().map(i64::from_le_bytes);
    match vt {
        ValType::Int => Some(i64_of(a)?.cmp(&i64_of(b)?)),
        ValType::Float => {
            f64::from_bits(i64_of(a)? as u64).partial_cmp(&f64::from_bits(i64_of(b)? as u64))
        }
        ValType::Datetime => Some(go_time_instant(a).cmp(&go_time_instant(b))),
        ValType::String | ValType::Default => Some(a.cmp(b)),
        _ => None,
    }
}

/// Set/remove changes of derived uid lists: key -> uid -> present.
pub(super) type Changes<K> = BTreeMap<K, BTreeMap<u64, bool>>;

/// Applies the changes `ch` of one uid-only list (index, count) at `at.ts`:
/// as a uid delta on top of a big list (`delta.rs`), else as the whole list
/// (when the list is small, or its deltas are due to be rolled up). Returns
/// whether a version was written (a whole list that did not change is not).
pub(super) fn write_uid_changes(
    store: &PostingStore,
    wtxn: &Txn<'_>,
    key: &[u8],
    at: At,
    ch: &BTreeMap<u64, bool>,
) -> Result<bool> {
    let delta = UidDelta::of(ch);
    if store
        .chain_in(wtxn, key, at.ts)?
        .wants_delta(delta.encoded_len())
    {
        store.put_delta_in(wtxn, key, at.ts, &delta)?;
        if at.horizon > 0 {
            store.prune_versions_in(wtxn, key, at.horizon)?;
        }
        return Ok(true);
    }
    let mut pl = read_list(store, wtxn, key, at.ts)?;
    if !pl.uids.is_sorted_by(|a, b| a < b) {
        pl.uids.sort_unstable();
        pl.uids.dedup();
    }
    let no_op = |(u, &on): (&u64, &bool)| pl.uids.binary_search(u).is_ok() == on;
    if ch.iter().all(no_op) {
        return Ok(false);
    }
    apply_changes(&mut pl.uids, ch);
    write_list(store, wtxn, key, at, &uid_list(pl.uids))?;
    Ok(true)
}
