//! Backup file reader: file bytes in (any chunking), decompressed frames out
//! as bytes, decoded KVs or statistics.

use super::aes_ctr::{check_key, AesCtr, IV_LEN};
use super::error::{CodecError, ErrorCode, Result};
use super::frame::FrameDecoder;
use super::gzip::{GzipDecoder, GZIP_MAGIC};
use super::pool::default_threads;
use super::snappy::{SnappyDecoder, STREAM_ID_HEAD};
use super::writer::MAX_THREADS;
use crate::format::kv::{decode_kv_list, validate_kv_list, DecodedKv, PredicateStats, StatsAcc};

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
    fn is_magic_prefix(head: &[u8]) -> bool {
        let pre = |m: &[u8]| head.len() <= m.len() && head == &m[..head.len()];
        pre(&GZIP_MAGIC) || pre(&STREAM_ID_HEAD)
    }
}

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
    pub entries: Vec<PredicateStats>,
}

#[derive(Debug, Default)]
pub struct ReadOutput {
    pub bytes: Option<Vec<u8>>,
    pub kvs: Option<Vec<DecodedKv>>,
    pub stats: Option<BackupStats>,
}

/// The decompression stage: multi-member gzip, or snappy/S2 framing (one
/// decoder for both; the stream identifier picks the block dialect).
enum Decompressor {
    Gzip(GzipDecoder),
    Snappy(SnappyDecoder),
}

type Chunk = Result<Vec<u8>>;

impl Decompressor {
    fn push(&mut self, data: &[u8], sink: &mut dyn FnMut(Chunk)) -> Result<()> {
        match self {
            Decompressor::Gzip(g) => g.push(data, sink),
            Decompressor::Snappy(s) => s.push(data, sink),
        }
    }
    fn finish(&mut self, sink: &mut dyn FnMut(Chunk)) -> Result<()> {
        match self {
            Decompressor::Gzip(g) => g.finish(sink),
            Decompressor::Snappy(s) => s.finish(sink),
        }
    }
}

