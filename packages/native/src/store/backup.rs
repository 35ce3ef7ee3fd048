//! Dgraph-compatible binary backup of a posting store (spec §9, §11).
//!
//! One LMDB read transaction is the snapshot at `read_ts` (writers carry on
//! meanwhile). For every DATA/INDEX/REVERSE/COUNT/COUNT_REV key of the
//! listed predicates the newest version `<= read_ts` is taken:
//! * full backup (`since == 0`): written unless it is a tombstone;
//! * incremental: written only when its commit ts is `> since`, as the
//!   complete list at that version (a tombstone becomes an empty list, so
//!   that the restore erases the older facts).
//!
//! Then the SCHEMA keys of the listed predicates and the TYPE keys of all
//! types (always, version 1). `dgraph.drop.op` facts committed after `since`
//! are parsed into drop operations (incremental backups only).
//!
//! The KVList records go through [`crate::codec::writer::Writer`] (gzip or
//! snappy, AES-CTR with a fresh IV when a key is given). [`BackupStream`]
//! runs the whole thing on its own thread and hands out the file bytes in
//! chunks through a bounded channel.

use super::db::PostingStore;
use super::error::{Result, StoreError};
use super::live::LiveStore;
use super::mvcc::{decode_value, predicate_prefix, split_version_key, ValueKind};
use crate::codec::writer::{Writer, WriterConfig};
use crate::format::keys::{parse_key, KIND_DATA, PREFIX_DEFAULT, PREFIX_SCHEMA, PREFIX_TYPE};
use crate::format::kv::{USER_META_COMPLETE, USER_META_SCHEMA};
use crate::format::proto::{
    decode_uid_bytes, encode_uid_bytes, BackupKey, BackupPostingList, KeyType, Kv,
};
use heed::types::Bytes;
use heed::Database;
use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};
use prost::Message;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// Default size of the chunks handed out by [`BackupStream`].
pub const DEFAULT_CHUNK_SIZE: usize = 4 << 20;
pub const MIN_CHUNK_SIZE: usize = 64 << 10;
pub const MAX_CHUNK_SIZE: usize = 256 << 20;
/// A KVList record is closed once it reaches this many bytes.
pub const RECORD_TARGET: usize = 768 << 10;
/// Chunks the producer may run ahead of the consumer.
const CHANNEL_DEPTH: usize = 2;
pub const DROP_OP_PREDICATE: &str = "dgraph.drop.op";

/// Which Dgraph release the file imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackupLayout {
    /// No namespaces: BackupKey without field 7, bare names in schema/type
    /// values, `uids` in BackupPostingList.
    V2011,
    /// BackupKey field 7, namespace-prefixed names in schema/type values,
    /// `uid_bytes`, schema and types in their own records at the end.
    #[default]
    V2103,
}

