//! The live posting store of an Alpha: schema changes (`alter`), mutations
//! with index / reverse / count maintenance, and the reads the query layer
//! needs (`get_nodes`, `has_predicate`, `eq`, `reverse`), over the MVCC
//! posting store of [`super::db`].
//!
//! Every write is one LMDB write transaction (fsynced on commit), serialised
//! by a mutex. Reads use their own read transactions and may run in parallel.
//!
//! * [`types`]: requests and results; [`keys`]: the keys of a predicate;
//! * [`schema`]: schema entries; [`alter`]: schema changes and drops;
//! * [`mutate`] and [`edge`]: mutations; [`derived`]: index, reverse and
//!   count keys; [`lists`]: posting list I/O;
//! * [`reads`]: queries and the export of the open store; [`text_match`]:
//!   the word-matching functions (`anyofterms`, `alloftext`, ...);
//!   [`compare`]: `le lt ge gt between` and `eq` in a filter; [`geo_match`]:
//!   `near within contains intersects`; [`pattern_match`]: `regexp`, `match`;
//! * [`pending`]: open transactions' own writes, seen by their reads;
//!   [`horizon`]: which old versions a commit may delete.

mod alter;
mod compare;
mod derived;
mod edge;
mod geo_match;
mod horizon;
mod keys;
mod lists;
mod mutate;
mod pattern_match;
mod pending;
mod reads;
mod schema;
#[cfg(test)]
mod tests;
mod text_match;
mod types;

pub use compare::CompareOp;
pub use keys::{count_key, data_key, index_key, reverse_key, schema_key, type_key};
pub use pattern_match::Pattern;
pub use pending::MAX_PENDING_EDGES;
pub use reads::HasOf;
pub use text_match::TextMatch;
pub use types::{
    AlterRequest, Edge, EdgeOp, FacetInput, FactValue, LiveMeta, NodeFacts, PredicateFacts,
    SchemaPredicate, TypeDef,
};

use super::db::{OpenOptions, PostingStore, FORMAT_VERSION};
use super::engine::{holds_store, DataKey, Txn};
use super::error::{Result, StoreError};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

pub struct LiveStore {
    store: PostingStore,
    write: Mutex<()>,
    /// The uncommitted writes of open transactions (`pending.rs`).
    pending: pending::Pending,
    /// Below which a commit keeps only a key's newest version (`horizon.rs`).
    horizon: horizon::Horizon,
}

impl LiveStore {
    /// Opens the store in `dir` (or creates it when `create` and the folder
    /// does not exist or is empty). A store of another group, of a newer
    /// format, or of an unfinished restore is refused.
    pub fn open(dir: &Path, group: u32, create: bool) -> Result<Self> {
        Self::open_sealed(dir, group, create, None)
    }

    /// [`Self::open`] of a store encrypted at rest with `data_key` (`None`: plain).
    pub fn open_sealed(
        dir: &Path,
        group: u32,
        create: bool,
        data_key: Option<DataKey>,
    ) -> Result<Self> {
        let create = create && !holds_store(dir);
        let opts = OpenOptions::for_group(group, create).sealed(data_key);
        let store = PostingStore::open(dir, &opts)?;
        if create {
            let mut m = store.meta()?;
            m.complete = true;
            store.set_meta(&m)?;
        }
        store.check_complete()?;
        let mut m = store.meta()?;
        // This store's commits may write uid deltas, which older builds
        // cannot read: say so in the format they check.
        if m.format_version < FORMAT_VERSION {
            m.format_version = FORMAT_VERSION;
            store.set_meta(&m)?;
        }
        let horizon = horizon::Horizon::new(m.read_ts);
        Ok(LiveStore {
            store,
            write: Mutex::new(()),
            pending: pending::Pending::default(),
            horizon,
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

    /// Serialises the writers.
    fn lock(&self) -> MutexGuard<'_, ()> {
        // The guard protects no data: a panic in an earlier writer leaves
        // nothing inconsistent (its transaction was aborted).
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Commits must come in order.
    fn check_ts(&self, commit_ts: u64) -> Result<()> {
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

    fn bump_meta(&self, wtxn: &Txn<'_>, commit_ts: u64, max_uid: u64) -> Result<()> {
        let mut m = self.store.meta()?;
        m.read_ts = m.read_ts.max(commit_ts);
        m.max_uid = m.max_uid.max(max_uid);
        self.store.put_meta(wtxn, &m)
    }
}
