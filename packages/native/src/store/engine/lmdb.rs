//! A plain store's engine: LMDB 0.9 through `heed`, pages in the clear.
//! The shape of every function is the one [`super::Db`] dispatches to.

use super::{Batch, Range};
use crate::store::error::{Result, StoreCode, StoreError};
use heed::types::Bytes;
use heed::{Database, Env, EnvOpenOptions, PutFlags, RoTxn, RwTxn, WithoutTls};
use std::path::Path;

/// The file LMDB keeps a store's pages in.
pub const FILE: &str = "data.mdb";

pub(crate) type Txn<'e> = Kind<'e>;

pub(crate) enum Kind<'e> {
    Read(RoTxn<'e, WithoutTls>),
    Write(RwTxn<'e>),
}

impl<'e> Kind<'e> {
    fn ro(&self) -> &RoTxn<'e, WithoutTls> {
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

    pub fn commit(self) -> Result<()> {
        if let Kind::Write(t) = self {
            t.commit()?;
        }
        Ok(())
    }
}

/// Opens (creating the files if absent) the environment in `dir`.
///
/// # Safety
/// The folder must not be modified by anything but LMDB while it is open
/// (LMDB's lock file guards against other processes; heed refuses to open
/// one path twice in a process).
pub unsafe fn open(dir: &Path, map_size: usize, max_dbs: u32) -> Result<Env<WithoutTls>> {
    let mut eo = EnvOpenOptions::new().read_txn_without_tls();
    eo.map_size(map_size).max_dbs(max_dbs);
    eo.open(dir).map_err(|e| match e {
        heed::Error::EnvAlreadyOpened => StoreError::new(
            StoreCode::Busy,
            format!(
                "{} is already open in this process: close the other PostingStore (or RestoreWriter) first",
                dir.display()
            ),
        ),
        e => StoreError::io(format!("cannot open the store at {}: {e}", dir.display())),
    })
}

pub type Db = Database<Bytes, Bytes>;

/// Creates (`create`) or opens the named databases, in one committed transaction.
pub fn databases(env: &Env<WithoutTls>, names: [&str; 2], create: bool) -> Result<Option<[Db; 2]>> {
    let mut w = env.write_txn()?;
    let mut one = |n: &str| -> Result<Option<Db>> {
        Ok(if create {
            Some(env.create_database(&mut w, Some(n))?)
        } else {
            env.open_database(&w, Some(n))?
        })
    };
    let dbs = [one(names[0])?, one(names[1])?];
    // Commit (not abort): DBIs opened in an aborted transaction are closed.
    w.commit()?;
    Ok(match dbs {
        [Some(a), Some(b)] => Some([a, b]),
        _ => None,
    })
}

pub fn get(db: &Db, t: &Txn<'_>, key: &[u8]) -> Result<Option<Vec<u8>>> {
    Ok(db.get(t.ro(), key)?.map(<[u8]>::to_vec))
}

pub fn last_key(db: &Db, t: &Txn<'_>) -> Result<Option<Vec<u8>>> {
    Ok(db.last(t.ro())?.map(|(k, _)| k.to_vec()))
}

pub fn len(db: &Db, t: &Txn<'_>) -> Result<u64> {
    Ok(db.len(t.ro())?)
}

pub fn read_batch(db: &Db, t: &Txn<'_>, range: Range<'_>, batch: &mut Batch) -> Result<bool> {
    for item in db.range(t.ro(), &range)? {
        let (k, v) = item?;
        if !batch.push(k, v) {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn put(db: &Db, t: &mut Txn<'_>, append: bool, key: &[u8], value: &[u8]) -> Result<()> {
    let flags = if append {
        PutFlags::APPEND
    } else {
        PutFlags::empty()
    };
    db.put_with_flags(t.rw()?, flags, key, value)?;
    Ok(())
}

pub fn delete(db: &Db, t: &mut Txn<'_>, key: &[u8]) -> Result<bool> {
    Ok(db.delete(t.rw()?, key)?)
}

pub fn clear(db: &Db, t: &mut Txn<'_>) -> Result<()> {
    db.clear(t.rw()?)?;
    Ok(())
}

pub fn delete_prefix(db: &Db, t: &mut Txn<'_>, prefix: &[u8]) -> Result<u64> {
    let mut n = 0u64;
    let mut it = db.prefix_iter_mut(t.rw()?, prefix)?;
    while it.next().transpose()?.is_some() {
        // SAFETY: no reference into the database is kept across the deletion.
        unsafe { it.del_current()? };
        n += 1;
    }
    Ok(n)
}
