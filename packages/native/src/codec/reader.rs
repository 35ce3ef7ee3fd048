//! Backup file reader: file bytes in (any chunking), decompressed frames out
//! as bytes, decoded KVs or statistics. The state machine lives here: IV and
//! decryption, detection ([`super::compression`]), decompression, then the
//! frame stage ([`super::frame_jobs`]).

use super::aes_ctr::{check_key, AesCtr, IV_LEN};
pub use super::compression::Compression;
use super::compression::{make_decompressor, not_a_backup, Chunk, Decompressor};
use super::error::{CodecError, ErrorCode, Result};
use super::frame::FrameDecoder;
use super::frame_jobs::{frame_job, Done, Merged};
use super::pool::{default_threads, OrderedPool};
use super::snappy::STREAM_ID_HEAD;
use super::writer::MAX_THREADS;
use crate::format::kv::{DecodedKv, PredicateStats, StatsAcc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadMode {
    #[default]
    Bytes,
    Kvs,
    Stats,
}

impl ReadMode {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "bytes" => ReadMode::Bytes,
            "kvs" => ReadMode::Kvs,
            "stats" => ReadMode::Stats,
            other => {
                return Err(CodecError::invalid(format!(
                    "mode '{other}' is not one of bytes, kvs, stats"
                )))
            }
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReaderConfig {
    pub key: Option<Vec<u8>>,
    pub compression: Compression,
    pub mode: ReadMode,
    pub threads: Option<usize>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupStats {
    pub frames: u64,
    pub kvs: u64,
    pub bytes_in: u64,
    pub bytes_decompressed: u64,
    /// The file's framing: `gzip`, `snappy` or `s2`.
    pub framing: &'static str,
    pub entries: Vec<PredicateStats>,
}

#[derive(Debug, Default)]
pub struct ReadOutput {
    pub bytes: Option<Vec<u8>>,
    /// 'bytes' mode with [`ReaderConfig::chunks`]: the pieces of `bytes`.
    pub chunks: Option<Vec<Vec<u8>>>,
    pub kvs: Option<Vec<DecodedKv>>,
    pub stats: Option<BackupStats>,
    /// The call stopped at its output budget ([`OUTPUT_PER_CALL`]) with
    /// input left over: call `push(&[])` until `more` is false before
    /// pushing more input or finishing, so that memory stays bounded.
    /// (A caller that ignores `more` still gets everything, in order: the
    /// next non-empty push, or `finish`, decodes the rest with no budget.)
    pub more: bool,
}

/// Decompressed bytes one `push` call decodes before it returns with
/// [`ReadOutput::more`] ('bytes' and 'stats' modes).
pub const OUTPUT_PER_CALL: usize = 8 << 20;
/// The same for 'kvs' mode, where a decoded KV weighs more than its bytes.
pub const KVS_OUTPUT_PER_CALL: usize = 4 << 20;

pub struct Reader {
    cfg: ReaderConfig,
    threads: usize,
    bytes_in: u64,
    iv: Vec<u8>,
    cipher: Option<AesCtr>,
    /// Decrypted input the decompressor has not taken yet (from `pending_at`).
    pending: Vec<u8>,
    pending_at: usize,
    /// First bytes of the (decrypted) compressed stream, until detection.
    head: Vec<u8>,
    decomp: Option<Decompressor>,
    frames: FrameDecoder,
    /// Frame checking / decoding / counting, off the calling thread.
    frame_pool: Option<OrderedPool<Result<Done>>>,
    merged: Merged,
    /// See [`Reader::set_chunks`].
    chunks: bool,
    stats: StatsAcc,
    finished: bool,
    failed: bool,
}

impl Reader {
    pub fn new(cfg: ReaderConfig) -> Result<Self> {
        if let Some(k) = &cfg.key {
            check_key(k)?;
        }
        let threads = cfg.threads.unwrap_or_else(default_threads);
        if threads == 0 || threads > MAX_THREADS {
            return Err(CodecError::invalid(format!(
                "threads {threads} is out of range (1..={MAX_THREADS})"
            )));
        }
        Ok(Reader {
            cfg,
            threads,
            bytes_in: 0,
            iv: Vec::new(),
            cipher: None,
            pending: Vec::new(),
            pending_at: 0,
            head: Vec::new(),
            decomp: None,
            frames: FrameDecoder::new(true),
            frame_pool: None,
            merged: Merged::default(),
            chunks: false,
            stats: StatsAcc::default(),
            finished: false,
            failed: false,
        })
    }

    /// 'bytes' mode: return the decompressed pieces as they are
    /// ([`ReadOutput::chunks`]) instead of concatenating them into `bytes`.
    pub fn set_chunks(&mut self, on: bool) {
        self.chunks = on;
    }

    pub fn push(&mut self, data: &[u8]) -> Result<ReadOutput> {
        self.guard(|r| r.push_inner(data))
    }

    pub fn finish(&mut self) -> Result<ReadOutput> {
        self.guard(|r| r.finish_inner())
    }

    fn guard(&mut self, f: impl FnOnce(&mut Self) -> Result<ReadOutput>) -> Result<ReadOutput> {
        if self.finished {
            return Err(CodecError::invalid("the reader is finished"));
        }
        if self.failed {
            return Err(CodecError::invalid("the reader failed earlier"));
        }
        f(self).map_err(|e| {
            self.failed = true;
            e.with_source(self.cfg.source.as_deref())
        })
    }

    fn push_inner(&mut self, input: &[u8]) -> Result<ReadOutput> {
        self.bytes_in += input.len() as u64;
        let chunks = Vec::new();
        let decrypted;
        let started;
        let mut data: &[u8] = input;
        if let Some(key) = &self.cfg.key {
            if self.cipher.is_none() {
                let take = (IV_LEN - self.iv.len()).min(data.len());
                self.iv.extend_from_slice(&data[..take]);
                data = &data[take..];
                if self.iv.len() < IV_LEN {
                    return self.output(chunks);
                }
                let iv: [u8; IV_LEN] = self.iv[..].try_into().expect("16 bytes");
                self.cipher = Some(AesCtr::new(key, &iv)?);
            }
            let mut buf = data.to_vec();
            self.cipher.as_mut().expect("cipher").apply(&mut buf);
            decrypted = buf;
            data = &decrypted;
        }
        if self.decomp.is_none() {
            self.head.extend_from_slice(data);
            if self.head.len() < STREAM_ID_HEAD.len() {
                return self.output(chunks);
            }
            self.detect()?;
            started = std::mem::take(&mut self.head);
            data = &started;
        }
        let mut budget = match self.cfg.mode {
            ReadMode::Kvs => KVS_OUTPUT_PER_CALL,
            ReadMode::Bytes | ReadMode::Stats => OUTPUT_PER_CALL,
        };
        let mut chunks = chunks;
        let mut pending = std::mem::take(&mut self.pending);
        if !data.is_empty() && !pending.is_empty() {
            // The caller ignored `more`: decode all of it, as a caller that
            // does not know about `more` expects (its memory, unbounded).
            budget = usize::MAX;
            pending.drain(..self.pending_at);
            self.pending_at = 0;
            pending.extend_from_slice(data);
        }
        let input = if pending.is_empty() {
            data
        } else {
            &pending[self.pending_at..]
        };
        let mut sink = |c: Chunk| chunks.push(c);
        let pushed = self
            .decomp
            .as_mut()
            .expect("decompressor")
            .push_limited(input, budget, &mut sink);
        let used = match pushed {
            Ok(used) => used,
            Err(e) => return Err(self.fail_after(chunks, e)),
        };
        if used < input.len() {
            if pending.is_empty() {
                pending = input[used..].to_vec();
            } else {
                self.pending_at += used;
            }
        } else {
            pending.clear();
            self.pending_at = 0;
        }
        self.pending = pending;
        let mut out = self.output(chunks)?;
        out.more = !self.pending.is_empty();
        Ok(out)
    }

    /// The decompressor failed with `e` after producing `chunks`: those come
    /// first in the stream, so their frames are checked before `e` is
    /// reported (the same error whatever the input chunking).
    fn fail_after(&mut self, mut chunks: Vec<Chunk>, e: CodecError) -> CodecError {
        chunks.push(Err(e.clone()));
        self.feed_frames(chunks);
        self.wait_frames();
        self.merged.err.take().unwrap_or(e)
    }

    /// Waits for every frame job; results go to `self.merged`.
    fn wait_frames(&mut self) {
        if let Some(pool) = &mut self.frame_pool {
            let (merged, stats) = (&mut self.merged, &mut self.stats);
            pool.wait_all(&mut |r| merged.take(r, stats));
        }
    }

    /// Chooses the decompressor from the options and the first bytes.
    fn detect(&mut self) -> Result<()> {
        let Some(found) = Compression::sniff(&self.head) else {
            return Err(not_a_backup(self.cfg.key.is_some()));
        };
        self.decomp = Some(make_decompressor(
            self.cfg.compression,
            found,
            self.threads,
        )?);
        // (fewer results in flight than the decompressor: they are whole chunks)
        self.frame_pool = Some(OrderedPool::new(self.threads, self.threads + 2));
        Ok(())
    }

    fn finish_inner(&mut self) -> Result<ReadOutput> {
        self.finished = true;
        if self.bytes_in == 0 {
            return Err(CodecError::new(ErrorCode::Empty, "empty file"));
        }
        if self.cfg.key.is_some() && self.cipher.is_none() {
            return Err(CodecError::truncated(format!(
                "input ended inside the 16-byte IV ({} bytes)",
                self.iv.len()
            )));
        }
        if self.decomp.is_none() {
            let n = self.head.len();
            if n > 0 && !Compression::is_magic_prefix(&self.head) {
                // Too short to be anything, and not a prefix of a known magic.
                return Err(not_a_backup(self.cfg.key.is_some()));
            }
            return Err(CodecError::truncated(format!(
                "input ended after {n} bytes of compressed data"
            )));
        }
        let mut chunks = Vec::new();
        let mut sink = |c: Chunk| chunks.push(c);
        let rest = std::mem::take(&mut self.pending);
        let decomp = self.decomp.as_mut().expect("decompressor");
        let done = decomp
            .push(&rest[self.pending_at.min(rest.len())..], &mut sink)
            .and_then(|()| decomp.finish(&mut sink));
        if let Err(e) = done {
            return Err(self.fail_after(chunks, e));
        }
        self.feed_frames(chunks);
        self.wait_frames();
        let mut out = self.take_output()?;
        self.frames.finish()?;
        if self.cfg.mode == ReadMode::Stats {
            out.stats = Some(BackupStats {
                frames: self.frames.frames(),
                kvs: self.stats.kvs,
                bytes_in: self.bytes_in,
                bytes_decompressed: self.frames.bytes(),
                framing: self.decomp.as_ref().map_or("none", |d| d.framing()),
                entries: self.stats.rows(),
            });
        }
        Ok(out)
    }

    /// Runs decompressed chunks through the frame stage and returns what is
    /// ready so far.
    fn output(&mut self, chunks: Vec<Chunk>) -> Result<ReadOutput> {
        if self.feed_frames(chunks) {
            self.wait_frames();
        } else if let Some(pool) = &mut self.frame_pool {
            let (merged, stats) = (&mut self.merged, &mut self.stats);
            pool.drain(&mut |r| merged.take(r, stats));
        }
        self.take_output()
    }

    /// The serial part of the frame stage: finds frame boundaries (8-byte
    /// lengths only) and hands each chunk with its complete frames to the
    /// frame pool. Errors keep their place in the stream order. Returns true
    /// if an error was queued (the caller then waits for everything).
    fn feed_frames(&mut self, chunks: Vec<Chunk>) -> bool {
        let mode = self.cfg.mode;
        let Some(pool) = &mut self.frame_pool else {
            return false;
        };
        let (merged, stats) = (&mut self.merged, &mut self.stats);
        let mut sink = |r: Result<Done>| merged.take(r, stats);
        for c in chunks {
            let c = match c {
                Ok(c) => c,
                Err(e) => {
                    pool.submit_ready(Err(e), &mut sink);
                    return true;
                }
            };
            let mut frames = Vec::new();
            let split = self.frames.split(&c, &mut frames);
            if !frames.is_empty() {
                // (on a split error: the frames before it still come first)
                pool.submit(move || frame_job(mode, c, frames), &mut sink);
            } else if mode == ReadMode::Bytes {
                pool.submit_ready(Ok(Done::Bytes(c)), &mut sink);
            }
            if let Err(e) = split {
                pool.submit_ready(Err(e), &mut sink);
                return true;
            }
        }
        false
    }

    /// Moves merged results into a [`ReadOutput`]; the first error fails.
    fn take_output(&mut self) -> Result<ReadOutput> {
        if let Some(e) = self.merged.err.take() {
            return Err(e);
        }
        let mut out = ReadOutput::default();
        match self.cfg.mode {
            ReadMode::Bytes if self.chunks => {
                out.chunks = Some(std::mem::take(&mut self.merged.bytes));
            }
            ReadMode::Bytes => {
                let parts = std::mem::take(&mut self.merged.bytes);
                out.bytes = Some(if parts.len() == 1 {
                    parts.into_iter().next().expect("one part")
                } else {
                    parts.concat()
                });
            }
            ReadMode::Kvs => out.kvs = Some(std::mem::take(&mut self.merged.kvs)),
            ReadMode::Stats => {}
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
