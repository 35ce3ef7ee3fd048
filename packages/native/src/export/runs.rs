//! External sort of export lines with bounded memory.
//!
//! Lines go into a run buffer; when the buffer holds `run_bytes` it is
//! sorted, deduplicated and spilled to a run file in a private temp folder.
//! [`RunSorter::finish`] returns a [`Merger`] that yields every line once, in
//! bytewise order, by a k-way merge (a `BinaryHeap` over buffered readers)
//! of the runs. Run files hold length-prefixed records (a line may hold any
//! byte, a `\n` too). The temp folder is removed when the sorter or the
//! merger is dropped: on success, on error and on abort alike.
//!
//! Run files are never plaintext: each is a random IV then AES-256-CTR under
//! a key drawn for its temp folder and held only in memory, so the user data
//! an export spills (from a store encrypted at rest or not) is unreadable on
//! disk, and unreadable for good once the process is gone. A record longer
//! than any line pushed is refused (a changed file), never allocated.

use crate::codec::aes_ctr::{random_iv, AesCtr, IV_LEN};
use crate::store::error::{Result, StoreError};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Default run buffer: 32 MiB of lines.
pub const DEFAULT_RUN_BYTES: usize = 32 << 20;
/// Smallest run buffer accepted (tests force many runs with it).
pub const MIN_RUN_BYTES: usize = 1;
/// Largest run buffer accepted.
pub const MAX_RUN_BYTES: usize = 1 << 30;
/// Runs merged at once; more runs are first merged into bigger runs.
pub const MAX_FAN_IN: usize = 64;
/// Bookkeeping counted per buffered line on top of its allocation: the
/// `Vec` itself and the allocator's header.
const LINE_OVERHEAD: usize = std::mem::size_of::<Vec<u8>>() + 16;
const IO_BUF: usize = 64 << 10;

static NEXT_DIR: AtomicU64 = AtomicU64::new(0);

/// A private folder for run files, removed with its content on drop, and the
/// key its runs are encrypted with (zeroed on drop).
pub struct TempDir {
    path: PathBuf,
    key: [u8; 32],
}

impl TempDir {
    pub fn new(parent: &Path) -> Result<TempDir> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::io(format!("cannot draw the export's temp file key: {e}")))?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        for _ in 0..16 {
            let n = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
            let path = parent.join(format!(
                ".strata-export-{}-{nanos:x}-{n}",
                std::process::id()
            ));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir { path, key }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(StoreError::io(format!(
                        "cannot create the export's temp folder in {}: {e}",
                        parent.display()
                    )))
                }
            }
        }
        Err(StoreError::io(format!(
            "cannot create the export's temp folder in {}: names taken",
            parent.display()
        )))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
        self.key.fill(0);
    }
}

fn cipher(key: &[u8; 32], iv: &[u8; IV_LEN], path: &Path) -> Result<AesCtr> {
    AesCtr::new(key, iv)
        .map_err(|e| StoreError::io(format!("export temp file {}: {e}", path.display())))
}

/// A run file's bytes encrypted on the way to disk.
struct SealedFile {
    f: File,
    c: AesCtr,
    scratch: Vec<u8>,
}

impl Write for SealedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.scratch.clear();
        self.scratch.extend_from_slice(buf);
        self.c.apply(&mut self.scratch);
        self.f.write_all(&self.scratch)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.f.flush()
    }
}

/// A run file's bytes decrypted as they are read.
struct OpenedFile {
    f: File,
    c: AesCtr,
}

impl Read for OpenedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.f.read(buf)?;
        self.c.apply(&mut buf[..n]);
        Ok(n)
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::io(format!("export temp file {}: {what}: {e}", path.display()))
}

/// Collects lines; spills sorted unique runs when the buffer is full.
pub struct RunSorter {
    run_bytes: usize,
    parent: PathBuf,
    buf: Vec<Vec<u8>>,
    bytes: usize,
    dir: Option<TempDir>,
    runs: Vec<PathBuf>,
    next_run: u64,
    /// The longest line pushed: no record of a run can be longer.
    longest: usize,
}

