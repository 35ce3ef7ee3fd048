//! Tests of [`super::Reader`]: round trips, modes, error codes and order.

use super::*;
use crate::codec::frame::encode_frame;
use crate::codec::writer::{Writer, WriterConfig};
use crate::format::kv::{decode_kv_list, encode_kv_list, KvInput};
use crate::format::proto::{BackupKey, KeyType};
use prost::Message;

fn stream(n_frames: usize) -> Vec<u8> {
    let mut s = Vec::new();
    for i in 0..n_frames {
        let kvs: Vec<KvInput> = (0..5)
            .map(|j| KvInput {
                key: BackupKey {
                    r#type: KeyType::Schema as i32,
                    attr: format!("p{}", (i + j) % 7),
                    ..Default::default()
                }
                .encode_to_vec(),
                value: vec![],
                user_meta: 1,
                version: 1,
                expires_at: 0,
            })
            .collect();
        encode_frame(&encode_kv_list(&kvs).unwrap(), &mut s);
    }
    s
}

fn write(s: &[u8], key: Option<Vec<u8>>) -> Vec<u8> {
    let mut w = Writer::new(WriterConfig {
        key,
        threads: Some(2),
        block_size: Some(4096),
        ..Default::default()
    })
    .unwrap();
    let mut f = w.write_framed(s).unwrap();
    f.extend(w.finish().unwrap());
    f
}

fn read(file: &[u8], cfg: ReaderConfig, chunk: usize) -> Result<(Vec<u8>, ReadOutput)> {
    let mut r = Reader::new(cfg)?;
    let mut bytes = Vec::new();
    for c in file.chunks(chunk.max(1)) {
        bytes.extend(r.push(c)?.bytes.unwrap_or_default());
    }
    let last = r.finish()?;
    bytes.extend(last.bytes.clone().unwrap_or_default());
    Ok((bytes, last))
}

#[test]
fn round_trip_plain_and_encrypted() {
    let s = stream(2000);
    for key in [None, Some(vec![1u8; 16]), Some(vec![2u8; 32])] {
        let f = write(&s, key.clone());
        for chunk in [1, 17, 5000, 1 << 20] {
            let cfg = ReaderConfig {
                key: key.clone(),
                threads: Some(2),
                ..Default::default()
            };
            assert_eq!(read(&f, cfg, chunk).unwrap().0, s);
        }
    }
}

#[test]
fn stats_and_kvs() {
    let s = stream(100);
    let f = write(&s, None);
    let cfg = ReaderConfig {
        mode: ReadMode::Stats,
        ..Default::default()
    };
    let st = read(&f, cfg, 333).unwrap().1.stats.unwrap();
    assert_eq!(st.frames, 100);
    assert_eq!(st.kvs, 500);
    assert_eq!(st.entries.len(), 7);
    assert_eq!(st.entries.iter().map(|e| e.keys).sum::<u64>(), 500);
    assert_eq!(st.bytes_decompressed, s.len() as u64);
    assert_eq!(st.bytes_in, f.len() as u64);
    assert_eq!(st.framing, "gzip");
}

#[test]
fn stats_name_the_framing() {
    use crate::codec::writer::WriteCompression;
    let s = stream(20);
    for (compression, want) in [
        (WriteCompression::Snappy, "snappy"),
        (WriteCompression::S2, "s2"),
    ] {
        let mut w = Writer::new(WriterConfig {
            compression,
            ..Default::default()
        })
        .unwrap();
        let mut f = w.write_framed(&s).unwrap();
        f.extend(w.finish().unwrap());
        let cfg = ReaderConfig {
            mode: ReadMode::Stats,
            ..Default::default()
        };
        let st = read(&f, cfg, 1000).unwrap().1.stats.unwrap();
        assert_eq!(st.framing, want);
        assert_eq!(st.bytes_decompressed, s.len() as u64);
    }
}

