//! Regenerates `src/store/text/checked_chars_table.rs`: the characters whose
//! term analysis this build has been measured to match Dgraph's, found by
//! asking Dgraph's own `tok` package (the tok-oracle that
//! `scripts/setup/dgraph.sh` builds beside each Dgraph binary) about every
//! code point below U+30000 in a few contexts; and, among those, the ones
//! Dgraph's word split types as ideographic (Han, kana), which its CJK
//! fulltext analysis joins into bigrams.
//!
//!     cargo run --release --no-default-features --example checked_chars -- \
//!       ~/.cache/strata/dgraph/v24.0.5/tok-oracle > /tmp/table.rs
//!     mv /tmp/table.rs src/store/text/checked_chars_table.rs
//!
//! (Not straight into the table: the crate compiles it, and an emptied
//! table would not build.)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use strata_native::store::text::words::words;

/// Each code point is tried alone, between letters, between digits, after a
/// capital sigma, doubled, at the start of a word and doubled inside one.
fn contexts(c: char) -> [String; 7] {
    [
        c.to_string(),
        format!("x{c}y"),
        format!("1{c}2"),
        format!("ΑΣ{c}"),
        format!("{c}{c}"),
        format!("a {c}b"),
        format!("x{c}{c}y"),
    ]
}

/// The letters of `cps` whose tripled run Dgraph's Chinese fulltext analysis
/// turns into one bigram (or one unigram, where normalisation changes a
/// character's length): ideographic tokens. A letter word stays whole.
fn ideographic(oracle: &str, cps: &[u32]) -> Vec<u32> {
    let letters: Vec<char> = cps
        .iter()
        .filter_map(|&cp| char::from_u32(cp))
        .filter(|c| c.is_alphabetic())
        .collect();
    let requests = letters
        .iter()
        .map(|&c| {
            let v: String = [c; 3].iter().collect();
            format!(r#"{{"t":"fulltext","lang":"zh","v":{}}}"#, json_str(&v))
        })
        .collect();
    let mut lines = ask(oracle, requests).into_iter();
    let mut out = Vec::new();
    for c in letters {
        let want = lines.next().expect("oracle line");
        let Some(n) = words(&c.to_string()).into_iter().next() else {
            continue;
        };
        let one = format!("[\"08{}\"]", hex(&n));
        let two = format!("[\"08{}{}\"]", hex(&n), hex(&n));
        if want == one || want == two {
            out.push(c as u32);
        }
    }
    out
}

/// Dgraph's answers (one line each) to `requests` (one JSON line each).
fn ask(oracle: &str, requests: Vec<String>) -> Vec<String> {
    let mut child = Command::new(oracle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("tok-oracle");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut w = std::io::BufWriter::new(&mut stdin);
        for r in requests {
            writeln!(w, "{r}").expect("write");
        }
    });
    let lines = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map(|l| l.expect("read"))
        .collect();
    writer.join().expect("writer");
    child.wait().expect("tok-oracle exit");
    lines
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn main() {
    let oracle = std::env::args()
        .nth(1)
        .expect("usage: checked_chars TOK_ORACLE");
    let chars: Vec<char> = (0x20u32..0x30000).filter_map(char::from_u32).collect();
    let requests = chars
        .iter()
        .flat_map(|&c| contexts(c))
        .map(|v| format!(r#"{{"t":"term","lang":"","v":{}}}"#, json_str(&v)))
        .collect();
    let mut lines = ask(&oracle, requests).into_iter();
    let (mut alone, mut after) = (Vec::new(), Vec::new());
    for c in &chars {
        let ok: Vec<bool> = contexts(*c)
            .iter()
            .map(|v| {
                let want = lines.next().expect("oracle line");
                let mut mine: Vec<String> = words(v)
                    .iter()
                    .map(|w| format!("\"01{}\"", hex(w)))
                    .collect();
                mine.sort();
                mine.dedup();
                let mine = if v.is_empty() {
                    "[\"01\"]".to_string()
                } else {
                    format!("[{}]", mine.join(","))
                };
                mine == want
            })
            .collect();
        if ok.iter().all(|&b| b) {
            alone.push(*c as u32);
        } else if ok[1] && ok[3] && ok[6] {
            after.push(*c as u32);
        }
    }
    let ideographic = ideographic(&oracle, &alone);
    let ranges = |cps: &[u32]| {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for &cp in cps {
            match out.last_mut() {
                Some(r) if r.1 + 1 == cp => r.1 = cp,
                _ => out.push((cp, cp)),
            }
        }
        out
    };
    println!("//! Generated by `examples/checked_chars.rs` from Dgraph v24.0.5's `tok` package (v25.4.0 gives the same): do not edit.\n");
    for (i, (name, doc, cps)) in [
        ("IDEOGRAPHIC", "Letters Dgraph's word split types as ideographic (each Han character a word,\n/// kana runs one word), of the ones in [`ANYWHERE`].", &ideographic),
        ("ANYWHERE", "Code points analysed as Dgraph does in every context tried.", &alone),
        ("AFTER_LETTER", "Code points (combining marks, format characters) analysed as Dgraph does\n/// only inside a word.", &after),
    ]
    .into_iter()
    .enumerate()
    {
        let r = ranges(cps);
        if i > 0 {
            println!();
        }
        println!("/// {doc}\npub const {name}: [(u32, u32); {}] = [", r.len());
        for (a, b) in r {
            println!("    (0x{a:x}, 0x{b:x}),");
        }
        println!("];");
    }
}
