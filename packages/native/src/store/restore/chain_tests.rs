//! The chain merge (`RestoreWriter::load_chain`) against the file-by-file
//! load it replaces: random chains (equal keys across files, drops, schema
//! and type keys, keys the predicate filter skips), each restored both ways,
//! give the same store entries.

use super::*;
use crate::format::keys::{build_key, ParsedKey};
use crate::format::kv::KvInput;
use crate::format::proto::{BackupKey, BackupPostingList, KeyType, SchemaUpdate, ValType};
use crate::store::db::{OpenOptions, PostingStore};
use crate::store::error::StoreCode;
use crate::store::mvcc::version_key;
use crate::store::test_support::{backup_file, backup_key, TempDir};
use crate::store::Drop;
use std::path::PathBuf;

/// xorshift64*: a fixed sequence per seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (namespace, attr) of the generated keys; `c` is filtered out.
const PREDS: [(u64, &str); 4] = [(0, "a"), (0, "b"), (0, "c"), (2, "a")];

fn restored_preds() -> HashSet<(u64, Vec<u8>)> {
    PREDS
        .iter()
        .filter(|(_, a)| *a != "c")
        .map(|(n, a)| (*n, a.as_bytes().to_vec()))
        .collect()
}

/// The store key a backup KV becomes (before its version).
fn store_key(k: &BackupKey) -> Vec<u8> {
    build_key(&ParsedKey::from_backup_key(k), true).unwrap()
}

/// One backup file of random KVs in the store's key order.
fn random_file(rng: &mut Rng, tag: u64) -> Vec<u8> {
    let mut kvs: Vec<(Vec<u8>, KvInput)> = Vec::new();
    for _ in 0..rng.below(120) + 1 {
        let (ns, attr) = PREDS[rng.below(4) as usize];
        let kt = if rng.below(4) == 0 {
            KeyType::Reverse
        } else {
            KeyType::Data
        };
        let k = backup_key(kt, ns, attr, rng.below(200) + 1);
        let version = rng.below(30) + 1;
        let value = if rng.below(8) == 0 {
            BackupPostingList::default()
        } else {
            BackupPostingList {
                uids: vec![tag, rng.below(1000) + 1],
                ..Default::default()
            }
        };
        kvs.push((
            version_key(&store_key(&k), version),
            KvInput {
                key: k.encode_to_vec(),
                value: value.encode_to_vec(),
                user_meta: USER_META_COMPLETE,
                version,
                expires_at: 0,
            },
        ));
    }
    for (ns, attr) in PREDS {
        if rng.below(2) == 0 {
            let su = SchemaUpdate {
                predicate: attr.into(),
                value_type: ValType::Uid as i32,
                list: rng.below(2) == 0,
                ..Default::default()
            };
            let k = backup_key(KeyType::Schema, ns, attr, 0);
            kvs.push((
                version_key(&store_key(&k), 1),
                KvInput {
                    key: k.encode_to_vec(),
                    value: su.encode_to_vec(),
                    user_meta: USER_META_SCHEMA,
                    version: 1,
                    expires_at: 0,
                },
            ));
        }
    }
    // In the store's order; of a repeated key and version the last one stays.
    kvs.sort_by(|a, b| a.0.cmp(&b.0));
    kvs.dedup_by(|later, earlier| later.0 == earlier.0);
    backup_file(&kvs.into_iter().map(|(_, kv)| kv).collect::<Vec<_>>())
}

fn random_drops(rng: &mut Rng) -> Vec<Drop> {
    match rng.below(6) {
        0 => vec![Drop::Attr {
            ns: 0,
            attr: b"b".to_vec(),
        }],
        1 => vec![Drop::Namespace(2)],
        2 => vec![Drop::Data(None)],
        _ => vec![],
    }
}

/// A chain of 1 to 4 backups, each with 1 or 2 files for the group.
fn random_chain(rng: &mut Rng, dir: &Path) -> Vec<ChainBackup> {
    let mut chain = Vec::new();
    for b in 0..rng.below(4) + 1 {
        let mut files = Vec::new();
        for f in 0..rng.below(2) + 1 {
            let path: PathBuf = dir.join(format!("b{b}-f{f}.backup"));
            std::fs::write(&path, random_file(rng, b * 10 + f)).unwrap();
            files.push(ChainFile {
                path,
                opts: LoadOptions {
                    predicates: restored_preds(),
                    threads: Some(1),
                    batch_bytes: Some(1 + rng.below(4000) as usize),
                    ..Default::default()
                },
            });
        }
        chain.push(ChainBackup {
            drops: if b == 0 { vec![] } else { random_drops(rng) },
            files,
        });
    }
    chain
}

/// Every LMDB entry of a finished store.
fn entries(dir: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let st = PostingStore::open(dir, &OpenOptions::for_group(1, false)).unwrap();
    let out = st.raw_entries(&[]);
    st.close();
    out
}

