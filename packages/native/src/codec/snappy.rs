//! Snappy and S2 framing (spec §5.3, §5.3.1): one streaming decoder for
//! both, and a snappy framing encoder for the writer.
//!
//! Stream: a stream identifier chunk, then chunks of `type (1 byte) ||
//! length (3 bytes LE) || body`:
//!
//! | type | body |
//! |---|---|
//! | `0xff` | stream identifier: `sNaPpY` (golang/snappy) or `S2sTwO` (klauspost s2) |
//! | `0x00` | masked CRC-32C of the uncompressed data (4 bytes LE), then one block |
//! | `0x01` | masked CRC-32C, then the data as is |
//! | `0x80..=0xfe` | skippable (0xfe padding, 0x99 S2 index): ignored |
//! | `0x02..=0x7f` | reserved: CORRUPT |
//!
//! The identifier picks the block [`Dialect`]: snappy blocks hold at most
//! 64 KiB and reject offset 0; S2 blocks hold at most 4 MiB and use offset 0
//! as "repeat the previous offset". An identifier may appear again later
//! (concatenated streams) and switches the dialect for the chunks after it.
//!
//! Decoding is streaming: the chunk parser copies complete data chunks into
//! a batch (about [`BATCH_BYTES`] of compressed input); each batch is decoded
//! and CRC-checked on the [`OrderedPool`] and comes out in order. Memory is
//! bounded by the pool's in-flight limit times the batch size (plus one
//! chunk, at most 16 MiB by the 3-byte length). Skippable chunks are skipped
//! without buffering.

use super::error::{CodecError, FirstError, Result};
use super::pool::OrderedPool;
use super::snappy_block::{decode_block_into, decoded_len, Dialect};
use std::cell::RefCell;
use std::ops::Range;

/// Stream identifier chunk of golang/snappy framing (`sNaPpY`).
pub const SNAPPY_STREAM_ID: [u8; 10] = [0xff, 0x06, 0x00, 0x00, b's', b'N', b'a', b'P', b'p', b'Y'];
/// Stream identifier chunk of S2 framing (`S2sTwO`).
pub const S2_STREAM_ID: [u8; 10] = [0xff, 0x06, 0x00, 0x00, b'S', b'2', b's', b'T', b'w', b'O'];
/// The first 4 bytes shared by both identifiers (chunk type 0xff, length 6).
pub const STREAM_ID_HEAD: [u8; 4] = [0xff, 0x06, 0x00, 0x00];

/// Uncompressed bytes per chunk in snappy framing (and what the writer uses).
pub const MAX_SNAPPY_BLOCK: usize = 64 << 10;
/// Uncompressed bytes per chunk in S2 framing.
pub const MAX_S2_BLOCK: usize = 4 << 20;
/// Compressed input gathered before a batch is handed to a worker.
pub const BATCH_BYTES: usize = 512 << 10;
/// Decoded bytes (as the chunks claim them) gathered before a batch is handed
/// to a worker: a batch's output stays under this plus one block, whatever
/// the chunks' compression ratio.
pub const BATCH_DECODED: usize = 4 << 20;

const CHUNK_COMPRESSED: u8 = 0x00;
const CHUNK_UNCOMPRESSED: u8 = 0x01;
const CHUNK_STREAM_ID: u8 = 0xff;
const CRC_LEN: usize = 4;

/// True if `head` (at least 4 bytes, or all there is) starts like a
/// snappy/S2 stream identifier chunk.
pub fn looks_like_snappy(head: &[u8]) -> bool {
    let n = head.len().min(STREAM_ID_HEAD.len());
    n > 0 && head[..n] == STREAM_ID_HEAD[..n]
}

/// Masked CRC-32C of the framing format: `((c >> 15) | (c << 17)) + 0xa282ead8`.
pub fn masked_crc(data: &[u8]) -> u32 {
    let c = crc32c::crc32c(data);
    c.rotate_right(15).wrapping_add(0xa282_ead8)
}

