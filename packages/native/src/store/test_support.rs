//! Test harness shared by the store tests: temporary folders, backup files,
//! and the shorthands for live-store schema entries and edges.

use super::error::StoreError;
use super::live::{AlterRequest, Edge, LiveStore, SchemaPredicate};
use crate::codec::frame::encode_frame;
use crate::codec::writer::{Writer, WriterConfig};
use crate::format::kv::{encode_kv_list, KvInput};
use crate::format::proto::ValType;
use crate::format::proto::{BackupKey, KeyType};
use std::path::{Path, PathBuf};

/// A fresh, empty folder under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `name` must be unique among the tests of one module.
    pub fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "strata-store-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the folder.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl std::ops::Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A backup's key of `kt` (no term, count or split).
pub fn backup_key(kt: KeyType, ns: u64, attr: &str, uid: u64) -> BackupKey {
    BackupKey {
        r#type: kt as i32,
        attr: attr.into(),
        uid,
        namespace: ns,
        ..Default::default()
    }
}

/// A gzip backup file (one frame) holding `kvs` in the order given.
pub fn backup_file(kvs: &[KvInput]) -> Vec<u8> {
    let mut s = Vec::new();
    encode_frame(&encode_kv_list(kvs).unwrap(), &mut s);
    let mut w = Writer::new(WriterConfig {
        threads: Some(1),
        ..Default::default()
    })
    .unwrap();
    let mut f = w.write_framed(&s).unwrap();
    f.extend(w.finish().unwrap());
    f
}

/// A new live store of group 1 in `dir`.
pub fn new_live(dir: &Path) -> LiveStore {
    LiveStore::open(dir, 1, true).unwrap()
}

/// A new live store in a new temp folder (keep the folder while in use).
pub fn temp_live(name: &str) -> (TempDir, LiveStore) {
    let t = TempDir::new(name);
    let s = new_live(t.path());
    (t, s)
}

pub fn sp(name: &str, vt: ValType) -> SchemaPredicate {
    SchemaPredicate::new(name, vt)
}

/// Adds or changes predicates at `ts`.
pub fn alter_preds(s: &LiveStore, ts: u64, preds: Vec<SchemaPredicate>) {
    s.alter(
        ts,
        &AlterRequest {
            predicates: preds,
            ..Default::default()
        },
    )
    .unwrap();
}

/// The error of an alter of one predicate that must be refused.
pub fn alter_refused(s: &LiveStore, ts: u64, pred: SchemaPredicate) -> StoreError {
    s.alter(
        ts,
        &AlterRequest {
            predicates: vec![pred],
            ..Default::default()
        },
    )
    .unwrap_err()
}

pub fn set_str(subject: u64, p: &str, v: &str) -> Edge {
    Edge::set_value(subject, p, v.as_bytes(), ValType::String)
}

pub fn set_int(subject: u64, p: &str, v: i64) -> Edge {
    Edge::set_value(subject, p, &v.to_le_bytes(), ValType::Int)
}

impl crate::store::db::PostingStore {
    /// Every LMDB entry whose key starts with `prefix` (empty: all), in key order.
    pub(crate) fn raw_entries(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let rtxn = self.read_txn().unwrap();
        let mut out = Vec::new();
        self.postings_db()
            .visit_prefix(&rtxn, prefix, &mut |k, v| {
                out.push((k.to_vec(), v.to_vec()));
                Ok(true)
            })
            .unwrap();
        out
    }
}
