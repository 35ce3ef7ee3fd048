//! Shared by the fuzz targets (included with `#[path]`, so each target stays one file plus this).
#![allow(dead_code)]

use strata_native::codec::error::{CodecError, ErrorCode, Result};

/// Input chunk sizes the streaming decoders are fed in, picked by a selector byte: every decoder
/// must give the same answer whatever the chunking. (The targets feed at most ~256 pieces, so
/// that large inputs do not spend the run in one-byte pushes.)
pub const CHUNKS: [usize; 8] = [1, 2, 3, 7, 64, 509, 4096, usize::MAX];

/// A typed decoder error is the expected answer to hostile bytes; `INTERNAL` means a panic was
/// caught on a worker thread, which is a bug.
pub fn typed(e: &CodecError) {
    assert!(e.code != ErrorCode::Internal, "decoder panicked: {e}");
    assert!(
        !e.message.is_empty(),
        "error without a message: {:?}",
        e.code
    );
}

/// The outcome of a streaming decode: the output, or the first error's code.
pub type Outcome = std::result::Result<Vec<u8>, ErrorCode>;

/// Runs a push/finish decoder over `input` in pieces of `chunk` bytes, collecting what its sink
/// gets; the first error (returned, or handed to the sink) wins.
pub fn stream(
    input: &[u8],
    chunk: usize,
    mut push: impl FnMut(&[u8], &mut dyn FnMut(Result<Vec<u8>>)) -> Result<()>,
    mut finish: impl FnMut(&mut dyn FnMut(Result<Vec<u8>>)) -> Result<()>,
) -> Outcome {
    let mut out = Vec::new();
    let mut err: Option<CodecError> = None;
    let mut sink = |r: Result<Vec<u8>>| match r {
        Ok(v) => out.extend_from_slice(&v),
        Err(e) => {
            err.get_or_insert(e);
        }
    };
    let mut res = Ok(());
    for c in input.chunks(chunk) {
        res = push(c, &mut sink);
        if res.is_err() {
            break;
        }
    }
    if res.is_ok() {
        res = finish(&mut sink);
    }
    let first = match (err, res) {
        (Some(e), _) | (None, Err(e)) => Some(e),
        (None, Ok(())) => None,
    };
    match first {
        Some(e) => {
            typed(&e);
            Err(e.code)
        }
        None => Ok(out),
    }
}
