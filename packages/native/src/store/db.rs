//! `PostingStore`: one LMDB environment per folder (`p/` or `p<N>`), with two
//! databases: `postings` (MVCC keys, see [`super::mvcc`]) and `meta`.

use super::delta::{apply_changes, Chain, UidDelta};
use super::engine::{holds_store, DataKey, Db, EnvOptions, Environment, Txn};
use super::error::{Result, StoreCode, StoreError};
use super::mvcc::{
    decode_list, decode_value, pruned_error, split_version_key, version_key, ValueKind, TS_LEN,
    USER_META_PRUNED, USER_META_UID_DELTA,
};
use prost::Message;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Version of the on-disk layout written by this build. A store written by
/// a newer version is refused.
///
/// 2: uid deltas (`delta.rs`), which format 1 builds cannot read.
pub const FORMAT_VERSION: u64 = 2;

const DEFAULT_MAP_SIZE: usize = 1 << 40; // 1 TiB of address space; the file grows as needed
/// `put_raw` commits after this many puts that do not append (bounding the
/// dirty pages of a transaction to about this many).
const MAX_INSIDE_PUTS_PER_TXN: usize = 16_384;
/// A compacting copy commits after this many entries or bytes of them.
const REWRITE_TXN_ENTRIES: usize = 20_000;
const REWRITE_TXN_BYTES: usize = 8 << 20;
const META_FORMAT: &str = "format_version";
const META_GROUP: &str = "group";
const META_READ_TS: &str = "read_ts";
const META_MAX_UID: &str = "max_uid";
const META_MAX_NS_ID: &str = "max_ns_id";
const META_COMPLETE: &str = "complete";

/// The `meta` database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreMeta {
    pub format_version: u64,
    pub group: u32,
    /// Highest commit ts the store holds (after a restore: the read ts of
    /// the last backup loaded).
    pub read_ts: u64,
    pub max_uid: u64,
    pub max_ns_id: u64,
    /// False while a restore is writing the store.
    pub complete: bool,
}

#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Create a new store; the folder must not exist or be empty.
    pub create: bool,
    /// The group the store must belong to (checked on open, recorded on create).
    pub group: Option<u32>,
    pub map_size: Option<usize>,
    /// The data key of a store encrypted at rest (`None`: a plain store).
    pub data_key: Option<DataKey>,
}

impl OpenOptions {
    /// The store of `group`, created (`create`) or opened.
    pub fn for_group(group: u32, create: bool) -> Self {
        OpenOptions {
            create,
            group: Some(group),
            map_size: None,
            data_key: None,
        }
    }

    /// The same options for a store encrypted at rest with `data_key`
    /// (`None`: plain).
    pub fn sealed(self, data_key: Option<DataKey>) -> Self {
        OpenOptions { data_key, ..self }
    }
}

/// One visible version of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visible<'a> {
    pub key: &'a [u8],
    pub commit_ts: u64,
    pub kind: ValueKind,
    pub payload: &'a [u8],
}

/// A callback over the versions of one key: `(ts, kind, payload)`; false stops.
type VersionFn<'f> = dyn FnMut(u64, ValueKind, &[u8]) -> Result<bool> + 'f;

pub struct PostingStore {
    env: Environment,
    postings: Db,
    meta: Db,
    dir: PathBuf,
    /// The data key of a store encrypted at rest.
    data_key: Option<DataKey>,
}

/// The envelope of a store's data key, written beside `data.mdb` before the
/// store is created (by `@strata/core`, which holds the master key); the only
/// file a new store's folder may already hold.
pub const ENVELOPE_FILE: &str = "keys.json";

fn dir_is_empty(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut it) => Ok(it.all(|e| e.is_ok_and(|e| e.file_name() == ENVELOPE_FILE))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(StoreError::io(format!(
            "cannot read {}: {e}",
            dir.display()
        ))),
    }
}

