//! Multi-member gzip (`codec/gzip.rs`): indexed `SB` members and foreign streamed members, fed in
//! any chunking. Input: one selector byte (chunk size), then the gzip stream.
#![no_main]

#[path = "common.rs"]
mod common;

use common::{stream, CHUNKS};
use libfuzzer_sys::fuzz_target;
use strata_native::codec::gzip::{decode_indexed_body, parse_header, GzipDecoder};

fn decode(input: &[u8], chunk: usize) -> common::Outcome {
    let d = std::cell::RefCell::new(GzipDecoder::new(1));
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
    let whole = decode(input, usize::MAX);
    if chunk != usize::MAX {
        assert_eq!(decode(input, chunk), whole, "chunking changed the result");
    }
    // The header parser and the indexed-body inflater on their own.
    if !input.is_empty() {
        if let Err(e) = parse_header(input) {
            common::typed(&e);
        }
    }
    if let Err(e) = decode_indexed_body(input) {
        common::typed(&e);
    }
});
