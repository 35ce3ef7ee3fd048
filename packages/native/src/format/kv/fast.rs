//! Allocation-free protobuf walkers for the hot paths ('bytes' validation,
//! 'stats' counting). Each returns `None` for anything it does not accept;
//! it never accepts what the reference path (prost / [`super::reference`])
//! rejects, so callers fall back to the reference path for the exact error.

use super::{is_posting_list_meta, USER_META_SCHEMA};
use crate::format::proto::KeyType;
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
    /// The KV's version (the last one given, as prost reads it).
    pub version: u64,
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
    // A field given twice is merged by prost (messages) or replaced (strings), after each copy is
    // checked: no writer does that, so such a KV goes to the reference decoder (`None`).
    let (mut key, mut value, mut meta) = (None, None, None);
    let mut version = 0;
    let once = |slot: &mut Option<&'a [u8]>, b: &'a [u8]| slot.replace(b).is_none().then_some(());
    let mut p = 0;
    while p < kv.len() {
        match field(kv, &mut p)? {
            (1, 2, Val::Bytes(b)) => once(&mut key, b)?,
            (2, 2, Val::Bytes(b)) => once(&mut value, b)?,
            (3, 2, Val::Bytes(b)) => once(&mut meta, b)?,
            (4, 0, Val::Varint(v)) => version = v,
            (6, 2, _) | (5 | 10 | 11, 0, _) => {}
            (1..=6 | 10 | 11, _, _) => return None,
            _ => {}
        }
    }
    let (key, value) = (key.unwrap_or_default(), value.unwrap_or_default());
    let user_meta = user_meta_ok(meta.unwrap_or_default())?;
    // BackupKey
    let (mut kt, mut attr, mut ns): (i32, Option<&[u8]>, u64) = (0, None, 0);
    let mut p = 0;
    while p < key.len() {
        match field(key, &mut p)? {
            (1, 0, Val::Varint(v)) => kt = v as i32,
            (2, 2, Val::Bytes(b)) => once(&mut attr, b)?,
            (7, 0, Val::Varint(v)) => ns = v,
            (3 | 4 | 6, 0, _) | (5, 2, _) => {}
            (1..=7, _, _) => return None,
            _ => {}
        }
    }
    let attr = attr.unwrap_or_default();
    if attr != *last_attr {
        if !attr.is_ascii() {
            std::str::from_utf8(attr).ok()?;
        }
        *last_attr = attr;
    }
    let key_type = KeyType::try_from(kt).unwrap_or(KeyType::Unknown);
    let (mut uids, mut postings) = (0, 0);
    if is_posting_list_meta(user_meta) {
        let shape = posting_list_shape(value)?;
        uids = shape.uid_count()?;
        postings = shape.postings;
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
        version,
    })
}

/// What a `BackupPostingList` holds, counted without decoding it.
pub struct PostingListShape<'a> {
    /// Entries of `uids`.
    pub uids: u64,
    pub postings: u64,
    /// Entries of `splits`.
    pub splits: u64,
    /// The packed uids of Dgraph's newer layout (empty when absent).
    pub uid_bytes: &'a [u8],
}

impl PostingListShape<'_> {
    /// The list's uids: `uids`, else those packed in `uid_bytes` (`None`:
    /// a `uid_bytes` that does not end).
    pub fn uid_count(&self) -> Option<u64> {
        match self.uids {
            0 => crate::format::proto::count_uid_bytes(self.uid_bytes),
            n => Some(n),
        }
    }
}

/// The shape of a `BackupPostingList`, or `None` when prost might refuse it
/// (the caller then decodes it for the exact error).
pub fn posting_list_shape(value: &[u8]) -> Option<PostingListShape<'_>> {
    let mut out = PostingListShape {
        uids: 0,
        postings: 0,
        splits: 0,
        uid_bytes: &[],
    };
    let mut p = 0;
    while p < value.len() {
        match field(value, &mut p)? {
            (1, 2, Val::Bytes(b)) => out.uids += packed_varints(b)?,
            (1, 0, _) => out.uids += 1,
            (2, 2, Val::Bytes(b)) => {
                posting_ok(b)?;
                out.postings += 1;
            }
            (4, 2, Val::Bytes(b)) => out.splits += packed_varints(b)?,
            (4, 0, _) => out.splits += 1,
            (5, 2, Val::Bytes(b)) => out.uid_bytes = b,
            (3, 0, _) => {}
            (1..=5, _, _) => return None,
            _ => {}
        }
    }
    Some(out)
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
