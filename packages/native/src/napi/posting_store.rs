//! `PostingStore`: JS class over [`crate::store::live::LiveStore`]. Work runs
//! as AsyncTasks on the libuv pool; the store is shared by an `Arc` (reads
//! run in parallel, writers are serialised inside the store).

use super::errors::{data_key_of, invalid, no_panic, ns_of, opt_u64, store_err, u64_of, u64s_of};
use super::export::{ExportRdfOptions, ExportRdfResult, ExportStream};
use crate::export::stream::ExportSource;
use crate::format::proto::{Facet, ValType};
use crate::store::geo::{GeoFn, GeoQuery};
use crate::store::live::{self, AlterRequest, Edge, EdgeOp, HasOf, LiveStore};
use crate::store::regex::DqlRegex;
use crate::store::tokenize::Tokenizer;
use crate::store::StoreError;
use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, Either, Null, ToNapiValue, TypeName};
use napi::{Env, Task};
use napi_derive::napi;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const TYPES: &str =
    "'default' | 'binary' | 'int' | 'float' | 'bool' | 'datetime' | 'geo' | 'uid' | 'password' | 'string'";

fn parse_type(name: &str) -> napi::Result<ValType> {
    Ok(match name {
        "default" => ValType::Default,
        "binary" => ValType::Binary,
        "int" => ValType::Int,
        "float" => ValType::Float,
        "bool" => ValType::Bool,
        "datetime" => ValType::Datetime,
        "geo" => ValType::Geo,
        "uid" => ValType::Uid,
        "password" => ValType::Password,
        "string" => ValType::String,
        other => {
            return Err(invalid(format!(
                "valueType '{other}' is not one of {TYPES}"
            )))
        }
    })
}

#[napi(object)]
pub struct PostingStoreOptions {
    pub group: u32,
    /// Create the store when the folder does not exist or is empty.
    pub create: Option<bool>,
    /// The store's data key (32 bytes): the store is encrypted at rest with
    /// it. Absent: a plain store. A mismatch is `STORE_KEY_MISMATCH`.
    pub data_key: Option<Buffer>,
}

#[napi(object)]
pub struct PostingStoreMeta {
    pub group: u32,
    pub max_commit_ts: BigInt,
    pub max_uid: BigInt,
    pub format_version: u32,
}

#[napi(object)]
pub struct SchemaPredicate {
    pub predicate: String,
    pub namespace: Option<BigInt>,
    #[napi(
        ts_type = "'default' | 'binary' | 'int' | 'float' | 'bool' | 'datetime' | 'geo' | 'uid' | 'password' | 'string'"
    )]
    pub value_type: String,
    pub list: Option<bool>,
    /// Tokenizer names.
    pub index: Option<Vec<String>>,
    pub reverse: Option<bool>,
    pub count: Option<bool>,
    pub upsert: Option<bool>,
    pub lang: Option<bool>,
    pub unique: Option<bool>,
    pub noconflict: Option<bool>,
    /// Vector indexes of a predicate restored from Dgraph (read only).
    pub vector_indexes: Option<Vec<VectorIndex>>,
}

/// A vector index (`hnsw`) and its options, as Dgraph's `index_specs`.
#[napi(object)]
pub struct VectorIndex {
    pub name: String,
    pub options: Vec<VectorIndexOption>,
}

#[napi(object)]
pub struct VectorIndexOption {
    pub key: String,
    pub value: String,
}

#[napi(object)]
pub struct TypeDef {
    pub name: String,
    pub namespace: Option<BigInt>,
    pub fields: Vec<String>,
}

#[napi(object)]
pub struct SchemaResult {
    pub predicates: Vec<SchemaPredicate>,
    pub types: Vec<TypeDef>,
}

#[napi(object, js_name = "AlterRequest")]
pub struct AlterRequestJs {
    pub predicates: Option<Vec<SchemaPredicate>>,
    pub types: Option<Vec<TypeDef>>,
    pub drop_all: Option<bool>,
    pub drop_data: Option<bool>,
    pub drop_attr: Option<String>,
    pub drop_type: Option<String>,
    pub namespace: Option<BigInt>,
}

