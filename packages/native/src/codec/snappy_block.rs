//! Snappy / S2 block decoder (spec §5.3 "Snappy block", §5.3.1 extension).
//!
//! A block is `uvarint(decoded length)` followed by elements chosen by the
//! low 2 bits of a tag byte:
//!
//! | tag & 3 | element | length | offset |
//! |---|---|---|---|
//! | `00` | literal | `(tag>>2)+1`; 60..=63: length−1 in the next 1..=4 LE bytes | – |
//! | `01` | copy, 1-byte offset | `4 + ((tag>>2)&7)` | `(tag>>5)<<8 \| next byte` |
//! | `10` | copy, 2-byte offset | `(tag>>2)+1` | next 2 bytes LE |
//! | `11` | copy, 4-byte offset | `(tag>>2)+1` | next 4 bytes LE |
//!
//! Copies may overlap their own output. S2 ([`Dialect::S2`]) adds one thing:
//! a `01` copy whose offset is 0 repeats the previous copy offset of the
//! block, and its 3-bit field is a length form: 0..=4 → 4..=8, 5 → 8 + next
//! byte, 6 → 260 + next 2 bytes LE, 7 → 65540 + next 3 bytes LE. In plain
//! snappy an offset of 0 is corrupt. Offsets never reach outside the block.
//!
//! Every malformed input is a `CORRUPT` error; nothing panics and output never
//! exceeds the declared length (itself capped by the caller).

use super::error::{CodecError, Result};

/// Which block format: plain snappy, or S2 (a superset with repeat offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Snappy,
    S2,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Snappy => "snappy",
            Dialect::S2 => "S2",
        }
    }
}

/// Reads the uvarint decoded-length header of a block: `(length, header
/// bytes)`. The value must fit in 32 bits (at most 5 bytes).
pub fn decoded_len(src: &[u8]) -> Result<(usize, usize)> {
    let mut v: u64 = 0;
    for (i, &b) in src.iter().enumerate().take(5) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            if v > u64::from(u32::MAX) {
                break;
            }
            return Ok((v as usize, i + 1));
        }
    }
    Err(CodecError::corrupt("bad block length header (uvarint)"))
}

fn corrupt(dialect: Dialect, why: impl std::fmt::Display) -> CodecError {
    CodecError::corrupt(format!("bad {} block: {why}", dialect.name()))
}

/// Decodes one block, appending its output to `out`. The declared length
/// must be at most `max_len`. Copies may only reach back to bytes this block
/// produced (not to earlier contents of `out`).
pub fn decode_block_into(
    src: &[u8],
    dialect: Dialect,
    max_len: usize,
    out: &mut Vec<u8>,
) -> Result<()> {
    let (n, mut s) = decoded_len(src)?;
    if n > max_len {
        return Err(corrupt(
            dialect,
            format_args!("decoded length {n} exceeds the limit of {max_len} bytes"),
        ));
    }
    let base = out.len();
    let end = base + n;
    // Room for what the input can plainly give; the rest grows as produced
    // (S2 repeats can give 4 MiB from a few bytes, and a bogus header can
    // claim it from none).
    out.reserve(n.min(src.len().saturating_mul(4)));
    // Last copy offset (S2 repeat); 0 = none yet.
    let mut last_offset: usize = 0;
    while s < src.len() {
        let tag = src[s];
        match tag & 3 {
            0 => {
                let mut len = (tag >> 2) as usize;
                s += 1;
                if len >= 60 {
                    let extra = len - 59;
                    let Some(b) = src.get(s..s + extra) else {
                        return Err(corrupt(dialect, "literal length runs past the input"));
                    };
                    let mut v: usize = 0;
                    for (i, &x) in b.iter().enumerate() {
                        v |= (x as usize) << (8 * i);
                    }
                    len = v;
                    s += extra;
                }
                let len = len + 1;
                if len > src.len() - s {
                    return Err(corrupt(
                        dialect,
                        format_args!(
                            "literal of {len} bytes runs past the input ({} left)",
                            src.len() - s
                        ),
                    ));
                }
                if len > end - out.len() {
                    return Err(corrupt(
                        dialect,
                        format_args!("literal overruns the decoded length {n}"),
                    ));
                }
                out.extend_from_slice(&src[s..s + len]);
                s += len;
            }
            1 => {
                let Some(&b1) = src.get(s + 1) else {
                    return Err(corrupt(dialect, "copy runs past the input"));
                };
                let offset = (((tag as usize) >> 5) << 8) | b1 as usize;
                let field = ((tag >> 2) & 7) as usize;
                s += 2;
                let (len, off) = if offset != 0 {
                    (4 + field, offset)
                } else if dialect == Dialect::Snappy {
                    return Err(corrupt(dialect, "copy with offset 0"));
                } else {
                    // S2 repeat of the previous offset
                    let len = match field {
                        0..=4 => 4 + field,
                        5 => {
                            let Some(&x) = src.get(s) else {
                                return Err(corrupt(dialect, "repeat length runs past the input"));
                            };
                            s += 1;
                            8 + x as usize
                        }
                        6 => {
                            let Some(x) = src.get(s..s + 2) else {
                                return Err(corrupt(dialect, "repeat length runs past the input"));
                            };
                            s += 2;
                            260 + u16::from_le_bytes([x[0], x[1]]) as usize
                        }
                        _ => {
                            let Some(x) = src.get(s..s + 3) else {
                                return Err(corrupt(dialect, "repeat length runs past the input"));
                            };
                            s += 3;
                            65540 + (x[0] as usize | (x[1] as usize) << 8 | (x[2] as usize) << 16)
                        }
                    };
                    if last_offset == 0 {
                        return Err(corrupt(dialect, "repeat offset before any copy"));
                    }
                    (len, last_offset)
                };
                copy(out, base, end, off, len, dialect)?;
                last_offset = off;
            }
            2 => {
                let Some(b) = src.get(s + 1..s + 3) else {
                    return Err(corrupt(dialect, "copy runs past the input"));
                };
                let off = u16::from_le_bytes([b[0], b[1]]) as usize;
                s += 3;
                copy(out, base, end, off, (tag >> 2) as usize + 1, dialect)?;
                last_offset = off;
            }
            _ => {
                let Some(b) = src.get(s + 1..s + 5) else {
                    return Err(corrupt(dialect, "copy runs past the input"));
                };
                let off = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
                s += 5;
                copy(out, base, end, off, (tag >> 2) as usize + 1, dialect)?;
                last_offset = off;
            }
        }
    }
    if out.len() != end {
        let got = out.len() - base;
        out.truncate(base);
        return Err(corrupt(
            dialect,
            format_args!("length mismatch: header says {n} bytes, elements give {got}"),
        ));
    }
    Ok(())
}

