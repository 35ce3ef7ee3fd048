//! Stream framing (spec §5.4): repeated `{ u64 LE length L; L bytes KVList }`.
//!
//! [`FrameDecoder`] walks the lengths incrementally, whatever the chunking,
//! so truncation and absurd lengths are detected. In "collect" mode it also
//! hands every complete frame body to a callback (zero-copy when the body
//! lies inside one input chunk).

use super::error::{CodecError, Result};
use super::extend_toward;

/// Longest frame accepted (TOO_LARGE above). Dgraph's frames are badger
/// stream batches, sent once a batch passes 100 MB (badger's
/// `maxStreamSize`) or sooner, so real frames stay below ~120 MB. A frame
/// that spans decompressed chunks is collected in memory, growing only as
/// its bytes arrive.
pub const MAX_FRAME_LEN: u64 = 128 << 20;

/// Appends one frame holding `body`.
pub fn encode_frame(body: &[u8], out: &mut Vec<u8>) {
    out.reserve(8 + body.len());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
}

/// A complete frame body found by [`FrameDecoder::split`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameBody {
    /// The body lies inside the chunk that was split: its byte range.
    Range(std::ops::Range<usize>),
    /// The body spans chunks: collected here.
    Owned(Vec<u8>),
}

enum Body<'a> {
    Borrowed(&'a [u8]),
    Owned(Vec<u8>),
}

#[derive(Debug, Default)]
pub struct FrameDecoder {
    collect: bool,
    hdr: [u8; 8],
    hdr_have: usize,
    /// Body bytes still expected for the current frame (when in a body).
    remaining: u64,
    in_body: bool,
    body: Vec<u8>,
    frames: u64,
    bytes: u64,
}

impl FrameDecoder {
    /// `collect`: whether complete frame bodies are passed to the callback.
    pub fn new(collect: bool) -> Self {
        FrameDecoder {
            collect,
            ..Default::default()
        }
    }

