//! MVCC key and value encoding of the posting store.
//!
//! LMDB key = Dgraph internal key (spec §8.2, always the namespace-aware
//! layout) `||` BE u64 (`u64::MAX - commitTs`), so that the versions of one
//! key are adjacent and the newest comes first.
//!
//! LMDB value = 1 byte `user_meta` `||` protobuf:
//! * `0x01` (schema/type): `SchemaUpdate` / `TypeUpdate` as in the backup, but
//!   with bare names inside (`value_names.rs`: the key holds the namespace);
//! * `0x08` (complete posting list): Dgraph's `BackupPostingList` (uids in
//!   field 1, packed; postings 2; commit_ts 3; splits 4), so that a backup
//!   of the store is a pure copy of the value;
//! * `0x10` (empty list): a tombstone; it hides older versions.
//! * `0x40` (uid delta, Strata's own): uids one commit added to and removed
//!   from an index or count list, on top of the older versions
//!   (`delta.rs`); reads merge it, backups never see it.
//! * `0x80` (pruned, Strata's own): the versions from this one up to the next
//!   one were deleted by pruning (`live/horizon.rs`); a read that lands on it
//!   is refused, never answered with what is not there.

use super::error::{Result, StoreError};
use crate::format::keys::{PREFIX_DEFAULT, PREFIX_SCHEMA, PREFIX_SPLIT, PREFIX_TYPE};
use crate::format::kv::{USER_META_COMPLETE, USER_META_EMPTY, USER_META_SCHEMA};
use crate::format::proto::{decode_uid_bytes, BackupPostingList};
use prost::Message;

pub const TS_LEN: usize = 8;

/// `key || BE(u64::MAX - ts)`.
pub fn version_key(key: &[u8], ts: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + TS_LEN);
    out.extend_from_slice(key);
    push_version(&mut out, ts);
    out
}

/// Appends the version suffix of [`version_key`] to a Dgraph key.
pub fn push_version(key: &mut Vec<u8>, ts: u64) {
    key.extend_from_slice(&(u64::MAX - ts).to_be_bytes());
}

/// Splits an LMDB key into the Dgraph key and the commit ts.
pub fn split_version_key(k: &[u8]) -> Option<(&[u8], u64)> {
    if k.len() <= TS_LEN {
        return None;
    }
    let (key, ts) = k.split_at(k.len() - TS_LEN);
    Some((key, u64::MAX - u64::from_be_bytes(ts.try_into().ok()?)))
}

/// What one version of a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// SchemaUpdate / TypeUpdate (user_meta 0x01).
    Schema,
    /// BackupPostingList (user_meta 0x08).
    PostingList,
    /// Empty list: hides every older version (user_meta 0x10).
    Tombstone,
    /// Uids added and removed on top of the older versions (user_meta 0x40).
    Delta,
    /// Versions deleted by pruning start here (user_meta 0x80, no payload).
    Pruned,
}

/// user_meta of [`ValueKind::Delta`]: no Dgraph bit, never in a backup.
pub const USER_META_UID_DELTA: u8 = 0x40;

/// user_meta of [`ValueKind::Pruned`]: no Dgraph bit, never in a backup.
pub const USER_META_PRUNED: u8 = 0x80;

/// The error of a read whose versions were pruned.
pub fn pruned_error(read_ts: u64, version_ts: u64) -> StoreError {
    StoreError::invalid(format!(
        "a read at ts {read_ts} needs versions this store no longer keeps (pruned from ts {version_ts} on): \
         retry with a newer timestamp"
    ))
}

impl ValueKind {
    pub fn user_meta(self) -> u8 {
        match self {
            ValueKind::Schema => USER_META_SCHEMA,
            ValueKind::PostingList => USER_META_COMPLETE,
            ValueKind::Tombstone => USER_META_EMPTY,
            ValueKind::Delta => USER_META_UID_DELTA,
            ValueKind::Pruned => USER_META_PRUNED,
        }
    }
    pub fn from_user_meta(m: u8) -> Option<Self> {
        match m {
            USER_META_SCHEMA => Some(ValueKind::Schema),
            USER_META_COMPLETE => Some(ValueKind::PostingList),
            USER_META_EMPTY => Some(ValueKind::Tombstone),
            USER_META_UID_DELTA => Some(ValueKind::Delta),
            USER_META_PRUNED => Some(ValueKind::Pruned),
            _ => None,
        }
    }
}