#[napi(object)]
pub struct FacetInput {
    pub key: String,
    pub value: Buffer,
    /// Facet enum: STRING=0 INT=1 FLOAT=2 BOOL=3 DATETIME=4.
    pub val_type: u32,
}

#[napi(object)]
pub struct EdgeMutation {
    #[napi(ts_type = "'set' | 'del'")]
    pub op: String,
    pub subject: BigInt,
    pub predicate: String,
    pub namespace: Option<BigInt>,
    pub object_uid: Option<BigInt>,
    /// Binary encoding of the schema type (spec §7.2).
    pub value: Option<Buffer>,
    /// ValType id (spec §6.7).
    pub val_type: Option<u32>,
    pub lang: Option<String>,
    /// `del <s> <p> *`.
    pub star: Option<bool>,
    pub facets: Option<Vec<FacetInput>>,
}

#[napi(object)]
pub struct ApplyResult {
    /// Keys written (data, index, reverse, count, auto-created schema).
    pub keys: u32,
}

/// Each commit's keys written, or why it failed (`applyMutationsGroup`).
type GroupOutcome = Vec<Result<u64, String>>;

/// One commit of `applyMutationsGroup`.
#[napi(object)]
pub struct CommitBatch {
    pub commit_ts: BigInt,
    pub edges: Vec<EdgeMutation>,
}

/// What became of one commit of `applyMutationsGroup`.
#[napi(object)]
pub struct GroupApplyResult {
    /// Keys written (0 when it failed).
    pub keys: u32,
    /// Why it failed (`CODE: text`, as a rejected `applyMutations` says); absent when applied.
    pub error: Option<String>,
}

#[napi(object)]
pub struct NodeQuery {
    pub uids: Vec<BigInt>,
    /// `null`: every predicate the node has.
    #[napi(ts_type = "string[] | null")]
    pub predicates: Option<Either<Vec<String>, Null>>,
    pub read_ts: BigInt,
    pub namespace: Option<BigInt>,
}

#[napi(object)]
pub struct FactFacet {
    pub key: String,
    pub value: Buffer,
    pub val_type: u32,
}

#[napi(object)]
pub struct FactValue {
    pub value: Buffer,
    pub val_type: u32,
    pub lang: Option<String>,
    pub facets: Option<Vec<FactFacet>>,
}

#[napi(object)]
pub struct UidFacets {
    pub uid: BigInt,
    pub facets: Vec<FactFacet>,
}

#[napi(object)]
pub struct PredicateFacts {
    pub predicate: String,
    pub uids: Vec<BigInt>,
    pub values: Vec<FactValue>,
    pub uid_facets: Option<Vec<UidFacets>>,
}

#[napi(object)]
pub struct NodeFacts {
    pub uid: BigInt,
    pub predicates: Vec<PredicateFacts>,
}

#[napi(object)]
pub struct HasPredicateOptions {
    pub namespace: Option<BigInt>,
    /// Only subjects > after.
    pub after: Option<BigInt>,
    pub first: Option<u32>,
    /// `has(~predicate)`: objects of reverse edges.
    pub reverse: Option<bool>,
    /// `has(predicate@lang)`: subjects with a value in `lang` ("." any).
    pub lang: Option<String>,
}

#[napi(object)]
pub struct ReverseResult {
    pub object: BigInt,
    pub subjects: Vec<BigInt>,
}

fn to_js_pred(p: live::SchemaPredicate) -> SchemaPredicate {
    SchemaPredicate {
        predicate: p.predicate,
        namespace: Some(BigInt::from(p.namespace)),
        value_type: p.value_type.schema_name().to_string(),
        list: Some(p.list),
        index: Some(p.index),
        reverse: Some(p.reverse),
        count: Some(p.count),
        upsert: Some(p.upsert),
        lang: Some(p.lang),
        unique: Some(p.unique),
        noconflict: Some(p.noconflict),
        vector_indexes: (!p.vector_indexes.is_empty()).then(|| {
            p.vector_indexes
                .into_iter()
                .map(|v| VectorIndex {
                    name: v.name,
                    options: v
                        .options
                        .into_iter()
                        .map(|o| VectorIndexOption {
                            key: o.key,
                            value: o.value,
                        })
                        .collect(),
                })
                .collect()
        }),
    }
}

