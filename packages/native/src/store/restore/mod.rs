//! `RestoreWriter`: builds one group's posting store from the backups of a
//! chain (spec §10), into a fresh folder.
//!
//! Per backup of the chain: `apply_drops` (that backup's drop operations),
//! `reset_schema` (the file carries a complete copy), `load_file`; or the
//! whole chain at once, its files merged in key order (`load_chain`,
//! [`chain`]). Then `finish(read_ts)` records the leases in the store's meta.

use super::db::{OpenOptions, PostingStore, StoreMeta};
use super::engine::DataKey;
use super::error::{Result, StoreCode, StoreError};
use super::mvcc::{decode_list_from, push_version, Drop, ValueKind};
use super::value_names::{keep_type_fields, stored_bare_name, to_store_form};
use crate::alloc::release_free_memory;
use crate::codec::reader::{Compression, ReadMode, Reader, ReaderConfig};
use crate::format::keys::{build_key_into, KeyParts, PREFIX_SCHEMA, PREFIX_TYPE};
use crate::format::kv::fast::posting_list_shape;
use crate::format::kv::{
    DecodedKv, USER_META_COMPLETE, USER_META_DELTA, USER_META_EMPTY, USER_META_SCHEMA,
};
use crate::format::names::ValueNameForm;
use crate::format::proto::{KeyType, SchemaUpdate, TypeUpdate};
use prost::Message;
use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

mod batch;
mod chain;
#[cfg(test)]
mod chain_tests;
use batch::Batch;
pub use chain::{ChainBackup, ChainFile};

/// Bytes of (key, value) buffered before a sorted write transaction (two
/// batches are held at once: one written while the next is read).
pub const DEFAULT_BATCH_BYTES: usize = 32 << 20;
const READ_CHUNK: usize = 4 << 20;

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub key: Option<Vec<u8>>,
    pub compression: Compression,
    /// (namespace, predicate) pairs restored for this group: the LAST
    /// manifest's `groups[g]`. TYPE keys are always kept.
    pub predicates: HashSet<(u64, Vec<u8>)>,
    /// Partial restore: every predicate restored (in any group). A TYPE key
    /// is kept only when its type lists one of them (in its namespace), with
    /// its other fields removed. `None`: every type kept whole.
    pub type_fields: Option<HashSet<(u64, Vec<u8>)>>,
    pub threads: Option<usize>,
    /// Default [`DEFAULT_BATCH_BYTES`].
    pub batch_bytes: Option<usize>,
    /// Name of the file, for error messages.
    pub source: Option<String>,
    /// How the backup writes names inside schema/type values (by manifest
    /// version); the store keeps them bare.
    pub value_names: ValueNameForm,
}

