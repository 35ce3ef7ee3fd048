//! A whole backup data file through `codec::reader::Reader`: IV + AES-CTR, compression sniffing,
//! gzip or snappy/S2, the frame walker and the KVList checks, in each read mode.
//!
//! Input: a selector byte, then the file. Selector bits 0-2: chunk size; 3-4: mode (bytes, kvs,
//! stats); 5-6: compression option (auto, gzip, snappy, s2); bit 7: encrypted. For an encrypted
//! file the input is `IV(16) || plaintext` and the target encrypts the plaintext with the fixed
//! key below, so the mutations land on the compressed stream (AES-CTR maps ciphertexts to
//! plaintexts one to one, so this reaches every ciphertext the reader could be given).
#![no_main]

#[path = "common.rs"]
mod common;

use common::CHUNKS;
use libfuzzer_sys::fuzz_target;
use strata_native::codec::aes_ctr::{AesCtr, IV_LEN};
use strata_native::codec::error::{ErrorCode, Result};
use strata_native::codec::reader::{
    BackupStats, Compression, ReadMode, ReadOutput, Reader, ReaderConfig,
};
use strata_native::format::kv::DecodedKv;

/// The fixed key of encrypted inputs (the seed script encrypts with the same one).
pub const KEY: &[u8; 32] = b"strata-fuzz-fixed-key-0123456789";

#[derive(Debug, PartialEq, Default)]
struct Seen {
    bytes: Vec<u8>,
    kvs: Vec<DecodedKv>,
    stats: Option<BackupStats>,
}

fn take(seen: &mut Seen, out: ReadOutput) {
    seen.bytes.extend(out.bytes.unwrap_or_default());
    for c in out.chunks.unwrap_or_default() {
        seen.bytes.extend(c);
    }
    seen.kvs.extend(out.kvs.unwrap_or_default());
    if out.stats.is_some() {
        seen.stats = out.stats;
    }
}

fn read(file: &[u8], chunk: usize, cfg: &ReaderConfig) -> std::result::Result<Seen, ErrorCode> {
    let run = || -> Result<Seen> {
        let mut r = Reader::new(cfg.clone())?;
        let mut seen = Seen::default();
        for c in file.chunks(chunk) {
            let mut out = r.push(c)?;
            while out.more {
                let more = r.push(&[])?;
                take(&mut seen, std::mem::replace(&mut out, more));
            }
            take(&mut seen, out);
        }
        take(&mut seen, r.finish()?);
        Ok(seen)
    };
    run().map_err(|e| {
        common::typed(&e);
        e.code
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let chunk = CHUNKS[sel as usize & 7].max(rest.len() / 256);
    let mode = [
        ReadMode::Bytes,
        ReadMode::Kvs,
        ReadMode::Stats,
        ReadMode::Kvs,
    ][(sel >> 3) as usize & 3];
    let compression = [
        Compression::Auto,
        Compression::Gzip,
        Compression::Snappy,
        Compression::S2,
    ][(sel >> 5) as usize & 3];
    let encrypted = sel & 0x80 != 0;
    let file = if encrypted {
        if rest.len() < IV_LEN {
            return;
        }
        let iv: [u8; IV_LEN] = rest[..IV_LEN].try_into().expect("16 bytes");
        let mut body = rest[IV_LEN..].to_vec();
        AesCtr::new(KEY, &iv).expect("valid key").apply(&mut body);
        [&iv[..], &body].concat()
    } else {
        rest.to_vec()
    };
    let cfg = ReaderConfig {
        key: encrypted.then(|| KEY.to_vec()),
        compression,
        mode,
        threads: Some(1),
        source: None,
    };
    let whole = read(&file, usize::MAX, &cfg);
    if chunk != usize::MAX {
        assert_eq!(
            read(&file, chunk, &cfg),
            whole,
            "chunking changed the result"
        );
    }
});
