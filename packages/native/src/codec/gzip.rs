//! gzip (RFC 1952) members: a parallel block compressor and a decoder that
//! handles both our indexed members and foreign streams.
//!
//! Writer: every block of the framed stream becomes an independent gzip member
//! compressed by libdeflate (raw deflate + our own header and trailer). The
//! header carries FEXTRA with one subfield, `SI1='S' SI2='B' LEN=4`, whose value
//! is the u32 LE total size of the member (header + deflate + trailer), like
//! BGZF does. Concatenated members form one multi-member gzip stream that
//! gunzip, Node's zlib and Go's gzip reader accept (they skip unknown
//! subfields).
//!
//! Reader: a member carrying the `SB` subfield is cut out without inflating
//! and decompressed on the worker pool with libdeflate (exact output size from
//! ISIZE; CRC32 and ISIZE checked). Any other member (Dgraph/Go, Node, gzip(1))
//! is inflated as a stream with flate2 (zlib-rs backend) in bounded chunks,
//! so memory does not depend on the member size. The choice is per member.

use super::error::{CodecError, FirstError, Result};
use super::extend_toward;
use super::pool::OrderedPool;
use super::writer::MAX_BLOCK_SIZE;
use flate2::{Decompress, FlushDecompress, Status};
use libdeflater::{CompressionLvl, Compressor, Crc, Decompressor};
use std::cell::RefCell;

pub const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];
const FTEXT: u8 = 1;
const FHCRC: u8 = 2;
const FEXTRA: u8 = 4;
const FNAME: u8 = 8;
const FCOMMENT: u8 = 16;
/// Subfield id of our member-size index.
pub const SB_ID: [u8; 2] = [b'S', b'B'];
/// Size of the header we write: 10 fixed + XLEN(2) + subfield (4 + 4).
pub const SB_HEADER_LEN: usize = 20;
const TRAILER_LEN: usize = 8;
/// A header longer than this (FNAME/FCOMMENT/FEXTRA) is treated as corrupt.
const MAX_HEADER_LEN: usize = 1 << 20;
/// Chunk size for streaming inflate output.
const STREAM_CHUNK: usize = 256 * 1024;
/// Largest output of a member carrying the `SB` size subfield (its ISIZE):
/// our writer's largest block. Such members are inflated in one piece.
pub const MAX_INDEXED_OUTPUT: usize = MAX_BLOCK_SIZE;
/// Largest `SB` member size: a stored (incompressible) largest block plus
/// deflate's per-block overhead, header and trailer.
pub const MAX_INDEXED_MEMBER: usize = MAX_INDEXED_OUTPUT + MAX_INDEXED_OUTPUT / 8 + 4096;

pub const MIN_LEVEL: i32 = 0;
pub const MAX_LEVEL: i32 = 12;
pub const DEFAULT_LEVEL: i32 = 6;

thread_local! {
    static COMPRESSOR: RefCell<Option<(i32, Compressor)>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor>> = const { RefCell::new(None) };
}

/// Compresses `input` into one gzip member with the `SB` size subfield.
/// `level` is libdeflate's 0..=12 (0 = stored, 1 fastest, 6 default,
/// 9 ≈ zlib's best, 10..12 slower and smaller than anything zlib does).
pub fn compress_member(input: &[u8], level: i32) -> Vec<u8> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().map(|(l, _)| *l) != Some(level) {
            let lvl = CompressionLvl::new(level.clamp(MIN_LEVEL, MAX_LEVEL))
                .unwrap_or_else(|_| CompressionLvl::default());
            *slot = Some((level, Compressor::new(lvl)));
        }
        let c = &mut slot.as_mut().expect("compressor set").1;
        let bound = c.deflate_compress_bound(input.len());
        let mut out = vec![0u8; SB_HEADER_LEN + bound + TRAILER_LEN];
        let n = c
            .deflate_compress(input, &mut out[SB_HEADER_LEN..SB_HEADER_LEN + bound])
            .expect("deflate_compress_bound is an upper bound");
        let total = SB_HEADER_LEN + n + TRAILER_LEN;
        out.truncate(total);
        let xfl = if level < 2 {
            4
        } else if level >= 8 {
            2
        } else {
            0
        };
        out[..SB_HEADER_LEN].copy_from_slice(&[
            0x1f, 0x8b, 0x08, FEXTRA, 0, 0, 0, 0, xfl,
            255, // fixed header, MTIME 0, OS unknown
            8, 0, // XLEN
            SB_ID[0], SB_ID[1], 4, 0, // subfield id + LEN
            0, 0, 0, 0, // member size, below
        ]);
        out[16..20].copy_from_slice(&(total as u32).to_le_bytes());
        let crc = libdeflater::crc32(input);
        out[total - 8..total - 4].copy_from_slice(&crc.to_le_bytes());
        out[total - 4..].copy_from_slice(&(input.len() as u32).to_le_bytes());
        out
    })
}

