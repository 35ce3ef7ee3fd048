//! The engine under a posting store: plain (LMDB, [`lmdb`]) or sealed, every
//! page encrypted at rest (SQLCipher, [`sqlcipher`]). Nothing above this
//! module sees the difference.
//!
//! One discipline serves both: every read copies what it returns (`get`) or
//! hands it to a callback before reading on (`visit`, which reads a bounded
//! batch of entries, then calls back with them while no read is open).
//! Callbacks may therefore read and write the same transaction.

mod lmdb;
mod sqlcipher;
#[cfg(test)]
mod tests;

use super::error::{Result, StoreCode, StoreError};
use std::cell::{RefCell, RefMut};
use std::ops::Bound;
use std::path::Path;

/// Length of a data key (AES-256).
pub const DATA_KEY_LEN: usize = 32;
/// `visit` reads at most this many entries, or about this many bytes, per batch.
const BATCH_ENTRIES: usize = 512;
/// The first batch of a visit: most visits stop after an entry or two (the
/// newest version of a key), so a visit starts small and doubles.
const FIRST_BATCH_ENTRIES: usize = 4;
const BATCH_BYTES: usize = 1 << 20;

/// The data key of a store encrypted at rest: AES-256, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey(pub [u8; DATA_KEY_LEN]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

pub(crate) enum Environment {
    Plain(heed::Env<heed::WithoutTls>),
    Sealed(Box<sqlcipher::Env>),
}

#[derive(Clone, Copy)]
pub(crate) enum Db {
    Plain(lmdb::Db),
    Sealed(sqlcipher::Db),
}

/// A read or write transaction. Shared (`&Txn`) by every function that reads
/// or writes in it; each engine call borrows it for its own length only.
pub struct Txn<'e>(RefCell<Kind<'e>>);

enum Kind<'e> {
    Plain(lmdb::Txn<'e>),
    Sealed(sqlcipher::Txn<'e>),
}

/// Options of [`Environment::open`].
pub(crate) struct EnvOptions<'k> {
    pub map_size: usize,
    pub max_dbs: u32,
    /// The data key of a sealed store; `None`: plain.
    pub data_key: Option<&'k DataKey>,
}

/// True when `dir` holds a store's file (plain or sealed).
pub(crate) fn holds_store(dir: &Path) -> bool {
    dir.join(lmdb::FILE).is_file() || dir.join(sqlcipher::FILE).is_file()
}

impl Environment {
    /// Opens (creating the files if absent) the store in `dir`: sealed when a
    /// key is given. A store of the other kind is refused, naming what to do.
    ///
    /// # Safety
    /// The folder must not be modified by anything but the engine while it is
    /// open (file locks guard against other processes; one path opens once
    /// per process).
    pub unsafe fn open(dir: &Path, o: &EnvOptions<'_>) -> Result<Self> {
        let shown = dir.display();
        let (plain, sealed) = (
            dir.join(lmdb::FILE).is_file(),
            dir.join(sqlcipher::FILE).is_file(),
        );
        match o.data_key {
            Some(_) if plain && !sealed => Err(StoreError::new(
                StoreCode::Sealed,
                format!(
                    "{shown} is not encrypted at rest, and a key was given: open it without one"
                ),
            )),
            None if sealed => Err(StoreError::new(
                StoreCode::Sealed,
                format!("{shown} is encrypted at rest: it opens only with its key"),
            )),
            Some(k) => sqlcipher::open(dir, &k.0).map(|e| Environment::Sealed(Box::new(e))),
            None => lmdb::open(dir, o.map_size, o.max_dbs).map(Environment::Plain),
        }
    }

    /// Creates (`create`) or opens the two named databases, in one committed
    /// transaction. `Ok(None)` when opening and one of them is missing.
    pub fn databases(&self, names: [&str; 2], create: bool) -> Result<Option<[Db; 2]>> {
        Ok(match self {
            Environment::Plain(e) => lmdb::databases(e, names, create)?.map(|d| d.map(Db::Plain)),
            Environment::Sealed(e) => e.databases(names, create)?.map(|d| d.map(Db::Sealed)),
        })
    }

    pub fn read_txn(&self) -> Result<Txn<'_>> {
        let k = match self {
            Environment::Plain(e) => Kind::Plain(lmdb::Kind::Read(e.read_txn()?)),
            Environment::Sealed(e) => Kind::Sealed(e.read_txn()?),
        };
        Ok(Txn(RefCell::new(k)))
    }

    pub fn write_txn(&self) -> Result<Txn<'_>> {
        let k = match self {
            Environment::Plain(e) => Kind::Plain(lmdb::Kind::Write(e.write_txn()?)),
            Environment::Sealed(e) => Kind::Sealed(e.write_txn()?),
        };
        Ok(Txn(RefCell::new(k)))
    }

    /// The name of the file holding the store's pages in its folder.
    pub fn file_name(&self) -> &'static str {
        match self {
            Environment::Plain(_) => lmdb::FILE,
            Environment::Sealed(_) => sqlcipher::FILE,
        }
    }

    pub fn max_key_size(&self) -> usize {
        match self {
            Environment::Plain(e) => e.max_key_size(),
            Environment::Sealed(_) => sqlcipher::MAX_KEY,
        }
    }

    pub fn force_sync(&self) -> Result<()> {
        match self {
            Environment::Plain(e) => e.force_sync()?,
            Environment::Sealed(e) => e.force_sync()?,
        }
        Ok(())
    }

    /// Closes the store and waits until the engine has released it.
    pub fn close(self) {
        match self {
            Environment::Plain(e) => e.prepare_for_closing().wait(),
            Environment::Sealed(e) => (*e).close(),
        }
    }
}

