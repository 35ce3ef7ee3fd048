//! `RestoreWriter`: JS class over [`crate::store::restore::RestoreWriter`].
//! Every method that does work returns a Promise (napi AsyncTask on the
//! libuv threadpool); the writer sits behind a Mutex.

use super::errors::{data_key_of, int_opt, invalid, no_panic, poisoned, store_err, to_u64};
use crate::codec::reader::Compression;
use crate::codec::writer::MAX_THREADS;
use crate::format::names::ValueNameForm;
use crate::store::restore::{self, ChainBackup, ChainFile, LoadOptions};
use crate::store::{Drop, StoreError};
use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[napi(object)]
pub struct RestoreWriterOptions {
    /// The group this store holds (recorded in the store's meta).
    pub group: u32,
    /// Online restore (spec §10): store every data/index/reverse/count key
    /// at this version (schema/type at 1); equal versions: the later file
    /// wins. Absent: keep the backup's versions.
    pub restore_ts: Option<BigInt>,
    /// The new store's data key (32 bytes): it is written encrypted at rest
    /// with it. Absent: a plain store.
    pub data_key: Option<Buffer>,
}

/// A drop operation of a manifest (spec §6.8).
#[napi(object)]
pub struct DropOp {
    #[napi(ts_type = "'ALL' | 'DATA' | 'ATTR' | 'NS'")]
    pub op: String,
    /// ATTR: the bare predicate name.
    pub value: Option<String>,
    /// ATTR / NS: the namespace; DATA: only that namespace (absent: all).
    pub namespace: Option<Either<BigInt, f64>>,
}

#[napi(object)]
pub struct PredicateRef {
    pub namespace: Either<BigInt, f64>,
    pub name: String,
}

#[napi(object)]
pub struct LoadFileOptions {
    /// 16/24/32-byte AES key of an encrypted backup.
    pub key: Option<Buffer>,
    #[napi(ts_type = "'auto' | 'gzip' | 'snappy' | 's2'")]
    pub compression: Option<String>,
    /// The predicates of this group in the LAST manifest of the chain; keys
    /// of other predicates (except TYPE keys) are skipped.
    pub predicates: Vec<PredicateRef>,
    /// Partial restore: every predicate restored (in any group). A type is
    /// kept only when it lists one of them, with only those fields. Absent:
    /// every type kept whole.
    pub type_fields: Option<Vec<PredicateRef>>,
    /// Decompression threads (default: available parallelism).
    pub threads: Option<f64>,
    /// Bytes buffered before a sorted write transaction (default 64 MiB).
    pub batch_bytes: Option<f64>,
    /// The manifest version of the backup (0, 2103 or 2105; default 0): how
    /// it writes the names inside schema and type values.
    pub manifest_version: Option<u32>,
}

/// One file of a chain for `loadChain`.
#[napi(object)]
pub struct ChainFileInput {
    pub path: String,
    pub options: LoadFileOptions,
}

/// One backup of a chain for `loadChain`: its drop operations and its files
/// for the group (a backup without files takes no part, as when it is
/// loaded file by file).
#[napi(object)]
pub struct ChainBackupInput {
    pub drops: Vec<DropOp>,
    pub files: Vec<ChainFileInput>,
}

#[napi(object)]
pub struct LoadFileResult {
    pub kvs: f64,
    pub kept: f64,
    pub max_uid: BigInt,
    pub max_ns_id: BigInt,
}

#[napi(object)]
pub struct RestoreFinishResult {
    pub max_uid: BigInt,
    pub max_ns_id: BigInt,
    /// Key versions in the store.
    pub keys: f64,
}

type Shared = Arc<Mutex<restore::RestoreWriter>>;

pub enum RestoreOp {
    Drops(Vec<Drop>),
    ResetSchema,
    Load(PathBuf, Box<LoadOptions>),
    Chain(Vec<ChainBackup>),
    Finish(u64),
}

pub enum RestoreOutput {
    Unit,
    Load(restore::LoadStats),
    Chain(Vec<restore::LoadStats>),
    Finish(restore::FinishStats),
}

pub struct RestoreTask {
    writer: Shared,
    op: Option<RestoreOp>,
}

impl Task for RestoreTask {
    type Output = RestoreOutput;
    type JsValue =
        Either<(), Either<LoadFileResult, Either<Vec<LoadFileResult>, RestoreFinishResult>>>;