impl PostingStore {
    pub fn open(dir: &Path, opts: &OpenOptions) -> Result<Self> {
        let shown = dir.display();
        if opts.create {
            if !dir_is_empty(dir)? {
                return Err(StoreError::new(
                    StoreCode::NotEmpty,
                    format!("{shown} exists and is not empty: restore into a new or empty folder"),
                ));
            }
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::io(format!("cannot create {shown}: {e}")))?;
        } else if !holds_store(dir) {
            return Err(StoreError::new(
                StoreCode::NotFound,
                format!("{shown} holds no Strata posting store (no data.mdb or sealed.db)"),
            ));
        }
        let eo = EnvOptions {
            map_size: opts.map_size.unwrap_or(DEFAULT_MAP_SIZE),
            max_dbs: 4,
            data_key: opts.data_key.as_ref(),
        };
        // SAFETY: the store folder is owned by this process while open (file
        // locks guard against other processes; the engine refuses to open one
        // path twice in a process).
        let env = unsafe { Environment::open(dir, &eo) }?;
        let dbs = env.databases(["postings", "meta"], opts.create)?;
        let Some([postings, meta]) = dbs else {
            return Err(StoreError::new(
                StoreCode::NotFound,
                format!("{shown} holds a store file but not a Strata posting store"),
            ));
        };
        let store = PostingStore {
            env,
            postings,
            meta,
            dir: dir.to_path_buf(),
            data_key: opts.data_key.clone(),
        };
        if opts.create {
            let m = StoreMeta {
                format_version: FORMAT_VERSION,
                group: opts.group.unwrap_or(1),
                ..Default::default()
            };
            store.set_meta(&m)?;
        } else {
            let m = store.meta()?;
            if m.format_version > FORMAT_VERSION {
                return Err(StoreError::new(
                    StoreCode::Incompatible,
                    format!(
                        "{shown} was written by a newer Strata (store format {}, this build reads up to {FORMAT_VERSION}): upgrade Strata",
                        m.format_version
                    ),
                ));
            }
            if let Some(g) = opts.group {
                if g != m.group {
                    return Err(StoreError::new(
                        StoreCode::Incompatible,
                        format!("{shown} holds group {}, not group {g}", m.group),
                    ));
                }
            }
        }
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// LMDB's key size limit minus the version suffix.
    pub fn max_key_len(&self) -> usize {
        self.env.max_key_size() - TS_LEN
    }

    pub(crate) fn put_meta(&self, wtxn: &Txn<'_>, m: &StoreMeta) -> Result<()> {
        let put = |k: &str, v: u64| self.meta.put(wtxn, k.as_bytes(), &v.to_be_bytes());
        put(META_FORMAT, m.format_version)?;
        put(META_GROUP, m.group as u64)?;
        put(META_READ_TS, m.read_ts)?;
        put(META_MAX_UID, m.max_uid)?;
        put(META_MAX_NS_ID, m.max_ns_id)?;
        put(META_COMPLETE, m.complete as u64)?;
        Ok(())
    }

    /// Writes the meta database (one fsynced commit).
    pub fn set_meta(&self, m: &StoreMeta) -> Result<()> {
        let wtxn = self.env.write_txn()?;
        self.put_meta(&wtxn, m)?;
        wtxn.commit()
    }

    pub fn meta(&self) -> Result<StoreMeta> {
        let rtxn = self.env.read_txn()?;
        let get = |k: &str| -> Result<u64> {
            match self.meta.get(&rtxn, k.as_bytes())? {
                None => Ok(0),
                Some(b) => match <[u8; 8]>::try_from(b.as_slice()) {
                    Ok(b) => Ok(u64::from_be_bytes(b)),
                    Err(_) => Err(StoreError::corrupt(format!("bad meta value for {k}"))),
                },
            }
        };
        Ok(StoreMeta {
            format_version: get(META_FORMAT)?,
            group: get(META_GROUP)? as u32,
            read_ts: get(META_READ_TS)?,
            max_uid: get(META_MAX_UID)?,
            max_ns_id: get(META_MAX_NS_ID)?,
            complete: get(META_COMPLETE)? != 0,
        })
    }