impl LoadOptions {
    /// A reader of backup file bytes into KVs, with these options.
    fn reader(&self) -> Result<Reader> {
        Ok(Reader::new(ReaderConfig {
            key: self.key.clone(),
            compression: self.compression,
            mode: ReadMode::Kvs,
            threads: self.threads,
            source: self.source.clone(),
        })?)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// KVs read from the file.
    pub kvs: u64,
    /// KVs kept by the predicate filter and written.
    pub kept: u64,
    /// Largest DATA subject / REVERSE object uid of the kept keys (this file).
    pub max_uid: u64,
    /// Largest namespace of the kept keys (this file).
    pub max_ns_id: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FinishStats {
    pub max_uid: u64,
    pub max_ns_id: u64,
    /// LMDB entries (key versions) in the store.
    pub keys: u64,
}

pub struct RestoreWriter {
    store: Option<PostingStore>,
    group: u32,
    max_uid: u64,
    max_ns_id: u64,
    /// Online restore: every data/index/reverse/count key is stored at this
    /// version (schema/type at 1); `None` keeps the KVs' versions.
    restore_ts: Option<u64>,
    /// Keys written inside the tree so far (`PostingStore::put_raw`).
    inside_puts: u64,
}

/// The predicate filter's last answer: a backup lists its KVs predicate by
/// predicate, so one lookup (and one copy of the name) serves a run of them.
#[derive(Debug, Default)]
struct LastPredicate {
    ns: u64,
    attr: String,
    kept: Option<bool>,
}

impl LastPredicate {
    fn kept(&mut self, opts: &LoadOptions, ns: u64, attr: &str) -> bool {
        match self.kept {
            Some(kept) if self.ns == ns && self.attr == attr => kept,
            _ => {
                let kept = opts.predicates.contains(&(ns, attr.as_bytes().to_vec()));
                self.ns = ns;
                self.attr.clear();
                self.attr.push_str(attr);
                self.kept = Some(kept);
                kept
            }
        }
    }
}

/// A converted KV's stored value: its kind and payload (`encode_value`'s parts).
type Stored<'a> = (ValueKind, Cow<'a, [u8]>);

/// Converts one backup KV for the store: its LMDB key into `key` (cleared
/// first) and its stored value returned, or `None` when the predicate filter
/// drops it. Updates the lease maxima of kept keys.
fn convert<'a>(
    kv: &'a DecodedKv,
    opts: &LoadOptions,
    restore_ts: Option<u64>,
    max_key_len: usize,
    last: &mut LastPredicate,
    stats: &mut LoadStats,
    key: &mut Vec<u8>,
) -> Result<Option<Stored<'a>>> {
    let k = &kv.key;
    if kv.key_type == KeyType::Unknown {
        return Err(StoreError::corrupt(format!(
            "backup key of unknown type {} (attr {:?})",
            k.r#type, k.attr
        )));
    }
    if kv.key_type != KeyType::Type && !last.kept(opts, k.namespace, &k.attr) {
        return Ok(None);
    }
    // A partial restore keeps a type only with the fields it restores.
    let mut type_value = None;
    if let (KeyType::Type, Some(kept), USER_META_SCHEMA) =
        (kv.key_type, &opts.type_fields, kv.user_meta)
    {
        let bare = to_store_form(&kv.value, true, opts.value_names)
            .map_err(|e| StoreError::corrupt(format!("type entry of {:?}: {e}", k.attr)))?;
        let ns = k.namespace;
        match keep_type_fields(&bare, &|f| {
            kept.contains(&(ns, stored_bare_name(f, ns).to_vec()))
        })
        .map_err(|e| StoreError::corrupt(format!("type entry of {:?}: {e}", k.attr)))?
        {
            Some(v) => type_value = Some(v),
            None => return Ok(None),
        }
    }
    key.clear();
    build_key_into(key, &KeyParts::of_backup_key(k), true)?;
    if key.len() > max_key_len {
        return Err(StoreError::invalid(format!(
            "a {} key of predicate {:?} is {} bytes long; the store takes at most {max_key_len}",
            kv.key_type.name(),
            k.attr,
            key.len()
        )));
    }
    if matches!(kv.key_type, KeyType::Data | KeyType::Reverse) {
        stats.max_uid = stats.max_uid.max(k.uid);
    }
    stats.max_ns_id = stats.max_ns_id.max(k.namespace);
    let value = match kv.user_meta {
        USER_META_SCHEMA => {
            let is_type = kv.key_type == KeyType::Type;
            let what = if is_type { "type" } else { "schema" };
            let bare = match type_value {
                Some(v) => v,
                None => to_store_form(&kv.value, is_type, opts.value_names).map_err(|e| {
                    StoreError::corrupt(format!("{what} entry of {:?}: {e}", k.attr))
                })?,
            };
            // Stored only if readable: a hostile value must not make the store's schema unreadable.
            let readable = if is_type {
                TypeUpdate::decode(&bare[..]).is_ok()
            } else {
                SchemaUpdate::decode(&bare[..]).is_ok()
            };
            if !readable {
                return Err(StoreError::corrupt(format!(
                    "{what} entry of {:?} is not a valid {}",
                    k.attr,
                    if is_type {
                        "TypeUpdate"
                    } else {
                        "SchemaUpdate"
                    }
                )));
            }
            (ValueKind::Schema, Cow::Owned(bare))
        }
        USER_META_EMPTY => (ValueKind::Tombstone, Cow::Borrowed(&[][..])),
        USER_META_DELTA | USER_META_COMPLETE => match posting_list_shape(&kv.value) {
            // The common case, a list the store keeps as it came (fields it does not know, which
            // its reads skip, too): checked without decoding it into a copy.
            Some(shape) if shape.uid_bytes.is_empty() => {
                if shape.uids == 0 && shape.postings == 0 && shape.splits == 0 {
                    (ValueKind::Tombstone, Cow::Borrowed(&[][..]))
                } else {
                    (ValueKind::PostingList, Cow::Borrowed(&kv.value[..]))
                }
            }
            _ => stored_list(&kv.value)?,
        },
        m => return Err(StoreError::corrupt(format!("bad user_meta {m:#04x}"))),
    };
    stats.kept += 1;
    // Online restore (spec §10): one version for every data key, so that a
    // later file (an incremental) overrides an earlier one on the tie.
    let version = match (restore_ts, kv.key_type) {
        (None, _) => kv.version,
        (Some(_), KeyType::Schema | KeyType::Type) => 1,
        (Some(ts), _) => ts,
    };
    push_version(key, version);
    Ok(Some(value))
}

