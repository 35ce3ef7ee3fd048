//! `BackupWriter`: JS class over [`crate::codec::writer::Writer`]. Every
//! method that does work returns a Promise (napi AsyncTask on the libuv
//! threadpool); the writer state sits behind a Mutex.

use super::errors::{int_opt, no_panic, poisoned, to_napi};
use super::proto::{encode, KvEntry};
use crate::codec::gzip::{MAX_LEVEL, MIN_LEVEL};
use crate::codec::writer::{WriteCompression, Writer, WriterConfig, MAX_BLOCK_SIZE, MAX_THREADS};
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[napi(object)]
pub struct WriterOptions {
    /// libdeflate level 0..=12 (default 6); checked but unused for snappy.
    pub level: Option<f64>,
    /// 16/24/32-byte AES key: the output starts with a random IV and is
    /// AES-CTR encrypted.
    pub key: Option<Buffer>,
    /// Compression threads (default: available parallelism).
    pub threads: Option<f64>,
    /// Bytes of framed input per gzip member / per snappy job (default 1 MiB).
    pub block_size: Option<f64>,
    /// 'gzip' (default): parallel gzip members. 'snappy': golang/snappy
    /// framing (chunks of at most 64 KiB), as Dgraph v21.03 to v24 write.
    /// 's2': the same chunks under S2's stream identifier, as v25 writes.
    #[napi(ts_type = "'gzip' | 'snappy' | 's2'")]
    pub compression: Option<String>,
    /// true: any bytes (an export's text) instead of framed KV lists; the
    /// frames are not checked and writeKvList is refused. Default false.
    pub raw: Option<bool>,
}

struct Shared {
    writer: Mutex<Writer>,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

#[napi]
pub struct BackupWriter {
    shared: Arc<Shared>,
}

pub enum WriteOp {
    Framed(Buffer),
    Owned(Vec<u8>),
    KvList(Buffer),
    Finish,
}

pub struct WriteTask {
    shared: Arc<Shared>,
    op: Option<WriteOp>,
}

impl Task for WriteTask {
    type Output = Vec<u8>;
    type JsValue = Buffer;

    fn compute(&mut self) -> napi::Result<Vec<u8>> {
        no_panic(|| {
            let mut w = self.shared.writer.lock().map_err(|_| poisoned())?;
            let out = match self.op.take() {
                Some(WriteOp::Framed(b)) => w.write_framed(&b),
                Some(WriteOp::Owned(v)) => w.write_framed(&v),
                Some(WriteOp::KvList(b)) => w.write_kv_list(&b),
                Some(WriteOp::Finish) => w.finish(),
                None => Err(crate::codec::error::CodecError::invalid("task already ran")),
            }
            .map_err(to_napi)?;
            self.shared.bytes_in.store(w.bytes_in(), Ordering::Relaxed);
            self.shared
                .bytes_out
                .store(w.bytes_out(), Ordering::Relaxed);
            Ok(out)
        })
    }

    fn resolve(&mut self, _env: Env, output: Vec<u8>) -> napi::Result<Buffer> {
        Ok(Buffer::from(output))
    }
}

#[napi]
impl BackupWriter {
    #[napi(constructor)]
    pub fn new(opts: Option<WriterOptions>) -> napi::Result<Self> {
        let mut cfg = WriterConfig::default();
        if let Some(o) = opts {
            if let Some(c) = &o.compression {
                cfg.compression = WriteCompression::parse(c).map_err(to_napi)?;
            }
            cfg.level =
                int_opt("level", o.level, MIN_LEVEL as f64, MAX_LEVEL as f64)?.map(|v| v as i32);
            cfg.threads =
                int_opt("threads", o.threads, 1.0, MAX_THREADS as f64)?.map(|v| v as usize);
            cfg.block_size =
                int_opt("blockSize", o.block_size, 1.0, MAX_BLOCK_SIZE as f64)?.map(|v| v as usize);
            cfg.key = o.key.map(|k| k.to_vec());
            cfg.raw = o.raw.unwrap_or(false);
        }
        let writer = Writer::new(cfg).map_err(to_napi)?;
        Ok(BackupWriter {
            shared: Arc::new(Shared {
                writer: Mutex::new(writer),
                bytes_in: AtomicU64::new(0),
                bytes_out: AtomicU64::new(0),
            }),
        })
    }

    fn task(&self, op: WriteOp) -> AsyncTask<WriteTask> {
        AsyncTask::new(WriteTask {
            shared: Arc::clone(&self.shared),
            op: Some(op),
        })
    }

    /// Appends already framed bytes ((u64 LE length + KVList)*, any chunking).
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn write_framed(&self, bytes: Buffer) -> AsyncTask<WriteTask> {
        self.task(WriteOp::Framed(bytes))
    }

    /// Appends one serialized KVList as one frame.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn write_kv_list(&self, list: Buffer) -> AsyncTask<WriteTask> {
        self.task(WriteOp::KvList(list))
    }

    /// Encodes the KVs as one KVList frame (convenience for small batches).
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn write_kvs(&self, kvs: Vec<KvEntry>) -> napi::Result<AsyncTask<WriteTask>> {
        let list = encode(&kvs)?;
        let mut framed = Vec::with_capacity(list.len() + 8);
        crate::codec::frame::encode_frame(&list, &mut framed);
        Ok(self.task(WriteOp::Owned(framed)))
    }

    /// Flushes the last block; returns the rest of the file.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn finish(&self) -> AsyncTask<WriteTask> {
        self.task(WriteOp::Finish)
    }

    /// Framed bytes accepted so far.
    #[napi(getter)]
    pub fn bytes_in(&self) -> f64 {
        self.shared.bytes_in.load(Ordering::Relaxed) as f64
    }

    /// File bytes returned so far (including the IV).
    #[napi(getter)]
    pub fn bytes_out(&self) -> f64 {
        self.shared.bytes_out.load(Ordering::Relaxed) as f64
    }
}
