//! LiveStore tests: mutation semantics, derived keys, eq, alter, MVCC reads.

use super::*;
use crate::format::proto::{BackupPostingList, PostingType, ValType};
use crate::store::farm::fingerprint64;
use crate::store::test_support::{
    alter_preds, alter_refused, new_live, set_int, set_str, sp, temp_live, TempDir,
};
use crate::store::tokenize::Tokenizer;
use crate::store::StoreCode;
use prost::Message;
use std::path::PathBuf;

fn strings(s: &LiveStore, uid: u64, p: &str, ts: u64) -> Vec<String> {
    let n = s.get_nodes(&[uid], Some(&[p.to_string()]), ts, 0).unwrap();
    let mut v: Vec<String> = n[0]
        .predicates
        .iter()
        .flat_map(|f| f.values.iter())
        .map(|v| {
            let mut s = String::from_utf8_lossy(&v.value).into_owned();
            if !v.lang.is_empty() {
                s.push('@');
                s.push_str(&v.lang);
            }
            s
        })
        .collect();
    v.sort();
    v
}

fn uids_of(s: &LiveStore, uid: u64, p: &str, ts: u64) -> Vec<u64> {
    let n = s.get_nodes(&[uid], Some(&[p.to_string()]), ts, 0).unwrap();
    n[0].predicates
        .iter()
        .flat_map(|f| f.uids.clone())
        .collect()
}

fn raw_list(s: &LiveStore, key: &[u8], ts: u64) -> Option<BackupPostingList> {
    s.inner()
        .get(key, ts)
        .unwrap()
        .map(|(_, _, p)| BackupPostingList::decode(&p[..]).unwrap())
}

fn index_uids(s: &LiveStore, p: &str, token: &[u8], ts: u64) -> Vec<u64> {
    raw_list(s, &index_key(0, p, token), ts)
        .map(|l| l.uids)
        .unwrap_or_default()
}

#[test]
fn set_replace_delete_and_mvcc() {
    let (_t, s) = temp_live("basic");
    alter_preds(&s, 1, vec![sp("name", ValType::String)]);
    s.apply_mutations(2, &[set_str(1, "name", "a")]).unwrap();
    s.apply_mutations(3, &[set_str(1, "name", "b")]).unwrap();
    assert_eq!(strings(&s, 1, "name", 2), vec!["a"]);
    assert_eq!(strings(&s, 1, "name", 3), vec!["b"]);
    // placeholder uid of a non-list untagged value
    let pl = raw_list(&s, &data_key(0, "name", 1), 3).unwrap();
    assert_eq!(pl.uids, vec![u64::MAX]);
    assert_eq!(pl.postings[0].uid, u64::MAX);
    assert_eq!(pl.postings[0].op, 1);
    assert_eq!(pl.postings[0].commit_ts, 3);
    // delete with a wrong value: nothing
    s.apply_mutations(4, &[set_str(1, "name", "zzz").del()])
        .unwrap();
    assert_eq!(strings(&s, 1, "name", 4), vec!["b"]);
    s.apply_mutations(5, &[set_str(1, "name", "b").del()])
        .unwrap();
    assert!(strings(&s, 1, "name", 5).is_empty());
    assert_eq!(strings(&s, 1, "name", 4), vec!["b"]);
    // tombstone hides the key
    let v = s.inner().get(&data_key(0, "name", 1), 5).unwrap();
    assert!(v.is_none());
    assert_eq!(
        s.has_predicate("name", 5, 0, 0, None).unwrap(),
        Vec::<u64>::new()
    );
    assert_eq!(s.has_predicate("name", 4, 0, 0, None).unwrap(), vec![1]);
    let m = s.meta().unwrap();
    assert_eq!(m.max_commit_ts, 5);
    assert_eq!(m.max_uid, 1);
    // an older commitTs is refused
    assert!(s.apply_mutations(4, &[set_str(1, "name", "x")]).is_err());
}