impl RunSorter {
    /// `parent`: where the temp folder is made (only once a run spills).
    pub fn new(parent: PathBuf, run_bytes: usize) -> RunSorter {
        RunSorter {
            run_bytes: run_bytes.clamp(MIN_RUN_BYTES, MAX_RUN_BYTES),
            parent,
            buf: Vec::new(),
            bytes: 0,
            dir: None,
            runs: Vec::new(),
            next_run: 0,
            longest: 0,
        }
    }

    pub fn push(&mut self, line: Vec<u8>) -> Result<()> {
        self.longest = self.longest.max(line.len());
        self.bytes += line.capacity() + LINE_OVERHEAD;
        self.buf.push(line);
        if self.bytes >= self.run_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// The run files written so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// The temp folder (made on the first spill) and the path of a new run in it.
    fn new_run(&mut self) -> Result<(&TempDir, PathBuf)> {
        if self.dir.is_none() {
            self.dir = Some(TempDir::new(&self.parent)?);
        }
        self.next_run += 1;
        let name = format!("run-{}", self.next_run);
        match &self.dir {
            Some(dir) => Ok((dir, dir.path().join(name))),
            None => Err(StoreError::io("the export's temp folder is gone")),
        }
    }

    fn sort_buf(&mut self) {
        self.buf.sort_unstable();
        self.buf.dedup();
    }

    fn spill(&mut self) -> Result<()> {
        self.sort_buf();
        let (dir, path) = self.new_run()?;
        let mut w = RunWriter::create(&path, &dir.key)?;
        for line in self.buf.drain(..) {
            w.write(&line)?;
        }
        w.finish()?;
        self.runs.push(path);
        self.bytes = 0;
        // Give back the pointer array too: the next run starts small.
        self.buf = Vec::new();
        Ok(())
    }

    /// Sorts what is left and returns the merge of every run.
    pub fn finish(mut self) -> Result<Merger> {
        if self.runs.is_empty() {
            self.sort_buf();
            let lines = std::mem::take(&mut self.buf);
            return Ok(Merger::new(Source::Memory(lines.into_iter()), None));
        }
        if !self.buf.is_empty() {
            self.spill()?;
        }
        let longest = self.longest;
        while self.runs.len() > MAX_FAN_IN {
            let group: Vec<PathBuf> = self.runs.drain(..MAX_FAN_IN).collect();
            let (dir, path) = self.new_run()?;
            let mut w = RunWriter::create(&path, &dir.key)?;
            let mut m = Merger::new(Source::files(&group, &dir.key, longest)?, None);
            while let Some(line) = m.next_line()? {
                w.write(line)?;
            }
            w.finish()?;
            for g in &group {
                let _ = fs::remove_file(g);
            }
            self.runs.push(path);
        }
        let dir = self
            .dir
            .take()
            .ok_or_else(|| StoreError::io("the export's temp folder is gone"))?;
        let src = Source::files(&self.runs, &dir.key, longest)?;
        Ok(Merger::new(src, Some(dir)))
    }
}

struct RunWriter<'a> {
    path: &'a Path,
    w: BufWriter<SealedFile>,
}

impl<'a> RunWriter<'a> {
    fn create(path: &'a Path, key: &[u8; 32]) -> Result<RunWriter<'a>> {
        let iv = random_iv().map_err(|e| StoreError::io(format!("export temp file: {e}")))?;
        let mut f = File::create(path).map_err(|e| io_err("create", path, e))?;
        f.write_all(&iv).map_err(|e| io_err("write", path, e))?;
        let sealed = SealedFile {
            f,
            c: cipher(key, &iv, path)?,
            scratch: Vec::new(),
        };
        Ok(RunWriter {
            path,
            w: BufWriter::with_capacity(IO_BUF, sealed),
        })
    }

    fn write(&mut self, line: &[u8]) -> Result<()> {
        let len = u32::try_from(line.len())
            .map_err(|_| StoreError::invalid("an export line is longer than 4 GiB"))?;
        self.w
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.w.write_all(line))
            .map_err(|e| io_err("write", self.path, e))
    }

