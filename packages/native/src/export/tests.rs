//! External sort and export stream tests: many tiny runs still give sorted
//! unique lines, chunks concatenate to the in-memory export, and the temp
//! folder is gone after success, error and abort.

use super::runs::{RunSorter, MAX_FAN_IN};
use super::stream::{ExportSource, ExportStream};
use super::ExportOptions;
use crate::format::proto::ValType;
use crate::store::live::{Edge, LiveStore, SchemaPredicate};
use crate::store::test_support::{alter_preds, set_int, set_str, sp, temp_live, TempDir};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

/// Lines with duplicates, in a scrambled order; one holds a `\n` inside.
fn lines(n: u64) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = (0..n)
        .map(|i| format!("<{:#x}> <p> \"{}\" .\n", (i * 7919) % 97, i % 13).into_bytes())
        .collect();
    v.push(b"<0x1> <p> \"a\nb\" .\n".to_vec());
    v
}

fn drain(s: RunSorter) -> Vec<Vec<u8>> {
    let mut m = s.finish().unwrap();
    let mut out = Vec::new();
    while let Some(l) = m.next_line().unwrap() {
        out.push(l.to_vec());
    }
    assert_eq!(m.lines(), out.len() as u64);
    out
}

#[test]
fn many_tiny_runs_give_sorted_unique_lines_and_leave_no_files() {
    let t = TempDir::new("export-runs");
    let input = lines(500);
    let want: Vec<Vec<u8>> = input
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // every line spills its own run: more runs than one merge takes
    let mut s = RunSorter::new(t.path().to_path_buf(), 1);
    for l in &input {
        s.push(l.clone()).unwrap();
    }
    assert!(s.runs() > MAX_FAN_IN, "{} runs", s.runs());
    assert_eq!(entries(t.path()), 1);
    let mut m = s.finish().unwrap();
    assert_eq!(m.next_line().unwrap(), Some(&want[0][..]));
    drop(m);
    assert_eq!(entries(t.path()), 0, "temp folder left after drop");

    let mut s = RunSorter::new(t.path().to_path_buf(), 300);
    for l in &input {
        s.push(l.clone()).unwrap();
    }
    let got = drain(s);
    assert_eq!(got, want);
    assert_eq!(entries(t.path()), 0, "temp folder left after the merge");
}

#[test]
fn a_sorter_dropped_after_spilling_leaves_no_files() {
    let t = TempDir::new("export-drop");
    let mut s = RunSorter::new(t.path().to_path_buf(), 64);
    for l in lines(50) {
        s.push(l).unwrap();
    }
    assert!(s.runs() > 1);
    drop(s);
    assert_eq!(entries(t.path()), 0);
}

#[test]
fn a_run_buffer_that_never_fills_writes_no_file() {
    let t = TempDir::new("export-mem");
    let mut s = RunSorter::new(t.path().to_path_buf(), 1 << 20);
    for l in lines(50) {
        s.push(l).unwrap();
    }
    assert_eq!((s.runs(), entries(t.path())), (0, 0));
    let want = lines(50).into_iter().collect::<BTreeSet<_>>();
    assert_eq!(drain(s), want.into_iter().collect::<Vec<_>>());
}

/// Every run file under `dir` (in the sorter's temp folder), with its bytes.
fn run_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for tmp in std::fs::read_dir(dir).unwrap() {
        for run in std::fs::read_dir(tmp.unwrap().path()).unwrap() {
            let p = run.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            out.push((p, bytes));
        }
    }
    out
}

