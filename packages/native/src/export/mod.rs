//! Canonical RDF export (`data.rdf` + `schema.txt`, as defined in
//! shared/fixtures/dgraph/README.md) of one or more posting stores.
//!
//! The export of a cluster is the union of the lines of each group's store,
//! sorted bytewise and unique; the schema is the union of the predicate
//! lines and type blocks. Lines go through an external sort ([`runs`]) so
//! memory stays bounded whatever the store size; [`stream`] hands the
//! sorted lines out chunk by chunk.
//!
//! What stays in memory: the run buffer (`run_bytes`), the schema (predicate
//! lines and types), and the main lists of split posting lists (each with
//! its own uids and postings, usually just its split starts) until the scan
//! ends. Split parts are not held: each part's facts are emitted as it is
//! scanned (parts sort after every main list).

pub mod geo;
pub mod number;
pub mod runs;
pub mod stream;
#[cfg(test)]
mod tests;
pub mod value;

use crate::format::keys::{build_key, parse_key, ParsedKey, PREFIX_SPLIT};
use crate::format::names::bare_name;
use crate::format::proto::{
    BackupPostingList, Directive, KeyType, Posting, SchemaUpdate, TypeUpdate, ValType,
};
use crate::store::error::{Result, StoreError};
use crate::store::{DataKey, OpenOptions, PostingStore, ValueKind};
use prost::Message;
use runs::{Merger, RunSorter, DEFAULT_RUN_BYTES};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use value::{format_facets, format_value, quote};

#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Read timestamp (default: the newest version of every key).
    pub read_ts: Option<u64>,
    /// Folder for the run files (default: the OS temp folder).
    pub tmp_dir: Option<PathBuf>,
    /// Run buffer size in bytes (default [`DEFAULT_RUN_BYTES`]).
    pub run_bytes: Option<usize>,
}

