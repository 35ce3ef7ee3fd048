//! A sealed store's engine: SQLite with SQLCipher, one table per database
//! (`k BLOB PRIMARY KEY, v BLOB`, without rowid, so rows are kept in key order
//! as LMDB keeps them). SQLCipher encrypts every page on its way to disk,
//! write-ahead log frames included, with AES-256 and authenticates it with
//! HMAC-SHA256 (see `connect`); the file's only plaintext is its random salt. What an attacker
//! with the disk sees is the file's size.
//!
//! Transactions: one writer connection (a write transaction holds it, as LMDB
//! allows one writer), and a pool of reader connections, each read
//! transaction on its own snapshot (write-ahead log mode: readers never wait
//! for the writer). The data key is given raw (`x'…'`), so no password
//! derivation runs when a connection opens.

use super::{Batch, Range};
use crate::store::error::{Result, StoreCode, StoreError};
use rusqlite::{params_from_iter, Connection, OpenFlags};
use std::cell::Cell;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The file a sealed store's pages are kept in (with `-wal` and `-shm` beside it).
pub const FILE: &str = "sealed.db";
/// The longest key: the same as a plain store's (LMDB's limit with
/// `longer-keys` on 4 KiB pages), so every store takes the same keys.
pub const MAX_KEY: usize = 1982;
/// Page cache of the writer, and of each reader (KiB).
const WRITER_CACHE_KIB: u32 = 64 << 10;
const READER_CACHE_KIB: u32 = 8 << 10;
/// Reader connections kept open between read transactions.
const IDLE_READERS: usize = 8;

/// Store files open in this process: a second open of one is refused, as
/// LMDB refuses it for plain stores.
static OPEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub(crate) struct Env {
    path: PathBuf,
    /// `PRAGMA key`'s value: the raw key in hex.
    key: String,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Rows per table as of the last commit (SQLite keeps no total, and a count scans the table:
    /// counted once at open, then kept by the writes).
    rows: [AtomicU64; 2],
    /// Last: dropped after the connections.
    _claim: Claim,
}

/// The two databases a store has.
#[derive(Clone, Copy)]
pub(crate) enum Db {
    Postings = 0,
    Meta = 1,
}

impl Db {
    fn index(self) -> usize {
        self as usize
    }

    fn table(self) -> &'static str {
        match self {
            Db::Postings => "postings",
            Db::Meta => "meta",
        }
    }
}

/// Opens (creating it if absent) the sealed store file in `dir` with `key`.
/// A wrong key is refused before anything is written.
pub fn open(dir: &Path, key: &[u8; 32]) -> Result<Env> {
    let path = dir.join(FILE);
    let claim = claim(&path, dir)?;
    let key = format!("x'{}'", hex(key));
    let opened = connect(&path, &key, WRITER_CACHE_KIB).and_then(|c| {
        c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(|e| sql_error(e, "cannot set up the store"))?;
        Ok(c)
    });
    let writer = opened?;
    Ok(Env {
        path,
        key,
        writer: Mutex::new(writer),
        readers: Mutex::new(Vec::new()),
        rows: [AtomicU64::new(0), AtomicU64::new(0)],
        _claim: claim,
    })
}

/// This process's hold on a store file: released when dropped, whether the
/// store was closed or only dropped (an export's, a failed open's).
struct Claim(PathBuf);

impl Drop for Claim {
    fn drop(&mut self) {
        OPEN.lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|p| p != &self.0);
    }
}

