//! KVList helpers exposed to JS: `encodeKvList`, `decodeKvList`,
//! `nativeVersion`, and the object types they use.

use super::errors::{invalid, to_napi, to_u64};
use crate::format::kv::{self, KvInput};
use napi::bindgen_prelude::{BigInt, Buffer, Either};
use napi_derive::napi;

/// One KV to encode. `key` is a serialized BackupKey.
#[napi(object)]
pub struct KvEntry {
    pub key: Buffer,
    pub value: Buffer,
    /// 1 (schema/type), 4, 8 or 16 (posting lists).
    pub user_meta: u32,
    pub version: Either<BigInt, f64>,
    pub expires_at: Option<Either<BigInt, f64>>,
}

/// Parsed BackupKey.
#[napi(object)]
pub struct BackupKeyInfo {
    #[napi(
        ts_type = "'UNKNOWN' | 'DATA' | 'INDEX' | 'REVERSE' | 'COUNT' | 'COUNT_REV' | 'SCHEMA' | 'TYPE'"
    )]
    pub key_type: String,
    pub attr: String,
    pub uid: Option<BigInt>,
    pub start_uid: Option<BigInt>,
    pub term: Option<Buffer>,
    pub count: Option<u32>,
    pub namespace: Option<BigInt>,
}

/// A decoded KV. `uids`/`postings` are set for posting-list values
/// (user_meta 4/8/16).
#[napi(object)]
pub struct DecodedKv {
    pub key: BackupKeyInfo,
    pub raw_key: Buffer,
    pub value: Buffer,
    pub user_meta: u32,
    pub version: BigInt,
    pub uids: Option<f64>,
    pub postings: Option<f64>,
}

pub fn kv_inputs(kvs: &[KvEntry]) -> napi::Result<Vec<KvInput>> {
    kvs.iter()
        .enumerate()
        .map(|(i, k)| {
            if k.user_meta > 255 {
                return Err(invalid(format!("kvs[{i}].userMeta must be one byte")));
            }
            Ok(KvInput {
                key: k.key.to_vec(),
                value: k.value.to_vec(),
                user_meta: k.user_meta as u8,
                version: to_u64(&format!("kvs[{i}].version"), &k.version)?,
                expires_at: match &k.expires_at {
                    Some(v) => to_u64(&format!("kvs[{i}].expiresAt"), v)?,
                    None => 0,
                },
            })
        })
        .collect()
}

pub fn encode(kvs: &[KvEntry]) -> napi::Result<Vec<u8>> {
    kv::encode_kv_list(&kv_inputs(kvs)?).map_err(to_napi)
}

pub fn to_js_kv(d: kv::DecodedKv) -> DecodedKv {
    let k = &d.key;
    let nz = |v: u64| (v != 0).then(|| BigInt::from(v));
    let key = BackupKeyInfo {
        key_type: d.key_type.name().to_string(),
        attr: k.attr.clone(),
        uid: nz(k.uid),
        start_uid: nz(k.start_uid),
        term: (!k.term.is_empty() || d.key_type == crate::format::proto::KeyType::Index)
            .then(|| Buffer::from(k.term.clone())),
        count: (k.count != 0).then_some(k.count),
        namespace: nz(k.namespace),
    };
    DecodedKv {
        key,
        raw_key: Buffer::from(d.raw_key),
        value: Buffer::from(d.value),
        user_meta: d.user_meta as u32,
        version: BigInt::from(d.version),
        uids: d.uids.map(|v| v as f64),
        postings: d.postings.map(|v| v as f64),
    }
}

/// Encodes KVs as one protobuf KVList (no frame).
#[napi]
pub fn encode_kv_list(kvs: Vec<KvEntry>) -> napi::Result<Buffer> {
    Ok(Buffer::from(encode(&kvs)?))
}

/// Decodes one serialized KVList.
#[napi]
pub fn decode_kv_list(list: Buffer) -> napi::Result<Vec<DecodedKv>> {
    let kvs = kv::decode_kv_list(&list).map_err(to_napi)?;
    Ok(kvs.into_iter().map(to_js_kv).collect())
}

/// Crate version (used by @strata/core's load check).
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A posting list value (BackupPostingList protobuf) as canonical text, for
/// comparing stores and backups written by different systems: the uids, then
/// each posting's uid, type, value type, language, value (hex) and facets
/// (key, type, value, tokens), then split starts. Commit and start
/// timestamps, which no two systems share, are left out.
#[napi]
pub fn describe_posting_list(value: Buffer) -> napi::Result<String> {
    use crate::format::proto::{decode_uid_bytes, BackupPostingList};
    use prost::Message;
    use std::fmt::Write;
    let pl = BackupPostingList::decode(value.as_ref())
        .map_err(|e| invalid(format!("not a posting list: {e}")))?;
    let uids = if pl.uids.is_empty() && !pl.uid_bytes.is_empty() {
        decode_uid_bytes(&pl.uid_bytes).map_err(|e| invalid(format!("bad uid_bytes: {e}")))?
    } else {
        pl.uids
    };
    let hex = |b: &[u8]| {
        b.iter().fold(String::new(), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
    };
    let mut out = format!("uids {uids:?}");
    for p in &pl.postings {
        let _ = write!(
            out,
            "\nposting {} type {} val {} lang {:?} value {}",
            p.uid,
            p.posting_type,
            p.val_type,
            String::from_utf8_lossy(&p.lang_tag),
            hex(&p.value)
        );
        for f in &p.facets {
            let _ = write!(
                out,
                " facet {:?} {} {} {:?}",
                f.key,
                f.val_type,
                hex(&f.value),
                f.tokens
            );
        }
    }
    if !pl.splits.is_empty() {
        let _ = write!(out, "\nsplits {:?}", pl.splits);
    }
    Ok(out)
}
