//! Store, restore writer and export tests (pure Rust).

use super::test_support::{backup_file, backup_key, TempDir};
use super::*;
use crate::export::{export_dirs, ExportOptions};
use crate::format::keys::{build_key, parse_key, ParsedKey};
use crate::format::kv::KvInput;
use crate::format::names::ValueNameForm;
use crate::format::proto::{
    encode_uid_bytes, BackupKey, BackupPostingList, KeyType, Posting, PostingType, SchemaUpdate,
    TypeUpdate, ValType,
};
use prost::Message;
use std::collections::HashSet;
use std::path::Path;

/// A new store of `group` in `dir` (64 MiB map).
fn new_store(dir: &Path, group: u32) -> PostingStore {
    PostingStore::open(
        dir,
        &OpenOptions {
            create: true,
            group: Some(group),
            map_size: Some(64 << 20),
            data_key: None,
        },
    )
    .unwrap()
}

/// `[uid] @count @reverse` (`predicate` as the value's name).
fn uid_list_schema(predicate: &str) -> SchemaUpdate {
    SchemaUpdate {
        predicate: predicate.into(),
        value_type: ValType::Uid as i32,
        list: true,
        directive: 2,
        count: true,
        ..Default::default()
    }
}

/// Type Person { name (ns-prefixed in the value), friend }.
fn person_type() -> TypeUpdate {
    TypeUpdate {
        type_name: "Person".into(),
        fields: vec![
            SchemaUpdate {
                predicate: "\0\0\0\0\0\0\0\0name".into(),
                ..Default::default()
            },
            SchemaUpdate {
                predicate: "friend".into(),
                ..Default::default()
            },
        ],
    }
}

fn data_key(attr: &str, uid: u64, ns: u64) -> Vec<u8> {
    build_key(
        &ParsedKey {
            key_type: Some(KeyType::Data),
            attr: attr.as_bytes().to_vec(),
            uid,
            namespace: ns,
            ..Default::default()
        },
        true,
    )
    .unwrap()
}

fn value_pl(v: &str) -> Vec<u8> {
    BackupPostingList {
        uids: vec![u64::MAX],
        postings: vec![Posting {
            uid: u64::MAX,
            value: v.as_bytes().to_vec(),
            val_type: ValType::String as i32,
            posting_type: PostingType::Value as i32,
            ..Default::default()
        }],
        ..Default::default()
    }
    .encode_to_vec()
}

#[test]
fn key_layout_round_trip_in_store() {
    let k = data_key("name", 0x1f, 0);
    assert_eq!(
        k,
        [
            &[0u8][..],
            &[0; 8],
            &[0, 4],
            b"name",
            &[0],
            &0x1fu64.to_be_bytes()
        ]
        .concat()
    );
    let vk = mvcc::version_key(&k, 42);
    let (key, ts) = mvcc::split_version_key(&vk).unwrap();
    assert_eq!((key, ts), (&k[..], 42));
    let pk = parse_key(key, true).unwrap();
    assert_eq!(pk.attr, b"name");
    assert_eq!(pk.uid, 0x1f);
}

