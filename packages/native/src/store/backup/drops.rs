//! Drop operations in a backup: `dgraph.drop.op` facts committed since the
//! previous backup of the series, parsed into [`DropRecord`]s (spec §6.8).

use super::versions::visit_newest;
use super::BackupOptions;
use crate::format::keys::{parse_key, KIND_DATA, PREFIX_DEFAULT};
use crate::format::names::split_ns_name;
use crate::format::proto::BackupPostingList;
use crate::store::db::PostingStore;
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{predicate_prefix, Drop, ValueKind};
use prost::Message;
use std::collections::BTreeSet;

pub const DROP_OP_PREDICATE: &str = "dgraph.drop.op";

/// Kind of a drop operation (spec §6.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropKind {
    All,
    Data,
    Attr,
    Ns,
}

impl DropKind {
    pub fn name(self) -> &'static str {
        match self {
            DropKind::All => "ALL",
            DropKind::Data => "DATA",
            DropKind::Attr => "ATTR",
            DropKind::Ns => "NS",
        }
    }
}

/// A drop operation found in a `dgraph.drop.op` fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropRecord {
    pub op: DropKind,
    /// ATTR: the bare predicate; NS / DATA: the namespace as written.
    pub value: Option<String>,
    /// ATTR: the namespace when the value carried the 8-byte prefix; NS /
    /// DATA: the parsed namespace.
    pub namespace: Option<u64>,
    pub commit_ts: u64,
}

impl DropRecord {
    /// The operation to apply to a restored key space (spec §10 step 1).
    pub fn to_drop(&self) -> Drop {
        match self.op {
            DropKind::All => Drop::All,
            DropKind::Data => Drop::Data(self.namespace),
            DropKind::Attr => Drop::Attr {
                ns: self.namespace.unwrap_or(0),
                attr: self.value.clone().unwrap_or_default().into_bytes(),
            },
            DropKind::Ns => Drop::Namespace(self.namespace.unwrap_or(0)),
        }
    }
}

/// Parses a `dgraph.drop.op` value (`DROP_ALL;`, `DROP_DATA;[ns]`,
/// `DROP_ATTR;<attr>`, `DROP_NS;<ns>`); `None` when it is none of them.
pub fn parse_drop_value(v: &[u8]) -> Option<(DropKind, Option<String>, Option<u64>)> {
    let semi = v.iter().position(|&b| b == b';')?;
    let (op, rest) = (&v[..semi], &v[semi + 1..]);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match op {
        b"DROP_ALL" => Some((DropKind::All, None, None)),
        b"DROP_DATA" if rest.is_empty() => Some((DropKind::Data, None, None)),
        b"DROP_DATA" => Some((DropKind::Data, Some(text(rest)), parse_ns(rest))),
        b"DROP_ATTR" if rest.is_empty() => None,
        b"DROP_ATTR" => match split_ns_name(rest) {
            Some((ns, name)) => Some((DropKind::Attr, Some(text(name)), Some(ns))),
            None => Some((DropKind::Attr, Some(text(rest)), None)),
        },
        b"DROP_NS" => Some((DropKind::Ns, Some(text(rest)), parse_ns(rest))),
        _ => None,
    }
}

/// Go `strconv.ParseUint(s, 0, 64)` for the forms Dgraph writes.
fn parse_ns(b: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?.trim();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

/// The drop operations of `dgraph.drop.op` facts committed in
/// `(since, read_ts]`, in commit order (empty for a full backup).
pub(super) fn drop_operations(
    store: &PostingStore,
    txn: &Txn<'_>,
    opts: &BackupOptions,
) -> Result<Vec<DropRecord>> {
    if opts.since == 0 {
        return Ok(Vec::new());
    }
    let namespaces: BTreeSet<u64> = std::iter::once(0)
        .chain(opts.predicates.iter().map(|(ns, _)| *ns))
        .collect();
    let mut found: Vec<(u64, u64, DropRecord)> = Vec::new();
    for ns in namespaces {
        let mut prefix = predicate_prefix(PREFIX_DEFAULT, ns, DROP_OP_PREDICATE.as_bytes());
        prefix.push(KIND_DATA);
        visit_newest(
            store,
            txn,
            &prefix,
            opts.read_ts,
            &mut |key, ts, kind, payload| {
                if ts <= opts.since || kind != ValueKind::PostingList {
                    return Ok(());
                }
                let uid = parse_key(key, true)?.uid;
                let pl = BackupPostingList::decode(payload).map_err(|e| {
                    StoreError::corrupt(format!("bad posting list in the store: {e}"))
                })?;
                for p in &pl.postings {
                    // A list predicate keeps older values: only the ones
                    // committed after `since` are new.
                    let pts = if p.commit_ts != 0 { p.commit_ts } else { ts };
                    if pts <= opts.since || pts > opts.read_ts {
                        continue;
                    }
                    if let Some((op, value, namespace)) = parse_drop_value(&p.value) {
                        found.push((
                            pts,
                            uid,
                            DropRecord {
                                op,
                                value,
                                namespace,
                                commit_ts: pts,
                            },
                        ));
                    }
                }
                Ok(())
            },
        )?;
    }
    found.sort_by_key(|(ts, uid, _)| (*ts, *uid));
    Ok(found.into_iter().map(|(_, _, d)| d).collect())
}