/// A parsed member header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberHeader {
    /// Header length in bytes.
    pub len: usize,
    /// Total member size from our `SB` subfield, if present.
    pub member_size: Option<u32>,
}

/// Parses a gzip member header at the start of `buf`. `Ok(None)` means more
/// bytes are needed.
pub fn parse_header(buf: &[u8]) -> Result<Option<MemberHeader>> {
    let n = buf.len().min(3);
    if buf[..n] != GZIP_MAGIC[..n] {
        return Err(CodecError::corrupt(
            "bad gzip header (magic 1f 8b 08 missing)",
        ));
    }
    if buf.len() < 10 {
        return Ok(None);
    }
    let flg = buf[3];
    if flg & 0xe0 != 0 {
        return Err(CodecError::corrupt(
            "bad gzip header (reserved flag bits set)",
        ));
    }
    let _ = FTEXT;
    let mut pos = 10;
    let mut member_size = None;
    if flg & FEXTRA != 0 {
        if buf.len() < pos + 2 {
            return Ok(None);
        }
        let xlen = u16::from_le_bytes([buf[pos], buf[pos + 1]]) as usize;
        pos += 2;
        if buf.len() < pos + xlen {
            return Ok(None);
        }
        let mut extra = &buf[pos..pos + xlen];
        while extra.len() >= 4 {
            let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
            if extra.len() < 4 + len {
                return Err(CodecError::corrupt(
                    "bad gzip header (extra subfield overruns)",
                ));
            }
            if extra[..2] == SB_ID && len == 4 {
                member_size = Some(u32::from_le_bytes(extra[4..8].try_into().expect("4 bytes")));
            }
            extra = &extra[4 + len..];
        }
        pos += xlen;
    }
    for flag in [FNAME, FCOMMENT] {
        if flg & flag != 0 {
            match buf[pos.min(buf.len())..].iter().position(|&b| b == 0) {
                Some(i) => pos += i + 1,
                None if buf.len() > MAX_HEADER_LEN => {
                    return Err(CodecError::corrupt("bad gzip header (unterminated name)"))
                }
                None => return Ok(None),
            }
        }
    }
    if flg & FHCRC != 0 {
        if buf.len() < pos + 2 {
            return Ok(None);
        }
        pos += 2;
    }
    if let Some(sz) = member_size {
        if (sz as usize) < pos + TRAILER_LEN + 2 {
            return Err(CodecError::corrupt(format!(
                "bad gzip header (member size {sz} too small)"
            )));
        }
    }
    Ok(Some(MemberHeader {
        len: pos,
        member_size,
    }))
}

/// Inflates an indexed member's body (deflate data + 8-byte trailer).
pub fn decode_indexed_body(body: &[u8]) -> Result<Vec<u8>> {
    if body.len() < TRAILER_LEN + 2 {
        return Err(CodecError::corrupt("gzip member too short"));
    }
    let (deflate, trailer) = body.split_at(body.len() - TRAILER_LEN);
    let crc = u32::from_le_bytes(trailer[..4].try_into().expect("4 bytes"));
    let isize = u32::from_le_bytes(trailer[4..].try_into().expect("4 bytes")) as usize;
    if isize > MAX_INDEXED_OUTPUT {
        return Err(CodecError::too_large(format!(
            "indexed gzip member claims {isize} bytes of output (limit {MAX_INDEXED_OUTPUT})"
        )));
    }
    // deflate cannot expand more than ~1032:1
    if isize > deflate.len().saturating_mul(1032) + 1024 {
        return Err(CodecError::corrupt(format!(
            "gzip member claims {isize} bytes from {} compressed bytes",
            deflate.len()
        )));
    }
    let mut out = vec![0u8; isize];
    let got = DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let d = slot.get_or_insert_with(Decompressor::new);
        d.deflate_decompress(deflate, &mut out)
    });
    match got {
        Ok(n) if n == isize => {}
        Ok(n) => {
            return Err(CodecError::corrupt(format!(
                "gzip ISIZE mismatch: trailer says {isize} bytes, data gives {n}"
            )))
        }
        Err(e) => {
            return Err(CodecError::corrupt(format!(
                "deflate error in gzip member: {e}"
            )))
        }
    }
    if libdeflater::crc32(&out) != crc {
        return Err(CodecError::corrupt("gzip CRC32 mismatch"));
    }
    Ok(out)
}

