//! Snappy / S2 vectors made by the real Go implementations
//! (testdata/gen: golang/snappy v0.0.4, klauspost/compress/s2 v1.18.0).
//! Each `testdata/vectors/NAME.bin` is the plain input; the other files
//! with the same NAME are its encodings (see testdata/gen/main.go).

use std::path::PathBuf;
use strata_native::codec::aes_ctr::AesCtr;
use strata_native::codec::error::{ErrorCode, Result};
use strata_native::codec::reader::{Compression, ReadMode, Reader, ReaderConfig};
use strata_native::codec::snappy::SnappyDecoder;
use strata_native::codec::snappy_block::{decode_block, Dialect};

const FRAMED: [&str; 5] = [".sz", ".s2", ".better.s2", ".best.s2", ".index.s2"];

fn dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .join("testdata/vectors")
}

fn names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir())
        .expect("testdata/vectors")
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".bin"))
                .map(str::to_string)
        })
        .collect();
    v.sort();
    assert!(v.len() >= 5, "vectors missing: {v:?}");
    v
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decode_stream(input: &[u8], chunk: usize, threads: usize) -> Result<Vec<u8>> {
    let mut d = SnappyDecoder::new(threads);
    let mut out = Vec::new();
    let mut err = None;
    {
        let mut sink = |r: Result<Vec<u8>>| match r {
            Ok(v) => out.extend_from_slice(&v),
            Err(e) => {
                err.get_or_insert(e);
            }
        };
        for c in input.chunks(chunk) {
            d.push(c, &mut sink)?;
        }
        d.finish(&mut sink)?;
    }
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

#[test]
fn go_framed_streams_decode() {
    for name in names() {
        let plain = read(&format!("{name}.bin"));
        for ext in FRAMED {
            let path = dir().join(format!("{name}{ext}"));
            let file = std::fs::read(&path).unwrap_or_default();
            if file.is_empty() {
                // the Go writers write nothing at all for empty input (and
                // the generator skips empty.index.s2)
                assert!(plain.is_empty(), "{} missing or empty", path.display());
                continue;
            }
            for (chunk, threads) in [(file.len(), 2), (1, 1), (4093, 3), (65536, 2)] {
                let got = decode_stream(&file, chunk, threads)
                    .unwrap_or_else(|e| panic!("{name}{ext} chunk {chunk}: {e}"));
                assert!(got == plain, "{name}{ext} chunk {chunk}: output differs");
            }
        }
    }
}

#[test]
fn go_raw_blocks_decode() {
    let mut repeats_seen = 0;
    for name in names() {
        let plain = read(&format!("{name}.bin"));
        let sz = read(&format!("{name}.snappy-blk"));
        let s2 = read(&format!("{name}.s2-blk"));
        assert!(
            decode_block(&sz, Dialect::Snappy, 1 << 24).unwrap() == plain,
            "{name}"
        );
        assert!(
            decode_block(&sz, Dialect::S2, 1 << 24).unwrap() == plain,
            "{name}"
        );
        assert!(
            decode_block(&s2, Dialect::S2, 1 << 24).unwrap() == plain,
            "{name}"
        );
        // S2 blocks use repeat offsets (copy-1 with offset 0), which plain
        // snappy rejects: proves the vectors exercise the extension.
        if let Err(e) = decode_block(&s2, Dialect::Snappy, 1 << 24) {
            assert_eq!(e.code, ErrorCode::Corrupt);
            repeats_seen += 1;
        }
    }
    assert!(
        repeats_seen >= 3,
        "only {repeats_seen} S2 vectors used repeat offsets"
    );
}

#[test]
fn go_s2_framed_streams_use_the_s2_dialect() {
    let file = read("logs-200k.s2");
    assert_eq!(&file[4..10], b"S2sTwO");
    let file = read("logs-200k.sz");
    assert_eq!(&file[4..10], b"sNaPpY");
    // corrupting any byte after the identifier is detected
    let file = read("mixed-300k.s2");
    for pos in [14, 20, file.len() / 3, file.len() / 2, file.len() - 1] {
        let mut bad = file.clone();
        bad[pos] ^= 0x21;
        let e = decode_stream(&bad, 8192, 2).unwrap_err();
        assert!(
            matches!(e.code, ErrorCode::Corrupt | ErrorCode::Truncated),
            "pos {pos}: {e}"
        );
    }
}

fn read_backup(file: &[u8], compression: Compression, key: Option<Vec<u8>>) -> Result<Vec<u8>> {
    let mut r = Reader::new(ReaderConfig {
        key,
        compression,
        mode: ReadMode::Bytes,
        threads: Some(2),
        source: Some("vector".into()),
    })?;
    let mut out = Vec::new();
    for c in file.chunks(10_000) {
        out.extend(r.push(c)?.bytes.unwrap_or_default());
    }
    out.extend(r.finish()?.bytes.unwrap_or_default());
    Ok(out)
}

#[test]
fn go_kv_streams_read_as_backups() {
    let plain = read("kvstream-150k.bin");
    for ext in FRAMED {
        let file = read(&format!("kvstream-150k{ext}"));
        for c in [Compression::Auto, Compression::Snappy, Compression::S2] {
            if c == Compression::Snappy && ext.ends_with(".s2") {
                // 'snappy' is strict: an S2 stream is refused with a clear message.
                let e = read_backup(&file, c, None).unwrap_err();
                assert_eq!(e.code, ErrorCode::Corrupt, "{e}");
                assert!(e.message.contains("only snappy framing is allowed"), "{e}");
                continue;
            }
            assert!(read_backup(&file, c, None).unwrap() == plain, "{ext} {c:?}");
        }
        let e = read_backup(&file, Compression::Gzip, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::Corrupt, "{e}");
        // encrypted: IV || AES-CTR(file)
        let key = vec![7u8; 32];
        let iv = [3u8; 16];
        let mut enc = iv.to_vec();
        let mut body = file.clone();
        AesCtr::new(&key, &iv).unwrap().apply(&mut body);
        enc.extend(body);
        assert!(read_backup(&enc, Compression::S2, Some(key.clone())).unwrap() == plain);
        let e = read_backup(&enc, Compression::S2, Some(vec![8u8; 32])).unwrap_err();
        assert_eq!(e.code, ErrorCode::WrongKey, "{e}");
        let e = read_backup(&enc, Compression::Auto, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::EncryptedNoKey, "{e}");
    }
}