#[test]
fn chain_merge_equals_the_file_by_file_load() {
    let t = TempDir::new("chain-merge");
    for seed in 1..=40u64 {
        for restore_ts in [None, Some(50)] {
            let case = t.join(&format!("{seed}-{restore_ts:?}"));
            std::fs::create_dir_all(&case).unwrap();
            let chain = random_chain(&mut Rng(seed * 0x9E37_79B9), &case);
            let what = format!("seed {seed}, restore ts {restore_ts:?}");

            let one_by_one = case.join("one-by-one");
            let mut w = RestoreWriter::create(&one_by_one, 1).unwrap();
            w.set_restore_ts(restore_ts).unwrap();
            let mut expected = Vec::new();
            for b in &chain {
                w.apply_drops(&b.drops).unwrap();
                w.reset_schema().unwrap();
                for f in &b.files {
                    expected.push(w.load_file(&f.path, &f.opts).unwrap());
                }
            }
            w.finish(60).unwrap();

            let merged = case.join("merged");
            let mut m = RestoreWriter::create(&merged, 1).unwrap();
            m.set_restore_ts(restore_ts).unwrap();
            let stats = m.load_chain(&chain).unwrap();
            // Offline every key and version is new: all appended. Online, a file's versions of
            // one key become one (`restore_ts`): the later ones overwrite in place.
            if restore_ts.is_none() {
                assert_eq!(m.inside_puts, 0, "{what}");
            }
            assert_eq!((m.max_uid, m.max_ns_id), (w.max_uid, w.max_ns_id), "{what}");
            m.finish(60).unwrap();

            assert_eq!(stats, expected, "{what}");
            let (got, want) = (entries(&merged), entries(&one_by_one));
            assert!(!want.is_empty(), "{what}");
            assert_eq!(got.len(), want.len(), "{what}");
            assert!(got == want, "{what}: the stores differ");
        }
    }
}

#[test]
fn a_file_out_of_order_stops_the_merge() {
    let t = TempDir::new("chain-order");
    let kv = |uid: u64| KvInput {
        key: backup_key(KeyType::Data, 0, "a", uid).encode_to_vec(),
        value: BackupPostingList {
            uids: vec![uid],
            ..Default::default()
        }
        .encode_to_vec(),
        user_meta: USER_META_COMPLETE,
        version: 3,
        expires_at: 0,
    };
    let sorted = t.join("sorted.backup");
    std::fs::write(&sorted, backup_file(&[kv(1), kv(2), kv(3)])).unwrap();
    let unsorted = t.join("unsorted.backup");
    std::fs::write(&unsorted, backup_file(&[kv(1), kv(5), kv(4)])).unwrap();
    let opts = LoadOptions {
        predicates: restored_preds(),
        threads: Some(1),
        ..Default::default()
    };
    let chain = |second: &Path| {
        vec![
            ChainBackup {
                drops: vec![],
                files: vec![ChainFile {
                    path: sorted.clone(),
                    opts: opts.clone(),
                }],
            },
            ChainBackup {
                drops: vec![],
                files: vec![ChainFile {
                    path: second.to_path_buf(),
                    opts: opts.clone(),
                }],
            },
        ]
    };
    // Stopped with the store empty again (the first file was written), ready for the file by
    // file load.
    let mut w = RestoreWriter::create(&t.join("p"), 1).unwrap();
    let err = w.load_chain(&chain(&unsorted)).unwrap_err();
    assert_eq!(err.store_code(), Some(StoreCode::OutOfOrder));
    assert!(err.message().contains("unsorted.backup"), "{err:?}");
    assert_eq!(
        (w.store().unwrap().entries().unwrap(), w.inside_puts),
        (0, 0)
    );
    for f in [&sorted, &unsorted] {
        w.load_file(f, &opts).unwrap();
    }
    w.finish(9).unwrap();
    assert_eq!(entries(&t.join("p")).len(), 5);
    // A sorted chain merges; a missing file is named.
    let mut w = RestoreWriter::create(&t.join("q"), 1).unwrap();
    let stats = w.load_chain(&chain(&sorted)).unwrap();
    assert_eq!(stats.iter().map(|s| s.kept).collect::<Vec<_>>(), [3, 3]);
    let mut w = RestoreWriter::create(&t.join("r"), 1).unwrap();
    let err = w.load_chain(&chain(&t.join("gone.backup"))).unwrap_err();
    assert!(err.message().contains("gone.backup"), "{err:?}");
    // Too many files to hold open at once: refused before any is opened.
    let long: Vec<ChainBackup> = (0..=super::chain::MAX_CHAIN_FILES)
        .map(|_| chain(&sorted).remove(0))
        .collect();
    let err = w.load_chain(&long).unwrap_err();
    assert!(err.message().contains("at most 16 files"), "{err:?}");
    assert_eq!(w.load_chain(&long[1..]).unwrap().len(), 16);
}
