//! Backup file writer: framed stream in, file bytes out
//! (parallel gzip members or snappy framing chunks, then AES-CTR in order).

use super::aes_ctr::{check_key, random_iv, AesCtr};
use super::error::{CodecError, ErrorCode, Result};
use super::frame::{encode_frame, FrameDecoder};
use super::gzip::{compress_member, DEFAULT_LEVEL, MAX_LEVEL, MIN_LEVEL};
use super::pool::{default_threads, OrderedPool};
use super::snappy::{compress_framed, S2_STREAM_ID, SNAPPY_STREAM_ID};

pub const DEFAULT_BLOCK_SIZE: usize = 1 << 20;
pub const MIN_BLOCK_SIZE: usize = 4 << 10;
pub const MAX_BLOCK_SIZE: usize = 64 << 20;
pub const MAX_THREADS: usize = 256;

/// Output compression of the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteCompression {
    /// Independent gzip members with the `SB` size subfield (v20.07/v20.11).
    #[default]
    Gzip,
    /// golang/snappy-compatible snappy framing (v21.03 to v24, spec §5.3, §11).
    Snappy,
    /// S2 framing (v25, spec §5.3.1): the `S2sTwO` identifier, then snappy
    /// blocks, which S2 readers take as they are.
    S2,
}

impl WriteCompression {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "gzip" => Ok(WriteCompression::Gzip),
            "snappy" => Ok(WriteCompression::Snappy),
            "s2" => Ok(WriteCompression::S2),
            other => Err(CodecError::invalid(format!(
                "compression '{other}' is not supported by the writer (only 'gzip', 'snappy' or 's2')"
            ))),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct WriterConfig {
    /// libdeflate level 0..=12 (default 6); ignored (but checked) for snappy.
    pub level: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub threads: Option<usize>,
    pub block_size: Option<usize>,
    pub compression: WriteCompression,
    /// Any bytes (an export's text), not framed KV lists: the frame check is
    /// skipped and `write_kv_list` refused. The file is the same gzip (and
    /// AES-CTR) stream, as Dgraph writes an encrypted cluster's export.
    pub raw: bool,
}

pub struct Writer {
    level: i32,
    compression: WriteCompression,
    block_size: usize,
    pool: OrderedPool<Result<Vec<u8>>>,
    /// The first failed job (a panic on a worker): the writer then fails.
    job_err: Option<CodecError>,
    block: Vec<u8>,
    cipher: Option<AesCtr>,
    iv_pending: Option<[u8; 16]>,
    walker: FrameDecoder,
    raw: bool,
    members: u64,
    bytes_in: u64,
    bytes_out: u64,
    finished: bool,
    failed: bool,
}

impl Writer {
    pub fn new(cfg: WriterConfig) -> Result<Self> {
        let level = cfg.level.unwrap_or(DEFAULT_LEVEL);
        if !(MIN_LEVEL..=MAX_LEVEL).contains(&level) {
            return Err(CodecError::invalid(format!(
                "level {level} is out of range ({MIN_LEVEL}..={MAX_LEVEL})"
            )));
        }
        let threads = cfg.threads.unwrap_or_else(default_threads);
        if threads == 0 || threads > MAX_THREADS {
            return Err(CodecError::invalid(format!(
                "threads {threads} is out of range (1..={MAX_THREADS})"
            )));
        }
        let block_size = cfg.block_size.unwrap_or(DEFAULT_BLOCK_SIZE);
        if !(MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&block_size) {
            return Err(CodecError::invalid(format!(
                "blockSize {block_size} is out of range ({MIN_BLOCK_SIZE}..={MAX_BLOCK_SIZE})"
            )));
        }
        let (cipher, iv_pending) = match &cfg.key {
            Some(key) => {
                check_key(key)?;
                let iv = random_iv()?;
                (Some(AesCtr::new(key, &iv)?), Some(iv))
            }
            None => (None, None),
        };
        Ok(Writer {
            level,
            compression: cfg.compression,
            block_size,
            pool: OrderedPool::new(threads, 0),
            job_err: None,
            block: Vec::new(),
            cipher,
            iv_pending,
            walker: FrameDecoder::new(false),
            raw: cfg.raw,
            members: 0,
            bytes_in: 0,
            bytes_out: 0,
            finished: false,
            failed: false,
        })
    }

    pub fn bytes_in(&self) -> u64 {
        self.bytes_in
    }

    pub fn bytes_out(&self) -> u64 {
        self.bytes_out
    }

    fn check_open(&self) -> Result<()> {
        if self.finished {
            return Err(CodecError::invalid("the writer is finished"));
        }
        if self.failed {
            return Err(CodecError::invalid("the writer failed earlier"));
        }
        Ok(())
    }

