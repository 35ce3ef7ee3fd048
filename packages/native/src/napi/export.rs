//! `exportRdf` / `exportRdfStream`: the canonical RDF dump of one or more
//! posting stores, in memory or pulled chunk by chunk ([`ExportStream`]).

use super::errors::{data_key_of, int_opt, invalid, no_panic, store_err, to_u64};
use crate::export::runs::{MAX_RUN_BYTES, MIN_RUN_BYTES};
use crate::export::stream::{self, ExportSource, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES};
use crate::export::{export_dirs, ExportOptions, ExportOutput, StoreDir};
use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, Either, Null};
use napi::{Env, Task};
use napi_derive::napi;
use std::path::PathBuf;
use std::sync::Arc;

#[napi(object)]
pub struct ExportRdfOptions {
    /// Read timestamp (default: the newest version of every key).
    pub read_ts: Option<Either<BigInt, f64>>,
    /// Folder for the sort's run files (default: the OS temp folder). A
    /// private subfolder is made there and removed when the export ends.
    pub tmp_dir: Option<String>,
    /// Bytes of lines sorted in memory before a run is spilled to a file
    /// (default 32 MiB; 1..=1 GiB).
    pub run_bytes: Option<f64>,
    /// Bytes per chunk returned by `ExportStream.next()` (default 1 MiB;
    /// 1..=64 MiB; a chunk ends on a line end).
    pub chunk_bytes: Option<f64>,
    /// One per folder of `dirs`, in order: the data key (32 bytes) of a
    /// store encrypted at rest, or an empty Buffer for a plain store.
    /// Absent: every store is plain.
    pub data_keys: Option<Vec<Buffer>>,
}

#[napi(object)]
pub struct ExportRdfResult {
    /// `data.rdf`: facts sorted bytewise, unique, each ending in `\n`.
    pub data: Buffer,
    /// `schema.txt`: predicate lines, then type blocks.
    pub schema: Buffer,
    pub facts: f64,
}

#[napi(object)]
pub struct ExportSummary {
    /// `schema.txt`: predicate lines, then type blocks.
    pub schema: Buffer,
    /// Lines of `data.rdf`.
    pub facts: f64,
}

pub(crate) fn parse_options(
    opts: Option<ExportRdfOptions>,
) -> napi::Result<(ExportOptions, Option<usize>)> {
    let Some(o) = opts else {
        return Ok((ExportOptions::default(), None));
    };
    let read_ts = match &o.read_ts {
        Some(v) => Some(to_u64("readTs", v)?),
        None => None,
    };
    let run_bytes = int_opt(
        "runBytes",
        o.run_bytes,
        MIN_RUN_BYTES as f64,
        MAX_RUN_BYTES as f64,
    )?;
    let chunk_bytes = int_opt(
        "chunkBytes",
        o.chunk_bytes,
        MIN_CHUNK_BYTES as f64,
        MAX_CHUNK_BYTES as f64,
    )?;
    Ok((
        ExportOptions {
            read_ts,
            tmp_dir: o.tmp_dir.map(PathBuf::from),
            run_bytes: run_bytes.map(|v| v as usize),
        },
        chunk_bytes.map(|v| v as usize),
    ))
}

/// The folders to export with their data keys (taken out of `opts`).
fn dirs_of(
    dirs: Either<String, Vec<String>>,
    opts: &mut Option<ExportRdfOptions>,
) -> napi::Result<Vec<StoreDir>> {
    let dirs: Vec<PathBuf> = match dirs {
        Either::A(d) => vec![PathBuf::from(d)],
        Either::B(v) => v.into_iter().map(PathBuf::from).collect(),
    };
    let Some(keys) = opts.as_mut().and_then(|o| o.data_keys.take()) else {
        return Ok(dirs.into_iter().map(StoreDir::from).collect());
    };
    if keys.len() != dirs.len() {
        return Err(invalid(format!(
            "dataKeys has {} entries for {} store folders: give one per folder (empty for a plain store)",
            keys.len(),
            dirs.len()
        )));
    }
    dirs.into_iter()
        .zip(keys)
        .map(|(dir, k)| {
            let data_key = if k.is_empty() {
                None
            } else {
                data_key_of(Some(&k))?
            };
            Ok(StoreDir { dir, data_key })
        })
        .collect()
}

