//! A group's chain (a full backup and its incrementals) restored in one
//! pass: the files are read at once and their converted keys merged, so
//! that every key reaches the store in its key order and is appended.
//!
//! Loading the files one after the other puts an incremental's keys inside
//! the tree the full backup built: each may split a full page into two
//! half-full ones, and the store is then copied in key order to get its size
//! back (`finish`). The merge needs neither, but only works when every file
//! lists its keys in the store's key order, which Strata's own backups do
//! (their manifests say so). The order is checked as the files are read: a
//! file out of order stops the merge with [`StoreCode::OutOfOrder`], and
//! the writer empties the store for a file-by-file load
//! (`RestoreWriter::load_chain`).
//!
//! The merge gives what the file-by-file load gives:
//! - of equal keys, the later file's KV is the one stored;
//! - a backup's drop operations remove the keys of the backups before it;
//! - schema and type keys come from the last backup only (each backup
//!   carries a complete copy).

use super::{
    convert, Batch, LastPredicate, LoadOptions, LoadStats, DEFAULT_BATCH_BYTES, READ_CHUNK,
};
use crate::codec::reader::Reader;
use crate::format::keys::{PREFIX_SCHEMA, PREFIX_TYPE};
use crate::store::error::{Result, StoreCode, StoreError};
use crate::store::mvcc::Drop;
use std::io::Read;
use std::path::PathBuf;

/// The most files a chain merges: each holds a reader (its decompression
/// threads, frames in flight) while the merge runs. A longer chain is
/// loaded file by file (`core/src/restore/group-store.ts` checks first).
pub const MAX_CHAIN_FILES: usize = 16;

/// The smallest read buffer of a merged file.
const MIN_READ_CHUNK: usize = 256 << 10;

/// One backup of the chain: its drop operations and its files for the group.
#[derive(Debug, Clone, Default)]
pub struct ChainBackup {
    pub drops: Vec<Drop>,
    pub files: Vec<ChainFile>,
}

#[derive(Debug, Clone)]
pub struct ChainFile {
    pub path: PathBuf,
    pub opts: LoadOptions,
}

/// One file of the chain, read as the merge needs its keys.
struct Stream {
    input: std::fs::File,
    reader: Reader,
    opts: LoadOptions,
    buf: Vec<u8>,
    /// The reader holds more output for an empty push.
    more: bool,
    /// The file is read to its end and the reader finished.
    done: bool,
    /// Converted KVs not merged yet, in the file's order.
    pending: Batch,
    /// The last key converted (the order check's reference).
    last_key: Vec<u8>,
    /// The key `convert` builds, reused.
    key: Vec<u8>,
    /// Prefixes of the drops of later backups: this file's keys under them are skipped.
    dropped_later: Vec<Vec<u8>>,
    /// A later backup carries the schema: this file's schema and type keys are skipped.
    schema_later: bool,
    last: LastPredicate,
    stats: LoadStats,
}

impl Stream {
    fn open(
        file: &ChainFile,
        dropped_later: Vec<Vec<u8>>,
        schema_later: bool,
        chunk: usize,
    ) -> Result<Self> {
        let mut opts = file.opts.clone();
        if opts.source.is_none() {
            opts.source = Some(file.path.display().to_string());
        }
        let input = std::fs::File::open(&file.path).map_err(|e| {
            StoreError::io(format!(
                "cannot open backup file {}: {e}",
                file.path.display()
            ))
        })?;
        let reader = opts.reader()?;
        Ok(Stream {
            input,
            reader,
            opts,
            buf: vec![0u8; chunk],
            more: false,
            done: false,
            pending: Batch::default(),
            last_key: Vec::new(),
            key: Vec::new(),
            dropped_later,
            schema_later,
            last: LastPredicate::default(),
            stats: LoadStats::default(),
        })
    }

    fn source(&self) -> &str {
        self.opts.source.as_deref().unwrap_or("backup file")
    }

