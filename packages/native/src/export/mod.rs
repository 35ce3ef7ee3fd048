//! Canonical RDF export (`data.rdf` + `schema.txt`, as defined in
//! shared/fixtures/dgraph/README.md) of one or more posting stores.
//!
//! The export of a cluster is the union of the lines of each group's store,
//! sorted bytewise and unique; the schema is the union of the predicate
//! lines and type blocks. Lines are collected in memory and sorted.

pub mod geo;
pub mod number;
pub mod value;

use crate::format::keys::{build_key, parse_key, ParsedKey, PREFIX_SPLIT};
use crate::format::names::bare_name;
use crate::format::proto::{
    BackupPostingList, Directive, KeyType, Posting, SchemaUpdate, TypeUpdate, ValType,
};
use crate::store::error::{Result, StoreError};
use crate::store::{OpenOptions, PostingStore, ValueKind};
use prost::Message;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use value::{format_facets, format_value};

#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Read timestamp (default: the newest version of every key).
    pub read_ts: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOutput {
    pub data: Vec<u8>,
    pub schema: Vec<u8>,
    /// Lines of `data`.
    pub facts: u64,
}

/// Accumulates lines from several stores.
#[derive(Default)]
pub struct Exporter {
    lines: Vec<String>,
    predicates: BTreeSet<String>,
    types: BTreeMap<String, BTreeSet<String>>,
}

fn ns_label(ns: u64) -> String {
    if ns == 0 {
        String::new()
    } else {
        format!("[{ns:#x}] ")
    }
}

/// One schema line (without the trailing newline).
pub fn schema_line(ns: u64, attr: &str, su: &SchemaUpdate) -> String {
    let ty = ValType::try_from(su.value_type)
        .unwrap_or(ValType::Default)
        .schema_name();
    let mut s = format!("{}{attr}: ", ns_label(ns));
    if su.list {
        s.push_str(&format!("[{ty}]"));
    } else {
        s.push_str(ty);
    }
    if !su.tokenizer.is_empty() {
        let mut t: Vec<&str> = su.tokenizer.iter().map(|s| s.as_str()).collect();
        t.sort_unstable();
        t.dedup();
        s.push_str(&format!(" @index({})", t.join(", ")));
    }
    let flags = [
        (su.lang, " @lang"),
        (su.count, " @count"),
        (su.directive == Directive::Reverse as i32, " @reverse"),
        (su.upsert, " @upsert"),
        (su.unique, " @unique"),
        (su.no_conflict, " @noconflict"),
    ];
    for (on, text) in flags {
        if on {
            s.push_str(text);
        }
    }
    s.push_str(" .");
    s
}

/// The facts of one DATA posting list (spec §7.1), each line ending in `\n`.
pub fn list_facts(pk: &ParsedKey, pl: &BackupPostingList, out: &mut Vec<String>) {
    let subj = format!("<{:#x}>", pk.uid);
    let pred = format!("<{}>", String::from_utf8_lossy(&pk.attr));
    let ns = if pk.namespace == 0 {
        String::new()
    } else {
        format!(" <{:#x}>", pk.namespace)
    };
    let with_posting: HashSet<u64> = pl.postings.iter().map(|p| p.uid).collect();
    for &u in &pl.uids {
        if !with_posting.contains(&u) {
            out.push(format!("{subj} {pred} <{u:#x}>{ns} .\n"));
        }
    }
    for p in &pl.postings {
        let obj = posting_object(p);
        out.push(format!(
            "{subj} {pred} {obj}{}{ns} .\n",
            format_facets(&p.facets)
        ));
    }
}

fn posting_object(p: &Posting) -> String {
    if p.is_uid_ref() {
        return format!("<{:#x}>", p.uid);
    }
    if p.val_type == ValType::Uid as i32 && p.value.len() == 8 {
        let u = u64::from_le_bytes(p.value[..].try_into().expect("8"));
        return format!("<{u:#x}>");
    }
    format_value(p.val_type, &p.value, &p.lang_tag)
}

