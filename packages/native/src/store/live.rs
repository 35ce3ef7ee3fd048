//! The live posting store of an Alpha: schema changes (`alter`), mutations
//! with index / reverse / count maintenance, and the reads the query layer
//! needs (`get_nodes`, `has_predicate`, `eq`, `reverse`), over the MVCC
//! posting store of [`super::db`].
//!
//! Every write is one LMDB write transaction (fsynced on commit), serialised
//! by a mutex. Reads use their own read transactions and may run in parallel.

use super::db::{OpenOptions, PostingStore};
use super::error::{Result, StoreCode, StoreError};
use super::farm::fingerprint64;
use super::mvcc::{
    decode_value, encode_value, namespace_prefix, predicate_prefix, split_version_key, version_key,
    Drop, ValueKind,
};
use super::tokenize::{go_time_instant, term_words, Tokenizer};
use crate::export::{ExportOutput, Exporter};
use crate::format::keys::{
    parse_key, KIND_COUNT, KIND_COUNT_REV, KIND_DATA, KIND_INDEX, KIND_REVERSE, PREFIX_DEFAULT,
    PREFIX_SCHEMA, PREFIX_TYPE,
};
use crate::format::proto::{
    decode_uid_bytes, BackupPostingList, Directive, Facet, Posting, PostingType, SchemaUpdate,
    TypeUpdate, ValType,
};
use heed::types::Bytes;
use heed::Database;
use prost::Message;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

/// One predicate of the schema (the JS `SchemaPredicate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaPredicate {
    pub predicate: String,
    pub namespace: u64,
    pub value_type: ValType,
    pub list: bool,
    /// Tokenizer names.
    pub index: Vec<String>,
    pub reverse: bool,
    pub count: bool,
    pub upsert: bool,
    pub lang: bool,
    pub unique: bool,
    pub noconflict: bool,
}