/// `user_meta || payload`.
pub fn encode_value(kind: ValueKind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + payload.len());
    out.push(kind.user_meta());
    out.extend_from_slice(payload);
    out
}

/// Splits a stored value; `None` for an unknown user_meta or an empty value.
pub fn decode_value(v: &[u8]) -> Option<(ValueKind, &[u8])> {
    let (&m, rest) = v.split_first()?;
    Some((ValueKind::from_user_meta(m)?, rest))
}

/// Decodes the payload of a stored posting list, `uid_bytes` (if it has
/// no `uids`) expanded into `uids`.
pub fn decode_list(payload: &[u8]) -> Result<BackupPostingList> {
    decode_list_from(payload, "the store")
}

/// [`decode_list`] of a list read from `place` (named in errors).
pub fn decode_list_from(payload: &[u8], place: &str) -> Result<BackupPostingList> {
    let mut pl = BackupPostingList::decode(payload)
        .map_err(|e| StoreError::corrupt(format!("bad posting list in {place}: {e}")))?;
    if pl.uids.is_empty() && !pl.uid_bytes.is_empty() {
        pl.uids = decode_uid_bytes(&pl.uid_bytes)
            .map_err(|e| StoreError::corrupt(format!("bad uid_bytes in {place}: {e}")))?;
        pl.uid_bytes.clear();
    }
    Ok(pl)
}

/// `prefix | ns(8) | len(2) | attr`: every key of one predicate with that
/// prefix byte. Because `len` is included, `p1` does not match `p10`.
pub fn predicate_prefix(prefix: u8, ns: u64, attr: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(11 + attr.len());
    out.push(prefix);
    out.extend_from_slice(&ns.to_be_bytes());
    out.extend_from_slice(&(attr.len() as u16).to_be_bytes());
    out.extend_from_slice(attr);
    out
}

/// `prefix | ns(8)`.
pub fn namespace_prefix(prefix: u8, ns: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(9);
    out.push(prefix);
    out.extend_from_slice(&ns.to_be_bytes());
    out
}

/// A drop operation (spec §6.8, §10 step 1) on one group's key space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drop {
    /// Every key, schema and types included.
    All,
    /// Every data/index/reverse/count key (split parts too), in one
    /// namespace or (None) in all of them. Schema and types stay.
    Data(Option<u64>),
    /// The data/index/reverse/count keys of one predicate.
    Attr { ns: u64, attr: Vec<u8> },
    /// Every key of a namespace, schema and types included.
    Namespace(u64),
}

impl Drop {
    /// The key prefixes to delete; an empty prefix means everything.
    pub fn prefixes(&self) -> Vec<Vec<u8>> {
        match self {
            Drop::All => vec![vec![]],
            Drop::Data(None) => vec![vec![PREFIX_DEFAULT], vec![PREFIX_SPLIT]],
            Drop::Data(Some(ns)) => vec![
                namespace_prefix(PREFIX_DEFAULT, *ns),
                namespace_prefix(PREFIX_SPLIT, *ns),
            ],
            Drop::Attr { ns, attr } => vec![
                predicate_prefix(PREFIX_DEFAULT, *ns, attr),
                predicate_prefix(PREFIX_SPLIT, *ns, attr),
            ],
            Drop::Namespace(ns) => [PREFIX_DEFAULT, PREFIX_SCHEMA, PREFIX_TYPE, PREFIX_SPLIT]
                .iter()
                .map(|&p| namespace_prefix(p, *ns))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_newest_first() {
        let a = version_key(b"k", 5);
        let b = version_key(b"k", 7);
        assert!(b < a);
        assert_eq!(split_version_key(&a), Some((&b"k"[..], 5)));
        assert_eq!(
            split_version_key(&version_key(b"k", 0)),
            Some((&b"k"[..], 0))
        );
        assert_eq!(split_version_key(b"short"), None);
    }

    #[test]
    fn value_round_trip() {
        for k in [
            ValueKind::Schema,
            ValueKind::PostingList,
            ValueKind::Tombstone,
            ValueKind::Delta,
            ValueKind::Pruned,
        ] {
            let v = encode_value(k, b"xy");
            assert_eq!(decode_value(&v), Some((k, &b"xy"[..])));
        }
        assert_eq!(decode_value(&[0x04]), None);
        assert_eq!(decode_value(&[]), None);
    }

    #[test]
    fn attr_prefix_includes_length() {
        let p1 = predicate_prefix(0, 0, b"p1");
        let p10 = predicate_prefix(0, 0, b"p10");
        assert!(!p10.starts_with(&p1));
    }
}