/// A posting list in the store's form: `uid_bytes` (Dgraph's newer layout)
/// decoded into `uids`; an empty list is a tombstone.
fn stored_list(value: &[u8]) -> Result<Stored<'static>> {
    let mut pl = decode_list_from(value, "the backup")?;
    pl.uid_bytes.clear();
    Ok(
        if pl.uids.is_empty() && pl.postings.is_empty() && pl.splits.is_empty() {
            (ValueKind::Tombstone, Cow::Borrowed(&[][..]))
        } else {
            (ValueKind::PostingList, Cow::Owned(pl.encode_to_vec()))
        },
    )
}

/// LMDB page size on the machines Strata runs on.
const PAGE_BYTES: u64 = 4096;

/// Whether a restored store whose writes put `inside_puts` keys inside the
/// tree (not after its last key) is worth rewriting: each such put may have
/// split a full page in two half-full ones (at 3M N-Quads, the 39,733 keys
/// of an incremental grew the store by 1.9 KB each). Rewritten when that
/// could waste more than 5% of the file. A chain written in key order
/// (Strata's own full backups) appends every key and is not rewritten; keys
/// that come out of order (Dgraph's files, an incremental's keys between the
/// full's) are.
fn worth_compacting(inside_puts: u64, file_bytes: u64) -> bool {
    inside_puts.saturating_mul(PAGE_BYTES / 2) > file_bytes / 20
}

/// Replaces a finished store's file by a copy written in key order, and
/// closes it. Keys that came out of the store's key order (see
/// [`worth_compacting`]) left pages half full, a store about twice its
/// data. The copy is written in a folder beside the file and its file
/// (`data.mdb`, or a sealed store's `sealed.db`) renamed over the store's; a copy that fails (a full disk) leaves the
/// complete store as it is.
fn compact(store: PostingStore) -> Result<()> {
    let dir = store.dir().to_path_buf();
    let tmp = dir.join("compact.tmp");
    let file = store.file();
    let name = file
        .file_name()
        .expect("a store file has a name")
        .to_owned();
    let _ = std::fs::remove_dir_all(&tmp);
    release_free_memory();
    let copied = store.rewrite_into(&tmp, store.data_key().cloned());
    store.close();
    // A sealed copy's log is folded into its file when it closes; one left
    // behind (an error while closing) would not follow the file: keep the store.
    let mut log = tmp.join(&name).into_os_string();
    log.push("-wal");
    let log_left = std::fs::metadata(&log).is_ok_and(|m| m.len() > 0);
    if copied.is_err() || log_left {
        let _ = std::fs::remove_dir_all(&tmp);
        return Ok(());
    }
    std::fs::rename(tmp.join(name), &file)
        .map_err(|e| StoreError::io(format!("cannot replace {}: {e}", file.display())))?;
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(format!("cannot sync {}: {e}", dir.display())))?;
    Ok(())
}

