//! What differs between the Dgraph releases a backup imitates: the
//! BackupKey (namespace field), the posting list (`uids` or `uid_bytes`)
//! and the names inside schema/type values (bare or namespace-prefixed).

use crate::format::proto::{encode_uid_bytes, BackupKey, KeyType};
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{decode_list, ValueKind};
use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};
use prost::Message;

/// Which Dgraph release the file imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackupLayout {
    /// No namespaces: BackupKey without field 7, bare names in schema/type
    /// values, `uids` in BackupPostingList.
    V2011,
    /// BackupKey field 7, namespace-prefixed names in schema/type values,
    /// `uid_bytes`, schema and types in their own records at the end.
    #[default]
    V2103,
}

impl BackupLayout {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "v20.11" => Ok(BackupLayout::V2011),
            "v21.03" => Ok(BackupLayout::V2103),
            o => Err(StoreError::invalid(format!(
                "layout '{o}' is not one of 'v20.11', 'v21.03'"
            ))),
        }
    }
}

/// Rewrites a nested message.
type NestedFn<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>> + 'a;

/// The stored list (or tombstone) as the BackupPostingList of `layout`:
/// postings sorted by uid, no splits, `uids` (v20.11) or `uid_bytes` (v21.03).
pub(super) fn backup_list(
    kind: ValueKind,
    payload: &[u8],
    layout: BackupLayout,
) -> Result<Vec<u8>> {
    let mut pl = match kind {
        ValueKind::Tombstone => return Ok(Vec::new()),
        ValueKind::PostingList => decode_list(payload)?,
        ValueKind::Schema => return Err(StoreError::corrupt("schema value under a data key")),
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
    if layout == BackupLayout::V2103 {
        pl.uid_bytes = encode_uid_bytes(&pl.uids);
        pl.uids.clear();
    }
    Ok(pl.encode_to_vec())
}

/// A name inside a schema/type value, as the layout wants it: bare (v20.11)
/// or 8-byte BE namespace + name (v21.03), whichever way it is stored.
fn value_name(stored: &[u8], ns: u64, layout: BackupLayout) -> Vec<u8> {
    let prefix = ns.to_be_bytes();
    let bare = if stored.len() > 8 && stored[..8] == prefix {
        &stored[8..]
    } else {
        stored
    };
    match layout {
        BackupLayout::V2011 => bare.to_vec(),
        BackupLayout::V2103 => [&prefix[..], bare].concat(),
    }
}

fn put_bytes_field(tag: u32, b: &[u8], out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(b.len() as u64, out);
    out.extend_from_slice(b);
}

/// Rewrites a protobuf message at the wire level: field 1 (a name) through
/// `name`, field 2 (nested message) through `nested` when given; every
/// other field is copied as is (unknown fields survive, names need not be
/// UTF-8).
fn rewrite_names(
    msg: &[u8],
    name: &dyn Fn(&[u8]) -> Vec<u8>,
    nested: Option<&NestedFn<'_>>,
) -> Result<Vec<u8>> {
    let bad = |e: String| StoreError::corrupt(format!("bad schema/type value in the store: {e}"));
    let mut buf = msg;
    let mut out = Vec::with_capacity(msg.len() + 16);
    while !buf.is_empty() {
        let start = buf;
        let (tag, wt) = decode_key(&mut buf).map_err(|e| bad(e.to_string()))?;
        match wt {
            WireType::LengthDelimited => {
                let len = decode_varint(&mut buf).map_err(|e| bad(e.to_string()))? as usize;
                if len > buf.len() {
                    return Err(bad("field overruns the message".into()));
                }
                let (body, rest) = buf.split_at(len);
                buf = rest;
                match (tag, nested) {
                    (1, _) => put_bytes_field(1, &name(body), &mut out),
                    (2, Some(n)) => put_bytes_field(2, &n(body)?, &mut out),
                    _ => out.extend_from_slice(&start[..start.len() - buf.len()]),
                }
            }
            WireType::Varint => {
                decode_varint(&mut buf).map_err(|e| bad(e.to_string()))?;
                out.extend_from_slice(&start[..start.len() - buf.len()]);
            }
            WireType::SixtyFourBit | WireType::ThirtyTwoBit => {
                let n = if wt == WireType::SixtyFourBit { 8 } else { 4 };
                if buf.len() < n {
                    return Err(bad("truncated fixed field".into()));
                }
                buf = &buf[n..];
                out.extend_from_slice(&start[..start.len() - buf.len()]);
            }
            _ => return Err(bad("group wire type".into())),
        }
    }
    Ok(out)
}

pub(super) fn schema_value(stored: &[u8], ns: u64, layout: BackupLayout) -> Result<Vec<u8>> {
    rewrite_names(stored, &|n| value_name(n, ns, layout), None)
}

pub(super) fn type_value(stored: &[u8], ns: u64, layout: BackupLayout) -> Result<Vec<u8>> {
    let field = |f: &[u8]| schema_value(f, ns, layout);
    rewrite_names(stored, &|n| value_name(n, ns, layout), Some(&field))
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
