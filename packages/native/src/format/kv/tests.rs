//! KVList encoding, decoding, checks and statistics; the fast walkers
//! against the reference path.

use super::*;
use crate::codec::error::ErrorCode;
use crate::format::proto::Posting;

fn key(kt: KeyType, attr: &str, uid: u64) -> Vec<u8> {
    BackupKey {
        r#type: kt as i32,
        attr: attr.into(),
        uid,
        ..Default::default()
    }
    .encode_to_vec()
}

#[test]
fn encode_decode_and_stats() {
    let pl = BackupPostingList {
        uids: vec![1, 2, 3],
        postings: vec![Posting {
            uid: 2,
            ..Default::default()
        }],
        ..Default::default()
    };
    let pl2 = BackupPostingList {
        uid_bytes: crate::format::proto::encode_uid_bytes(&[5, 6]),
        ..Default::default()
    };
    let kvs = vec![
        KvInput {
            key: key(KeyType::Data, "name", 1),
            value: pl.encode_to_vec(),
            user_meta: 8,
            version: 10,
            expires_at: 0,
        },
        KvInput {
            key: key(KeyType::Data, "name", 2),
            value: pl2.encode_to_vec(),
            user_meta: 8,
            version: 11,
            expires_at: 0,
        },
        KvInput {
            key: key(KeyType::Schema, "name", 0),
            value: vec![],
            user_meta: 1,
            version: 1,
            expires_at: 0,
        },
    ];
    let buf = encode_kv_list(&kvs).unwrap();
    validate_kv_list(&buf).unwrap();
    let d = decode_kv_list(&buf).unwrap();
    assert_eq!(d.len(), 3);
    assert_eq!(d[0].uids, Some(3));
    assert_eq!(d[0].postings, Some(1));
    assert_eq!(d[1].uids, Some(2));
    assert_eq!(d[2].uids, None);
    assert_eq!(d[2].key_type, KeyType::Schema);
    let mut acc = StatsAcc::default();
    d.iter().for_each(|k| acc.add(k));
    let rows = acc.rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0].key_type,
            rows[0].keys,
            rows[0].uids,
            rows[0].postings
        ),
        ("DATA", 2, 5, 1)
    );
    assert_eq!((rows[0].min_version, rows[0].max_version), (10, 11));
    assert_eq!((rows[1].key_type, rows[1].keys), ("SCHEMA", 1));
    assert_eq!((rows[1].min_version, rows[1].max_version), (1, 1));
    // the fast walker finds the same version ranges
    let mut fast_acc = StatsAcc::default();
    fast_acc.add_kv_list(&buf, &mut Vec::new()).unwrap();
    assert_eq!(fast_acc.rows(), rows);
}