enum State {
    /// Expecting a member header (buffered in `buf`).
    Header,
    /// Collecting an indexed member body of `need` more bytes into `buf`.
    Indexed { need: usize },
    /// Inflating a foreign member as a stream.
    Stream,
    /// Reading the 8-byte trailer of a streamed member into `buf`.
    Trailer,
}

/// Incremental multi-member gzip decoder. Output chunks come out in order
/// through the caller's sink.
pub struct GzipDecoder {
    pool: OrderedPool<Result<Vec<u8>>>,
    state: State,
    buf: Vec<u8>,
    members: u64,
    inflate: Decompress,
    crc: Crc,
    out_size: u64,
    out: Vec<u8>,
    /// Stream offset of the next byte to parse.
    pos: u64,
    /// Stream offset of the current member's header.
    member_at: u64,
    /// Output bytes produced (or claimed by indexed members) in this call.
    call_out: usize,
}

pub type Sink<'a> = dyn FnMut(Result<Vec<u8>>) + 'a;

impl GzipDecoder {
    pub fn new(threads: usize) -> Self {
        GzipDecoder {
            pool: OrderedPool::new(threads, 0),
            state: State::Header,
            buf: Vec::new(),
            members: 0,
            inflate: Decompress::new(false),
            crc: Crc::new(),
            out_size: 0,
            out: Vec::new(),
            pos: 0,
            member_at: 0,
            call_out: 0,
        }
    }

    pub fn members(&self) -> u64 {
        self.members
    }

    /// Feeds compressed bytes. Finished output (possibly from earlier calls)
    /// is passed to `sink` in order; more may still be in flight.
    pub fn push(&mut self, data: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        self.push_limited(data, usize::MAX, sink).map(|_| ())
    }

    /// Like [`Self::push`], but stops once this call has produced (or, for
    /// indexed members, handed out) `budget` output bytes; returns how many
    /// bytes of `data` were used (the caller passes the rest again later).
    pub fn push_limited(
        &mut self,
        input: &[u8],
        budget: usize,
        sink: &mut Sink<'_>,
    ) -> Result<usize> {
        let mut sink = |r: Result<Vec<u8>>| sink(r);
        self.call_out = 0;
        self.push_some(input, budget, &mut sink)
            .map_err(|e| self.fail(e, &mut sink))
    }

    /// On an error found while parsing: what came before it in the stream
    /// (members still in flight, streamed output) goes to `sink` first, and an
    /// earlier member's error wins, so the error reported is always the first
    /// one in stream order, whatever the input chunking.
    fn fail(&mut self, e: CodecError, sink: &mut impl FnMut(Result<Vec<u8>>)) -> CodecError {
        let mut f = FirstError::new(sink);
        self.flush_out(&mut |r| f.pass(r));
        self.pool.wait_all(&mut |r| f.pass(r));
        f.or(e)
    }

