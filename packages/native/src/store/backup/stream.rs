//! [`BackupStream`]: a backup running on its own thread, its file bytes
//! pulled chunk by chunk through a bounded channel.

use super::select::write_backup;
use super::{check_options, BackupOptions, BackupSummary};
use crate::codec::writer::{Writer, WriterConfig};
use crate::store::error::{Result, StoreError};
use crate::store::live::LiveStore;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// Chunks the producer may run ahead of the consumer.
const CHANNEL_DEPTH: usize = 2;

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
        opts.chunk_size = opts.chunk_size();
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