#[test]
fn error_codes() {
    let s = stream(300);
    let plain = write(&s, None);
    let key = vec![9u8; 16];
    let enc = write(&s, Some(key.clone()));
    let code = |file: &[u8], key: Option<Vec<u8>>| {
        read(
            file,
            ReaderConfig {
                key,
                source: Some("r1-g1.backup".into()),
                ..Default::default()
            },
            1000,
        )
        .unwrap_err()
    };
    let e = code(&[], None);
    assert_eq!(e.code, ErrorCode::Empty);
    assert!(e.message.contains("r1-g1.backup"));
    assert_eq!(
        code(&plain[..plain.len() - 3], None).code,
        ErrorCode::Truncated
    );
    assert_eq!(code(&plain, Some(key.clone())).code, ErrorCode::WrongKey);
    assert_eq!(code(&enc, None).code, ErrorCode::EncryptedNoKey);
    assert_eq!(code(&enc, Some(vec![8u8; 16])).code, ErrorCode::WrongKey);
    assert_eq!(
        code(&enc[..10], Some(key.clone())).code,
        ErrorCode::Truncated
    );
    assert_eq!(code(&plain[..2], None).code, ErrorCode::Truncated);
    let mut bad = plain.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x40;
    assert_eq!(code(&bad, None).code, ErrorCode::Corrupt);
    let e = Reader::new(ReaderConfig {
        key: Some(vec![0; 20]),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert_eq!(e.code, ErrorCode::BadKeyLength);
    // a snappy stream identifier alone is an empty (valid) stream
    let id = crate::codec::snappy::SNAPPY_STREAM_ID;
    assert_eq!(read(&id, ReaderConfig::default(), 3).unwrap().0, b"");
}

#[test]
fn bad_protobuf_in_frame_is_corrupt() {
    let mut s = Vec::new();
    encode_frame(&[0x0a, 0x09, 0x01], &mut s);
    let f = write(&s, None);
    for mode in [ReadMode::Bytes, ReadMode::Kvs, ReadMode::Stats] {
        let cfg = ReaderConfig {
            mode,
            ..Default::default()
        };
        assert_eq!(read(&f, cfg, 100).unwrap_err().code, ErrorCode::Corrupt);
    }
}

/// Frames with posting lists (uids, uid_bytes, postings) over a few
/// predicates, namespaces and key types.
fn posting_stream(n_frames: usize) -> Vec<u8> {
    use crate::format::proto::{encode_uid_bytes, BackupPostingList, Posting};
    let mut s = Vec::new();
    for i in 0..n_frames {
        let kvs: Vec<KvInput> = (0..(i % 37 + 1))
            .map(|j| {
                let uids: Vec<u64> = (0..(i + j) as u64 % 50).map(|u| u * 3 + 1).collect();
                let pl = BackupPostingList {
                    uids: if j % 2 == 0 { uids.clone() } else { vec![] },
                    uid_bytes: if j % 2 == 1 {
                        encode_uid_bytes(&uids)
                    } else {
                        vec![]
                    },
                    postings: (0..j % 3).map(|_| Posting::default()).collect(),
                    ..Default::default()
                };
                KvInput {
                    key: BackupKey {
                        r#type: [KeyType::Data, KeyType::Index, KeyType::Reverse][j % 3] as i32,
                        attr: format!("pred{}", (i * 7 + j) % 5),
                        namespace: (j % 4 == 3) as u64,
                        uid: j as u64,
                        ..Default::default()
                    }
                    .encode_to_vec(),
                    value: pl.encode_to_vec(),
                    user_meta: 8,
                    version: 1,
                    expires_at: 0,
                }
            })
            .collect();
        encode_frame(&encode_kv_list(&kvs).unwrap(), &mut s);
    }
    s
}

#[test]
fn parallel_frame_stage_matches_serial_reference() {
    let s = posting_stream(600);
    let f = write(&s, Some(vec![4u8; 32]));
    // reference: every frame decoded with prost, one by one
    let mut acc = StatsAcc::default();
    let mut frames = FrameDecoder::new(true);
    let mut kvs = Vec::new();
    frames
        .feed(&s, &mut |b| {
            for kv in decode_kv_list(b)? {
                acc.add(&kv);
                kvs.push(kv);
            }
            Ok(())
        })
        .unwrap();
    for threads in [1, 2, 3] {
        for chunk in [1000, 65536, 1 << 22] {
            let cfg = |mode| ReaderConfig {
                key: Some(vec![4u8; 32]),
                mode,
                threads: Some(threads),
                ..Default::default()
            };
            let st = read(&f, cfg(ReadMode::Stats), chunk)
                .unwrap()
                .1
                .stats
                .unwrap();
            assert_eq!(st.entries, acc.rows(), "threads {threads} chunk {chunk}");
            assert_eq!((st.kvs, st.frames), (acc.kvs, 600));
            // kvs mode: the same KVs in the same order
            let mut r = Reader::new(cfg(ReadMode::Kvs)).unwrap();
            let mut got = Vec::new();
            for c in f.chunks(chunk) {
                got.extend(r.push(c).unwrap().kvs.unwrap());
            }
            got.extend(r.finish().unwrap().kvs.unwrap());
            assert!(got == kvs);
            // bytes mode, chunked: the pieces concatenate to the stream
            let mut r = Reader::new(cfg(ReadMode::Bytes)).unwrap();
            r.set_chunks(true);
            let mut out = Vec::new();
            for c in f.chunks(chunk) {
                let o = r.push(c).unwrap();
                assert!(o.bytes.is_none());
                o.chunks
                    .unwrap()
                    .iter()
                    .for_each(|p| out.extend_from_slice(p));
            }
            r.finish()
                .unwrap()
                .chunks
                .unwrap()
                .iter()
                .for_each(|p| out.extend_from_slice(p));
            assert!(out == s);
        }
    }
}

#[test]
fn first_error_in_stream_order_wins() {
    // a bad frame early, then a corrupt gzip member much later
    let mut s = Vec::new();
    encode_frame(&[0x0a, 0x02, 0x1a, 0x00], &mut s); // KV with empty user_meta
    s.extend(posting_stream(400));
    let good = write(&s, None);
    let n = good.len();
    // (a) inside the deflate data of the last member (found on a worker)
    let mut deflate = good.clone();
    deflate[n - 100] ^= 0x55;
    // (b) the magic of the second member's header: found while parsing,
    // after the bad frame in the stream, so the bad frame is reported
    let mut header = good.clone();
    let second = u32::from_le_bytes(good[16..20].try_into().unwrap()) as usize;
    header[second] ^= 0xff;
    for (threads, f) in [(1, &deflate), (2, &deflate), (1, &header), (2, &header)] {
        for mode in [ReadMode::Bytes, ReadMode::Kvs, ReadMode::Stats] {
            for chunk in [512, 1 << 20, n] {
                let cfg = ReaderConfig {
                    mode,
                    threads: Some(threads),
                    ..Default::default()
                };
                let e = read(f, cfg, chunk).unwrap_err();
                assert_eq!(e.code, ErrorCode::Corrupt);
                assert!(e.message.contains("user_meta"), "{mode:?} {chunk}: {e}");
            }
        }
    }
}

#[test]
fn output_budget_and_callers_that_ignore_more() {
    use std::io::Write;
    // 80 MiB of zeros (10 Mi empty frames) in one gzip member of ~80 KB
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    for _ in 0..80 {
        enc.write_all(&[0u8; 1 << 20]).unwrap();
    }
    let f = enc.finish().unwrap();
    let total = |o: &ReadOutput| o.chunks.iter().flatten().map(Vec::len).sum::<usize>();
    let new = || {
        let mut r = Reader::new(ReaderConfig {
            threads: Some(2),
            ..Default::default()
        })
        .unwrap();
        r.set_chunks(true);
        r
    };
    // a caller that honours `more`: every call within the budget
    let mut r = new();
    let mut o = r.push(&f).unwrap();
    let (mut sum, mut calls) = (total(&o), 1);
    assert!(o.more);
    while o.more {
        o = r.push(&[]).unwrap();
        assert!(total(&o) <= OUTPUT_PER_CALL + (1 << 20));
        sum += total(&o);
        calls += 1;
    }
    sum += total(&r.finish().unwrap());
    assert_eq!(sum, 80 << 20);
    assert!(calls >= 3, "{calls}");
    // a caller that ignores it: still everything, in order
    for piece in [f.len(), 20_000] {
        let mut r = new();
        let mut sum = 0;
        for c in f.chunks(piece) {
            sum += total(&r.push(c).unwrap());
        }
        sum += total(&r.finish().unwrap());
        assert_eq!(sum, 80 << 20, "piece {piece}");
    }
}

/// Found by the `backup_reader` fuzz target: when the decompressor failed
/// (here: a bad second member header), the output it had produced earlier
/// in the same call was dropped unchecked, so an earlier frame error (here a
/// frame length over the limit, in the first member) was reported or not
/// depending on how the input was chunked.
#[test]
fn a_decompressor_error_does_not_hide_earlier_frames() {
    use crate::codec::gzip::compress_member;
    let mut s = (200u64 << 20).to_le_bytes().to_vec(); // frame length: 200 MiB
    s.extend((0..10_000u32).map(|i| (i * 7) as u8));
    let mut file = compress_member(&s, 6);
    let second = file.len();
    file.extend(compress_member(&s, 6));
    file[second] ^= 0xff;
    for mode in [ReadMode::Bytes, ReadMode::Kvs, ReadMode::Stats] {
        for chunk in [1, 2, 7, 512, second, second + 1, file.len()] {
            let cfg = ReaderConfig {
                mode,
                threads: Some(1),
                ..Default::default()
            };
            let e = read(&file, cfg, chunk).unwrap_err();
            assert_eq!(e.code, ErrorCode::TooLarge, "{mode:?} chunk {chunk}: {e}");
        }
    }
}