    fn push_some(
        &mut self,
        input: &[u8],
        budget: usize,
        sink: &mut impl FnMut(Result<Vec<u8>>),
    ) -> Result<usize> {
        let mut data = input;
        while !data.is_empty() && self.call_out < budget {
            let at = self.pos + (input.len() - data.len()) as u64;
            match self.state {
                State::Header => {
                    if self.buf.is_empty() {
                        self.member_at = at;
                    }
                    let parsed = if self.buf.is_empty() {
                        let h = parse_header(data)?;
                        if let Some(h) = &h {
                            data = &data[h.len..];
                        }
                        h
                    } else {
                        None
                    };
                    let h = match parsed {
                        Some(h) => h,
                        None => {
                            let before = self.buf.len();
                            let take = data.len().min(4096);
                            self.buf.extend_from_slice(&data[..take]);
                            match parse_header(&self.buf)? {
                                Some(h) => {
                                    data = &data[h.len - before..];
                                    self.buf.clear();
                                    h
                                }
                                None => {
                                    data = &data[take..];
                                    continue;
                                }
                            }
                        }
                    };
                    self.members += 1;
                    match h.member_size {
                        Some(sz) if sz as usize > MAX_INDEXED_MEMBER => {
                            return Err(CodecError::too_large(format!(
                                "gzip member {} at offset {} claims {sz} bytes in its SB subfield (limit {MAX_INDEXED_MEMBER})",
                                self.members, self.member_at
                            )));
                        }
                        Some(sz) => {
                            let need = sz as usize - h.len;
                            self.state = State::Indexed { need };
                        }
                        None => {
                            self.inflate.reset(false);
                            self.crc = Crc::new();
                            self.out_size = 0;
                            self.state = State::Stream;
                        }
                    }
                }
                State::Indexed { need } => {
                    let take = (need - self.buf.len()).min(data.len());
                    extend_toward(&mut self.buf, &data[..take], need);
                    data = &data[take..];
                    if self.buf.len() == need {
                        let body = std::mem::take(&mut self.buf);
                        // (ISIZE, the trailer's last 4 bytes: checked on the worker)
                        let isize = body.len().checked_sub(4).map_or(0, |i| {
                            u32::from_le_bytes(body[i..].try_into().expect("4 bytes")) as usize
                        });
                        self.call_out = self.call_out.saturating_add(isize);
                        let (no, at) = (self.members, self.member_at);
                        self.pool.submit(
                            move || {
                                decode_indexed_body(&body).map_err(|e| {
                                    CodecError::new(
                                        e.code,
                                        format!("{} (gzip member {no} at offset {at})", e.message),
                                    )
                                })
                            },
                            sink,
                        );
                        self.state = State::Header;
                    }
                }
                State::Stream => {
                    data = self.inflate_some(data, budget, sink)?;
                }
                State::Trailer => {
                    let take = (TRAILER_LEN - self.buf.len()).min(data.len());
                    self.buf.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if self.buf.len() == TRAILER_LEN {
                        let crc = u32::from_le_bytes(self.buf[..4].try_into().expect("4"));
                        let isize = u32::from_le_bytes(self.buf[4..].try_into().expect("4"));
                        self.buf.clear();
                        if crc != self.crc.sum() {
                            return Err(CodecError::corrupt(format!(
                                "gzip CRC32 mismatch in member {}",
                                self.members
                            )));
                        }
                        if isize != self.out_size as u32 {
                            return Err(CodecError::corrupt(format!(
                                "gzip ISIZE mismatch in member {}",
                                self.members
                            )));
                        }
                        self.state = State::Header;
                    }
                }
            }
        }
        // A streamed member may still hold output inside the inflater.
        if let State::Stream = self.state {
            self.inflate_some(&[], budget, sink)?;
        }
        self.flush_out(sink);
        self.pool.drain(sink);
        let used = input.len() - data.len();
        self.pos += used as u64;
        Ok(used)
    }

    fn flush_out(&mut self, sink: &mut impl FnMut(Result<Vec<u8>>)) {
        if !self.out.is_empty() {
            let chunk = std::mem::take(&mut self.out);
            self.pool.submit_ready(Ok(chunk), sink);
        }
    }

