//! What differs between the Dgraph releases a backup imitates: the
//! BackupKey (namespace field), the posting list (`uids` or `uid_bytes`)
//! and the names inside schema/type values (bare or namespace-prefixed).

use crate::format::names::ValueNameForm;
use crate::format::proto::{encode_uid_bytes, BackupKey, KeyType};
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{decode_list, ValueKind};
use crate::store::value_names::{rewrite_value_names, stored_bare_name};
use prost::Message;

/// Which Dgraph release the file imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackupLayout {
    /// No namespaces: BackupKey without field 7, bare names in schema/type
    /// values, `uids` in BackupPostingList (`uid_bytes` above 1024 uids).
    V2011,
    /// BackupKey field 7, namespace-prefixed names in schema/type values,
    /// `uid_bytes`, schema and types in their own records at the end.
    #[default]
    V2103,
    /// v21.12 and later, manifest version 2105 (Dgraph v24, v25): as
    /// v21.03, but names in schema/type values are `<hex ns>-<name>`.
    V2105,
}

impl BackupLayout {
    /// `v20.11`, `v21.03`, or `v24` / `v25` (the same content; they differ
    /// in framing only, which is the writer's compression).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "v20.11" => Ok(BackupLayout::V2011),
            "v21.03" => Ok(BackupLayout::V2103),
            "v24" | "v25" => Ok(BackupLayout::V2105),
            o => Err(StoreError::invalid(format!(
                "layout '{o}' is not one of 'v20.11', 'v21.03', 'v24', 'v25'"
            ))),
        }
    }

    /// How this layout writes names inside schema/type values (what a
    /// restore of its files strips).
    pub fn value_names(self) -> ValueNameForm {
        match self {
            BackupLayout::V2011 => ValueNameForm::Bare,
            BackupLayout::V2103 => ValueNameForm::Ns8,
            BackupLayout::V2105 => ValueNameForm::Hex,
        }
    }

    /// Whether schema and types go in records of their own (v21.03 on).
    pub fn separate_schema_records(self) -> bool {
        self != BackupLayout::V2011
    }
}

/// Above this many uids Dgraph v20.11 writes a list as `uid_bytes` (its
/// rolled-up UidPack has more than 4 blocks of 256: spec §6.3).
pub(super) const V2011_UID_BYTES_ABOVE: usize = 1024;

/// The stored list (or tombstone) as the BackupPostingList of `layout`:
/// postings sorted by uid, no splits, `uid_bytes` (v21.03 on, and v20.11
/// for lists of more than [`V2011_UID_BYTES_ABOVE`] uids, as v20.11 itself
/// does: deltas take about a third of the bytes of whole uids), else `uids`.
pub(super) fn backup_list(
    kind: ValueKind,
    payload: &[u8],
    layout: BackupLayout,
) -> Result<Vec<u8>> {
    let mut pl = match kind {
        ValueKind::Tombstone => return Ok(Vec::new()),
        ValueKind::PostingList => decode_list(payload)?,
        ValueKind::Schema => return Err(StoreError::corrupt("schema value under a data key")),
        // visit_newest refuses to hand a pruned version out, and merges deltas
        ValueKind::Pruned => return Err(StoreError::corrupt("pruned version in a backup")),
        ValueKind::Delta => return Err(StoreError::corrupt("unmerged uid delta in a backup")),
    };
    pl.uid_bytes.clear();
    pl.splits.clear();
    if !pl.uids.is_sorted() {
        pl.uids.sort_unstable();
        pl.uids.dedup();
    }
    if !pl.postings.is_sorted_by_key(|p| p.uid) {
        pl.postings.sort_by_key(|p| p.uid);
    }
    if layout != BackupLayout::V2011 || pl.uids.len() > V2011_UID_BYTES_ABOVE {
        pl.uid_bytes = encode_uid_bytes(&pl.uids);
        pl.uids.clear();
    }
    Ok(pl.encode_to_vec())
}

/// The names inside a stored schema/type value as `layout` writes them:
/// bare (v20.11), 8-byte BE namespace + name (v21.03) or `<hex ns>-<name>`
/// (v24, v25).
pub(super) fn schema_value(stored: &[u8], ns: u64, layout: BackupLayout) -> Result<Vec<u8>> {
    rewrite_value_names(stored, false, &|n| layout_name(n, ns, layout))
}

pub(super) fn type_value(stored: &[u8], ns: u64, layout: BackupLayout) -> Result<Vec<u8>> {
    rewrite_value_names(stored, true, &|n| layout_name(n, ns, layout))
}

fn layout_name(stored: &[u8], ns: u64, layout: BackupLayout) -> Vec<u8> {
    let bare = stored_bare_name(stored, ns);
    match layout {
        BackupLayout::V2011 => bare.to_vec(),
        BackupLayout::V2103 => [&ns.to_be_bytes()[..], bare].concat(),
        BackupLayout::V2105 => [format!("{ns:x}-").as_bytes(), bare].concat(),
    }
}

pub(super) fn backup_key(
    key_type: KeyType,
    attr: &[u8],
    ns: u64,
    layout: BackupLayout,
) -> Result<BackupKey> {
    if layout == BackupLayout::V2011 && ns != 0 {
        return Err(StoreError::invalid(format!(
            "{} {:?} is in namespace {ns}: the v20.11 layout has no namespaces, use layout 'v21.03'",
            if key_type == KeyType::Type { "type" } else { "predicate" },
            String::from_utf8_lossy(attr)
        )));
    }
    Ok(BackupKey {
        r#type: key_type as i32,
        attr: String::from_utf8(attr.to_vec())
            .map_err(|_| StoreError::corrupt("a key's attr is not UTF-8"))?,
        namespace: ns,
        ..Default::default()
    })
}
