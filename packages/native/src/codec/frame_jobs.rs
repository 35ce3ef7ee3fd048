//! The parallel part of the frame stage: a job checks, decodes or counts the
//! complete frames of one decompressed chunk, and [`Merged`] gathers the
//! results in stream order.

use super::error::{CodecError, Result};
use super::frame::FrameBody;
use super::reader::ReadMode;
use crate::format::kv::{decode_kv_list, validate_kv_list, DecodedKv, StatsAcc};
use std::cell::RefCell;

/// What a frame job gives back for one decompressed chunk.
pub(crate) enum Done {
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
pub(crate) fn frame_job(mode: ReadMode, chunk: Vec<u8>, frames: Vec<FrameBody>) -> Result<Done> {
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
pub(crate) struct Merged {
    pub bytes: Vec<Vec<u8>>,
    pub kvs: Vec<DecodedKv>,
    /// The first error in stream order; later results are dropped.
    pub err: Option<CodecError>,
}

impl Merged {
    pub fn take(&mut self, r: Result<Done>, stats: &mut StatsAcc) {
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