impl ExportOptions {
    pub fn sorter(&self) -> RunSorter {
        RunSorter::new(
            self.tmp_dir.clone().unwrap_or_else(std::env::temp_dir),
            self.run_bytes.unwrap_or(DEFAULT_RUN_BYTES),
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOutput {
    pub data: Vec<u8>,
    pub schema: Vec<u8>,
    /// Lines of `data`.
    pub facts: u64,
}

/// Accumulates lines (into a [`RunSorter`]) and the schema of several stores.
pub struct Exporter {
    lines: RunSorter,
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

/// A predicate holding an HNSW index's graph (Dgraph's `hnsw.VecKeyword`).
fn is_vector_index(attr: &[u8]) -> bool {
    attr.windows(9).any(|w| w == b"__vector_")
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
    } else if !su.index_specs.is_empty() {
        // Dgraph's form (`worker/export.go`): `name(key:"value",...)`
        let specs: Vec<String> = su
            .index_specs
            .iter()
            .map(|v| {
                let opts: Vec<String> = v
                    .options
                    .iter()
                    .map(|o| format!("{}:{}", o.key, quote(&o.value)))
                    .collect();
                format!("{}({})", v.name, opts.join(","))
            })
            .collect();
        s.push_str(&format!(" @index({})", specs.join(", ")));
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
    list_facts_with(pk, pl, &HashSet::new(), out)
}

/// [`list_facts`] where the uids in `with_posting` (besides those of the
/// list's own postings) are not written as plain uid facts.
fn list_facts_with(
    pk: &ParsedKey,
    pl: &BackupPostingList,
    with_posting: &HashSet<u64>,
    out: &mut Vec<String>,
) {
    let subj = format!("<{:#x}>", pk.uid);
    let pred = format!("<{}>", String::from_utf8_lossy(&pk.attr));
    let ns = if pk.namespace == 0 {
        String::new()
    } else {
        format!(" <{:#x}>", pk.namespace)
    };
    let own: HashSet<u64> = pl.postings.iter().map(|p| p.uid).collect();
    for &u in &pl.uids {
        if !own.contains(&u) && !with_posting.contains(&u) {
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
    pub fn new(lines: RunSorter) -> Exporter {
        Exporter {
            lines,
            predicates: BTreeSet::new(),
            types: BTreeMap::new(),
        }
    }

    fn emit(lines: &mut RunSorter, batch: &mut Vec<String>) -> Result<()> {
        for l in batch.drain(..) {
            lines.push(l.into_bytes())?;
        }
        Ok(())
    }

    /// Adds every fact, schema line and type of one store. `stop` is asked
    /// between keys; when it says true the scan ends with its error.
    pub fn add_store(
        &mut self,
        store: &PostingStore,
        read_ts: u64,
        stop: &dyn Fn() -> Option<StoreError>,
    ) -> Result<()> {
        // Main lists with split parts (prefix 0x04 sorts after every main):
        // a part's facts are written as the part is scanned, leaving out the
        // uids that carry a posting in the main list; the main's own facts
        // are written at the end, leaving out the uids that carry a posting
        // in one of its parts.
        let mut split_mains: HashMap<Vec<u8>, SplitMain> = HashMap::new();
        let mut batch: Vec<String> = Vec::new();
        let lines = &mut self.lines;
        let predicates = &mut self.predicates;
        let types = &mut self.types;
        store.scan(&[], read_ts, &mut |v| {
            if let Some(e) = stop() {
                return Err(e);
            }
            let pk = parse_key(v.key, true)?;
            match (pk.key_type, v.kind) {
                // A vector index's graph (`<pred>__vector_...`): index data, not
                // facts; Dgraph's export leaves it out too.
                (Some(KeyType::Data), _) if is_vector_index(&pk.attr) => {}
                (Some(KeyType::Data), ValueKind::PostingList) => {
                    let pl: BackupPostingList = decode(v.payload, "posting list")?;
                    if v.key[0] == PREFIX_SPLIT {
                        let mut main = pk.clone();
                        let start = main.start_uid;
                        main.start_uid = 0;
                        if let Some(m) = split_mains.get_mut(&build_key(&main, true)?) {
                            if m.pl.splits.contains(&start) {
                                m.part_postings.extend(pl.postings.iter().map(|p| p.uid));
                                list_facts_with(&m.pk, &pl, &m.own_postings, &mut batch);
                            }
                        }
                    } else if !pl.splits.is_empty() {
                        let own_postings = pl.postings.iter().map(|p| p.uid).collect();
                        split_mains.insert(
                            v.key.to_vec(),
                            SplitMain {
                                pk,
                                pl,
                                own_postings,
                                part_postings: HashSet::new(),
                            },
                        );
                    } else {
                        list_facts(&pk, &pl, &mut batch);
                    }
                    Self::emit(lines, &mut batch)?;
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
        for (_, m) in split_mains {
            list_facts_with(&m.pk, &m.pl, &m.part_postings, &mut batch);
            Self::emit(&mut self.lines, &mut batch)?;
        }
        Ok(())
    }

    /// The schema text and the merge of every line added.
    pub fn finish(self) -> Result<(Vec<u8>, Merger)> {
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
        Ok((schema.into_bytes(), self.lines.finish()?))
    }
}

/// A main posting list with split parts, held until the scan ends.
struct SplitMain {
    pk: ParsedKey,
    pl: BackupPostingList,
    /// Uids with a posting in the main list itself.
    own_postings: HashSet<u64>,
    /// Uids with a posting in one of the parts scanned.
    part_postings: HashSet<u64>,
}

/// Drains a finished export into memory (small stores and tests).
pub fn collect(schema: Vec<u8>, mut merger: Merger) -> Result<ExportOutput> {
    let mut data = Vec::new();
    while let Some(line) = merger.next_line()? {
        data.extend_from_slice(line);
    }
    Ok(ExportOutput {
        data,
        schema,
        facts: merger.lines(),
    })
}

/// Exports the union of the stores in `dirs` (one per group).
/// Buffered: the whole dump in memory; [`stream::ExportStream`] streams it.
/// A store folder to export, with its data key when it is encrypted at rest.
#[derive(Debug, Clone)]
pub struct StoreDir {
    pub dir: PathBuf,
    pub data_key: Option<DataKey>,
}

impl From<PathBuf> for StoreDir {
    /// A plain store.
    fn from(dir: PathBuf) -> StoreDir {
        StoreDir {
            dir,
            data_key: None,
        }
    }
}

pub fn export_dirs(dirs: &[StoreDir], opts: &ExportOptions) -> Result<ExportOutput> {
    let mut ex = Exporter::new(opts.sorter());
    add_dirs(&mut ex, dirs, opts.read_ts.unwrap_or(u64::MAX), &|| None)?;
    let (schema, merger) = ex.finish()?;
    collect(schema, merger)
}

/// Opens each store of `dirs` (refusing an unfinished restore) and adds it.
pub fn add_dirs(
    ex: &mut Exporter,
    dirs: &[StoreDir],
    read_ts: u64,
    stop: &dyn Fn() -> Option<StoreError>,
) -> Result<()> {
    for d in dirs {
        let open = OpenOptions {
            data_key: d.data_key.clone(),
            ..OpenOptions::default()
        };
        let store = PostingStore::open(&d.dir, &open)?;
        store.check_complete()?;
        ex.add_store(&store, read_ts, stop)?;
    }
    Ok(())
}
