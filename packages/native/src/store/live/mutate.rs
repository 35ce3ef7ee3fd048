//! Mutations: the edges of one commit applied to the DATA lists of their
//! (predicate, subject) pairs, with new predicates' schema entries and the
//! derived keys, in one transaction.

use super::derived::Derived;
use super::edge::ListEdit;
use super::keys::{data_key, schema_key};
use super::lists::{read_list, write_list, At};
use super::schema::{put_entry, to_update, val_type_of, Schema};
use super::types::{Edge, EdgeOp, SchemaPredicate};
use super::LiveStore;
use crate::format::proto::{SchemaUpdate, ValType};
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use std::collections::{BTreeMap, HashMap};

/// Checks the shape of every edge before anything is written.
pub(super) fn check_edges(edges: &[Edge]) -> Result<()> {
    for (i, e) in edges.iter().enumerate() {
        let bad = |m: &str| Err(StoreError::invalid(format!("edges[{i}]: {m}")));
        if e.predicate.is_empty() {
            return bad("predicate must not be empty");
        }
        if e.subject == 0 {
            return bad("subject must not be 0");
        }
        if e.object_uid == Some(0) {
            return bad("objectUid must not be 0");
        }
        if e.star {
            if e.op == EdgeOp::Set {
                return bad("star is only allowed with op 'del'");
            }
        } else if e.object_uid.is_some() == e.value.is_some() {
            return bad("give exactly one of objectUid and value (or star for a delete)");
        }
        if e.value.is_some() && e.val_type.is_none() {
            return bad("a value needs its valType");
        }
    }
    Ok(())
}

/// The schema entry Dgraph creates for a predicate first seen in a
/// mutation: `[uid]` for uid edges, else the value's type (`@lang` when a
/// string value is language-tagged). `None` when the edges are only star
/// deletes.
fn auto_schema(ns: u64, attr: &str, es: &[&Edge]) -> Option<SchemaUpdate> {
    let first = es.iter().find(|e| !e.star)?;
    let mut sp = if first.object_uid.is_some() {
        let mut sp = SchemaPredicate::new(attr, ValType::Uid);
        sp.list = true;
        sp
    } else {
        SchemaPredicate::new(attr, val_type_of(first.val_type.unwrap_or(0)))
    };
    sp.namespace = ns;
    sp.lang = sp.value_type == ValType::String && es.iter().any(|e| !e.lang.is_empty());
    Some(to_update(&sp, &[]))
}

impl LiveStore {
    /// Applies edges at `commit_ts` in one fsynced transaction; returns the
    /// number of keys written (data and derived).
    pub fn apply_mutations(&self, commit_ts: u64, edges: &[Edge]) -> Result<u64> {
        check_edges(edges)?;
        let _g = self.lock();
        self.apply_group_locked(&[(commit_ts, edges)])
            .map(|keys| keys[0])
    }

    /// Applies several commits, in their order (commit ts never going down),
    /// in one fsynced transaction: one fsync, and one write of each page they
    /// share, instead of one per commit (group commit). A commit that fails
    /// fails alone: the others are then applied one by one. Returns each
    /// commit's result, in order.
    pub fn apply_mutations_group(&self, commits: &[(u64, &[Edge])]) -> Vec<Result<u64>> {
        let checked: Vec<Result<()>> = commits.iter().map(|(_, e)| check_edges(e)).collect();
        let _g = self.lock();
        if commits.len() > 1 && checked.iter().all(|c| c.is_ok()) {
            if let Ok(keys) = self.apply_group_locked(commits) {
                return keys.into_iter().map(Ok).collect();
            }
        }
        commits
            .iter()
            .zip(checked)
            .map(|(c, ok)| ok.and_then(|()| self.apply_group_locked(&[*c]).map(|k| k[0])))
            .collect()
    }

    /// The commits of [`Self::apply_mutations_group`] in one transaction,
    /// all or none (the writer lock held, edges checked).
    fn apply_group_locked(&self, commits: &[(u64, &[Edge])]) -> Result<Vec<u64>> {
        let wtxn = self.store.write_txn()?;
        let mut keys = Vec::with_capacity(commits.len());
        let mut last = 0u64;
        for &(commit_ts, edges) in commits {
            self.check_ts(commit_ts)?;
            if commit_ts < last {
                return Err(StoreError::invalid(format!(
                    "commitTs {commit_ts} comes after commitTs {last} in one group: commits must be applied in order"
                )));
            }
            last = commit_ts;
            let at = At {
                ts: commit_ts,
                horizon: self.horizon.for_commit(commit_ts),
            };
            keys.push(self.apply_in(&wtxn, at, edges)?);
        }
        wtxn.commit()?;
        Ok(keys)
    }

    /// Applies edges at `at.ts` in `wtxn` (over the lists as they are at that
    /// ts), without committing: [`Self::apply_mutations`], and the reads of a
    /// transaction's own writes (`pending.rs`), which abort it.
    pub(super) fn apply_in(&self, wtxn: &Txn<'_>, at: At, edges: &[Edge]) -> Result<u64> {
        let commit_ts = at.ts;
        let store = &self.store;

        let mut groups: BTreeMap<(u64, &str, u64), Vec<&Edge>> = BTreeMap::new();
        for e in edges {
            groups
                .entry((e.namespace, e.predicate.as_str(), e.subject))
                .or_default()
                .push(e);
        }
        let mut schemas: HashMap<(u64, String), Schema> = HashMap::new();
        let mut derived = Derived::default();
        let mut keys = 0u64;
        let mut max_uid = 0u64;

        for ((ns, attr, subject), es) in groups {
            max_uid = max_uid.max(subject);
            let skey = (ns, attr.to_string());
            if !schemas.contains_key(&skey) {
                let schema = match self.load_schema(wtxn, ns, attr, commit_ts)? {
                    Some(s) => s,
                    None => {
                        let Some(su) = auto_schema(ns, attr, &es) else {
                            continue; // only star deletes of an unknown predicate
                        };
                        put_entry(store, wtxn, &schema_key(ns, attr), commit_ts, &su)?;
                        keys += 1;
                        Schema::new(su)
                    }
                };
                schemas.insert(skey.clone(), schema);
            }
            let schema = &schemas[&skey];
            schema.check_writable(attr)?;
            let dkey = data_key(ns, attr, subject);
            let old = read_list(store, wtxn, &dkey, commit_ts)?;
            let mut edit = ListEdit::new(&old);
            for e in es {
                edit.apply(schema, attr, commit_ts, e)?;
                if let Some(o) = e.object_uid {
                    max_uid = max_uid.max(o);
                }
            }
            let new = edit.into_list();
            if new.uids == old.uids && new.postings == old.postings {
                continue;
            }
            write_list(store, wtxn, &dkey, at, &new)?;
            keys += 1;
            derived.data_changed(schema, (ns, attr), subject, &old, &new)?;
        }
        keys += derived.write(store, wtxn, at, &schemas)?;
        self.bump_meta(wtxn, commit_ts, max_uid)?;
        Ok(keys)
    }
}
