//! The LMDB environment under a posting store: plain, or sealed (every page
//! encrypted on its way to disk with AES-256-GCM, `mdb.master3`'s page-level
//! encryption through `heed3`). Nothing above this file sees the difference.
//!
//! One discipline serves both: a sealed environment decrypts pages into a
//! cache that a later read may reuse, so a value read is only valid until
//! the next read. Here every read copies what it returns (`get`) or hands it
//! to a callback before reading on (`visit`, which reads a bounded batch of
//! entries, then calls back with them while no LMDB read is open). Callbacks
//! may therefore read and write the same transaction.

use super::error::{Result, StoreError};
use aes_gcm::Aes256Gcm;
use heed3::types::Bytes;
use heed3::{
    CommitOrAbort, Database, EncryptedDatabase, EncryptedEnv, Env, EnvOpenOptions, PutFlags, RoTxn,
    RwTxn, WithoutTls,
};
use std::cell::{RefCell, RefMut};
use std::ops::Bound;
use std::path::Path;

/// Length of a data key (AES-256).
pub const DATA_KEY_LEN: usize = 32;
/// `visit` reads at most this many entries, or about this many bytes, per batch.
const BATCH_ENTRIES: usize = 512;
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
    Plain(Env<WithoutTls>),
    Sealed(EncryptedEnv<WithoutTls>),
}

#[derive(Clone, Copy)]
pub(crate) enum Db {
    Plain(Database<'static, Bytes, Bytes>),
    Sealed(EncryptedDatabase<'static, Bytes, Bytes>),
}

/// A read or write transaction. Shared (`&Txn`) by every function that reads
/// or writes in it; each LMDB call borrows it for its own length only.
pub struct Txn<'e>(RefCell<Kind<'e>>);

enum Kind<'e> {
    Read(RoTxn<'e, WithoutTls>),
    Write(RwTxn<'e>),
}

/// Options of [`Environment::open`].
pub(crate) struct EnvOptions<'k> {
    pub map_size: usize,
    pub max_dbs: u32,
    /// The data key of a sealed environment; `None`: plain.
    pub data_key: Option<&'k DataKey>,
}

impl Environment {
    /// Opens (creating the files if absent) the environment in `dir`.
    ///
    /// # Safety
    /// The folder must not be modified by anything but LMDB while it is open
    /// (LMDB's lock file guards against other processes; heed3 refuses to
    /// open one path twice in a process).
    pub unsafe fn open(dir: &Path, o: &EnvOptions<'_>) -> heed3::Result<Self> {
        if is_lmdb_09_file(&dir.join("data.mdb")) {
            return Err(heed3::Error::Mdb(heed3::MdbError::VersionMismatch));
        }
        let mut eo = EnvOpenOptions::new().read_txn_without_tls();
        eo.map_size(o.map_size).max_dbs(o.max_dbs);
        Ok(match o.data_key {
            None => Environment::Plain(eo.open(dir)?),
            Some(k) => {
                let key = aes_gcm::Key::<Aes256Gcm>::from(k.0);
                Environment::Sealed(eo.open_encrypted::<Aes256Gcm, _>(key, dir)?)
            }
        })
    }

    /// Creates (`create`) or opens the two named databases, in one committed
    /// transaction. `Ok(None)` when opening and one of them is missing.
    pub fn databases(&self, names: [&str; 2], create: bool) -> heed3::Result<Option<[Db; 2]>> {
        macro_rules! each {
            ($env:expr, $wrap:path) => {{
                let env = $env;
                let out = env.create_databases_and_commit(env.write_txn()?, |o, w| {
                    let mut one = |n: &str| {
                        if create {
                            o.create_database::<Bytes, Bytes>(w, Some(n)).map(Some)
                        } else {
                            o.open_database::<Bytes, Bytes>(w, Some(n))
                        }
                    };
                    let dbs = [one(names[0])?, one(names[1])?];
                    heed3::Result::Ok(CommitOrAbort::<_, ()>::Commit(dbs))
                })?;
                Ok(match out.unwrap_commit() {
                    [Some(a), Some(b)] => Some([$wrap(a), $wrap(b)]),
                    _ => None,
                })
            }};
        }
        match self {
            Environment::Plain(env) => each!(env, Db::Plain),
            Environment::Sealed(env) => each!(env, Db::Sealed),
        }
    }

    pub fn read_txn(&self) -> Result<Txn<'_>> {
        let t = match self {
            Environment::Plain(e) => e.read_txn()?,
            Environment::Sealed(e) => e.read_txn()?,
        };
        Ok(Txn(RefCell::new(Kind::Read(t))))
    }

    pub fn write_txn(&self) -> Result<Txn<'_>> {
        let t = match self {
            Environment::Plain(e) => e.write_txn()?,
            Environment::Sealed(e) => e.write_txn()?,
        };
        Ok(Txn(RefCell::new(Kind::Write(t))))
    }

    pub fn max_key_size(&self) -> usize {
        match self {
            Environment::Plain(e) => e.max_key_size(),
            Environment::Sealed(e) => e.max_key_size(),
        }
    }

    pub fn force_sync(&self) -> Result<()> {
        match self {
            Environment::Plain(e) => e.force_sync()?,
            Environment::Sealed(e) => e.force_sync()?,
        }
        Ok(())
    }

    /// Closes the environment and waits until LMDB has released it.
    pub fn close(self) {
        match self {
            Environment::Plain(e) => e.prepare_for_closing().wait(),
            Environment::Sealed(e) => e.prepare_for_closing().wait(),
        }
    }
}

