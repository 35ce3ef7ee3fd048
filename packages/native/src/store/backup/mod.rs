//! Dgraph-compatible binary backup of a posting store (spec §9, §11).
//!
//! One LMDB read transaction is the snapshot at `read_ts` (writers carry on
//! meanwhile). For every DATA/INDEX/REVERSE/COUNT/COUNT_REV key of the
//! listed predicates the newest version `<= read_ts` is taken:
//! * full backup (`since == 0`): written unless it is a tombstone;
//! * incremental: written only when its commit ts is `> since`, as the
//!   complete list at that version (a tombstone becomes an empty list, so
//!   that the restore erases the older facts).
//!
//! Then the SCHEMA keys of the listed predicates and the TYPE keys of all
//! types (always, version 1). `dgraph.drop.op` facts committed after `since`
//! are parsed into drop operations (incremental backups only).
//!
//! The KVList records go through [`crate::codec::writer::Writer`] (gzip or
//! snappy, AES-CTR with a fresh IV when a key is given). [`BackupStream`]
//! runs the whole thing on its own thread and hands out the file bytes in
//! chunks through a bounded channel.
//!
//! * [`select`]: which keys and versions go into the file, in order;
//! * [`versions`]: the newest version of every key under a prefix;
//! * [`layout`]: the v20.11 / v21.03 forms of keys, lists and schema values;
//! * [`records`]: KVList records through the writer, out in chunks;
//! * [`drops`]: drop operations recorded in `dgraph.drop.op` facts;
//! * [`stream`]: the backup on its own thread.

mod drops;
mod layout;
mod records;
mod select;
mod stream;
#[cfg(test)]
mod tests;
mod versions;

pub use drops::{parse_drop_value, DropKind, DropRecord, DROP_OP_PREDICATE};
pub use layout::BackupLayout;
pub use records::RECORD_TARGET;
pub use select::write_backup;
pub use stream::BackupStream;
#[cfg(test)]
use versions::visit_newest;

use super::error::{Result, StoreError};
use crate::codec::writer::WriterConfig;
use crate::format::proto::KeyType;

/// Default size of the chunks handed out by [`BackupStream`].
pub const DEFAULT_CHUNK_SIZE: usize = 4 << 20;
pub const MIN_CHUNK_SIZE: usize = 64 << 10;
pub const MAX_CHUNK_SIZE: usize = 256 << 20;

#[derive(Debug, Clone, Default)]
pub struct BackupOptions {
    pub read_ts: u64,
    /// 0: full backup; else the read ts of the previous backup of the series.
    pub since: u64,
    /// (namespace, bare predicate name) of the group.
    pub predicates: Vec<(u64, String)>,
    pub layout: BackupLayout,
    /// Compression, key, level, threads of the file.
    pub writer: WriterConfig,
    /// Size of the chunks handed to the sink (the last one may be smaller).
    /// 0: [`DEFAULT_CHUNK_SIZE`].
    pub chunk_size: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupSummary {
    /// KVs written (data and schema/type).
    pub kvs: u64,
    /// DATA/INDEX/REVERSE/COUNT/COUNT_REV KVs written.
    pub data_keys: u64,
    /// File bytes (IV included).
    pub bytes_out: u64,
    /// Largest version of the data KVs written (0 when none).
    pub max_version: u64,
    /// In commit order; always empty for a full backup.
    pub drop_operations: Vec<DropRecord>,
    /// Bare names of the predicates that had data KVs, sorted.
    pub predicates: Vec<String>,
}

/// Checks the options of a backup before anything is read.
pub(super) fn check_options(opts: &BackupOptions) -> Result<()> {
    if opts.read_ts == 0 || opts.read_ts == u64::MAX {
        return Err(StoreError::invalid("readTs must be in 1..2^64-1"));
    }
    if opts.since >= opts.read_ts {
        return Err(StoreError::invalid(format!(
            "since ({}) must be smaller than readTs ({})",
            opts.since, opts.read_ts
        )));
    }
    if opts.chunk_size != 0 && !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&opts.chunk_size) {
        return Err(StoreError::invalid(format!(
            "chunkSize {} is out of range ({MIN_CHUNK_SIZE}..={MAX_CHUNK_SIZE})",
            opts.chunk_size
        )));
    }
    for (ns, name) in &opts.predicates {
        if name.is_empty() {
            return Err(StoreError::invalid("predicate names must not be empty"));
        }
        if opts.layout == BackupLayout::V2011 && *ns != 0 {
            layout::backup_key(KeyType::Data, name.as_bytes(), *ns, opts.layout)?;
        }
    }
    Ok(())
}

impl BackupOptions {
    /// The chunk size to use (0: [`DEFAULT_CHUNK_SIZE`]).
    pub(super) fn chunk_size(&self) -> usize {
        if self.chunk_size == 0 {
            DEFAULT_CHUNK_SIZE
        } else {
            self.chunk_size
        }
    }
}
