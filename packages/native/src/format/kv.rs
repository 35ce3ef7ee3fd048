//! KVList encoding/decoding helpers and backup statistics.

use super::proto::{count_uid_bytes, BackupKey, BackupPostingList, KeyType, Kv, KvList};
use crate::codec::error::{CodecError, Result};
use prost::Message;
use std::collections::BTreeMap;

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

fn check_user_meta(m: &[u8]) -> Result<u8> {
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

fn decode_one(kv: Kv) -> Result<DecodedKv> {
    let user_meta = check_user_meta(&kv.user_meta)?;
    let key = BackupKey::decode(&kv.key[..])
        .map_err(|e| CodecError::corrupt(format!("bad BackupKey protobuf: {e}")))?;
    let key_type = KeyType::try_from(key.r#type).unwrap_or(KeyType::Unknown);
    let (uids, postings) = if is_posting_list_meta(user_meta) {
        let pl = BackupPostingList::decode(&kv.value[..])
            .map_err(|e| CodecError::corrupt(format!("bad BackupPostingList protobuf: {e}")))?;
        let uids = if !pl.uids.is_empty() {
            pl.uids.len() as u64
        } else {
            count_uid_bytes(&pl.uid_bytes)
                .ok_or_else(|| CodecError::corrupt("bad uid_bytes (unterminated varint)"))?
        };
        (Some(uids), Some(pl.postings.len() as u64))
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
    let bad = |why: &str| CodecError::corrupt(format!("bad KVList protobuf: {why}"));
    walk_fields(buf, &mut |field, wire, body| {
        if field == 1 {
            if wire != 2 {
                return Err(bad("KV field has the wrong wire type"));
            }
            let mut meta: Option<&[u8]> = None;
            walk_fields(body, &mut |f, w, b| {
                if f == 3 && w == 2 {
                    meta = Some(b);
                }
                Ok(())
            })
            .map_err(|e| bad(&e.message))?;
            check_user_meta(meta.unwrap_or(&[]))?;
        }
        Ok(())
    })
}

fn walk_fields<'a>(
    mut buf: &'a [u8],
    f: &mut dyn FnMut(u64, u8, &'a [u8]) -> Result<()>,
) -> Result<()> {
    let err = |why: &str| CodecError::corrupt(why.to_string());
    while !buf.is_empty() {
        let tag = prost::encoding::decode_varint(&mut buf).map_err(|_| err("bad tag varint"))?;
        let (field, wire) = (tag >> 3, (tag & 7) as u8);
        if field == 0 {
            return Err(err("field number 0"));
        }
        let body: &[u8] = match wire {
            0 => {
                prost::encoding::decode_varint(&mut buf).map_err(|_| err("bad varint"))?;
                &[]
            }
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                if buf.len() < n {
                    return Err(err("truncated fixed field"));
                }
                let (b, rest) = buf.split_at(n);
                buf = rest;
                b
            }
            2 => {
                let n = prost::encoding::decode_varint(&mut buf).map_err(|_| err("bad length"))?;
                if n > buf.len() as u64 {
                    return Err(err("length-delimited field overruns"));
                }
                let (b, rest) = buf.split_at(n as usize);
                buf = rest;
                b
            }
            _ => return Err(err("unsupported wire type")),
        };
        f(field, wire, body)?;
    }
    Ok(())
}

/// One statistics row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateStats {
    pub predicate: String,
    pub key_type: &'static str,
    pub namespace: u64,
    pub keys: u64,
    pub uids: u64,
    pub postings: u64,
}

/// Accumulates per (predicate, key type, namespace) statistics.
#[derive(Debug, Default)]
pub struct StatsAcc {
    pub kvs: u64,
    rows: BTreeMap<(String, &'static str, u64), (u64, u64, u64)>,
}

impl StatsAcc {
    pub fn add(&mut self, kv: &DecodedKv) {
        self.kvs += 1;
        let row = self
            .rows
            .entry((kv.key.attr.clone(), kv.key_type.name(), kv.key.namespace))
            .or_default();
        row.0 += 1;
        row.1 += kv.uids.unwrap_or(0);
        row.2 += kv.postings.unwrap_or(0);
    }

    /// Rows sorted by predicate, then key type name, then namespace.
    pub fn rows(&self) -> Vec<PredicateStats> {
        self.rows
            .iter()
            .map(|((p, t, ns), (k, u, po))| PredicateStats {
                predicate: p.clone(),
                key_type: t,
                namespace: *ns,
                keys: *k,
                uids: *u,
                postings: *po,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::error::ErrorCode;
    use crate::format::proto::Posting;

    fn key(kt: KeyType, attr: &str, uid: u64) -> Vec<u8> {
        BackupKey {
            r#type: kt as i32,
            attr: attr.into(),
            uid,
            ..Default::default()
        }
        .encode_to_vec()
    }

    #[test]
    fn encode_decode_and_stats() {
        let pl = BackupPostingList {
            uids: vec![1, 2, 3],
            postings: vec![Posting {
                uid: 2,
                ..Default::default()
            }],
            ..Default::default()
        };
        let pl2 = BackupPostingList {
            uid_bytes: crate::format::proto::encode_uid_bytes(&[5, 6]),
            ..Default::default()
        };
        let kvs = vec![
            KvInput {
                key: key(KeyType::Data, "name", 1),
                value: pl.encode_to_vec(),
                user_meta: 8,
                version: 10,
                expires_at: 0,
            },
            KvInput {
                key: key(KeyType::Data, "name", 2),
                value: pl2.encode_to_vec(),
                user_meta: 8,
                version: 11,
                expires_at: 0,
            },
            KvInput {
                key: key(KeyType::Schema, "name", 0),
                value: vec![],
                user_meta: 1,
                version: 1,
                expires_at: 0,
            },
        ];
        let buf = encode_kv_list(&kvs).unwrap();
        validate_kv_list(&buf).unwrap();
        let d = decode_kv_list(&buf).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].uids, Some(3));
        assert_eq!(d[0].postings, Some(1));
        assert_eq!(d[1].uids, Some(2));
        assert_eq!(d[2].uids, None);
        assert_eq!(d[2].key_type, KeyType::Schema);
        let mut acc = StatsAcc::default();
        d.iter().for_each(|k| acc.add(k));
        let rows = acc.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[0].key_type,
                rows[0].keys,
                rows[0].uids,
                rows[0].postings
            ),
            ("DATA", 2, 5, 1)
        );
        assert_eq!((rows[1].key_type, rows[1].keys), ("SCHEMA", 1));
    }

    #[test]
    fn bad_user_meta_is_corrupt_or_invalid() {
        let kv = KvInput {
            user_meta: 2,
            ..Default::default()
        };
        assert_eq!(
            encode_kv_list(&[kv]).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        let raw = KvList {
            kv: vec![Kv {
                user_meta: vec![8, 8],
                ..Default::default()
            }],
            alloc_ref: 0,
        }
        .encode_to_vec();
        assert_eq!(decode_kv_list(&raw).unwrap_err().code, ErrorCode::Corrupt);
        assert_eq!(validate_kv_list(&raw).unwrap_err().code, ErrorCode::Corrupt);
        assert_eq!(
            validate_kv_list(&[0x0a, 0x05, 1]).unwrap_err().code,
            ErrorCode::Corrupt
        );
        assert_eq!(
            decode_kv_list(&[0x0a, 0x05, 1]).unwrap_err().code,
            ErrorCode::Corrupt
        );
    }
}
