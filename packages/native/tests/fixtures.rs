//! Decodes every real Dgraph backup file under shared/fixtures with the
//! pure-Rust reader (whole file and byte-by-byte-ish chunkings).

use std::path::PathBuf;
use strata_native::codec::reader::{ReadMode, Reader, ReaderConfig};
use strata_native::format::proto::KeyType;

fn fixture_files() -> Vec<PathBuf> {
    let root = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
    .join("../../../shared/fixtures/dgraph");
    let mut out = Vec::new();
    let Ok(locs) = std::fs::read_dir(&root) else {
        eprintln!("no fixtures at {}", root.display());
        return out;
    };
    for loc in locs.flatten() {
        for folder in std::fs::read_dir(loc.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if !folder.file_name().to_string_lossy().starts_with("dgraph.") {
                continue;
            }
            for f in std::fs::read_dir(folder.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if f.file_name().to_string_lossy().ends_with(".backup") {
                    out.push(f.path());
                }
            }
        }
    }
    out.sort();
    out
}

fn read(data: &[u8], mode: ReadMode, chunk: usize) -> strata_native::codec::reader::ReadOutput {
    let mut r = Reader::new(ReaderConfig {
        mode,
        threads: Some(2),
        ..Default::default()
    })
    .unwrap();
    let mut kvs = Vec::new();
    let mut bytes = Vec::new();
    for c in data.chunks(chunk) {
        let o = r.push(c).unwrap();
        kvs.extend(o.kvs.unwrap_or_default());
        bytes.extend(o.bytes.unwrap_or_default());
    }
    let mut last = r.finish().unwrap();
    kvs.extend(last.kvs.take().unwrap_or_default());
    bytes.extend(last.bytes.take().unwrap_or_default());
    last.kvs = Some(kvs);
    last.bytes = Some(bytes);
    last
}

#[test]
fn every_fixture_file_decodes() {
    let files = fixture_files();
    if files.is_empty() {
        eprintln!("skipping: fixtures not found");
        return;
    }
    assert!(
        files.len() >= 10,
        "found only {} fixture files",
        files.len()
    );
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let manifest =
            std::fs::read_to_string(path.parent().unwrap().join("manifest.json")).unwrap();
        let whole = read(&data, ReadMode::Kvs, data.len());
        let kvs = whole.kvs.unwrap();
        assert!(
            kvs.iter().any(|k| k.key_type == KeyType::Type),
            "{}: no TYPE keys",
            path.display()
        );
        for kv in &kvs {
            if matches!(
                kv.key_type,
                KeyType::Data | KeyType::Index | KeyType::Reverse
            ) {
                assert!(
                    manifest.contains(&format!("\"{}\"", kv.key.attr)),
                    "{}: {} not in manifest",
                    path.display(),
                    kv.key.attr
                );
            }
        }
        for chunk in [1, 7, 100] {
            let k = read(&data, ReadMode::Kvs, chunk).kvs.unwrap();
            assert_eq!(k, kvs, "{} chunk {chunk}", path.display());
        }
        let bytes = read(&data, ReadMode::Bytes, 13).bytes.unwrap();
        let stats = read(&data, ReadMode::Stats, 4096).stats.unwrap();
        assert_eq!(stats.kvs, kvs.len() as u64);
        assert_eq!(stats.bytes_decompressed, bytes.len() as u64);
        assert_eq!(stats.bytes_in, data.len() as u64);
        // re-encode through our writer and read back: same framed stream
        let mut w = strata_native::codec::writer::Writer::new(Default::default()).unwrap();
        let mut file = w.write_framed(&bytes).unwrap();
        file.extend(w.finish().unwrap());
        assert_eq!(read(&file, ReadMode::Bytes, 50).bytes.unwrap(), bytes);
    }
}