#[test]
fn lists_lang_facets_star() {
    let (_t, s) = temp_live("lists");
    let mut tags = sp("tags", ValType::String);
    tags.list = true;
    let mut name = sp("name", ValType::String);
    name.lang = true;
    let friend = sp("friend", ValType::Uid); // non-list uid
    let mut knows = sp("knows", ValType::Uid);
    knows.list = true;
    alter_preds(&s, 1, vec![tags, name, friend, knows]);
    let mut fe = Edge::set_uid(1, "knows", 3);
    fe.facets = vec![FacetInput {
        key: "since".into(),
        value: 2020i64.to_le_bytes().to_vec(),
        val_type: 1,
    }];
    let mut en = set_str(1, "name", "Hello");
    en.lang = "en".into();
    s.apply_mutations(
        2,
        &[
            set_str(1, "tags", "x"),
            set_str(1, "tags", "y"),
            set_str(1, "tags", "x"),
            set_str(1, "name", "plain"),
            en,
            Edge::set_uid(1, "friend", 5),
            Edge::set_uid(1, "friend", 6),
            Edge::set_uid(1, "knows", 2),
            fe,
        ],
    )
    .unwrap();
    assert_eq!(strings(&s, 1, "tags", 2), vec!["x", "y"]);
    let pl = raw_list(&s, &data_key(0, "tags", 1), 2).unwrap();
    let mut want = vec![fingerprint64(b"x"), fingerprint64(b"y")];
    want.sort();
    assert_eq!(pl.uids, want);
    assert_eq!(strings(&s, 1, "name", 2), vec!["Hello@en", "plain"]);
    let pl = raw_list(&s, &data_key(0, "name", 1), 2).unwrap();
    let lang = pl.postings.iter().find(|p| !p.lang_tag.is_empty()).unwrap();
    assert_eq!(lang.uid, fingerprint64(b"en"));
    assert_eq!(lang.posting_type, PostingType::ValueLang as i32);
    assert_eq!(uids_of(&s, 1, "friend", 2), vec![6]);
    let n = s.get_nodes(&[1], Some(&["knows".into()]), 2, 0).unwrap();
    assert_eq!(n[0].predicates[0].uids, vec![2, 3]);
    assert_eq!(n[0].predicates[0].uid_facets.len(), 1);
    assert_eq!(n[0].predicates[0].uid_facets[0].0, 3);
    assert_eq!(n[0].predicates[0].uid_facets[0].1[0].key, "since");
    // null predicates: everything the node has
    let all = s.get_nodes(&[1, 99], None, 2, 0).unwrap();
    let names: Vec<&str> = all[0]
        .predicates
        .iter()
        .map(|p| p.predicate.as_str())
        .collect();
    assert_eq!(names, vec!["friend", "knows", "name", "tags"]);
    assert!(all[1].predicates.is_empty());
    // delete one list value, then star
    s.apply_mutations(3, &[set_str(1, "tags", "x").del()])
        .unwrap();
    assert_eq!(strings(&s, 1, "tags", 3), vec!["y"]);
    s.apply_mutations(4, &[Edge::del_star(1, "knows"), Edge::del_star(1, "tags")])
        .unwrap();
    assert!(uids_of(&s, 1, "knows", 4).is_empty());
    assert!(strings(&s, 1, "tags", 4).is_empty());
    assert_eq!(uids_of(&s, 1, "knows", 3), vec![2, 3]);
    // type safety
    let e = s.apply_mutations(5, &[set_int(1, "name", 3)]).unwrap_err();
    assert!(e.message().contains("convert"), "{e}");
    assert!(s
        .apply_mutations(5, &[Edge::set_uid(1, "name", 3)])
        .is_err());
    let mut bad = set_str(1, "tags", "q");
    bad.lang = "fr".into();
    assert!(s.apply_mutations(5, &[bad]).is_err());
}

#[test]
fn auto_schema() {
    let (_t, s) = temp_live("auto");
    s.apply_mutations(1, &[Edge::set_uid(1, "follows", 2), set_int(1, "age", 30)])
        .unwrap();
    let (preds, _) = s.get_schema(u64::MAX).unwrap();
    let f = preds.iter().find(|p| p.predicate == "follows").unwrap();
    assert_eq!((f.value_type, f.list), (ValType::Uid, true));
    let a = preds.iter().find(|p| p.predicate == "age").unwrap();
    assert_eq!((a.value_type, a.list), (ValType::Int, false));
    assert_eq!(s.meta().unwrap().max_uid, 2);
}

