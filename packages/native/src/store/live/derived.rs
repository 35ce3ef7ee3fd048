//! Index, reverse and count keys: derived from the DATA lists, kept up to
//! date by every mutation ([`Derived`]) and rebuilt when an alter changes a
//! predicate's directives ([`rebuild`]).

use super::keys::{count_key, index_key, kind_prefix, reverse_key, uid_after};
use super::lists::{
    read_list, reverse_posting, uid_edge_facets, uid_list, value_tokens, write_list,
    write_uid_changes, At, Changes,
};
use super::schema::Schema;
use crate::format::keys::KIND_DATA;
use crate::format::proto::{BackupPostingList, Facet};
use crate::store::db::PostingStore;
use crate::store::engine::Txn;
use crate::store::error::Result;
use crate::store::mvcc::decode_list;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Marks `who` absent from the lists of the keys only in `old` and present
/// in those of the keys only in `new`.
fn note_diff<T: Ord, K: Ord>(
    ch: &mut Changes<K>,
    old: &BTreeSet<T>,
    new: &BTreeSet<T>,
    who: u64,
    key: impl Fn(&T) -> K,
) {
    for t in old.difference(new) {
        ch.entry(key(t)).or_default().insert(who, false);
    }
    for t in new.difference(old) {
        ch.entry(key(t)).or_default().insert(who, true);
    }
}

/// Moves `who` from the count list of `before` to that of `after` (count
/// 0 has no list).
fn note_count(
    ch: &mut Changes<Vec<u8>>,
    count: impl Fn(u32) -> Vec<u8>,
    before: usize,
    after: usize,
    who: u64,
) {
    if before == after {
        return;
    }
    if before > 0 {
        ch.entry(count(before as u32))
            .or_default()
            .insert(who, false);
    }
    if after > 0 {
        ch.entry(count(after as u32)).or_default().insert(who, true);
    }
}

/// Subject -> the facets of its edge to one object (None: the edge is gone).
type ReverseChanges = BTreeMap<u64, Option<Vec<Facet>>>;

/// The derived-key changes of one commit, collected while its DATA lists
/// are written.
#[derive(Default)]
pub(super) struct Derived {
    /// Index and count lists.
    lists: Changes<Vec<u8>>,
    /// (ns, attr, object) -> subject -> the edge's facets (None: removed):
    /// reverse lists (and their counts).
    reverse: BTreeMap<(u64, String, u64), ReverseChanges>,
}

impl Derived {
    /// Records what replacing `old` by `new` as the DATA list of `subject`
    /// changes in the derived lists of `schema`'s directives.
    pub fn data_changed(
        &mut self,
        schema: &Schema,
        (ns, attr): (u64, &str),
        subject: u64,
        old: &BackupPostingList,
        new: &BackupPostingList,
    ) -> Result<()> {
        if !schema.toks.is_empty() {
            let (ot, nt) = (
                value_tokens(schema, attr, old)?,
                value_tokens(schema, attr, new)?,
            );
            note_diff(&mut self.lists, &ot, &nt, subject, |t| {
                index_key(ns, attr, t)
            });
        }
        if schema.reverse() {
            // An edge whose facets changed is written again, as Dgraph does.
            let (oe, ne) = (uid_edge_facets(old), uid_edge_facets(new));
            let mut note = |o: u64, f: Option<Vec<Facet>>| {
                let key = (ns, attr.to_string(), o);
                self.reverse.entry(key).or_default().insert(subject, f);
            };
            for o in oe.keys().filter(|o| !ne.contains_key(o)) {
                note(*o, None);
            }
            for (o, f) in ne {
                if oe.get(&o) != Some(&f) {
                    note(o, Some(f));
                }
            }
        }
        if schema.su.count {
            let count = |n| count_key(ns, attr, n, false);
            note_count(
                &mut self.lists,
                count,
                old.uids.len(),
                new.uids.len(),
                subject,
            );
        }
        Ok(())
    }

