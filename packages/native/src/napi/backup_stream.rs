//! `PostingStore.backup(opts)` → `BackupStream`: JS glue over
//! [`crate::store::backup::BackupStream`]. The backup runs on its own
//! thread (one LMDB read transaction = the snapshot at `readTs`); `next()`
//! is an AsyncTask waiting on the libuv pool for the next chunk.

use super::errors::{int_opt, invalid, no_panic, ns_of, store_err, u64_of};
use super::posting_store::PostingStore;
use crate::codec::gzip::{MAX_LEVEL, MIN_LEVEL};
use crate::codec::writer::{WriteCompression, WriterConfig, MAX_THREADS};
use crate::store::backup::{
    self, BackupLayout, BackupOptions as CoreOptions, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE,
};
use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, Either, Null};
use napi::{Env, Task};
use napi_derive::napi;
use std::sync::Arc;

#[napi(object)]
pub struct BackupPredicate {
    /// Default 0.
    pub namespace: Option<BigInt>,
    /// Bare predicate name.
    pub name: String,
}

#[napi(object)]
pub struct BackupOptions {
    /// Snapshot: the newest version <= readTs of every key.
    pub read_ts: BigInt,
    /// 0n: full backup; else the readTs of the previous backup of the series.
    pub since: BigInt,
    /// The group's predicates (DATA/INDEX/REVERSE/COUNT keys and SCHEMA).
    /// TYPE keys: always every type.
    pub predicates: Vec<BackupPredicate>,
    /// 16/24/32-byte AES key: random IV + AES-CTR.
    pub key: Option<Buffer>,
    /// gzip level 0..=12 (default 6).
    pub level: Option<f64>,
    /// Default: 'gzip' for layout v20.11, 's2' for v25, else 'snappy'.
    #[napi(ts_type = "'gzip' | 'snappy' | 's2'")]
    pub compression: Option<String>,
    /// Default 'v21.03'.
    #[napi(ts_type = "'v20.11' | 'v21.03' | 'v24' | 'v25'")]
    pub layout: Option<String>,
    /// Compression threads (default: available parallelism).
    pub threads: Option<f64>,
    /// Bytes per chunk returned by next() (default 4 MiB; 64 KiB..=256 MiB).
    pub chunk_size: Option<f64>,
}

#[napi(object)]
pub struct BackupDropOperation {
    #[napi(ts_type = "'ALL' | 'DATA' | 'ATTR' | 'NS'")]
    pub op: String,
    /// ATTR: the bare predicate; NS (and DATA with a namespace): the
    /// namespace as written in the fact.
    pub value: Option<String>,
    /// ATTR: the namespace when the fact carried the 8-byte prefix; NS/DATA:
    /// the parsed namespace. (The object can be passed to
    /// `RestoreWriter.applyDrops` as is.)
    pub namespace: Option<BigInt>,
    /// Commit ts of the `dgraph.drop.op` fact.
    pub commit_ts: BigInt,
}

#[napi(object)]
pub struct BackupSummary {
    /// KVs written (data, index, reverse, count, schema, type).
    pub kvs: f64,
    /// DATA/INDEX/REVERSE/COUNT/COUNT_REV KVs written.
    pub data_keys: f64,
    /// File bytes (IV included).
    pub bytes_out: f64,
    /// Largest version among the data KVs (0n when none).
    pub max_version: BigInt,
    /// Drop operations committed in (since, readTs], in commit order; empty
    /// for a full backup.
    pub drop_operations: Vec<BackupDropOperation>,
    /// Bare names of the predicates that had data KVs, sorted.
    pub predicates: Vec<String>,
}

