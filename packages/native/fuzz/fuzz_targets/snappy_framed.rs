//! snappy / S2 framing (`codec/snappy.rs`): stream identifiers, chunk types, CRC-32C, both block
//! dialects, fed in any chunking. Input: one selector byte (chunk size; bit 7: S2 refused), then
//! the framed stream.
#![no_main]

#[path = "common.rs"]
mod common;

use common::{stream, CHUNKS};
use libfuzzer_sys::fuzz_target;
use strata_native::codec::snappy::SnappyDecoder;

fn decode(input: &[u8], chunk: usize, allow_s2: bool) -> common::Outcome {
    let d = std::cell::RefCell::new(SnappyDecoder::with_s2(1, allow_s2));
    stream(
        input,
        chunk,
        |c, sink| d.borrow_mut().push(c, sink),
        |sink| d.borrow_mut().finish(sink),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let chunk = CHUNKS[sel as usize % CHUNKS.len()].max(input.len() / 256);
    let allow_s2 = sel & 0x80 == 0;
    let whole = decode(input, usize::MAX, allow_s2);
    if chunk != usize::MAX {
        assert_eq!(
            decode(input, chunk, allow_s2),
            whole,
            "chunking changed the result"
        );
    }
});
