//! The uncommitted writes of open transactions, as the reads of those
//! transactions see them (Dgraph shows a transaction its own writes).
//!
//! A transaction is known by its start ts, which is also the read ts of every
//! read it makes. [`LiveStore::set_pending`] keeps its edges in memory; a read
//! at that ts then runs in an LMDB *write* transaction that applies them at
//! the start ts (over the snapshot at that ts, with the very code a commit
//! uses, so index, reverse and count keys are the ones a commit would write)
//! and is aborted when the read ends: nothing is ever written. Reads at any
//! other ts use plain read transactions, as before.
//!
//! Such a read holds the writers' lock while it runs, so a transaction's reads
//! cost every writer a wait of the length of one read plus applying its edges;
//! the number of pending edges is bounded by [`MAX_PENDING_EDGES`].

use super::horizon::{ReadPin, PIN_TTL};
use super::lists::At;
use super::mutate::check_edges;
use super::{Edge, LiveStore};
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};

/// A transaction with more uncommitted edges than this cannot read them.
pub const MAX_PENDING_EDGES: usize = 100_000;

/// The pending edges of each open transaction, by start ts.
#[derive(Default)]
pub struct Pending(Mutex<HashMap<u64, Arc<Vec<Edge>>>>);

impl Pending {
    fn map(&self) -> MutexGuard<'_, HashMap<u64, Arc<Vec<Edge>>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a read runs in: a read transaction, or an aborted-on-drop write
/// transaction holding a transaction's own writes; its read ts stays in the
/// horizon while it lives (`horizon.rs`).
pub struct View<'e> {
    // Field order matters: the transaction ends (a write one aborted) before the
    // writers' lock is released and its ts is unpinned.
    txn: Txn<'e>,
    _writers: Option<MutexGuard<'e, ()>>,
    _pin: ReadPin<'e>,
}

impl<'e> Deref for View<'e> {
    type Target = Txn<'e>;
    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl LiveStore {
    /// Sets the uncommitted edges of the transaction started at `start_ts`
    /// (all of them, replacing what was set before); reads at `start_ts` see
    /// them until [`Self::clear_pending`].
    pub fn set_pending(&self, start_ts: u64, edges: Vec<Edge>) -> Result<()> {
        if start_ts == 0 || start_ts == u64::MAX {
            return Err(StoreError::invalid("startTs must be in 1..2^64-1"));
        }
        if edges.len() > MAX_PENDING_EDGES {
            return Err(StoreError::invalid(format!(
                "a transaction can read its own writes up to {MAX_PENDING_EDGES} edges, this one holds {}",
                edges.len()
            )));
        }
        check_edges(&edges)?;
        let mut m = self.pending.map();
        if edges.is_empty() {
            self.horizon.release(start_ts);
            m.remove(&start_ts);
        } else {
            // Its reads will be at its start ts: keep what they need while it is open.
            self.horizon.pin_for(start_ts, PIN_TTL);
            m.insert(start_ts, Arc::new(edges));
        }
        Ok(())
    }

    /// Forgets a transaction's edges (committed or aborted); whether it had some.
    pub fn clear_pending(&self, start_ts: u64) -> bool {
        self.horizon.release(start_ts);
        self.pending.map().remove(&start_ts).is_some()
    }

    /// The oldest start ts open anywhere in the cluster (`None`: none), as
    /// Zero last told the Alpha: its reads keep what they need while the
    /// Alpha keeps saying so (`horizon.rs`).
    pub fn hold_from(&self, oldest_open: Option<u64>) {
        self.horizon.hold_from(oldest_open);
    }

    /// How many transactions have edges set (tests).
    pub fn pending_count(&self) -> usize {
        self.pending.map().len()
    }

    /// The transaction a read at `read_ts` runs in.
    pub(super) fn view(&self, read_ts: u64) -> Result<View<'_>> {
        let pin = self.horizon.read(read_ts);
        let edges = self.pending.map().get(&read_ts).cloned();
        let Some(edges) = edges else {
            return Ok(View {
                txn: self.store.read_txn()?,
                _writers: None,
                _pin: pin,
            });
        };
        let guard = self.lock();
        let wtxn = self.store.write_txn()?;
        // Aborted when the read ends: nothing to prune.
        let at = At {
            ts: read_ts,
            horizon: 0,
        };
        self.apply_in(&wtxn, at, &edges)?;
        Ok(View {
            txn: wtxn,
            _writers: Some(guard),
            _pin: pin,
        })
    }
}