impl<'e> Txn<'e> {
    fn kind(&self) -> Result<RefMut<'_, Kind<'e>>> {
        // Never fails: no callback runs while a transaction is borrowed.
        self.0
            .try_borrow_mut()
            .map_err(|_| StoreError::corrupt("store transaction used re-entrantly"))
    }

    /// Commits a write transaction (a read transaction just ends).
    pub fn commit(self) -> Result<()> {
        match self.0.into_inner() {
            Kind::Plain(t) => t.commit(),
            Kind::Sealed(t) => t.commit(),
        }
    }
}

/// Calls `$plain(db, txn, ..)` or `$sealed(db, txn, ..)`, whichever engine
/// `$db` and `$txn` are of.
macro_rules! dispatch {
    ($db:expr, $txn:expr, $f:ident $(, $arg:expr)*) => {{
        let mut k = $txn.kind()?;
        match ($db, &mut *k) {
            (Db::Plain(db), Kind::Plain(t)) => lmdb::$f(db, t $(, $arg)*),
            (Db::Sealed(db), Kind::Sealed(t)) => sqlcipher::$f(*db, t $(, $arg)*),
            _ => Err(StoreError::corrupt("a database used in another store's transaction")),
        }
    }};
}

/// Entries read by one step of [`Db::visit`]: keys and values back to back.
#[derive(Default)]
struct Batch {
    /// Entries this batch takes before it is full.
    capacity: usize,
    bytes: Vec<u8>,
    /// (key end, value end) offsets into `bytes`, each entry after the last.
    ends: Vec<(usize, usize)>,
}

impl Batch {
    fn push(&mut self, k: &[u8], v: &[u8]) -> bool {
        self.bytes.extend_from_slice(k);
        let ke = self.bytes.len();
        self.bytes.extend_from_slice(v);
        self.ends.push((ke, self.bytes.len()));
        self.ends.len() < self.capacity && self.bytes.len() < BATCH_BYTES
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    fn entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut start = 0;
        self.ends.iter().map(move |&(ke, ve)| {
            let e = (&self.bytes[start..ke], &self.bytes[ke..ve]);
            start = ve;
            e
        })
    }
}

type Range<'a> = (Bound<&'a [u8]>, Bound<&'a [u8]>);

/// A callback of [`Db::visit`]: `(key, value)`; false stops the visit.
pub(crate) type EntryFn<'f> = dyn FnMut(&[u8], &[u8]) -> Result<bool> + 'f;

impl Db {
    /// The value of `key`, copied.
    pub fn get(&self, txn: &Txn<'_>, key: &[u8]) -> Result<Option<Vec<u8>>> {
        dispatch!(self, txn, get, key)
    }

    /// The last key of the database, copied.
    pub fn last_key(&self, txn: &Txn<'_>) -> Result<Option<Vec<u8>>> {
        dispatch!(self, txn, last_key)
    }

    /// Number of entries.
    pub fn len(&self, txn: &Txn<'_>) -> Result<u64> {
        dispatch!(self, txn, len)
    }

    /// Calls `f(key, value)` for the entries in `[start, end]` bounds, in key
    /// order, until it returns false. `f` may read and write `txn`: entries
    /// are read in batches, and the next batch starts after the last key of
    /// the one before (so an entry `f` deletes or adds behind is not seen).
    pub fn visit(
        &self,
        txn: &Txn<'_>,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        f: &mut EntryFn<'_>,
    ) -> Result<()> {
        let mut batch = Batch {
            capacity: FIRST_BATCH_ENTRIES,
            ..Batch::default()
        };
        let mut after: Option<Vec<u8>> = None;
        loop {
            let from = match &after {
                Some(k) => Bound::Excluded(&k[..]),
                // LMDB cannot seek to an empty key.
                None if start == Bound::Included(&[][..]) => Bound::Unbounded,
                None => start,
            };
            let more = dispatch!(self, txn, read_batch, (from, end), &mut batch)?;
            for (k, v) in batch.entries() {
                if !f(k, v)? {
                    return Ok(());
                }
            }
            if !more {
                return Ok(());
            }
            after = batch.entries().last().map(|(k, _)| k.to_vec());
            batch.clear();
            batch.capacity = (batch.capacity * 2).min(BATCH_ENTRIES);
        }
    }

    /// [`Self::visit`] of the keys starting with `prefix` (empty: all).
    pub fn visit_prefix(&self, txn: &Txn<'_>, prefix: &[u8], f: &mut EntryFn<'_>) -> Result<()> {
        self.visit(
            txn,
            Bound::Included(prefix),
            Bound::Unbounded,
            &mut |k, v| Ok(k.starts_with(prefix) && f(k, v)?),
        )
    }

    pub fn put(&self, txn: &Txn<'_>, key: &[u8], value: &[u8]) -> Result<()> {
        dispatch!(self, txn, put, false, key, value)
    }

    /// Puts a key past the last one (LMDB: `MDB_APPEND`, pages filled, not split).
    pub fn append(&self, txn: &Txn<'_>, key: &[u8], value: &[u8]) -> Result<()> {
        dispatch!(self, txn, put, true, key, value)
    }

    pub fn delete(&self, txn: &Txn<'_>, key: &[u8]) -> Result<bool> {
        dispatch!(self, txn, delete, key)
    }

    pub fn clear(&self, txn: &Txn<'_>) -> Result<()> {
        dispatch!(self, txn, clear)
    }

    /// Deletes every key starting with `prefix` (non-empty); returns how many.
    pub fn delete_prefix(&self, txn: &Txn<'_>, prefix: &[u8]) -> Result<u64> {
        dispatch!(self, txn, delete_prefix, prefix)
    }
}
