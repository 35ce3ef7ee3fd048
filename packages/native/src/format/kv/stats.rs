//! Per (predicate, key type, namespace) statistics of KVLists ('stats'
//! mode): counted from decoded KVs, or straight from the KVList bytes by the
//! [`super::fast`] walker.

use super::{decode_kv_list, fast, DecodedKv};
use crate::codec::error::Result;
use crate::format::proto::KeyType;
use std::collections::HashMap;

/// One statistics row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateStats {
    pub predicate: String,
    pub key_type: &'static str,
    pub namespace: u64,
    pub keys: u64,
    pub uids: u64,
    pub postings: u64,
    /// Smallest and largest version of the row's KVs.
    pub min_version: u64,
    pub max_version: u64,
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

/// (key type name, namespace, [keys, uids, postings, min version, max version])
type StatsRow = (&'static str, u64, Counts);

/// keys, uids, postings, min version, max version
type Counts = [u64; 5];

/// Adds `c` to `into` (sums, and the version range).
fn combine(into: &mut Counts, c: &Counts) {
    into[0] += c[0];
    into[1] += c[1];
    into[2] += c[2];
    into[3] = into[3].min(c[3]);
    into[4] = into[4].max(c[4]);
}

impl StatsAcc {
    pub fn add(&mut self, kv: &DecodedKv) {
        self.add_parts(
            &kv.key.attr,
            kv.key_type.name(),
            kv.key.namespace,
            &[
                1,
                kv.uids.unwrap_or(0),
                kv.postings.unwrap_or(0),
                kv.version,
                kv.version,
            ],
        );
        self.kvs += 1;
    }

    /// Adds to one row (does not count KVs: see [`StatsAcc::kvs`]).
    fn add_parts(&mut self, attr: &str, key_type: &'static str, namespace: u64, c: &Counts) {
        let rows = match self.rows.get_mut(attr) {
            Some(r) => r,
            None => self.rows.entry(attr.to_string()).or_default(),
        };
        match rows
            .iter_mut()
            .find(|r| r.0 == key_type && r.1 == namespace)
        {
            Some(r) => combine(&mut r.2, c),
            None => rows.push((key_type, namespace, *c)),
        }
    }

    /// `attr` was checked to be UTF-8 by the fast walker.
    fn add_row(&mut self, attr: &[u8], key_type: KeyType, ns: u64, c: &Counts) {
        let attr = std::str::from_utf8(attr).unwrap_or_default();
        self.add_parts(attr, key_type.name(), ns, c);
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: StatsAcc) {
        self.kvs += other.kvs;
        if self.rows.is_empty() {
            self.rows = other.rows;
            return;
        }
        for (attr, rows) in other.rows {
            for (t, ns, c) in rows {
                self.add_parts(&attr, t, ns, &c);
            }
        }
    }

    /// Rows sorted by predicate, then key type name, then namespace.
    pub fn rows(&self) -> Vec<PredicateStats> {
        let mut out: Vec<PredicateStats> = self
            .rows
            .iter()
            .flat_map(|(p, rows)| {
                rows.iter().map(move |&(t, ns, c)| PredicateStats {
                    predicate: p.clone(),
                    key_type: t,
                    namespace: ns,
                    keys: c[0],
                    uids: c[1],
                    postings: c[2],
                    min_version: c[3],
                    max_version: c[4],
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
            type Row<'b> = (u64, &'b [u8], KeyType, u64, Counts);
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
                        combine(
                            &mut table[i].4,
                            &[1, kv.uids, kv.postings, kv.version, kv.version],
                        );
                        last = i;
                    }
                    None => {
                        if table.len() == 32 {
                            for (_, a, t, ns, c) in table.drain(..) {
                                self.add_row(a, t, ns, &c);
                            }
                        }
                        last = table.len();
                        table.push((
                            fp,
                            attr,
                            kv.key_type,
                            kv.namespace,
                            [1, kv.uids, kv.postings, kv.version, kv.version],
                        ));
                    }
                }
            }
            for (_, a, t, ns, c) in table {
                self.add_row(a, t, ns, &c);
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
