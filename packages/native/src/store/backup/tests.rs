//! Backup of the live store: content, layouts, incrementals, drop ops, and
//! the round trip live store → backups → RestoreWriter → same export.

use super::*;
use crate::codec::reader::{Compression, ReadMode, Reader, ReaderConfig};
use crate::codec::writer::{WriteCompression, WriterConfig};
use crate::format::kv::{decode_kv_list, DecodedKv};
use crate::format::proto::{
    decode_uid_bytes, BackupPostingList, KeyType, SchemaUpdate, TypeUpdate, ValType,
};
use crate::store::live::*;
use crate::store::mvcc::{encode_value, version_key, ValueKind};
use crate::store::restore::{LoadOptions, RestoreWriter};
use crate::store::test_support::{new_live, set_int as int, set_str as s, sp, TempDir};
use prost::Message;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const KEY: [u8; 32] = [7u8; 32];

fn alter(st: &LiveStore, ts: u64, req: AlterRequest) {
    st.alter(ts, &req).unwrap();
}

/// A new live store (`live` in a new temp folder) after [`build_base`].
fn base_store(name: &str) -> (TempDir, LiveStore) {
    let t = TempDir::new(name);
    let st = new_live(&t.join("live"));
    build_base(&st);
    (t, st)
}

/// ts 1 schema, ts 2 data (read_ts 1 of the series = 2).
fn build_base(st: &LiveStore) {
    let mut name = sp("name", ValType::String);
    name.index = vec!["exact".into(), "term".into()];
    let mut age = sp("age", ValType::Int);
    age.index = vec!["int".into()];
    let mut friend = sp("friend", ValType::Uid);
    friend.list = true;
    friend.reverse = true;
    friend.count = true;
    alter(
        st,
        1,
        AlterRequest {
            predicates: vec![
                name,
                age,
                friend,
                sp("score", ValType::Int),
                sp(DROP_OP_PREDICATE, ValType::String),
            ],
            types: vec![TypeDef {
                name: "Person".into(),
                namespace: 0,
                fields: vec!["name".into(), "age".into(), "friend".into()],
            }],
            ..Default::default()
        },
    );
    st.apply_mutations(
        2,
        &[
            s(1, "name", "Alice"),
            int(1, "age", 30),
            Edge::set_uid(1, "friend", 2),
            Edge::set_uid(1, "friend", 3),
            int(1, "score", 5),
            s(2, "name", "Bob"),
            int(2, "age", 25),
            int(2, "score", 7),
            s(3, "name", "Carol"),
            Edge::set_uid(3, "friend", 1),
        ],
    )
    .unwrap();
}

/// Changes after ts 2, up to ts 6 (the second read ts), then ts 7.
fn build_changes(st: &LiveStore, drop_all: bool) {
    st.apply_mutations(
        3,
        &[
            int(2, "age", 25).del(),
            s(1, "name", "Alicia"),
            s(4, "name", "Dave"),
            Edge::set_uid(3, "friend", 1).del(),
        ],
    )
    .unwrap();
    if drop_all {
        alter(
            st,
            4,
            AlterRequest {
                drop_all: true,
                ..Default::default()
            },
        );
        st.apply_mutations(5, &[s(100, DROP_OP_PREDICATE, "DROP_ALL;")])
            .unwrap();
        st.apply_mutations(6, &[s(5, "name", "Eve"), int(5, "age", 40)])
            .unwrap();
    } else {
        alter(
            st,
            4,
            AlterRequest {
                drop_attr: Some("score".into()),
                ..Default::default()
            },
        );
        st.apply_mutations(5, &[s(100, DROP_OP_PREDICATE, "DROP_ATTR;score")])
            .unwrap();
        alter(
            st,
            6,
            AlterRequest {
                types: vec![TypeDef {
                    name: "Animal".into(),
                    namespace: 0,
                    fields: vec!["name".into()],
                }],
                ..Default::default()
            },
        );
        st.apply_mutations(6, &[int(4, "score", 9)]).unwrap();
    }
    st.apply_mutations(7, &[int(1, "age", 31), s(6, "name", "Late")])
        .unwrap();
}

