//! `exportRdf`: the canonical RDF dump of one or more posting stores.

use super::errors::{no_panic, store_err, to_u64};
use crate::export::{export_dirs, ExportOptions, ExportOutput};
use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use std::path::PathBuf;

#[napi(object)]
pub struct ExportRdfOptions {
    /// Read timestamp (default: the newest version of every key).
    pub read_ts: Option<Either<BigInt, f64>>,
}

#[napi(object)]
pub struct ExportRdfResult {
    /// `data.rdf`: facts sorted bytewise, unique, each ending in `\n`.
    pub data: Buffer,
    /// `schema.txt`: predicate lines, then type blocks.
    pub schema: Buffer,
    pub facts: f64,
}

pub struct ExportTask {
    dirs: Vec<PathBuf>,
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
/// e.g. `p1`, `p2`, ...) as canonical `data.rdf` and `schema.txt`.
#[napi(ts_return_type = "Promise<ExportRdfResult>")]
pub fn export_rdf(
    dirs: Either<String, Vec<String>>,
    opts: Option<ExportRdfOptions>,
) -> napi::Result<AsyncTask<ExportTask>> {
    let dirs = match dirs {
        Either::A(d) => vec![PathBuf::from(d)],
        Either::B(v) => v.into_iter().map(PathBuf::from).collect(),
    };
    let read_ts = match opts.and_then(|o| o.read_ts) {
        Some(v) => Some(to_u64("readTs", &v)?),
        None => None,
    };
    Ok(AsyncTask::new(ExportTask {
        dirs,
        opts: ExportOptions { read_ts },
    }))
}
