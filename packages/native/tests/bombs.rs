//! Decompression and length bombs, each built here and read through the
//! public [`Reader`] while a counting global allocator tracks the heap: every
//! lie about a length is a typed error, and valid data that inflates a
//! thousandfold comes out in bounded pieces (`ReadOutput::more`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use strata_native::codec::error::{ErrorCode, Result};
use strata_native::codec::gzip::compress_member;
use strata_native::codec::reader::{ReadMode, Reader, ReaderConfig, OUTPUT_PER_CALL};
use strata_native::codec::snappy::{masked_crc, S2_STREAM_ID};
use strata_native::store::{LoadOptions, RestoreWriter};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            if new > l.size() {
                grew(new - l.size());
            } else {
                LIVE.fetch_sub(l.size() - new, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const MIB: usize = 1 << 20;
/// What any of these inputs may cost on the heap while it is read.
const HEAP_LIMIT: usize = 128 * MIB;

/// The heap's peak above its level at the start, while `f` runs.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let t = f();
    (t, PEAK.load(Relaxed).saturating_sub(base))
}

/// What reading gave: decompressed bytes (or frames in 'stats' mode), and the
/// largest output of one call.
#[derive(Debug)]
struct Got {
    total: u64,
    largest_call: usize,
}

/// Reads `file` in 64 KiB pushes as a well-behaved caller does: after each
/// push, empty pushes while `more`. Outputs are dropped at once.
fn read(file: &[u8], mode: ReadMode) -> Result<Got> {
    let mut r = Reader::new(ReaderConfig {
        mode,
        threads: Some(2),
        ..Default::default()
    })?;
    r.set_chunks(true);
    let mut got = Got {
        total: 0,
        largest_call: 0,
    };
    let take = |o: strata_native::codec::reader::ReadOutput, got: &mut Got| {
        let n: usize = o.chunks.iter().flatten().map(Vec::len).sum();
        got.total += n as u64;
        got.largest_call = got.largest_call.max(n);
        if let Some(s) = o.stats {
            got.total = s.frames;
        }
        o.more
    };
    for piece in file.chunks(64 << 10) {
        let mut more = take(r.push(piece)?, &mut got);
        while more {
            more = take(r.push(&[])?, &mut got);
        }
    }
    take(r.finish()?, &mut got);
    Ok(got)
}

fn gzip(parts: &[&[u8]], zeros: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    for p in parts {
        enc.write_all(p).unwrap();
    }
    let block = vec![0u8; MIB];
    for _ in 0..zeros / MIB {
        enc.write_all(&block).unwrap();
    }
    enc.finish().unwrap()
}

fn s2_chunk(block: &[u8], crc: u32, out: &mut Vec<u8>) {
    let len = (4 + block.len()) as u32;
    out.push(0x00);
    out.extend_from_slice(&len.to_le_bytes()[..3]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(block);
}

/// 65,536 S2 chunks of 12 bytes, each claiming 4 MiB (256 GiB in all) and
/// holding nothing: CORRUPT, and no 4 MiB is reserved ahead of the data.
fn s2_lying_chunks() {
    let mut f = S2_STREAM_ID.to_vec();
    for _ in 0..65_536 {
        // uvarint 4 MiB (80 80 80 02), no elements
        s2_chunk(&[0x80, 0x80, 0x80, 0x02], 0, &mut f);
    }
    assert_eq!(f.len(), 10 + 65_536 * 12);
    for mode in [ReadMode::Bytes, ReadMode::Stats] {
        let (r, peak) = peak_during(|| read(&f, mode));
        let e = r.unwrap_err();
        assert_eq!(e.code, ErrorCode::Corrupt, "{e}");
        assert!(e.message.contains("snappy chunk 2 at offset 10"), "{e}");
        eprintln!("S2 lying chunks ({mode:?}): peak heap {} KiB", peak >> 10);
        assert!(peak < 16 * MIB, "peak {peak}");
    }
}

/// 64 valid S2 chunks of 21 bytes, each giving 4 MiB of zeros (empty
/// frames): 256 MiB out of 1.3 KiB, in pieces of at most the call budget.
fn s2_valid_chunks() {
    // literal 00, copy offset 1 length 4, repeat (offset 1) of 65540 + x
    let mut block = vec![0x80, 0x80, 0x80, 0x02, 0x00, 0x00, 0x01, 0x01];
    let rest = 4 * MIB - 1 - 4 - 65_540;
    block.extend_from_slice(&[(7 << 2) | 1, 0x00]);
    block.extend_from_slice(&(rest as u32).to_le_bytes()[..3]);
    let crc = masked_crc(&vec![0u8; 4 * MIB]);
    let mut f = S2_STREAM_ID.to_vec();
    for _ in 0..64 {
        s2_chunk(&block, crc, &mut f);
    }
    let (got, peak) = peak_during(|| read(&f, ReadMode::Bytes).unwrap());
    assert_eq!(got.total, 256 * MIB as u64);
    // (a call also hands out batches still in flight from earlier calls:
    // at most 2 * threads + 2 of them, each under BATCH_DECODED + one block)
    assert!(got.largest_call <= OUTPUT_PER_CALL + 6 * 8 * MIB, "{got:?}");
    eprintln!(
        "S2 valid 4 MiB chunks: {} B in, 256 MiB out, largest call {} MiB, peak heap {} MiB",
        f.len(),
        got.largest_call / MIB,
        peak / MIB
    );
    assert!(peak < HEAP_LIMIT, "peak {peak}");
}

/// One gzip member of ~0.5 MB inflating 1000x to 512 MiB of zeros (empty
/// frames): valid, so it is read, in bounded pieces.
fn gzip_thousandfold() {
    let f = gzip(&[], 512 * MIB);
    assert!(f.len() < 1 << 20, "{}", f.len());
    let (got, peak) = peak_during(|| read(&f, ReadMode::Bytes).unwrap());
    assert_eq!(got.total, 512 * MIB as u64);
    assert!(got.largest_call <= OUTPUT_PER_CALL + MIB, "{got:?}");
    eprintln!(
        "gzip {} B -> 512 MiB (bytes): largest call {} MiB, peak heap {} MiB",
        f.len(),
        got.largest_call / MIB,
        peak / MIB
    );
    assert!(peak < HEAP_LIMIT, "peak {peak}");
    let (got, peak) = peak_during(|| read(&f, ReadMode::Stats).unwrap());
    assert_eq!(got.total, (512 * MIB / 8) as u64);
    eprintln!("gzip 512 MiB (stats): peak heap {} MiB", peak / MIB);
    assert!(peak < HEAP_LIMIT, "peak {peak}");
}

/// An indexed member whose SB subfield claims 4 GiB: TOO_LARGE at once.
fn gzip_claimed_4_gib() {
    let mut f = compress_member(&0u64.to_le_bytes(), 6); // one empty frame
    let at = f.len();
    let mut bomb = compress_member(&[0u8; 1000], 6);
    bomb[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    f.extend_from_slice(&bomb);
    f.extend_from_slice(&[0u8; 4 << 10]);
    let (r, peak) = peak_during(|| read(&f, ReadMode::Bytes));
    let e = r.unwrap_err();
    assert_eq!(e.code, ErrorCode::TooLarge, "{e}");
    assert!(
        e.message.contains(&format!(
            "gzip member 2 at offset {at} claims 4294967295 bytes"
        )),
        "{e}"
    );
    eprintln!("gzip SB member size 4 GiB: peak heap {} KiB", peak >> 10);
    assert!(peak < 4 * MIB, "peak {peak}");
}

/// A frame header claiming 1 GiB, followed by 64 MiB of zeros: TOO_LARGE
/// at once, the body is never collected.
fn frame_of_1_gib() {
    let f = gzip(&[&(1u64 << 30).to_le_bytes()], 64 * MIB);
    for mode in [ReadMode::Bytes, ReadMode::Kvs, ReadMode::Stats] {
        let (r, peak) = peak_during(|| read(&f, mode));
        let e = r.unwrap_err();
        assert_eq!(e.code, ErrorCode::TooLarge, "{e}");
        assert!(
            e.message
                .starts_with("frame 1 at decompressed offset 0 claims 1073741824 bytes"),
            "{e}"
        );
        // (the first call's output, up to its budget, is decoded before
        // the frame stage meets the header)
        eprintln!("frame of 1 GiB ({mode:?}): peak heap {} MiB", peak / MIB);
        assert!(peak < OUTPUT_PER_CALL + 16 * MIB, "peak {peak}");
    }
}

/// A restore (the native RestoreWriter) of a file that inflates a thousandfold: 256 MiB of zero
/// bytes are 32 Mi empty frames. The writer must take the reader's output in bounded pieces.
fn restore_of_gzip_thousandfold() {
    let f = gzip(&[], 256 * MIB);
    let dir = std::env::temp_dir().join(format!("strata-bomb-restore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut w = RestoreWriter::create(&dir, 1).unwrap();
    let opts = LoadOptions {
        key: None,
        compression: Default::default(),
        predicates: Default::default(),
        type_fields: None,
        threads: None,
        batch_bytes: None,
        source: Some("bomb.backup".into()),
        value_names: Default::default(),
    };
    let (stats, peak) = peak_during(|| w.load_stream(std::io::Cursor::new(&f), &opts).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(stats.kvs, 0);
    assert!(peak < HEAP_LIMIT, "restore peak heap {} MiB", peak / MIB);
}

#[test]
fn bombs_give_typed_errors_or_bounded_output_on_a_small_heap() {
    // one test: the allocator's counters are process-wide
    s2_lying_chunks();
    s2_valid_chunks();
    gzip_thousandfold();
    gzip_claimed_4_gib();
    frame_of_1_gib();
    restore_of_gzip_thousandfold();
}