/// True for a file in LMDB 0.9's layout (Strata's stores before heed3): its
/// first page is a meta page whose magic sits at offset 16, followed by data
/// version 1. mdb.master3 reads such a file as invalid, not as an older one.
fn is_lmdb_09_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 24];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    read.is_ok() && head[16..20] == 0xBEEF_C0DEu32.to_le_bytes() && head[20..24] == [1, 0, 0, 0]
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
        if let Kind::Write(t) = self.0.into_inner() {
            t.commit()?;
        }
        Ok(())
    }
}

impl<'e> Kind<'e> {
    fn ro(&mut self) -> &mut RoTxn<'e, WithoutTls> {
        match self {
            Kind::Read(t) => t,
            Kind::Write(t) => t,
        }
    }

    fn rw(&mut self) -> Result<&mut RwTxn<'e>> {
        match self {
            Kind::Write(t) => Ok(t),
            Kind::Read(_) => Err(StoreError::corrupt("a write in a read transaction")),
        }
    }
}

/// Entries read by one step of [`Db::visit`]: keys and values back to back.
#[derive(Default)]
struct Batch {
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
        self.ends.len() < BATCH_ENTRIES && self.bytes.len() < BATCH_BYTES
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
        let mut k = txn.kind()?;
        let t = k.ro();
        Ok(match self {
            Db::Plain(db) => db.get(t, key)?.map(<[u8]>::to_vec),
            Db::Sealed(db) => db.get(t, key)?.map(<[u8]>::to_vec),
        })
    }

    /// The last key of the database, copied.
    pub fn last_key(&self, txn: &Txn<'_>) -> Result<Option<Vec<u8>>> {
        let mut k = txn.kind()?;
        let t = k.ro();
        Ok(match self {
            Db::Plain(db) => db.last(t)?.map(|(k, _)| k.to_vec()),
            Db::Sealed(db) => db.last(t)?.map(|(k, _)| k.to_vec()),
        })
    }

    /// Number of entries.
    pub fn len(&self, txn: &Txn<'_>) -> Result<u64> {
        let mut k = txn.kind()?;
        let t = k.ro();
        Ok(match self {
            Db::Plain(db) => db.len(t)?,
            Db::Sealed(db) => db.len(t)?,
        })
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
        let mut batch = Batch::default();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let from = match &after {
                Some(k) => Bound::Excluded(&k[..]),
                // LMDB cannot seek to an empty key.
                None if start == Bound::Included(&[][..]) => Bound::Unbounded,
                None => start,
            };
            let more = self.read_batch(txn, (from, end), &mut batch)?;
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

    /// Fills `batch` from `range`; true when it stopped full (more may follow).
    fn read_batch(&self, txn: &Txn<'_>, range: Range<'_>, batch: &mut Batch) -> Result<bool> {
        let mut k = txn.kind()?;
        let t = k.ro();
        macro_rules! fill {
            ($iter:expr) => {{
                for item in $iter {
                    let (k, v) = item?;
                    if !batch.push(k, v) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }};
        }
        match self {
            Db::Plain(db) => fill!(db.range(t, &range)?),
            Db::Sealed(db) => fill!(db.range(t, &range)?),
        }
    }

    pub fn put(&self, txn: &Txn<'_>, key: &[u8], value: &[u8]) -> Result<()> {
        self.put_with(txn, PutFlags::empty(), key, value)
    }

    /// Puts a key past the last one (`MDB_APPEND`: pages filled, not split).
    pub fn append(&self, txn: &Txn<'_>, key: &[u8], value: &[u8]) -> Result<()> {
        self.put_with(txn, PutFlags::APPEND, key, value)
    }

    fn put_with(&self, txn: &Txn<'_>, flags: PutFlags, key: &[u8], value: &[u8]) -> Result<()> {
        let mut k = txn.kind()?;
        let t = k.rw()?;
        match self {
            Db::Plain(db) => db.put_with_flags(t, flags, key, value)?,
            Db::Sealed(db) => db.put_with_flags(t, flags, key, value)?,
        }
        Ok(())
    }

    pub fn delete(&self, txn: &Txn<'_>, key: &[u8]) -> Result<bool> {
        let mut k = txn.kind()?;
        let t = k.rw()?;
        Ok(match self {
            Db::Plain(db) => db.delete(t, key)?,
            Db::Sealed(db) => db.delete(t, key)?,
        })
    }

    pub fn clear(&self, txn: &Txn<'_>) -> Result<()> {
        let mut k = txn.kind()?;
        let t = k.rw()?;
        match self {
            Db::Plain(db) => db.clear(t)?,
            Db::Sealed(db) => db.clear(t)?,
        }
        Ok(())
    }

    /// Deletes every key starting with `prefix` (non-empty); returns how many.
    pub fn delete_prefix(&self, txn: &Txn<'_>, prefix: &[u8]) -> Result<u64> {
        let mut k = txn.kind()?;
        let t = k.rw()?;
        let mut n = 0u64;
        macro_rules! del {
            ($iter:expr) => {{
                let mut it = $iter;
                while it.next().transpose()?.is_some() {
                    // SAFETY: no reference into the database is kept across the deletion.
                    unsafe { it.del_current()? };
                    n += 1;
                }
            }};
        }
        match self {
            Db::Plain(db) => del!(db.prefix_iter_mut(t, prefix)?),
            Db::Sealed(db) => del!(db.prefix_iter_mut::<()>(t, prefix)?),
        }
        Ok(n)
    }
}