#[test]
fn index_reverse_count_maintenance() {
    let (_t, s) = temp_live("derived");
    let mut name = sp("name", ValType::String);
    name.index = vec![
        "exact".into(),
        "term".into(),
        "hash".into(),
        "trigram".into(),
    ];
    let mut friend = sp("friend", ValType::Uid);
    friend.list = true;
    friend.reverse = true;
    friend.count = true;
    let mut age = sp("age", ValType::Int);
    age.index = vec!["int".into()];
    alter_preds(&s, 1, vec![name, friend, age]);
    s.apply_mutations(
        2,
        &[
            set_str(1, "name", "Alice Smith"),
            set_str(2, "name", "Bob Smith"),
            Edge::set_uid(1, "friend", 2),
            Edge::set_uid(1, "friend", 3),
            Edge::set_uid(4, "friend", 3),
            set_int(1, "age", 30),
            set_int(2, "age", -5),
        ],
    )
    .unwrap();
    assert_eq!(index_uids(&s, "name", b"\x02Alice Smith", 2), vec![1]);
    assert_eq!(index_uids(&s, "name", b"\x01smith", 2), vec![1, 2]);
    assert_eq!(index_uids(&s, "name", b"\x0aSmi", 2), vec![1, 2]);
    assert_eq!(
        s.eq("name", &[b"Alice Smith".to_vec()], 2, 0).unwrap(),
        vec![1]
    );
    assert_eq!(
        s.eq(
            "age",
            &[(-5i64).to_le_bytes().to_vec(), 30i64.to_le_bytes().to_vec()],
            2,
            0
        )
        .unwrap(),
        vec![1, 2]
    );
    assert_eq!(
        s.reverse("friend", &[2, 3, 9], 2, 0).unwrap(),
        vec![(2, vec![1]), (3, vec![1, 4]), (9, vec![])]
    );
    let count = |n: u32, rev: bool, ts: u64| {
        raw_list(&s, &count_key(0, "friend", n, rev), ts)
            .map(|l| l.uids)
            .unwrap_or_default()
    };
    assert_eq!(count(2, false, 2), vec![1]);
    assert_eq!(count(1, false, 2), vec![4]);
    assert_eq!(count(1, true, 2), vec![2]);
    assert_eq!(count(2, true, 2), vec![3]);
    // moving a value moves its index entries; count moves
    s.apply_mutations(
        3,
        &[
            set_str(1, "name", "Carol"),
            Edge::set_uid(1, "friend", 3).del(),
        ],
    )
    .unwrap();
    assert_eq!(
        index_uids(&s, "name", b"\x02Alice Smith", 3),
        Vec::<u64>::new()
    );
    assert_eq!(index_uids(&s, "name", b"\x02Carol", 3), vec![1]);
    assert_eq!(index_uids(&s, "name", b"\x01smith", 3), vec![2]);
    assert_eq!(index_uids(&s, "name", b"\x02Alice Smith", 2), vec![1]);
    assert!(s
        .eq("name", &[b"Alice Smith".to_vec()], 3, 0)
        .unwrap()
        .is_empty());
    assert_eq!(
        s.eq("name", &[b"Alice Smith".to_vec()], 2, 0).unwrap(),
        vec![1]
    );
    assert_eq!(count(2, false, 3), Vec::<u64>::new());
    assert_eq!(count(1, false, 3), vec![1, 4]);
    assert_eq!(count(1, true, 3), vec![2, 3]);
    assert_eq!(s.reverse("friend", &[3], 3, 0).unwrap(), vec![(3, vec![4])]);
    // eq errors
    let e = s.eq("friend", &[vec![]], 3, 0).unwrap_err();
    assert!(e.message().contains("needs an index for eq"), "{e}");
    let e = s.reverse("name", &[1], 3, 0).unwrap_err();
    assert!(e.message().contains("@reverse"), "{e}");
}

#[test]
fn eq_via_each_tokenizer() {
    let (_t, s) = temp_live("eqtok");
    let mk = |n: &str, vt: ValType, tok: &str| {
        let mut p = sp(n, vt);
        p.index = vec![tok.into()];
        p
    };
    alter_preds(
        &s,
        1,
        vec![
            mk("h", ValType::String, "hash"),
            mk("t", ValType::String, "term"),
            mk("f", ValType::Float, "float"),
            mk("b", ValType::Bool, "bool"),
            mk("d", ValType::Datetime, "day"),
        ],
    );
    let dt = |sec: u64, off: i16| {
        let mut v = vec![1u8];
        v.extend_from_slice(&sec.to_be_bytes());
        v.extend_from_slice(&0u32.to_be_bytes());
        v.extend_from_slice(&off.to_be_bytes());
        v
    };
    s.apply_mutations(
        2,
        &[
            set_str(1, "h", "myname"),
            set_str(2, "h", "other"),
            set_str(1, "t", "one two"),
            set_str(2, "t", "two one three"),
            Edge::set_value(1, "f", &1.5f64.to_le_bytes(), ValType::Float),
            Edge::set_value(2, "f", &1.25f64.to_le_bytes(), ValType::Float),
            Edge::set_value(1, "b", &[1], ValType::Bool),
            Edge::set_value(2, "b", &[0], ValType::Bool),
            Edge::set_value(1, "d", &dt(63_742_930_535, 330), ValType::Datetime),
            Edge::set_value(2, "d", &dt(63_742_930_536, -1), ValType::Datetime),
        ],
    )
    .unwrap();
    assert_eq!(s.eq("h", &[b"myname".to_vec()], 2, 0).unwrap(), vec![1]);
    assert_eq!(s.eq("t", &[b"one two".to_vec()], 2, 0).unwrap(), vec![1]);
    assert_eq!(
        s.eq("f", &[1.25f64.to_le_bytes().to_vec()], 2, 0).unwrap(),
        vec![2]
    );
    assert_eq!(s.eq("b", &[vec![0]], 2, 0).unwrap(), vec![2]);
    // same instant, other zone offset
    assert_eq!(s.eq("d", &[dt(63_742_930_535, -1)], 2, 0).unwrap(), vec![1]);
    let hash = Tokenizer::Hash.tokens(b"myname", "").unwrap();
    assert_eq!(index_uids(&s, "h", &hash[0], 2), vec![1]);
}

