//! One snappy or S2 block (`codec/snappy_block.rs`). Snappy blocks are checked against the `snap`
//! crate: both must accept the same blocks and give the same bytes. Input: one selector byte
//! (bit 0: S2), then the block.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use strata_native::codec::snappy::{MAX_S2_BLOCK, MAX_SNAPPY_BLOCK};
use strata_native::codec::snappy_block::{decode_block, decoded_len, Dialect};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, block)) = data.split_first() else {
        return;
    };
    if let Err(e) = decoded_len(block) {
        common::typed(&e);
    }
    if sel & 1 == 1 {
        if let Err(e) = decode_block(block, Dialect::S2, MAX_S2_BLOCK) {
            common::typed(&e);
        }
        return;
    }
    let ours = decode_block(block, Dialect::Snappy, MAX_SNAPPY_BLOCK);
    if let Err(e) = &ours {
        common::typed(e);
    }
    let theirs = snap::raw::Decoder::new().decompress_vec(block);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "snap decodes this block to other bytes"),
        (Ok(_), Err(e)) => panic!("accepted a block that snap refuses: {e}"),
        (Err(e), Ok(b)) if b.len() <= MAX_SNAPPY_BLOCK => {
            panic!("refused a block that snap decodes ({} bytes): {e}", b.len())
        }
        _ => {}
    }
});