    fn submit_block(&mut self, out: &mut Vec<u8>) {
        let block = std::mem::replace(&mut self.block, Vec::with_capacity(self.block_size));
        let level = self.level;
        // snappy: the first block starts with the stream identifier, so even
        // an empty stream is a valid (identifier-only) snappy stream.
        let first = self.members == 0;
        self.members += 1;
        let job: Box<dyn FnOnce() -> Result<Vec<u8>> + Send> = match self.compression {
            WriteCompression::Gzip => Box::new(move || Ok(compress_member(&block, level))),
            WriteCompression::Snappy | WriteCompression::S2 => {
                let id = match (first, self.compression) {
                    (false, _) => None,
                    (true, WriteCompression::S2) => Some(&S2_STREAM_ID),
                    (true, _) => Some(&SNAPPY_STREAM_ID),
                };
                Box::new(move || {
                    let mut out = Vec::new();
                    compress_framed(&block, id, &mut out);
                    Ok(out)
                })
            }
        };
        let err = &mut self.job_err;
        self.pool.submit(job, &mut |m| append(m, out, err));
    }

    /// Fails the writer if a compression job failed.
    fn check_jobs(&mut self) -> Result<()> {
        match self.job_err.take() {
            Some(e) => {
                self.failed = true;
                Err(e)
            }
            None => Ok(()),
        }
    }

    fn start_output(&mut self) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let mut enc_from = 0;
        if let Some(iv) = self.iv_pending.take() {
            out.extend_from_slice(&iv);
            enc_from = iv.len();
        }
        (out, enc_from)
    }

    fn end_output(&mut self, mut out: Vec<u8>, enc_from: usize) -> Vec<u8> {
        if let Some(c) = &mut self.cipher {
            c.apply(&mut out[enc_from..]);
        }
        self.bytes_out += out.len() as u64;
        out
    }

    /// Appends already framed bytes (any chunking; frames may span calls).
    pub fn write_framed(&mut self, mut data: &[u8]) -> Result<Vec<u8>> {
        self.check_open()?;
        if self.raw {
            // Not frames: nothing to check.
        } else if let Err(e) = self.walker.feed(data, &mut |_| Ok(())) {
            self.failed = true;
            return Err(CodecError::new(
                ErrorCode::InvalidArgument,
                format!("framed input: {}", e.message),
            ));
        }
        self.bytes_in += data.len() as u64;
        let (mut out, enc_from) = self.start_output();
        while !data.is_empty() {
            if self.block.capacity() == 0 {
                self.block.reserve_exact(self.block_size);
            }
            let take = (self.block_size - self.block.len()).min(data.len());
            self.block.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.block.len() == self.block_size {
                self.submit_block(&mut out);
            }
        }
        let err = &mut self.job_err;
        self.pool.drain(&mut |m| append(m, &mut out, err));
        self.check_jobs()?;
        Ok(self.end_output(out, enc_from))
    }

    /// Appends one serialized KVList as one frame.
    pub fn write_kv_list(&mut self, list: &[u8]) -> Result<Vec<u8>> {
        self.check_open()?;
        if self.raw {
            return Err(CodecError::invalid(
                "writeKvList called on a writer of raw bytes (raw: true)",
            ));
        }
        if !self.walker.at_boundary() {
            return Err(CodecError::invalid(
                "writeKvList called while a framed write is inside a frame",
            ));
        }
        let mut framed = Vec::with_capacity(list.len() + 8);
        encode_frame(list, &mut framed);
        self.write_framed(&framed)
    }

    /// Flushes the last block and returns the rest of the file.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        self.check_open()?;
        self.finished = true;
        if self.raw {
            // Not frames: no frame to end.
        } else if let Err(e) = self.walker.finish() {
            return Err(CodecError::invalid(format!("framed input: {}", e.message)));
        }
        let (mut out, enc_from) = self.start_output();
        // An empty stream still becomes one (empty) gzip member, or a snappy
        // stream identifier.
        if !self.block.is_empty() || self.members == 0 {
            self.submit_block(&mut out);
        }
        let err = &mut self.job_err;
        self.pool.wait_all(&mut |m| append(m, &mut out, err));
        self.check_jobs()?;
        Ok(self.end_output(out, enc_from))
    }
}