    fn compute(&mut self) -> napi::Result<RestoreOutput> {
        no_panic(|| {
            let mut w = self.writer.lock().map_err(|_| poisoned())?;
            match self.op.take() {
                Some(RestoreOp::Drops(d)) => w.apply_drops(&d).map(|_| RestoreOutput::Unit),
                Some(RestoreOp::ResetSchema) => w.reset_schema().map(|_| RestoreOutput::Unit),
                Some(RestoreOp::Load(p, o)) => w.load_file(&p, &o).map(RestoreOutput::Load),
                Some(RestoreOp::Chain(c)) => w.load_chain(&c).map(RestoreOutput::Chain),
                Some(RestoreOp::Finish(ts)) => w.finish(ts).map(RestoreOutput::Finish),
                None => Err(StoreError::invalid("task already ran")),
            }
            .map_err(store_err)
        })
    }

    fn resolve(&mut self, _env: Env, out: RestoreOutput) -> napi::Result<Self::JsValue> {
        Ok(match out {
            RestoreOutput::Unit => Either::A(()),
            RestoreOutput::Load(s) => Either::B(Either::A(load_result(&s))),
            RestoreOutput::Chain(v) => {
                Either::B(Either::B(Either::A(v.iter().map(load_result).collect())))
            }
            RestoreOutput::Finish(s) => Either::B(Either::B(Either::B(RestoreFinishResult {
                max_uid: BigInt::from(s.max_uid),
                max_ns_id: BigInt::from(s.max_ns_id),
                keys: s.keys as f64,
            }))),
        })
    }
}

/// The load options of one file from their JS form.
fn load_options(path: &str, opts: LoadFileOptions) -> napi::Result<LoadOptions> {
    let mut lo = LoadOptions {
        key: opts.key.map(|k| k.to_vec()),
        source: Some(path.to_string()),
        ..Default::default()
    };
    if let Some(c) = &opts.compression {
        lo.compression = Compression::parse(c).map_err(super::errors::to_napi)?;
    }
    if let Some(v) = opts.manifest_version {
        lo.value_names = ValueNameForm::of_manifest_version(v).ok_or_else(|| {
            super::errors::invalid(format!("manifestVersion {v} is not 0, 2103 or 2105"))
        })?;
    }
    lo.threads = int_opt("threads", opts.threads, 1.0, MAX_THREADS as f64)?.map(|v| v as usize);
    lo.batch_bytes =
        int_opt("batchBytes", opts.batch_bytes, 1.0, (4u64 << 30) as f64)?.map(|v| v as usize);
    for (i, p) in opts.predicates.iter().enumerate() {
        let ns = to_u64(&format!("predicates[{i}].namespace"), &p.namespace)?;
        lo.predicates.insert((ns, p.name.as_bytes().to_vec()));
    }
    if let Some(fields) = &opts.type_fields {
        let mut set = std::collections::HashSet::new();
        for (i, p) in fields.iter().enumerate() {
            let ns = to_u64(&format!("typeFields[{i}].namespace"), &p.namespace)?;
            set.insert((ns, p.name.as_bytes().to_vec()));
        }
        lo.type_fields = Some(set);
    }
    Ok(lo)
}

fn load_result(s: &restore::LoadStats) -> LoadFileResult {
    LoadFileResult {
        kvs: s.kvs as f64,
        kept: s.kept as f64,
        max_uid: BigInt::from(s.max_uid),
        max_ns_id: BigInt::from(s.max_ns_id),
    }
}

fn parse_drop(i: usize, d: &DropOp) -> napi::Result<Drop> {
    let ns = |req: bool| -> napi::Result<Option<u64>> {
        match &d.namespace {
            Some(v) => Ok(Some(to_u64(&format!("ops[{i}].namespace"), v)?)),
            None if req => Ok(Some(0)),
            None => Ok(None),
        }
    };
    Ok(match d.op.as_str() {
        "ALL" => Drop::All,
        "DATA" => Drop::Data(ns(false)?),
        "ATTR" => {
            let attr = d.value.as_ref().filter(|v| !v.is_empty()).ok_or_else(|| {
                invalid(format!(
                    "ops[{i}]: an ATTR drop needs the predicate in value"
                ))
            })?;
            Drop::Attr {
                ns: ns(true)?.unwrap_or(0),
                attr: attr.as_bytes().to_vec(),
            }
        }
        "NS" => Drop::Namespace(ns(true)?.unwrap_or(0)),
        other => {
            return Err(invalid(format!(
                "ops[{i}].op '{other}' is not one of ALL, DATA, ATTR, NS"
            )))
        }
    })
}