/// Decodes backup file bytes and hands the converted KVs to `send` in
/// batches of about `batch_bytes`.
fn read_batches(
    mut input: impl Read,
    opts: &LoadOptions,
    restore_ts: Option<u64>,
    max_key_len: usize,
    send: &mut dyn FnMut(&mut Batch) -> Result<()>,
) -> Result<LoadStats> {
    let batch_limit = opts.batch_bytes.unwrap_or(DEFAULT_BATCH_BYTES).max(1);
    let mut reader = opts.reader()?;
    let mut stats = LoadStats::default();
    let mut last = LastPredicate::default();
    let mut key = Vec::new();
    let mut batch = Batch::with_capacity(batch_limit);
    let mut buf = vec![0u8; READ_CHUNK];
    let mut eof = false;
    while !eof {
        let n = input.read(&mut buf).map_err(|e| {
            StoreError::io(format!(
                "cannot read {}: {e}",
                opts.source.as_deref().unwrap_or("backup file")
            ))
        })?;
        let mut out = if n == 0 {
            eof = true;
            reader.finish()?
        } else {
            reader.push(&buf[..n])?
        };
        // Each call's output is bounded: while the reader says `more`, take the rest of what
        // it holds in pieces (empty pushes) before reading further, so that memory follows
        // the batch size and never what a file's lengths claim.
        loop {
            for kv in out.kvs.take().unwrap_or_default() {
                stats.kvs += 1;
                let converted = convert(
                    &kv,
                    opts,
                    restore_ts,
                    max_key_len,
                    &mut last,
                    &mut stats,
                    &mut key,
                )?;
                if let Some((kind, payload)) = converted {
                    if !batch.has_room(key.len() + 1 + payload.len()) {
                        send(&mut batch)?;
                    }
                    batch.push(&key, kind.user_meta(), &payload);
                }
            }
            if !out.more || eof {
                break;
            }
            out = reader.push(&[])?;
        }
    }
    if !batch.is_empty() {
        send(&mut batch)?;
    }
    Ok(stats)
}

impl RestoreWriter {
    /// Creates the store of `group` in `dir`, which must not exist or be empty.
    pub fn create(dir: &Path, group: u32) -> Result<Self> {
        Self::create_sealed(dir, group, None)
    }

    /// [`Self::create`] of a store encrypted at rest with `data_key` (`None`: plain).
    pub fn create_sealed(dir: &Path, group: u32, data_key: Option<DataKey>) -> Result<Self> {
        let opts = OpenOptions::for_group(group, true).sealed(data_key);
        let store = PostingStore::open(dir, &opts)?;
        Ok(RestoreWriter {
            store: Some(store),
            group,
            max_uid: 0,
            max_ns_id: 0,
            restore_ts: None,
            inside_puts: 0,
        })
    }

    /// Online restore: stores every data/index/reverse/count key of the
    /// files loaded afterwards at version `ts` and schema/type keys at 1
    /// (spec §10). Equal versions: the later write wins, so load the full
    /// backup first and the incrementals in order. `None`: keep versions.
    pub fn set_restore_ts(&mut self, ts: Option<u64>) -> Result<()> {
        if ts == Some(0) || ts == Some(u64::MAX) {
            return Err(StoreError::invalid("restoreTs must be in 1..2^64-1"));
        }
        self.restore_ts = ts;
        Ok(())
    }

    /// Writes raw store entries (tests).
    #[cfg(test)]
    pub(crate) fn put_raw_for_tests(&mut self, entries: &[(Vec<u8>, Vec<u8>)]) {
        self.inside_puts += self.store().unwrap().put_raw(entries).unwrap();
    }

    fn store(&self) -> Result<&PostingStore> {
        self.store
            .as_ref()
            .ok_or_else(|| StoreError::invalid("the restore writer is finished"))
    }

    /// Applies drop operations in order; returns the number of entries removed.
    pub fn apply_drops(&mut self, drops: &[Drop]) -> Result<u64> {
        let store = self.store()?;
        let mut n = 0;
        for d in drops {
            n += store.delete_prefixes(&d.prefixes())?;
        }
        Ok(n)
    }

    /// Deletes every SCHEMA and TYPE key (all versions).
    pub fn reset_schema(&mut self) -> Result<u64> {
        self.store()?
            .delete_prefixes(&[vec![PREFIX_SCHEMA], vec![PREFIX_TYPE]])
    }

    /// Streams one backup file into the store.
    pub fn load_file(&mut self, path: &Path, opts: &LoadOptions) -> Result<LoadStats> {
        let mut opts = opts.clone();
        if opts.source.is_none() {
            opts.source = Some(path.display().to_string());
        }
        let f = std::fs::File::open(path).map_err(|e| {
            StoreError::io(format!("cannot open backup file {}: {e}", path.display()))
        })?;
        self.load_stream(f, &opts)
    }

    /// Streams backup file bytes into the store: decoded KVs are converted
    /// and buffered up to `batch_bytes`, each full batch written by a second
    /// thread while the next one is read ([`Self::write_batches`]).
    pub fn load_stream(&mut self, input: impl Read, opts: &LoadOptions) -> Result<LoadStats> {
        let restore_ts = self.restore_ts;
        let stats = self.write_batches(|max_key_len, send| {
            read_batches(input, opts, restore_ts, max_key_len, send)
        })?;
        self.max_uid = self.max_uid.max(stats.max_uid);
        self.max_ns_id = self.max_ns_id.max(stats.max_ns_id);
        Ok(stats)
    }