/// `requested` is the caller's option, `found` what [`Compression::sniff`]
/// saw. 'snappy' and 's2' both accept either stream identifier (Dgraph v25+
/// writes S2 while its manifest says "snappy", spec §5.3.1); an explicit
/// option that contradicts the data is CORRUPT.
fn make_decompressor(
    requested: Compression,
    found: Compression,
    threads: usize,
) -> Result<Decompressor> {
    use Compression::*;
    match (requested, found) {
        (Auto | Gzip, Gzip) => Ok(Decompressor::Gzip(GzipDecoder::new(threads))),
        (Auto | Snappy | S2, Snappy | S2) => Ok(Decompressor::Snappy(SnappyDecoder::new(threads))),
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

pub struct Reader {
    cfg: ReaderConfig,
    threads: usize,
    bytes_in: u64,
    iv: Vec<u8>,
    cipher: Option<AesCtr>,
    /// First bytes of the (decrypted) compressed stream, until detection.
    head: Vec<u8>,
    decomp: Option<Decompressor>,
    frames: FrameDecoder,
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
            head: Vec::new(),
            decomp: None,
            frames: FrameDecoder::new(true),
            stats: StatsAcc::default(),
            finished: false,
            failed: false,
        })
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
        let mut chunks = chunks;
        let mut sink = |c: Chunk| chunks.push(c);
        self.decomp
            .as_mut()
            .expect("decompressor")
            .push(data, &mut sink)?;
        self.output(chunks)
    }

    /// Chooses the decompressor from the options and the first bytes.
    fn detect(&mut self) -> Result<()> {
        let Some(found) = Compression::sniff(&self.head) else {
            return Err(if self.cfg.key.is_some() {
                CodecError::new(ErrorCode::WrongKey, NOT_BACKUP_KEY)
            } else {
                CodecError::new(ErrorCode::EncryptedNoKey, NOT_BACKUP_NO_KEY)
            });
        };
        self.decomp = Some(make_decompressor(
            self.cfg.compression,
            found,
            self.threads,
        )?);
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
                return Err(if self.cfg.key.is_some() {
                    CodecError::new(ErrorCode::WrongKey, NOT_BACKUP_KEY)
                } else {
                    CodecError::new(ErrorCode::EncryptedNoKey, NOT_BACKUP_NO_KEY)
                });
            }
            return Err(CodecError::truncated(format!(
                "input ended after {n} bytes of compressed data"
            )));
        }
        let mut chunks = Vec::new();
        let mut sink = |c: Chunk| chunks.push(c);
        self.decomp
            .as_mut()
            .expect("decompressor")
            .finish(&mut sink)?;
        let mut out = self.output(chunks)?;
        self.frames.finish()?;
        if self.cfg.mode == ReadMode::Stats {
            out.stats = Some(BackupStats {
                frames: self.frames.frames(),
                kvs: self.stats.kvs,
                bytes_in: self.bytes_in,
                bytes_decompressed: self.frames.bytes(),
                entries: self.stats.rows(),
            });
        }
        Ok(out)
    }

    /// Runs decompressed chunks through the frame stage.
    fn output(&mut self, chunks: Vec<Chunk>) -> Result<ReadOutput> {
        let mut out = ReadOutput::default();
        match self.cfg.mode {
            ReadMode::Bytes => {
                let mut bytes = Vec::new();
                for c in chunks {
                    let c = c?;
                    self.frames.feed(&c, &mut |f| validate_kv_list(f))?;
                    if bytes.is_empty() {
                        bytes = c;
                    } else {
                        bytes.extend_from_slice(&c);
                    }
                }
                // Every complete frame is checked structurally (wire format
                // and user_meta) without decoding it.
                out.bytes = Some(bytes);
            }
            ReadMode::Kvs => {
                let mut kvs = Vec::new();
                for c in chunks {
                    let c = c?;
                    self.frames.feed(&c, &mut |f| {
                        kvs.extend(decode_kv_list(f)?);
                        Ok(())
                    })?;
                }
                self.stats.kvs += kvs.len() as u64;
                out.kvs = Some(kvs);
            }
            ReadMode::Stats => {
                let stats = &mut self.stats;
                for c in chunks {
                    let c = c?;
                    self.frames.feed(&c, &mut |f| {
                        for kv in decode_kv_list(f)? {
                            stats.add(&kv);
                        }
                        Ok(())
                    })?;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::frame::encode_frame;
    use crate::codec::writer::{Writer, WriterConfig};
    use crate::format::kv::{encode_kv_list, KvInput};
    use crate::format::proto::{BackupKey, KeyType};
    use prost::Message;

    fn stream(n_frames: usize) -> Vec<u8> {
        let mut s = Vec::new();
        for i in 0..n_frames {
            let kvs: Vec<KvInput> = (0..5)
                .map(|j| KvInput {
                    key: BackupKey {
                        r#type: KeyType::Schema as i32,
                        attr: format!("p{}", (i + j) % 7),
                        ..Default::default()
                    }
                    .encode_to_vec(),
                    value: vec![],
                    user_meta: 1,
                    version: 1,
                    expires_at: 0,
                })
                .collect();
            encode_frame(&encode_kv_list(&kvs).unwrap(), &mut s);
        }
        s
    }

    fn write(s: &[u8], key: Option<Vec<u8>>) -> Vec<u8> {
        let mut w = Writer::new(WriterConfig {
            key,
            threads: Some(2),
            block_size: Some(4096),
            ..Default::default()
        })
        .unwrap();
        let mut f = w.write_framed(s).unwrap();
        f.extend(w.finish().unwrap());
        f
    }

    fn read(file: &[u8], cfg: ReaderConfig, chunk: usize) -> Result<(Vec<u8>, ReadOutput)> {
        let mut r = Reader::new(cfg)?;
        let mut bytes = Vec::new();
        for c in file.chunks(chunk.max(1)) {
            bytes.extend(r.push(c)?.bytes.unwrap_or_default());
        }
        let last = r.finish()?;
        bytes.extend(last.bytes.clone().unwrap_or_default());
        Ok((bytes, last))
    }

    #[test]
    fn round_trip_plain_and_encrypted() {
        let s = stream(2000);
        for key in [None, Some(vec![1u8; 16]), Some(vec![2u8; 32])] {
            let f = write(&s, key.clone());
            for chunk in [1, 17, 5000, 1 << 20] {
                let cfg = ReaderConfig {
                    key: key.clone(),
                    threads: Some(2),
                    ..Default::default()
                };
                assert_eq!(read(&f, cfg, chunk).unwrap().0, s);
            }
        }
    }

    #[test]
    fn stats_and_kvs() {
        let s = stream(100);
        let f = write(&s, None);
        let cfg = ReaderConfig {
            mode: ReadMode::Stats,
            ..Default::default()
        };
        let st = read(&f, cfg, 333).unwrap().1.stats.unwrap();
        assert_eq!(st.frames, 100);
        assert_eq!(st.kvs, 500);
        assert_eq!(st.entries.len(), 7);
        assert_eq!(st.entries.iter().map(|e| e.keys).sum::<u64>(), 500);
        assert_eq!(st.bytes_decompressed, s.len() as u64);
        assert_eq!(st.bytes_in, f.len() as u64);
    }

    #[test]
    fn error_codes() {
        let s = stream(300);
        let plain = write(&s, None);
        let key = vec![9u8; 16];
        let enc = write(&s, Some(key.clone()));
        let code = |file: &[u8], key: Option<Vec<u8>>| {
            read(
                file,
                ReaderConfig {
                    key,
                    source: Some("r1-g1.backup".into()),
                    ..Default::default()
                },
                1000,
            )
            .unwrap_err()
        };
        let e = code(&[], None);
        assert_eq!(e.code, ErrorCode::Empty);
        assert!(e.message.contains("r1-g1.backup"));
        assert_eq!(
            code(&plain[..plain.len() - 3], None).code,
            ErrorCode::Truncated
        );
        assert_eq!(code(&plain, Some(key.clone())).code, ErrorCode::WrongKey);
        assert_eq!(code(&enc, None).code, ErrorCode::EncryptedNoKey);
        assert_eq!(code(&enc, Some(vec![8u8; 16])).code, ErrorCode::WrongKey);
        assert_eq!(
            code(&enc[..10], Some(key.clone())).code,
            ErrorCode::Truncated
        );
        assert_eq!(code(&plain[..2], None).code, ErrorCode::Truncated);
        let mut bad = plain.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 0x40;
        assert_eq!(code(&bad, None).code, ErrorCode::Corrupt);
        let e = Reader::new(ReaderConfig {
            key: Some(vec![0; 20]),
            ..Default::default()
        })
        .err()
        .unwrap();
        assert_eq!(e.code, ErrorCode::BadKeyLength);
        // a snappy stream identifier alone is an empty (valid) stream
        let id = crate::codec::snappy::SNAPPY_STREAM_ID;
        assert_eq!(read(&id, ReaderConfig::default(), 3).unwrap().0, b"");
    }

    #[test]
    fn bad_protobuf_in_frame_is_corrupt() {
        let mut s = Vec::new();
        encode_frame(&[0x0a, 0x09, 0x01], &mut s);
        let f = write(&s, None);
        for mode in [ReadMode::Bytes, ReadMode::Kvs, ReadMode::Stats] {
            let cfg = ReaderConfig {
                mode,
                ..Default::default()
            };
            assert_eq!(read(&f, cfg, 100).unwrap_err().code, ErrorCode::Corrupt);
        }
    }
}
