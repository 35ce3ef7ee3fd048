//! Which compression a backup file uses: the `compression` option, sniffing
//! the first (decrypted) bytes, and the streaming decompressor that follows.

use super::error::{CodecError, ErrorCode, Result};
use super::gzip::{GzipDecoder, GZIP_MAGIC};
use super::snappy::{SnappyDecoder, STREAM_ID_HEAD};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Detect from the first bytes (after decryption).
    #[default]
    Auto,
    Gzip,
    Snappy,
    S2,
}

impl Compression {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "auto" => Compression::Auto,
            "gzip" => Compression::Gzip,
            "snappy" => Compression::Snappy,
            "s2" => Compression::S2,
            other => {
                return Err(CodecError::invalid(format!(
                    "compression '{other}' is not one of auto, gzip, snappy, s2"
                )))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::Auto => "auto",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::S2 => "s2",
        }
    }

    /// What the first bytes of the (decrypted) compressed stream are:
    /// `Some(Gzip)` for gzip magic `1f 8b 08`, `Some(Snappy)` for a snappy or
    /// S2 stream identifier (`ff 06 00 00`; one decoder handles both), None
    /// for anything else. `head` must hold at least 4 bytes.
    pub fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&GZIP_MAGIC) {
            Some(Compression::Gzip)
        } else if head.starts_with(&STREAM_ID_HEAD) {
            Some(Compression::Snappy)
        } else {
            None
        }
    }

    /// True if `head` (shorter than 4 bytes) could still become a known magic.
    pub(crate) fn is_magic_prefix(head: &[u8]) -> bool {
        let pre = |m: &[u8]| head.len() <= m.len() && head == &m[..head.len()];
        pre(&GZIP_MAGIC) || pre(&STREAM_ID_HEAD)
    }
}

/// The decompression stage: multi-member gzip, or snappy/S2 framing (one
/// decoder for both; the stream identifier picks the block dialect).
pub(crate) enum Decompressor {
    Gzip(GzipDecoder),
    Snappy(SnappyDecoder),
}

pub(crate) type Chunk = Result<Vec<u8>>;

impl Decompressor {
    /// The framing read: `gzip`, `snappy` (golang/snappy's `sNaPpY`) or
    /// `s2` (klauspost's `S2sTwO`, what Dgraph v25 writes).
    pub(crate) fn framing(&self) -> &'static str {
        match self {
            Decompressor::Gzip(_) => "gzip",
            Decompressor::Snappy(s) => match s.dialect() {
                Some(super::snappy_block::Dialect::S2) => "s2",
                _ => "snappy",
            },
        }
    }

    pub(crate) fn push(&mut self, data: &[u8], sink: &mut dyn FnMut(Chunk)) -> Result<()> {
        match self {
            Decompressor::Gzip(g) => g.push(data, sink),
            Decompressor::Snappy(s) => s.push(data, sink),
        }
    }
    /// Decompresses until `budget` output bytes; returns the input used.
    pub(crate) fn push_limited(
        &mut self,
        data: &[u8],
        budget: usize,
        sink: &mut dyn FnMut(Chunk),
    ) -> Result<usize> {
        match self {
            Decompressor::Gzip(g) => g.push_limited(data, budget, sink),
            Decompressor::Snappy(s) => s.push_limited(data, budget, sink),
        }
    }
    pub(crate) fn finish(&mut self, sink: &mut dyn FnMut(Chunk)) -> Result<()> {
        match self {
            Decompressor::Gzip(g) => g.finish(sink),
            Decompressor::Snappy(s) => s.finish(sink),
        }
    }
}

/// `requested` is the caller's option, `found` what [`Compression::sniff`]
/// saw. 's2' and 'auto' accept either stream identifier (Dgraph v25+ writes S2
/// while its manifest says "snappy", spec §5.3.1); 'snappy' is strict: an S2
/// stream is CORRUPT. An explicit option that contradicts the data is CORRUPT.
pub(crate) fn make_decompressor(
    requested: Compression,
    found: Compression,
    threads: usize,
) -> Result<Decompressor> {
    use Compression::*;
    match (requested, found) {
        (Auto | Gzip, Gzip) => Ok(Decompressor::Gzip(GzipDecoder::new(threads))),
        (Snappy, Snappy | S2) => Ok(Decompressor::Snappy(SnappyDecoder::with_s2(threads, false))),
        (Auto | S2, Snappy | S2) => Ok(Decompressor::Snappy(SnappyDecoder::new(threads))),
        (want, _) => Err(CodecError::corrupt(format!(
            "compression '{}' was requested but the data is {}",
            want.name(),
            if found == Gzip {
                "gzip (magic 1f 8b 08)"
            } else {
                "snappy/S2 framed (stream identifier ff 06 00 00)"
            }
        ))),
    }
}

const NOT_BACKUP_NO_KEY: &str = "not gzip or snappy/S2 data: the backup looks encrypted (give the encryption key) or is not a backup file (it starts with neither gzip magic 1f 8b 08 nor a snappy/S2 stream identifier ff 06 00 00)";
const NOT_BACKUP_KEY: &str = "wrong key or not encrypted: the decrypted data starts with neither gzip magic 1f 8b 08 nor a snappy/S2 stream identifier ff 06 00 00";

/// The error for data that starts with no known magic: with a key the key is
/// wrong (or the file is not encrypted), without one the file looks encrypted.
pub(crate) fn not_a_backup(keyed: bool) -> CodecError {
    if keyed {
        CodecError::new(ErrorCode::WrongKey, NOT_BACKUP_KEY)
    } else {
        CodecError::new(ErrorCode::EncryptedNoKey, NOT_BACKUP_NO_KEY)
    }
}