fn claim(path: &Path, dir: &Path) -> Result<Claim> {
    let mut open = OPEN.lock().unwrap_or_else(|p| p.into_inner());
    if open.iter().any(|p| p == path) {
        return Err(StoreError::new(
            StoreCode::Busy,
            format!(
                "{} is already open in this process: close the other PostingStore (or RestoreWriter) first",
                dir.display()
            ),
        ));
    }
    open.push(path.to_path_buf());
    Ok(Claim(path.to_path_buf()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A connection with the key set and checked (the first page's
/// authentication: a wrong key fails here, before any write).
fn connect(path: &Path, key: &str, cache_kib: u32) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let c = Connection::open_with_flags(path, flags)
        .map_err(|e| sql_error(e, "cannot open the store"))?;
    // SQLCipher's own log would print a wrong key's failed check on stderr:
    // the error returned says it.
    c.execute_batch("PRAGMA cipher_log_level = NONE;")
        .map_err(|e| sql_error(e, "cannot set up the store"))?;
    c.execute_batch(&format!("PRAGMA key = \"{key}\";"))
        .map_err(|e| sql_error(e, "cannot set the store's key"))?;
    // HMAC-SHA256 (SHA extensions in current CPUs) rather than SQLCipher 4's SHA512 default:
    // a page's authentication was the largest cost of a sealed load. Fixed for every store
    // (the file does not record it).
    c.execute_batch(
        "PRAGMA cipher_hmac_algorithm = HMAC_SHA256; PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA256;",
    )
    .map_err(|e| sql_error(e, "cannot set the store's cipher"))?;
    c.execute_batch(&format!(
        "PRAGMA cipher_memory_security = OFF; PRAGMA temp_store = MEMORY; \
         PRAGMA cache_size = -{cache_kib}; PRAGMA busy_timeout = 60000;"
    ))
    .map_err(|e| sql_error(e, "cannot set up the store"))?;
    c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| sql_error(e, "cannot read the store"))?;
    c.set_prepared_statement_cache_capacity(64);
    Ok(c)
}

/// A store error for SQLCipher's `e`, `doing` what.
pub(crate) fn sql_error(e: rusqlite::Error, doing: &str) -> StoreError {
    use rusqlite::ffi::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::new(
            StoreCode::Sealed,
            "the store does not open with the key given (its pages fail their authentication check): \
             it was written with another key, or changed on disk",
        ),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::new(
            StoreCode::Busy,
            format!("{doing}: another process holds the store"),
        ),
        _ => StoreError::io(format!("{doing}: SQLCipher: {e}")),
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        sql_error(e, "store")
    }
}

impl Env {
    /// Creates (`create`) or finds the two tables.
    pub fn databases(&self, names: [&str; 2], create: bool) -> Result<Option<[Db; 2]>> {
        let dbs = names.map(|n| match n {
            "postings" => Ok(Db::Postings),
            "meta" => Ok(Db::Meta),
            n => Err(StoreError::corrupt(format!("no sealed table {n}"))),
        });
        let [a, b] = dbs;
        let dbs = [a?, b?];
        let w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        for db in dbs {
            let t = db.table();
            if create {
                w.execute_batch(&format!(
                    "CREATE TABLE IF NOT EXISTS {t} (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;"
                ))?;
            } else {
                let n: i64 = w.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [t],
                    |r| r.get(0),
                )?;
                if n == 0 {
                    return Ok(None);
                }
            }
            let n: i64 = w.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
            self.rows[db.index()].store(n as u64, Ordering::Relaxed);
        }
        Ok(Some(dbs))
    }

    pub fn read_txn(&self) -> Result<Txn<'_>> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let c = match pooled {
            Some(c) => c,
            None => connect(&self.path, &self.key, READER_CACHE_KIB)?,
        };
        // The snapshot is taken at the first read: take it now, as LMDB does.
        c.execute_batch("BEGIN DEFERRED; SELECT count(*) FROM sqlite_master;")?;
        Ok(Txn::Read(Reader {
            env: self,
            conn: Some(c),
        }))
    }

    pub fn write_txn(&self) -> Result<Txn<'_>> {
        let c = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        c.execute_batch("BEGIN IMMEDIATE;")?;
        Ok(Txn::Write(Writer {
            env: self,
            conn: c,
            open: true,
            rows: Cell::new([0, 0]),
        }))
    }

    /// Folds the write-ahead log into the file (commits are already durable).
    pub fn force_sync(&self) -> Result<()> {
        if let Ok(w) = self.writer.try_lock() {
            w.execute_batch("PRAGMA wal_checkpoint(PASSIVE);")?;
        }
        Ok(())
    }

    /// Folds the log into the file, closes every connection, frees the path.
    pub fn close(self) {
        self.readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        let w = self.writer.into_inner().unwrap_or_else(|p| p.into_inner());
        let _ = w.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
        drop(w);
        // The claim goes last, with the rest of `self`, once every connection is closed.
    }
}

pub(crate) enum Txn<'e> {
    Read(Reader<'e>),
    Write(Writer<'e>),
}

pub(crate) struct Reader<'e> {
    env: &'e Env,
    conn: Option<Connection>,
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if c.execute_batch("ROLLBACK;").is_ok() {
                let mut pool = self.env.readers.lock().unwrap_or_else(|p| p.into_inner());
                if pool.len() < IDLE_READERS {
                    pool.push(c);
                }
            }
        }
    }
}

pub(crate) struct Writer<'e> {
    env: &'e Env,
    conn: MutexGuard<'e, Connection>,
    open: bool,
    /// Rows this transaction added (removed: negative) per table, counted in at commit.
    rows: Cell<[i64; 2]>,
}

impl Writer<'_> {
    fn count(&self, db: Db, delta: i64) {
        let mut r = self.rows.get();
        r[db.index()] += delta;
        self.rows.set(r);
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK;");
        }
    }
}