#[test]
fn run_files_hold_no_plaintext_and_read_back_whole() {
    let t = TempDir::new("export-sealed-runs");
    let secret =
        |i: u32| format!("<0x{i:x}> <zanzibar_secret> \"Quetzalcoatl {i}\" .\n").into_bytes();
    let mut s = RunSorter::new(t.path().to_path_buf(), 2048);
    for i in (0..400u32).rev() {
        s.push(secret(i)).unwrap();
    }
    let runs = run_files(t.path());
    assert!(runs.len() > 3, "{} runs", runs.len());
    for (p, bytes) in &runs {
        for needle in [&b"zanzibar_secret"[..], b"Quetzalcoatl", b"<0x"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds {:?} in plaintext",
                p.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
    let mut want: Vec<Vec<u8>> = (0..400u32).map(secret).collect();
    want.sort();
    assert_eq!(drain(s), want);
}

#[test]
fn a_changed_run_file_is_refused_not_allocated() {
    let t = TempDir::new("export-changed-run");
    let mut s = RunSorter::new(t.path().to_path_buf(), 64);
    for l in lines(40) {
        s.push(l).unwrap();
    }
    // Flip the bits of the first record's length (after the 16-byte IV): CTR flips them alike
    // in the plaintext, so it reads as about 4 GiB.
    let (p, mut bytes) = run_files(t.path()).remove(0);
    for b in &mut bytes[16..20] {
        *b ^= 0xff;
    }
    std::fs::write(&p, &bytes).unwrap();
    let err = s.finish().err().expect("a changed run is refused");
    assert!(
        err.message().contains("longer than any line written"),
        "{}",
        err.message()
    );
    assert_eq!(entries(t.path()), 0, "temp folder left after the error");
}

fn filled_store(name: &str) -> (TempDir, Arc<LiveStore>) {
    let (t, s) = temp_live(name);
    alter_preds(
        &s,
        1,
        vec![
            sp("name", ValType::String),
            sp("age", ValType::Int),
            SchemaPredicate {
                list: true,
                ..sp("friend", ValType::Uid)
            },
        ],
    );
    let mut edges = Vec::new();
    for u in 1..=300u64 {
        edges.push(set_str(u, "name", &format!("person {}", u % 41)));
        edges.push(set_int(u, "age", (u % 90) as i64));
        edges.push(Edge::set_uid(u, "friend", (u * 31) % 300 + 1));
        edges.push(Edge::set_uid(u, "friend", (u * 17) % 300 + 1));
    }
    s.apply_mutations(2, &edges).unwrap();
    (t, Arc::new(s))
}

fn opts(tmp: &Path, run_bytes: usize) -> ExportOptions {
    ExportOptions {
        read_ts: Some(5),
        tmp_dir: Some(tmp.to_path_buf()),
        run_bytes: Some(run_bytes),
    }
}

#[test]
fn stream_chunks_are_the_in_memory_export() {
    let (_t, s) = filled_store("export-stream");
    let want = s.export_rdf(5).unwrap();
    assert!(want.facts > 1100, "{} facts", want.facts);
    let tmp = TempDir::new("export-stream-tmp");
    let st = ExportStream::new(
        ExportSource::Live(Arc::clone(&s)),
        opts(tmp.path(), 512),
        Some(100),
    );
    assert!(st.schema().is_none());
    let mut data = Vec::new();
    let mut chunks = 0;
    while let Some(c) = st.next_chunk().unwrap() {
        assert!(c.ends_with(b"\n"));
        assert!(c.len() < 100 + 64, "chunk of {} bytes", c.len());
        if chunks == 0 {
            assert_eq!(entries(tmp.path()), 1, "runs were spilled");
            assert_eq!(st.schema().unwrap(), want.schema);
        }
        chunks += 1;
        data.extend_from_slice(&c);
    }
    assert!(chunks > 100);
    assert_eq!(data, want.data);
    assert_eq!(st.summary().unwrap(), (want.schema.clone(), want.facts));
    assert_eq!(st.next_chunk().unwrap(), None);
    assert_eq!(entries(tmp.path()), 0, "temp folder left after success");
}

#[test]
fn abort_and_errors_remove_the_temp_folder() {
    let (_t, s) = filled_store("export-abort");
    let tmp = TempDir::new("export-abort-tmp");
    let st = ExportStream::new(
        ExportSource::Live(Arc::clone(&s)),
        opts(tmp.path(), 512),
        Some(100),
    );
    assert!(st.next_chunk().unwrap().is_some());
    assert_eq!(entries(tmp.path()), 1);
    st.abort();
    assert_eq!(entries(tmp.path()), 0, "temp folder left after abort");
    let e = st.next_chunk().unwrap_err();
    assert!(e.message().contains("aborted"), "{e}");

    // a store folder that does not exist: the error ends the stream
    let st = ExportStream::new(
        ExportSource::Dirs(vec![tmp.join("missing").into()]),
        opts(tmp.path(), 512),
        None,
    );
    assert!(st.next_chunk().is_err());
    assert!(st.next_chunk().is_err());
    assert_eq!(entries(tmp.path()), 0);

    // a temp folder that cannot be made: a clear IO error
    let st = ExportStream::new(
        ExportSource::Live(s),
        opts(&tmp.join("nope/deeper"), 512),
        None,
    );
    let e = st.next_chunk().unwrap_err();
    assert_eq!(e.code(), "IO");
    assert!(e.message().contains("temp folder"), "{e}");
}