fn from_js_pred(i: usize, p: &SchemaPredicate) -> napi::Result<live::SchemaPredicate> {
    Ok(live::SchemaPredicate {
        predicate: p.predicate.clone(),
        namespace: ns_of(&format!("predicates[{i}].namespace"), &p.namespace)?,
        value_type: parse_type(&p.value_type)?,
        list: p.list.unwrap_or(false),
        index: p.index.clone().unwrap_or_default(),
        reverse: p.reverse.unwrap_or(false),
        count: p.count.unwrap_or(false),
        upsert: p.upsert.unwrap_or(false),
        lang: p.lang.unwrap_or(false),
        unique: p.unique.unwrap_or(false),
        noconflict: p.noconflict.unwrap_or(false),
        // an alter cannot create a vector index here (refused as a type)
        vector_indexes: vec![],
    })
}

fn js_facets(f: Vec<Facet>) -> Vec<FactFacet> {
    f.into_iter()
        .map(|f| FactFacet {
            key: f.key,
            value: Buffer::from(f.value),
            val_type: f.val_type as u32,
        })
        .collect()
}

fn js_uids(v: Vec<u64>) -> Vec<BigInt> {
    v.into_iter().map(BigInt::from).collect()
}

type ReverseTask = StoreTask<Vec<(u64, Vec<u64>)>, Vec<ReverseResult>>;

type Job<T> = Box<dyn FnOnce(&LiveStore) -> Result<T, StoreError> + Send>;

/// One async call on the store: `job` runs on the pool, `conv` makes the JS
/// value on the main thread.
pub struct StoreTask<T: Send + 'static, J> {
    store: Option<Arc<LiveStore>>,
    job: Option<Job<T>>,
    conv: fn(T) -> napi::Result<J>,
    _j: PhantomData<fn() -> J>,
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for StoreTask<T, J> {
    type Output = T;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<T> {
        no_panic(|| {
            let store = self
                .store
                .take()
                .ok_or_else(|| invalid("the PostingStore is closed"))?;
            let job = self.job.take().ok_or_else(|| invalid("task already ran"))?;
            job(&store).map_err(store_err)
        })
    }

    fn resolve(&mut self, _env: Env, out: T) -> napi::Result<J> {
        (self.conv)(out)
    }
}

/// The index tokenizers the live store computes (and so keeps up to date on
/// writes); a schema naming another is refused.
#[napi]
pub fn supported_tokenizers() -> Vec<String> {
    Tokenizer::ALL
        .iter()
        .map(|t| t.name().to_string())
        .collect()
}

/// The index tokens (identifier byte first) the live store writes for a
/// value tagged `lang` ("" when untagged) under `tokenizer`, in byte order:
/// a string for string tokenizers (term, exact, hash, trigram, sha256,
/// fulltext), or the value's bytes in its schema type's encoding (e.g. WKB
/// for geo). INVALID_ARGUMENT names a value whose tokens this build cannot
/// compute as Dgraph does. For the Alpha's checks and for tests and tools
/// that compare with Dgraph.
#[napi]
pub fn index_tokens(
    tokenizer: String,
    value: Either<String, Buffer>,
    lang: String,
) -> napi::Result<Vec<Buffer>> {
    no_panic(|| {
        let t = Tokenizer::parse(&tokenizer).map_err(invalid)?;
        let bytes: &[u8] = match &value {
            Either::A(s) if t.value_type() != ValType::String => {
                return Err(invalid(format!(
                    "tokenizer {tokenizer} takes {} values (as bytes), not strings",
                    t.value_type().schema_name()
                )));
            }
            Either::A(s) => s.as_bytes(),
            Either::B(b) => b.as_ref(),
        };
        let tokens = t.tokens(bytes, &lang).map_err(invalid)?;
        Ok(tokens.into_iter().map(Buffer::from).collect())
    })
}

#[napi]
pub struct PostingStore {
    inner: Mutex<Option<Arc<LiveStore>>>,
    dir: String,
}

