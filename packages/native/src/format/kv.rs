//! KVList encoding/decoding helpers and backup statistics.

use super::proto::{count_uid_bytes, BackupKey, BackupPostingList, KeyType, Kv, KvList};
use crate::codec::error::{CodecError, Result};
use prost::Message;
use std::collections::HashMap;

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
    if fast::validate_kv_list(buf) {
        return Ok(());
    }
    validate_kv_list_slow(buf)
}

/// The reference check: gives the exact error.
fn validate_kv_list_slow(buf: &[u8]) -> Result<()> {
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
///
/// Rows are kept per predicate (looked up by `&str`, so counting a KV whose
/// predicate is already known allocates nothing); [`StatsAcc::rows`] sorts.
#[derive(Debug, Default)]
pub struct StatsAcc {
    pub kvs: u64,
    rows: HashMap<String, Vec<StatsRow>>,
}

/// (key type name, namespace, keys, uids, postings)
type StatsRow = (&'static str, u64, u64, u64, u64);

impl StatsAcc {
    pub fn add(&mut self, kv: &DecodedKv) {
        self.add_parts(
            &kv.key.attr,
            kv.key_type.name(),
            kv.key.namespace,
            1,
            kv.uids.unwrap_or(0),
            kv.postings.unwrap_or(0),
        );
        self.kvs += 1;
    }

    /// Adds to one row (does not count KVs: see [`StatsAcc::kvs`]).
    fn add_parts(
        &mut self,
        attr: &str,
        key_type: &'static str,
        namespace: u64,
        keys: u64,
        uids: u64,
        postings: u64,
    ) {
        let rows = match self.rows.get_mut(attr) {
            Some(r) => r,
            None => self.rows.entry(attr.to_string()).or_default(),
        };
        match rows
            .iter_mut()
            .find(|r| r.0 == key_type && r.1 == namespace)
        {
            Some(r) => {
                r.2 += keys;
                r.3 += uids;
                r.4 += postings;
            }
            None => rows.push((key_type, namespace, keys, uids, postings)),
        }
    }

    /// `attr` was checked to be UTF-8 by the fast walker.
    fn add_row(&mut self, attr: &[u8], key_type: KeyType, ns: u64, c: [u64; 3]) {
        let attr = std::str::from_utf8(attr).unwrap_or_default();
        self.add_parts(attr, key_type.name(), ns, c[0], c[1], c[2]);
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: StatsAcc) {
        self.kvs += other.kvs;
        if self.rows.is_empty() {
            self.rows = other.rows;
            return;
        }
        for (attr, rows) in other.rows {
            for (t, ns, k, u, p) in rows {
                self.add_parts(&attr, t, ns, k, u, p);
            }
        }
    }

    /// Rows sorted by predicate, then key type name, then namespace.
    pub fn rows(&self) -> Vec<PredicateStats> {
        let mut out: Vec<PredicateStats> = self
            .rows
            .iter()
            .flat_map(|(p, rows)| {
                rows.iter().map(move |&(t, ns, k, u, po)| PredicateStats {
                    predicate: p.clone(),
                    key_type: t,
                    namespace: ns,
                    keys: k,
                    uids: u,
                    postings: po,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (a.predicate.as_bytes(), a.key_type.as_bytes(), a.namespace).cmp(&(
                b.predicate.as_bytes(),
                b.key_type.as_bytes(),
                b.namespace,
            ))
        });
        out
    }

    /// Counts one serialized KVList: the same result (and the same error) as
    /// `decode_kv_list(buf)` followed by [`StatsAcc::add`] for every KV, but
    /// without building the messages. The fast walker accepts only what prost
    /// accepts; on anything else the frame is decoded with prost, which gives
    /// the exact error (or the counts, if the walker was merely cautious).
    /// `scratch` is reused between calls to avoid allocating.
    pub fn add_kv_list(&mut self, buf: &[u8], scratch: &mut Vec<fast::KvCount>) -> Result<()> {
        scratch.clear();
        if fast::kv_list_counts(buf, scratch).is_some() {
            // Rows of this frame are summed in a small table first (a frame
            // usually touches few predicates), then looked up once each.
            // (fingerprint, attr, key type, namespace, counts); the
            // fingerprint (length and first bytes) avoids most compares
            type Row<'b> = (u64, &'b [u8], KeyType, u64, [u64; 3]);
            let mut table: Vec<Row<'_>> = Vec::new();
            let mut last = 0;
            for kv in scratch.iter() {
                let attr = &buf[kv.attr.clone()];
                let mut head = [0u8; 8];
                let n = attr.len().min(7);
                head[..n].copy_from_slice(&attr[..n]);
                head[7] = attr.len() as u8;
                let fp = u64::from_le_bytes(head);
                let hit = |r: &Row<'_>| {
                    r.0 == fp && r.2 == kv.key_type && r.3 == kv.namespace && r.1 == attr
                };
                let at = if table.get(last).is_some_and(hit) {
                    Some(last)
                } else {
                    table.iter().position(hit)
                };
                match at {
                    Some(i) => {
                        let c = &mut table[i].4;
                        c[0] += 1;
                        c[1] += kv.uids;
                        c[2] += kv.postings;
                        last = i;
                    }
                    None => {
                        if table.len() == 32 {
                            for (_, a, t, ns, c) in table.drain(..) {
                                self.add_row(a, t, ns, c);
                            }
                        }
                        last = table.len();
                        table.push((
                            fp,
                            attr,
                            kv.key_type,
                            kv.namespace,
                            [1, kv.uids, kv.postings],
                        ));
                    }
                }
            }
            for (_, a, t, ns, c) in table {
                self.add_row(a, t, ns, c);
            }
            self.kvs += scratch.len() as u64;
            return Ok(());
        }
        for kv in decode_kv_list(buf)? {
            self.add(&kv);
        }
        Ok(())
    }
}

/// Allocation-free protobuf walkers for the hot paths ('bytes' validation,
/// 'stats' counting). Each returns `None` for anything it does not accept;
/// it never accepts what the reference path (prost / `walk_fields`) rejects,
/// so callers fall back to the reference path for the exact error.
pub mod fast {
    use super::{is_posting_list_meta, KeyType, USER_META_SCHEMA};
    use std::ops::Range;

    /// A decoded field value.
    enum Val<'a> {
        Varint(u64),
        Fixed,
        Bytes(&'a [u8]),
    }

    /// prost's varint rules: at most 10 bytes, the 10th at most 1.
    #[inline(always)]
    fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
        let b0 = *buf.get(*pos)?;
        if b0 < 0x80 {
            *pos += 1;
            return Some(b0 as u64);
        }
        let mut v = (b0 & 0x7f) as u64;
        let mut i = *pos + 1;
        let mut shift = 7;
        loop {
            let b = *buf.get(i)?;
            i += 1;
            if shift == 63 {
                if b > 1 {
                    return None;
                }
                v |= (b as u64) << 63;
                break;
            }
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        *pos = i;
        Some(v)
    }

    /// Next field: (field number, wire type, value). Rejects what prost's
    /// `decode_key` rejects (key > u32::MAX, field 0, wire types 6/7) and
    /// groups (3/4), which prost accepts only as unknown fields.
    #[inline(always)]
    fn field<'a>(buf: &'a [u8], pos: &mut usize) -> Option<(u32, u8, Val<'a>)> {
        let key = varint(buf, pos)?;
        if key > u32::MAX as u64 || key < 8 {
            return None;
        }
        let wire = (key & 7) as u8;
        let val = match wire {
            0 => Val::Varint(varint(buf, pos)?),
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                if buf.len() - *pos < n {
                    return None;
                }
                *pos += n;
                Val::Fixed
            }
            2 => {
                let n = varint(buf, pos)?;
                if n > (buf.len() - *pos) as u64 {
                    return None;
                }
                let b = &buf[*pos..*pos + n as usize];
                *pos += n as usize;
                Val::Bytes(b)
            }
            _ => return None,
        };
        Some(((key >> 3) as u32, wire, val))
    }

    /// Checks a packed repeated varint body (each value a valid varint, the
    /// last one terminated); returns the number of values. Eight bytes at a
    /// time: a value ends at every byte below 0x80.
    #[inline]
    fn packed_varints(body: &[u8]) -> Option<u64> {
        const HI: u64 = 0x8080_8080_8080_8080;
        let mut n = 0u64;
        // continuation bytes since the last terminator
        let mut run = 0u32;
        let mut words = body.chunks_exact(8);
        for w in &mut words {
            let t = !u64::from_le_bytes(w.try_into().expect("8 bytes")) & HI;
            if t == 0 {
                run += 8;
                if run > 9 {
                    return None;
                }
                continue;
            }
            let first = t.trailing_zeros() / 8;
            let r = run + first;
            if r > 9 || (r == 9 && w[first as usize] > 1) {
                return None;
            }
            n += t.count_ones() as u64;
            run = 7 - (63 - t.leading_zeros()) / 8;
        }
        for &b in words.remainder() {
            if b < 0x80 {
                if run == 9 && b > 1 {
                    return None;
                }
                n += 1;
                run = 0;
            } else {
                run += 1;
                if run > 9 {
                    return None;
                }
            }
        }
        (run == 0).then_some(n)
    }

    fn user_meta_ok(m: &[u8]) -> Option<u8> {
        match m {
            [b] if *b == USER_META_SCHEMA || is_posting_list_meta(*b) => Some(*b),
            _ => None,
        }
    }

    /// Fast path of `validate_kv_list`: true if the reference check passes.
    pub fn validate_kv_list(buf: &[u8]) -> bool {
        let mut pos = 0;
        while pos < buf.len() {
            let Some((f, _, v)) = field(buf, &mut pos) else {
                return false;
            };
            if f == 1 {
                let Val::Bytes(kv) = v else { return false };
                let mut meta: &[u8] = &[];
                let mut p = 0;
                while p < kv.len() {
                    match field(kv, &mut p) {
                        Some((3, _, Val::Bytes(b))) => meta = b,
                        Some(_) => {}
                        None => return false,
                    }
                }
                if user_meta_ok(meta).is_none() {
                    return false;
                }
            }
        }
        true
    }

    /// What statistics need of one KV.
    #[derive(Debug, Clone)]
    pub struct KvCount {
        /// Range of the predicate (UTF-8 checked) in the KVList buffer.
        pub attr: Range<usize>,
        pub key_type: KeyType,
        pub namespace: u64,
        pub uids: u64,
        pub postings: u64,
    }

    /// Walks a KVList like prost would decode it, pushing one [`KvCount`]
    /// per KV.
    pub fn kv_list_counts(buf: &[u8], out: &mut Vec<KvCount>) -> Option<()> {
        let base = buf.as_ptr() as usize;
        let mut pos = 0;
        // the last predicate found valid UTF-8 (KVs come sorted by key, so
        // runs of one predicate are the rule)
        let mut last_attr: &[u8] = &[];
        while pos < buf.len() {
            match field(buf, &mut pos)? {
                (1, 2, Val::Bytes(kv)) => out.push(kv_counts(kv, base, &mut last_attr)?),
                (10, 0, _) => {}
                (1 | 10, _, _) => return None,
                _ => {}
            }
        }
        Some(())
    }

    fn kv_counts<'a>(kv: &'a [u8], base: usize, last_attr: &mut &'a [u8]) -> Option<KvCount> {
        let (mut key, mut value, mut meta): (&[u8], &[u8], &[u8]) = (&[], &[], &[]);
        let mut p = 0;
        while p < kv.len() {
            match field(kv, &mut p)? {
                (1, 2, Val::Bytes(b)) => key = b,
                (2, 2, Val::Bytes(b)) => value = b,
                (3, 2, Val::Bytes(b)) => meta = b,
                (6, 2, _) | (4 | 5 | 10 | 11, 0, _) => {}
                (1..=6 | 10 | 11, _, _) => return None,
                _ => {}
            }
        }
        let user_meta = user_meta_ok(meta)?;
        // BackupKey
        let (mut kt, mut attr, mut ns): (i32, &[u8], u64) = (0, &[], 0);
        let mut p = 0;
        while p < key.len() {
            match field(key, &mut p)? {
                (1, 0, Val::Varint(v)) => kt = v as i32,
                (2, 2, Val::Bytes(b)) => attr = b,
                (7, 0, Val::Varint(v)) => ns = v,
                (3 | 4 | 6, 0, _) | (5, 2, _) => {}
                (1..=7, _, _) => return None,
                _ => {}
            }
        }
        if attr != *last_attr {
            if !attr.is_ascii() {
                std::str::from_utf8(attr).ok()?;
            }
            *last_attr = attr;
        }
        let key_type = KeyType::try_from(kt).unwrap_or(KeyType::Unknown);
        let (mut uids, mut postings) = (0, 0);
        if is_posting_list_meta(user_meta) {
            let mut uid_bytes: &[u8] = &[];
            let mut p = 0;
            while p < value.len() {
                match field(value, &mut p)? {
                    (1, 2, Val::Bytes(b)) => uids += packed_varints(b)?,
                    (1, 0, _) => uids += 1,
                    (2, 2, Val::Bytes(b)) => {
                        posting_ok(b)?;
                        postings += 1;
                    }
                    (4, 2, Val::Bytes(b)) => {
                        packed_varints(b)?;
                    }
                    (5, 2, Val::Bytes(b)) => uid_bytes = b,
                    (3 | 4, 0, _) => {}
                    (1..=5, _, _) => return None,
                    _ => {}
                }
            }
            if uids == 0 {
                uids = crate::format::proto::count_uid_bytes(uid_bytes)?;
            }
        }
        let attr = if attr.is_empty() {
            0..0
        } else {
            let start = attr.as_ptr() as usize - base;
            start..start + attr.len()
        };
        Some(KvCount {
            attr,
            key_type,
            namespace: ns,
            uids,
            postings,
        })
    }

    fn posting_ok(b: &[u8]) -> Option<()> {
        let mut p = 0;
        while p < b.len() {
            match field(b, &mut p)? {
                (1, 1, _) | (2 | 5, 2, _) | (3 | 4 | 12 | 13 | 14, 0, _) => {}
                (9, 2, Val::Bytes(f)) => facet_ok(f)?,
                (1..=5 | 9 | 12..=14, _, _) => return None,
                _ => {}
            }
        }
        Some(())
    }

    fn facet_ok(b: &[u8]) -> Option<()> {
        let mut p = 0;
        while p < b.len() {
            match field(b, &mut p)? {
                (1 | 4 | 5, 2, Val::Bytes(s)) => {
                    std::str::from_utf8(s).ok()?;
                }
                (2, 2, _) | (3, 0, _) => {}
                (1..=5, _, _) => return None,
                _ => {}
            }
        }
        Some(())
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

    /// A KVList exercising every field the fast walkers look at.
    fn rich_list(seed: u64) -> Vec<u8> {
        use crate::format::proto::Facet;
        let mut x = seed | 1;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut kvs = Vec::new();
        for i in 0..12u64 {
            let kt = [
                KeyType::Data,
                KeyType::Index,
                KeyType::Reverse,
                KeyType::Schema,
            ][i as usize % 4];
            let mut k = BackupKey {
                r#type: kt as i32,
                attr: ["name", "friend", "ünï", ""][(i / 3) as usize % 4].into(),
                uid: rnd() >> (rnd() % 64),
                namespace: if i % 5 == 0 { 3 } else { 0 },
                ..Default::default()
            };
            if kt == KeyType::Index {
                k.term = vec![0xff, 0x00, 0x80];
            }
            let (meta, value) = if kt == KeyType::Schema {
                (USER_META_SCHEMA, b"schema".to_vec())
            } else {
                let uids: Vec<u64> = (0..(rnd() % 40)).map(|_| rnd() >> (rnd() % 64)).collect();
                let pl = BackupPostingList {
                    uids: if i % 3 == 0 { vec![] } else { uids.clone() },
                    uid_bytes: if i % 3 == 0 {
                        crate::format::proto::encode_uid_bytes(&uids)
                    } else {
                        vec![]
                    },
                    postings: (0..(rnd() % 4))
                        .map(|j| Posting {
                            uid: rnd(),
                            value: vec![j as u8; 3],
                            lang_tag: b"en".to_vec(),
                            facets: vec![Facet {
                                key: "since".into(),
                                value: vec![1, 2],
                                tokens: vec!["a".into(), "é".into()],
                                alias: "x".into(),
                                ..Default::default()
                            }],
                            start_ts: 5,
                            commit_ts: 6,
                            ..Default::default()
                        })
                        .collect(),
                    commit_ts: 9,
                    splits: vec![1, u64::MAX],
                };
                (
                    [USER_META_DELTA, USER_META_COMPLETE, USER_META_EMPTY][i as usize % 3],
                    pl.encode_to_vec(),
                )
            };
            kvs.push(KvInput {
                key: k.encode_to_vec(),
                value,
                user_meta: meta,
                version: i,
                expires_at: i * 7,
            });
        }
        let mut buf = encode_kv_list(&kvs).unwrap();
        buf.extend_from_slice(&[0x50, 0x05]); // alloc_ref
        buf.extend_from_slice(&[0xa2, 0x06, 2, 1, 2]); // unknown field 100
        buf
    }

    fn reference_stats(buf: &[u8]) -> Result<(u64, Vec<PredicateStats>)> {
        let mut acc = StatsAcc::default();
        for kv in decode_kv_list(buf)? {
            acc.add(&kv);
        }
        Ok((acc.kvs, acc.rows()))
    }

    fn fast_stats(buf: &[u8]) -> Result<(u64, Vec<PredicateStats>)> {
        let mut acc = StatsAcc::default();
        acc.add_kv_list(buf, &mut Vec::new())?;
        Ok((acc.kvs, acc.rows()))
    }

    #[test]
    fn fast_walkers_match_the_reference() {
        let mut checked = 0;
        for seed in 1..40u64 {
            let buf = rich_list(seed * 0x9e37_79b9);
            // valid input takes the fast path
            assert!(fast::validate_kv_list(&buf));
            assert!(fast::kv_list_counts(&buf, &mut Vec::new()).is_some());
            assert_eq!(fast_stats(&buf).unwrap(), reference_stats(&buf).unwrap());
            // damaged input: the fast walkers never accept what the reference
            // rejects, and the results (or errors) are the same
            let mut x = seed;
            for m in 0..400usize {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let mut bad = buf.clone();
                let at = (x >> 33) as usize % bad.len();
                match m % 4 {
                    0 => bad[at] ^= 1 << ((x >> 20) % 8),
                    1 => bad[at] = (x >> 40) as u8,
                    2 => bad.truncate(at),
                    _ => {
                        bad[at] = 0xff;
                        if at + 1 < bad.len() {
                            bad[at + 1] = 0xff;
                        }
                    }
                }
                let slow = validate_kv_list_slow(&bad);
                if fast::validate_kv_list(&bad) {
                    assert!(slow.is_ok(), "seed {seed} m {m}");
                }
                assert_eq!(validate_kv_list(&bad), slow);
                let reference = reference_stats(&bad);
                if fast::kv_list_counts(&bad, &mut Vec::new()).is_some() {
                    assert!(reference.is_ok(), "seed {seed} m {m}");
                }
                assert_eq!(fast_stats(&bad), reference, "seed {seed} m {m}");
                checked += 1;
            }
        }
        assert!(checked > 10_000);
    }

    #[test]
    fn packed_varint_counting() {
        let check = |b: &[u8]| {
            let mut v = Vec::new();
            let mut rest = b;
            let mut ok = true;
            while !rest.is_empty() {
                match prost::encoding::decode_varint(&mut rest) {
                    Ok(x) => v.push(x),
                    Err(_) => {
                        ok = false;
                        break;
                    }
                }
            }
            let want = ok.then_some(v.len() as u64);
            let mut f = BackupPostingList::default().encode_to_vec();
            f.push(0x0a);
            prost::encoding::encode_varint(b.len() as u64, &mut f);
            f.extend_from_slice(b);
            let kv = KvInput {
                key: key(KeyType::Data, "p", 1),
                value: f,
                user_meta: 8,
                ..Default::default()
            };
            let list = encode_kv_list(&[kv]).unwrap();
            let mut out = Vec::new();
            let got = fast::kv_list_counts(&list, &mut out).map(|_| out[0].uids);
            assert_eq!(got, want, "{b:02x?}");
        };
        let mut x = 7u64;
        for len in 0..40 {
            for _ in 0..200 {
                let b: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                        match (x >> 60) % 4 {
                            0 => (x >> 30) as u8 & 0x7f,
                            1 => 1,
                            _ => 0x80 | (x >> 40) as u8,
                        }
                    })
                    .collect();
                check(&b);
            }
        }
        check(&[0xff; 9].iter().copied().chain([1]).collect::<Vec<_>>());
        check(&[0xff; 9].iter().copied().chain([2]).collect::<Vec<_>>());
        check(&[0x80; 10]);
        check(&[
            5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 3,
        ]);
        check(&[
            5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 3,
        ]);
    }
}