    /// Writes the changed lists at `at.ts`; returns the number of keys written.
    /// `schemas`: the entries of every predicate the commit touched.
    pub fn write(
        mut self,
        store: &PostingStore,
        wtxn: &Txn<'_>,
        at: At,
        schemas: &HashMap<(u64, String), Schema>,
    ) -> Result<u64> {
        let ts = at.ts;
        let mut keys = 0u64;
        for ((ns, attr, object), ch) in self.reverse {
            let key = reverse_key(ns, &attr, object);
            let mut pl = read_list(store, wtxn, &key, ts)?;
            let before = pl.uids.len();
            apply_reverse(&mut pl, ch, ts);
            write_list(store, wtxn, &key, at, &pl)?;
            keys += 1;
            if schemas.get(&(ns, attr.clone())).is_some_and(|s| s.su.count) {
                let count = |n| count_key(ns, &attr, n, true);
                note_count(&mut self.lists, count, before, pl.uids.len(), object);
            }
        }
        for (key, ch) in self.lists {
            keys += u64::from(write_uid_changes(store, wtxn, &key, at, &ch)?);
        }
        Ok(keys)
    }
}

/// Applies the changes of one reverse list: a subject with facets gets a
/// posting beside its uid, as Dgraph keeps it.
fn apply_reverse(pl: &mut BackupPostingList, ch: ReverseChanges, ts: u64) {
    let mut uids: BTreeSet<u64> = pl.uids.iter().copied().collect();
    let mut postings: BTreeMap<u64, _> = pl.postings.drain(..).map(|p| (p.uid, p)).collect();
    for (s, f) in ch {
        postings.remove(&s);
        match f {
            None => {
                uids.remove(&s);
            }
            Some(f) => {
                uids.insert(s);
                if !f.is_empty() {
                    postings.insert(s, reverse_posting(s, f, ts));
                }
            }
        }
    }
    pl.uids = uids.into_iter().collect();
    pl.postings = postings.into_values().collect();
}

/// Which derived lists of a predicate an alter rebuilds.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Rebuild {
    pub index: bool,
    pub reverse: bool,
    pub count: bool,
    pub count_rev: bool,
}

impl Rebuild {
    pub fn any(&self) -> bool {
        self.index || self.reverse || self.count || self.count_rev
    }
}

/// Rebuilds the derived lists `need` names of predicate `attr` from its
/// DATA lists visible at `ts`, written at `ts` (the old ones are already
/// deleted).
pub(super) fn rebuild(
    store: &PostingStore,
    wtxn: &Txn<'_>,
    ts: u64,
    (ns, attr): (u64, &str),
    schema: &Schema,
    need: Rebuild,
) -> Result<()> {
    let mut index: BTreeMap<Vec<u8>, Vec<u64>> = BTreeMap::new();
    let mut rev: BTreeMap<u64, ReverseChanges> = BTreeMap::new();
    let mut counts: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    let p = kind_prefix(ns, attr, KIND_DATA);
    store.scan_from_in(wtxn, &p, &p, ts, &mut |v| {
        let Some(subject) = uid_after(&p, v.key) else {
            return Ok(true);
        };
        let pl = decode_list(v.payload)?;
        if need.index {
            for t in value_tokens(schema, attr, &pl)? {
                index.entry(t).or_default().push(subject);
            }
        }
        if need.reverse || need.count_rev {
            for (o, f) in uid_edge_facets(&pl) {
                rev.entry(o).or_default().insert(subject, Some(f));
            }
        }
        if need.count && !pl.uids.is_empty() {
            counts
                .entry(pl.uids.len() as u32)
                .or_default()
                .push(subject);
        }
        Ok(true)
    })?;
    // Subjects arrive in ascending order, so every list is sorted.
    // A rebuild writes each key once: nothing to prune.
    let at = At { ts, horizon: 0 };
    let put = |key: &[u8], pl: BackupPostingList| write_list(store, wtxn, key, at, &pl);
    for (t, uids) in index {
        put(&index_key(ns, attr, &t), uid_list(uids))?;
    }
    let mut rev_counts: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for (o, subjects) in rev {
        if need.count_rev {
            rev_counts.entry(subjects.len() as u32).or_default().push(o);
        }
        if need.reverse {
            let mut pl = BackupPostingList::default();
            apply_reverse(&mut pl, subjects, ts);
            put(&reverse_key(ns, attr, o), pl)?;
        }
    }
    for (n, uids) in counts {
        put(&count_key(ns, attr, n, false), uid_list(uids))?;
    }
    for (n, uids) in rev_counts {
        put(&count_key(ns, attr, n, true), uid_list(uids))?;
    }
    Ok(())
}