impl BackupLayout {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "v20.11" => Ok(BackupLayout::V2011),
            "v21.03" => Ok(BackupLayout::V2103),
            o => Err(StoreError::invalid(format!(
                "layout '{o}' is not one of 'v20.11', 'v21.03'"
            ))),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct BackupOptions {
    pub read_ts: u64,
    /// 0: full backup; else the read ts of the previous backup of the series.
    pub since: u64,
    /// (namespace, bare predicate name) of the group.
    pub predicates: Vec<(u64, String)>,
    pub layout: BackupLayout,
    /// Compression, key, level, threads of the file.
    pub writer: WriterConfig,
    /// Size of the chunks handed to the sink (the last one may be smaller).
    /// 0: [`DEFAULT_CHUNK_SIZE`].
    pub chunk_size: usize,
}

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
    pub fn to_drop(&self) -> super::mvcc::Drop {
        use super::mvcc::Drop;
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupSummary {
    /// KVs written (data and schema/type).
    pub kvs: u64,
    /// DATA/INDEX/REVERSE/COUNT/COUNT_REV KVs written.
    pub data_keys: u64,
    /// File bytes (IV included).
    pub bytes_out: u64,
    /// Largest version of the data KVs written (0 when none).
    pub max_version: u64,
    /// In commit order; always empty for a full backup.
    pub drop_operations: Vec<DropRecord>,
    /// Bare names of the predicates that had data KVs, sorted.
    pub predicates: Vec<String>,
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
        b"DROP_ATTR" => {
            // v21.03: 8-byte BE namespace + name (names never start with NUL).
            if rest.len() > 8 && rest[0] == 0 {
                let ns = u64::from_be_bytes(rest[..8].try_into().expect("8"));
                Some((DropKind::Attr, Some(text(&rest[8..])), Some(ns)))
            } else {
                Some((DropKind::Attr, Some(text(rest)), None))
            }
        }
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

// ------------------------------------------------------------ iteration

/// `(key, commit_ts, kind, payload)` of one visible version.
pub(crate) type VersionFn<'a> = dyn FnMut(&[u8], u64, ValueKind, &[u8]) -> Result<()> + 'a;
/// Rewrites a nested message.
type NestedFn<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>> + 'a;

/// Calls `f(key, commit_ts, kind, payload)` with the newest version
/// `<= read_ts` of every key starting with `prefix` (tombstones included).
///
/// The versions of a key are adjacent unless another key has it as a proper
/// prefix (index keys with binary terms): then they are split around that
/// key's. A small stack of the keys whose range we are inside keeps the
/// "already decided" state across such splits, so every key is reported
/// once, with its newest version.
pub(crate) fn visit_newest(
    db: Database<Bytes, Bytes>,
    txn: &heed::RoTxn,
    prefix: &[u8],
    read_ts: u64,
    f: &mut VersionFn<'_>,
) -> Result<()> {
    struct Open {
        key: Vec<u8>,
        decided: bool,
    }
    let mut open: Vec<Open> = Vec::new();
    for item in db.prefix_iter(txn, prefix)? {
        let (k, v) = item?;
        let (key, ts) = split_version_key(k)
            .ok_or_else(|| StoreError::corrupt("store key shorter than its version"))?;
        open.retain(|o| k.starts_with(&o.key));
        let i = match open.iter().rposition(|o| o.key == key) {
            Some(i) => i,
            None => {
                open.push(Open {
                    key: key.to_vec(),
                    decided: false,
                });
                open.len() - 1
            }
        };
        if open[i].decided || ts > read_ts {
            continue;
        }
        open[i].decided = true;
        let (kind, payload) = decode_value(v)
            .ok_or_else(|| StoreError::corrupt("bad user_meta byte in the store"))?;
        f(key, ts, kind, payload)?;
    }
    Ok(())
}

// ------------------------------------------------------------ values

/// The stored list (or tombstone) as the BackupPostingList of `layout`:
/// postings sorted by uid, no splits, `uids` (v20.11) or `uid_bytes` (v21.03).
fn backup_list(kind: ValueKind, payload: &[u8], layout: BackupLayout) -> Result<Vec<u8>> {
    let mut pl = match kind {
        ValueKind::Tombstone => return Ok(Vec::new()),
        ValueKind::PostingList => BackupPostingList::decode(payload)
            .map_err(|e| StoreError::corrupt(format!("bad posting list in the store: {e}")))?,
        ValueKind::Schema => return Err(StoreError::corrupt("schema value under a data key")),
    };
    if pl.uids.is_empty() && !pl.uid_bytes.is_empty() {
        pl.uids = decode_uid_bytes(&pl.uid_bytes)
            .map_err(|e| StoreError::corrupt(format!("bad uid_bytes in the store: {e}")))?;
    }
    pl.uid_bytes.clear();
    pl.splits.clear();
    if !pl.uids.is_sorted() {
        pl.uids.sort_unstable();
        pl.uids.dedup();
    }
    if !pl.postings.is_sorted_by_key(|p| p.uid) {
        pl.postings.sort_by_key(|p| p.uid);
    }
    if layout == BackupLayout::V2103 {
        pl.uid_bytes = encode_uid_bytes(&pl.uids);
        pl.uids.clear();
    }
    Ok(pl.encode_to_vec())
}

/// A name inside a schema/type value, as the layout wants it: bare (v20.11)
/// or 8-byte BE namespace + name (v21.03), whichever way it is stored.
fn value_name(stored: &[u8], ns: u64, layout: BackupLayout) -> Vec<u8> {
    let prefix = ns.to_be_bytes();
    let bare = if stored.len() > 8 && stored[..8] == prefix {
        &stored[8..]
    } else {
        stored
    };
    match layout {
        BackupLayout::V2011 => bare.to_vec(),
        BackupLayout::V2103 => [&prefix[..], bare].concat(),
    }
}

fn put_bytes_field(tag: u32, b: &[u8], out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(b.len() as u64, out);
    out.extend_from_slice(b);
}

/// Rewrites a protobuf message at the wire level: field 1 (a name) through
/// `name`, field 2 (nested message) through `nested` when given; every
/// other field is copied as is (unknown fields survive, names need not be
/// UTF-8).
fn rewrite_names(
    msg: &[u8],
    name: &dyn Fn(&[u8]) -> Vec<u8>,
    nested: Option<&NestedFn<'_>>,
) -> Result<Vec<u8>> {
    let bad = |e: String| StoreError::corrupt(format!("bad schema/type value in the store: {e}"));
    let mut buf = msg;
    let mut out = Vec::with_capacity(msg.len() + 16);
    while !buf.is_empty() {
        let start = buf;
        let (tag, wt) = decode_key(&mut buf).map_err(|e| bad(e.to_string()))?;
        match wt {
            WireType::LengthDelimited => {
                let len = decode_varint(&mut buf).map_err(|e| bad(e.to_string()))? as usize;
                if len > buf.len() {
                    return Err(bad("field overruns the message".into()));
                }
                let (body, rest) = buf.split_at(len);
                buf = rest;
                match (tag, nested) {
                    (1, _) => put_bytes_field(1, &name(body), &mut out),
                    (2, Some(n)) => put_bytes_field(2, &n(body)?, &mut out),
                    _ => out.extend_from_slice(&start[..start.len() - buf.len()]),
                }
            }
            WireType::Varint => {
                decode_varint(&mut buf).map_err(|e| bad(e.to_string()))?;
                out.extend_from_slice(&start[..start.len() - buf.len()]);
            }
            WireType::SixtyFourBit | WireType::ThirtyTwoBit => {
                let n = if wt == WireType::SixtyFourBit { 8 } else { 4 };
                if buf.len() < n {
                    return Err(bad("truncated fixed field".into()));
                }
                buf = &buf[n..];
                out.extend_from_slice(&start[..start.len() - buf.len()]);
            }
            _ => return Err(bad("group wire type".into())),
        }
    }
    Ok(out)
}

fn schema_value(stored: &[u8], ns: u64, layout: BackupLayout) -> Result<Vec<u8>> {
    rewrite_names(stored, &|n| value_name(n, ns, layout), None)
}

fn type_value(stored: &[u8], ns: u64, layout: BackupLayout) -> Result<Vec<u8>> {
    let field = |f: &[u8]| schema_value(f, ns, layout);
    rewrite_names(stored, &|n| value_name(n, ns, layout), Some(&field))
}

fn backup_key(key_type: KeyType, attr: &[u8], ns: u64, layout: BackupLayout) -> Result<BackupKey> {
    if layout == BackupLayout::V2011 && ns != 0 {
        return Err(StoreError::invalid(format!(
            "{} {:?} is in namespace {ns}: the v20.11 layout has no namespaces, use layout 'v21.03'",
            if key_type == KeyType::Type { "type" } else { "predicate" },
            String::from_utf8_lossy(attr)
        )));
    }
    Ok(BackupKey {
        r#type: key_type as i32,
        attr: String::from_utf8(attr.to_vec())
            .map_err(|_| StoreError::corrupt("a key's attr is not UTF-8"))?,
        namespace: ns,
        ..Default::default()
    })
}

// ------------------------------------------------------------ output

/// Collects KVs into KVList records, feeds them to the writer and hands the
/// file bytes to the sink in chunks of at least `chunk_size`.
struct Emitter<'a> {
    writer: Writer,
    record: Vec<u8>,
    record_kvs: usize,
    pending: Vec<u8>,
    chunk_size: usize,
    sink: &'a mut dyn FnMut(Vec<u8>) -> Result<()>,
    kvs: u64,
}

impl Emitter<'_> {
    fn push(&mut self, kv: &Kv) -> Result<()> {
        prost::encoding::message::encode(1, kv, &mut self.record);
        self.record_kvs += 1;
        self.kvs += 1;
        if self.record.len() >= RECORD_TARGET {
            self.flush_record()?;
        }
        Ok(())
    }

    fn flush_record(&mut self) -> Result<()> {
        if self.record_kvs == 0 {
            return Ok(());
        }
        let out = self.writer.write_kv_list(&self.record)?;
        self.record.clear();
        self.record_kvs = 0;
        self.emit(out)
    }

    fn emit(&mut self, b: Vec<u8>) -> Result<()> {
        if b.is_empty() {
            return Ok(());
        }
        if self.pending.is_empty() && b.len() >= self.chunk_size {
            return (self.sink)(b);
        }
        self.pending.extend_from_slice(&b);
        if self.pending.len() >= self.chunk_size {
            let full = std::mem::take(&mut self.pending);
            (self.sink)(full)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<u64> {
        self.flush_record()?;
        let out = self.writer.finish()?;
        self.emit(out)?;
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            (self.sink)(rest)?;
        }
        Ok(self.writer.bytes_out())
    }
}

fn check_options(opts: &BackupOptions) -> Result<()> {
    if opts.read_ts == 0 || opts.read_ts == u64::MAX {
        return Err(StoreError::invalid("readTs must be in 1..2^64-1"));
    }
    if opts.since >= opts.read_ts {
        return Err(StoreError::invalid(format!(
            "since ({}) must be smaller than readTs ({})",
            opts.since, opts.read_ts
        )));
    }
    if opts.chunk_size != 0 && !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&opts.chunk_size) {
        return Err(StoreError::invalid(format!(
            "chunkSize {} is out of range ({MIN_CHUNK_SIZE}..={MAX_CHUNK_SIZE})",
            opts.chunk_size
        )));
    }
    for (ns, name) in &opts.predicates {
        if name.is_empty() {
            return Err(StoreError::invalid("predicate names must not be empty"));
        }
        if opts.layout == BackupLayout::V2011 && *ns != 0 {
            backup_key(KeyType::Data, name.as_bytes(), *ns, opts.layout)?;
        }
    }
    Ok(())
}

/// The drop operations of `dgraph.drop.op` facts committed in
/// `(since, read_ts]`, in commit order (empty for a full backup).
fn drop_operations(
    store: &PostingStore,
    txn: &heed::RoTxn,
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
            store.postings_db(),
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

/// Writes the backup of `store` at `opts.read_ts`, handing the file bytes
/// to `sink` in chunks. An error from `sink` stops the backup.
pub fn write_backup(
    store: &PostingStore,
    opts: &BackupOptions,
    sink: &mut dyn FnMut(Vec<u8>) -> Result<()>,
) -> Result<BackupSummary> {
    check_options(opts)?;
    let layout = opts.layout;
    let mut emitter = Emitter {
        writer: Writer::new(opts.writer.clone())?,
        record: Vec::with_capacity(RECORD_TARGET + (64 << 10)),
        record_kvs: 0,
        pending: Vec::new(),
        chunk_size: if opts.chunk_size == 0 {
            DEFAULT_CHUNK_SIZE
        } else {
            opts.chunk_size
        },
        sink,
        kvs: 0,
    };
    let txn = store.env().read_txn()?;
    let db = store.postings_db();
    let mut summary = BackupSummary {
        drop_operations: drop_operations(store, &txn, opts)?,
        ..Default::default()
    };
    let preds: BTreeSet<(u64, &str)> = opts
        .predicates
        .iter()
        .map(|(ns, n)| (*ns, n.as_str()))
        .collect();
    let mut had: BTreeSet<String> = BTreeSet::new();

    // Data, index, reverse and count keys.
    for &(ns, name) in &preds {
        let prefix = predicate_prefix(PREFIX_DEFAULT, ns, name.as_bytes());
        let mut any = false;
        visit_newest(
            db,
            &txn,
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
                emitter.push(&Kv {
                    key: bk.encode_to_vec(),
                    value: backup_list(kind, payload, layout)?,
                    user_meta: vec![USER_META_COMPLETE],
                    version: ts,
                    ..Default::default()
                })?;
                summary.data_keys += 1;
                summary.max_version = summary.max_version.max(ts);
                any = true;
                Ok(())
            },
        )?;
        if any {
            had.insert(name.to_string());
        }
    }
    if layout == BackupLayout::V2103 {
        emitter.flush_record()?;
    }

    // Schema of the listed predicates.
    for &(ns, name) in &preds {
        let key = predicate_prefix(PREFIX_SCHEMA, ns, name.as_bytes());
        if let Some((kind, _, payload)) = store.get_in(&txn, &key, opts.read_ts)? {
            if kind != ValueKind::Schema {
                return Err(StoreError::corrupt(format!("bad schema key of {name}")));
            }
            emitter.push(&Kv {
                key: backup_key(KeyType::Schema, name.as_bytes(), ns, layout)?.encode_to_vec(),
                value: schema_value(&payload, ns, layout)?,
                user_meta: vec![USER_META_SCHEMA],
                version: 1,
                ..Default::default()
            })?;
        }
    }
    if layout == BackupLayout::V2103 {
        emitter.flush_record()?;
    }

    // Every type.
    visit_newest(
        db,
        &txn,
        &[PREFIX_TYPE],
        opts.read_ts,
        &mut |key, _ts, kind, payload| {
            match kind {
                ValueKind::Tombstone => return Ok(()),
                ValueKind::PostingList => {
                    return Err(StoreError::corrupt("posting list under a type key"))
                }
                ValueKind::Schema => {}
            }
            let pk = parse_key(key, true)?;
            emitter.push(&Kv {
                key: backup_key(KeyType::Type, &pk.attr, pk.namespace, layout)?.encode_to_vec(),
                value: type_value(payload, pk.namespace, layout)?,
                user_meta: vec![USER_META_SCHEMA],
                version: 1,
                ..Default::default()
            })
        },
    )?;
    drop(txn);
    summary.bytes_out = emitter.finish()?;
    summary.kvs = emitter.kvs;
    summary.predicates = had.into_iter().collect();
    Ok(summary)
}

// ------------------------------------------------------------ stream

enum Msg {
    Chunk(Vec<u8>),
    Done(BackupSummary),
    Failed(StoreError),
}

struct StreamState {
    rx: Option<Receiver<Msg>>,
    summary: Option<BackupSummary>,
    error: Option<StoreError>,
    ended: bool,
}

/// A backup running on its own thread; `next_chunk` pulls the file bytes.
/// The producer runs at most a few chunks ahead (bounded channel).
pub struct BackupStream {
    state: Mutex<StreamState>,
    abort: Arc<AtomicBool>,
}

fn aborted() -> StoreError {
    StoreError::invalid("the backup was aborted")
}

impl BackupStream {
    /// Checks the options, then starts the backup of `store` on a new thread.
    pub fn start(store: Arc<LiveStore>, mut opts: BackupOptions) -> Result<Self> {
        check_options(&opts)?;
        // Key length, level and threads are checked here, before the thread.
        drop(Writer::new(WriterConfig {
            threads: Some(1),
            ..opts.writer.clone()
        })?);
        if opts.chunk_size == 0 {
            opts.chunk_size = DEFAULT_CHUNK_SIZE;
        }
        let (tx, rx) = sync_channel::<Msg>(CHANNEL_DEPTH);
        let abort = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&abort);
        std::thread::Builder::new()
            .name("strata-backup".into())
            .spawn(move || {
                let res = write_backup(store.inner(), &opts, &mut |chunk| {
                    if flag.load(Ordering::Relaxed) {
                        return Err(aborted());
                    }
                    tx.send(Msg::Chunk(chunk)).map_err(|_| aborted())
                });
                let _ = tx.send(match res {
                    Ok(s) => Msg::Done(s),
                    Err(e) => Msg::Failed(e),
                });
            })
            .map_err(|e| StoreError::io(format!("cannot start the backup thread: {e}")))?;
        Ok(BackupStream {
            state: Mutex::new(StreamState {
                rx: Some(rx),
                summary: None,
                error: None,
                ended: false,
            }),
            abort,
        })
    }