impl Txn<'_> {
    fn conn(&self) -> &Connection {
        match self {
            Txn::Read(r) => r
                .conn
                .as_ref()
                .expect("a reader has its connection until dropped"),
            Txn::Write(w) => &w.conn,
        }
    }

    fn writer(&self) -> Result<&Writer<'_>> {
        match self {
            Txn::Write(w) => Ok(w),
            Txn::Read(_) => Err(StoreError::corrupt("a write in a read transaction")),
        }
    }

    /// Rows of `db` as this transaction sees them (a read: as of the last commit).
    fn rows(&self, db: Db) -> u64 {
        let i = db.index();
        match self {
            Txn::Read(r) => r.env.rows[i].load(Ordering::Relaxed),
            Txn::Write(w) => {
                let committed = w.env.rows[i].load(Ordering::Relaxed) as i64;
                (committed + w.rows.get()[i]).max(0) as u64
            }
        }
    }

    pub fn commit(self) -> Result<()> {
        if let Txn::Write(mut w) = self {
            w.conn.execute_batch("COMMIT;")?;
            w.open = false;
            for (i, d) in w.rows.get().into_iter().enumerate() {
                let n = &w.env.rows[i];
                let now = (n.load(Ordering::Relaxed) as i64 + d).max(0);
                n.store(now as u64, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

fn blob<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r [u8]> {
    row.get_ref(i)?
        .as_blob()
        .map_err(|_| StoreError::corrupt("a sealed store row is not a blob"))
}

pub fn get(db: Db, t: &Txn<'_>, key: &[u8]) -> Result<Option<Vec<u8>>> {
    let sql = format!("SELECT v FROM {} WHERE k = ?1", db.table());
    let mut st = t.conn().prepare_cached(&sql)?;
    let mut rows = st.query([key])?;
    Ok(match rows.next()? {
        Some(r) => Some(blob(r, 0)?.to_vec()),
        None => None,
    })
}

pub fn last_key(db: Db, t: &Txn<'_>) -> Result<Option<Vec<u8>>> {
    let sql = format!("SELECT k FROM {} ORDER BY k DESC LIMIT 1", db.table());
    let mut st = t.conn().prepare_cached(&sql)?;
    let mut rows = st.query([])?;
    Ok(match rows.next()? {
        Some(r) => Some(blob(r, 0)?.to_vec()),
        None => None,
    })
}

/// Number of rows: in a write transaction, with its own writes; in a read one, as of the last
/// commit, not of its snapshot (the count is kept in memory: counting would scan the table).
pub fn len(db: Db, t: &Txn<'_>) -> Result<u64> {
    Ok(t.rows(db))
}

pub fn read_batch(db: Db, t: &Txn<'_>, range: Range<'_>, batch: &mut Batch) -> Result<bool> {
    let mut conds = Vec::new();
    let mut params: Vec<&[u8]> = Vec::new();
    for (bound, incl, excl) in [(range.0, "k >= ?", "k > ?"), (range.1, "k <= ?", "k < ?")] {
        match bound {
            Bound::Included(k) => {
                conds.push(incl);
                params.push(k);
            }
            Bound::Excluded(k) => {
                conds.push(excl);
                params.push(k);
            }
            Bound::Unbounded => {}
        }
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let sql = format!(
        "SELECT k, v FROM {}{filter} ORDER BY k LIMIT {}",
        db.table(),
        batch.capacity
    );
    let mut st = t.conn().prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(params))?;
    while let Some(r) = rows.next()? {
        if !batch.push(blob(r, 0)?, blob(r, 1)?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Puts `key` (`_append`, a hint LMDB uses, is not needed: rows are kept in key order).
pub fn put(db: Db, t: &Txn<'_>, _append: bool, key: &[u8], value: &[u8]) -> Result<()> {
    let w = t.writer()?;
    // Nearly every put is a new key (a new version); an existing one is updated in place.
    let insert = format!(
        "INSERT OR IGNORE INTO {} (k, v) VALUES (?1, ?2)",
        db.table()
    );
    if w.conn.prepare_cached(&insert)?.execute((key, value))? == 1 {
        w.count(db, 1);
    } else {
        let update = format!("UPDATE {} SET v = ?2 WHERE k = ?1", db.table());
        w.conn.prepare_cached(&update)?.execute((key, value))?;
    }
    Ok(())
}

pub fn delete(db: Db, t: &Txn<'_>, key: &[u8]) -> Result<bool> {
    let sql = format!("DELETE FROM {} WHERE k = ?1", db.table());
    let w = t.writer()?;
    let gone = w.conn.prepare_cached(&sql)?.execute([key])? > 0;
    if gone {
        w.count(db, -1);
    }
    Ok(gone)
}

pub fn clear(db: Db, t: &Txn<'_>) -> Result<()> {
    let w = t.writer()?;
    let n = w.conn.execute(&format!("DELETE FROM {}", db.table()), [])?;
    w.count(db, -(n as i64));
    Ok(())
}

/// Deletes the keys starting with `prefix` (non-empty): the range from it up
/// to the first key past every key it starts.
pub fn delete_prefix(db: Db, t: &Txn<'_>, prefix: &[u8]) -> Result<u64> {
    let w = t.writer()?;
    let table = db.table();
    let n = match prefix_end(prefix) {
        Some(end) => w.conn.execute(
            &format!("DELETE FROM {table} WHERE k >= ?1 AND k < ?2"),
            (prefix, &end[..]),
        )?,
        None => w
            .conn
            .execute(&format!("DELETE FROM {table} WHERE k >= ?1"), [prefix])?,
    };
    w.count(db, -(n as i64));
    Ok(n as u64)
}

/// The least key greater than every key starting with `prefix` (none when
/// the prefix is all 0xff).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}