fn decode<M: Message + Default>(payload: &[u8], what: &str) -> Result<M> {
    M::decode(payload).map_err(|e| StoreError::corrupt(format!("bad {what} in the store: {e}")))
}

impl Exporter {
    /// Adds every fact, schema line and type of one store.
    pub fn add_store(&mut self, store: &PostingStore, read_ts: u64) -> Result<()> {
        // Main lists with split parts wait for their parts (prefix 0x04 sorts later).
        let mut split_mains: HashMap<Vec<u8>, (ParsedKey, BackupPostingList)> = HashMap::new();
        let mut parts: Vec<(Vec<u8>, u64, BackupPostingList)> = Vec::new();
        let lines = &mut self.lines;
        let predicates = &mut self.predicates;
        let types = &mut self.types;
        store.scan(&[], read_ts, &mut |v| {
            let pk = parse_key(v.key, true)?;
            match (pk.key_type, v.kind) {
                (Some(KeyType::Data), ValueKind::PostingList) => {
                    let pl: BackupPostingList = decode(v.payload, "posting list")?;
                    if v.key[0] == PREFIX_SPLIT {
                        let mut main = pk.clone();
                        let start = main.start_uid;
                        main.start_uid = 0;
                        parts.push((build_key(&main, true)?, start, pl));
                    } else if !pl.splits.is_empty() {
                        split_mains.insert(v.key.to_vec(), (pk, pl));
                    } else {
                        list_facts(&pk, &pl, lines);
                    }
                }
                (Some(KeyType::Schema), ValueKind::Schema) => {
                    let su: SchemaUpdate = decode(v.payload, "schema entry")?;
                    let attr = String::from_utf8_lossy(&pk.attr);
                    predicates.insert(schema_line(pk.namespace, &attr, &su));
                }
                (Some(KeyType::Type), ValueKind::Schema) => {
                    let tu: TypeUpdate = decode(v.payload, "type entry")?;
                    let name = format!(
                        "{}{}",
                        ns_label(pk.namespace),
                        String::from_utf8_lossy(&pk.attr)
                    );
                    let fields = types.entry(name).or_default();
                    for f in &tu.fields {
                        fields.insert(bare_name(&f.predicate).to_string());
                    }
                }
                _ => {}
            }
            Ok(())
        })?;
        for (main, start, pl) in parts {
            if let Some((_, m)) = split_mains.get_mut(&main) {
                if m.splits.contains(&start) {
                    m.uids.extend_from_slice(&pl.uids);
                    m.postings.extend(pl.postings);
                }
            }
        }
        for (_, (pk, mut pl)) in split_mains {
            pl.uids.sort_unstable();
            pl.uids.dedup();
            pl.postings.sort_by_key(|p| p.uid);
            list_facts(&pk, &pl, &mut self.lines);
        }
        Ok(())
    }

    pub fn finish(mut self) -> ExportOutput {
        self.lines.sort_unstable();
        self.lines.dedup();
        let facts = self.lines.len() as u64;
        let data = self.lines.concat().into_bytes();
        let mut schema = String::new();
        for p in &self.predicates {
            schema.push_str(p);
            schema.push('\n');
        }
        for (name, fields) in &self.types {
            schema.push_str(&format!("type {name} {{\n"));
            for f in fields {
                schema.push_str(&format!("  {f}\n"));
            }
            schema.push_str("}\n");
        }
        ExportOutput {
            data,
            schema: schema.into_bytes(),
            facts,
        }
    }
}

/// Exports the union of the stores in `dirs` (one per group).
pub fn export_dirs(dirs: &[PathBuf], opts: &ExportOptions) -> Result<ExportOutput> {
    let mut ex = Exporter::default();
    for dir in dirs {
        let store = PostingStore::open(dir, &OpenOptions::default())?;
        store.check_complete()?;
        ex.add_store(&store, opts.read_ts.unwrap_or(u64::MAX))?;
    }
    Ok(ex.finish())
}
