//! The requests the live store takes (schema changes, edges) and the
//! facts and meta it returns: the Rust side of the JS `PostingStore` API.

use crate::format::proto::{Facet, ValType, VectorIndexSpec};

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
    /// Vector indexes of a predicate restored from Dgraph (`hnsw(...)`);
    /// Strata itself creates none.
    pub vector_indexes: Vec<VectorIndexSpec>,
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
            vector_indexes: vec![],
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