pub(crate) fn parse_options(o: BackupOptions) -> napi::Result<CoreOptions> {
    let layout = match &o.layout {
        Some(l) => BackupLayout::parse(l).map_err(store_err)?,
        None => BackupLayout::default(),
    };
    let compression = match &o.compression {
        Some(c) => WriteCompression::parse(c).map_err(super::errors::to_napi)?,
        None if layout == BackupLayout::V2011 => WriteCompression::Gzip,
        None if o.layout.as_deref() == Some("v25") => WriteCompression::S2,
        None => WriteCompression::Snappy,
    };
    let mut predicates = Vec::with_capacity(o.predicates.len());
    for (i, p) in o.predicates.iter().enumerate() {
        let ns = ns_of(&format!("predicates[{i}].namespace"), &p.namespace)?;
        predicates.push((ns, p.name.clone()));
    }
    Ok(CoreOptions {
        read_ts: u64_of("readTs", &o.read_ts)?,
        since: u64_of("since", &o.since)?,
        predicates,
        layout,
        writer: WriterConfig {
            level: int_opt("level", o.level, MIN_LEVEL as f64, MAX_LEVEL as f64)?.map(|v| v as i32),
            key: o.key.map(|k| k.to_vec()),
            threads: int_opt("threads", o.threads, 1.0, MAX_THREADS as f64)?.map(|v| v as usize),
            block_size: None,
            compression,
            raw: false,
        },
        chunk_size: int_opt(
            "chunkSize",
            o.chunk_size,
            MIN_CHUNK_SIZE as f64,
            MAX_CHUNK_SIZE as f64,
        )?
        .map(|v| v as usize)
        .unwrap_or(0),
    })
}

fn js_summary(s: backup::BackupSummary) -> BackupSummary {
    BackupSummary {
        kvs: s.kvs as f64,
        data_keys: s.data_keys as f64,
        bytes_out: s.bytes_out as f64,
        max_version: BigInt::from(s.max_version),
        drop_operations: s
            .drop_operations
            .into_iter()
            .map(|d| BackupDropOperation {
                op: d.op.name().to_string(),
                value: d.value,
                namespace: d.namespace.map(BigInt::from),
                commit_ts: BigInt::from(d.commit_ts),
            })
            .collect(),
        predicates: s.predicates,
    }
}

pub struct NextTask {
    stream: Arc<backup::BackupStream>,
}

impl Task for NextTask {
    type Output = Option<Vec<u8>>;
    type JsValue = Either<Buffer, Null>;

    fn compute(&mut self) -> napi::Result<Option<Vec<u8>>> {
        no_panic(|| self.stream.next_chunk().map_err(store_err))
    }

    fn resolve(&mut self, _env: Env, out: Option<Vec<u8>>) -> napi::Result<Self::JsValue> {
        Ok(match out {
            Some(b) => Either::A(Buffer::from(b)),
            None => Either::B(Null),
        })
    }
}

/// The bytes of one backup file, pulled chunk by chunk. Concatenating the
/// chunks in order gives the file.
#[napi]
pub struct BackupStream {
    stream: Arc<backup::BackupStream>,
}

#[napi]
impl BackupStream {
    /// The next chunk of the file, or null at the end. Await each call
    /// before the next one.
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub fn next(&self) -> AsyncTask<NextTask> {
        AsyncTask::new(NextTask {
            stream: Arc::clone(&self.stream),
        })
    }

    /// What was written; available once next() has returned null.
    #[napi]
    pub fn summary(&self) -> napi::Result<BackupSummary> {
        self.stream
            .summary()
            .map(js_summary)
            .ok_or_else(|| invalid("summary() is available once next() has returned null"))
    }

    /// Stops the backup; a pending or later next() rejects. Never blocks.
    #[napi]
    pub fn abort(&self) {
        self.stream.abort();
    }
}

#[napi]
impl PostingStore {
    /// Starts a Dgraph-compatible binary backup of this store at
    /// `opts.readTs` (spec §9, §11) on a background thread.
    #[napi]
    pub fn backup(&self, opts: BackupOptions) -> napi::Result<BackupStream> {
        let store = self.store()?;
        let core = parse_options(opts)?;
        let stream = backup::BackupStream::start(store, core).map_err(store_err)?;
        Ok(BackupStream {
            stream: Arc::new(stream),
        })
    }
}