    /// Loads a whole chain at once, its files merged in key order
    /// ([`chain`]): for chains whose files are in the store's key order
    /// (Strata's own backups), which then need no copy at `finish`. Takes
    /// the place of the `apply_drops`, `reset_schema` and `load_file` calls
    /// of each backup. Returns the stats of each file, in the chain's order.
    /// A file out of order fails with `StoreCode::OutOfOrder` and leaves
    /// the store empty again: the chain can then be loaded file by file.
    pub fn load_chain(&mut self, backups: &[ChainBackup]) -> Result<Vec<LoadStats>> {
        let restore_ts = self.restore_ts;
        let batch_bytes = backups
            .iter()
            .flat_map(|b| b.files.iter().filter_map(|f| f.opts.batch_bytes))
            .min();
        let merged = self.write_batches(|max_key_len, send| {
            chain::merge_batches(backups, restore_ts, max_key_len, batch_bytes, send)
        });
        let stats = match merged {
            Err(e) if e.store_code() == Some(StoreCode::OutOfOrder) => {
                self.store()?.delete_prefixes(&[vec![]])?;
                self.inside_puts = 0;
                return Err(e);
            }
            other => other?,
        };
        for s in &stats {
            self.max_uid = self.max_uid.max(s.max_uid);
            self.max_ns_id = self.max_ns_id.max(s.max_ns_id);
        }
        Ok(stats)
    }

    /// Runs `produce` on this thread, which hands its batches to `send`; a
    /// second thread sorts each batch and writes it (`PostingStore::put_raw`;
    /// equal key and version: the later KV wins) while the next one is
    /// produced. At most three batches exist: the one written, a full one
    /// waiting for it, and the one filled; the writer hands each written
    /// batch back for `produce` to fill again, so a restore allocates its
    /// batches once, not once per batch.
    fn write_batches<T>(
        &mut self,
        produce: impl FnOnce(usize, &mut dyn FnMut(&mut Batch) -> Result<()>) -> Result<T>,
    ) -> Result<T> {
        let store = self.store()?;
        let (out, inside) = std::thread::scope(|scope| {
            // Rendezvous: a full batch waits until the writer has finished the one before.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(0);
            let (back_tx, back_rx) = std::sync::mpsc::sync_channel::<Batch>(2);
            let writer = std::thread::Builder::new()
                .name("strata-restore-write".into())
                .spawn_scoped(scope, move || -> Result<u64> {
                    let mut inside = 0;
                    for mut batch in rx {
                        // Stable: of equal keys the later write stays last and wins. A merged
                        // chain's batch is in order already, which the sort checks in one pass.
                        batch.sort();
                        inside += store.put_raw_iter(batch.iter())?;
                        batch.clear();
                        // The producer has two spare already, or is gone: dropped.
                        let _ = back_tx.try_send(batch);
                        release_free_memory();
                    }
                    Ok(inside)
                })
                .map_err(|e| StoreError::io(format!("cannot start the restore writer: {e}")))?;
            let produced = produce(store.max_key_len(), &mut |b: &mut Batch| {
                let next = back_rx.try_recv().unwrap_or_else(|_| b.empty_like());
                tx.send(std::mem::replace(b, next))
                    .map_err(|_| StoreError::io("the restore writer stopped"))
            });
            drop(tx);
            let written = writer
                .join()
                .map_err(|_| StoreError::io("the restore writer thread panicked"))?;
            // The writer's own error explains a send that failed.
            let inside = written?;
            produced.map(|out| (out, inside))
        })?;
        self.inside_puts += inside;
        Ok(out)
    }