    fn finish(mut self) -> Result<()> {
        self.w.flush().map_err(|e| io_err("write", self.path, e))
    }
}

struct RunReader {
    path: PathBuf,
    r: BufReader<OpenedFile>,
    longest: usize,
}

impl RunReader {
    fn open(path: &Path, key: &[u8; 32], longest: usize) -> Result<RunReader> {
        let mut f = File::open(path).map_err(|e| io_err("open", path, e))?;
        let mut iv = [0u8; IV_LEN];
        f.read_exact(&mut iv).map_err(|e| io_err("read", path, e))?;
        let c = cipher(key, &iv, path)?;
        Ok(RunReader {
            path: path.to_path_buf(),
            r: BufReader::with_capacity(IO_BUF, OpenedFile { f, c }),
            longest,
        })
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>> {
        let mut len = [0u8; 4];
        match self.r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io_err("read", &self.path, e)),
        }
        let len = u32::from_le_bytes(len) as usize;
        if len > self.longest {
            return Err(StoreError::corrupt(format!(
                "export temp file {}: a record of {len} bytes, longer than any line written ({}): the file was changed",
                self.path.display(),
                self.longest
            )));
        }
        let mut line = vec![0u8; len];
        self.r
            .read_exact(&mut line)
            .map_err(|e| io_err("read", &self.path, e))?;
        Ok(Some(line))
    }
}

enum Source {
    Memory(std::vec::IntoIter<Vec<u8>>),
    Files {
        readers: Vec<RunReader>,
        heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
    },
}

impl Source {
    fn files(paths: &[PathBuf], key: &[u8; 32], longest: usize) -> Result<Source> {
        let mut readers = Vec::with_capacity(paths.len());
        let mut heap = BinaryHeap::with_capacity(paths.len());
        for (i, p) in paths.iter().enumerate() {
            let mut r = RunReader::open(p, key, longest)?;
            if let Some(line) = r.next()? {
                heap.push(Reverse((line, i)));
            }
            readers.push(r);
        }
        Ok(Source::Files { readers, heap })
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::Files { readers, heap } => {
                let Some(Reverse((line, i))) = heap.pop() else {
                    return Ok(None);
                };
                if let Some(next) = readers[i].next()? {
                    heap.push(Reverse((next, i)));
                }
                Ok(Some(line))
            }
        }
    }
}

/// Every line of the runs once, in bytewise order.
pub struct Merger {
    src: Source,
    prev: Option<Vec<u8>>,
    lines: u64,
    _dir: Option<TempDir>,
}

impl Merger {
    fn new(src: Source, dir: Option<TempDir>) -> Merger {
        Merger {
            src,
            prev: None,
            lines: 0,
            _dir: dir,
        }
    }

    /// The next unique line (borrowed until the next call).
    pub fn next_line(&mut self) -> Result<Option<&[u8]>> {
        loop {
            let Some(line) = self.src.next()? else {
                return Ok(None);
            };
            if self.prev.as_deref() != Some(&line[..]) {
                self.lines += 1;
                self.prev = Some(line);
                return Ok(self.prev.as_deref());
            }
        }
    }

    /// Appends whole lines to `out` until it holds at least `max` bytes or
    /// the lines are done; returns false when no line was left.
    pub fn fill(&mut self, out: &mut Vec<u8>, max: usize) -> Result<bool> {
        let mut any = false;
        while out.len() < max {
            match self.next_line()? {
                Some(line) => {
                    out.extend_from_slice(line);
                    any = true;
                }
                None => break,
            }
        }
        Ok(any)
    }

    /// Unique lines returned so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }
}