#[test]
fn alter_rebuild_drop_and_refusals() {
    let (_t, s) = temp_live("alter");
    let mut friend = sp("friend", ValType::Uid);
    friend.list = true;
    alter_preds(&s, 1, vec![sp("name", ValType::String), friend.clone()]);
    s.apply_mutations(
        2,
        &[
            set_str(1, "name", "Ann"),
            set_str(2, "name", "Ann"),
            Edge::set_uid(1, "friend", 7),
        ],
    )
    .unwrap();
    assert!(s.eq("name", &[b"Ann".to_vec()], 2, 0).is_err());
    let mut name = sp("name", ValType::String);
    name.index = vec!["exact".into()];
    friend.reverse = true;
    friend.count = true;
    alter_preds(&s, 3, vec![name.clone(), friend.clone()]);
    assert_eq!(s.eq("name", &[b"Ann".to_vec()], 3, 0).unwrap(), vec![1, 2]);
    assert_eq!(s.reverse("friend", &[7], 3, 0).unwrap(), vec![(7, vec![1])]);
    assert_eq!(
        raw_list(&s, &count_key(0, "friend", 1, false), 3)
            .unwrap()
            .uids,
        vec![1]
    );
    // removing the index deletes its keys
    name.index = vec![];
    friend.reverse = false;
    alter_preds(&s, 4, vec![name, friend]);
    assert!(raw_list(&s, &index_key(0, "name", b"\x02Ann"), u64::MAX).is_none());
    assert!(raw_list(&s, &reverse_key(0, "friend", 7), u64::MAX).is_none());
    // refusals
    let mut bad = sp("name", ValType::Int);
    let e = alter_refused(&s, 5, bad.clone());
    assert!(e.message().contains("while it has data"), "{e}");
    bad.index = vec!["exact".into()];
    alter_refused(&s, 5, bad);
    let mut ft = sp("bio", ValType::String);
    ft.index = vec!["ngram".into()];
    let e = alter_refused(&s, 5, ft);
    assert!(
        e.message().contains("tokenizer ngram is not supported yet"),
        "{e}"
    );
    let mut rv = sp("x", ValType::String);
    rv.reverse = true;
    alter_refused(&s, 5, rv);
    // types
    s.alter(
        5,
        &AlterRequest {
            types: vec![TypeDef {
                name: "Person".into(),
                namespace: 0,
                fields: vec!["name".into(), "friend".into()],
            }],
            ..Default::default()
        },
    )
    .unwrap();
    let (_, types) = s.get_schema(u64::MAX).unwrap();
    assert_eq!(types[0].name, "Person");
    assert_eq!(types[0].fields, vec!["name", "friend"]);
    // dropAttr removes data and schema
    s.alter(
        6,
        &AlterRequest {
            drop_attr: Some("name".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let (preds, _) = s.get_schema(u64::MAX).unwrap();
    assert!(preds.iter().all(|p| p.predicate != "name"));
    assert!(s
        .has_predicate("name", u64::MAX, 0, 0, None)
        .unwrap()
        .is_empty());
    assert_eq!(
        s.has_predicate("friend", u64::MAX, 0, 0, None).unwrap(),
        vec![1]
    );
    // dropData keeps the schema
    s.alter(
        7,
        &AlterRequest {
            drop_data: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(s
        .has_predicate("friend", u64::MAX, 0, 0, None)
        .unwrap()
        .is_empty());
    assert!(!s.get_schema(u64::MAX).unwrap().0.is_empty());
    s.alter(
        8,
        &AlterRequest {
            drop_all: true,
            ..Default::default()
        },
    )
    .unwrap();
    let (p, ty) = s.get_schema(u64::MAX).unwrap();
    assert!(p.is_empty() && ty.is_empty());
}

#[test]
fn has_predicate_paging_and_reopen() {
    let t = TempDir::new("paging");
    {
        let s = new_live(t.path());
        let edges: Vec<Edge> = (1..=10).map(|i| set_int(i, "n", i as i64)).collect();
        s.apply_mutations(1, &edges).unwrap();
        assert_eq!(
            s.has_predicate("n", 1, 0, 3, Some(4)).unwrap(),
            vec![4, 5, 6, 7]
        );
        assert_eq!(s.has_predicate("n", 1, 0, 0, Some(2)).unwrap(), vec![1, 2]);
        let out = s.export_rdf(u64::MAX).unwrap();
        assert_eq!(out.facts, 10);
        assert!(String::from_utf8(out.data)
            .unwrap()
            .contains("<0x1> <n> \"1\"^^<xs:int> ."));
        // a second open of the same folder in this process
        let e = LiveStore::open(t.path(), 1, false).err().unwrap();
        assert_eq!(e.store_code(), Some(StoreCode::Busy));
        s.close();
    }
    let s = LiveStore::open(t.path(), 1, false).unwrap();
    assert_eq!(
        s.has_predicate("n", u64::MAX, 0, 0, None).unwrap().len(),
        10
    );
    assert_eq!(s.meta().unwrap().max_commit_ts, 1);
    s.close();
    let e = LiveStore::open(t.path(), 2, false).err().unwrap();
    assert_eq!(e.store_code(), Some(StoreCode::Incompatible));
}

/// Restores the real v20.11 fixture (group 1) and checks that the index
/// keys Dgraph wrote for `Author.name` (hash), `dgraph.type`, `dgraph.cors`
/// and `dgraph.graphql.xid` (exact) are exactly those our tokenizers give.
#[test]
fn fixture_index_terms_match_dgraph() {
    use crate::format::keys::parse_key;
    use crate::format::proto::KeyType;
    use crate::store::restore::{LoadOptions, RestoreWriter};
    use std::collections::{BTreeMap, BTreeSet};
    let file = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/dgraph/v20.11-full-3groups/dgraph.20201125.173944.587/r68-g1.backup");
    if !file.is_file() {
        eprintln!("fixture missing, skipped");
        return;
    }
    let t = TempDir::new("fixture");
    let preds = [
        "Author.pwd",
        "dgraph.graphql.xid",
        "dgraph.drop.op",
        "dgraph.graphql.schema_history",
        "dgraph.graphql.schema_created_at",
        "dgraph.type",
        "dgraph.graphql.schema",
        "dgraph.cors",
        "dgraph.graphql.p_query",
        "Author.name",
        "Person.name",
    ];
    {
        let mut w = RestoreWriter::create(t.path(), 1).unwrap();
        let opts = LoadOptions {
            predicates: preds.iter().map(|p| (0, p.as_bytes().to_vec())).collect(),
            threads: Some(1),
            ..Default::default()
        };
        w.load_file(&file, &opts).unwrap();
        w.finish(68).unwrap();
    }
    let s = LiveStore::open(t.path(), 1, false).unwrap();
    assert_eq!(
        s.eq("Author.name", &[b"myname".to_vec()], 68, 0).unwrap(),
        vec![4]
    );
    let (schema, _) = s.get_schema(68).unwrap();
    let mut checked = 0;
    for p in schema.iter().filter(|p| !p.index.is_empty()) {
        let toks: Vec<Tokenizer> = p
            .index
            .iter()
            .map(|n| Tokenizer::parse(n).unwrap())
            .collect();
        let mut want: BTreeMap<Vec<u8>, BTreeSet<u64>> = BTreeMap::new();
        let mut got: BTreeMap<Vec<u8>, BTreeSet<u64>> = BTreeMap::new();
        let prefix = {
            let mut k = data_key(0, &p.predicate, 0);
            k.truncate(k.len() - 9);
            k
        };
        s.inner()
            .scan(&prefix, 68, &mut |v| {
                let pk = parse_key(v.key, true).unwrap();
                let pl = BackupPostingList::decode(v.payload).unwrap();
                match pk.key_type {
                    Some(KeyType::Data) => {
                        for po in &pl.postings {
                            for tk in &toks {
                                for term in tk.tokens(&po.value, "").unwrap() {
                                    want.entry(term).or_default().insert(pk.uid);
                                }
                            }
                        }
                    }
                    Some(KeyType::Index) => {
                        let mut uids = pl.uids.clone();
                        if uids.is_empty() {
                            uids = crate::format::proto::decode_uid_bytes(&pl.uid_bytes).unwrap();
                        }
                        got.insert(pk.term.clone(), uids.into_iter().collect());
                    }
                    _ => {}
                }
                Ok(())
            })
            .unwrap();
        assert!(!got.is_empty(), "{}", p.predicate);
        assert_eq!(want, got, "{}", p.predicate);
        checked += 1;
    }
    assert!(checked >= 3, "{checked}");
    s.close();
}

#[test]
fn writes_to_a_predicate_with_an_index_it_cannot_compute_are_refused() {
    // A restored Dgraph backup can carry an ngram index: its schema entry is
    // kept, but a write would leave the index stale, so it is refused.
    let (_t, s) = temp_live("unmaintained");
    alter_preds(&s, 1, vec![sp("about", ValType::String)]);
    s.apply_mutations(2, &[set_str(1, "about", "before")])
        .unwrap();
    let su = crate::format::proto::SchemaUpdate {
        predicate: "about".into(),
        value_type: ValType::String as i32,
        directive: crate::format::proto::Directive::Index as i32,
        tokenizer: vec!["ngram".into(), "term".into()],
        lang: true,
        ..Default::default()
    };
    {
        let w = s.inner().write_txn().unwrap();
        schema::put_entry(s.inner(), &w, &keys::schema_key(0, "about"), 3, &su).unwrap();
        w.commit().unwrap();
    }
    let e = s
        .apply_mutations(4, &[set_str(2, "about", "after")])
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_ARGUMENT", "{e}");
    assert!(e.to_string().contains("@index(ngram)"), "{e}");
    // nothing was written
    assert_eq!(strings(&s, 1, "about", 10), vec!["before"]);
    assert!(strings(&s, 2, "about", 10).is_empty());
}

#[test]
fn reverse_edges_carry_the_forward_edges_facets() {
    let (_t, s) = temp_live("revfacets");
    let mut friend = sp("friend", ValType::Uid);
    friend.list = true;
    friend.reverse = true;
    alter_preds(&s, 1, vec![friend.clone()]);
    let with = |from: u64, to: u64, close: u8| {
        let mut e = Edge::set_uid(from, "friend", to);
        e.facets = vec![FacetInput {
            key: "close".into(),
            value: vec![close],
            val_type: 3,
        }];
        e
    };
    let facets_of = |ts: u64| {
        let l = raw_list(&s, &reverse_key(0, "friend", 9), ts).unwrap();
        let f: Vec<(u64, Vec<u8>, i32)> = l
            .postings
            .iter()
            .map(|p| (p.uid, p.facets[0].value.clone(), p.val_type))
            .collect();
        (l.uids, f)
    };
    s.apply_mutations(2, &[with(1, 9, 1), Edge::set_uid(2, "friend", 9)])
        .unwrap();
    assert_eq!(facets_of(2), (vec![1, 2], vec![(1, vec![1], 0)]));
    // a facet changed on an existing edge is written again; a plain edge drops its posting
    s.apply_mutations(3, &[with(1, 9, 0), with(2, 9, 1)])
        .unwrap();
    assert_eq!(
        facets_of(3),
        (vec![1, 2], vec![(1, vec![0], 0), (2, vec![1], 0)])
    );
    s.apply_mutations(
        4,
        &[
            Edge::set_uid(1, "friend", 9).del(),
            Edge::set_uid(2, "friend", 9),
        ],
    )
    .unwrap();
    assert_eq!(facets_of(4), (vec![2], vec![]));
    // a rebuilt reverse index has them too
    s.apply_mutations(5, &[with(3, 9, 1)]).unwrap();
    friend.reverse = false;
    alter_preds(&s, 6, vec![friend.clone()]);
    friend.reverse = true;
    alter_preds(&s, 7, vec![friend]);
    assert_eq!(facets_of(7), (vec![2, 3], vec![(3, vec![1], 0)]));
}

#[test]
fn pending_writes_are_seen_only_at_their_start_ts_and_never_written() {
    let (_t, s) = temp_live("pending");
    let mut name = sp("name", ValType::String);
    name.index = vec!["exact".into()];
    alter_preds(&s, 1, vec![name, sp("age", ValType::Int)]);
    s.apply_mutations(2, &[set_str(1, "name", "old")]).unwrap();
    let before = s.meta().unwrap();
    // A transaction started at 5 replaces the name and adds a node.
    s.set_pending(
        5,
        vec![
            set_str(1, "name", "new"),
            set_str(9, "name", "fresh"),
            set_int(9, "age", 3),
        ],
    )
    .unwrap();
    assert_eq!(strings(&s, 1, "name", 5), vec!["new"]);
    assert_eq!(s.eq("name", &[b"fresh".to_vec()], 5, 0).unwrap(), vec![9]);
    assert!(s.eq("name", &[b"old".to_vec()], 5, 0).unwrap().is_empty());
    // Other read ts: the committed data only.
    assert_eq!(strings(&s, 1, "name", 4), vec!["old"]);
    assert_eq!(strings(&s, 1, "name", 6), vec!["old"]);
    assert!(s.eq("name", &[b"fresh".to_vec()], 6, 0).unwrap().is_empty());
    // Nothing was written: the meta and the lists are as before.
    assert_eq!(s.meta().unwrap().max_commit_ts, before.max_commit_ts);
    assert!(raw_list(&s, &data_key(0, "name", 9), u64::MAX - 1).is_none());
    // A commit after the start ts stays invisible at it; the pending edges still apply on top.
    s.apply_mutations(7, &[set_str(1, "name", "later")])
        .unwrap();
    assert_eq!(strings(&s, 1, "name", 5), vec!["new"]);
    assert!(s.clear_pending(5));
    assert!(!s.clear_pending(5));
    assert_eq!(strings(&s, 1, "name", 5), vec!["old"]);
    assert_eq!(s.pending_count(), 0);
}

#[test]
fn pending_edges_are_checked_and_bounded() {
    let (_t, s) = temp_live("pending-bounds");
    assert!(s.set_pending(0, vec![set_str(1, "name", "x")]).is_err());
    let many = vec![set_str(1, "tag", "x"); MAX_PENDING_EDGES + 1];
    assert!(s.set_pending(3, many).is_err());
    s.set_pending(3, vec![set_str(1, "name", "x")]).unwrap();
    s.set_pending(3, vec![]).unwrap();
    assert_eq!(s.pending_count(), 0);
}

/// Versions the horizon no longer needs go: a store reopened after commits
/// at 2..=4 (all older than any read of the new process) keeps, for each key
/// a commit at 5 rewrites, the version at 4, the new one and a marker where
/// the deleted ones began; a read at 5 sees the new list, one at 4 the old
/// one, one at 3 is refused.
#[test]
fn commits_prune_versions_below_the_horizon() {
    let t = TempDir::new("prune");
    {
        let s = new_live(t.path());
        let mut n = sp("n", ValType::Int);
        n.index = vec!["int".into()];
        alter_preds(&s, 1, vec![n]);
        for ts in 2..=4u64 {
            s.apply_mutations(ts, &[set_int(ts, "n", 7)]).unwrap();
        }
        // the index list of 7 has a version per commit
        let key = index_key(
            0,
            "n",
            &Tokenizer::Int.tokens(&7i64.to_le_bytes(), "").unwrap()[0],
        );
        assert!(raw_list(&s, &key, 2).is_some());
        s.close();
    }
    let s = LiveStore::open(t.path(), 1, false).unwrap();
    let before = s.inner().entries().unwrap();
    s.apply_mutations(5, &[set_int(5, "n", 7)]).unwrap();
    let token = Tokenizer::Int
        .tokens(&7i64.to_le_bytes(), "")
        .unwrap()
        .remove(0);
    let key = index_key(0, "n", &token);
    assert_eq!(index_uids(&s, "n", &token, 5), vec![2, 3, 4, 5]);
    assert_eq!(index_uids(&s, "n", &token, 4), vec![2, 3, 4]);
    // version 3 of the index list is gone, 2 is the marker of what went
    // (a read there is refused), 4 (the horizon's) stays
    let e = s.inner().get(&key, 3).err().unwrap();
    assert!(e.to_string().contains("no longer keeps"), "{e}");
    assert!(s.inner().get(&key, 1).unwrap().is_none());
    assert!(s.get_nodes(&[2], None, 3, 0).is_ok());
    // one data key and one index version added, one index version removed
    assert_eq!(s.inner().entries().unwrap(), before + 2 - 1);
    // a commit within the grace: the horizon is still 4, nothing more goes
    s.apply_mutations(6, &[set_int(6, "n", 7)]).unwrap();
    assert_eq!(s.inner().entries().unwrap(), before + 2 - 1 + 2);
    s.close();
}

/// What an open transaction reads stays while the cluster says it is open:
/// a value replaced after its start ts (3) and again, then a commit that
/// would drop the old versions; with the hold, a read at 3 still sees the
/// value of 2; without it, such a read is refused (never answered with less).
#[test]
fn the_oldest_open_start_ts_keeps_its_versions() {
    for held in [true, false] {
        let t = TempDir::new("hold");
        {
            let s = new_live(t.path());
            alter_preds(&s, 1, vec![sp("name", ValType::String)]);
            s.apply_mutations(2, &[set_str(1, "name", "a")]).unwrap();
            s.apply_mutations(4, &[set_str(1, "name", "b")]).unwrap();
            s.apply_mutations(5, &[set_str(1, "name", "c")]).unwrap();
            s.close();
        }
        // Reopened: every commit is settled, no read is running or lingering.
        let s = LiveStore::open(t.path(), 1, false).unwrap();
        s.hold_from(held.then_some(3));
        s.apply_mutations(6, &[set_str(1, "name", "d")]).unwrap();
        let at3 = s.get_nodes(&[1], Some(&["name".to_string()]), 3, 0);
        if held {
            assert_eq!(strings(&s, 1, "name", 3), vec!["a"]);
        } else {
            let e = at3.expect_err("the version of 3 was dropped");
            assert!(e.to_string().contains("no longer keeps"), "{e}");
        }
        assert_eq!(strings(&s, 1, "name", 6), vec!["d"]);
        s.close();
    }
}

/// The uid deltas of one key: (ts, user meta) of every version, newest first.
fn versions_of(s: &LiveStore, key: &[u8]) -> Vec<(u64, u8)> {
    s.inner()
        .raw_entries(key)
        .into_iter()
        .filter(|(k, _)| k.len() == key.len() + crate::store::mvcc::TS_LEN)
        .map(|(k, v)| (crate::store::mvcc::split_version_key(&k).unwrap().1, v[0]))
        .collect()
}

/// A big index list gets uid deltas, not a whole copy per commit: reads at
/// every ts (point reads and scans) see exactly the list a set would hold;
/// the deltas above a full version stay bounded (rolled up); a reopened
/// store prunes below the horizon but keeps every delta's full version.
#[test]
fn big_lists_take_uid_deltas_merged_at_read() {
    use crate::store::delta::max_chain;
    use crate::store::mvcc::USER_META_UID_DELTA;
    use std::collections::{BTreeMap, BTreeSet};
    let t = TempDir::new("delta");
    let token = Tokenizer::Int
        .tokens(&7i64.to_le_bytes(), "")
        .unwrap()
        .remove(0);
    let key = index_key(0, "n", &token);
    let mut want: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    let last = 240u64;
    {
        let s = new_live(t.path());
        let mut n = sp("n", ValType::Int);
        n.index = vec!["int".into()];
        alter_preds(&s, 1, vec![n]);
        let edges: Vec<Edge> = (1..=3000).map(|u| set_int(u, "n", 7)).collect();
        s.apply_mutations(2, &edges).unwrap();
        let mut set: BTreeSet<u64> = (1..=3000).collect();
        want.insert(2, set.clone());
        for ts in 3..=last {
            // one uid leaves the list of 7 (its value becomes 8), one joins
            s.apply_mutations(ts, &[set_int(ts, "n", 8), set_int(10_000 + ts, "n", 7)])
                .unwrap();
            set.remove(&ts);
            set.insert(10_000 + ts);
            want.insert(ts, set.clone());
        }
        for (&ts, w) in &want {
            let got = index_uids(&s, "n", &token, ts);
            assert_eq!(
                got,
                w.iter().copied().collect::<Vec<_>>(),
                "point read at {ts}"
            );
            let mut scanned = None;
            let prefix = super::keys::kind_prefix(0, "n", crate::format::keys::KIND_INDEX);
            s.inner()
                .scan(&prefix, ts, &mut |v| {
                    if v.key == key.as_slice() {
                        scanned = Some(BackupPostingList::decode(v.payload).unwrap().uids);
                    }
                    Ok(())
                })
                .unwrap();
            assert_eq!(scanned.as_ref(), Some(&got), "scan at {ts}");
        }
        let vs = versions_of(&s, &key);
        let deltas = vs.iter().filter(|v| v.1 == USER_META_UID_DELTA).count();
        let full = vs.len() - deltas;
        assert!(deltas > 100, "{deltas} deltas of {} versions", vs.len());
        assert!(full >= 2, "rolled up at least once: {full} full versions");
        let run = vs.iter().take_while(|v| v.1 == USER_META_UID_DELTA).count();
        assert!(
            run <= max_chain(4 * 3100),
            "{run} deltas above the newest full version"
        );
        s.close();
    }
    // Reopened, every version is below the horizon: a commit prunes the key
    // down to the chain its newest version needs.
    let s = LiveStore::open(t.path(), 1, false).unwrap();
    assert_eq!(
        s.meta().unwrap().format_version,
        crate::store::FORMAT_VERSION
    );
    s.apply_mutations(last + 1, &[set_int(20_000, "n", 7)])
        .unwrap();
    let mut w = want[&last].clone();
    w.insert(20_000);
    assert_eq!(
        index_uids(&s, "n", &token, last + 1),
        w.into_iter().collect::<Vec<_>>()
    );
    assert_eq!(
        index_uids(&s, "n", &token, last),
        want[&last].iter().copied().collect::<Vec<_>>()
    );
    let vs = versions_of(&s, &key);
    let chain = vs
        .iter()
        .skip(1)
        .take_while(|v| v.1 == USER_META_UID_DELTA)
        .count();
    // the new version, the deltas from the horizon's version down, their
    // full version, and the marker of what went
    assert_eq!(vs.len(), chain + 3, "{vs:?}");
    assert_eq!(vs.last().unwrap().1, crate::store::mvcc::USER_META_PRUNED);
    let e = s.inner().get(&key, vs.last().unwrap().0).err().unwrap();
    assert!(e.to_string().contains("no longer keeps"), "{e}");
    s.close();
}

/// A group of commits is applied as if one by one; a commit that cannot be
/// applied (here: its ts goes back) fails alone, the others are written.
#[test]
fn a_commit_group_applies_in_order_and_fails_only_the_bad_commit() {
    let (_t, s) = temp_live("group");
    alter_preds(&s, 1, vec![sp("name", ValType::String)]);
    let (a, b, c) = (
        [set_str(1, "name", "a")],
        [set_str(1, "name", "b")],
        [set_str(2, "name", "c")],
    );
    let r = s.apply_mutations_group(&[(2, &a[..]), (3, &b[..])]);
    assert!(r.iter().all(|r| r.is_ok()), "{r:?}");
    assert_eq!(strings(&s, 1, "name", 2), vec!["a"]);
    assert_eq!(strings(&s, 1, "name", 3), vec!["b"]);
    let r = s.apply_mutations_group(&[(5, &c[..]), (4, &a[..]), (6, &a[..])]);
    assert_eq!(r[0].as_ref().ok(), Some(&1));
    let e = r[1].as_ref().unwrap_err();
    assert!(e.to_string().contains("must be applied in order"), "{e}");
    assert!(r[2].is_ok(), "{r:?}");
    assert_eq!(strings(&s, 2, "name", 5), vec!["c"]);
    assert_eq!(strings(&s, 1, "name", 5), vec!["b"]);
    assert_eq!(strings(&s, 1, "name", 6), vec!["a"]);
    assert_eq!(s.meta().unwrap().max_commit_ts, 6);
}
