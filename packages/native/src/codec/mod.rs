//! Byte pipeline of a backup data file (spec §5):
//! `file = [IV || AES-CTR(key, IV, C)] | C`, `C = gzip(S) | snappy/S2-framed(S)`, `S = frames`.

pub mod aes_ctr;
pub mod compression;
pub mod error;
pub mod frame;
pub(crate) mod frame_jobs;
pub mod gzip;
pub mod pool;
pub mod reader;
pub mod snappy;
pub mod snappy_block;
pub mod writer;

/// Appends `data` to `buf`, a buffer that will hold at most `total` bytes
/// (a length read from the input): capacity grows with the bytes actually
/// present (at most doubling them), never straight to the claimed `total`.
pub(crate) fn extend_toward(buf: &mut Vec<u8>, data: &[u8], total: usize) {
    let have = buf.len();
    let need = have + data.len();
    if buf.capacity() < need {
        let want = need.max(2 * have).min(total.max(need));
        buf.reserve_exact(want - have);
    }
    buf.extend_from_slice(data);
}

/// Helpers shared by the streaming decoders' unit tests.
#[cfg(test)]
pub(crate) mod test_util {
    use super::error::Result;
    use super::gzip::GzipDecoder;
    use super::snappy::SnappyDecoder;

    /// A streaming decompressor: input pushed in any chunking, output handed to a sink in order.
    pub trait Streaming {
        fn push_chunk(&mut self, data: &[u8], sink: &mut dyn FnMut(Result<Vec<u8>>)) -> Result<()>;
        fn finish_stream(&mut self, sink: &mut dyn FnMut(Result<Vec<u8>>)) -> Result<()>;
    }

    impl Streaming for GzipDecoder {
        fn push_chunk(&mut self, data: &[u8], sink: &mut dyn FnMut(Result<Vec<u8>>)) -> Result<()> {
            self.push(data, sink)
        }
        fn finish_stream(&mut self, sink: &mut dyn FnMut(Result<Vec<u8>>)) -> Result<()> {
            self.finish(sink)
        }
    }

    impl Streaming for SnappyDecoder {
        fn push_chunk(&mut self, data: &[u8], sink: &mut dyn FnMut(Result<Vec<u8>>)) -> Result<()> {
            self.push(data, sink)
        }
        fn finish_stream(&mut self, sink: &mut dyn FnMut(Result<Vec<u8>>)) -> Result<()> {
            self.finish(sink)
        }
    }

    /// Deterministic, mildly compressible test bytes.
    pub fn data(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| ((i * 7) % 251) as u8 ^ ((i / 1000) as u8))
            .collect()
    }

    /// Feeds `input` in pieces of `chunk` bytes and collects the output; the first error wins.
    pub fn decode_all(d: &mut impl Streaming, input: &[u8], chunk: usize) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut err = None;
        {
            let mut sink = |r: Result<Vec<u8>>| match r {
                Ok(v) => out.extend_from_slice(&v),
                Err(e) => {
                    err.get_or_insert(e);
                }
            };
            for c in input.chunks(chunk.max(1)) {
                d.push_chunk(c, &mut sink)?;
            }
            d.finish_stream(&mut sink)?;
        }
        match err {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }
}