    pub fn frames(&self) -> u64 {
        self.frames
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// True when the input so far ends on a frame boundary.
    pub fn at_boundary(&self) -> bool {
        !self.in_body && self.hdr_have == 0
    }

    /// Feeds bytes; `on_frame` gets every complete frame body (collect mode).
    pub fn feed(
        &mut self,
        data: &[u8],
        on_frame: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        self.feed_bodies(data, &mut |b| match b {
            Body::Borrowed(b) => on_frame(b),
            Body::Owned(b) => on_frame(&b),
        })
    }

    /// Feeds one chunk (collect mode) and appends its complete frames to
    /// `out`: ranges of `chunk`, or the collected body of a frame that began
    /// in an earlier chunk. Only the 8-byte lengths are read here, so the
    /// bodies can be checked elsewhere (e.g. on worker threads).
    pub fn split(&mut self, chunk: &[u8], out: &mut Vec<FrameBody>) -> Result<()> {
        let base = chunk.as_ptr() as usize;
        self.feed_bodies(chunk, &mut |b| {
            out.push(match b {
                Body::Borrowed(b) => {
                    let start = if b.is_empty() {
                        0
                    } else {
                        b.as_ptr() as usize - base
                    };
                    FrameBody::Range(start..start + b.len())
                }
                Body::Owned(b) => FrameBody::Owned(b),
            });
            Ok(())
        })
    }

    fn feed_bodies<'d>(
        &mut self,
        mut data: &'d [u8],
        on_frame: &mut dyn FnMut(Body<'d>) -> Result<()>,
    ) -> Result<()> {
        self.bytes += data.len() as u64;
        while !data.is_empty() {
            if !self.in_body {
                let take = (8 - self.hdr_have).min(data.len());
                self.hdr[self.hdr_have..self.hdr_have + take].copy_from_slice(&data[..take]);
                self.hdr_have += take;
                data = &data[take..];
                if self.hdr_have < 8 {
                    break;
                }
                let len = u64::from_le_bytes(self.hdr);
                self.hdr_have = 0;
                if len > MAX_FRAME_LEN {
                    let at = self.bytes - data.len() as u64 - 8;
                    return Err(CodecError::too_large(format!(
                        "frame {} at decompressed offset {at} claims {len} bytes (limit {MAX_FRAME_LEN})",
                        self.frames + 1
                    )));
                }
                self.in_body = true;
                self.remaining = len;
                self.body.clear();
                // Zero-copy path: the whole body is inside this chunk.
                if self.collect && (len as usize) <= data.len() {
                    let (body, rest) = data.split_at(len as usize);
                    self.in_body = false;
                    self.frames += 1;
                    on_frame(Body::Borrowed(body))?;
                    data = rest;
                    continue;
                }
                if len == 0 {
                    self.in_body = false;
                    self.frames += 1;
                    if self.collect {
                        on_frame(Body::Borrowed(&[]))?;
                    }
                    continue;
                }
            }
            let take = (self.remaining.min(data.len() as u64)) as usize;
            if self.collect {
                let total = self.body.len() + self.remaining as usize;
                extend_toward(&mut self.body, &data[..take], total);
            }
            self.remaining -= take as u64;
            data = &data[take..];
            if self.remaining == 0 {
                self.in_body = false;
                self.frames += 1;
                if self.collect {
                    let body = std::mem::take(&mut self.body);
                    on_frame(Body::Owned(body))?;
                }
            }
        }
        Ok(())
    }

    /// End of input: the stream must end on a frame boundary.
    pub fn finish(&self) -> Result<()> {
        if self.hdr_have > 0 {
            return Err(CodecError::truncated(format!(
                "input ended inside the length of frame {} ({} of 8 bytes)",
                self.frames + 1,
                self.hdr_have
            )));
        }
        if self.in_body {
            return Err(CodecError::truncated(format!(
                "input ended inside frame {} ({} bytes missing)",
                self.frames + 1,
                self.remaining
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::error::ErrorCode;

    fn sample() -> (Vec<u8>, Vec<Vec<u8>>) {
        let bodies: Vec<Vec<u8>> = vec![vec![], b"a".to_vec(), vec![7u8; 300], b"xyz".to_vec()];
        let mut s = Vec::new();
        for b in &bodies {
            encode_frame(b, &mut s);
        }
        (s, bodies)
    }

    #[test]
    fn any_chunking_gives_same_frames() {
        let (s, bodies) = sample();
        for chunk in [1usize, 2, 3, 7, 8, 9, 100, 1000] {
            let mut d = FrameDecoder::new(true);
            let mut got = Vec::new();
            for c in s.chunks(chunk) {
                d.feed(c, &mut |b| {
                    got.push(b.to_vec());
                    Ok(())
                })
                .unwrap();
            }
            d.finish().unwrap();
            assert_eq!(got, bodies, "chunk {chunk}");
            assert_eq!(d.frames(), 4);
        }
    }

    #[test]
    fn truncation_is_detected() {
        let (s, _) = sample();
        for cut in 1..s.len() {
            let mut d = FrameDecoder::new(false);
            d.feed(&s[..cut], &mut |_| Ok(())).unwrap();
            let boundary = [8usize, 17, 325, 336].contains(&cut);
            match d.finish() {
                Ok(()) => assert!(boundary, "cut {cut}"),
                Err(e) => {
                    assert!(!boundary);
                    assert_eq!(e.code, ErrorCode::Truncated)
                }
            }
        }
    }

    #[test]
    fn absurd_length_is_too_large_and_names_the_offset() {
        let mut d = FrameDecoder::new(true);
        let mut s = Vec::new();
        encode_frame(b"abc", &mut s);
        s.extend_from_slice(&(MAX_FRAME_LEN + 1).to_le_bytes());
        let e = d.feed(&s, &mut |_| Ok(())).unwrap_err();
        assert_eq!(e.code, ErrorCode::TooLarge);
        assert!(
            e.message
                .starts_with("frame 2 at decompressed offset 11 claims"),
            "{e}"
        );
    }

    #[test]
    fn a_spanning_body_grows_with_its_bytes() {
        let mut d = FrameDecoder::new(true);
        d.feed(&MAX_FRAME_LEN.to_le_bytes(), &mut |_| Ok(()))
            .unwrap();
        d.feed(&[1; 1000], &mut |_| Ok(())).unwrap();
        assert!(d.body.capacity() < 4096, "{}", d.body.capacity());
    }
}
