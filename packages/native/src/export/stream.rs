//! [`ExportStream`]: the canonical dump of one or more stores, pulled chunk
//! by chunk. The first [`ExportStream::next_chunk`] scans every store into
//! the external sort (one LMDB read transaction per store = the snapshot);
//! later calls hand out the merged lines, `chunk_bytes` at a time (a chunk
//! ends on a line end, so it may pass `chunk_bytes` by one line).

use super::runs::Merger;
use super::{add_dirs, ExportOptions, Exporter, StoreDir};
use crate::store::error::{Result, StoreError};
use crate::store::live::LiveStore;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Default chunk size: 1 MiB.
pub const DEFAULT_CHUNK_BYTES: usize = 1 << 20;
pub const MIN_CHUNK_BYTES: usize = 1;
pub const MAX_CHUNK_BYTES: usize = 64 << 20;

/// What is exported.
pub enum ExportSource {
    /// Store folders opened read-only (one per group).
    Dirs(Vec<StoreDir>),
    /// An open store.
    Live(Arc<LiveStore>),
}

enum State {
    Pending(ExportSource),
    Merging { schema: Vec<u8>, merger: Merger },
    Done { schema: Vec<u8>, facts: u64 },
    Failed,
}

pub struct ExportStream {
    opts: ExportOptions,
    chunk_bytes: usize,
    aborted: AtomicBool,
    state: Mutex<State>,
}

fn aborted_err() -> StoreError {
    StoreError::invalid("the export was aborted")
}

impl ExportStream {
    pub fn new(source: ExportSource, opts: ExportOptions, chunk_bytes: Option<usize>) -> Self {
        ExportStream {
            opts,
            chunk_bytes: chunk_bytes
                .unwrap_or(DEFAULT_CHUNK_BYTES)
                .clamp(MIN_CHUNK_BYTES, MAX_CHUNK_BYTES),
            aborted: AtomicBool::new(false),
            state: Mutex::new(State::Pending(source)),
        }
    }

    /// The next chunk of `data.rdf`, or None once every line was returned.
    /// An error (or a panic) ends the stream and removes its temp files.
    pub fn next_chunk(&self) -> Result<Option<Vec<u8>>> {
        let mut g = match self.state.lock() {
            Ok(g) => g,
            Err(p) => {
                let mut g = p.into_inner();
                *g = State::Failed;
                return Err(StoreError::invalid(
                    "the export is unusable after a panic in an earlier call",
                ));
            }
        };
        // Whatever happens below, a failure drops the state (and the runs).
        let state = std::mem::replace(&mut *g, State::Failed);
        let (next, out) = self.step(state)?;
        *g = next;
        Ok(out)
    }

    fn stop(&self) -> Option<StoreError> {
        self.aborted.load(Ordering::Relaxed).then(aborted_err)
    }

    fn step(&self, state: State) -> Result<(State, Option<Vec<u8>>)> {
        if let Some(e) = self.stop() {
            return Err(e);
        }
        let (schema, mut merger) = match state {
            State::Pending(source) => self.scan(source)?,
            State::Merging { schema, merger } => (schema, merger),
            done @ State::Done { .. } => return Ok((done, None)),
            State::Failed => {
                return Err(StoreError::invalid(
                    "the export failed or was aborted earlier",
                ))
            }
        };
        let mut chunk = Vec::with_capacity(self.chunk_bytes.min(DEFAULT_CHUNK_BYTES));
        if merger.fill(&mut chunk, self.chunk_bytes)? {
            return Ok((State::Merging { schema, merger }, Some(chunk)));
        }
        let facts = merger.lines();
        Ok((State::Done { schema, facts }, None))
    }

    fn scan(&self, source: ExportSource) -> Result<(Vec<u8>, Merger)> {
        let mut ex = Exporter::new(self.opts.sorter());
        let read_ts = self.opts.read_ts.unwrap_or(u64::MAX);
        let stop = || self.stop();
        match source {
            ExportSource::Dirs(dirs) => add_dirs(&mut ex, &dirs, read_ts, &stop)?,
            ExportSource::Live(store) => store.export_into(&mut ex, read_ts, &stop)?,
        }
        ex.finish()
    }

    /// `schema.txt`, once the first next_chunk() has returned.
    pub fn schema(&self) -> Option<Vec<u8>> {
        match &*self.state.lock().ok()? {
            State::Merging { schema, .. } | State::Done { schema, .. } => Some(schema.clone()),
            _ => None,
        }
    }

    /// `(schema.txt, facts)`, once next_chunk() has returned None.
    pub fn summary(&self) -> Option<(Vec<u8>, u64)> {
        match &*self.state.lock().ok()? {
            State::Done { schema, facts } => Some((schema.clone(), *facts)),
            _ => None,
        }
    }

    /// Stops the export: a running or later next_chunk() fails. When no
    /// call is running the temp files are removed now, else when it ends.
    pub fn abort(&self) {
        self.aborted.store(true, Ordering::Relaxed);
        if let Ok(mut g) = self.state.try_lock() {
            *g = State::Failed;
        }
    }
}