    /// Reads until a converted KV is pending or the file is done. Each
    /// reader call's output is bounded, so memory follows the reader's
    /// pieces, never what the file's lengths claim.
    fn fill(&mut self, restore_ts: Option<u64>, max_key_len: usize) -> Result<()> {
        if self.pending.is_empty() {
            // Every KV taken: the buffer is filled again from its start.
            self.pending.clear();
        }
        while self.pending.is_empty() && !self.done {
            let out = if self.more {
                self.reader.push(&[])?
            } else {
                let n = self
                    .input
                    .read(&mut self.buf)
                    .map_err(|e| StoreError::io(format!("cannot read {}: {e}", self.source())))?;
                if n == 0 {
                    self.done = true;
                    self.reader.finish()?
                } else {
                    self.reader.push(&self.buf[..n])?
                }
            };
            self.more = out.more && !self.done;
            for kv in out.kvs.unwrap_or_default() {
                self.stats.kvs += 1;
                let converted = convert(
                    &kv,
                    &self.opts,
                    restore_ts,
                    max_key_len,
                    &mut self.last,
                    &mut self.stats,
                    &mut self.key,
                )?;
                let Some((kind, payload)) = converted else {
                    continue;
                };
                let k = self.key.as_slice();
                if k < self.last_key.as_slice() {
                    return Err(StoreError::new(
                        StoreCode::OutOfOrder,
                        format!(
                            "{}: a key comes before the one listed ahead of it, though the \
                             backup's manifest says its files are in the store's key order",
                            self.source()
                        ),
                    ));
                }
                // The order's reference, even for a KV skipped below.
                self.last_key.clear();
                self.last_key.extend_from_slice(k);
                let schema = matches!(k.first(), Some(&PREFIX_SCHEMA | &PREFIX_TYPE));
                if (schema && self.schema_later)
                    || self.dropped_later.iter().any(|p| k.starts_with(p))
                {
                    continue;
                }
                self.pending.push(k, kind.user_meta(), &payload);
            }
        }
        Ok(())
    }
}

/// Opens one stream per file of the chain, in the chain's order (backups,
/// then their files), with what later backups remove from each.
fn open_streams(chain: &[ChainBackup]) -> Result<Vec<Stream>> {
    // Only backups with a file for the group take part, as in the file-by-file load.
    let with_files: Vec<&ChainBackup> = chain.iter().filter(|b| !b.files.is_empty()).collect();
    let files: usize = with_files.iter().map(|b| b.files.len()).sum();
    if files > MAX_CHAIN_FILES {
        return Err(StoreError::invalid(format!(
            "a merged chain reads at most {MAX_CHAIN_FILES} files at once, not {files}: load it file by file"
        )));
    }
    // The read buffers of all the files together stay within one file's.
    let chunk = (READ_CHUNK / files.max(1)).max(MIN_READ_CHUNK);
    let mut streams = Vec::new();
    for (i, b) in with_files.iter().enumerate() {
        let later = &with_files[i + 1..];
        let dropped_later: Vec<Vec<u8>> = later
            .iter()
            .flat_map(|l| l.drops.iter().flat_map(Drop::prefixes))
            .collect();
        for f in &b.files {
            streams.push(Stream::open(
                f,
                dropped_later.clone(),
                !later.is_empty(),
                chunk,
            )?);
        }
    }
    Ok(streams)
}

/// Merges the chain's files and hands the KVs to `send` in key order, in
/// batches of about `batch_bytes`. Returns the stats of each file, in the
/// chain's order.
pub(super) fn merge_batches(
    chain: &[ChainBackup],
    restore_ts: Option<u64>,
    max_key_len: usize,
    batch_bytes: Option<usize>,
    send: &mut dyn FnMut(&mut Batch) -> Result<()>,
) -> Result<Vec<LoadStats>> {
    let batch_limit = batch_bytes.unwrap_or(DEFAULT_BATCH_BYTES).max(1);
    let mut streams = open_streams(chain)?;
    let mut batch = Batch::with_capacity(batch_limit);
    // The last key sent and its stream: an equal key of an earlier file is the older KV.
    let mut last_key: Vec<u8> = Vec::new();
    let mut last_stream = 0;
    loop {
        for s in streams.iter_mut() {
            s.fill(restore_ts, max_key_len)?;
        }
        // The smallest head; of equal heads the later file's, which is sent first.
        let best = streams
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.pending.head_kv().map(|kv| (i, kv)))
            .reduce(|a, b| if b.1 .0 <= a.1 .0 { b } else { a });
        let Some((i, (k, v))) = best else { break };
        if !(i < last_stream && k == last_key.as_slice()) {
            last_key.clear();
            last_key.extend_from_slice(k);
            last_stream = i;
            if !batch.has_room(k.len() + v.len()) {
                send(&mut batch)?;
            }
            batch.push_stored(k, v);
        }
        streams[i].pending.advance();
    }
    if !batch.is_empty() {
        send(&mut batch)?;
    }
    Ok(streams.into_iter().map(|s| s.stats).collect())
}