#[test]
fn mvcc_reads_and_tombstones() {
    let d = TempDir::new("mvcc");
    let s = new_store(d.path(), 1);
    let k = data_key("name", 1, 0);
    s.apply(5, &[(&k, ValueKind::PostingList, &value_pl("a"))])
        .unwrap();
    s.apply(9, &[(&k, ValueKind::PostingList, &value_pl("b"))])
        .unwrap();
    s.apply(12, &[(&k, ValueKind::Tombstone, &[])]).unwrap();
    s.apply(20, &[(&k, ValueKind::PostingList, &value_pl("c"))])
        .unwrap();
    let at = |ts| {
        s.get(&k, ts).unwrap().map(|(_, t, v)| {
            let pl = BackupPostingList::decode(&v[..]).unwrap();
            (t, String::from_utf8(pl.postings[0].value.clone()).unwrap())
        })
    };
    assert_eq!(at(4), None);
    assert_eq!(at(5), Some((5, "a".into())));
    assert_eq!(at(8), Some((5, "a".into())));
    assert_eq!(at(9), Some((9, "b".into())));
    assert_eq!(at(12), None);
    assert_eq!(at(19), None);
    assert_eq!(at(u64::MAX), Some((20, "c".into())));
    // scan sees the same
    let mut seen = vec![];
    s.scan(&[], 15, &mut |v| {
        seen.push(v.commit_ts);
        Ok(())
    })
    .unwrap();
    assert!(seen.is_empty());
    s.scan(&[], 10, &mut |v| {
        seen.push(v.commit_ts);
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, vec![9]);
}

#[test]
fn open_checks_version_group_and_emptiness() {
    let d = TempDir::new("open");
    {
        let s = new_store(d.path(), 2);
        let mut m = s.meta().unwrap();
        assert_eq!(
            (m.format_version, m.group, m.complete),
            (FORMAT_VERSION, 2, false)
        );
        m.format_version = FORMAT_VERSION + 1;
        s.set_meta(&m).unwrap();
    }
    let opts = |create, group| OpenOptions {
        create,
        group,
        map_size: Some(64 << 20),
        data_key: None,
    };
    let e = PostingStore::open(d.path(), &opts(true, Some(2)))
        .err()
        .unwrap();
    assert_eq!(e.store_code(), Some(StoreCode::NotEmpty));
    let e = PostingStore::open(d.path(), &opts(false, None))
        .err()
        .unwrap();
    assert_eq!(e.store_code(), Some(StoreCode::Incompatible), "{e}");
    assert!(e.message().contains("newer Strata"), "{e}");
    assert!(PostingStore::open(d.path(), &opts(false, Some(2))).is_err());
    let d2 = TempDir::new("open2");
    drop(PostingStore::open(d2.path(), &opts(true, Some(3))).unwrap());
    let e = PostingStore::open(d2.path(), &opts(false, Some(1)))
        .err()
        .unwrap();
    assert_eq!(e.store_code(), Some(StoreCode::Incompatible));
    assert!(e.message().contains("holds group 3"), "{e}");
    assert!(PostingStore::open(d2.path(), &opts(false, Some(3))).is_ok());
    let missing = TempDir::new("missing");
    let e = PostingStore::open(missing.path(), &opts(false, None))
        .err()
        .unwrap();
    assert_eq!(e.store_code(), Some(StoreCode::NotFound));
}

#[test]
fn drops_by_prefix() {
    let d = TempDir::new("drops");
    let s = new_store(d.path(), 1);
    let schema_key = |attr: &str, ns| {
        build_key(
            &ParsedKey {
                key_type: Some(KeyType::Schema),
                attr: attr.as_bytes().to_vec(),
                namespace: ns,
                ..Default::default()
            },
            true,
        )
        .unwrap()
    };
    let keys = [
        data_key("p1", 1, 0),
        data_key("p10", 1, 0),
        data_key("p1", 2, 0),
        data_key("p1", 1, 2),
    ];
    let fill = || {
        for k in &keys {
            s.apply(3, &[(k, ValueKind::PostingList, &value_pl("x"))])
                .unwrap();
        }
        s.apply(1, &[(&schema_key("p1", 0), ValueKind::Schema, &[])])
            .unwrap();
        s.apply(1, &[(&schema_key("p1", 2), ValueKind::Schema, &[])])
            .unwrap();
    };
    let live = || {
        let mut n = vec![];
        s.scan(&[], u64::MAX, &mut |v| {
            let pk = parse_key(v.key, true).unwrap();
            n.push(format!(
                "{}:{}:{}:{}",
                pk.key_type.unwrap().name(),
                pk.namespace,
                String::from_utf8_lossy(&pk.attr),
                pk.uid
            ));
            Ok(())
        })
        .unwrap();
        n
    };
    fill();
    s.delete_prefixes(
        &Drop::Attr {
            ns: 0,
            attr: b"p1".to_vec(),
        }
        .prefixes(),
    )
    .unwrap();
    assert_eq!(
        live(),
        [
            "DATA:0:p10:1",
            "DATA:2:p1:1",
            "SCHEMA:0:p1:0",
            "SCHEMA:2:p1:0"
        ]
    );
    fill();
    s.delete_prefixes(&Drop::Data(Some(2)).prefixes()).unwrap();
    assert_eq!(live().len(), 5);
    s.delete_prefixes(&Drop::Data(None).prefixes()).unwrap();
    assert_eq!(live(), ["SCHEMA:0:p1:0", "SCHEMA:2:p1:0"]);
    fill();
    s.delete_prefixes(&Drop::Namespace(2).prefixes()).unwrap();
    assert_eq!(
        live(),
        [
            "DATA:0:p1:1",
            "DATA:0:p1:2",
            "DATA:0:p10:1",
            "SCHEMA:0:p1:0"
        ]
    );
    s.delete_prefixes(&Drop::All.prefixes()).unwrap();
    assert!(live().is_empty());
}

fn bkey(kt: KeyType, attr: &str, uid: u64, ns: u64) -> Vec<u8> {
    backup_key(kt, ns, attr, uid).encode_to_vec()
}

fn kv(key: Vec<u8>, value: Vec<u8>, user_meta: u8, version: u64) -> KvInput {
    KvInput {
        key,
        value,
        user_meta,
        version,
        expires_at: 0,
    }
}

/// A schema (or type) KV of namespace `ns`, as a backup holds it.
fn schema_kv(attr: &str, ns: u64, su: &SchemaUpdate) -> KvInput {
    kv(bkey(KeyType::Schema, attr, 0, ns), su.encode_to_vec(), 1, 1)
}

fn type_kv(name: &str, ns: u64, tu: &TypeUpdate) -> KvInput {
    kv(bkey(KeyType::Type, name, 0, ns), tu.encode_to_vec(), 1, 1)
}

#[test]
fn restore_then_export() {
    let d = TempDir::new("restore");
    let p1 = d.join("p1");
    let mut w = RestoreWriter::create(&p1, 1).unwrap();
    let name_schema = SchemaUpdate {
        predicate: "name".into(),
        value_type: ValType::String as i32,
        tokenizer: vec!["term".into(), "exact".into()],
        directive: 1,
        upsert: true,
        ..Default::default()
    };
    let friend_schema = uid_list_schema("friend");
    let person = person_type();
    let friends = BackupPostingList {
        uid_bytes: encode_uid_bytes(&[2, 3, 0x10]),
        postings: vec![Posting {
            uid: 3,
            facets: vec![crate::format::proto::Facet {
                key: "w".into(),
                value: 2i64.to_le_bytes().to_vec(),
                val_type: 1,
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let file1 = backup_file(&[
        kv(bkey(KeyType::Data, "name", 1, 0), value_pl("alice"), 8, 5),
        kv(bkey(KeyType::Data, "name", 2, 0), value_pl("bob"), 8, 5),
        kv(
            bkey(KeyType::Data, "friend", 1, 0),
            friends.encode_to_vec(),
            8,
            6,
        ),
        kv(
            bkey(KeyType::Reverse, "friend", 0x10, 0),
            BackupPostingList {
                uids: vec![1],
                ..Default::default()
            }
            .encode_to_vec(),
            8,
            6,
        ),
        kv(
            bkey(KeyType::Data, "other", 0x99, 0),
            value_pl("skip"),
            8,
            6,
        ),
        kv(bkey(KeyType::Data, "name", 7, 3), value_pl("ns3"), 8, 6),
        schema_kv("name", 0, &name_schema),
        schema_kv("friend", 0, &friend_schema),
        schema_kv("other", 0, &name_schema),
        type_kv("Person", 0, &person),
    ]);
    let preds: HashSet<(u64, Vec<u8>)> = [(0, "name"), (0, "friend"), (3, "name")]
        .iter()
        .map(|(n, a)| (*n, a.as_bytes().to_vec()))
        .collect();
    let opts = LoadOptions {
        predicates: preds,
        threads: Some(1),
        batch_bytes: Some(64), // many small batches
        ..Default::default()
    };
    let st = w.load_stream(&file1[..], &opts).unwrap();
    assert_eq!(
        (st.kvs, st.kept, st.max_uid, st.max_ns_id),
        (10, 8, 0x10, 3)
    );
    // incremental: bob deleted (empty list), alice renamed at an equal version (later wins)
    w.apply_drops(&[]).unwrap();
    w.reset_schema().unwrap();
    let file2 = backup_file(&[
        kv(bkey(KeyType::Data, "name", 1, 0), value_pl("alicia"), 8, 5),
        kv(
            bkey(KeyType::Data, "name", 2, 0),
            BackupPostingList::default().encode_to_vec(),
            8,
            9,
        ),
        schema_kv("name", 0, &name_schema),
    ]);
    w.load_stream(&file2[..], &opts).unwrap();
    let fin = w.finish(9).unwrap();
    assert_eq!((fin.max_uid, fin.max_ns_id), (0x10, 3));
    assert!(w.finish(9).is_err());
    let out = export_dirs(&[p1.clone().into()], &ExportOptions::default()).unwrap();
    let data = String::from_utf8(out.data).unwrap();
    assert_eq!(
        data,
        "<0x1> <friend> <0x10> .\n\
         <0x1> <friend> <0x2> .\n\
         <0x1> <friend> <0x3> (w=2) .\n\
         <0x1> <name> \"alicia\" .\n\
         <0x7> <name> \"ns3\" <0x3> .\n"
    );
    assert_eq!(out.facts, 5);
    // reset_schema removed friend's schema and the type; only name came back
    assert_eq!(
        String::from_utf8(out.schema).unwrap(),
        "name: string @index(exact, term) @upsert .\n"
    );
    // the store is closed after finish and refuses a second restore
    assert_eq!(
        RestoreWriter::create(&p1, 1).err().unwrap().store_code(),
        Some(StoreCode::NotEmpty)
    );
    let s = PostingStore::open(&p1, &OpenOptions::default()).unwrap();
    let m = s.meta().unwrap();
    assert_eq!(
        (m.read_ts, m.max_uid, m.complete, m.group),
        (9, 0x10, true, 1)
    );
}

#[test]
fn schema_and_types_in_export() {
    let d = TempDir::new("schema");
    let p = d.join("p1");
    let mut w = RestoreWriter::create(&p, 1).unwrap();
    let su = uid_list_schema("");
    let person = person_type();
    let f = backup_file(&[
        schema_kv("friend", 0, &su),
        schema_kv("friend", 2, &su),
        type_kv("Person", 0, &person),
    ]);
    let opts = LoadOptions {
        predicates: [(0, b"friend".to_vec()), (2, b"friend".to_vec())].into(),
        ..Default::default()
    };
    w.load_stream(&f[..], &opts).unwrap();
    w.finish(1).unwrap();
    let out = export_dirs(&[p.into()], &ExportOptions::default()).unwrap();
    assert_eq!(
        String::from_utf8(out.schema).unwrap(),
        "[0x2] friend: [uid] @count @reverse .\nfriend: [uid] @count @reverse .\ntype Person {\n  friend\n  name\n}\n"
    );
    assert!(out.data.is_empty());
}

#[test]
fn partial_restore_keeps_types_with_a_kept_field_trimmed_to_them() {
    let d = TempDir::new("partial-types");
    let p = d.join("p1");
    let mut w = RestoreWriter::create(&p, 1).unwrap();
    let su = uid_list_schema("");
    let other = TypeUpdate {
        type_name: "Other".into(),
        fields: vec![SchemaUpdate {
            predicate: "age".into(),
            ..Default::default()
        }],
    };
    let f = backup_file(&[
        schema_kv("friend", 0, &su),
        type_kv("Person", 0, &person_type()),
        type_kv("Person", 2, &person_type()),
        type_kv("Other", 0, &other),
    ]);
    let opts = LoadOptions {
        predicates: [(0, b"friend".to_vec())].into(),
        // name is restored by another group: Person keeps it
        type_fields: Some([(0, b"friend".to_vec()), (0, b"name".to_vec())].into()),
        ..Default::default()
    };
    let st = w.load_stream(&f[..], &opts).unwrap();
    assert_eq!((st.kvs, st.kept), (4, 2));
    w.finish(1).unwrap();
    let out = export_dirs(&[p.into()], &ExportOptions::default()).unwrap();
    assert_eq!(
        String::from_utf8(out.schema).unwrap(),
        "friend: [uid] @count @reverse .\ntype Person {\n  friend\n  name\n}\n"
    );
    // only friend of Person kept: the type lists only friend
    let p2 = d.join("p2");
    let mut w = RestoreWriter::create(&p2, 1).unwrap();
    let opts = LoadOptions {
        predicates: [(0, b"friend".to_vec())].into(),
        type_fields: Some([(0, b"friend".to_vec())].into()),
        ..Default::default()
    };
    w.load_stream(&f[..], &opts).unwrap();
    w.finish(1).unwrap();
    let out = export_dirs(&[p2.into()], &ExportOptions::default()).unwrap();
    assert_eq!(
        String::from_utf8(out.schema).unwrap(),
        "friend: [uid] @count @reverse .\ntype Person {\n  friend\n}\n"
    );
}

#[test]
fn restore_strips_each_manifest_versions_names_and_refuses_unreadable_ones() {
    let d = TempDir::new("value-names");
    let p = d.join("p1");
    let mut w = RestoreWriter::create(&p, 1).unwrap();
    // as Dgraph v24/v25 write them: `0-` before the type name and every field
    let mut person = person_type();
    person.type_name = format!("0-{}", person.type_name);
    for f in &mut person.fields {
        f.predicate = format!("0-{}", f.predicate);
    }
    let opts = LoadOptions {
        value_names: ValueNameForm::Hex,
        ..Default::default()
    };
    w.load_stream(&backup_file(&[type_kv("Person", 0, &person)])[..], &opts)
        .unwrap();
    w.finish(1).unwrap();
    let out = export_dirs(&[p.clone().into()], &ExportOptions::default()).unwrap();
    assert_eq!(
        String::from_utf8(out.schema).unwrap(),
        "type Person {\n  friend\n  name\n}\n"
    );
    // v21.03 strips 8 bytes: here they cut a 3-byte character, and the value is refused whole
    let mut w = RestoreWriter::create(&d.join("p2"), 1).unwrap();
    let mut bad = person_type();
    bad.fields[0].predicate = "1234567\u{20ac}x".into();
    let opts = LoadOptions {
        value_names: ValueNameForm::Ns8,
        ..Default::default()
    };
    let e = w
        .load_stream(&backup_file(&[type_kv("Person", 0, &bad)])[..], &opts)
        .unwrap_err();
    assert!(e.to_string().contains("not a valid TypeUpdate"), "{e}");
}

#[test]
fn unfinished_restore_is_not_exported() {
    let d = TempDir::new("unfinished");
    let p = d.join("p1");
    let w = RestoreWriter::create(&p, 1).unwrap();
    drop(w);
    let e = export_dirs(&[p.into()], &ExportOptions::default())
        .err()
        .unwrap();
    assert_eq!(e.store_code(), Some(StoreCode::Incomplete));
}

#[test]
fn split_lists_export_their_parts_through_tiny_runs() {
    let d = TempDir::new("splits");
    let p = d.join("p1");
    let mut w = RestoreWriter::create(&p, 1).unwrap();
    let part_key = |start: u64| {
        BackupKey {
            r#type: KeyType::Data as i32,
            attr: "friend".into(),
            uid: 1,
            start_uid: start,
            ..Default::default()
        }
        .encode_to_vec()
    };
    let pl = |uids: &[u64], with_posting: Option<u64>| {
        BackupPostingList {
            uids: uids.to_vec(),
            postings: with_posting
                .map(|u| {
                    vec![Posting {
                        uid: u,
                        facets: vec![crate::format::proto::Facet {
                            key: "w".into(),
                            value: 7i64.to_le_bytes().to_vec(),
                            val_type: 1,
                            ..Default::default()
                        }],
                        ..Default::default()
                    }]
                })
                .unwrap_or_default(),
            ..Default::default()
        }
        .encode_to_vec()
    };
    let main = BackupPostingList {
        splits: vec![0x10, 0x20],
        ..Default::default()
    };
    let f = backup_file(&[
        kv(
            bkey(KeyType::Data, "friend", 1, 0),
            main.encode_to_vec(),
            8,
            5,
        ),
        kv(part_key(0x10), pl(&[0x10, 0x11], Some(0x11)), 8, 5),
        kv(part_key(0x20), pl(&[0x20], None), 8, 5),
        // a part the main list does not name: not exported
        kv(part_key(0x30), pl(&[0x30], None), 8, 5),
        schema_kv("friend", 0, &uid_list_schema("friend")),
    ]);
    let opts = LoadOptions {
        predicates: [(0, b"friend".to_vec())].into(),
        ..Default::default()
    };
    w.load_stream(&f[..], &opts).unwrap();
    w.finish(5).unwrap();
    let tmp = TempDir::new("splits-tmp");
    let out = export_dirs(
        &[p.into()],
        &ExportOptions {
            tmp_dir: Some(tmp.path().to_path_buf()),
            run_bytes: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out.data).unwrap(),
        "<0x1> <friend> <0x10> .\n<0x1> <friend> <0x11> (w=7) .\n<0x1> <friend> <0x20> .\n"
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// Raw writes that go inside the tree are committed in several transactions
/// (bounded dirty pages), and every one of them is there afterwards.
#[test]
fn raw_writes_inside_the_tree_all_land() {
    let d = TempDir::new("inside");
    let st = new_store(&d.join("p"), 1);
    let key = |i: u64| format!("k{i:08}").into_bytes();
    let evens: Vec<_> = (0..40_000u64)
        .map(|i| (key(2 * i), b"e".to_vec()))
        .collect();
    st.put_raw(&evens).unwrap();
    // all of these go between existing keys: more than one transaction's worth
    let odds: Vec<_> = (0..40_000u64)
        .map(|i| (key(2 * i + 1), b"o".to_vec()))
        .collect();
    st.put_raw(&odds).unwrap();
    assert_eq!(st.entries().unwrap(), 80_000);
    for (i, (k, v)) in st.raw_entries(&[]).into_iter().enumerate() {
        assert_eq!(k, key(i as u64));
        assert_eq!(v, if i % 2 == 0 { b"e" } else { b"o" });
    }
}

/// A restored store is compacted when it is finished: keys written in an
/// order that is not the store's (blocks of keys before the ones already
/// there, as a backup's predicates come) leave half-full pages, which the
/// compacted copy does not have.
#[test]
fn finished_restore_is_compacted() {
    use crate::store::restore::RestoreWriter;
    let t = TempDir::new("compact");
    let dir = t.join("p");
    let mut w = RestoreWriter::create(&dir, 1).unwrap();
    let store = PostingStore::open(&dir, &OpenOptions::for_group(1, false));
    assert!(store.is_err(), "the writer holds the store");
    // 20 blocks of 2,000 keys, each block sorting before the previous one
    let value = vec![0x08u8; 100];
    for block in (0..20u32).rev() {
        let entries: Vec<(Vec<u8>, Vec<u8>)> = (0..2_000u32)
            .map(|i| {
                let k = format!("k{block:03}-{i:06}");
                (
                    crate::store::mvcc::version_key(k.as_bytes(), 1),
                    value.clone(),
                )
            })
            .collect();
        w.put_raw_for_tests(&entries);
    }
    let before = std::fs::metadata(dir.join("data.mdb")).unwrap().len();
    w.finish(1).unwrap();
    let after = std::fs::metadata(dir.join("data.mdb")).unwrap().len();
    assert!(after * 10 < before * 7, "{before} -> {after}");
    assert!(!dir.join("compact.tmp").exists());
    let st = PostingStore::open(&dir, &OpenOptions::for_group(1, false)).unwrap();
    assert_eq!(st.entries().unwrap(), 40_000);
    st.close();
}

/// A restore whose keys all come in the store's key order appends every one
/// (full pages): its file is kept as written, not copied again. A few keys
/// out of order (an incremental's) do not make the copy worth it either.
#[test]
fn restore_written_in_key_order_is_not_rewritten() {
    use crate::store::restore::RestoreWriter;
    use std::os::unix::fs::MetadataExt;
    let t = TempDir::new("in-order");
    let value = vec![0x08u8; 100];
    let entries = |from: u32, to: u32, step: u32| -> Vec<(Vec<u8>, Vec<u8>)> {
        (from..to)
            .step_by(step as usize)
            .map(|i| {
                let k = format!("k{i:08}");
                (
                    crate::store::mvcc::version_key(k.as_bytes(), 1),
                    value.clone(),
                )
            })
            .collect()
    };
    for (name, late) in [
        ("ordered", None),
        ("few-late", Some(20)),
        ("many-late", Some(2_000)),
    ] {
        let dir = t.join(name);
        let mut w = RestoreWriter::create(&dir, 1).unwrap();
        for block in 0..20u32 {
            // even keys only, in order; the odd ones may come late, between them
            w.put_raw_for_tests(&entries(block * 4_000, (block + 1) * 4_000, 2));
        }
        if let Some(n) = late {
            w.put_raw_for_tests(&entries(1, 2 * n, 2));
        }
        let file = dir.join("data.mdb");
        let inode = std::fs::metadata(&file).unwrap().ino();
        w.finish(1).unwrap();
        let rewritten = std::fs::metadata(&file).unwrap().ino() != inode;
        assert_eq!(rewritten, name == "many-late", "{name}");
        let st = PostingStore::open(&dir, &OpenOptions::for_group(1, false)).unwrap();
        assert_eq!(
            st.entries().unwrap(),
            40_000 + late.unwrap_or(0) as u64,
            "{name}"
        );
        assert!(st.meta().unwrap().complete, "{name}");
        st.close();
    }
}

/// Random inserts of widely varying key and value sizes (index keys up to
/// the store's limit, lists from a few bytes to several pages) never fail, in
/// either engine. LMDB's `mdb.master3` branch (heed3 0.23.1) answered this
/// with MDB_PAGE_FULL within a few thousand puts, which is why plaintext
/// stores stay on LMDB 0.9 (docs/design/encryption-at-rest.md).
#[test]
fn random_inserts_of_varied_sizes_never_fill_a_page() {
    for data_key in [None, Some(crate::store::DataKey([5; 32]))] {
        let d = TempDir::new("varied");
        let opts = OpenOptions {
            create: true,
            group: Some(1),
            map_size: Some(1 << 30),
            data_key,
        };
        let st = PostingStore::open(d.path(), &opts).unwrap();
        let max_key = st.max_key_len();
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for round in 0..40 {
            let batch: Vec<(Vec<u8>, Vec<u8>)> = (0..500)
                .map(|_| {
                    let kl = if round % 2 == 0 {
                        8 + rnd() % 40
                    } else {
                        8 + rnd() % (max_key as u64 - 8)
                    };
                    let k: Vec<u8> = (0..kl).map(|_| rnd() as u8).collect();
                    let v = vec![7u8; (rnd() % 8000) as usize];
                    (k, v)
                })
                .collect();
            st.put_raw(&batch).unwrap();
        }
        assert_eq!(st.entries().unwrap(), 20_000);
        st.close();
    }
}
