//! Output of a backup: KVs collected into KVList records, each record
//! through the [`Writer`] (compression, encryption), the file bytes handed
//! to the sink in chunks.

use crate::codec::writer::Writer;
use crate::format::proto::{BackupKey, Kv};
use crate::store::error::Result;
use prost::Message;

/// A KVList record is closed once it reaches this many bytes.
pub const RECORD_TARGET: usize = 768 << 10;

/// Collects KVs into KVList records, feeds them to the writer and hands the
/// file bytes to the sink in chunks of at least `chunk_size`.
pub(super) struct Emitter<'a> {
    writer: Writer,
    record: Vec<u8>,
    record_kvs: usize,
    pending: Vec<u8>,
    chunk_size: usize,
    sink: &'a mut dyn FnMut(Vec<u8>) -> Result<()>,
    /// KVs pushed so far.
    pub kvs: u64,
}

impl<'a> Emitter<'a> {
    pub fn new(
        writer: Writer,
        chunk_size: usize,
        sink: &'a mut dyn FnMut(Vec<u8>) -> Result<()>,
    ) -> Self {
        Emitter {
            writer,
            record: Vec::with_capacity(RECORD_TARGET + (64 << 10)),
            record_kvs: 0,
            pending: Vec::new(),
            chunk_size,
            sink,
            kvs: 0,
        }
    }

    /// Adds one KV to the current record.
    pub fn push(
        &mut self,
        key: &BackupKey,
        value: Vec<u8>,
        user_meta: u8,
        version: u64,
    ) -> Result<()> {
        let kv = Kv {
            key: key.encode_to_vec(),
            value,
            user_meta: vec![user_meta],
            version,
            ..Default::default()
        };
        prost::encoding::message::encode(1, &kv, &mut self.record);
        self.record_kvs += 1;
        self.kvs += 1;
        if self.record.len() >= RECORD_TARGET {
            self.flush_record()?;
        }
        Ok(())
    }

    /// Closes the current record (if it has KVs).
    pub fn flush_record(&mut self) -> Result<()> {
        if self.record_kvs == 0 {
            return Ok(());
        }
        let out = self.writer.write_kv_list(&self.record)?;
        self.record.clear();
        self.record_kvs = 0;
        self.emit(out)
    }

    fn emit(&mut self, b: Vec<u8>) -> Result<()> {
        if b.is_empty() {
            return Ok(());
        }
        if self.pending.is_empty() && b.len() >= self.chunk_size {
            return (self.sink)(b);
        }
        self.pending.extend_from_slice(&b);
        if self.pending.len() >= self.chunk_size {
            let full = std::mem::take(&mut self.pending);
            (self.sink)(full)?;
        }
        Ok(())
    }

    /// Flushes everything; returns the file size.
    pub fn finish(&mut self) -> Result<u64> {
        self.flush_record()?;
        let out = self.writer.finish()?;
        self.emit(out)?;
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            (self.sink)(rest)?;
        }
        Ok(self.writer.bytes_out())
    }
}