    /// Records the leases and marks the store complete, rewrites it in key
    /// order when its writes left pages half full ([`worth_compacting`]),
    /// then closes it.
    pub fn finish(&mut self, read_ts: u64) -> Result<FinishStats> {
        let store = self.store()?;
        let keys = store.entries()?;
        store.set_meta(&StoreMeta {
            format_version: super::db::FORMAT_VERSION,
            group: self.group,
            read_ts,
            max_uid: self.max_uid,
            max_ns_id: self.max_ns_id,
            complete: true,
        })?;
        store.sync()?;
        let file_bytes = std::fs::metadata(store.file())
            .map(|m| m.len())
            .unwrap_or(0);
        let store = self.store.take().expect("checked by store()");
        if worth_compacting(self.inside_puts, file_bytes) {
            compact(store)?;
        } else {
            store.close();
        }
        Ok(FinishStats {
            max_uid: self.max_uid,
            max_ns_id: self.max_ns_id,
            keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::proto::{encode_uid_bytes, BackupPostingList, Posting};
    use crate::store::mvcc::encode_value;

    /// The value `convert` stores for a posting list, through the check-only
    /// path or the decoding one.
    fn stored(value: Vec<u8>) -> Vec<u8> {
        let kv = DecodedKv {
            key: crate::format::proto::BackupKey {
                r#type: KeyType::Data as i32,
                attr: "p".into(),
                uid: 1,
                ..Default::default()
            },
            key_type: KeyType::Data,
            raw_key: vec![],
            value,
            user_meta: USER_META_COMPLETE,
            version: 3,
            uids: None,
            postings: None,
        };
        let opts = LoadOptions {
            predicates: [(0, b"p".to_vec())].into(),
            ..Default::default()
        };
        let mut stats = LoadStats::default();
        let (kind, payload) = convert(
            &kv,
            &opts,
            None,
            1000,
            &mut LastPredicate::default(),
            &mut stats,
            &mut Vec::new(),
        )
        .unwrap()
        .unwrap();
        encode_value(kind, &payload)
    }

    /// [`stored`] through the decoding path.
    fn stored_decoded(value: &[u8]) -> Vec<u8> {
        let (kind, payload) = stored_list(value).unwrap();
        encode_value(kind, &payload)
    }

    #[test]
    fn lists_kept_as_they_came_read_as_decoded_ones() {
        let facet = crate::format::proto::Facet {
            key: "w".into(),
            value: 2i64.to_le_bytes().to_vec(),
            val_type: 1,
            ..Default::default()
        };
        let lists = [
            BackupPostingList {
                uids: vec![2, 3, 1 << 40],
                ..Default::default()
            },
            BackupPostingList {
                uids: vec![7],
                postings: vec![Posting {
                    uid: 7,
                    facets: vec![facet],
                    ..Default::default()
                }],
                commit_ts: 9,
                ..Default::default()
            },
            BackupPostingList {
                splits: vec![1, 500],
                ..Default::default()
            },
            BackupPostingList::default(),
        ];
        for pl in lists {
            let bytes = pl.encode_to_vec();
            assert!(posting_list_shape(&bytes).is_some_and(|s| s.uid_bytes.is_empty()));
            assert_eq!(stored(bytes.clone()), stored_decoded(&bytes), "{pl:?}");
        }
        // Dgraph's packed uids take the decoding path: stored as plain uids.
        let packed = BackupPostingList {
            uid_bytes: encode_uid_bytes(&[4, 5]),
            ..Default::default()
        };
        let v = stored(packed.encode_to_vec());
        let back = BackupPostingList::decode(&v[1..]).unwrap();
        assert_eq!((back.uids, back.uid_bytes.len()), (vec![4, 5], 0));
        // A field the store does not know stays; reads skip it.
        let v = stored(list_with_unknown_field());
        assert_eq!(BackupPostingList::decode(&v[1..]).unwrap().uids, vec![8]);
    }

    /// The filter's cache answers for the namespace and name asked, not the last ones.
    #[test]
    fn last_predicate_tells_namespaces_and_names_apart() {
        let opts = LoadOptions {
            predicates: [(0, b"p".to_vec()), (2, b"q".to_vec())].into(),
            ..Default::default()
        };
        let mut last = LastPredicate::default();
        let asked = [(0, "p"), (0, "p"), (2, "p"), (2, "q"), (0, "q"), (0, "p")];
        let got: Vec<bool> = asked
            .iter()
            .map(|(ns, a)| last.kept(&opts, *ns, a))
            .collect();
        assert_eq!(got, [true, true, false, true, false, true]);
    }

    /// `uids: [8]` and field 15 (unknown), a varint.
    fn list_with_unknown_field() -> Vec<u8> {
        let mut b = BackupPostingList {
            uids: vec![8],
            ..Default::default()
        }
        .encode_to_vec();
        b.extend_from_slice(&[15 << 3, 1]);
        b
    }
}