fn predicates(st: &LiveStore, read_ts: u64) -> Vec<(u64, String)> {
    let (p, _) = st.get_schema(read_ts).unwrap();
    p.into_iter().map(|p| (p.namespace, p.predicate)).collect()
}

fn opts(
    read_ts: u64,
    since: u64,
    preds: Vec<(u64, String)>,
    layout: BackupLayout,
    key: Option<&[u8]>,
) -> BackupOptions {
    BackupOptions {
        read_ts,
        since,
        predicates: preds,
        layout,
        writer: WriterConfig {
            key: key.map(|k| k.to_vec()),
            threads: Some(2),
            compression: match layout {
                BackupLayout::V2011 => WriteCompression::Gzip,
                BackupLayout::V2103 => WriteCompression::Snappy,
                BackupLayout::V2105 => WriteCompression::S2,
            },
            ..Default::default()
        },
        chunk_size: MIN_CHUNK_SIZE,
    }
}

fn backup(st: &LiveStore, o: &BackupOptions) -> (Vec<u8>, BackupSummary) {
    let mut file = Vec::new();
    let sum = write_backup(st.inner(), o, &mut |c| {
        file.extend_from_slice(&c);
        Ok(())
    })
    .unwrap();
    assert_eq!(sum.bytes_out, file.len() as u64);
    (file, sum)
}

fn read(file: &[u8], key: Option<&[u8]>, mode: ReadMode) -> (Vec<DecodedKv>, Vec<u8>) {
    let mut r = Reader::new(ReaderConfig {
        key: key.map(|k| k.to_vec()),
        compression: Compression::Auto,
        mode,
        threads: Some(2),
        source: None,
    })
    .unwrap();
    let mut kvs = Vec::new();
    let mut bytes = Vec::new();
    for out in [r.push(file).unwrap(), r.finish().unwrap()] {
        kvs.extend(out.kvs.unwrap_or_default());
        bytes.extend(out.bytes.unwrap_or_default());
    }
    (kvs, bytes)
}

fn kvs_of(file: &[u8], key: Option<&[u8]>) -> Vec<DecodedKv> {
    read(file, key, ReadMode::Kvs).0
}

/// The records (KVLists) of a file.
fn records(file: &[u8], key: Option<&[u8]>) -> Vec<Vec<DecodedKv>> {
    let (_, s) = read(file, key, ReadMode::Bytes);
    let mut out = Vec::new();
    let mut rest = &s[..];
    while !rest.is_empty() {
        let n = u64::from_le_bytes(rest[..8].try_into().unwrap()) as usize;
        out.push(decode_kv_list(&rest[8..8 + n]).unwrap());
        rest = &rest[8 + n..];
    }
    out
}

fn list(kv: &DecodedKv) -> BackupPostingList {
    let mut pl = BackupPostingList::decode(&kv.value[..]).unwrap();
    if pl.uids.is_empty() {
        pl.uids = decode_uid_bytes(&pl.uid_bytes).unwrap();
    }
    pl
}

fn data(kvs: &[DecodedKv]) -> BTreeMap<(String, u64), &DecodedKv> {
    kvs.iter()
        .filter(|k| k.key_type == KeyType::Data)
        .map(|k| ((k.key.attr.clone(), k.key.uid), k))
        .collect()
}

fn of_type(kvs: &[DecodedKv], t: KeyType) -> BTreeSet<String> {
    kvs.iter()
        .filter(|k| k.key_type == t)
        .map(|k| k.key.attr.clone())
        .collect()
}