impl PostingStore {
    pub(crate) fn store(&self) -> napi::Result<Arc<LiveStore>> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.clone()
            .ok_or_else(|| invalid("the PostingStore is closed"))
    }

    fn task<T: Send + 'static, J>(
        &self,
        job: Job<T>,
        conv: fn(T) -> napi::Result<J>,
    ) -> napi::Result<AsyncTask<StoreTask<T, J>>>
    where
        J: ToNapiValue + TypeName,
    {
        // A closed store rejects the Promise (compute sees no store).
        Ok(AsyncTask::new(StoreTask {
            store: self.store().ok(),
            job: Some(job),
            conv,
            _j: PhantomData,
        }))
    }
}

#[napi]
impl PostingStore {
    /// Opens (or with `create`, creates) the posting store of one group.
    /// Refuses a store of another group, of a newer format, of an unfinished
    /// restore, or one already open in this process (`STORE_BUSY`).
    #[napi(constructor)]
    pub fn new(dir: String, opts: PostingStoreOptions) -> napi::Result<Self> {
        if opts.group == 0 {
            return Err(invalid("group must be >= 1"));
        }
        crate::alloc::tune();
        let s = LiveStore::open_sealed(
            &PathBuf::from(&dir),
            opts.group,
            opts.create.unwrap_or(false),
            data_key_of(opts.data_key.as_ref())?,
        )
        .map_err(store_err)?;
        Ok(PostingStore {
            inner: Mutex::new(Some(Arc::new(s))),
            dir,
        })
    }

    #[napi(getter)]
    pub fn dir(&self) -> String {
        self.dir.clone()
    }

    /// Closes the store. Calls still running finish first (the environment
    /// is released when the last one ends); later calls fail.
    #[napi]
    pub fn close(&self) {
        let taken = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(arc) = taken {
            if let Ok(s) = Arc::try_unwrap(arc) {
                s.close();
            }
        }
    }

    #[napi]
    pub fn meta(&self) -> napi::Result<PostingStoreMeta> {
        let m = self.store()?.meta().map_err(store_err)?;
        Ok(PostingStoreMeta {
            group: m.group,
            max_commit_ts: BigInt::from(m.max_commit_ts),
            max_uid: BigInt::from(m.max_uid),
            format_version: m.format_version as u32,
        })
    }

    /// LMDB entries in the store (key versions: a key with older versions
    /// kept counts once per version). One `mdb_stat`: cheap enough for a
    /// metrics scrape.
    #[napi]
    pub fn entries(&self) -> napi::Result<f64> {
        Ok(self.store()?.inner().entries().map_err(store_err)? as f64)
    }

