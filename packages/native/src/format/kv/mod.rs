//! Badger KVLists of a backup: the KV types, encoding and decoding, and
//! the structural check of 'bytes' mode.
//!
//! * [`fast`]: allocation-free walkers for the hot paths;
//! * [`reference`]: the plain field-walking check that gives the exact
//!   error when the fast path declines;
//! * [`stats`]: per-predicate statistics of 'stats' mode.

use super::proto::{count_uid_bytes, BackupKey, BackupPostingList, KeyType, Kv, KvList};
use crate::codec::error::{CodecError, Result};
use prost::Message;

pub mod fast;
mod reference;
mod stats;
#[cfg(test)]
mod tests;

pub use stats::{PredicateStats, StatsAcc};

pub const USER_META_SCHEMA: u8 = 0x01;
pub const USER_META_DELTA: u8 = 0x04;
pub const USER_META_COMPLETE: u8 = 0x08;
pub const USER_META_EMPTY: u8 = 0x10;

pub fn is_posting_list_meta(m: u8) -> bool {
    matches!(m, USER_META_DELTA | USER_META_COMPLETE | USER_META_EMPTY)
}

/// One KV to encode (input of `encodeKvList`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KvInput {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub user_meta: u8,
    pub version: u64,
    pub expires_at: u64,
}

/// A decoded KV with its parsed BackupKey.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedKv {
    pub key: BackupKey,
    pub key_type: KeyType,
    pub raw_key: Vec<u8>,
    pub value: Vec<u8>,
    pub user_meta: u8,
    pub version: u64,
    /// For posting-list values: uid count (from `uids` or `uid_bytes`).
    pub uids: Option<u64>,
    /// For posting-list values: number of postings.
    pub postings: Option<u64>,
}

/// Encodes KVs as one protobuf KVList.
pub fn encode_kv_list(kvs: &[KvInput]) -> Result<Vec<u8>> {
    let list = KvList {
        kv: kvs
            .iter()
            .map(|k| {
                check_user_meta(&[k.user_meta])?;
                Ok(Kv {
                    key: k.key.clone(),
                    value: k.value.clone(),
                    user_meta: vec![k.user_meta],
                    version: k.version,
                    expires_at: k.expires_at,
                    ..Default::default()
                })
            })
            .collect::<Result<Vec<_>>>()
            .map_err(|e| CodecError::invalid(e.message))?,
        alloc_ref: 0,
    };
    Ok(list.encode_to_vec())
}

pub(crate) fn check_user_meta(m: &[u8]) -> Result<u8> {
    match m {
        [b] if *b == USER_META_SCHEMA || is_posting_list_meta(*b) => Ok(*b),
        [b] => Err(CodecError::corrupt(format!(
            "bad user_meta {b:#04x} (expected 0x01, 0x04, 0x08 or 0x10)"
        ))),
        _ => Err(CodecError::corrupt(format!(
            "bad user_meta: {} bytes, expected exactly 1",
            m.len()
        ))),
    }
}

/// (uids, postings) of a `BackupPostingList`: counted by the allocation-free
/// walker, or decoded when it declines, for the exact error.
fn list_counts(value: &[u8]) -> Result<(u64, u64)> {
    if let Some(shape) = fast::posting_list_shape(value) {
        if let Some(uids) = shape.uid_count() {
            return Ok((uids, shape.postings));
        }
    }
    let pl = BackupPostingList::decode(value)
        .map_err(|e| CodecError::corrupt(format!("bad BackupPostingList protobuf: {e}")))?;
    let uids = if !pl.uids.is_empty() {
        pl.uids.len() as u64
    } else {
        count_uid_bytes(&pl.uid_bytes)
            .ok_or_else(|| CodecError::corrupt("bad uid_bytes (unterminated varint)"))?
    };
    Ok((uids, pl.postings.len() as u64))
}

fn decode_one(kv: Kv) -> Result<DecodedKv> {
    let user_meta = check_user_meta(&kv.user_meta)?;
    let key = BackupKey::decode(&kv.key[..])
        .map_err(|e| CodecError::corrupt(format!("bad BackupKey protobuf: {e}")))?;
    let key_type = KeyType::try_from(key.r#type).unwrap_or(KeyType::Unknown);
    let (uids, postings) = if is_posting_list_meta(user_meta) {
        let (uids, postings) = list_counts(&kv.value)?;
        (Some(uids), Some(postings))
    } else {
        (None, None)
    };
    Ok(DecodedKv {
        key,
        key_type,
        raw_key: kv.key,
        value: kv.value,
        user_meta,
        version: kv.version,
        uids,
        postings,
    })
}

/// Decodes one serialized KVList.
pub fn decode_kv_list(buf: &[u8]) -> Result<Vec<DecodedKv>> {
    let list = KvList::decode(buf)
        .map_err(|e| CodecError::corrupt(format!("bad KVList protobuf: {e}")))?;
    list.kv.into_iter().map(decode_one).collect()
}

/// Structural check of a KVList without allocating: wire format and
/// `user_meta` of every KV (used in 'bytes' mode).
pub fn validate_kv_list(buf: &[u8]) -> Result<()> {
    if fast::validate_kv_list(buf) {
        return Ok(());
    }
    reference::validate_kv_list(buf)
}