#[test]
fn full_backup_v2103_content_and_records() {
    let (_t, st) = base_store("full2103");
    let preds = predicates(&st, 2);
    let (file, sum) = backup(&st, &opts(2, 0, preds.clone(), BackupLayout::V2103, None));
    build_changes(&st, false);
    let (file2, _) = backup(&st, &opts(2, 0, preds.clone(), BackupLayout::V2103, None));
    assert!(!data(&kvs_of(&file2, None)).contains_key(&("name".to_string(), 4)));
    let kvs = kvs_of(&file, None);
    assert_eq!(sum.kvs, kvs.len() as u64);
    let d = data(&kvs);
    let name1 = d[&("name".to_string(), 1)];
    assert_eq!(name1.version, 2);
    assert_eq!(name1.user_meta, 0x08);
    assert!(name1.key.namespace == 0);
    let pl = BackupPostingList::decode(&name1.value[..]).unwrap();
    assert!(
        pl.uids.is_empty() && !pl.uid_bytes.is_empty(),
        "v21.03 writes uid_bytes"
    );
    assert!(pl.splits.is_empty());
    assert_eq!(pl.postings[0].value, b"Alice");
    let f1 = list(d[&("friend".to_string(), 1)]);
    assert_eq!(f1.uids, vec![2, 3]);
    assert!(f1.postings.windows(2).all(|w| w[0].uid <= w[1].uid));
    // Every data key at version 2, nothing newer than the read ts.
    assert!(kvs
        .iter()
        .filter(|k| k.key_type != KeyType::Schema && k.key_type != KeyType::Type)
        .all(|k| k.version == 2 && k.user_meta == 0x08));
    assert_eq!(sum.max_version, 2);
    for kt in [KeyType::Index, KeyType::Reverse, KeyType::Count] {
        assert!(
            kvs.iter().any(|k| k.key_type == kt),
            "{kt:?} keys are backed up"
        );
    }
    assert_eq!(
        sum.predicates,
        vec!["age", "friend", "name", "score"],
        "predicates with keys"
    );
    assert!(sum.drop_operations.is_empty());
    // Schema of every listed predicate, types; names ns-prefixed in values.
    let schema: Vec<&DecodedKv> = kvs
        .iter()
        .filter(|k| k.key_type == KeyType::Schema)
        .collect();
    assert_eq!(schema.len(), preds.len());
    for k in &schema {
        assert_eq!((k.version, k.user_meta), (1, 0x01));
        let su = SchemaUpdate::decode(&k.value[..]).unwrap();
        assert_eq!(su.predicate.as_bytes()[..8], [0u8; 8]);
        assert_eq!(&su.predicate[8..], k.key.attr);
    }
    let ty: Vec<&DecodedKv> = kvs.iter().filter(|k| k.key_type == KeyType::Type).collect();
    assert_eq!(ty.len(), 1);
    let tu = TypeUpdate::decode(&ty[0].value[..]).unwrap();
    assert_eq!(tu.type_name, "\0\0\0\0\0\0\0\0Person");
    assert_eq!(tu.fields[0].predicate, "\0\0\0\0\0\0\0\0name");
    // Schema, then types, in their own records at the end.
    let recs = records(&file, None);
    let n = recs.len();
    assert!(n >= 3);
    assert!(recs[n - 2].iter().all(|k| k.key_type == KeyType::Schema));
    assert!(recs[n - 1].iter().all(|k| k.key_type == KeyType::Type));
    assert!(recs[..n - 2]
        .iter()
        .flatten()
        .all(|k| k.key_type != KeyType::Schema && k.key_type != KeyType::Type));
    st.close();
}

/// Predicate `title` in namespace `ns` (at ts 3) with `<9> <title> "T"` (ts 4).
fn namespaced_title(st: &LiveStore, ns: u64) {
    let mut p = sp("title", ValType::String);
    p.namespace = ns;
    alter(
        st,
        3,
        AlterRequest {
            predicates: vec![p],
            namespace: ns,
            ..Default::default()
        },
    );
    let mut e = s(9, "title", "T");
    e.namespace = ns;
    st.apply_mutations(4, &[e]).unwrap();
}