    /// The next chunk of the file (blocks until the producer has one);
    /// `None` at the end.
    pub fn next_chunk(&self) -> Result<Option<Vec<u8>>> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = &st.error {
            return Err(e.clone());
        }
        if st.ended {
            return Ok(None);
        }
        if self.abort.load(Ordering::Relaxed) {
            st.rx = None;
            st.error = Some(aborted());
            return Err(aborted());
        }
        let msg = match &st.rx {
            Some(rx) => rx.recv().ok(),
            None => None,
        };
        let out = match msg {
            Some(Msg::Chunk(c)) => return Ok(Some(c)),
            Some(Msg::Done(s)) => {
                st.summary = Some(s);
                st.ended = true;
                Ok(None)
            }
            Some(Msg::Failed(e)) => Err(e),
            None => Err(StoreError::io("the backup thread ended unexpectedly")),
        };
        st.rx = None;
        if let Err(e) = &out {
            st.error = Some(e.clone());
        }
        out
    }

    /// The summary, once `next_chunk` has returned `None`.
    pub fn summary(&self) -> Option<BackupSummary> {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.summary.clone()
    }

    /// Stops the producer (it ends at its next chunk); later `next_chunk`
    /// calls fail. Never blocks.
    pub fn abort(&self) {
        self.abort.store(true, Ordering::Relaxed);
        // Dropping the receiver wakes a producer blocked on a full channel.
        // If a `next_chunk` is waiting, it drops it itself afterwards.
        if let Ok(mut st) = self.state.try_lock() {
            if !st.ended && st.error.is_none() {
                st.rx = None;
                st.error = Some(aborted());
            }
        }
    }
}

impl std::ops::Drop for BackupStream {
    fn drop(&mut self) {
        self.abort();
    }
}