/// Appends `len` bytes copied from `off` bytes back (may overlap).
#[inline]
fn copy(
    out: &mut Vec<u8>,
    base: usize,
    end: usize,
    off: usize,
    len: usize,
    dialect: Dialect,
) -> Result<()> {
    let produced = out.len() - base;
    if off == 0 {
        return Err(corrupt(dialect, "copy with offset 0"));
    }
    if off > produced {
        return Err(corrupt(
            dialect,
            format_args!("copy offset {off} is beyond the {produced} bytes decoded so far"),
        ));
    }
    if len > end - out.len() {
        return Err(corrupt(
            dialect,
            format_args!("copy of {len} bytes overruns the decoded length"),
        ));
    }
    let src = out.len() - off;
    if off >= len {
        out.extend_from_within(src..src + len);
    } else {
        // Overlapping: the output from `src` on is periodic with period
        // `off`, so each step can copy everything written since `src`
        // (a multiple of `off`), doubling the reach each time.
        let mut left = len;
        while left > 0 {
            let n = left.min(out.len() - src);
            out.extend_from_within(src..src + n);
            left -= n;
        }
    }
    Ok(())
}

/// Decodes a whole block into a new Vec (used by tests and one-shot callers).
pub fn decode_block(src: &[u8], dialect: Dialect, max_len: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    decode_block_into(src, dialect, max_len, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::error::ErrorCode;

    const MAX: usize = 1 << 24;

    fn uvarint(mut v: usize, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// Literal element with the shortest length encoding.
    fn literal(data: &[u8], out: &mut Vec<u8>) {
        let m = data.len() - 1;
        if m < 60 {
            out.push((m as u8) << 2);
        } else {
            let bytes = (usize::BITS - m.leading_zeros()).div_ceil(8) as usize;
            out.push(((59 + bytes) as u8) << 2);
            out.extend_from_slice(&m.to_le_bytes()[..bytes]);
        }
        out.extend_from_slice(data);
    }

    fn block(n: usize, elems: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        uvarint(n, &mut b);
        b.extend_from_slice(elems);
        b
    }

    fn ok(src: &[u8], d: Dialect) -> Vec<u8> {
        decode_block(src, d, MAX).unwrap_or_else(|e| panic!("{e}"))
    }

    fn bad(src: &[u8], d: Dialect) -> String {
        let e = decode_block(src, d, MAX).unwrap_err();
        assert_eq!(e.code, ErrorCode::Corrupt);
        e.message
    }

    #[test]
    fn literals_of_every_length_form() {
        // inline lengths 1..=60, and 1/2/3/4-byte length forms
        for len in [
            1usize,
            2,
            59,
            60,
            61,
            62,
            255,
            256,
            257,
            300,
            65535,
            65536,
            65537,
            70000,
            1 << 24,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let mut e = Vec::new();
            literal(&data, &mut e);
            assert_eq!(ok(&block(len, &e), Dialect::Snappy), data, "len {len}");
        }
        // 4-byte form explicitly (tag 63<<2), small value
        let b = block(3, &[63 << 2, 2, 0, 0, 0, b'a', b'b', b'c']);
        assert_eq!(ok(&b, Dialect::S2), b"abc");
        // 3-byte form (tag 62<<2)
        let b = block(2, &[62 << 2, 1, 0, 0, b'x', b'y']);
        assert_eq!(ok(&b, Dialect::Snappy), b"xy");
        // empty block
        assert_eq!(ok(&[0], Dialect::Snappy), b"");
    }

    #[test]
    fn copies_with_each_offset_width() {
        let mut e = Vec::new();
        literal(b"abcdefgh", &mut e);
        // copy-1: len 4 + 3 = 7, offset 8
        e.extend_from_slice(&[(3 << 2) | 1, 8]);
        // copy-2: len 5, offset 15
        e.extend_from_slice(&[(4 << 2) | 2, 15, 0]);
        // copy-4: len 64, offset 20
        e.extend_from_slice(&[(63 << 2) | 3, 20, 0, 0, 0]);
        let mut want = b"abcdefgh".to_vec();
        for (off, len) in [(8, 7), (15, 5), (20, 64)] {
            for _ in 0..len {
                want.push(want[want.len() - off]);
            }
        }
        let b = block(want.len(), &e);
        assert_eq!(ok(&b, Dialect::Snappy), want);
        assert_eq!(ok(&b, Dialect::S2), want);
        // copy-1 with the largest offset (2047), high bits in the tag
        let data: Vec<u8> = (0..2047).map(|i| (i % 253) as u8).collect();
        let mut e = Vec::new();
        literal(&data, &mut e);
        e.extend_from_slice(&[(7 << 5) | (7 << 2) | 1, 0xff]);
        let mut want = data.clone();
        want.extend_from_slice(&data[..11]);
        assert_eq!(ok(&block(want.len(), &e), Dialect::Snappy), want);
    }

    #[test]
    fn overlapping_copies() {
        for (off, len) in [
            (1usize, 64usize),
            (1, 1000),
            (2, 63),
            (3, 4),
            (3, 100),
            (7, 65),
            (5, 5),
        ] {
            let seed: Vec<u8> = (1..=off as u8).collect();
            let mut e = Vec::new();
            literal(&seed, &mut e);
            if len <= 64 {
                e.extend_from_slice(&[((len as u8 - 1) << 2) | 2, off as u8, 0]);
            } else {
                let mut left = len;
                while left > 0 {
                    let n = left.min(64);
                    e.extend_from_slice(&[((n as u8 - 1) << 2) | 2, off as u8, 0]);
                    left -= n;
                }
            }
            let mut want = seed.clone();
            for _ in 0..len {
                want.push(want[want.len() - off]);
            }
            assert_eq!(
                ok(&block(want.len(), &e), Dialect::Snappy),
                want,
                "off {off} len {len}"
            );
        }
    }

    #[test]
    fn s2_repeat_offsets_with_each_length_form() {
        // (field, extra bytes, expected length)
        let forms: [(u8, &[u8], usize); 8] = [
            (0, &[], 4),
            (3, &[], 7),
            (4, &[], 8),
            (5, &[0], 8),
            (5, &[255], 263),
            (6, &[0x10, 0x01], 260 + 0x110),
            (7, &[0x01, 0x00, 0x00], 65541),
            (7, &[0x00, 0x00, 0x01], 65540 + 65536),
        ];
        for (field, extra, len) in forms {
            let mut e = Vec::new();
            literal(b"0123456789", &mut e);
            e.extend_from_slice(&[(1 << 2) | 1, 3]); // copy len 5, offset 3
            e.push((field << 2) | 1);
            e.push(0); // offset 0 = repeat
            e.extend_from_slice(extra);
            literal(b"!", &mut e);
            let mut want = b"0123456789".to_vec();
            for _ in 0..5 + len {
                want.push(want[want.len() - 3]);
            }
            want.push(b'!');
            assert_eq!(
                ok(&block(want.len(), &e), Dialect::S2),
                want,
                "field {field}"
            );
            // plain snappy rejects the same bytes
            assert!(bad(&block(want.len(), &e), Dialect::Snappy).contains("offset 0"));
        }
        // the repeat follows the latest offset, including 2- and 4-byte copies
        let mut e = Vec::new();
        literal(b"abcdefghij", &mut e);
        e.extend_from_slice(&[(3 << 2) | 2, 10, 0]); // len 4 off 10
        e.extend_from_slice(&[1, 0]); // repeat len 4 (off 10)
        e.extend_from_slice(&[(3 << 2) | 3, 7, 0, 0, 0]); // len 4 off 7
        e.extend_from_slice(&[1, 0]); // repeat len 4 (off 7)
        let mut want = b"abcdefghij".to_vec();
        for off in [10, 10, 7, 7] {
            for _ in 0..4 {
                want.push(want[want.len() - off]);
            }
        }
        assert_eq!(ok(&block(want.len(), &e), Dialect::S2), want);
    }

    #[test]
    fn invalid_blocks() {
        let s = Dialect::Snappy;
        // header: unterminated, too long, over the limit
        assert!(bad(&[], s).contains("uvarint"));
        assert!(bad(&[0x80, 0x80], s).contains("uvarint"));
        assert!(bad(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01], s).contains("uvarint"));
        assert!(bad(&[0xff, 0xff, 0xff, 0xff, 0x1f], s).contains("uvarint"));
        let e = decode_block(&block(100, &[]), s, 99).unwrap_err();
        assert!(e.message.contains("exceeds the limit"), "{e}");
        // length mismatch: too few / too many
        assert!(bad(&block(5, &[0, b'a']), s).contains("length mismatch"));
        assert!(bad(&block(1, &[1 << 2, b'a', b'b']), s).contains("overruns"));
        // literal past the input (inline and extended lengths)
        assert!(bad(&block(4, &[3 << 2, b'a']), s).contains("past the input"));
        assert!(bad(&block(100, &[61 << 2, 99]), s).contains("past the input"));
        // offset 0 with copy-2 / copy-4 is corrupt in both dialects
        let mut e = Vec::new();
        literal(b"abcd", &mut e);
        e.extend_from_slice(&[(3 << 2) | 2, 0, 0]);
        for d in [Dialect::Snappy, Dialect::S2] {
            assert!(bad(&block(8, &e), d).contains("offset 0"));
        }
        // copy-1 offset 0 in snappy; repeat with no previous copy in S2
        let mut e = Vec::new();
        literal(b"abcd", &mut e);
        e.extend_from_slice(&[1, 0]);
        assert!(bad(&block(8, &e), Dialect::Snappy).contains("offset 0"));
        assert!(bad(&block(8, &e), Dialect::S2).contains("before any copy"));
        // offset beyond the output
        let mut e = Vec::new();
        literal(b"abcd", &mut e);
        e.extend_from_slice(&[1, 5]);
        assert!(bad(&block(8, &e), s).contains("beyond"));
        // copy past the declared length
        let mut e = Vec::new();
        literal(b"abcd", &mut e);
        e.extend_from_slice(&[(7 << 2) | 1, 4]);
        assert!(bad(&block(8, &e), s).contains("overruns"));
        // element cut short
        for tail in [
            &[1u8][..],
            &[2, 1],
            &[3, 1, 0, 0],
            &[(5 << 2) | 1, 0],
            &[(6 << 2) | 1, 0, 1],
        ] {
            let mut e = Vec::new();
            literal(b"abcd", &mut e);
            e.extend_from_slice(&[1, 4]); // a copy so that S2 repeats are allowed
            e.extend_from_slice(tail);
            bad(&block(100, &e), Dialect::S2);
        }
        // copies never reach into bytes before this block
        let mut out = b"earlier".to_vec();
        let e = decode_block_into(&block(4, &[1, 2]), s, MAX, &mut out).unwrap_err();
        assert!(e.message.contains("beyond"));
    }

    #[test]
    fn matches_snap_encoder() {
        let mut enc = snap::raw::Encoder::new();
        let mut data = Vec::new();
        for i in 0..200_000u32 {
            data.extend_from_slice(format!("k{}:", i % 977).as_bytes());
            data.push((i.wrapping_mul(2654435761) >> 24) as u8);
        }
        for len in [0, 1, 100, 65536, data.len()] {
            let c = enc.compress_vec(&data[..len]).unwrap();
            assert_eq!(ok(&c, Dialect::Snappy), &data[..len]);
            assert_eq!(ok(&c, Dialect::S2), &data[..len]);
        }
    }
}
