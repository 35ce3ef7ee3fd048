//! Schema entries of the live store: checking a [`SchemaPredicate`] like
//! Dgraph's schema parser, converting it to and from the stored
//! `SchemaUpdate`, loading entries and listing the schema.

use super::keys::schema_key;
use super::types::{SchemaPredicate, TypeDef};
use super::LiveStore;
use crate::format::keys::{parse_key, PREFIX_SCHEMA, PREFIX_TYPE};
use crate::format::names::bare_name;
use crate::format::proto::{Directive, SchemaUpdate, TypeUpdate, ValType};
use crate::store::db::PostingStore;
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{encode_value, version_key, ValueKind};
use crate::store::tokenize::Tokenizer;
use prost::Message;

pub(super) fn val_type_of(v: i32) -> ValType {
    ValType::try_from(v).unwrap_or(ValType::Default)
}

/// The tokenizers of an `@index(...)` in the order written (Dgraph stores
/// them so); a name given twice is an error, as in Dgraph.
fn parse_tokenizers(names: &[String]) -> std::result::Result<Vec<Tokenizer>, String> {
    let mut out: Vec<Tokenizer> = Vec::with_capacity(names.len());
    for n in names {
        let t = Tokenizer::parse(n)?;
        if out.contains(&t) {
            return Err(format!("duplicate tokenizer {n}"));
        }
        out.push(t);
    }
    Ok(out)
}

/// Checks a schema entry like Dgraph's schema parser; returns its tokenizers.
pub(super) fn validate(sp: &SchemaPredicate) -> Result<Vec<Tokenizer>> {
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

pub(super) fn to_update(sp: &SchemaPredicate, toks: &[Tokenizer]) -> SchemaUpdate {
    let directive = if !toks.is_empty() {
        Directive::Index
    } else if sp.reverse {
        Directive::Reverse
    } else {
        Directive::None
    };
    SchemaUpdate {
        predicate: sp.predicate.clone(),
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
        vector_indexes: su.index_specs.clone(),
    }
}

/// The stored `TypeUpdate` of a type definition.
pub(super) fn type_update(t: &TypeDef) -> TypeUpdate {
    TypeUpdate {
        type_name: t.name.clone(),
        fields: t
            .fields
            .iter()
            .map(|f| SchemaUpdate {
                predicate: f.clone(),
                ..Default::default()
            })
            .collect(),
    }
}

/// Writes a schema or type entry (`key` without its version) at `ts`.
pub(super) fn put_entry(
    store: &PostingStore,
    wtxn: &Txn<'_>,
    key: &[u8],
    ts: u64,
    entry: &impl Message,
) -> Result<()> {
    let v = encode_value(ValueKind::Schema, &entry.encode_to_vec());
    store.postings_db().put(wtxn, &version_key(key, ts), &v)?;
    Ok(())
}

/// A loaded schema entry with its parsed tokenizers.
#[derive(Clone)]
pub(super) struct Schema {
    pub su: SchemaUpdate,
    pub vt: ValType,
    pub toks: Vec<Tokenizer>,
    /// Tokenizers of the entry this build cannot compute (e.g. fulltext in
    /// a restored Dgraph backup): writing the predicate would leave their
    /// index stale, so [`Schema::check_writable`] refuses it.
    pub unmaintained: Vec<String>,
}

impl Schema {
    pub fn new(su: SchemaUpdate) -> Self {
        let mut toks = Vec::new();
        let mut unmaintained = Vec::new();
        for n in &su.tokenizer {
            match Tokenizer::parse(n) {
                Ok(t) => toks.push(t),
                Err(_) => unmaintained.push(n.clone()),
            }
        }
        Schema {
            vt: val_type_of(su.value_type),
            su,
            toks,
            unmaintained,
        }
    }

    /// An error when the predicate `attr` has an index this build cannot
    /// keep up to date: a write must not leave it stale.
    pub fn check_writable(&self, attr: &str) -> Result<()> {
        if self.unmaintained.is_empty() {
            return Ok(());
        }
        Err(StoreError::invalid(format!(
            "predicate <{attr}> has @index({}), which Strata cannot compute yet: writing it would \
             leave that index stale (queries on it would miss the change, in Strata and in a Dgraph \
             restored from its backups). Drop the index first (alter <{attr}> without it) or write \
             through Dgraph",
            self.unmaintained.join(", ")
        )))
    }
    pub fn reverse(&self) -> bool {
        self.su.directive == Directive::Reverse as i32
    }
    /// `type` or `[type]`.
    pub fn shown(&self) -> String {
        let n = self.vt.schema_name();
        if self.su.list {
            format!("[{n}]")
        } else {
            n.to_string()
        }
    }
}

impl LiveStore {
    pub(super) fn load_schema(
        &self,
        txn: &Txn<'_>,
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

    /// The schema entry of a predicate that must have one.
    pub(super) fn schema_at(&self, txn: &Txn<'_>, ns: u64, attr: &str, ts: u64) -> Result<Schema> {
        self.load_schema(txn, ns, attr, ts)?
            .ok_or_else(|| StoreError::invalid(format!("predicate {attr} is not in the schema")))
    }

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
                    .map(|f| bare_name(&f.predicate).to_string())
                    .collect(),
            });
            Ok(())
        })?;
        Ok((preds, types))
    }
}