/// A finished job's output goes after `out`; the first error is kept.
fn append(m: Result<Vec<u8>>, out: &mut Vec<u8>, err: &mut Option<CodecError>) {
    match m {
        Ok(m) if err.is_none() => out.extend_from_slice(&m),
        Ok(_) => {}
        Err(e) => {
            err.get_or_insert(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn framed(n: usize) -> Vec<u8> {
        let mut s = Vec::new();
        let mut i = 0u64;
        while s.len() < n {
            let body: Vec<u8> = format!("kv-{i}-")
                .repeat((i % 50) as usize + 1)
                .into_bytes();
            encode_frame(&body, &mut s);
            i += 1;
        }
        s
    }

    fn write_all(cfg: WriterConfig, s: &[u8], chunk: usize) -> Vec<u8> {
        let mut w = Writer::new(cfg).unwrap();
        let mut file = Vec::new();
        for c in s.chunks(chunk) {
            file.extend(w.write_framed(c).unwrap());
        }
        file.extend(w.finish().unwrap());
        assert_eq!(w.bytes_in(), s.len() as u64);
        assert_eq!(w.bytes_out(), file.len() as u64);
        file
    }

    /// An encrypted file undone by hand: the IV, AES-CTR, then any gzip reader.
    fn decrypt_gunzip(mut file: Vec<u8>, key: &[u8]) -> Vec<u8> {
        let iv: [u8; 16] = file[..16].try_into().unwrap();
        AesCtr::new(key, &iv).unwrap().apply(&mut file[16..]);
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&file[16..])
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn output_is_standard_gzip() {
        let s = framed(500_000);
        let cfg = WriterConfig {
            threads: Some(2),
            block_size: Some(64 << 10),
            ..Default::default()
        };
        let file = write_all(cfg, &s, 10_000);
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&file[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, s);
    }

    #[test]
    fn encrypted_output_decrypts() {
        let s = framed(200_000);
        let key = vec![3u8; 24];
        let cfg = WriterConfig {
            key: Some(key.clone()),
            threads: Some(3),
            block_size: Some(16 << 10),
            level: Some(1),
            ..Default::default()
        };
        let file = write_all(cfg, &s, 777);
        assert_eq!(decrypt_gunzip(file, &key), s);
    }

    #[test]
    fn raw_bytes_are_written_unchecked_and_decrypt() {
        // Text, not frames: a framed writer refuses it, a raw one writes it as it is.
        let s = "<0x1> <name> \"Alice\" .\n".repeat(20_000).into_bytes();
        let mut framed = Writer::new(WriterConfig::default()).unwrap();
        let refused = framed.write_framed(&s).and_then(|_| framed.finish());
        assert!(refused.is_err());
        let key = vec![9u8; 32];
        let cfg = WriterConfig {
            key: Some(key.clone()),
            raw: true,
            threads: Some(2),
            block_size: Some(64 << 10),
            ..Default::default()
        };
        let file = write_all(cfg.clone(), &s, 4096);
        assert_eq!(decrypt_gunzip(file, &key), s);
        let mut w = Writer::new(cfg).unwrap();
        assert!(w.write_kv_list(b"x").is_err());
    }

    #[test]
    fn snappy_output_is_standard_framing() {
        let s = framed(700_000);
        for (block_size, chunk) in [(64 << 10, 10_000), (100_000, 65_536), (1 << 20, 1 << 20)] {
            let cfg = WriterConfig {
                threads: Some(2),
                block_size: Some(block_size),
                compression: WriteCompression::Snappy,
                ..Default::default()
            };
            let file = write_all(cfg, &s, chunk);
            assert_eq!(&file[..10], &crate::codec::snappy::SNAPPY_STREAM_ID);
            // exactly one identifier; data chunks of at most 64 KiB
            let mut p = 10;
            let mut out = Vec::new();
            while p < file.len() {
                let kind = file[p];
                let len = u32::from_le_bytes([file[p + 1], file[p + 2], file[p + 3], 0]) as usize;
                let body = &file[p + 8..p + 4 + len];
                let data = match kind {
                    0 => snap::raw::Decoder::new().decompress_vec(body).unwrap(),
                    1 => body.to_vec(),
                    k => panic!("chunk type {k:#x}"),
                };
                assert!(data.len() <= 65536);
                let crc = u32::from_le_bytes(file[p + 4..p + 8].try_into().unwrap());
                assert_eq!(crc, crate::codec::snappy::masked_crc(&data));
                out.extend(data);
                p += 4 + len;
            }
            assert_eq!(out, s);
        }
        // empty stream: the identifier only
        let mut w = Writer::new(WriterConfig {
            compression: WriteCompression::Snappy,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(w.finish().unwrap(), crate::codec::snappy::SNAPPY_STREAM_ID);
        // S2 (v25): the same chunks under S2's identifier
        let mut w = Writer::new(WriterConfig {
            compression: WriteCompression::parse("s2").unwrap(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(w.finish().unwrap(), crate::codec::snappy::S2_STREAM_ID);
        assert_eq!(
            WriteCompression::parse("lz4").unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn options_and_misuse() {
        let bad = |cfg: WriterConfig| Writer::new(cfg).err().unwrap().code;
        assert_eq!(
            bad(WriterConfig {
                level: Some(13),
                ..Default::default()
            }),
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            bad(WriterConfig {
                threads: Some(0),
                ..Default::default()
            }),
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            bad(WriterConfig {
                key: Some(vec![0; 20]),
                ..Default::default()
            }),
            ErrorCode::BadKeyLength
        );
        let mut w = Writer::new(WriterConfig::default()).unwrap();
        w.write_framed(&[5, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap();
        assert_eq!(w.finish().unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(
            w.write_kv_list(b"").unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        let mut w = Writer::new(WriterConfig::default()).unwrap();
        let f = w.finish().unwrap();
        assert_eq!(&f[..3], &[0x1f, 0x8b, 0x08]);
        assert_eq!(w.finish().unwrap_err().code, ErrorCode::InvalidArgument);
    }
}