impl SchemaPredicate {
    pub fn new(predicate: &str, value_type: ValType) -> Self {
        SchemaPredicate {
            predicate: predicate.to_string(),
            namespace: 0,
            value_type,
            list: false,
            index: vec![],
            reverse: false,
            count: false,
            upsert: false,
            lang: false,
            unique: false,
            noconflict: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDef {
    pub name: String,
    pub namespace: u64,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AlterRequest {
    pub predicates: Vec<SchemaPredicate>,
    pub types: Vec<TypeDef>,
    pub drop_all: bool,
    pub drop_data: bool,
    pub drop_attr: Option<String>,
    pub drop_type: Option<String>,
    pub namespace: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeOp {
    Set,
    Del,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetInput {
    pub key: String,
    pub value: Vec<u8>,
    /// Facet enum: STRING=0 INT=1 FLOAT=2 BOOL=3 DATETIME=4.
    pub val_type: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub op: EdgeOp,
    pub subject: u64,
    pub predicate: String,
    pub namespace: u64,
    pub object_uid: Option<u64>,
    pub value: Option<Vec<u8>>,
    pub val_type: Option<i32>,
    pub lang: String,
    pub star: bool,
    pub facets: Vec<FacetInput>,
}

impl Edge {
    pub fn set_uid(subject: u64, predicate: &str, object: u64) -> Self {
        Edge {
            op: EdgeOp::Set,
            subject,
            predicate: predicate.into(),
            namespace: 0,
            object_uid: Some(object),
            value: None,
            val_type: None,
            lang: String::new(),
            star: false,
            facets: vec![],
        }
    }
    pub fn set_value(subject: u64, predicate: &str, value: &[u8], val_type: ValType) -> Self {
        Edge {
            object_uid: None,
            value: Some(value.to_vec()),
            val_type: Some(val_type as i32),
            ..Edge::set_uid(subject, predicate, 0)
        }
    }
    pub fn del(mut self) -> Self {
        self.op = EdgeOp::Del;
        self
    }
    pub fn del_star(subject: u64, predicate: &str) -> Self {
        Edge {
            op: EdgeOp::Del,
            object_uid: None,
            star: true,
            ..Edge::set_uid(subject, predicate, 0)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FactValue {
    pub value: Vec<u8>,
    pub val_type: i32,
    pub lang: String,
    pub facets: Vec<Facet>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PredicateFacts {
    pub predicate: String,
    pub uids: Vec<u64>,
    pub values: Vec<FactValue>,
    pub uid_facets: Vec<(u64, Vec<Facet>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeFacts {
    pub uid: u64,
    pub predicates: Vec<PredicateFacts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveMeta {
    pub group: u32,
    pub max_commit_ts: u64,
    pub max_uid: u64,
    pub format_version: u64,
}

// ---------------------------------------------------------------- keys

fn pred_prefix(ns: u64, attr: &str) -> Vec<u8> {
    predicate_prefix(PREFIX_DEFAULT, ns, attr.as_bytes())
}

fn kind_prefix(ns: u64, attr: &str, kind: u8) -> Vec<u8> {
    let mut k = pred_prefix(ns, attr);
    k.push(kind);
    k
}

pub fn data_key(ns: u64, attr: &str, uid: u64) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, KIND_DATA);
    k.extend_from_slice(&uid.to_be_bytes());
    k
}

pub fn index_key(ns: u64, attr: &str, token: &[u8]) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, KIND_INDEX);
    k.extend_from_slice(token);
    k
}

pub fn reverse_key(ns: u64, attr: &str, object: u64) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, KIND_REVERSE);
    k.extend_from_slice(&object.to_be_bytes());
    k
}

pub fn count_key(ns: u64, attr: &str, n: u32, rev: bool) -> Vec<u8> {
    let mut k = kind_prefix(ns, attr, if rev { KIND_COUNT_REV } else { KIND_COUNT });
    k.extend_from_slice(&n.to_be_bytes());
    k
}

pub fn schema_key(ns: u64, attr: &str) -> Vec<u8> {
    predicate_prefix(PREFIX_SCHEMA, ns, attr.as_bytes())
}

pub fn type_key(ns: u64, name: &str) -> Vec<u8> {
    predicate_prefix(PREFIX_TYPE, ns, name.as_bytes())
}

/// v21.03 in-value name: 8-byte BE namespace then the name.
fn ns_attr(ns: u64, name: &str) -> String {
    let mut b = ns.to_be_bytes().to_vec();
    b.extend_from_slice(name.as_bytes());
    // Namespace bytes are not necessarily UTF-8 (ns >= 0x80 in a byte).
    String::from_utf8(b).unwrap_or_else(|_| name.to_string())
}

fn strip_ns(name: &str) -> &str {
    let b = name.as_bytes();
    if b.len() > 8 && b[0] == 0 && name.is_char_boundary(8) {
        &name[8..]
    } else {
        name
    }
}

// ---------------------------------------------------------------- schema

fn val_type_of(v: i32) -> ValType {
    ValType::try_from(v).unwrap_or(ValType::Default)
}

fn parse_tokenizers(names: &[String]) -> std::result::Result<Vec<Tokenizer>, String> {
    let mut out: Vec<Tokenizer> = names
        .iter()
        .map(|n| Tokenizer::parse(n))
        .collect::<std::result::Result<_, _>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Checks a schema entry like Dgraph's schema parser; returns its tokenizers.
fn validate(sp: &SchemaPredicate) -> Result<Vec<Tokenizer>> {
    let p = &sp.predicate;
    let bad = |m: String| StoreError::invalid(m);
    if p.is_empty() {
        return Err(bad("predicate name must not be empty".into()));
    }
    if matches!(
        sp.value_type,
        ValType::Object | ValType::Bigfloat | ValType::Vfloat
    ) {
        return Err(bad(format!(
            "predicate {p}: type {} is not supported",
            sp.value_type.schema_name()
        )));
    }
    let toks = parse_tokenizers(&sp.index).map_err(|e| bad(format!("predicate {p}: {e}")))?;
    for t in &toks {
        if t.value_type() != sp.value_type {
            return Err(bad(format!(
                "predicate {p}: tokenizer {} needs type {}, but the predicate is of type {}",
                t.name(),
                t.value_type().schema_name(),
                sp.value_type.schema_name()
            )));
        }
    }
    if sp.reverse && sp.value_type != ValType::Uid {
        return Err(bad(format!(
            "predicate {p}: @reverse is only allowed on uid predicates"
        )));
    }
    if sp.lang && sp.value_type != ValType::String {
        return Err(bad(format!(
            "predicate {p}: @lang is only allowed on string predicates"
        )));
    }
    if sp.upsert && toks.is_empty() {
        return Err(bad(format!(
            "predicate {p}: @upsert needs an index (@index(...))"
        )));
    }
    if sp.unique && toks.is_empty() {
        return Err(bad(format!(
            "predicate {p}: @unique needs an index (@index(...))"
        )));
    }
    Ok(toks)
}

fn to_update(sp: &SchemaPredicate, toks: &[Tokenizer]) -> SchemaUpdate {
    let directive = if !toks.is_empty() {
        Directive::Index
    } else if sp.reverse {
        Directive::Reverse
    } else {
        Directive::None
    };
    SchemaUpdate {
        predicate: ns_attr(sp.namespace, &sp.predicate),
        value_type: sp.value_type as i32,
        directive: directive as i32,
        tokenizer: toks.iter().map(|t| t.name().to_string()).collect(),
        count: sp.count,
        list: sp.list,
        upsert: sp.upsert,
        lang: sp.lang,
        no_conflict: sp.noconflict,
        unique: sp.unique,
        ..Default::default()
    }
}

fn from_update(ns: u64, attr: &str, su: &SchemaUpdate) -> SchemaPredicate {
    let mut index = su.tokenizer.clone();
    index.sort_unstable();
    index.dedup();
    SchemaPredicate {
        predicate: attr.to_string(),
        namespace: ns,
        value_type: val_type_of(su.value_type),
        list: su.list,
        index,
        reverse: su.directive == Directive::Reverse as i32,
        count: su.count,
        upsert: su.upsert,
        lang: su.lang,
        unique: su.unique,
        noconflict: su.no_conflict,
    }
}

/// A loaded schema entry with its parsed tokenizers.
#[derive(Clone)]
struct Schema {
    su: SchemaUpdate,
    vt: ValType,
    toks: Vec<Tokenizer>,
}

impl Schema {
    fn new(su: SchemaUpdate) -> Self {
        // Tokenizers this build cannot compute (e.g. restored fulltext) are
        // left out of maintenance.
        let toks = su
            .tokenizer
            .iter()
            .filter_map(|n| Tokenizer::parse(n).ok())
            .collect();
        Schema {
            vt: val_type_of(su.value_type),
            su,
            toks,
        }
    }
    fn reverse(&self) -> bool {
        self.su.directive == Directive::Reverse as i32
    }
}

// ---------------------------------------------------------------- lists

fn decode_list(payload: &[u8]) -> Result<BackupPostingList> {
    let mut pl = BackupPostingList::decode(payload)
        .map_err(|e| StoreError::corrupt(format!("bad posting list in the store: {e}")))?;
    if pl.uids.is_empty() && !pl.uid_bytes.is_empty() {
        pl.uids = decode_uid_bytes(&pl.uid_bytes)
            .map_err(|e| StoreError::corrupt(format!("bad uid_bytes in the store: {e}")))?;
        pl.uid_bytes.clear();
    }
    Ok(pl)
}

fn read_list(
    store: &PostingStore,
    txn: &heed::RoTxn,
    key: &[u8],
    read_ts: u64,
) -> Result<BackupPostingList> {
    match store.get_in(txn, key, read_ts)? {
        None => Ok(BackupPostingList::default()),
        Some((ValueKind::PostingList, _, p)) => decode_list(&p),
        Some(_) => Err(StoreError::corrupt("schema value under a data key")),
    }
}

fn write_list(
    store: &PostingStore,
    wtxn: &mut heed::RwTxn,
    key: &[u8],
    ts: u64,
    pl: &BackupPostingList,
) -> Result<()> {
    let v = if pl.uids.is_empty() && pl.postings.is_empty() {
        encode_value(ValueKind::Tombstone, &[])
    } else {
        encode_value(ValueKind::PostingList, &pl.encode_to_vec())
    };
    store
        .postings_db()
        .put(wtxn, &version_key(key, ts), &v)
        .map_err(|e| match e {
            heed::Error::Mdb(heed::MdbError::BadValSize) => StoreError::invalid(format!(
                "key of {} bytes is longer than the store allows ({})",
                key.len(),
                store.max_key_len()
            )),
            e => e.into(),
        })
}

fn uid_list(uids: Vec<u64>) -> BackupPostingList {
    BackupPostingList {
        uids,
        ..Default::default()
    }
}

/// Called with (key, payload) of each visible version; false stops.
type VisitFn<'a> = dyn FnMut(&[u8], &[u8]) -> Result<bool> + 'a;

/// Visible (newest <= read_ts, not a tombstone) versions of the keys in
/// `[start, ..)` that start with `prefix`, in key order; `f` returns false
/// to stop.
fn scan_visible(
    db: Database<Bytes, Bytes>,
    txn: &heed::RoTxn,
    prefix: &[u8],
    start: &[u8],
    read_ts: u64,
    f: &mut VisitFn<'_>,
) -> Result<()> {
    let range = (Bound::Included(start), Bound::Unbounded);
    let mut done: Option<Vec<u8>> = None;
    for item in db.range(txn, &range)? {
        let (k, v) = item?;
        if !k.starts_with(prefix) {
            break;
        }
        let (key, ts) = split_version_key(k)
            .ok_or_else(|| StoreError::corrupt("store key shorter than its version"))?;
        if ts > read_ts || done.as_deref() == Some(key) {
            continue;
        }
        done = Some(key.to_vec());
        let (kind, payload) = decode_value(v)
            .ok_or_else(|| StoreError::corrupt("bad user_meta byte in the store"))?;
        if kind == ValueKind::Tombstone {
            continue;
        }
        if !f(key, payload)? {
            break;
        }
    }
    Ok(())
}

fn be_u64(b: &[u8]) -> u64 {
    u64::from_be_bytes(b.try_into().expect("8 bytes"))
}

/// The objects of a list split by kind (spec §7.1).
fn uid_edges(pl: &BackupPostingList) -> BTreeSet<u64> {
    let values: BTreeSet<u64> = pl
        .postings
        .iter()
        .filter(|p| !is_ref(p))
        .map(|p| p.uid)
        .collect();
    pl.uids
        .iter()
        .copied()
        .filter(|u| !values.contains(u))
        .collect()
}

fn is_ref(p: &Posting) -> bool {
    p.posting_type == PostingType::Ref as i32
        && (p.val_type == ValType::Uid as i32 || p.val_type == ValType::Default as i32)
        && p.value.is_empty()
}

fn value_tokens(schema: &Schema, pl: &BackupPostingList) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    for p in pl.postings.iter().filter(|p| !is_ref(p)) {
        let lang = String::from_utf8_lossy(&p.lang_tag);
        for t in &schema.toks {
            out.extend(t.tokens(&p.value, &lang));
        }
    }
    out
}

/// Equality of two values of one type (datetimes compare as instants).
fn value_eq(vt: ValType, a: &[u8], b: &[u8]) -> bool {
    match vt {
        ValType::Datetime => go_time_instant(a) == go_time_instant(b),
        ValType::Bool => a.first().copied().unwrap_or(0) == b.first().copied().unwrap_or(0),
        _ => a == b,
    }
}

fn facets_of(input: &[FacetInput]) -> Result<Vec<Facet>> {
    let mut out: Vec<Facet> = Vec::with_capacity(input.len());
    for f in input {
        if f.key.is_empty() {
            return Err(StoreError::invalid("facet key must not be empty"));
        }
        if !(0..=4).contains(&f.val_type) {
            return Err(StoreError::invalid(format!(
                "facet {}: valType {} is not one of STRING=0 INT=1 FLOAT=2 BOOL=3 DATETIME=4",
                f.key, f.val_type
            )));
        }
        let tokens = if f.val_type == 0 {
            term_words(&String::from_utf8_lossy(&f.value), "")
                .into_iter()
                .map(|w| format!("\u{1}{w}"))
                .collect()
        } else {
            vec![]
        };
        out.push(Facet {
            key: f.key.clone(),
            value: f.value.clone(),
            val_type: f.val_type,
            tokens,
            alias: String::new(),
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out.dedup_by(|a, b| a.key == b.key);
    Ok(out)
}

/// Set/remove changes of derived uid lists: key -> subject -> present.
type Changes = BTreeMap<Vec<u8>, BTreeMap<u64, bool>>;

fn apply_changes(list: &mut Vec<u64>, ch: &BTreeMap<u64, bool>) {
    let mut set: BTreeSet<u64> = list.iter().copied().collect();
    for (&u, &on) in ch {
        if on {
            set.insert(u);
        } else {
            set.remove(&u);
        }
    }
    *list = set.into_iter().collect();
}

// ---------------------------------------------------------------- store

pub struct LiveStore {
    store: PostingStore,
    write: Mutex<()>,
}

impl LiveStore {
    /// Opens the store in `dir` (or creates it when `create` and the folder
    /// does not exist or is empty). A store of another group, of a newer
    /// format, or of an unfinished restore is refused.
    pub fn open(dir: &Path, group: u32, create: bool) -> Result<Self> {
        let exists = dir.join("data.mdb").is_file();
        let store = if !exists && create {
            let s = PostingStore::open(
                dir,
                &OpenOptions {
                    create: true,
                    group: Some(group),
                    map_size: None,
                },
            )?;
            let mut m = s.meta()?;
            m.complete = true;
            s.set_meta(&m)?;
            s
        } else {
            PostingStore::open(
                dir,
                &OpenOptions {
                    create: false,
                    group: Some(group),
                    map_size: None,
                },
            )?
        };
        if !store.meta()?.complete {
            return Err(StoreError::new(
                StoreCode::Incomplete,
                format!(
                    "{} holds an unfinished restore: restore again into an empty folder",
                    dir.display()
                ),
            ));
        }
        Ok(LiveStore {
            store,
            write: Mutex::new(()),
        })
    }

    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    pub fn inner(&self) -> &PostingStore {
        &self.store
    }

    /// Closes the LMDB environment (waits until it is released).
    pub fn close(self) {
        self.store.close();
    }

    pub fn meta(&self) -> Result<LiveMeta> {
        let m = self.store.meta()?;
        Ok(LiveMeta {
            group: m.group,
            max_commit_ts: m.read_ts,
            max_uid: m.max_uid,
            format_version: m.format_version,
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, ()>> {
        // The guard protects no data: a panic in an earlier writer leaves
        // nothing inconsistent (its transaction was aborted).
        Ok(self.write.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn check_ts(&self, txn: &heed::RoTxn, commit_ts: u64) -> Result<()> {
        let _ = txn;
        if commit_ts == 0 || commit_ts == u64::MAX {
            return Err(StoreError::invalid("commitTs must be in 1..2^64-1"));
        }
        let m = self.store.meta()?;
        if commit_ts < m.read_ts {
            return Err(StoreError::invalid(format!(
                "commitTs {commit_ts} is older than the store's maxCommitTs {}: commits must be applied in order",
                m.read_ts
            )));
        }
        Ok(())
    }

    fn load_schema(
        &self,
        txn: &heed::RoTxn,
        ns: u64,
        attr: &str,
        ts: u64,
    ) -> Result<Option<Schema>> {
        match self.store.get_in(txn, &schema_key(ns, attr), ts)? {
            Some((ValueKind::Schema, _, p)) => {
                let su = SchemaUpdate::decode(&p[..])
                    .map_err(|e| StoreError::corrupt(format!("bad schema entry of {attr}: {e}")))?;
                Ok(Some(Schema::new(su)))
            }
            Some(_) => Err(StoreError::corrupt(format!("bad schema key of {attr}"))),
            None => Ok(None),
        }
    }

    fn bump_meta(&self, wtxn: &mut heed::RwTxn, commit_ts: u64, max_uid: u64) -> Result<()> {
        let mut m = self.store.meta()?;
        m.read_ts = m.read_ts.max(commit_ts);
        m.max_uid = m.max_uid.max(max_uid);
        self.store.put_meta(wtxn, &m)
    }

    // ------------------------------------------------------------ schema

    /// The schema at `read_ts` (predicates sorted by namespace and name,
    /// then types).
    pub fn get_schema(&self, read_ts: u64) -> Result<(Vec<SchemaPredicate>, Vec<TypeDef>)> {
        let mut preds = Vec::new();
        let mut types = Vec::new();
        self.store.scan(&[PREFIX_SCHEMA], read_ts, &mut |v| {
            let pk = parse_key(v.key, true)?;
            let su = SchemaUpdate::decode(v.payload)
                .map_err(|e| StoreError::corrupt(format!("bad schema entry: {e}")))?;
            preds.push(from_update(
                pk.namespace,
                &String::from_utf8_lossy(&pk.attr),
                &su,
            ));
            Ok(())
        })?;
        self.store.scan(&[PREFIX_TYPE], read_ts, &mut |v| {
            let pk = parse_key(v.key, true)?;
            let tu = TypeUpdate::decode(v.payload)
                .map_err(|e| StoreError::corrupt(format!("bad type entry: {e}")))?;
            types.push(TypeDef {
                name: String::from_utf8_lossy(&pk.attr).into_owned(),
                namespace: pk.namespace,
                fields: tu
                    .fields
                    .iter()
                    .map(|f| strip_ns(&f.predicate).to_string())
                    .collect(),
            });
            Ok(())
        })?;
        Ok((preds, types))
    }

    fn drop_in(&self, wtxn: &mut heed::RwTxn, d: &Drop) -> Result<()> {
        for p in d.prefixes() {
            if p.is_empty() {
                self.store.postings_db().clear(wtxn)?;
            } else {
                self.store.delete_prefix_in(wtxn, &p)?;
            }
        }
        Ok(())
    }

    /// Applies a schema change at `commit_ts` (one fsynced transaction):
    /// drops first, then predicates (rebuilding or deleting derived keys
    /// whose directives changed), then types.
    pub fn alter(&self, commit_ts: u64, req: &AlterRequest) -> Result<()> {
        // Validate everything before writing anything.
        let mut checked = Vec::with_capacity(req.predicates.len());
        for sp in &req.predicates {
            checked.push((sp, validate(sp)?));
        }
        for t in &req.types {
            if t.name.is_empty() {
                return Err(StoreError::invalid("type name must not be empty"));
            }
        }
        let _g = self.lock()?;
        let mut wtxn = self.store.env().write_txn()?;
        self.check_ts(&wtxn, commit_ts)?;
        let ns = req.namespace;
        if req.drop_all {
            self.drop_in(&mut wtxn, &Drop::All)?;
        }
        if req.drop_data {
            self.drop_in(&mut wtxn, &Drop::Data(Some(ns)))?;
        }
        if let Some(attr) = req.drop_attr.as_deref().filter(|a| !a.is_empty()) {
            self.drop_in(
                &mut wtxn,
                &Drop::Attr {
                    ns,
                    attr: attr.as_bytes().to_vec(),
                },
            )?;
            self.store
                .delete_prefix_in(&mut wtxn, &schema_key(ns, attr))?;
        }
        if let Some(t) = req.drop_type.as_deref().filter(|a| !a.is_empty()) {
            self.store.delete_prefix_in(&mut wtxn, &type_key(ns, t))?;
        }
        for (sp, toks) in checked {
            self.alter_predicate(&mut wtxn, commit_ts, sp, &toks)?;
        }
        for t in &req.types {
            let tu = TypeUpdate {
                type_name: ns_attr(t.namespace, &t.name),
                fields: t
                    .fields
                    .iter()
                    .map(|f| SchemaUpdate {
                        predicate: ns_attr(t.namespace, f),
                        ..Default::default()
                    })
                    .collect(),
            };
            let v = encode_value(ValueKind::Schema, &tu.encode_to_vec());
            self.store.postings_db().put(
                &mut wtxn,
                &version_key(&type_key(t.namespace, &t.name), commit_ts),
                &v,
            )?;
        }
        self.bump_meta(&mut wtxn, commit_ts, 0)?;
        wtxn.commit()?;
        Ok(())
    }

    fn has_data(&self, txn: &heed::RoTxn, ns: u64, attr: &str, ts: u64) -> Result<bool> {
        let p = kind_prefix(ns, attr, KIND_DATA);
        let mut found = false;
        scan_visible(self.store.postings_db(), txn, &p, &p, ts, &mut |_, _| {
            found = true;
            Ok(false)
        })?;
        Ok(found)
    }

    fn alter_predicate(
        &self,
        wtxn: &mut heed::RwTxn,
        ts: u64,
        sp: &SchemaPredicate,
        toks: &[Tokenizer],
    ) -> Result<()> {
        let (ns, attr) = (sp.namespace, sp.predicate.as_str());
        let old = self.load_schema(wtxn, ns, attr, ts)?;
        let new = Schema::new(to_update(sp, toks));
        if let Some(o) = &old {
            if (o.vt != new.vt || o.su.list != new.su.list) && self.has_data(wtxn, ns, attr, ts)? {
                let show = |s: &Schema| {
                    let n = s.vt.schema_name();
                    if s.su.list {
                        format!("[{n}]")
                    } else {
                        n.to_string()
                    }
                };
                return Err(StoreError::invalid(format!(
                    "cannot change predicate {attr} from {} to {} while it has data: drop its data first (dropAttr)",
                    show(o),
                    show(&new)
                )));
            }
        }
        let v = encode_value(ValueKind::Schema, &new.su.encode_to_vec());
        self.store
            .postings_db()
            .put(wtxn, &version_key(&schema_key(ns, attr), ts), &v)?;

        let old_toks: Vec<Tokenizer> = old.as_ref().map(|o| o.toks.clone()).unwrap_or_default();
        let old_rev = old.as_ref().is_some_and(|o| o.reverse());
        let old_count = old.as_ref().is_some_and(|o| o.su.count);
        let idx_changed = old_toks != new.toks;
        let rev_changed = old_rev != new.reverse();
        let count_changed = old_count != new.su.count;
        if idx_changed {
            self.store
                .delete_prefix_in(wtxn, &kind_prefix(ns, attr, KIND_INDEX))?;
        }
        if rev_changed {
            self.store
                .delete_prefix_in(wtxn, &kind_prefix(ns, attr, KIND_REVERSE))?;
        }
        if count_changed {
            self.store
                .delete_prefix_in(wtxn, &kind_prefix(ns, attr, KIND_COUNT))?;
        }
        if rev_changed || count_changed {
            self.store
                .delete_prefix_in(wtxn, &kind_prefix(ns, attr, KIND_COUNT_REV))?;
        }
        let need_idx = idx_changed && !new.toks.is_empty();
        let need_rev = rev_changed && new.reverse();
        let need_count = count_changed && new.su.count;
        let need_count_rev = (rev_changed || count_changed) && new.reverse() && new.su.count;
        if !(need_idx || need_rev || need_count || need_count_rev) {
            return Ok(());
        }
        // Rebuild from the data visible at `ts`.
        let mut index: BTreeMap<Vec<u8>, Vec<u64>> = BTreeMap::new();
        let mut rev: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        let mut counts: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
        let p = kind_prefix(ns, attr, KIND_DATA);
        let plen = p.len();
        scan_visible(
            self.store.postings_db(),
            wtxn,
            &p,
            &p,
            ts,
            &mut |k, payload| {
                if k.len() != plen + 8 {
                    return Ok(true);
                }
                let subject = be_u64(&k[plen..]);
                let pl = decode_list(payload)?;
                if need_idx {
                    for t in value_tokens(&new, &pl) {
                        index.entry(t).or_default().push(subject);
                    }
                }
                if need_rev || need_count_rev {
                    for o in uid_edges(&pl) {
                        rev.entry(o).or_default().push(subject);
                    }
                }
                if need_count && !pl.uids.is_empty() {
                    counts
                        .entry(pl.uids.len() as u32)
                        .or_default()
                        .push(subject);
                }
                Ok(true)
            },
        )?;
        // Subjects arrive in ascending order, so every list is sorted.
        for (t, uids) in index {
            write_list(
                &self.store,
                wtxn,
                &index_key(ns, attr, &t),
                ts,
                &uid_list(uids),
            )?;
        }
        let mut rev_counts: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
        for (o, subjects) in rev {
            if need_count_rev {
                rev_counts.entry(subjects.len() as u32).or_default().push(o);
            }
            if need_rev {
                write_list(
                    &self.store,
                    wtxn,
                    &reverse_key(ns, attr, o),
                    ts,
                    &uid_list(subjects),
                )?;
            }
        }
        for (n, uids) in counts {
            write_list(
                &self.store,
                wtxn,
                &count_key(ns, attr, n, false),
                ts,
                &uid_list(uids),
            )?;
        }
        for (n, uids) in rev_counts {
            write_list(
                &self.store,
                wtxn,
                &count_key(ns, attr, n, true),
                ts,
                &uid_list(uids),
            )?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ mutations

    /// Applies edges at `commit_ts` in one fsynced transaction; returns the
    /// number of keys written (data and derived).
    pub fn apply_mutations(&self, commit_ts: u64, edges: &[Edge]) -> Result<u64> {
        for (i, e) in edges.iter().enumerate() {
            let bad = |m: &str| Err(StoreError::invalid(format!("edges[{i}]: {m}")));
            if e.predicate.is_empty() {
                return bad("predicate must not be empty");
            }
            if e.subject == 0 {
                return bad("subject must not be 0");
            }
            if e.object_uid == Some(0) {
                return bad("objectUid must not be 0");
            }
            if e.star {
                if e.op == EdgeOp::Set {
                    return bad("star is only allowed with op 'del'");
                }
            } else if e.object_uid.is_some() == e.value.is_some() {
                return bad("give exactly one of objectUid and value (or star for a delete)");
            }
            if e.value.is_some() && e.val_type.is_none() {
                return bad("a value needs its valType");
            }
        }
        let _g = self.lock()?;
        let mut wtxn = self.store.env().write_txn()?;
        self.check_ts(&wtxn, commit_ts)?;
        let store = &self.store;

        let mut groups: BTreeMap<(u64, &str, u64), Vec<&Edge>> = BTreeMap::new();
        for e in edges {
            groups
                .entry((e.namespace, e.predicate.as_str(), e.subject))
                .or_default()
                .push(e);
        }
        let mut schemas: HashMap<(u64, String), Schema> = HashMap::new();
        let mut derived: Changes = BTreeMap::new();
        // (ns, attr, object) -> subject changes, for reverse (+ count_rev)
        let mut rev: BTreeMap<(u64, String, u64), BTreeMap<u64, bool>> = BTreeMap::new();
        let mut keys = 0u64;
        let mut max_uid = 0u64;

        for ((ns, attr, subject), es) in groups {
            max_uid = max_uid.max(subject);
            let skey = (ns, attr.to_string());
            if !schemas.contains_key(&skey) {
                match self.load_schema(&wtxn, ns, attr, commit_ts)? {
                    Some(s) => {
                        schemas.insert(skey.clone(), s);
                    }
                    None => {
                        // Dgraph creates a schema entry for a new predicate:
                        // [uid] for uid edges, else the value's type.
                        let Some(first) = es.iter().find(|e| !e.star) else {
                            continue; // only star deletes of an unknown predicate
                        };
                        let mut sp = if first.object_uid.is_some() {
                            let mut sp = SchemaPredicate::new(attr, ValType::Uid);
                            sp.list = true;
                            sp
                        } else {
                            SchemaPredicate::new(attr, val_type_of(first.val_type.unwrap_or(0)))
                        };
                        sp.namespace = ns;
                        sp.lang = sp.value_type == ValType::String
                            && es.iter().any(|e| !e.lang.is_empty());
                        let su = to_update(&sp, &[]);
                        let v = encode_value(ValueKind::Schema, &su.encode_to_vec());
                        store.postings_db().put(
                            &mut wtxn,
                            &version_key(&schema_key(ns, attr), commit_ts),
                            &v,
                        )?;
                        keys += 1;
                        schemas.insert(skey.clone(), Schema::new(su));
                    }
                }
            }
            let schema = &schemas[&skey];
            let dkey = data_key(ns, attr, subject);
            let old = read_list(store, &wtxn, &dkey, commit_ts)?;
            let mut plain: BTreeSet<u64> = uid_edges(&old);
            let mut postings: BTreeMap<u64, Posting> = BTreeMap::new();
            for p in &old.postings {
                plain.remove(&p.uid);
                postings.insert(p.uid, p.clone());
            }
            for e in es {
                self.apply_edge(schema, attr, commit_ts, e, &mut plain, &mut postings)?;
                if let Some(o) = e.object_uid {
                    max_uid = max_uid.max(o);
                }
            }
            let mut uids: BTreeSet<u64> = plain;
            uids.extend(postings.keys().copied());
            let new = BackupPostingList {
                uids: uids.into_iter().collect(),
                postings: postings.into_values().collect(),
                ..Default::default()
            };
            if new.uids == old.uids && new.postings == old.postings {
                continue;
            }
            write_list(store, &mut wtxn, &dkey, commit_ts, &new)?;
            keys += 1;

            if !schema.toks.is_empty() {
                let (ot, nt) = (value_tokens(schema, &old), value_tokens(schema, &new));
                for t in ot.difference(&nt) {
                    derived
                        .entry(index_key(ns, attr, t))
                        .or_default()
                        .insert(subject, false);
                }
                for t in nt.difference(&ot) {
                    derived
                        .entry(index_key(ns, attr, t))
                        .or_default()
                        .insert(subject, true);
                }
            }
            if schema.reverse() {
                let (oe, ne) = (uid_edges(&old), uid_edges(&new));
                for o in oe.difference(&ne) {
                    rev.entry((ns, attr.to_string(), *o))
                        .or_default()
                        .insert(subject, false);
                }
                for o in ne.difference(&oe) {
                    rev.entry((ns, attr.to_string(), *o))
                        .or_default()
                        .insert(subject, true);
                }
            }
            if schema.su.count && old.uids.len() != new.uids.len() {
                if !old.uids.is_empty() {
                    derived
                        .entry(count_key(ns, attr, old.uids.len() as u32, false))
                        .or_default()
                        .insert(subject, false);
                }
                if !new.uids.is_empty() {
                    derived
                        .entry(count_key(ns, attr, new.uids.len() as u32, false))
                        .or_default()
                        .insert(subject, true);
                }
            }
        }

        for ((ns, attr, object), ch) in rev {
            let key = reverse_key(ns, &attr, object);
            let mut pl = read_list(store, &wtxn, &key, commit_ts)?;
            let before = pl.uids.len();
            apply_changes(&mut pl.uids, &ch);
            write_list(
                store,
                &mut wtxn,
                &key,
                commit_ts,
                &uid_list(pl.uids.clone()),
            )?;
            keys += 1;
            let count = schemas.get(&(ns, attr.clone())).is_some_and(|s| s.su.count);
            if count && before != pl.uids.len() {
                if before > 0 {
                    derived
                        .entry(count_key(ns, &attr, before as u32, true))
                        .or_default()
                        .insert(object, false);
                }
                if !pl.uids.is_empty() {
                    derived
                        .entry(count_key(ns, &attr, pl.uids.len() as u32, true))
                        .or_default()
                        .insert(object, true);
                }
            }
        }
        for (key, ch) in derived {
            let mut pl = read_list(store, &wtxn, &key, commit_ts)?;
            let before = pl.uids.clone();
            apply_changes(&mut pl.uids, &ch);
            if pl.uids != before {
                write_list(store, &mut wtxn, &key, commit_ts, &uid_list(pl.uids))?;
                keys += 1;
            }
        }
        self.bump_meta(&mut wtxn, commit_ts, max_uid)?;
        wtxn.commit()?;
        Ok(keys)
    }

    fn apply_edge(
        &self,
        schema: &Schema,
        attr: &str,
        ts: u64,
        e: &Edge,
        plain: &mut BTreeSet<u64>,
        postings: &mut BTreeMap<u64, Posting>,
    ) -> Result<()> {
        let list = schema.su.list;
        let is_uid_pred = schema.vt == ValType::Uid;
        if e.star {
            plain.clear();
            postings.clear();
            return Ok(());
        }
        if let Some(o) = e.object_uid {
            if !is_uid_pred {
                return Err(StoreError::invalid(format!(
                    "predicate {attr} is of type {}: it cannot take a uid object",
                    schema.vt.schema_name()
                )));
            }
            match e.op {
                EdgeOp::Set => {
                    if !list {
                        plain.clear();
                        postings.clear();
                    }
                    if e.facets.is_empty() {
                        postings.remove(&o);
                        plain.insert(o);
                    } else {
                        plain.remove(&o);
                        postings.insert(
                            o,
                            Posting {
                                uid: o,
                                val_type: ValType::Uid as i32,
                                posting_type: PostingType::Ref as i32,
                                facets: facets_of(&e.facets)?,
                                op: 1,
                                start_ts: ts - 1,
                                commit_ts: ts,
                                ..Default::default()
                            },
                        );
                    }
                }
                EdgeOp::Del => {
                    plain.remove(&o);
                    postings.remove(&o);
                }
            }
            return Ok(());
        }
        let value = e.value.as_deref().unwrap_or_default();
        let vt = e.val_type.unwrap_or(0);
        if is_uid_pred {
            return Err(StoreError::invalid(format!(
                "predicate {attr} is of type uid: it cannot take a value"
            )));
        }
        if vt != schema.vt as i32 {
            return Err(StoreError::invalid(format!(
                "predicate {attr} is of type {}, the value is of type {} (convert it first)",
                schema.vt.schema_name(),
                val_type_of(vt).schema_name()
            )));
        }
        if !e.lang.is_empty() && !schema.su.lang {
            return Err(StoreError::invalid(format!(
                "predicate {attr} has no @lang directive: it cannot take the language-tagged value @{}",
                e.lang
            )));
        }
        let uid = if !e.lang.is_empty() {
            fingerprint64(e.lang.as_bytes())
        } else if list {
            fingerprint64(value)
        } else {
            u64::MAX
        };
        match e.op {
            EdgeOp::Set => {
                postings.insert(
                    uid,
                    Posting {
                        uid,
                        value: value.to_vec(),
                        val_type: vt,
                        posting_type: if e.lang.is_empty() {
                            PostingType::Value as i32
                        } else {
                            PostingType::ValueLang as i32
                        },
                        lang_tag: e.lang.as_bytes().to_vec(),
                        facets: facets_of(&e.facets)?,
                        op: 1,
                        start_ts: ts - 1,
                        commit_ts: ts,
                    },
                );
                plain.remove(&uid);
            }
            EdgeOp::Del => {
                if postings
                    .get(&uid)
                    .is_some_and(|p| !is_ref(p) && value_eq(schema.vt, &p.value, value))
                {
                    postings.remove(&uid);
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ reads

    /// The facts of each uid at `read_ts`: every predicate in `predicates`
    /// (or, when `None`, every predicate of the namespace's schema) that the
    /// node has. One entry per requested uid, in order.
    pub fn get_nodes(
        &self,
        uids: &[u64],
        predicates: Option<&[String]>,
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<NodeFacts>> {
        let rtxn = self.store.env().read_txn()?;
        let preds: Vec<String> = match predicates {
            Some(p) => p.to_vec(),
            None => {
                let mut out = Vec::new();
                let p = namespace_prefix(PREFIX_SCHEMA, ns);
                scan_visible(
                    self.store.postings_db(),
                    &rtxn,
                    &p,
                    &p,
                    read_ts,
                    &mut |k, _| {
                        out.push(String::from_utf8_lossy(&parse_key(k, true)?.attr).into_owned());
                        Ok(true)
                    },
                )?;
                out.sort_unstable();
                out
            }
        };
        let mut out = Vec::with_capacity(uids.len());
        for &uid in uids {
            let mut node = NodeFacts {
                uid,
                predicates: vec![],
            };
            for p in &preds {
                let pl = read_list(&self.store, &rtxn, &data_key(ns, p, uid), read_ts)?;
                if pl.uids.is_empty() && pl.postings.is_empty() {
                    continue;
                }
                let mut f = PredicateFacts {
                    predicate: p.clone(),
                    uids: uid_edges(&pl).into_iter().collect(),
                    ..Default::default()
                };
                for po in pl.postings {
                    if is_ref(&po) {
                        if !po.facets.is_empty() {
                            f.uid_facets.push((po.uid, po.facets));
                        }
                    } else {
                        f.values.push(FactValue {
                            value: po.value,
                            val_type: po.val_type,
                            lang: String::from_utf8_lossy(&po.lang_tag).into_owned(),
                            facets: po.facets,
                        });
                    }
                }
                node.predicates.push(f);
            }
            out.push(node);
        }
        Ok(out)
    }

    /// Subjects with a non-empty DATA list of `attr` at `read_ts`, ascending,
    /// strictly after `after`, at most `first`.
    pub fn has_predicate(
        &self,
        attr: &str,
        read_ts: u64,
        ns: u64,
        after: u64,
        first: Option<usize>,
    ) -> Result<Vec<u64>> {
        let rtxn = self.store.env().read_txn()?;
        let p = kind_prefix(ns, attr, KIND_DATA);
        let plen = p.len();
        let mut out = Vec::new();
        if after == u64::MAX || first == Some(0) {
            return Ok(out);
        }
        let start = data_key(ns, attr, after + 1);
        scan_visible(
            self.store.postings_db(),
            &rtxn,
            &p,
            &start,
            read_ts,
            &mut |k, _| {
                if k.len() == plen + 8 {
                    out.push(be_u64(&k[plen..]));
                }
                Ok(first.is_none_or(|n| out.len() < n))
            },
        )?;
        Ok(out)
    }

    fn schema_at(&self, txn: &heed::RoTxn, ns: u64, attr: &str, ts: u64) -> Result<Schema> {
        self.load_schema(txn, ns, attr, ts)?
            .ok_or_else(|| StoreError::invalid(format!("predicate {attr} is not in the schema")))
    }

    /// Subjects whose `attr` (untagged) value equals one of `values`
    /// (schema-typed binary), via the best equality index, ascending.
    pub fn eq(&self, attr: &str, values: &[Vec<u8>], read_ts: u64, ns: u64) -> Result<Vec<u64>> {
        let rtxn = self.store.env().read_txn()?;
        let schema = self.schema_at(&rtxn, ns, attr, read_ts)?;
        let order: &[Tokenizer] = match schema.vt {
            ValType::String | ValType::Default => {
                &[Tokenizer::Exact, Tokenizer::Hash, Tokenizer::Term]
            }
            ValType::Int => &[Tokenizer::Int],
            ValType::Float => &[Tokenizer::Float],
            ValType::Bool => &[Tokenizer::Bool],
            ValType::Datetime => &[
                Tokenizer::Hour,
                Tokenizer::Day,
                Tokenizer::Month,
                Tokenizer::Year,
            ],
            _ => &[],
        };
        let Some(tok) = order.iter().find(|t| schema.toks.contains(t)).copied() else {
            let names: Vec<&str> = order.iter().map(|t| t.name()).collect();
            return Err(StoreError::invalid(format!(
                "predicate {attr} needs an index for eq ({})",
                if names.is_empty() {
                    format!("type {} has no equality index", schema.vt.schema_name())
                } else {
                    names.join("/")
                }
            )));
        };
        let mut out = BTreeSet::new();
        for v in values {
            let tokens = tok.tokens(v, "");
            let mut cand: Option<BTreeSet<u64>> = None;
            for t in &tokens {
                let l: BTreeSet<u64> =
                    read_list(&self.store, &rtxn, &index_key(ns, attr, t), read_ts)?
                        .uids
                        .into_iter()
                        .collect();
                cand = Some(match cand {
                    None => l,
                    Some(c) => c.intersection(&l).copied().collect(),
                });
            }
            for s in cand.unwrap_or_default() {
                let pl = read_list(&self.store, &rtxn, &data_key(ns, attr, s), read_ts)?;
                if pl.postings.iter().any(|p| {
                    !is_ref(p) && p.lang_tag.is_empty() && value_eq(schema.vt, &p.value, v)
                }) {
                    out.insert(s);
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    /// For each object, the subjects pointing to it through `attr` (needs
    /// `@reverse`).
    pub fn reverse(
        &self,
        attr: &str,
        objects: &[u64],
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<(u64, Vec<u64>)>> {
        let rtxn = self.store.env().read_txn()?;
        let schema = self.schema_at(&rtxn, ns, attr, read_ts)?;
        if !schema.reverse() {
            return Err(StoreError::invalid(format!(
                "predicate {attr} has no @reverse index: add @reverse to its schema"
            )));
        }
        objects
            .iter()
            .map(|&o| {
                let pl = read_list(&self.store, &rtxn, &reverse_key(ns, attr, o), read_ts)?;
                Ok((o, pl.uids))
            })
            .collect()
    }

    /// Canonical RDF export of this store at `read_ts`.
    pub fn export_rdf(&self, read_ts: u64) -> Result<ExportOutput> {
        let mut ex = Exporter::default();
        ex.add_store(&self.store, read_ts)?;
        Ok(ex.finish())
    }
}