    /// The data key of a store encrypted at rest (`None`: plain).
    pub fn data_key(&self) -> Option<&DataKey> {
        self.data_key.as_ref()
    }

    /// Writes already encoded (LMDB key, value) pairs: one transaction, or
    /// several when many go inside the tree (a restore's store is not read
    /// before it is finished). Sorted input is fastest; equal keys: the later
    /// one wins. A key past the last one in the database is appended
    /// (`MDB_APPEND`): LMDB then fills its pages instead of splitting them in
    /// half, which halves a restored store (its keys come in order). Returns
    /// how many keys went inside the tree (each may have split a page).
    pub fn put_raw(&self, entries: &[(Vec<u8>, Vec<u8>)]) -> Result<u64> {
        self.put_raw_iter(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
    }

    /// [`Self::put_raw`] of borrowed pairs (a restore's batch buffer).
    pub fn put_raw_iter<'a>(
        &self,
        entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) -> Result<u64> {
        let mut wtxn = self.env.write_txn()?;
        let stored_last: Option<Vec<u8>> = self.postings.last_key(&wtxn)?;
        // The last key appended from `entries`, else the database's.
        let mut last: Option<&[u8]> = stored_last.as_deref();
        let mut inside = 0usize;
        let mut inside_total = 0u64;
        for (k, v) in entries {
            if last.is_none_or(|l| k > l) {
                self.postings.append(&wtxn, k, v)?;
                last = Some(k);
            } else {
                self.postings.put(&wtxn, k, v)?;
                inside += 1;
                inside_total += 1;
                // Each put inside the tree may dirty a page of its own, which LMDB holds in
                // memory until the commit and keeps for reuse after: an incremental's keys,
                // spread over a 30M-N-Quad store, took 300 MiB in one transaction.
                if inside >= MAX_INSIDE_PUTS_PER_TXN {
                    wtxn.commit()?;
                    wtxn = self.env.write_txn()?;
                    inside = 0;
                }
            }
        }
        wtxn.commit()?;
        Ok(inside_total)
    }

    /// Applies a batch of changes committed at `commit_ts` (one transaction).
    /// `payload` is the protobuf without the user_meta byte.
    pub fn apply(&self, commit_ts: u64, batch: &[(&[u8], ValueKind, &[u8])]) -> Result<()> {
        let wtxn = self.env.write_txn()?;
        for (key, kind, payload) in batch {
            let v = super::mvcc::encode_value(*kind, payload);
            self.postings.put(&wtxn, &version_key(key, commit_ts), &v)?;
        }
        wtxn.commit()
    }

    /// Deletes every version of every key starting with one of `prefixes`
    /// (an empty prefix: everything). Returns the number of LMDB entries removed.
    pub fn delete_prefixes(&self, prefixes: &[Vec<u8>]) -> Result<u64> {
        let wtxn = self.env.write_txn()?;
        let mut n = 0u64;
        for p in prefixes {
            if p.is_empty() {
                n += self.postings.len(&wtxn)?;
                self.postings.clear(&wtxn)?;
            } else {
                n += self.delete_prefix_in(&wtxn, p)?;
            }
        }
        wtxn.commit()?;
        Ok(n)
    }

    /// The newest version of `key` with commit ts <= `read_ts`; `None` when
    /// there is none or it is a tombstone.
    pub fn get(&self, key: &[u8], read_ts: u64) -> Result<Option<(ValueKind, u64, Vec<u8>)>> {
        let rtxn = self.env.read_txn()?;
        self.get_in(&rtxn, key, read_ts)
    }

