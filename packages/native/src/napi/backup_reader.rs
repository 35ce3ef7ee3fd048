//! `BackupReader`: JS class over [`crate::codec::reader::Reader`]. `push`
//! and `finish` return Promises (napi AsyncTask); state sits behind a Mutex.

use super::errors::{codec_err, int_opt, no_panic, poisoned, to_napi};
use super::proto::{to_js_kv, DecodedKv};
use crate::codec::reader::{self, Compression, ReadMode, Reader, ReaderConfig};
use crate::codec::writer::MAX_THREADS;
use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use std::sync::{Arc, Mutex};

#[napi(object)]
pub struct ReaderOptions {
    /// 16/24/32-byte AES key (the file then starts with a 16-byte IV).
    pub key: Option<Buffer>,
    #[napi(ts_type = "'auto' | 'gzip' | 'snappy' | 's2'")]
    pub compression: Option<String>,
    #[napi(ts_type = "'bytes' | 'kvs' | 'stats'")]
    pub mode: Option<String>,
    /// Decompression threads (default: available parallelism).
    pub threads: Option<f64>,
    /// Name of the input (e.g. the file name), included in error messages.
    pub source: Option<String>,
    /// 'bytes' mode: return the decompressed stream as `chunks` (the pieces,
    /// zero-copy) instead of one concatenated `bytes` Buffer.
    pub chunks: Option<bool>,
}

#[napi(object)]
pub struct PredicateStats {
    pub predicate: String,
    pub key_type: String,
    pub keys: f64,
    pub uids: f64,
    pub postings: f64,
    pub namespace: Option<BigInt>,
    /// Smallest version of the row's KVs.
    pub min_version: BigInt,
    /// Largest version of the row's KVs.
    pub max_version: BigInt,
}

#[napi(object)]
pub struct BackupStats {
    pub frames: f64,
    pub kvs: f64,
    pub bytes_in: f64,
    pub bytes_decompressed: f64,
    /// `gzip`, `snappy` (golang/snappy framing) or `s2` (S2 framing).
    pub framing: String,
    pub entries: Vec<PredicateStats>,
}

#[napi(object)]
pub struct ReadOutput {
    pub bytes: Option<Buffer>,
    /// With `chunks: true` ('bytes' mode): the decompressed bytes, in order.
    pub chunks: Option<Vec<Buffer>>,
    pub kvs: Option<Vec<DecodedKv>>,
    pub stats: Option<BackupStats>,
    /// The call stopped at its output budget with input left over: call
    /// `push(Buffer.alloc(0))` until `more` is false before pushing more
    /// input or calling `finish()`, so that memory stays bounded.
    pub more: bool,
}

#[napi]
pub struct BackupReader {
    reader: Arc<Mutex<Reader>>,
}

pub struct ReadTask {
    reader: Arc<Mutex<Reader>>,
    chunk: Option<Buffer>,
}

impl Task for ReadTask {
    type Output = reader::ReadOutput;
    type JsValue = ReadOutput;

    fn compute(&mut self) -> napi::Result<reader::ReadOutput> {
        no_panic(|| {
            let mut r = self.reader.lock().map_err(|_| poisoned())?;
            match &self.chunk {
                Some(c) => r.push(c),
                None => r.finish(),
            }
            .map_err(to_napi)
        })
    }

    fn resolve(&mut self, _env: Env, out: reader::ReadOutput) -> napi::Result<ReadOutput> {
        Ok(ReadOutput {
            more: out.more,
            bytes: out.bytes.map(Buffer::from),
            chunks: out
                .chunks
                .map(|c| c.into_iter().map(Buffer::from).collect()),
            kvs: out.kvs.map(|v| v.into_iter().map(to_js_kv).collect()),
            stats: out.stats.map(|s| BackupStats {
                frames: s.frames as f64,
                kvs: s.kvs as f64,
                bytes_in: s.bytes_in as f64,
                bytes_decompressed: s.bytes_decompressed as f64,
                framing: s.framing.to_string(),
                entries: s
                    .entries
                    .into_iter()
                    .map(|e| PredicateStats {
                        predicate: e.predicate,
                        key_type: e.key_type.to_string(),
                        keys: e.keys as f64,
                        uids: e.uids as f64,
                        postings: e.postings as f64,
                        namespace: (e.namespace != 0).then(|| BigInt::from(e.namespace)),
                        min_version: BigInt::from(e.min_version),
                        max_version: BigInt::from(e.max_version),
                    })
                    .collect(),
            }),
        })
    }
}

#[napi]
impl BackupReader {
    #[napi(constructor)]
    pub fn new(opts: Option<ReaderOptions>) -> napi::Result<Self> {
        let mut cfg = ReaderConfig::default();
        let mut chunks = false;
        if let Some(o) = opts {
            cfg.source = o.source;
            let src = cfg.source.clone();
            let with_src = codec_err(src.as_deref());
            if let Some(c) = &o.compression {
                cfg.compression = Compression::parse(c).map_err(&with_src)?;
            }
            if let Some(m) = &o.mode {
                cfg.mode = ReadMode::parse(m).map_err(&with_src)?;
            }
            cfg.threads =
                int_opt("threads", o.threads, 1.0, MAX_THREADS as f64)?.map(|v| v as usize);
            cfg.key = o.key.map(|k| k.to_vec());
            chunks = o.chunks.unwrap_or(false);
        }
        let src = cfg.source.clone();
        let mut reader = Reader::new(cfg).map_err(codec_err(src.as_deref()))?;
        reader.set_chunks(chunks);
        Ok(BackupReader {
            reader: Arc::new(Mutex::new(reader)),
        })
    }

    /// Feeds file bytes (any chunking).
    #[napi(ts_return_type = "Promise<ReadOutput>")]
    pub fn push(&self, chunk: Buffer) -> AsyncTask<ReadTask> {
        AsyncTask::new(ReadTask {
            reader: Arc::clone(&self.reader),
            chunk: Some(chunk),
        })
    }

    /// End of input: checks nothing is truncated; returns stats in 'stats' mode.
    #[napi(ts_return_type = "Promise<ReadOutput>")]
    pub fn finish(&self) -> AsyncTask<ReadTask> {
        AsyncTask::new(ReadTask {
            reader: Arc::clone(&self.reader),
            chunk: None,
        })
    }
}
