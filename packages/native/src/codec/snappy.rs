//! Snappy / S2 framing (spec §5.3, §5.3.1): not implemented yet.
//!
//! This module is the seam where the second decompressor plugs in: the reader
//! picks a [`Compression`] from the options or from the first bytes of the
//! (decrypted) data and asks [`make_decompressor`](crate::codec::reader) for a
//! decoder; for snappy/S2 that currently fails with UNSUPPORTED_COMPRESSION.

use super::error::{CodecError, ErrorCode};

/// Stream identifier chunk of golang/snappy framing (`sNaPpY`).
pub const SNAPPY_STREAM_ID: [u8; 10] = [0xff, 0x06, 0x00, 0x00, b's', b'N', b'a', b'P', b'p', b'Y'];
/// Stream identifier chunk of S2 framing (`S2sTwO`).
pub const S2_STREAM_ID: [u8; 10] = [0xff, 0x06, 0x00, 0x00, b'S', b'2', b's', b'T', b'w', b'O'];

/// True if `head` starts like a snappy/S2 stream identifier chunk.
pub fn looks_like_snappy(head: &[u8]) -> bool {
    let n = head.len().min(4);
    n >= 3 && head[..n] == SNAPPY_STREAM_ID[..n]
}

pub fn unsupported(what: &str) -> CodecError {
    CodecError::new(
        ErrorCode::UnsupportedCompression,
        format!("{what} decompression is not supported yet (only gzip backups can be read)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_both_identifiers() {
        assert!(looks_like_snappy(&SNAPPY_STREAM_ID));
        assert!(looks_like_snappy(&S2_STREAM_ID));
        assert!(!looks_like_snappy(&[0x1f, 0x8b, 0x08]));
        assert_eq!(
            unsupported("snappy").code,
            ErrorCode::UnsupportedCompression
        );
    }
}