    /// [`Self::get`] inside a transaction (a write transaction sees its own
    /// writes). A list whose newest version is a uid delta comes merged: the
    /// deltas down to the newest full version applied to it, with the ts of
    /// the newest delta; merged to nothing, it is `None` as a tombstone is.
    pub fn get_in(
        &self,
        txn: &Txn<'_>,
        key: &[u8],
        read_ts: u64,
    ) -> Result<Option<(ValueKind, u64, Vec<u8>)>> {
        let mut newest: Option<u64> = None;
        let mut deltas: Vec<UidDelta> = Vec::new();
        let mut found: Option<Option<(ValueKind, u64, Vec<u8>)>> = None;
        self.versions_in(txn, key, read_ts, &mut |ts, kind, payload| {
            let top = *newest.get_or_insert(ts);
            found = Some(match kind {
                ValueKind::Delta => {
                    deltas.push(UidDelta::decode_stored(payload)?);
                    return Ok(true);
                }
                ValueKind::Pruned => return Err(pruned_error(read_ts, ts)),
                ValueKind::Tombstone if deltas.is_empty() => None,
                _ if deltas.is_empty() => Some((kind, ts, payload.to_vec())),
                ValueKind::Tombstone => merge(Default::default(), &deltas, top),
                ValueKind::PostingList => merge(decode_list(payload)?, &deltas, top),
                ValueKind::Schema => {
                    return Err(StoreError::corrupt("a uid delta on top of a schema value"))
                }
            });
            Ok(false)
        })?;
        Ok(match found {
            Some(v) => v,
            None => newest.and_then(|top| merge(Default::default(), &deltas, top)),
        })
    }

    /// Calls `f(ts, kind, payload)` with the versions of `key` at or below
    /// `read_ts`, newest first, until it returns false.
    fn versions_in(
        &self,
        txn: &Txn<'_>,
        key: &[u8],
        read_ts: u64,
        f: &mut VersionFn<'_>,
    ) -> Result<()> {
        use std::ops::Bound::Included;
        let start = version_key(key, read_ts);
        let end = version_key(key, 0);
        let len = key.len() + TS_LEN;
        self.postings.visit(
            txn,
            Included(&start[..]),
            Included(&end[..]),
            &mut |k, v| {
                // Another key can sort between the versions of `key` only if it
                // has `key` as a proper prefix; its LMDB key is longer.
                if k.len() != len {
                    return Ok(true);
                }
                let (_, ts) = split_version_key(k).expect("length checked");
                let (kind, payload) = decode_value(v)
                    .ok_or_else(|| StoreError::corrupt("bad user_meta byte in the store"))?;
                f(ts, kind, payload)
            },
        )
    }

    /// The uid deltas of `key` above its newest full version at or below
    /// `read_ts`, and that version's size: what a commit needs to choose
    /// between a delta and a whole list (`delta.rs`).
    pub(crate) fn chain_in(&self, txn: &Txn<'_>, key: &[u8], read_ts: u64) -> Result<Chain> {
        let mut chain = Chain::default();
        self.versions_in(txn, key, read_ts, &mut |_, kind, payload| {
            Ok(match kind {
                ValueKind::Delta => {
                    chain.deltas += 1;
                    chain.delta_bytes += payload.len();
                    true
                }
                ValueKind::PostingList => {
                    chain.base_bytes = Some(payload.len());
                    false
                }
                _ => false,
            })
        })?;
        Ok(chain)
    }

    /// Writes `delta` as the version `ts` of `key`.
    pub(crate) fn put_delta_in(
        &self,
        wtxn: &Txn<'_>,
        key: &[u8],
        ts: u64,
        delta: &UidDelta,
    ) -> Result<()> {
        let v = super::mvcc::encode_value(ValueKind::Delta, &delta.encode_to_vec());
        self.postings.put(wtxn, &version_key(key, ts), &v)
    }

