//! The store's engines. Encryption at rest: a sealed store holds no plaintext, reads and backs up
//! as a plain one does, and refuses a missing, wrong or unexpected key without writing.

use super::DataKey;
use crate::codec::writer::WriterConfig;
use crate::format::proto::ValType;
use crate::store::backup::{write_backup, BackupLayout, BackupOptions, MIN_CHUNK_SIZE};
use crate::store::live::LiveStore;
use crate::store::test_support::{alter_preds, set_int, set_str, sp, TempDir};
use crate::store::StoreCode;
use std::path::Path;

const PRED: &str = "zanzibar_ledger_secret";
const WORD: &str = "Quixotically";
const NUMBER: i64 = 73_915_286_447;
const NODES: u64 = 20_000;

fn key(b: u8) -> Option<DataKey> {
    Some(DataKey([b; 32]))
}

/// A store of `NODES` nodes with a distinctive predicate, words and numbers,
/// indexed (the index keys hold the words and the numbers themselves).
fn fill(dir: &Path, data_key: Option<DataKey>) -> LiveStore {
    let s = LiveStore::open_sealed(dir, 1, true, data_key).unwrap();
    let mut name = sp(PRED, ValType::String);
    name.index = vec!["exact".into(), "term".into()];
    let mut num = sp("amount_secret", ValType::Int);
    num.index = vec!["int".into()];
    alter_preds(&s, 1, vec![name, num]);
    for chunk in 0..(NODES / 1000) {
        let edges: Vec<_> = (chunk * 1000 + 1..=(chunk + 1) * 1000)
            .flat_map(|uid| {
                [
                    set_str(uid, PRED, &format!("{WORD} node {uid}")),
                    set_int(uid, "amount_secret", NUMBER + uid as i64),
                ]
            })
            .collect();
        s.apply_mutations(2 + chunk, &edges).unwrap();
    }
    s
}

/// The needles a disk scan looks for, in the encodings the store uses: the
/// predicate name, a value's word and its lower-case term token, and a number
/// as its value (little-endian) and its int index token (big-endian).
fn needles() -> Vec<Vec<u8>> {
    let n = NUMBER + 1;
    vec![
        PRED.as_bytes().to_vec(),
        WORD.as_bytes().to_vec(),
        WORD.to_lowercase().into_bytes(),
        n.to_le_bytes().to_vec(),
        n.to_be_bytes().to_vec(),
    ]
}

/// The needles found in any file under `dir`.
fn found_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        for n in needles() {
            if bytes.windows(n.len()).any(|w| w == n.as_slice()) {
                found.push(String::from_utf8_lossy(&n).into_owned());
            }
        }
    }
    found
}

fn backup(s: &LiveStore, read_ts: u64) -> Vec<u8> {
    let (preds, _) = s.get_schema(read_ts).unwrap();
    let o = BackupOptions {
        read_ts,
        since: 0,
        predicates: preds
            .into_iter()
            .map(|p| (p.namespace, p.predicate))
            .collect(),
        layout: BackupLayout::V2105,
        writer: WriterConfig {
            threads: Some(1),
            ..Default::default()
        },
        chunk_size: MIN_CHUNK_SIZE,
    };
    let mut file = Vec::new();
    write_backup(s.inner(), &o, &mut |c| {
        file.extend_from_slice(&c);
        Ok(())
    })
    .unwrap();
    file
}

#[test]
fn a_sealed_store_holds_none_of_its_data_and_reads_as_a_plain_one() {
    let (tp, ts) = (TempDir::new("plain"), TempDir::new("sealed"));
    let plain = fill(tp.path(), None);
    let sealed = fill(ts.path(), key(7));
    let read_ts = 2 + NODES / 1000;
    // Same reads, same backup bytes: every read path (point reads, scans,
    // nested reads while visiting) sees the same store.
    let pick = [1, 777, NODES];
    let names = [PRED.to_string(), "amount_secret".to_string()];
    let a = plain.get_nodes(&pick, Some(&names), read_ts, 0).unwrap();
    let b = sealed.get_nodes(&pick, Some(&names), read_ts, 0).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let first: Vec<_> = b[0]
        .predicates
        .iter()
        .flat_map(|p| p.values.iter())
        .collect();
    assert!(first
        .iter()
        .any(|v| v.value == format!("{WORD} node 1").as_bytes()));
    assert_eq!(backup(&plain, read_ts), backup(&sealed, read_ts));
    plain.close();
    sealed.close();
    // The scan finds every needle in the plain store (so it works) and none in the sealed one.
    assert_eq!(found_in(tp.path()).len(), needles().len());
    assert_eq!(found_in(ts.path()), Vec::<String>::new());
    // Reopened with its key, it still reads.
    let again = LiveStore::open_sealed(ts.path(), 1, false, key(7)).unwrap();
    let c = again.get_nodes(&pick, Some(&names), read_ts, 0).unwrap();
    assert_eq!(format!("{a:?}"), format!("{c:?}"));
    again.close();
}

