//! Backup file reader: file bytes in (any chunking), decompressed frames out
//! as bytes, decoded KVs or statistics.

use super::aes_ctr::{check_key, AesCtr, IV_LEN};
use super::error::{CodecError, ErrorCode, Result};
use super::frame::{FrameBody, FrameDecoder};
use super::gzip::{GzipDecoder, GZIP_MAGIC};
use super::pool::{default_threads, OrderedPool};
use super::snappy::{SnappyDecoder, STREAM_ID_HEAD};
use super::writer::MAX_THREADS;
use crate::format::kv::{decode_kv_list, validate_kv_list, DecodedKv, PredicateStats, StatsAcc};
use std::cell::RefCell;

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
    /// 'bytes' mode with [`ReaderConfig::chunks`]: the pieces of `bytes`.
    pub chunks: Option<Vec<Vec<u8>>>,
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
/// saw. 's2' and 'auto' accept either stream identifier (Dgraph v25+ writes S2
/// while its manifest says "snappy", spec §5.3.1); 'snappy' is strict: an S2
/// stream is CORRUPT. An explicit option that contradicts the data is CORRUPT.
fn make_decompressor(
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

/// What a frame job gives back for one decompressed chunk.
enum Done {
    /// 'bytes': the chunk itself, its frames checked.
    Bytes(Vec<u8>),
    Kvs(Vec<DecodedKv>),
    Stats(StatsAcc),
}

thread_local! {
    static STATS_SCRATCH: RefCell<Vec<crate::format::kv::fast::KvCount>> = const { RefCell::new(Vec::new()) };
}

/// Checks / decodes / counts the complete frames of one chunk (runs on the
/// frame pool). Frames are handled in order, so the first bad one is reported.
fn frame_job(mode: ReadMode, chunk: Vec<u8>, frames: Vec<FrameBody>) -> Result<Done> {
    fn body<'a>(chunk: &'a [u8], f: &'a FrameBody) -> &'a [u8] {
        match f {
            FrameBody::Range(r) => &chunk[r.clone()],
            FrameBody::Owned(v) => v,
        }
    }
    match mode {
        ReadMode::Bytes => {
            for f in &frames {
                validate_kv_list(body(&chunk, f))?;
            }
            drop(frames);
            Ok(Done::Bytes(chunk))
        }
        ReadMode::Kvs => {
            let mut kvs = Vec::new();
            for f in &frames {
                kvs.extend(decode_kv_list(body(&chunk, f))?);
            }
            Ok(Done::Kvs(kvs))
        }
        ReadMode::Stats => {
            let mut acc = StatsAcc::default();
            STATS_SCRATCH.with(|s| {
                let mut scratch = s.borrow_mut();
                for f in &frames {
                    acc.add_kv_list(body(&chunk, f), &mut scratch)?;
                }
                Ok::<_, CodecError>(())
            })?;
            Ok(Done::Stats(acc))
        }
    }
}

/// Results of frame jobs, merged in stream order.
#[derive(Default)]
struct Merged {
    bytes: Vec<Vec<u8>>,
    kvs: Vec<DecodedKv>,
    /// The first error in stream order; later results are dropped.
    err: Option<CodecError>,
}

impl Merged {
    fn take(&mut self, r: Result<Done>, stats: &mut StatsAcc) {
        if self.err.is_some() {
            return;
        }
        match r {
            Ok(Done::Bytes(b)) => {
                if !b.is_empty() {
                    self.bytes.push(b)
                }
            }
            Ok(Done::Kvs(k)) => {
                stats.kvs += k.len() as u64;
                if self.kvs.is_empty() {
                    self.kvs = k;
                } else {
                    self.kvs.extend(k);
                }
            }
            Ok(Done::Stats(s)) => stats.merge(s),
            Err(e) => self.err = Some(e),
        }
    }
}

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
        let mut chunks = chunks;
        let mut sink = |c: Chunk| chunks.push(c);
        let pushed = self
            .decomp
            .as_mut()
            .expect("decompressor")
            .push(data, &mut sink);
        if let Err(e) = pushed {
            // Frames handed out earlier come first in the stream.
            self.wait_frames();
            return Err(self.merged.err.take().unwrap_or(e));
        }
        self.output(chunks)
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
        let done = self
            .decomp
            .as_mut()
            .expect("decompressor")
            .finish(&mut sink);
        if let Err(e) = done {
            self.wait_frames();
            return Err(self.merged.err.take().unwrap_or(e));
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

    /// Frames with posting lists (uids, uid_bytes, postings) over a few
    /// predicates, namespaces and key types.
    fn posting_stream(n_frames: usize) -> Vec<u8> {
        use crate::format::proto::{encode_uid_bytes, BackupPostingList, Posting};
        let mut s = Vec::new();
        for i in 0..n_frames {
            let kvs: Vec<KvInput> = (0..(i % 37 + 1))
                .map(|j| {
                    let uids: Vec<u64> = (0..(i + j) as u64 % 50).map(|u| u * 3 + 1).collect();
                    let pl = BackupPostingList {
                        uids: if j % 2 == 0 { uids.clone() } else { vec![] },
                        uid_bytes: if j % 2 == 1 {
                            encode_uid_bytes(&uids)
                        } else {
                            vec![]
                        },
                        postings: (0..j % 3).map(|_| Posting::default()).collect(),
                        ..Default::default()
                    };
                    KvInput {
                        key: BackupKey {
                            r#type: [KeyType::Data, KeyType::Index, KeyType::Reverse][j % 3] as i32,
                            attr: format!("pred{}", (i * 7 + j) % 5),
                            namespace: (j % 4 == 3) as u64,
                            uid: j as u64,
                            ..Default::default()
                        }
                        .encode_to_vec(),
                        value: pl.encode_to_vec(),
                        user_meta: 8,
                        version: 1,
                        expires_at: 0,
                    }
                })
                .collect();
            encode_frame(&encode_kv_list(&kvs).unwrap(), &mut s);
        }
        s
    }

    #[test]
    fn parallel_frame_stage_matches_serial_reference() {
        let s = posting_stream(600);
        let f = write(&s, Some(vec![4u8; 32]));
        // reference: every frame decoded with prost, one by one
        let mut acc = StatsAcc::default();
        let mut frames = FrameDecoder::new(true);
        let mut kvs = Vec::new();
        frames
            .feed(&s, &mut |b| {
                for kv in decode_kv_list(b)? {
                    acc.add(&kv);
                    kvs.push(kv);
                }
                Ok(())
            })
            .unwrap();
        for threads in [1, 2, 3] {
            for chunk in [1000, 65536, 1 << 22] {
                let cfg = |mode| ReaderConfig {
                    key: Some(vec![4u8; 32]),
                    mode,
                    threads: Some(threads),
                    ..Default::default()
                };
                let st = read(&f, cfg(ReadMode::Stats), chunk)
                    .unwrap()
                    .1
                    .stats
                    .unwrap();
                assert_eq!(st.entries, acc.rows(), "threads {threads} chunk {chunk}");
                assert_eq!((st.kvs, st.frames), (acc.kvs, 600));
                // kvs mode: the same KVs in the same order
                let mut r = Reader::new(cfg(ReadMode::Kvs)).unwrap();
                let mut got = Vec::new();
                for c in f.chunks(chunk) {
                    got.extend(r.push(c).unwrap().kvs.unwrap());
                }
                got.extend(r.finish().unwrap().kvs.unwrap());
                assert!(got == kvs);
                // bytes mode, chunked: the pieces concatenate to the stream
                let mut r = Reader::new(cfg(ReadMode::Bytes)).unwrap();
                r.set_chunks(true);
                let mut out = Vec::new();
                for c in f.chunks(chunk) {
                    let o = r.push(c).unwrap();
                    assert!(o.bytes.is_none());
                    o.chunks
                        .unwrap()
                        .iter()
                        .for_each(|p| out.extend_from_slice(p));
                }
                r.finish()
                    .unwrap()
                    .chunks
                    .unwrap()
                    .iter()
                    .for_each(|p| out.extend_from_slice(p));
                assert!(out == s);
            }
        }
    }

    #[test]
    fn first_error_in_stream_order_wins() {
        // a bad frame early, then a corrupt gzip member much later
        let mut s = Vec::new();
        encode_frame(&[0x0a, 0x02, 0x1a, 0x00], &mut s); // KV with empty user_meta
        s.extend(posting_stream(400));
        let good = write(&s, None);
        let n = good.len();
        // (a) inside the deflate data of the last member (found on a worker)
        let mut deflate = good.clone();
        deflate[n - 100] ^= 0x55;
        // (b) the magic of the second member's header: found while parsing,
        // it is reported at once (the bad frame may still be in flight)
        let mut header = good.clone();
        let second = u32::from_le_bytes(good[16..20].try_into().unwrap()) as usize;
        header[second] ^= 0xff;
        for (threads, f) in [(1, &deflate), (2, &deflate), (1, &header), (2, &header)] {
            let header_case = std::ptr::eq(f, &header);
            for mode in [ReadMode::Bytes, ReadMode::Kvs, ReadMode::Stats] {
                for chunk in [512, 1 << 20, n] {
                    let cfg = ReaderConfig {
                        mode,
                        threads: Some(threads),
                        ..Default::default()
                    };
                    let e = read(f, cfg, chunk).unwrap_err();
                    assert_eq!(e.code, ErrorCode::Corrupt);
                    assert!(
                        header_case || e.message.contains("user_meta"),
                        "{mode:?} {chunk}: {e}"
                    );
                }
            }
        }
    }
}