    /// Inflates from `data` until it is used up (or the member ends); returns
    /// the unused input.
    fn inflate_some<'d>(
        &mut self,
        mut data: &'d [u8],
        budget: usize,
        sink: &mut impl FnMut(Result<Vec<u8>>),
    ) -> Result<&'d [u8]> {
        loop {
            if self.call_out >= budget {
                return Ok(data);
            }
            if self.out.len() == self.out.capacity() {
                self.flush_out(sink);
                self.out = Vec::with_capacity(STREAM_CHUNK);
            }
            let (in0, out0) = (self.inflate.total_in(), self.out.len());
            let st = self
                .inflate
                .decompress_vec(data, &mut self.out, FlushDecompress::None)
                .map_err(|e| {
                    CodecError::corrupt(format!(
                        "deflate error in gzip member {}: {e}",
                        self.members
                    ))
                })?;
            let consumed = (self.inflate.total_in() - in0) as usize;
            data = &data[consumed..];
            let produced = &self.out[out0..];
            self.crc.update(produced);
            self.out_size += produced.len() as u64;
            self.call_out += produced.len();
            if st == Status::StreamEnd {
                // Keep the order: this member's output goes before the next member's.
                self.flush_out(sink);
                self.state = State::Trailer;
                return Ok(data);
            }
            if consumed == 0 && produced.is_empty() {
                if data.is_empty() {
                    return Ok(data);
                }
                if self.out.len() < self.out.capacity() {
                    return Err(CodecError::corrupt(format!(
                        "inflate made no progress in gzip member {}",
                        self.members
                    )));
                }
            }
        }
    }

    /// End of input: checks that the stream ended after a complete member and
    /// emits everything still in flight.
    pub fn finish(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        let mut sink = |r: Result<Vec<u8>>| sink(r);
        self.pool.wait_all(&mut sink);
        match self.state {
            State::Header if self.buf.is_empty() && self.members > 0 => Ok(()),
            State::Header if self.members == 0 && self.buf.is_empty() => {
                Err(CodecError::truncated("no gzip data"))
            }
            State::Header => Err(CodecError::truncated(format!(
                "input ended inside the header of gzip member {}",
                self.members + 1
            ))),
            State::Indexed { need } => Err(CodecError::truncated(format!(
                "input ended inside gzip member {} ({} bytes missing)",
                self.members,
                need - self.buf.len()
            ))),
            State::Stream => Err(CodecError::truncated(format!(
                "input ended inside gzip member {}",
                self.members
            ))),
            State::Trailer => Err(CodecError::truncated(format!(
                "input ended inside the trailer of gzip member {}",
                self.members
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::error::ErrorCode;
    use std::io::Write;

    use crate::codec::test_util::{self, data};

    fn decode_all(input: &[u8], chunk: usize, threads: usize) -> Result<Vec<u8>> {
        test_util::decode_all(&mut GzipDecoder::new(threads), input, chunk)
    }

    #[test]
    fn indexed_members_round_trip_and_flate2_reads_them() {
        let input = data(300_000);
        let mut file = Vec::new();
        for block in input.chunks(64 * 1024) {
            file.extend_from_slice(&compress_member(block, 6));
        }
        for chunk in [1, 13, 4096, 1 << 20] {
            assert!(
                decode_all(&file, chunk, 2).unwrap() == input,
                "chunk {chunk}"
            );
        }
        // a plain multi-member reader sees the same bytes
        let mut w = flate2::write::MultiGzDecoder::new(Vec::new());
        w.write_all(&file).unwrap();
        assert_eq!(w.finish().unwrap(), input);
    }

    #[test]
    fn all_levels_and_empty_block() {
        let input = data(10_000);
        for level in MIN_LEVEL..=MAX_LEVEL {
            let m = compress_member(&input, level);
            assert!(decode_all(&m, 1000, 1).unwrap() == input);
        }
        let m = compress_member(&[], 6);
        assert_eq!(decode_all(&m, 3, 1).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn foreign_members_stream_and_mix() {
        let input = data(700_000);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        enc.write_all(&input[..400_000]).unwrap();
        let mut file = enc.finish().unwrap();
        file.extend_from_slice(&compress_member(&input[400_000..], 3));
        for chunk in [1, 1000, 65536, 10 << 20] {
            assert!(
                decode_all(&file, chunk, 2).unwrap() == input,
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn header_with_name_comment_and_hcrc() {
        let input = b"hello hello hello".to_vec();
        let mut m = vec![
            0x1f,
            0x8b,
            8,
            FNAME | FCOMMENT | FHCRC | FEXTRA,
            0,
            0,
            0,
            0,
            0,
            3,
        ];
        m.extend_from_slice(&[6, 0, b'x', b'y', 2, 0, 1, 2]);
        m.extend_from_slice(b"name.txt\0a comment\0");
        m.extend_from_slice(&[0xaa, 0xbb]);
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
        raw.write_all(&input).unwrap();
        m.extend_from_slice(&raw.finish().unwrap());
        m.extend_from_slice(&libdeflater::crc32(&input).to_le_bytes());
        m.extend_from_slice(&(input.len() as u32).to_le_bytes());
        for chunk in [1, 5, 100] {
            assert!(decode_all(&m, chunk, 1).unwrap() == input);
        }
    }

    #[test]
    fn truncation_and_corruption() {
        let input = data(200_000);
        let indexed = [
            compress_member(&input[..100_000], 6),
            compress_member(&input[100_000..], 6),
        ]
        .concat();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        enc.write_all(&input).unwrap();
        let foreign = enc.finish().unwrap();
        for file in [&indexed, &foreign] {
            for cut in [1, 5, 15, 25, file.len() / 2, file.len() - 4, file.len() - 1] {
                let e = decode_all(&file[..cut], 777, 2).unwrap_err();
                assert_eq!(e.code, ErrorCode::Truncated, "cut {cut}: {e}");
            }
            for pos in [
                30,
                file.len() / 3,
                file.len() / 2,
                file.len() - 6,
                file.len() - 2,
            ] {
                let mut bad = file.clone();
                bad[pos] ^= 0x55;
                let e = decode_all(&bad, 4096, 2).unwrap_err();
                assert!(
                    matches!(e.code, ErrorCode::Corrupt | ErrorCode::Truncated),
                    "pos {pos}: {e}"
                );
            }
            let mut junk = file.clone();
            junk.extend_from_slice(b"junk");
            assert_eq!(
                decode_all(&junk, 100, 1).unwrap_err().code,
                ErrorCode::Corrupt
            );
        }
    }
}