fn max_block(d: Dialect) -> usize {
    match d {
        Dialect::Snappy => MAX_SNAPPY_BLOCK,
        Dialect::S2 => MAX_S2_BLOCK,
    }
}

/// Largest sensible chunk body for the dialect: CRC + worst-case encoding.
fn max_chunk_body(d: Dialect) -> usize {
    let m = max_block(d);
    CRC_LEN + 32 + m + m / 6
}

// ---------------------------------------------------------------- decoder

/// One data chunk inside a batch.
struct PendingChunk {
    /// 1-based number of the chunk in the stream (identifier included).
    no: u64,
    /// Stream offset of the chunk's header.
    at: u64,
    compressed: bool,
    dialect: Dialect,
    range: Range<usize>,
}

#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    chunks: Vec<PendingChunk>,
    /// Sum of the chunks' decoded sizes (for the output allocation).
    decoded: usize,
}

/// Decodes and CRC-checks every chunk of a batch into one output buffer.
fn decode_batch(batch: Batch) -> Result<Vec<u8>> {
    // (the claimed sizes are capped, but only allocate them as produced)
    let mut out = Vec::with_capacity(batch.decoded.min(batch.data.len().saturating_mul(4)));
    for c in &batch.chunks {
        let body = &batch.data[c.range.clone()];
        let (crc, payload) = body.split_at(CRC_LEN);
        let want = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
        let start = out.len();
        if c.compressed {
            decode_block_into(payload, c.dialect, max_block(c.dialect), &mut out).map_err(|e| {
                CodecError::corrupt(format!(
                    "{} (snappy chunk {} at offset {})",
                    e.message, c.no, c.at
                ))
            })?;
        } else {
            out.extend_from_slice(payload);
        }
        if masked_crc(&out[start..]) != want {
            return Err(CodecError::corrupt(format!(
                "CRC mismatch in snappy chunk {}",
                c.no
            )));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a 4-byte chunk header into `hdr`.
    Header,
    /// Reading the body of a stream identifier chunk into `ident`.
    Ident,
    /// Copying `len` body bytes of a data chunk into the batch.
    Data { compressed: bool, len: usize },
    /// Skipping the rest of a skippable chunk.
    Skip { left: usize },
}

/// Incremental decoder of a snappy- or S2-framed stream. Output chunks come
/// out in order through the caller's sink (like [`super::gzip::GzipDecoder`]).
pub struct SnappyDecoder {
    pool: OrderedPool<Result<Vec<u8>>>,
    state: State,
    hdr: [u8; 4],
    hdr_len: usize,
    ident: Vec<u8>,
    /// Dialect from the latest stream identifier; None before the first.
    dialect: Option<Dialect>,
    batch: Batch,
    /// Start of the current data chunk's body in `batch.data`.
    body_start: usize,
    /// Chunks started so far (the current one's number).
    chunks: u64,
    /// Data chunks seen so far.
    data_chunks: u64,
    /// Whether an S2 stream identifier is accepted (false: golang/snappy framing only).
    allow_s2: bool,
    /// Stream offset of the next byte to parse.
    pos: u64,
    /// Stream offset of the current chunk's header.
    chunk_at: u64,
    /// Decoded bytes claimed by the chunks parsed in the current call.
    call_decoded: usize,
}

pub type Sink<'a> = dyn FnMut(Result<Vec<u8>>) + 'a;

impl SnappyDecoder {
    /// A decoder for snappy and S2 framing (the stream identifier picks the dialect).
    pub fn new(threads: usize) -> Self {
        Self::with_s2(threads, true)
    }

    /// `allow_s2 = false` refuses an S2 stream: for backups whose manifest allows only snappy
    /// framing (Dgraph v21.03 wrote golang/snappy; S2 came with v25, spec §5.3.1).
    pub fn with_s2(threads: usize, allow_s2: bool) -> Self {
        SnappyDecoder {
            pool: OrderedPool::new(threads, 0),
            state: State::Header,
            hdr: [0; 4],
            hdr_len: 0,
            ident: Vec::with_capacity(6),
            dialect: None,
            batch: Batch::default(),
            body_start: 0,
            chunks: 0,
            data_chunks: 0,
            allow_s2,
            pos: 0,
            chunk_at: 0,
            call_decoded: 0,
        }
    }

    /// The dialect of the latest stream identifier (None before the first).
    pub fn dialect(&self) -> Option<Dialect> {
        self.dialect
    }

    /// Data chunks (compressed or uncompressed) parsed so far.
    pub fn data_chunks(&self) -> u64 {
        self.data_chunks
    }

    /// Feeds compressed bytes. Finished output (possibly from earlier calls)
    /// is passed to `sink` in order; more may still be in flight.
    pub fn push(&mut self, data: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        self.push_limited(data, usize::MAX, sink).map(|_| ())
    }

    /// Like [`Self::push`], but stops at a chunk boundary once the chunks
    /// parsed in this call claim `budget` decoded bytes; returns how many
    /// bytes of `data` were used (the caller passes the rest again later).
    pub fn push_limited(
        &mut self,
        data: &[u8],
        budget: usize,
        sink: &mut Sink<'_>,
    ) -> Result<usize> {
        let mut sink = |r: Result<Vec<u8>>| sink(r);
        self.call_decoded = 0;
        match self.parse(data, budget, &mut sink) {
            Ok(used) => {
                self.pool.drain(&mut sink);
                Ok(used)
            }
            Err(e) => Err(self.fail(e, &mut sink)),
        }
    }

    /// End of input: checks that the stream ended on a chunk boundary after
    /// a stream identifier, and emits everything still in flight.
    pub fn finish(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        let mut sink = |r: Result<Vec<u8>>| sink(r);
        let err = match self.state {
            State::Header if self.hdr_len == 0 && self.dialect.is_some() => None,
            State::Header if self.hdr_len == 0 => Some(CodecError::truncated(
                "no snappy stream identifier (empty stream)",
            )),
            State::Header => Some(CodecError::truncated(format!(
                "input ended inside the header of snappy chunk {}",
                self.chunks + 1
            ))),
            State::Ident | State::Data { .. } | State::Skip { .. } => Some(CodecError::truncated(
                format!("input ended inside snappy chunk {}", self.chunks),
            )),
        };
        if let Some(e) = err {
            return Err(self.fail(e, &mut sink));
        }
        self.submit_batch(&mut sink);
        self.pool.wait_all(&mut sink);
        Ok(())
    }

    /// On a parse error, the chunks before it (still in flight) are decoded
    /// and go to `sink` first, and an earlier chunk's error wins, so the
    /// reported error is always the first one in stream order.
    fn fail(&mut self, e: CodecError, sink: &mut impl FnMut(Result<Vec<u8>>)) -> CodecError {
        let mut f = FirstError::new(sink);
        self.submit_batch(&mut |r| f.pass(r));
        self.pool.wait_all(&mut |r| f.pass(r));
        f.or(e)
    }

    fn submit_batch(&mut self, sink: &mut impl FnMut(Result<Vec<u8>>)) {
        if self.batch.chunks.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        self.body_start = 0;
        self.pool.submit(move || decode_batch(batch), sink);
    }

    fn parse(
        &mut self,
        data: &[u8],
        budget: usize,
        sink: &mut impl FnMut(Result<Vec<u8>>),
    ) -> Result<usize> {
        let len = data.len();
        let mut data = data;
        while !data.is_empty() {
            let before = data.len();
            if self.state == State::Header && self.hdr_len == 0 && self.call_decoded >= budget {
                break;
            }
            self.step(&mut data, sink)?;
            self.pos += (before - data.len()) as u64;
        }
        Ok(len - data.len())
    }

    /// Parses from the start of `data` (one state step), advancing it.
    fn step(&mut self, data: &mut &[u8], sink: &mut impl FnMut(Result<Vec<u8>>)) -> Result<()> {
        {
            match self.state {
                State::Header => {
                    if self.hdr_len == 0 {
                        self.chunk_at = self.pos;
                    }
                    let take = (4 - self.hdr_len).min(data.len());
                    self.hdr[self.hdr_len..self.hdr_len + take].copy_from_slice(&data[..take]);
                    self.hdr_len += take;
                    *data = &data[take..];
                    if self.hdr_len == 4 {
                        self.hdr_len = 0;
                        self.start_chunk()?;
                    }
                }
                State::Ident => {
                    let take = (6 - self.ident.len()).min(data.len());
                    self.ident.extend_from_slice(&data[..take]);
                    *data = &data[take..];
                    if self.ident.len() == 6 {
                        self.dialect = Some(if self.ident[..] == SNAPPY_STREAM_ID[4..] {
                            Dialect::Snappy
                        } else if self.ident[..] == S2_STREAM_ID[4..] {
                            if !self.allow_s2 {
                                return Err(CodecError::corrupt(format!(
                                    "S2 stream (identifier S2sTwO, snappy chunk {}) where only snappy framing is allowed: \
                                     this backup's manifest (version 2103 or older) calls for golang/snappy framing, \
                                     which never carries S2 blocks",
                                    self.chunks
                                )));
                            }
                            Dialect::S2
                        } else {
                            return Err(CodecError::corrupt(format!(
                                "bad stream identifier {:?} in snappy chunk {} (expected sNaPpY or S2sTwO)",
                                String::from_utf8_lossy(&self.ident),
                                self.chunks
                            )));
                        });
                        self.ident.clear();
                        self.state = State::Header;
                    }
                }
                State::Data { compressed, len } => {
                    let have = self.batch.data.len() - self.body_start;
                    let take = (len - have).min(data.len());
                    self.batch.data.extend_from_slice(&data[..take]);
                    *data = &data[take..];
                    if have + take == len {
                        self.end_data_chunk(compressed)?;
                        if self.batch.data.len() >= BATCH_BYTES
                            || self.batch.decoded >= BATCH_DECODED
                        {
                            self.submit_batch(sink);
                        }
                    }
                }
                State::Skip { left } => {
                    let take = left.min(data.len());
                    *data = &data[take..];
                    self.state = if left == take {
                        State::Header
                    } else {
                        State::Skip { left: left - take }
                    };
                }
            }
        }
        Ok(())
    }

    /// A complete chunk header is in `hdr`.
    fn start_chunk(&mut self) -> Result<()> {
        self.chunks += 1;
        let kind = self.hdr[0];
        let len = u32::from_le_bytes([self.hdr[1], self.hdr[2], self.hdr[3], 0]) as usize;
        let no = self.chunks;
        self.state = match kind {
            CHUNK_STREAM_ID => {
                if len != 6 {
                    return Err(CodecError::corrupt(format!(
                        "stream identifier chunk {no} has length {len} (expected 6)"
                    )));
                }
                State::Ident
            }
            CHUNK_COMPRESSED | CHUNK_UNCOMPRESSED => {
                let Some(d) = self.dialect else {
                    return Err(CodecError::corrupt(
                        "snappy stream does not start with a stream identifier",
                    ));
                };
                if len < CRC_LEN {
                    return Err(CodecError::corrupt(format!(
                        "snappy chunk {no} is {len} bytes, too short for its checksum"
                    )));
                }
                let limit = if kind == CHUNK_COMPRESSED {
                    max_chunk_body(d)
                } else {
                    CRC_LEN + max_block(d)
                };
                if len > limit {
                    return Err(CodecError::corrupt(format!(
                        "snappy chunk {no} is {len} bytes, over the {} limit of {limit} (at offset {})",
                        d.name(),
                        self.chunk_at
                    )));
                }
                self.data_chunks += 1;
                self.body_start = self.batch.data.len();
                if self.batch.data.capacity() == 0 {
                    self.batch.data.reserve(BATCH_BYTES);
                }
                State::Data {
                    compressed: kind == CHUNK_COMPRESSED,
                    len,
                }
            }
            0x02..=0x7f => {
                return Err(CodecError::corrupt(format!(
                    "reserved chunk type {kind:#04x} in snappy chunk {no}"
                )))
            }
            _ if len == 0 => State::Header,
            _ => State::Skip { left: len },
        };
        Ok(())
    }

    /// The current data chunk's body is complete in the batch.
    fn end_data_chunk(&mut self, compressed: bool) -> Result<()> {
        let dialect = self.dialect.expect("dialect set before data chunks");
        let range = self.body_start..self.batch.data.len();
        let no = self.chunks;
        let payload = &self.batch.data[range.start + CRC_LEN..range.end];
        let decoded = if compressed {
            let (n, _) = decoded_len(payload)
                .map_err(|e| CodecError::corrupt(format!("{} (snappy chunk {no})", e.message)))?;
            if n > max_block(dialect) {
                return Err(CodecError::corrupt(format!(
                    "snappy chunk {no} decodes to {n} bytes, over the {} block limit of {} (at offset {})",
                    dialect.name(),
                    max_block(dialect),
                    self.chunk_at
                )));
            }
            n
        } else {
            payload.len()
        };
        self.batch.decoded += decoded;
        self.call_decoded = self.call_decoded.saturating_add(decoded);
        self.batch.chunks.push(PendingChunk {
            no,
            at: self.chunk_at,
            compressed,
            dialect,
            range,
        });
        self.body_start = self.batch.data.len();
        self.state = State::Header;
        Ok(())
    }
}

// ---------------------------------------------------------------- encoder

thread_local! {
    static ENCODER: RefCell<Option<snap::raw::Encoder>> = const { RefCell::new(None) };
}

/// Appends `input` as snappy framing chunks (golang/snappy compatible): at
/// most 64 KiB of input per chunk, compressed with `snap`'s block encoder,
/// or stored uncompressed when compression saves less than 1/8 (as
/// golang/snappy's writer does). With `stream_id` ([`SNAPPY_STREAM_ID`] or
/// [`S2_STREAM_ID`]), that identifier comes first. Empty input gives no
/// chunks.
pub fn compress_framed(input: &[u8], stream_id: Option<&[u8; 10]>, out: &mut Vec<u8>) {
    if let Some(id) = stream_id {
        out.extend_from_slice(id);
    }
    ENCODER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let enc = slot.get_or_insert_with(snap::raw::Encoder::new);
        out.reserve(input.len() + input.len() / 16 + 64);
        for piece in input.chunks(MAX_SNAPPY_BLOCK) {
            let crc = masked_crc(piece);
            let start = out.len();
            let bound = snap::raw::max_compress_len(piece.len());
            out.resize(start + 8 + bound, 0);
            let n = enc
                .compress(piece, &mut out[start + 8..])
                .expect("max_compress_len is an upper bound; 64 KiB is a valid size");
            let kind = if n >= piece.len() - piece.len() / 8 {
                out.truncate(start + 8);
                out.extend_from_slice(piece);
                CHUNK_UNCOMPRESSED
            } else {
                out.truncate(start + 8 + n);
                CHUNK_COMPRESSED
            };
            let len = (out.len() - start - 4) as u32;
            out[start] = kind;
            out[start + 1..start + 4].copy_from_slice(&len.to_le_bytes()[..3]);
            out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::error::ErrorCode;

    use crate::codec::test_util::{self, data};

    fn decode_all(input: &[u8], chunk: usize, threads: usize) -> Result<Vec<u8>> {
        test_util::decode_all(&mut SnappyDecoder::new(threads), input, chunk)
    }

    fn chunk(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut c = vec![kind];
        c.extend_from_slice(&(body.len() as u32).to_le_bytes()[..3]);
        c.extend_from_slice(body);
        c
    }

    fn raw_chunk(payload: &[u8]) -> Vec<u8> {
        let mut b = masked_crc(payload).to_le_bytes().to_vec();
        b.extend_from_slice(payload);
        chunk(CHUNK_UNCOMPRESSED, &b)
    }

    #[test]
    fn identifiers_and_masked_crc() {
        assert!(looks_like_snappy(&SNAPPY_STREAM_ID));
        assert!(looks_like_snappy(&S2_STREAM_ID));
        assert!(looks_like_snappy(&[0xff, 0x06]));
        assert!(!looks_like_snappy(&[0x1f, 0x8b, 0x08]));
        assert!(!looks_like_snappy(&[0xff, 0x06, 0x00, 0x01]));
        // CRC-32C("123456789") = 0xe3069283 (check value)
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
        // ((c >> 15) | (c << 17)) + 0xa282ead8
        assert_eq!(masked_crc(b"123456789"), 0xc78a_b0e5);
    }

    #[test]
    fn round_trip_many_chunkings() {
        let input = data(300_000);
        let mut file = Vec::new();
        compress_framed(&input[..100_000], Some(&SNAPPY_STREAM_ID), &mut file);
        compress_framed(&input[100_000..], None, &mut file);
        for chunk in [1, 7, 4096, 70_000, 1 << 22] {
            for threads in [1, 3] {
                assert!(
                    decode_all(&file, chunk, threads).unwrap() == input,
                    "chunk {chunk}"
                );
            }
        }
        // just an identifier: empty stream
        assert_eq!(decode_all(&SNAPPY_STREAM_ID, 3, 1).unwrap(), b"");
        let mut f = Vec::new();
        compress_framed(&[], Some(&SNAPPY_STREAM_ID), &mut f);
        assert_eq!(f, SNAPPY_STREAM_ID);
    }

    #[test]
    fn writer_chunks_follow_golang_snappy_rules() {
        // random data: stored uncompressed; repetitive data: compressed
        let mut x: u32 = 1;
        let random: Vec<u8> = (0..70_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let mut f = Vec::new();
        compress_framed(&random, Some(&SNAPPY_STREAM_ID), &mut f);
        assert_eq!(f[10], CHUNK_UNCOMPRESSED);
        assert_eq!(&f[11..14], &(65536u32 + 4).to_le_bytes()[..3]);
        let mut f = Vec::new();
        compress_framed(&vec![b'a'; 200_000], None, &mut f);
        assert_eq!(f[0], CHUNK_COMPRESSED);
        let mut f2 = SNAPPY_STREAM_ID.to_vec();
        f2.extend_from_slice(&f);
        assert_eq!(decode_all(&f2, 1000, 2).unwrap(), vec![b'a'; 200_000]);
        // 4 chunks of at most 64 KiB
        let mut n = 0;
        let mut p = 0;
        while p < f.len() {
            let len = u32::from_le_bytes([f[p + 1], f[p + 2], f[p + 3], 0]) as usize;
            p += 4 + len;
            n += 1;
        }
        assert_eq!(n, 4);
    }

    #[test]
    fn skippable_and_padding_chunks_are_ignored() {
        let mut f = S2_STREAM_ID.to_vec();
        f.extend(chunk(0xfe, &[0; 100]));
        f.extend(raw_chunk(b"hello "));
        f.extend(chunk(0x80, b"skip me"));
        f.extend(chunk(0x99, &[])); // empty skippable
        f.extend(raw_chunk(b"world"));
        f.extend(SNAPPY_STREAM_ID); // a second identifier (concatenated stream)
        f.extend(raw_chunk(b"!"));
        f.extend(chunk(0xfe, &[0; 3]));
        for c in [1, 2, 5, 1000] {
            assert_eq!(decode_all(&f, c, 2).unwrap(), b"hello world!");
        }
    }

    #[test]
    fn framing_errors() {
        let input = data(200_000);
        let mut good = Vec::new();
        compress_framed(&input, Some(&SNAPPY_STREAM_ID), &mut good);
        // CRC mismatch: flip a CRC byte of the 2nd data chunk (chunk 3)
        let second = 10 + 4 + u32::from_le_bytes([good[11], good[12], good[13], 0]) as usize;
        let mut bad = good.clone();
        bad[second + 5] ^= 1;
        let e = decode_all(&bad, 999, 2).unwrap_err();
        assert_eq!(e.code, ErrorCode::Corrupt);
        assert_eq!(e.message, "CRC mismatch in snappy chunk 3");
        // uncompressed chunk with a bad CRC
        let mut f = SNAPPY_STREAM_ID.to_vec();
        let mut c = raw_chunk(b"abc");
        c[5] ^= 0xff;
        f.extend(c);
        assert_eq!(
            decode_all(&f, 3, 1).unwrap_err().message,
            "CRC mismatch in snappy chunk 2"
        );
        // reserved chunk type
        for kind in [0x02u8, 0x40, 0x7f] {
            let mut f = SNAPPY_STREAM_ID.to_vec();
            f.extend(raw_chunk(b"abc"));
            f.extend(chunk(kind, b"xx"));
            let e = decode_all(&f, 100, 1).unwrap_err();
            assert_eq!(e.code, ErrorCode::Corrupt);
            assert!(e.message.contains("reserved chunk type"), "{e}");
        }
        // the earlier error wins over a later parse error
        let mut f = bad.clone();
        f.extend(chunk(0x05, b""));
        assert_eq!(
            decode_all(&f, 1 << 20, 2).unwrap_err().message,
            "CRC mismatch in snappy chunk 3"
        );
        // truncated anywhere
        for cut in [1, 4, 9, 11, 12, 20, good.len() / 2, good.len() - 1] {
            let e = decode_all(&good[..cut], 777, 2).unwrap_err();
            assert_eq!(e.code, ErrorCode::Truncated, "cut {cut}: {e}");
        }
        let mut f = S2_STREAM_ID.to_vec();
        f.extend(&chunk(0xfe, &[0; 10])[..8]);
        assert_eq!(decode_all(&f, 3, 1).unwrap_err().code, ErrorCode::Truncated);
        assert_eq!(
            decode_all(&[], 3, 1).unwrap_err().code,
            ErrorCode::Truncated
        );
        // bad identifier, data before identifier, short chunk, oversize chunks
        let mut f = SNAPPY_STREAM_ID.to_vec();
        f[9] = b'y';
        assert!(decode_all(&f, 3, 1)
            .unwrap_err()
            .message
            .contains("bad stream identifier"));
        let e = decode_all(&raw_chunk(b"abc"), 3, 1).unwrap_err();
        assert!(e
            .message
            .contains("does not start with a stream identifier"));
        let mut f = SNAPPY_STREAM_ID.to_vec();
        f.extend(chunk(CHUNK_COMPRESSED, &[1, 2, 3]));
        assert!(decode_all(&f, 3, 1)
            .unwrap_err()
            .message
            .contains("too short"));
        let mut f = SNAPPY_STREAM_ID.to_vec();
        f.extend(raw_chunk(&vec![0; MAX_SNAPPY_BLOCK + 1]));
        assert!(decode_all(&f, 1 << 20, 1)
            .unwrap_err()
            .message
            .contains("over the snappy limit"));
        let mut f = S2_STREAM_ID.to_vec();
        f.extend(raw_chunk(&vec![0; MAX_SNAPPY_BLOCK + 1])); // fine in S2
        assert_eq!(
            decode_all(&f, 1 << 20, 1).unwrap().len(),
            MAX_SNAPPY_BLOCK + 1
        );
        // compressed chunk claiming more than a snappy block
        let mut body = vec![0u8; 4];
        body.extend_from_slice(&[0x81, 0x80, 0x04]); // uvarint 65537
        let mut f = SNAPPY_STREAM_ID.to_vec();
        f.extend(chunk(CHUNK_COMPRESSED, &body));
        assert!(decode_all(&f, 100, 1)
            .unwrap_err()
            .message
            .contains("block limit"));
        // a bad block inside a chunk is CORRUPT and names the chunk
        let mut body = vec![0u8; 4];
        body.extend_from_slice(&[4, 1, 0]); // len 4, copy with offset 0
        let mut f = SNAPPY_STREAM_ID.to_vec();
        f.extend(chunk(CHUNK_COMPRESSED, &body));
        let e = decode_all(&f, 100, 1).unwrap_err();
        assert_eq!(e.code, ErrorCode::Corrupt);
        assert!(e.message.contains("snappy chunk 2"), "{e}");
    }
}
