//! `PostingStore`: one LMDB environment per folder (`p/` or `p<N>`), with two
//! databases: `postings` (MVCC keys, see [`super::mvcc`]) and `meta`.

use super::delta::{apply_changes, Chain, UidDelta};
use super::error::{Result, StoreCode, StoreError};
use super::mvcc::{
    decode_list, decode_value, pruned_error, split_version_key, version_key, ValueKind, TS_LEN,
    USER_META_PRUNED, USER_META_UID_DELTA,
};
use heed::types::Bytes;
use heed::{Database, Env, EnvOpenOptions, WithoutTls};
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
}

impl OpenOptions {
    /// The store of `group`, created (`create`) or opened.
    pub fn for_group(group: u32, create: bool) -> Self {
        OpenOptions {
            create,
            group: Some(group),
            map_size: None,
        }
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

type KvItem<'t> = heed::Result<(&'t [u8], &'t [u8])>;

pub struct PostingStore {
    env: Env<WithoutTls>,
    postings: Database<Bytes, Bytes>,
    meta: Database<heed::types::Str, Bytes>,
    dir: PathBuf,
}

fn dir_is_empty(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut it) => Ok(it.next().is_none()),
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
        } else if !dir.join("data.mdb").is_file() {
            return Err(StoreError::new(
                StoreCode::NotFound,
                format!("{shown} holds no Strata posting store (no data.mdb)"),
            ));
        }
        let mut eo = EnvOpenOptions::new().read_txn_without_tls();
        eo.map_size(opts.map_size.unwrap_or(DEFAULT_MAP_SIZE))
            .max_dbs(4);
        // SAFETY: the store folder is owned by this process while open
        // (LMDB's lock file guards against other processes); heed refuses to
        // open one path twice in a process.
        let env = unsafe { eo.open(dir) }.map_err(|e| match e {
            heed::Error::EnvAlreadyOpened => StoreError::new(
                StoreCode::Busy,
                format!("{shown} is already open in this process: close the other PostingStore (or RestoreWriter) first"),
            ),
            e => StoreError::io(format!("cannot open the store at {shown}: {e}")),
        })?;
        let mut wtxn = env.write_txn()?;
        let (postings, meta) = if opts.create {
            let p = env.create_database(&mut wtxn, Some("postings"))?;
            let m = env.create_database(&mut wtxn, Some("meta"))?;
            (p, m)
        } else {
            let p = env.open_database(&wtxn, Some("postings"))?;
            let m = env.open_database(&wtxn, Some("meta"))?;
            match (p, m) {
                (Some(p), Some(m)) => (p, m),
                _ => {
                    return Err(StoreError::new(
                        StoreCode::NotFound,
                        format!("{shown} is an LMDB environment but not a Strata posting store"),
                    ))
                }
            }
        };
        let store = PostingStore {
            env: env.clone(),
            postings,
            meta,
            dir: dir.to_path_buf(),
        };
        if opts.create {
            let m = StoreMeta {
                format_version: FORMAT_VERSION,
                group: opts.group.unwrap_or(1),
                ..Default::default()
            };
            store.put_meta(&mut wtxn, &m)?;
            wtxn.commit()?;
        } else {
            // Commit (not abort): DBIs opened in an aborted transaction are closed.
            wtxn.commit()?;
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

    pub(crate) fn put_meta(&self, wtxn: &mut heed::RwTxn, m: &StoreMeta) -> Result<()> {
        let put =
            |wtxn: &mut heed::RwTxn, k: &str, v: u64| self.meta.put(wtxn, k, &v.to_be_bytes());
        put(wtxn, META_FORMAT, m.format_version)?;
        put(wtxn, META_GROUP, m.group as u64)?;
        put(wtxn, META_READ_TS, m.read_ts)?;
        put(wtxn, META_MAX_UID, m.max_uid)?;
        put(wtxn, META_MAX_NS_ID, m.max_ns_id)?;
        put(wtxn, META_COMPLETE, m.complete as u64)?;
        Ok(())
    }

    /// Writes the meta database (one fsynced commit).
    pub fn set_meta(&self, m: &StoreMeta) -> Result<()> {
        let mut wtxn = self.env.write_txn()?;
        self.put_meta(&mut wtxn, m)?;
        wtxn.commit()?;
        Ok(())
    }

    pub fn meta(&self) -> Result<StoreMeta> {
        let rtxn = self.env.read_txn()?;
        let get = |k: &str| -> Result<u64> {
            match self.meta.get(&rtxn, k)? {
                None => Ok(0),
                Some(b) if b.len() == 8 => Ok(u64::from_be_bytes(b.try_into().expect("8"))),
                Some(_) => Err(StoreError::corrupt(format!("bad meta value for {k}"))),
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
        let stored_last: Option<Vec<u8>> = self.postings.last(&wtxn)?.map(|(k, _)| k.to_vec());
        // The last key appended from `entries`, else the database's.
        let mut last: Option<&[u8]> = stored_last.as_deref();
        let mut inside = 0usize;
        let mut inside_total = 0u64;
        for (k, v) in entries {
            if last.is_none_or(|l| k > l) {
                self.postings
                    .put_with_flags(&mut wtxn, heed::PutFlags::APPEND, k, v)?;
                last = Some(k);
            } else {
                self.postings.put(&mut wtxn, k, v)?;
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
        let mut wtxn = self.env.write_txn()?;
        for (key, kind, payload) in batch {
            let v = super::mvcc::encode_value(*kind, payload);
            self.postings
                .put(&mut wtxn, &version_key(key, commit_ts), &v)?;
        }
        wtxn.commit()?;
        Ok(())
    }

    /// Deletes every version of every key starting with one of `prefixes`
    /// (an empty prefix: everything). Returns the number of LMDB entries removed.
    pub fn delete_prefixes(&self, prefixes: &[Vec<u8>]) -> Result<u64> {
        let mut wtxn = self.env.write_txn()?;
        let mut n = 0u64;
        for p in prefixes {
            if p.is_empty() {
                n += self.postings.len(&wtxn)?;
                self.postings.clear(&mut wtxn)?;
            } else {
                n += self.delete_prefix_in(&mut wtxn, p)?;
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
        rtxn: &heed::RoTxn,
        key: &[u8],
        read_ts: u64,
    ) -> Result<Option<(ValueKind, u64, Vec<u8>)>> {
        let mut newest: Option<u64> = None;
        let mut deltas: Vec<UidDelta> = Vec::new();
        for item in self.versions_in(rtxn, key, read_ts)? {
            let (ts, kind, payload) = item?;
            let top = *newest.get_or_insert(ts);
            match kind {
                ValueKind::Delta => deltas.push(UidDelta::decode_stored(payload)?),
                ValueKind::Pruned => return Err(pruned_error(read_ts, ts)),
                ValueKind::Tombstone if deltas.is_empty() => return Ok(None),
                _ if deltas.is_empty() => return Ok(Some((kind, ts, payload.to_vec()))),
                ValueKind::Tombstone => return Ok(merge(Default::default(), &deltas, top)),
                ValueKind::PostingList => return Ok(merge(decode_list(payload)?, &deltas, top)),
                ValueKind::Schema => {
                    return Err(StoreError::corrupt("a uid delta on top of a schema value"))
                }
            }
        }
        Ok(newest.and_then(|top| merge(Default::default(), &deltas, top)))
    }

    /// The versions of `key` at or below `read_ts`, newest first, as
    /// `(ts, kind, payload)`.
    fn versions_in<'t>(
        &self,
        txn: &'t heed::RoTxn,
        key: &[u8],
        read_ts: u64,
    ) -> Result<impl Iterator<Item = Result<(u64, ValueKind, &'t [u8])>> + 't> {
        let start = version_key(key, read_ts);
        let end = version_key(key, 0);
        let range = (
            std::ops::Bound::Included(&start[..]),
            std::ops::Bound::Included(&end[..]),
        );
        let len = key.len() + TS_LEN;
        Ok(self
            .postings
            .range(txn, &range)?
            // Another key can sort between the versions of `key` only if it
            // has `key` as a proper prefix; its LMDB key is longer.
            .filter(move |item| item.as_ref().map_or(true, |(k, _)| k.len() == len))
            .map(|item| {
                let (k, v) = item?;
                let (_, ts) = split_version_key(k).expect("length checked");
                let (kind, payload) = decode_value(v)
                    .ok_or_else(|| StoreError::corrupt("bad user_meta byte in the store"))?;
                Ok((ts, kind, payload))
            }))
    }

    /// The uid deltas of `key` above its newest full version at or below
    /// `read_ts`, and that version's size: what a commit needs to choose
    /// between a delta and a whole list (`delta.rs`).
    pub(crate) fn chain_in(&self, txn: &heed::RoTxn, key: &[u8], read_ts: u64) -> Result<Chain> {
        let mut chain = Chain::default();
        for item in self.versions_in(txn, key, read_ts)? {
            let (_, kind, payload) = item?;
            match kind {
                ValueKind::Delta => {
                    chain.deltas += 1;
                    chain.delta_bytes += payload.len();
                }
                ValueKind::PostingList => {
                    chain.base_bytes = Some(payload.len());
                    break;
                }
                _ => break,
            }
        }
        Ok(chain)
    }

    /// Writes `delta` as the version `ts` of `key`.
    pub(crate) fn put_delta_in(
        &self,
        wtxn: &mut heed::RwTxn,
        key: &[u8],
        ts: u64,
        delta: &UidDelta,
    ) -> Result<()> {
        let v = super::mvcc::encode_value(ValueKind::Delta, &delta.encode_to_vec());
        self.postings.put(wtxn, &version_key(key, ts), &v)?;
        Ok(())
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
        // LMDB cannot seek to an empty key: an empty prefix is a full scan.
        let iter: Box<dyn Iterator<Item = KvItem<'_>>> = if prefix.is_empty() {
            Box::new(self.postings.iter(&rtxn)?)
        } else {
            Box::new(self.postings.prefix_iter(&rtxn, prefix)?)
        };
        self.visit_visible(&rtxn, iter, read_ts, &mut |v| f(v).map(|()| true))
    }

    /// [`Self::scan`] inside a transaction (a write transaction sees its own
    /// writes) over the keys from `start` on that start with `prefix`; `f`
    /// returns false to stop.
    pub(crate) fn scan_from_in(
        &self,
        txn: &heed::RoTxn,
        prefix: &[u8],
        start: &[u8],
        read_ts: u64,
        f: &mut dyn FnMut(Visible<'_>) -> Result<bool>,
    ) -> Result<()> {
        let range = (std::ops::Bound::Included(start), std::ops::Bound::Unbounded);
        let iter = self
            .postings
            .range(txn, &range)?
            .take_while(|item| item.as_ref().map_or(true, |(k, _)| k.starts_with(prefix)));
        self.visit_visible(txn, iter, read_ts, f)
    }

    /// Calls `f` with the visible version (newest <= `read_ts`, tombstones
    /// skipped, uid deltas merged) of each run of versions of one key in
    /// `items` (LMDB entries of `txn` in key order); `f` returns false to stop.
    fn visit_visible<'t>(
        &self,
        txn: &'t heed::RoTxn,
        items: impl Iterator<Item = KvItem<'t>>,
        read_ts: u64,
        f: &mut dyn FnMut(Visible<'_>) -> Result<bool>,
    ) -> Result<()> {
        let mut done_key: Option<Vec<u8>> = None;
        for item in items {
            let (k, v) = item?;
            let (key, ts) = split_version_key(k)
                .ok_or_else(|| StoreError::corrupt("store key shorter than its version"))?;
            if done_key.as_deref() == Some(key) || ts > read_ts {
                continue;
            }
            done_key = Some(key.to_vec());
            let (kind, payload) = decode_value(v)
                .ok_or_else(|| StoreError::corrupt("bad user_meta byte in the store"))?;
            let merged;
            let (kind, payload) = match kind {
                ValueKind::Tombstone => continue,
                ValueKind::Pruned => return Err(pruned_error(read_ts, ts)),
                ValueKind::Delta => match self.get_in(txn, key, read_ts)? {
                    None => continue,
                    Some((kind, _, p)) => {
                        merged = p;
                        (kind, &merged[..])
                    }
                },
                _ => (kind, payload),
            };
            let visible = Visible {
                key,
                commit_ts: ts,
                kind,
                payload,
            };
            if !f(visible)? {
                break;
            }
        }
        Ok(())
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

    pub(crate) fn env(&self) -> &Env<WithoutTls> {
        &self.env
    }

    pub(crate) fn postings_db(&self) -> Database<Bytes, Bytes> {
        self.postings
    }

    /// Deletes every version of every key starting with `prefix` (non-empty)
    /// inside a write transaction.
    pub(crate) fn delete_prefix_in(&self, wtxn: &mut heed::RwTxn, prefix: &[u8]) -> Result<u64> {
        let mut n = 0u64;
        let mut it = self.postings.prefix_iter_mut(wtxn, prefix)?;
        while it.next().transpose()?.is_some() {
            // SAFETY: no reference into the database is kept across the deletion.
            unsafe { it.del_current()? };
            n += 1;
        }
        Ok(n)
    }

    /// Deletes the versions of `key` older than its newest version at or
    /// below `horizon` (which stays: reads at the horizon see it; so do the
    /// uid deltas below it down to their full version), except the
    /// oldest, which becomes a [`ValueKind::Pruned`] marker so that a read
    /// older than the kept version is refused rather than shown nothing.
    /// Returns the number of versions removed.
    pub(crate) fn prune_versions_in(
        &self,
        wtxn: &mut heed::RwTxn,
        key: &[u8],
        horizon: u64,
    ) -> Result<u64> {
        use std::ops::Bound;
        let (from, to) = (version_key(key, horizon), version_key(key, 0));
        let range = (Bound::Included(&from[..]), Bound::Included(&to[..]));
        let mut older: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut keeping = true;
        for item in self.postings.range(wtxn, &range)? {
            let (k, v) = item?;
            // Keys that have `key` as a proper prefix may sort among its versions.
            if k.len() != key.len() + TS_LEN {
                continue;
            }
            if keeping {
                // A delta needs the versions under it, down to a full one.
                keeping = v.first() == Some(&USER_META_UID_DELTA);
                continue;
            }
            older.push((k.to_vec(), v.first() == Some(&USER_META_PRUNED)));
        }
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
    /// must not exist or be empty), with its meta: appended, so every page is
    /// full (a store written out of key order has half-full pages, which
    /// LMDB's own compacting copy keeps as they are).
    pub fn rewrite_into(&self, dir: &Path) -> Result<()> {
        let m = self.meta()?;
        let dst = PostingStore::open(
            dir,
            &OpenOptions {
                create: true,
                group: Some(m.group),
                map_size: None,
            },
        )?;
        let rtxn = self.env.read_txn()?;
        let mut wtxn = dst.env.write_txn()?;
        let (mut n, mut bytes) = (0usize, 0usize);
        for item in self.postings.iter(&rtxn)? {
            let (k, v) = item?;
            dst.postings
                .put_with_flags(&mut wtxn, heed::PutFlags::APPEND, k, v)?;
            n += 1;
            bytes += k.len() + v.len();
            // Bounded write transactions: LMDB keeps a transaction's dirty pages in memory
            // (by count, and by bytes: 20,000 big lists were hundreds of MB at 30M N-Quads).
            if n >= REWRITE_TXN_ENTRIES || bytes >= REWRITE_TXN_BYTES {
                wtxn.commit()?;
                wtxn = dst.env.write_txn()?;
                (n, bytes) = (0, 0);
            }
        }
        wtxn.commit()?;
        drop(rtxn);
        dst.set_meta(&m)?;
        dst.sync()?;
        dst.close();
        Ok(())
    }

    /// Closes the environment and waits until LMDB has released it, so that
    /// the folder can be opened again at once.
    pub fn close(self) {
        let PostingStore { env, .. } = self;
        env.prepare_for_closing().wait();
    }

    /// Number of LMDB entries (versions) in `postings`.
    pub fn entries(&self) -> Result<u64> {
        let rtxn = self.env.read_txn()?;
        Ok(self.postings.len(&rtxn)?)
    }

    /// Forces an fsync (commits are already durable; for completeness).
    pub fn sync(&self) -> Result<()> {
        self.env.force_sync()?;
        Ok(())
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