#[test]
fn a_sealed_store_exports_with_its_key_as_a_plain_one_does() {
    use crate::export::{export_dirs, ExportOptions, StoreDir};
    let (tp, ts) = (TempDir::new("plain-x"), TempDir::new("sealed-x"));
    fill(tp.path(), None).close();
    fill(ts.path(), key(7)).close();
    let opts = ExportOptions {
        run_bytes: Some(64 << 10),
        ..ExportOptions::default()
    };
    let dir = |data_key| StoreDir {
        dir: ts.path().to_path_buf(),
        data_key,
    };
    let plain = export_dirs(&[tp.path().to_path_buf().into()], &opts).unwrap();
    let sealed = export_dirs(&[dir(key(7))], &opts).unwrap();
    assert_eq!(sealed, plain);
    assert_eq!(sealed.facts, 2 * NODES);
    let refused = |k| export_dirs(&[dir(k)], &opts).err().unwrap().store_code();
    assert_eq!(refused(None), Some(StoreCode::Sealed));
    assert_eq!(refused(key(8)), Some(StoreCode::Sealed));
}

#[test]
fn a_missing_wrong_or_unexpected_key_is_refused_and_nothing_is_written() {
    let (tp, ts) = (TempDir::new("plain-k"), TempDir::new("sealed-k"));
    fill(tp.path(), None).close();
    fill(ts.path(), key(7)).close();
    let bytes = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap();
    let (p0, s0) = (bytes(tp.path(), "data.mdb"), bytes(ts.path(), "sealed.db"));
    let refused = |d: &Path, k: Option<DataKey>| {
        let e = LiveStore::open_sealed(d, 1, false, k).err().unwrap();
        assert_eq!(e.store_code(), Some(StoreCode::Sealed), "{e:?}");
        e.message().to_string()
    };
    assert!(refused(ts.path(), None).contains("encrypted at rest"));
    assert!(refused(tp.path(), key(7)).contains("not encrypted at rest"));
    assert!(refused(ts.path(), key(8)).contains("does not open with the key given"));
    assert_eq!(bytes(tp.path(), "data.mdb"), p0);
    assert_eq!(bytes(ts.path(), "sealed.db"), s0);
    // The right key still opens it after the refusals.
    LiveStore::open_sealed(ts.path(), 1, false, key(7))
        .unwrap()
        .close();
}

#[test]
fn a_sealed_page_changed_on_disk_is_an_error_not_data() {
    let t = TempDir::new("tamper");
    fill(t.path(), key(9)).close();
    let f = t.join("sealed.db");
    let mut bytes = std::fs::read(&f).unwrap();
    // Flip a byte in every page: whatever is read fails.
    for p in (0..bytes.len() / 4096).map(|p| p * 4096 + 100) {
        bytes[p] ^= 0x5a;
    }
    std::fs::write(&f, &bytes).unwrap();
    match LiveStore::open_sealed(t.path(), 1, false, key(9)) {
        Err(e) => assert!(
            matches!(
                e.store_code(),
                Some(StoreCode::Sealed) | Some(StoreCode::Io)
            ),
            "{e:?}"
        ),
        Ok(s) => {
            let e = s.get_schema(u64::MAX - 1).err();
            assert!(e.is_some(), "a tampered store must not read");
            s.close();
        }
    }
}

/// The entry count a store reports (metrics, drops of everything) is the same for both engines
/// after puts, overwrites, an aborted transaction, prefix deletes and a reopen: the sealed engine
/// keeps its count in memory rather than scanning its table.
#[test]
fn both_engines_count_entries_alike() {
    use crate::store::{OpenOptions, PostingStore};
    let (tp, ts) = (TempDir::new("count-plain"), TempDir::new("count-sealed"));
    let open = |d: &Path, k: Option<DataKey>, create: bool| {
        let o = OpenOptions::for_group(1, create).sealed(k);
        PostingStore::open(d, &o).unwrap()
    };
    let kv = |p: u8, i: u32| {
        (
            vec![p, (i >> 8) as u8, i as u8],
            vec![7u8; (i % 50) as usize],
        )
    };
    let mut counts = Vec::new();
    for (dir, k) in [(tp.path(), None), (ts.path(), key(3))] {
        let s = open(dir, k.clone(), true);
        let mut seen = vec![s.entries().unwrap()];
        s.put_raw(&(0..300).map(|i| kv(1, i)).collect::<Vec<_>>())
            .unwrap();
        s.put_raw(&(0..200).map(|i| kv(2, i)).collect::<Vec<_>>())
            .unwrap();
        // Overwrites of existing keys add nothing.
        s.put_raw(&(0..100).map(|i| kv(1, i)).collect::<Vec<_>>())
            .unwrap();
        seen.push(s.entries().unwrap());
        // A write transaction that is dropped counts nothing.
        {
            let w = s.write_txn().unwrap();
            let db = s.postings_db();
            db.put(&w, &[9, 9, 9], b"x").unwrap();
            assert_eq!(db.len(&w).unwrap(), seen[1] + 1);
        }
        seen.push(s.entries().unwrap());
        seen.push(s.delete_prefixes(&[vec![2]]).unwrap());
        seen.push(s.entries().unwrap());
        s.close();
        let again = open(dir, k, false);
        seen.push(again.entries().unwrap());
        seen.push(again.delete_prefixes(&[vec![]]).unwrap());
        seen.push(again.entries().unwrap());
        again.close();
        counts.push(seen);
    }
    assert_eq!(counts[0], counts[1]);
    assert_eq!(counts[1][1], counts[1][0] + 500);
    assert_eq!(counts[1][3], 200);
    assert_eq!(counts[1][7], 0);
}