pub struct ExportTask {
    dirs: Vec<StoreDir>,
    opts: ExportOptions,
}

impl Task for ExportTask {
    type Output = ExportOutput;
    type JsValue = ExportRdfResult;

    fn compute(&mut self) -> napi::Result<ExportOutput> {
        no_panic(|| export_dirs(&self.dirs, &self.opts).map_err(store_err))
    }

    fn resolve(&mut self, _env: Env, out: ExportOutput) -> napi::Result<ExportRdfResult> {
        Ok(ExportRdfResult {
            data: Buffer::from(out.data),
            schema: Buffer::from(out.schema),
            facts: out.facts as f64,
        })
    }
}

/// Exports the union of the posting stores in `dirs` (one folder per group,
/// e.g. `p1`, `p2`, ...) as canonical `data.rdf` and `schema.txt`, in
/// memory: for small stores; `exportRdfStream` streams.
#[napi(ts_return_type = "Promise<ExportRdfResult>")]
pub fn export_rdf(
    dirs: Either<String, Vec<String>>,
    mut opts: Option<ExportRdfOptions>,
) -> napi::Result<AsyncTask<ExportTask>> {
    let dirs = dirs_of(dirs, &mut opts)?;
    let (opts, _) = parse_options(opts)?;
    Ok(AsyncTask::new(ExportTask { dirs, opts }))
}

pub struct NextTask {
    stream: Arc<stream::ExportStream>,
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

/// The canonical `data.rdf` of one or more stores, pulled chunk by chunk
/// (concatenated in order, the chunks are the file), with memory bounded by
/// the run buffer. The first `next()` scans the stores (and may take a
/// while); `schema()` is available from then on.
#[napi]
pub struct ExportStream {
    stream: Arc<stream::ExportStream>,
}

impl ExportStream {
    pub(crate) fn new(source: ExportSource, opts: Option<ExportRdfOptions>) -> napi::Result<Self> {
        let (opts, chunk_bytes) = parse_options(opts)?;
        Ok(ExportStream {
            stream: Arc::new(stream::ExportStream::new(source, opts, chunk_bytes)),
        })
    }
}

#[napi]
impl ExportStream {
    /// The next chunk of `data.rdf`, or null at the end. Await each call
    /// before the next one. An error ends the stream.
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub fn next(&self) -> AsyncTask<NextTask> {
        AsyncTask::new(NextTask {
            stream: Arc::clone(&self.stream),
        })
    }

    /// `schema.txt`; available once the first next() has resolved.
    #[napi]
    pub fn schema(&self) -> napi::Result<Buffer> {
        self.stream
            .schema()
            .map(Buffer::from)
            .ok_or_else(|| invalid("schema() is available once the first next() has resolved"))
    }

    /// Schema and line count; available once next() has returned null.
    #[napi]
    pub fn summary(&self) -> napi::Result<ExportSummary> {
        self.stream
            .summary()
            .map(|(schema, facts)| ExportSummary {
                schema: Buffer::from(schema),
                facts: facts as f64,
            })
            .ok_or_else(|| invalid("summary() is available once next() has returned null"))
    }

    /// Stops the export and removes its temp files (at once, or when a
    /// running next() ends); a pending or later next() rejects.
    #[napi]
    pub fn abort(&self) {
        self.stream.abort();
    }
}

/// Streams the union of the posting stores in `dirs` (opened read-only when
/// the first next() runs).
#[napi]
pub fn export_rdf_stream(
    dirs: Either<String, Vec<String>>,
    mut opts: Option<ExportRdfOptions>,
) -> napi::Result<ExportStream> {
    let dirs = dirs_of(dirs, &mut opts)?;
    ExportStream::new(ExportSource::Dirs(dirs), opts)
}