    /// The schema at `readTs` (default: newest).
    #[napi]
    pub fn get_schema(&self, read_ts: Option<BigInt>) -> napi::Result<SchemaResult> {
        let ts = opt_u64("readTs", &read_ts)?.unwrap_or(u64::MAX);
        let (p, t) = self.store()?.get_schema(ts).map_err(store_err)?;
        Ok(SchemaResult {
            predicates: p.into_iter().map(to_js_pred).collect(),
            types: t
                .into_iter()
                .map(|t| TypeDef {
                    name: t.name,
                    namespace: Some(BigInt::from(t.namespace)),
                    fields: t.fields,
                })
                .collect(),
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn alter(
        &self,
        commit_ts: BigInt,
        req: AlterRequestJs,
    ) -> napi::Result<AsyncTask<StoreTask<(), ()>>> {
        let ts = u64_of("commitTs", &commit_ts)?;
        let mut r = AlterRequest {
            drop_all: req.drop_all.unwrap_or(false),
            drop_data: req.drop_data.unwrap_or(false),
            drop_attr: req.drop_attr,
            drop_type: req.drop_type,
            namespace: ns_of("namespace", &req.namespace)?,
            ..Default::default()
        };
        for (i, p) in req.predicates.iter().flatten().enumerate() {
            r.predicates.push(from_js_pred(i, p)?);
        }
        for (i, t) in req.types.iter().flatten().enumerate() {
            r.types.push(live::TypeDef {
                name: t.name.clone(),
                namespace: ns_of(&format!("types[{i}].namespace"), &t.namespace)?,
                fields: t.fields.clone(),
            });
        }
        self.task(Box::new(move |s| s.alter(ts, &r)), Ok)
    }

    #[napi(ts_return_type = "Promise<ApplyResult>")]
    pub fn apply_mutations(
        &self,
        commit_ts: BigInt,
        edges: Vec<EdgeMutation>,
    ) -> napi::Result<AsyncTask<StoreTask<u64, ApplyResult>>> {
        let ts = u64_of("commitTs", &commit_ts)?;
        let out = edges_of(&edges)?;
        self.task(Box::new(move |s| s.apply_mutations(ts, &out)), |keys| {
            Ok(ApplyResult { keys: keys as u32 })
        })
    }

    /// Applies several commits, in order, in one fsynced transaction (group
    /// commit); a commit that fails fails alone (the others are then applied
    /// one by one). One result per commit, in order.
    #[napi(ts_return_type = "Promise<GroupApplyResult[]>")]
    pub fn apply_mutations_group(
        &self,
        commits: Vec<CommitBatch>,
    ) -> napi::Result<AsyncTask<StoreTask<GroupOutcome, Vec<GroupApplyResult>>>> {
        let mut group = Vec::with_capacity(commits.len());
        for (i, c) in commits.iter().enumerate() {
            let ts = u64_of(&format!("commits[{i}].commitTs"), &c.commit_ts)?;
            group.push((ts, edges_of(&c.edges)?));
        }
        let job: Job<GroupOutcome> = Box::new(move |s| {
            let refs: Vec<(u64, &[Edge])> = group.iter().map(|(t, e)| (*t, &e[..])).collect();
            Ok(s.apply_mutations_group(&refs)
                .into_iter()
                .map(|r| r.map_err(|e| e.to_string()))
                .collect())
        });
        self.task(job, |out| {
            Ok(out
                .into_iter()
                .map(|r| match r {
                    Ok(keys) => GroupApplyResult {
                        keys: keys as u32,
                        error: None,
                    },
                    Err(error) => GroupApplyResult {
                        keys: 0,
                        error: Some(error),
                    },
                })
                .collect())
        })
    }

    /// The uncommitted edges of the open transaction started at `startTs`
    /// (all of them, replacing earlier ones; none forgets them): reads at
    /// `startTs` see them as if committed, nothing is written.
    #[napi]
    pub fn set_pending(&self, start_ts: BigInt, edges: Vec<EdgeMutation>) -> napi::Result<()> {
        no_panic(|| {
            let ts = u64_of("startTs", &start_ts)?;
            let out = edges_of(&edges)?;
            self.store()?.set_pending(ts, out).map_err(store_err)
        })
    }

    /// Forgets a transaction's uncommitted edges; whether it had some.
    #[napi]
    pub fn clear_pending(&self, start_ts: BigInt) -> napi::Result<bool> {
        no_panic(|| {
            let ts = u64_of("startTs", &start_ts)?;
            Ok(self.store()?.clear_pending(ts))
        })
    }

    /// The oldest start ts open anywhere in the cluster (`null`: none), as
    /// Zero last told: reads at it keep what they need while this is said
    /// again at least every 30 s.
    #[napi]
    pub fn hold_from(&self, oldest_open: Option<BigInt>) -> napi::Result<()> {
        no_panic(|| {
            let ts = oldest_open.map(|t| u64_of("oldestOpen", &t)).transpose()?;
            self.store()?.hold_from(ts);
            Ok(())
        })
    }

    #[napi(ts_return_type = "Promise<NodeFacts[]>")]
    pub fn get_nodes(
        &self,
        q: NodeQuery,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<live::NodeFacts>, Vec<NodeFacts>>>> {
        let uids = u64s_of("uids", &q.uids)?;
        let ts = u64_of("readTs", &q.read_ts)?;
        let ns = ns_of("namespace", &q.namespace)?;
        let preds = match q.predicates {
            Some(Either::A(v)) => Some(v),
            _ => None,
        };
        self.task(
            Box::new(move |s| s.get_nodes(&uids, preds.as_deref(), ts, ns)),
            |nodes| {
                Ok(nodes
                    .into_iter()
                    .map(|n| NodeFacts {
                        uid: BigInt::from(n.uid),
                        predicates: n
                            .predicates
                            .into_iter()
                            .map(|p| PredicateFacts {
                                predicate: p.predicate,
                                uids: js_uids(p.uids),
                                values: p
                                    .values
                                    .into_iter()
                                    .map(|v| FactValue {
                                        value: Buffer::from(v.value),
                                        val_type: v.val_type as u32,
                                        lang: (!v.lang.is_empty()).then_some(v.lang),
                                        facets: (!v.facets.is_empty()).then(|| js_facets(v.facets)),
                                    })
                                    .collect(),
                                uid_facets: (!p.uid_facets.is_empty()).then(|| {
                                    p.uid_facets
                                        .into_iter()
                                        .map(|(u, f)| UidFacets {
                                            uid: BigInt::from(u),
                                            facets: js_facets(f),
                                        })
                                        .collect()
                                }),
                            })
                            .collect(),
                    })
                    .collect())
            },
        )
    }

    #[napi(ts_return_type = "Promise<bigint[]>")]
    pub fn has_predicate(
        &self,
        predicate: String,
        read_ts: BigInt,
        opts: Option<HasPredicateOptions>,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<u64>, Vec<BigInt>>>> {
        let ts = u64_of("readTs", &read_ts)?;
        let (ns, after, first, of) = match &opts {
            Some(o) => (
                ns_of("namespace", &o.namespace)?,
                opt_u64("after", &o.after)?.unwrap_or(0),
                o.first.map(|f| f as usize),
                HasOf {
                    reverse: o.reverse.unwrap_or(false),
                    lang: o.lang.clone().unwrap_or_default(),
                },
            ),
            None => (0, 0, None, HasOf::default()),
        };
        self.task(
            Box::new(move |s| s.has_where(&predicate, ts, ns, after, first, of)),
            |v| Ok(js_uids(v)),
        )
    }

    /// The subjects among `among` (a filter's candidates) whose value of
    /// `predicate` satisfies comparison `op` (`eq le lt ge gt between`) for
    /// `values`, read from their data: no index needed, as Dgraph's
    /// comparisons in a filter.
    /// `lang`: compare the value in that language ("" untagged, "." any).
    #[napi(ts_return_type = "Promise<bigint[]>")]
    #[allow(clippy::too_many_arguments)]
    pub fn compare_among(
        &self,
        predicate: String,
        op: String,
        values: Vec<Buffer>,
        among: Vec<BigInt>,
        read_ts: BigInt,
        namespace: Option<BigInt>,
        lang: Option<String>,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<u64>, Vec<BigInt>>>> {
        let (op, values, ts, ns) = compare_args(&op, &values, &read_ts, &namespace)?;
        let among = u64s_of("among", &among)?;
        let lang = lang.unwrap_or_default();
        self.task(
            Box::new(move |s| s.compare_among(&predicate, op, &values, &among, &lang, ts, ns)),
            |v| Ok(js_uids(v)),
        )
    }

    /// The subjects whose value of `predicate` satisfies comparison `op`
    /// for `values`, through the predicate's sortable index (`eq`: its
    /// equality index), as Dgraph's root functions.
    /// `lang`: as in `compareAmong`.
    #[napi(ts_return_type = "Promise<bigint[]>")]
    pub fn compare_index(
        &self,
        predicate: String,
        op: String,
        values: Vec<Buffer>,
        read_ts: BigInt,
        namespace: Option<BigInt>,
        lang: Option<String>,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<u64>, Vec<BigInt>>>> {
        let (op, values, ts, ns) = compare_args(&op, &values, &read_ts, &namespace)?;
        let lang = lang.unwrap_or_default();
        self.task(
            Box::new(move |s| s.compare_index(&predicate, op, &values, &lang, ts, ns)),
            |v| Ok(js_uids(v)),
        )
    }

    /// Subjects matching DQL's `anyofterms`/`allofterms` (`tokenizer`
    /// "term") or `anyoftext`/`alloftext` ("fulltext") on `predicate`, as
    /// Dgraph answers them; `lang` is the function's language ("" none, "."
    /// any). Ascending.
    #[napi(ts_return_type = "Promise<bigint[]>")]
    #[allow(clippy::too_many_arguments)]
    pub fn text_match(
        &self,
        predicate: String,
        tokenizer: String,
        all: bool,
        text: String,
        lang: String,
        read_ts: BigInt,
        namespace: Option<BigInt>,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<u64>, Vec<BigInt>>>> {
        let ts = u64_of("readTs", &read_ts)?;
        let ns = ns_of("namespace", &namespace)?;
        let tokenizer = Tokenizer::parse(&tokenizer).map_err(invalid)?;
        self.task(
            Box::new(move |s| {
                let m = live::TextMatch {
                    tokenizer,
                    all,
                    text: &text,
                    lang: &lang,
                };
                s.text_match(&predicate, &m, ts, ns)
            }),
            |v| Ok(js_uids(v)),
        )
    }

    /// Subjects whose value of `predicate` matches DQL's
    /// `regexp(predicate, /pattern/flags)` (`flags`: "" or "i"), as Dgraph
    /// answers it: through the trigram index, or among `among` (a filter).
    /// `lang` is the call's language ("" none). Ascending.
    #[napi(ts_return_type = "Promise<bigint[]>")]
    #[allow(clippy::too_many_arguments)]
    pub fn regexp_match(
        &self,
        predicate: String,
        pattern: String,
        flags: String,
        lang: String,
        among: Option<Vec<BigInt>>,
        read_ts: BigInt,
        namespace: Option<BigInt>,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<u64>, Vec<BigInt>>>> {
        let (ts, ns, among) = read_args(&read_ts, &namespace, among)?;
        let re = DqlRegex::compile(&pattern, &flags).map_err(invalid)?;
        self.task(
            Box::new(move |s| {
                let p = live::Pattern::Regexp(&re);
                s.pattern_match(&predicate, &p, &lang, among.as_deref(), ts, ns)
            }),
            |v| Ok(js_uids(v)),
        )
    }

    /// Subjects whose value of `predicate` is within Levenshtein distance
    /// `max` of `text` (DQL's `match`), as Dgraph answers it: candidates
    /// from the trigram index, or `among` (a filter). Ascending.
    #[napi(ts_return_type = "Promise<bigint[]>")]
    #[allow(clippy::too_many_arguments)]
    pub fn fuzzy_match(
        &self,
        predicate: String,
        text: String,
        max: u32,
        lang: String,
        among: Option<Vec<BigInt>>,
        read_ts: BigInt,
        namespace: Option<BigInt>,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<u64>, Vec<BigInt>>>> {
        let (ts, ns, among) = read_args(&read_ts, &namespace, among)?;
        self.task(
            Box::new(move |s| {
                let p = live::Pattern::Fuzzy {
                    text: &text,
                    max: max as usize,
                };
                s.pattern_match(&predicate, &p, &lang, among.as_deref(), ts, ns)
            }),
            |v| Ok(js_uids(v)),
        )
    }

    /// Subjects whose value of `predicate` satisfies DQL's geo function
    /// `func` (`near within contains intersects`) for the query `geometry`
    /// (WKB; `near` also takes `maxDistance` in metres), as Dgraph decides
    /// them; among `among` (a filter) when given. Ascending.
    #[napi(ts_return_type = "Promise<bigint[]>")]
    #[allow(clippy::too_many_arguments)]
    pub fn geo_match(
        &self,
        predicate: String,
        func: String,
        geometry: Buffer,
        max_distance: Option<f64>,
        among: Option<Vec<BigInt>>,
        read_ts: BigInt,
        namespace: Option<BigInt>,
    ) -> napi::Result<AsyncTask<StoreTask<Vec<u64>, Vec<BigInt>>>> {
        let (ts, ns, among) = read_args(&read_ts, &namespace, among)?;
        let f = GeoFn::parse(&func).map_err(invalid)?;
        let q = GeoQuery::new(f, &geometry, max_distance).map_err(invalid)?;
        self.task(
            Box::new(move |s| s.geo_match(&predicate, &q, among.as_deref(), ts, ns)),
            |v| Ok(js_uids(v)),
        )
    }

    #[napi(ts_return_type = "Promise<ReverseResult[]>")]
    pub fn reverse(
        &self,
        predicate: String,
        objects: Vec<BigInt>,
        read_ts: BigInt,
        namespace: Option<BigInt>,
    ) -> napi::Result<AsyncTask<ReverseTask>> {
        let ts = u64_of("readTs", &read_ts)?;
        let ns = ns_of("namespace", &namespace)?;
        let objects = u64s_of("objects", &objects)?;
        self.task(
            Box::new(move |s| s.reverse(&predicate, &objects, ts, ns)),
            |v| {
                Ok(v.into_iter()
                    .map(|(o, s)| ReverseResult {
                        object: BigInt::from(o),
                        subjects: js_uids(s),
                    })
                    .collect())
            },
        )
    }

    /// Streams the canonical `data.rdf` / `schema.txt` of this open store
    /// (the snapshot at `opts.readTs`, taken when the first next() runs).
    #[napi]
    pub fn export_stream(&self, opts: Option<ExportRdfOptions>) -> napi::Result<ExportStream> {
        ExportStream::new(ExportSource::Live(self.store()?), opts)
    }

    /// Canonical `data.rdf` / `schema.txt` of this open store, in memory.
    #[napi(ts_return_type = "Promise<ExportRdfResult>")]
    pub fn export_rdf(
        &self,
        read_ts: Option<BigInt>,
    ) -> napi::Result<AsyncTask<StoreTask<crate::export::ExportOutput, ExportRdfResult>>> {
        let ts = opt_u64("readTs", &read_ts)?.unwrap_or(u64::MAX);
        self.task(Box::new(move |s| s.export_rdf(ts)), |out| {
            Ok(ExportRdfResult {
                data: Buffer::from(out.data),
                schema: Buffer::from(out.schema),
                facts: out.facts as f64,
            })
        })
    }
}

/// The read ts, namespace and optional candidate subjects (a filter's)
/// that the matching functions take.
fn read_args(
    read_ts: &BigInt,
    namespace: &Option<BigInt>,
    among: Option<Vec<BigInt>>,
) -> napi::Result<(u64, u64, Option<Vec<u64>>)> {
    Ok((
        u64_of("readTs", read_ts)?,
        ns_of("namespace", namespace)?,
        among.map(|a| u64s_of("among", &a)).transpose()?,
    ))
}

/// The arguments every comparison call takes: the function, its values
/// (schema-typed bytes), the read ts and the namespace.
fn compare_args(
    op: &str,
    values: &[Buffer],
    read_ts: &BigInt,
    namespace: &Option<BigInt>,
) -> napi::Result<(live::CompareOp, Vec<Vec<u8>>, u64, u64)> {
    Ok((
        live::CompareOp::parse(op).map_err(invalid)?,
        values.iter().map(|b| b.to_vec()).collect(),
        u64_of("readTs", read_ts)?,
        ns_of("namespace", namespace)?,
    ))
}

/// The native edges of a batch (`applyMutations`, `setPending`), each checked.
fn edges_of(edges: &[EdgeMutation]) -> napi::Result<Vec<Edge>> {
    let mut out = Vec::with_capacity(edges.len());
    for (i, e) in edges.iter().enumerate() {
        let op = match e.op.as_str() {
            "set" => EdgeOp::Set,
            "del" => EdgeOp::Del,
            o => {
                return Err(invalid(format!(
                    "edges[{i}].op '{o}' is not 'set' or 'del'"
                )))
            }
        };
        let facets = e
            .facets
            .iter()
            .flatten()
            .map(|f| live::FacetInput {
                key: f.key.clone(),
                value: f.value.to_vec(),
                val_type: f.val_type as i32,
            })
            .collect();
        out.push(Edge {
            op,
            subject: u64_of(&format!("edges[{i}].subject"), &e.subject)?,
            predicate: e.predicate.clone(),
            namespace: ns_of(&format!("edges[{i}].namespace"), &e.namespace)?,
            object_uid: opt_u64(&format!("edges[{i}].objectUid"), &e.object_uid)?,
            value: e.value.as_ref().map(|b| b.to_vec()),
            val_type: e.val_type.map(|v| v as i32),
            lang: e.lang.clone().unwrap_or_default(),
            star: e.star.unwrap_or(false),
            facets,
        });
    }
    Ok(out)
}