    /// Calls `f` with the visible version (newest <= `read_ts`, tombstones
    /// skipped) of every key starting with `prefix`, in key order.
    ///
    /// Versions are grouped by consecutive runs of the same key: a key that
    /// is a proper prefix of another (only possible for index keys with
    /// binary terms) can have its versions split around the other key's,
    /// which may yield it twice. Data, schema and type keys never are.
    pub fn scan(
        &self,
        prefix: &[u8],
        read_ts: u64,
        f: &mut dyn FnMut(Visible<'_>) -> Result<()>,
    ) -> Result<()> {
        let rtxn = self.env.read_txn()?;
        self.scan_from_in(&rtxn, prefix, prefix, read_ts, &mut |v| f(v).map(|()| true))
    }

    /// [`Self::scan`] inside a transaction (a write transaction sees its own
    /// writes) over the keys from `start` on that start with `prefix`; `f`
    /// returns false to stop.
    pub(crate) fn scan_from_in(
        &self,
        txn: &Txn<'_>,
        prefix: &[u8],
        start: &[u8],
        read_ts: u64,
        f: &mut dyn FnMut(Visible<'_>) -> Result<bool>,
    ) -> Result<()> {
        let mut done_key: Option<Vec<u8>> = None;
        let start = std::ops::Bound::Included(start);
        let end = std::ops::Bound::Unbounded;
        self.postings.visit(txn, start, end, &mut |k, v| {
            if !k.starts_with(prefix) {
                return Ok(false);
            }
            let (key, ts) = split_version_key(k)
                .ok_or_else(|| StoreError::corrupt("store key shorter than its version"))?;
            if done_key.as_deref() == Some(key) || ts > read_ts {
                return Ok(true);
            }
            done_key = Some(key.to_vec());
            let (kind, payload) = decode_value(v)
                .ok_or_else(|| StoreError::corrupt("bad user_meta byte in the store"))?;
            let merged;
            let (kind, payload) = match kind {
                ValueKind::Tombstone => return Ok(true),
                ValueKind::Pruned => return Err(pruned_error(read_ts, ts)),
                ValueKind::Delta => match self.get_in(txn, key, read_ts)? {
                    None => return Ok(true),
                    Some((kind, _, p)) => {
                        merged = p;
                        (kind, &merged[..])
                    }
                },
                _ => (kind, payload),
            };
            f(Visible {
                key,
                commit_ts: ts,
                kind,
                payload,
            })
        })
    }

    /// Refuses a store whose restore did not finish.
    pub fn check_complete(&self) -> Result<()> {
        if self.meta()?.complete {
            return Ok(());
        }
        Err(StoreError::new(
            StoreCode::Incomplete,
            format!(
                "{} holds an unfinished restore: restore again into an empty folder",
                self.dir.display()
            ),
        ))
    }

    /// A read transaction over the store.
    pub(crate) fn read_txn(&self) -> Result<Txn<'_>> {
        self.env.read_txn()
    }

    /// A write transaction (LMDB has one writer at a time: this waits for it).
    pub(crate) fn write_txn(&self) -> Result<Txn<'_>> {
        self.env.write_txn()
    }

    pub(crate) fn postings_db(&self) -> Db {
        self.postings
    }

    /// Deletes every version of every key starting with `prefix` (non-empty)
    /// inside a write transaction.
    pub(crate) fn delete_prefix_in(&self, wtxn: &Txn<'_>, prefix: &[u8]) -> Result<u64> {
        self.postings.delete_prefix(wtxn, prefix)
    }