#[test]
fn v2011_layout_differs() {
    let (_t, st) = base_store("v2011");
    let preds = predicates(&st, 2);
    let (file, _) = backup(&st, &opts(2, 0, preds, BackupLayout::V2011, None));
    assert_eq!(&file[..3], &[0x1f, 0x8b, 0x08], "gzip");
    let kvs = kvs_of(&file, None);
    let d = data(&kvs);
    let pl = BackupPostingList::decode(&d[&("friend".to_string(), 1)].value[..]).unwrap();
    assert_eq!(pl.uids, vec![2, 3]);
    assert!(pl.uid_bytes.is_empty());
    for k in kvs.iter().filter(|k| k.key_type == KeyType::Schema) {
        let su = SchemaUpdate::decode(&k.value[..]).unwrap();
        assert_eq!(su.predicate, k.key.attr, "bare names in v20.11 values");
    }
    let ty = kvs.iter().find(|k| k.key_type == KeyType::Type).unwrap();
    let tu = TypeUpdate::decode(&ty.value[..]).unwrap();
    assert_eq!(tu.type_name, "Person");
    assert_eq!(
        tu.fields
            .iter()
            .map(|f| f.predicate.as_str())
            .collect::<Vec<_>>(),
        vec!["name", "age", "friend"]
    );
    // Raw BackupKey bytes carry no field 7.
    assert!(kvs.iter().all(|k| k.key.namespace == 0));

    // Namespaces: v21.03 writes field 7 and the prefixed name; v20.11 refuses.
    namespaced_title(&st, 2);
    let preds = vec![(2, "title".to_string())];
    let (file, _) = backup(&st, &opts(4, 0, preds.clone(), BackupLayout::V2103, None));
    let kvs = kvs_of(&file, None);
    let k = kvs.iter().find(|k| k.key_type == KeyType::Data).unwrap();
    assert_eq!(
        (k.key.attr.as_str(), k.key.namespace, k.key.uid),
        ("title", 2, 9)
    );
    let su = kvs.iter().find(|k| k.key_type == KeyType::Schema).unwrap();
    let su = SchemaUpdate::decode(&su.value[..]).unwrap();
    assert_eq!(su.predicate.as_bytes()[..8], 2u64.to_be_bytes());
    let err = write_backup(
        st.inner(),
        &opts(4, 0, preds, BackupLayout::V2011, None),
        &mut |_| Ok(()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("namespace 2"), "{err}");
    st.close();
}

/// v20.11 writes a list of more than 1024 uids as `uid_bytes`, as Dgraph
/// v20.11 does; 1024 or fewer stay `uids`.
#[test]
fn v2011_layout_writes_long_lists_as_uid_bytes() {
    let (_t, st) = base_store("v2011-long");
    let friends = |subject: u64, n: u64| -> Vec<Edge> {
        (0..n)
            .map(|i| Edge::set_uid(subject, "friend", 100_000 + i))
            .collect()
    };
    st.apply_mutations(3, &friends(500, 1024)).unwrap();
    st.apply_mutations(4, &friends(501, 1025)).unwrap();
    let preds = predicates(&st, 4);
    let (file, _) = backup(&st, &opts(4, 0, preds, BackupLayout::V2011, None));
    let kvs = kvs_of(&file, None);
    let d = data(&kvs);
    let raw = |s: u64| BackupPostingList::decode(&d[&("friend".to_string(), s)].value[..]).unwrap();
    let short = raw(500);
    assert_eq!((short.uids.len(), short.uid_bytes.is_empty()), (1024, true));
    let long = raw(501);
    assert!(long.uids.is_empty());
    assert_eq!(decode_uid_bytes(&long.uid_bytes).unwrap().len(), 1025);
    st.close();
}

#[test]
fn v2105_layout_writes_hex_namespace_names_and_s2_framing() {
    let (_t, st) = base_store("v2105");
    namespaced_title(&st, 0x1f);
    let mut preds = predicates(&st, 4);
    preds.push((0x1f, "title".to_string()));
    let (file, _) = backup(&st, &opts(4, 0, preds, BackupLayout::V2105, None));
    assert_eq!(
        file[..10],
        crate::codec::snappy::S2_STREAM_ID,
        "v25 framing"
    );
    let recs = records(&file, None);
    assert!(
        recs.len() >= 3,
        "data, schema and types in records of their own"
    );
    let kvs: Vec<DecodedKv> = recs.into_iter().flatten().collect();
    let d = data(&kvs);
    let pl = BackupPostingList::decode(&d[&("friend".to_string(), 1)].value[..]).unwrap();
    assert!(pl.uids.is_empty() && !pl.uid_bytes.is_empty(), "uid_bytes");
    for k in kvs.iter().filter(|k| k.key_type == KeyType::Schema) {
        let su = SchemaUpdate::decode(&k.value[..]).unwrap();
        let want = format!("{:x}-{}", k.key.namespace, k.key.attr);
        assert_eq!(su.predicate, want);
    }
    let ty = kvs.iter().find(|k| k.key_type == KeyType::Type).unwrap();
    let tu = TypeUpdate::decode(&ty.value[..]).unwrap();
    assert_eq!(tu.type_name, "0-Person");
    assert_eq!(
        tu.fields
            .iter()
            .map(|f| f.predicate.as_str())
            .collect::<Vec<_>>(),
        vec!["0-name", "0-age", "0-friend"]
    );
    assert!(kvs
        .iter()
        .any(|k| k.key_type == KeyType::Schema && k.key.namespace == 0x1f));
    st.close();
}

#[test]
fn incremental_has_changed_keys_tombstones_schema_types_and_drops() {
    let (_t, st) = base_store("incr");
    build_changes(&st, false);
    let preds = predicates(&st, 6);
    for layout in [BackupLayout::V2011, BackupLayout::V2103] {
        let (file, sum) = backup(&st, &opts(6, 2, preds.clone(), layout, Some(&KEY)));
        let kvs = kvs_of(&file, Some(&KEY));
        let d = data(&kvs);
        let got: BTreeSet<(String, u64)> = d.keys().cloned().collect();
        let want: BTreeSet<(String, u64)> = [
            ("name", 1),
            ("name", 4),
            ("age", 2),
            ("friend", 3),
            ("score", 4),
            (DROP_OP_PREDICATE, 100),
        ]
        .iter()
        .map(|(a, u)| (a.to_string(), *u))
        .collect();
        assert_eq!(got, want);
        let age2 = d[&("age".to_string(), 2)];
        assert_eq!((age2.version, age2.user_meta), (3, 0x08));
        assert!(age2.value.is_empty(), "a tombstone is an empty list");
        assert_eq!(d[&("score".to_string(), 4)].version, 6);
        // The reverse list of 1 lost its only subject (3).
        let rev1 = kvs
            .iter()
            .find(|k| k.key_type == KeyType::Reverse && k.key.uid == 1)
            .unwrap();
        assert!(rev1.value.is_empty());
        assert!(kvs.iter().all(|k| k.version <= 6));
        assert_eq!(
            of_type(&kvs, KeyType::Schema),
            preds.iter().map(|p| p.1.clone()).collect::<BTreeSet<_>>()
        );
        assert_eq!(
            of_type(&kvs, KeyType::Type),
            ["Animal", "Person"].iter().map(|s| s.to_string()).collect()
        );
        assert_eq!(
            sum.drop_operations,
            vec![DropRecord {
                op: DropKind::Attr,
                value: Some("score".into()),
                namespace: None,
                commit_ts: 5
            }]
        );
        assert_eq!(sum.max_version, 6);
    }
    // Nothing changed: only schema and types.
    let (file, sum) = backup(
        &st,
        &opts(7, 6, vec![(0, "score".into())], BackupLayout::V2103, None),
    );
    assert_eq!(sum.data_keys, 0);
    assert!(sum.drop_operations.is_empty());
    let kvs = kvs_of(&file, None);
    assert_eq!(of_type(&kvs, KeyType::Schema).len(), 1);
    assert_eq!(of_type(&kvs, KeyType::Type).len(), 2);
    st.close();
}

#[test]
fn drop_values_parse() {
    let mut attr = b"DROP_ATTR;".to_vec();
    attr.extend_from_slice(&3u64.to_be_bytes());
    attr.extend_from_slice(b"p1");
    assert_eq!(
        parse_drop_value(&attr),
        Some((DropKind::Attr, Some("p1".into()), Some(3)))
    );
    assert_eq!(
        parse_drop_value(b"DROP_ATTR;name"),
        Some((DropKind::Attr, Some("name".into()), None))
    );
    assert_eq!(
        parse_drop_value(b"DROP_ALL;"),
        Some((DropKind::All, None, None))
    );
    assert_eq!(
        parse_drop_value(b"DROP_DATA;"),
        Some((DropKind::Data, None, None))
    );
    assert_eq!(
        parse_drop_value(b"DROP_DATA;0x2"),
        Some((DropKind::Data, Some("0x2".into()), Some(2)))
    );
    assert_eq!(
        parse_drop_value(b"DROP_NS;0x1a"),
        Some((DropKind::Ns, Some("0x1a".into()), Some(26)))
    );
    assert_eq!(
        parse_drop_value(b"DROP_NS;12"),
        Some((DropKind::Ns, Some("12".into()), Some(12)))
    );
    assert_eq!(parse_drop_value(b"DROP_ATTR;"), None);
    assert_eq!(parse_drop_value(b"hello"), None);
    assert_eq!(parse_drop_value(b"DROP_X;y"), None);
}

#[test]
fn drop_ops_in_commit_order_only_after_since() {
    let t = TempDir::new("dropord");
    let st = new_live(&t.join("p"));
    alter(
        &st,
        1,
        AlterRequest {
            predicates: vec![sp(DROP_OP_PREDICATE, ValType::String)],
            ..Default::default()
        },
    );
    st.apply_mutations(2, &[s(10, DROP_OP_PREDICATE, "DROP_DATA;")])
        .unwrap();
    st.apply_mutations(3, &[s(12, DROP_OP_PREDICATE, "DROP_NS;5")])
        .unwrap();
    st.apply_mutations(4, &[s(11, DROP_OP_PREDICATE, "DROP_ALL;")])
        .unwrap();
    st.apply_mutations(9, &[s(13, DROP_OP_PREDICATE, "DROP_DATA;")])
        .unwrap();
    // dgraph.drop.op not listed: drops are found anyway, its facts not written.
    let (_, sum) = backup(&st, &opts(5, 2, vec![], BackupLayout::V2103, None));
    let ops: Vec<(DropKind, u64)> = sum
        .drop_operations
        .iter()
        .map(|d| (d.op, d.commit_ts))
        .collect();
    assert_eq!(ops, vec![(DropKind::Ns, 3), (DropKind::All, 4)]);
    assert_eq!(sum.drop_operations[0].namespace, Some(5));
    assert_eq!(sum.data_keys, 0);
    let (_, full) = backup(&st, &opts(5, 0, vec![], BackupLayout::V2103, None));
    assert!(
        full.drop_operations.is_empty(),
        "full backups record no drops"
    );
    st.close();
}

#[test]
fn newest_version_when_index_keys_are_prefixes_of_each_other() {
    let t = TempDir::new("prefix");
    let st = new_live(&t.join("p"));
    let store = st.inner();
    // Term A is a proper prefix of term B = A || 0xff..: B's versions sort
    // between A's.
    let a = index_key(0, "t", b"\x02a");
    let b = index_key(0, "t", b"\x02a\xff\xff\xff\xff\xff\xff\xff\xff\xff");
    let pl = |u: u64| {
        BackupPostingList {
            uids: vec![u],
            ..Default::default()
        }
        .encode_to_vec()
    };
    let mut entries = vec![];
    for (k, ts, u) in [(&a, 10, 1), (&a, 5, 2), (&b, 7, 3), (&b, 3, 4)] {
        entries.push((
            version_key(k, ts),
            encode_value(ValueKind::PostingList, &pl(u)),
        ));
    }
    store.put_raw(&entries).unwrap();
    let txn = store.read_txn().unwrap();
    for (read_ts, want) in [
        (20u64, vec![(a.clone(), 10), (b.clone(), 7)]),
        (6, vec![(a.clone(), 5), (b.clone(), 3)]),
        (4, vec![(b.clone(), 3)]),
    ] {
        let mut got = vec![];
        visit_newest(store, &txn, &a, read_ts, &mut |k, ts, _, _| {
            got.push((k.to_vec(), ts));
            Ok(())
        })
        .unwrap();
        got.sort();
        let mut want = want;
        want.sort();
        assert_eq!(got, want, "read_ts {read_ts}");
    }
    drop(txn);
    st.close();
}

/// Restores `files` (each with its drops) into `dir` and returns the export.
fn restore(
    dir: &Path,
    layout: BackupLayout,
    files: &[(PathBuf, Vec<DropRecord>)],
    preds: &[(u64, String)],
    key: Option<&[u8]>,
    restore_ts: Option<u64>,
    read_ts: u64,
) -> crate::export::ExportOutput {
    {
        let mut w = RestoreWriter::create(dir, 1).unwrap();
        w.set_restore_ts(restore_ts).unwrap();
        let lo = LoadOptions {
            key: key.map(|k| k.to_vec()),
            predicates: preds
                .iter()
                .map(|(ns, n)| (*ns, n.as_bytes().to_vec()))
                .collect(),
            threads: Some(2),
            value_names: layout.value_names(),
            ..Default::default()
        };
        for (f, drops) in files {
            let d: Vec<_> = drops.iter().map(|d| d.to_drop()).collect();
            w.apply_drops(&d).unwrap();
            w.reset_schema().unwrap();
            w.load_file(f, &lo).unwrap();
        }
        w.finish(restore_ts.unwrap_or(read_ts)).unwrap();
    }
    // finish() replaced the file by its compacted copy
    assert!(!dir.join("compact.tmp").exists());
    let st = LiveStore::open(dir, 1, false).unwrap();
    let out = st.export_rdf(u64::MAX).unwrap();
    st.close();
    out
}

fn round_trip(drop_all: bool) {
    let (t, st) = base_store(if drop_all { "rt-all" } else { "rt" });
    let p1 = predicates(&st, 2);
    let combos: Vec<(BackupLayout, Option<&[u8]>)> = [
        BackupLayout::V2011,
        BackupLayout::V2103,
        BackupLayout::V2105,
    ]
    .into_iter()
    .flat_map(|l| [(l, None), (l, Some(&KEY[..]))])
    .collect();
    // Full backups at ts 2, taken before the changes (a drop deletes
    // every version of its keys).
    let fulls: Vec<(Vec<u8>, BackupSummary)> = combos
        .iter()
        .map(|(l, k)| backup(&st, &opts(2, 0, p1.clone(), *l, *k)))
        .collect();
    build_changes(&st, drop_all);
    let want = st.export_rdf(6).unwrap();
    assert!(want.facts >= 3);
    let p2 = predicates(&st, 6);
    let mut n = 0;
    for ((layout, key), (f1, s1)) in combos.iter().zip(fulls) {
        let (layout, key) = (*layout, *key);
        let (f2, s2) = backup(&st, &opts(6, 2, p2.clone(), layout, key));
        assert_eq!(s2.drop_operations.len(), 1);
        let (a, b) = (t.join(&format!("f1-{n}")), t.join(&format!("f2-{n}")));
        std::fs::write(&a, &f1).unwrap();
        std::fs::write(&b, &f2).unwrap();
        let files = [(a, s1.drop_operations), (b, s2.drop_operations)];
        for restore_ts in [None, Some(50)] {
            n += 1;
            let got = restore(
                &t.join(&format!("r{n}")),
                layout,
                &files,
                &p2,
                key,
                restore_ts,
                6,
            );
            assert_eq!(
                String::from_utf8_lossy(&got.data),
                String::from_utf8_lossy(&want.data),
                "data: {layout:?} key {} restoreTs {restore_ts:?}",
                key.is_some()
            );
            assert_eq!(
                String::from_utf8_lossy(&got.schema),
                String::from_utf8_lossy(&want.schema),
                "schema: {layout:?}"
            );
        }
    }
    st.close();
}

#[test]
fn round_trip_full_then_incremental_with_drop_attr() {
    round_trip(false);
}

#[test]
fn round_trip_full_then_incremental_with_drop_all() {
    round_trip(true);
}

#[test]
fn restore_ts_equal_versions_later_file_wins() {
    let (t, st) = base_store("tie");
    let p = predicates(&st, 2);
    let (f1, _) = backup(&st, &opts(2, 0, p.clone(), BackupLayout::V2103, None));
    st.apply_mutations(3, &[s(1, "name", "Changed"), int(2, "age", 25).del()])
        .unwrap();
    let (f2, _) = backup(&st, &opts(3, 2, p.clone(), BackupLayout::V2103, None));
    let (a, b) = (t.join("f1"), t.join("f2"));
    std::fs::write(&a, &f1).unwrap();
    std::fs::write(&b, &f2).unwrap();
    let dir = t.join("r");
    let out = restore(
        &dir,
        BackupLayout::V2103,
        &[(a, vec![]), (b, vec![])],
        &p,
        None,
        Some(40),
        3,
    );
    let data = String::from_utf8(out.data).unwrap();
    assert!(data.contains("\"Changed\""), "{data}");
    assert!(!data.contains("\"Alice\""));
    assert!(
        !data.contains("<0x2> <age>"),
        "the tombstone of the incremental wins"
    );
    // Every data key holds exactly one version, restoreTs; schema/type at 1.
    let st2 = LiveStore::open(&dir, 1, false).unwrap();
    for (k, _) in st2.inner().raw_entries(&[]) {
        let (key, ts) = crate::store::mvcc::split_version_key(&k).unwrap();
        let want = if key[0] == 0 { 40 } else { 1 };
        assert_eq!(ts, want);
    }
    st2.close();
    st.close();
}

#[test]
fn stream_chunks_and_abort() {
    let t = TempDir::new("stream");
    let st = std::sync::Arc::new(new_live(&t.join("p")));
    build_base(&st);
    let mut edges = vec![];
    for u in 10..100_000u64 {
        edges.push(s(u, "name", &format!("person number {u} {}", u * 7919)));
    }
    st.apply_mutations(3, &edges).unwrap();
    let preds = predicates(&st, 3);
    let mut o = opts(3, 0, preds.clone(), BackupLayout::V2103, Some(&KEY));
    o.writer.compression = WriteCompression::Gzip;
    o.writer.level = Some(0);
    // One compression thread holds at most 4 records in flight: with more records than that,
    // some are handed out before the end, however the threads are scheduled.
    o.writer.threads = Some(1);
    let bs = BackupStream::start(std::sync::Arc::clone(&st), o.clone()).unwrap();
    let mut file = vec![];
    let mut chunks = 0;
    while let Some(c) = bs.next_chunk().unwrap() {
        chunks += 1;
        file.extend_from_slice(&c);
    }
    assert!(chunks >= 2, "{chunks} chunks");
    assert_eq!(bs.next_chunk().unwrap(), None);
    let sum = bs.summary().unwrap();
    assert_eq!(sum.bytes_out, file.len() as u64);
    let kvs = kvs_of(&file, Some(&KEY));
    assert_eq!(kvs.len() as u64, sum.kvs);
    assert!(records(&file, Some(&KEY)).len() > 3, "several records");

    let bs = BackupStream::start(std::sync::Arc::clone(&st), o.clone()).unwrap();
    assert!(bs.next_chunk().unwrap().is_some());
    bs.abort();
    assert!(bs.next_chunk().is_err());
    assert!(bs.summary().is_none());

    o.since = 5;
    assert!(BackupStream::start(std::sync::Arc::clone(&st), o).is_err());
    drop(bs);
}

/// A backup's KVs come in the store's key order (namespace, name length,
/// name; data keys, then schema, then types), whatever the layout, so that
/// a restore appends every key to its store instead of splitting pages.
#[test]
fn keys_come_in_the_store_key_order() {
    use crate::format::keys::{build_key, ParsedKey};
    let (_t, st) = base_store("key-order");
    let preds = predicates(&st, 2);
    for layout in [
        BackupLayout::V2011,
        BackupLayout::V2103,
        BackupLayout::V2105,
    ] {
        let (file, _) = backup(&st, &opts(2, 0, preds.clone(), layout, None));
        let keys: Vec<Vec<u8>> = kvs_of(&file, None)
            .iter()
            .map(|kv| build_key(&ParsedKey::from_backup_key(&kv.key), true).unwrap())
            .collect();
        // the names differ in length and in order: age, name, score, friend, dgraph.drop.op
        assert!(keys.len() > 10, "{layout:?}");
        for w in keys.windows(2) {
            assert!(w[0] < w[1], "{layout:?}: {:?} before {:?}", w[0], w[1]);
        }
    }
}
