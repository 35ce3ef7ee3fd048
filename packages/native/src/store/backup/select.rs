//! What goes into a backup, in file order: the DATA / INDEX / REVERSE /
//! COUNT / COUNT_REV keys of the listed predicates (full: every visible
//! key; incremental: the keys changed since the previous backup), then
//! their schema entries, then every type; all in the store's key order.

use super::drops::drop_operations;
use super::layout::{backup_key, backup_list, schema_value, type_value};
use super::records::Emitter;
use super::versions::visit_newest;
use super::{check_options, BackupOptions, BackupSummary};
use crate::codec::writer::Writer;
use crate::format::keys::{parse_key, PREFIX_DEFAULT, PREFIX_SCHEMA, PREFIX_TYPE};
use crate::format::kv::{USER_META_COMPLETE, USER_META_SCHEMA};
use crate::format::proto::KeyType;
use crate::store::db::PostingStore;
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{predicate_prefix, ValueKind};
use std::collections::BTreeSet;

/// One backup being selected: the snapshot, the options and the listed
/// predicates.
struct Selection<'a, 't> {
    store: &'a PostingStore,
    txn: &'a Txn<'t>,
    opts: &'a BackupOptions,
    /// (namespace, name length, bare name) of the listed predicates, in the
    /// store's key order (`prefix | ns | len | name`): the file's keys then
    /// come in the order a restore writes them, each after the last, and it
    /// fills its pages instead of splitting them.
    preds: BTreeSet<(u64, usize, &'a str)>,
}

/// Writes the backup of `store` at `opts.read_ts`, handing the file bytes
/// to `sink` in chunks. An error from `sink` stops the backup.
pub fn write_backup(
    store: &PostingStore,
    opts: &BackupOptions,
    sink: &mut dyn FnMut(Vec<u8>) -> Result<()>,
) -> Result<BackupSummary> {
    check_options(opts)?;
    let mut emitter = Emitter::new(Writer::new(opts.writer.clone())?, opts.chunk_size(), sink);
    let txn = store.read_txn()?;
    let sel = Selection {
        store,
        txn: &txn,
        opts,
        preds: opts
            .predicates
            .iter()
            .map(|(ns, n)| (*ns, n.len(), n.as_str()))
            .collect(),
    };
    let mut summary = BackupSummary {
        drop_operations: drop_operations(store, &txn, opts)?,
        ..Default::default()
    };
    // v21.03 on write the schema and the types in records of their own.
    let separate = opts.layout.separate_schema_records();
    sel.push_data(&mut emitter, &mut summary)?;
    if separate {
        emitter.flush_record()?;
    }
    sel.push_schema(&mut emitter)?;
    if separate {
        emitter.flush_record()?;
    }
    sel.push_types(&mut emitter)?;
    drop(sel);
    drop(txn);
    summary.bytes_out = emitter.finish()?;
    summary.kvs = emitter.kvs;
    Ok(summary)
}

impl Selection<'_, '_> {
    /// The data, index, reverse and count keys of the listed predicates;
    /// sets the data counts and the predicates with keys of `summary`.
    fn push_data(&self, emitter: &mut Emitter<'_>, summary: &mut BackupSummary) -> Result<()> {
        let (opts, layout) = (self.opts, self.opts.layout);
        for &(ns, _, name) in &self.preds {
            let prefix = predicate_prefix(PREFIX_DEFAULT, ns, name.as_bytes());
            let mut any = false;
            visit_newest(
                self.store,
                self.txn,
                &prefix,
                opts.read_ts,
                &mut |key, ts, kind, payload| {
                    let keep = if opts.since == 0 {
                        kind != ValueKind::Tombstone
                    } else {
                        ts > opts.since
                    };
                    if !keep {
                        return Ok(());
                    }
                    let pk = parse_key(key, true)?;
                    let kt = pk.key_type.unwrap_or(KeyType::Unknown);
                    if pk.start_uid != 0
                        || matches!(kt, KeyType::Schema | KeyType::Type | KeyType::Unknown)
                    {
                        return Ok(());
                    }
                    let mut bk = backup_key(kt, &pk.attr, pk.namespace, layout)?;
                    bk.uid = pk.uid;
                    bk.term = pk.term;
                    bk.count = pk.count;
                    let value = backup_list(kind, payload, layout)?;
                    emitter.push(&bk, value, USER_META_COMPLETE, ts)?;
                    summary.data_keys += 1;
                    summary.max_version = summary.max_version.max(ts);
                    any = true;
                    Ok(())
                },
            )?;
            if any {
                summary.predicates.push(name.to_string());
            }
        }
        // Sorted by (namespace, name): a name in two namespaces comes twice.
        summary.predicates.sort_unstable();
        summary.predicates.dedup();
        Ok(())
    }

    /// The schema entries of the listed predicates (version 1).
    fn push_schema(&self, emitter: &mut Emitter<'_>) -> Result<()> {
        let layout = self.opts.layout;
        for &(ns, _, name) in &self.preds {
            let key = predicate_prefix(PREFIX_SCHEMA, ns, name.as_bytes());
            if let Some((kind, _, payload)) =
                self.store.get_in(self.txn, &key, self.opts.read_ts)?
            {
                if kind != ValueKind::Schema {
                    return Err(StoreError::corrupt(format!("bad schema key of {name}")));
                }
                let bk = backup_key(KeyType::Schema, name.as_bytes(), ns, layout)?;
                emitter.push(
                    &bk,
                    schema_value(&payload, ns, layout)?,
                    USER_META_SCHEMA,
                    1,
                )?;
            }
        }
        Ok(())
    }

    /// Every type of the store (version 1).
    fn push_types(&self, emitter: &mut Emitter<'_>) -> Result<()> {
        let layout = self.opts.layout;
        let read_ts = self.opts.read_ts;
        visit_newest(
            self.store,
            self.txn,
            &[PREFIX_TYPE],
            read_ts,
            &mut |key, _, kind, payload| {
                match kind {
                    ValueKind::Tombstone => return Ok(()),
                    ValueKind::PostingList | ValueKind::Delta | ValueKind::Pruned => {
                        return Err(StoreError::corrupt("posting list under a type key"))
                    }
                    ValueKind::Schema => {}
                }
                let pk = parse_key(key, true)?;
                let bk = backup_key(KeyType::Type, &pk.attr, pk.namespace, layout)?;
                let value = type_value(payload, pk.namespace, layout)?;
                emitter.push(&bk, value, USER_META_SCHEMA, 1)
            },
        )
    }
}