#[test]
fn bad_user_meta_is_corrupt_or_invalid() {
    let kv = KvInput {
        user_meta: 2,
        ..Default::default()
    };
    assert_eq!(
        encode_kv_list(&[kv]).unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    let raw = KvList {
        kv: vec![Kv {
            user_meta: vec![8, 8],
            ..Default::default()
        }],
        alloc_ref: 0,
    }
    .encode_to_vec();
    assert_eq!(decode_kv_list(&raw).unwrap_err().code, ErrorCode::Corrupt);
    assert_eq!(validate_kv_list(&raw).unwrap_err().code, ErrorCode::Corrupt);
    assert_eq!(
        validate_kv_list(&[0x0a, 0x05, 1]).unwrap_err().code,
        ErrorCode::Corrupt
    );
    assert_eq!(
        decode_kv_list(&[0x0a, 0x05, 1]).unwrap_err().code,
        ErrorCode::Corrupt
    );
}

/// A KVList exercising every field the fast walkers look at.
fn rich_list(seed: u64) -> Vec<u8> {
    use crate::format::proto::Facet;
    let mut x = seed | 1;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut kvs = Vec::new();
    for i in 0..12u64 {
        let kt = [
            KeyType::Data,
            KeyType::Index,
            KeyType::Reverse,
            KeyType::Schema,
        ][i as usize % 4];
        let mut k = BackupKey {
            r#type: kt as i32,
            attr: ["name", "friend", "ünï", ""][(i / 3) as usize % 4].into(),
            uid: rnd() >> (rnd() % 64),
            namespace: if i % 5 == 0 { 3 } else { 0 },
            ..Default::default()
        };
        if kt == KeyType::Index {
            k.term = vec![0xff, 0x00, 0x80];
        }
        let (meta, value) = if kt == KeyType::Schema {
            (USER_META_SCHEMA, b"schema".to_vec())
        } else {
            let uids: Vec<u64> = (0..(rnd() % 40)).map(|_| rnd() >> (rnd() % 64)).collect();
            let pl = BackupPostingList {
                uids: if i % 3 == 0 { vec![] } else { uids.clone() },
                uid_bytes: if i % 3 == 0 {
                    crate::format::proto::encode_uid_bytes(&uids)
                } else {
                    vec![]
                },
                postings: (0..(rnd() % 4))
                    .map(|j| Posting {
                        uid: rnd(),
                        value: vec![j as u8; 3],
                        lang_tag: b"en".to_vec(),
                        facets: vec![Facet {
                            key: "since".into(),
                            value: vec![1, 2],
                            tokens: vec!["a".into(), "é".into()],
                            alias: "x".into(),
                            ..Default::default()
                        }],
                        start_ts: 5,
                        commit_ts: 6,
                        ..Default::default()
                    })
                    .collect(),
                commit_ts: 9,
                splits: vec![1, u64::MAX],
            };
            (
                [USER_META_DELTA, USER_META_COMPLETE, USER_META_EMPTY][i as usize % 3],
                pl.encode_to_vec(),
            )
        };
        kvs.push(KvInput {
            key: k.encode_to_vec(),
            value,
            user_meta: meta,
            version: i,
            expires_at: i * 7,
        });
    }
    let mut buf = encode_kv_list(&kvs).unwrap();
    buf.extend_from_slice(&[0x50, 0x05]); // alloc_ref
    buf.extend_from_slice(&[0xa2, 0x06, 2, 1, 2]); // unknown field 100
    buf
}

fn reference_stats(buf: &[u8]) -> Result<(u64, Vec<PredicateStats>)> {
    let mut acc = StatsAcc::default();
    for kv in decode_kv_list(buf)? {
        acc.add(&kv);
    }
    Ok((acc.kvs, acc.rows()))
}

fn fast_stats(buf: &[u8]) -> Result<(u64, Vec<PredicateStats>)> {
    let mut acc = StatsAcc::default();
    acc.add_kv_list(buf, &mut Vec::new())?;
    Ok((acc.kvs, acc.rows()))
}

#[test]
fn fast_walkers_match_the_reference() {
    let mut checked = 0;
    for seed in 1..40u64 {
        let buf = rich_list(seed * 0x9e37_79b9);
        // valid input takes the fast path
        assert!(fast::validate_kv_list(&buf));
        assert!(fast::kv_list_counts(&buf, &mut Vec::new()).is_some());
        assert_eq!(fast_stats(&buf).unwrap(), reference_stats(&buf).unwrap());
        // damaged input: the fast walkers never accept what the reference
        // rejects, and the results (or errors) are the same
        let mut x = seed;
        for m in 0..400usize {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut bad = buf.clone();
            let at = (x >> 33) as usize % bad.len();
            match m % 4 {
                0 => bad[at] ^= 1 << ((x >> 20) % 8),
                1 => bad[at] = (x >> 40) as u8,
                2 => bad.truncate(at),
                _ => {
                    bad[at] = 0xff;
                    if at + 1 < bad.len() {
                        bad[at + 1] = 0xff;
                    }
                }
            }
            let slow = reference::validate_kv_list(&bad);
            if fast::validate_kv_list(&bad) {
                assert!(slow.is_ok(), "seed {seed} m {m}");
            }
            assert_eq!(validate_kv_list(&bad), slow);
            let reference = reference_stats(&bad);
            if fast::kv_list_counts(&bad, &mut Vec::new()).is_some() {
                assert!(reference.is_ok(), "seed {seed} m {m}");
            }
            assert_eq!(fast_stats(&bad), reference, "seed {seed} m {m}");
            checked += 1;
        }
    }
    assert!(checked > 10_000);
}

#[test]
fn packed_varint_counting() {
    let check = |b: &[u8]| {
        let mut v = Vec::new();
        let mut rest = b;
        let mut ok = true;
        while !rest.is_empty() {
            match prost::encoding::decode_varint(&mut rest) {
                Ok(x) => v.push(x),
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        let want = ok.then_some(v.len() as u64);
        let mut f = BackupPostingList::default().encode_to_vec();
        f.push(0x0a);
        prost::encoding::encode_varint(b.len() as u64, &mut f);
        f.extend_from_slice(b);
        let kv = KvInput {
            key: key(KeyType::Data, "p", 1),
            value: f,
            user_meta: 8,
            ..Default::default()
        };
        let list = encode_kv_list(&[kv]).unwrap();
        let mut out = Vec::new();
        let got = fast::kv_list_counts(&list, &mut out).map(|_| out[0].uids);
        assert_eq!(got, want, "{b:02x?}");
    };
    let mut x = 7u64;
    for len in 0..40 {
        for _ in 0..200 {
            let b: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    match (x >> 60) % 4 {
                        0 => (x >> 30) as u8 & 0x7f,
                        1 => 1,
                        _ => 0x80 | (x >> 40) as u8,
                    }
                })
                .collect();
            check(&b);
        }
    }
    check(&[0xff; 9].iter().copied().chain([1]).collect::<Vec<_>>());
    check(&[0xff; 9].iter().copied().chain([2]).collect::<Vec<_>>());
    check(&[0x80; 10]);
    check(&[
        5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 3,
    ]);
    check(&[
        5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 3,
    ]);
}

/// Found by the `kv_list` fuzz target: a KVList holding an unknown field of
/// wire type 3 (a group, here field 4 holding field 8) decodes with prost,
/// which skips it, but the structural check of 'bytes' mode called it corrupt.
#[test]
fn unknown_group_fields_are_skipped_like_prost_does() {
    let fuzzed = [0x23, 0x24, 0x40, 0x99, 0xd2, 0x2a];
    assert!(decode_kv_list(&fuzzed).unwrap().is_empty());
    validate_kv_list(&fuzzed).unwrap();
    // The same inside a KV, next to its user_meta.
    let mut list = encode_kv_list(&[KvInput {
        key: key(KeyType::Data, "p", 1),
        user_meta: 8,
        ..Default::default()
    }])
    .unwrap();
    let group = [0x63, 0x08, 0x01, 0x64]; // field 12 start, field 1 varint 1, field 12 end
    list[1] += group.len() as u8; // the KV's length (one byte here)
    list.extend_from_slice(&group);
    assert_eq!(decode_kv_list(&list).unwrap().len(), 1);
    validate_kv_list(&list).unwrap();
    // A group that never ends, or ends with another field number, is still refused.
    for bad in [&[0x23, 0x08, 0x01][..], &[0x23, 0x2c]] {
        assert!(decode_kv_list(bad).is_err());
        assert_eq!(validate_kv_list(bad).unwrap_err().code, ErrorCode::Corrupt);
    }
}

/// Found by the `kv_list` fuzz target: a BackupKey whose attr is given twice,
/// the first copy not UTF-8 (prost checks every copy of a string). The
/// counting walker used to look at the last copy only and accept the list.
#[test]
fn fields_given_twice_count_like_the_reference() {
    let bad_key = [0x12, 0x01, 0xff]; // BackupKey { attr: "\xff" }
    let good_key = [0x12, 0x02, b'o', b'k']; // BackupKey { attr: "ok" }
    let kv_list = |kv: &[u8]| [&[0x0a, kv.len() as u8][..], kv].concat();
    let with = |parts: &[&[u8]]| parts.concat();
    // the KV's key twice
    let twice_key = kv_list(&with(&[
        &[0x0a, 3],
        &bad_key,
        &[0x0a, 4],
        &good_key,
        &[0x1a, 1, USER_META_SCHEMA],
    ]));
    // the BackupKey's attr twice
    let twice_attr = kv_list(&with(&[
        &[0x0a, 7],
        &bad_key,
        &good_key,
        &[0x1a, 1, USER_META_SCHEMA],
    ]));
    // KV.key is bytes: the last copy wins and only it is decoded as a BackupKey
    assert_eq!(
        fast_stats(&twice_key).unwrap(),
        reference_stats(&twice_key).unwrap()
    );
    // BackupKey.attr is a string: every copy must be UTF-8
    let want = reference_stats(&twice_attr).unwrap_err();
    assert_eq!(want.code, ErrorCode::Corrupt, "{want}");
    assert_eq!(fast_stats(&twice_attr).unwrap_err(), want);
}