    /// Deletes the versions of `key` older than its newest version at or
    /// below `horizon` (which stays: reads at the horizon see it; so do the
    /// uid deltas below it down to their full version), except the
    /// oldest, which becomes a [`ValueKind::Pruned`] marker so that a read
    /// older than the kept version is refused rather than shown nothing.
    /// Returns the number of versions removed.
    pub(crate) fn prune_versions_in(
        &self,
        wtxn: &Txn<'_>,
        key: &[u8],
        horizon: u64,
    ) -> Result<u64> {
        use std::ops::Bound::Included;
        let (from, to) = (version_key(key, horizon), version_key(key, 0));
        let mut older: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut keeping = true;
        self.postings
            .visit(wtxn, Included(&from[..]), Included(&to[..]), &mut |k, v| {
                // Keys that have `key` as a proper prefix may sort among its versions.
                if k.len() != key.len() + TS_LEN {
                    return Ok(true);
                }
                if keeping {
                    // A delta needs the versions under it, down to a full one.
                    keeping = v.first() == Some(&USER_META_UID_DELTA);
                    return Ok(true);
                }
                older.push((k.to_vec(), v.first() == Some(&USER_META_PRUNED)));
                Ok(true)
            })?;
        let Some((oldest, is_marker)) = older.pop() else {
            return Ok(0);
        };
        if !is_marker {
            self.postings.put(wtxn, &oldest, &[USER_META_PRUNED])?;
        }
        for (k, _) in &older {
            self.postings.delete(wtxn, k)?;
        }
        Ok(older.len() as u64 + u64::from(!is_marker))
    }

    /// Writes every entry, in key order, into a new store in `dir` (which
    /// must not exist or be empty), with its meta, encrypted with `data_key`
    /// (`None`: plain): appended, so every page is full (a store written out
    /// of key order has half-full pages, which LMDB's own compacting copy
    /// keeps as they are).
    pub fn rewrite_into(&self, dir: &Path, data_key: Option<DataKey>) -> Result<()> {
        let m = self.meta()?;
        let dst = PostingStore::open(
            dir,
            &OpenOptions {
                create: true,
                group: Some(m.group),
                map_size: None,
                data_key,
            },
        )?;
        {
            let rtxn = self.env.read_txn()?;
            let mut wtxn = Some(dst.env.write_txn()?);
            let (mut n, mut bytes) = (0usize, 0usize);
            self.postings.visit_prefix(&rtxn, &[], &mut |k, v| {
                if wtxn.is_none() {
                    wtxn = Some(dst.env.write_txn()?);
                }
                dst.postings.append(wtxn.as_ref().expect("open"), k, v)?;
                n += 1;
                bytes += k.len() + v.len();
                // Bounded write transactions: LMDB keeps a transaction's dirty pages in memory
                // (by count, and by bytes: 20,000 big lists were hundreds of MB at 30M N-Quads).
                if n >= REWRITE_TXN_ENTRIES || bytes >= REWRITE_TXN_BYTES {
                    wtxn.take().expect("open").commit()?;
                    (n, bytes) = (0, 0);
                }
                Ok(true)
            })?;
            if let Some(w) = wtxn {
                w.commit()?;
            }
        }
        dst.set_meta(&m)?;
        dst.sync()?;
        dst.close();
        Ok(())
    }

    /// Closes the environment and waits until LMDB has released it, so that
    /// the folder can be opened again at once.
    pub fn close(self) {
        self.env.close();
    }

    /// The file holding the store's pages (in [`Self::dir`]).
    pub fn file(&self) -> PathBuf {
        self.dir.join(self.env.file_name())
    }

    /// Number of LMDB entries (versions) in `postings`.
    pub fn entries(&self) -> Result<u64> {
        let rtxn = self.env.read_txn()?;
        self.postings.len(&rtxn)
    }

    /// Forces an fsync (commits are already durable; for completeness).
    pub fn sync(&self) -> Result<()> {
        self.env.force_sync()
    }
}

/// `base` with `deltas` (newest first) applied, as the payload of a full
/// list at `ts`; `None` when nothing is left.
fn merge(
    mut base: crate::format::proto::BackupPostingList,
    deltas: &[UidDelta],
    ts: u64,
) -> Option<(ValueKind, u64, Vec<u8>)> {
    let mut ch = BTreeMap::new();
    for d in deltas.iter().rev() {
        d.fold_into(&mut ch);
    }
    apply_changes(&mut base.uids, &ch);
    if base.uids.is_empty() && base.postings.is_empty() {
        return None;
    }
    Some((ValueKind::PostingList, ts, base.encode_to_vec()))
}