#[napi]
pub struct RestoreWriter {
    writer: Shared,
}

#[napi]
impl RestoreWriter {
    /// Creates the posting store of one group in `dir` (which must not exist
    /// or be empty). Opening the LMDB environment is quick; the work happens
    /// in the async methods.
    #[napi(constructor)]
    pub fn new(dir: String, opts: RestoreWriterOptions) -> napi::Result<Self> {
        if opts.group == 0 {
            return Err(invalid("group must be >= 1"));
        }
        let restore_ts = opts
            .restore_ts
            .map(|b| to_u64("restoreTs", &Either::A(b)))
            .transpose()?;
        if restore_ts == Some(0) || restore_ts == Some(u64::MAX) {
            return Err(invalid("restoreTs must be in 1..2^64-1"));
        }
        crate::alloc::tune();
        let data_key = data_key_of(opts.data_key.as_ref())?;
        let mut w =
            restore::RestoreWriter::create_sealed(&PathBuf::from(dir), opts.group, data_key)
                .map_err(store_err)?;
        w.set_restore_ts(restore_ts).map_err(store_err)?;
        Ok(RestoreWriter {
            writer: Arc::new(Mutex::new(w)),
        })
    }

    fn task(&self, op: RestoreOp) -> AsyncTask<RestoreTask> {
        AsyncTask::new(RestoreTask {
            writer: Arc::clone(&self.writer),
            op: Some(op),
        })
    }

    /// Applies drop operations in order (spec §10 step 1).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn apply_drops(&self, ops: Vec<DropOp>) -> napi::Result<AsyncTask<RestoreTask>> {
        let drops = ops
            .iter()
            .enumerate()
            .map(|(i, d)| parse_drop(i, d))
            .collect::<napi::Result<Vec<_>>>()?;
        Ok(self.task(RestoreOp::Drops(drops)))
    }

    /// Deletes every SCHEMA and TYPE key (spec §10 step 2).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn reset_schema(&self) -> AsyncTask<RestoreTask> {
        self.task(RestoreOp::ResetSchema)
    }

    /// Streams one backup file into the store (spec §10 step 3).
    #[napi(ts_return_type = "Promise<LoadFileResult>")]
    pub fn load_backup_file(
        &self,
        path: String,
        opts: LoadFileOptions,
    ) -> napi::Result<AsyncTask<RestoreTask>> {
        let lo = load_options(&path, opts)?;
        Ok(self.task(RestoreOp::Load(PathBuf::from(path), Box::new(lo))))
    }

    /// Loads a group's whole chain at once, its files merged in key order:
    /// in place of `applyDrops`, `resetSchema` and `loadBackupFile` for each
    /// backup, for files in the store's key order (Strata's own backups), so
    /// that the store is not copied at `finish`. Resolves with the result of
    /// each file in the chain's order. Rejects with `STORE_KEYS_OUT_OF_ORDER` when
    /// a file is not in that order, with the store emptied again: the chain
    /// can then be loaded file by file with the same writer.
    #[napi(ts_return_type = "Promise<LoadFileResult[]>")]
    pub fn load_chain(
        &self,
        backups: Vec<ChainBackupInput>,
    ) -> napi::Result<AsyncTask<RestoreTask>> {
        let mut chain = Vec::with_capacity(backups.len());
        for b in backups {
            let drops = b
                .drops
                .iter()
                .enumerate()
                .map(|(i, d)| parse_drop(i, d))
                .collect::<napi::Result<Vec<_>>>()?;
            let mut files = Vec::with_capacity(b.files.len());
            for f in b.files {
                let opts = load_options(&f.path, f.options)?;
                files.push(ChainFile {
                    path: PathBuf::from(f.path),
                    opts,
                });
            }
            chain.push(ChainBackup { drops, files });
        }
        Ok(self.task(RestoreOp::Chain(chain)))
    }

    /// Records the leases and the read ts, marks the store complete and
    /// closes it. Later calls fail.
    #[napi(ts_return_type = "Promise<RestoreFinishResult>")]
    pub fn finish(&self, read_ts: Either<BigInt, f64>) -> napi::Result<AsyncTask<RestoreTask>> {
        let ts = to_u64("readTs", &read_ts)?;
        Ok(self.task(RestoreOp::Finish(ts)))
    }
}
