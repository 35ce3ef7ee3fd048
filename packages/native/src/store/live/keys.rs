//! The internal keys (spec §8.2) the live store reads and writes, built
//! from a namespace and a predicate name.

use crate::format::keys::{
    KIND_COUNT, KIND_COUNT_REV, KIND_DATA, KIND_INDEX, KIND_REVERSE, PREFIX_DEFAULT, PREFIX_SCHEMA,
    PREFIX_TYPE,
};
use crate::store::mvcc::predicate_prefix;

/// Every key of one kind (DATA, INDEX, ...) of a predicate.
pub(super) fn kind_prefix(ns: u64, attr: &str, kind: u8) -> Vec<u8> {
    let mut k = predicate_prefix(PREFIX_DEFAULT, ns, attr.as_bytes());
    k.push(kind);
    k
}

pub fn data_key(ns: u64, attr: &str, uid: u64) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, KIND_DATA);
    k.extend_from_slice(&uid.to_be_bytes());
    k
}

pub fn index_key(ns: u64, attr: &str, token: &[u8]) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, KIND_INDEX);
    k.extend_from_slice(token);
    k
}

pub fn reverse_key(ns: u64, attr: &str, object: u64) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, KIND_REVERSE);
    k.extend_from_slice(&object.to_be_bytes());
    k
}

pub fn count_key(ns: u64, attr: &str, n: u32, rev: bool) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, if rev { KIND_COUNT_REV } else { KIND_COUNT });
    k.extend_from_slice(&n.to_be_bytes());
    k
}

pub fn schema_key(ns: u64, attr: &str) -> Vec<u8> {
    predicate_prefix(PREFIX_SCHEMA, ns, attr.as_bytes())
}

pub fn type_key(ns: u64, name: &str) -> Vec<u8> {
    predicate_prefix(PREFIX_TYPE, ns, name.as_bytes())
}

/// The subject of a DATA key (or object of a REVERSE key) under `prefix`
/// (its kind prefix); `None` for a key of another shape.
pub(super) fn uid_after(prefix: &[u8], key: &[u8]) -> Option<u64> {
    let tail = key.strip_prefix(prefix)?;
    Some(u64::from_be_bytes(tail.try_into().ok()?))
}
