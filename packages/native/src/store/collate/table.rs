//! Go's collation table (`x/text/collate`, CLDR 23): a UTF-8 trie from runes
//! to collation elements, with expansions and contractions, shared by every
//! locale (a locale is a pair of offsets into it). The arrays are generated
//! from Go's `collate/tables.go` by `scripts/gen/collation-tables.mjs` into
//! `data/`. Every index read from the tables is checked: a lookup that
//! would fall outside them finds no element rather than panicking.

use super::elem::{implicit_primary, Elem, Kind, MAX_TERTIARY};
use super::norm::{decode_rune, first_boundary, hangul_jamo, nfd_props, nfkd_of_first};

static VALUES: &[u8] = include_bytes!("data/values.bin");
static LOOKUP: &[u8] = include_bytes!("data/lookup.bin");
static EXPAND: &[u8] = include_bytes!("data/expand.bin");
static CONTRACT: &[u8] = include_bytes!("data/contract.bin");
static CT_ENTRIES: &[u8] = include_bytes!("data/ctentries.bin");

/// Go's `norm.MaxSegmentSize`: the most bytes of skipped combining marks
/// kept while matching a contraction.
const MAX_SEGMENT_SIZE: usize = 128;

fn u32_at(data: &[u8], i: usize) -> u32 {
    data.get(i * 4..i * 4 + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u16_at(data: &[u8], i: usize) -> usize {
    data.get(i * 2..i * 2 + 2)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize)
}

/// One contraction trie node: a byte range and where it leads.
#[derive(Clone, Copy)]
struct CtEntry {
    l: u8,
    h: u8,
    n: u8,
    i: u8,
}

fn ct_entry(i: usize) -> Option<CtEntry> {
    CT_ENTRIES.get(i * 4..i * 4 + 4).map(|b| CtEntry {
        l: b[0],
        h: b[1],
        n: b[2],
        i: b[3],
    })
}

/// A locale's view of the shared table.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// Block of the lookup array for a rune's first byte (0xC0..).
    lookup_offset: usize,
    /// Block of the values array for a rune's first byte (..0x80).
    values_offset: usize,
}

const BLOCK: usize = 64;

impl Table {
    pub fn new(lookup_offset: usize, values_offset: usize) -> Table {
        Table {
            lookup_offset,
            values_offset,
        }
    }

    fn value(&self, block: usize, b: u8) -> Elem {
        Elem(u32_at(VALUES, (block << 6) + b as usize))
    }

    /// The trie's element for the rune at the start of `s` and the bytes it
    /// spans (0 for a truncated rune, 1 for a stray byte), as Go's
    /// `Trie.lookup`.
    fn lookup(&self, s: &[u8]) -> (Elem, usize) {
        let Some(&c0) = s.first() else {
            return (Elem(0), 0);
        };
        let continuation = |b: u8| (0x80..0xC0).contains(&b);
        let need = match c0 {
            0x00..=0x7F => {
                return (
                    Elem(u32_at(VALUES, BLOCK * self.values_offset + c0 as usize)),
                    1,
                )
            }
            0x80..=0xBF => return (Elem(0), 1),
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return (Elem(0), 1),
        };
        if s.len() < need {
            return (Elem(0), 0);
        }
        let mut block = u16_at(LOOKUP, BLOCK * self.lookup_offset + c0 as usize);
        for (k, &c) in s[1..need].iter().enumerate() {
            if !continuation(c) {
                return (Elem(0), k + 1);
            }
            if k + 2 == need {
                return (self.value(block, c), need);
            }
            block = u16_at(LOOKUP, (block << 6) + c as usize);
        }
        (Elem(0), 1)
    }

    fn append_expansion(&self, w: &mut Vec<Elem>, ce: Elem) {
        let i = ce.expansion();
        let n = u32_at(EXPAND, i) as usize;
        w.extend((i + 1..i + 1 + n).map(|k| Elem(u32_at(EXPAND, k))));
    }

    /// Appends the elements of the next rune (or contraction) of `s` to `w`
    /// and returns the bytes consumed (Go's `Table.appendNext`).
    pub fn append_next(&self, w: &mut Vec<Elem>, s: &[u8]) -> usize {
        let (mut ce, sz) = self.lookup(s);
        match ce.kind() {
            Kind::Normal => {
                if ce.0 == 0 {
                    let (r, _) = decode_rune(s);
                    if (0xAC00..=0xD7A3).contains(&r) {
                        let jamo = hangul_jamo(r);
                        let mut b = &jamo[..];
                        while !b.is_empty() {
                            let (ce, n) = self.lookup(b);
                            w.push(ce);
                            b = &b[n.max(1).min(b.len())..];
                        }
                        return sz;
                    }
                    ce = Elem::implicit(implicit_primary(r));
                }
                w.push(ce);
                sz
            }
            Kind::Expansion => {
                self.append_expansion(w, ce);
                sz
            }
            Kind::Contraction => sz + self.match_contraction(w, ce, &s[sz.min(s.len())..]),
            Kind::Decompose => {
                let (t1, t2) = ce.decomposition_tertiaries();
                let first = w.len();
                self.append_all(w, &nfkd_of_first(s));
                for (k, e) in w.iter_mut().enumerate().skip(first) {
                    let t = match k - first {
                        0 => t1,
                        1 => t2,
                        _ => MAX_TERTIARY,
                    };
                    *e = e.with_tertiary(t);
                }
                sz
            }
        }
    }

    /// Appends the elements of every rune of `s` in turn.
    fn append_all(&self, w: &mut Vec<Elem>, mut s: &[u8]) {
        while !s.is_empty() {
            let n = self.append_next(w, s);
            s = &s[n.max(1).min(s.len())..];
        }
    }

    /// Matches the longest contraction that continues into `suffix`, also
    /// across combining marks that may be reordered (Go's
    /// `Table.matchContraction`); returns the bytes of `suffix` consumed.
    fn match_contraction(&self, w: &mut Vec<Elem>, ce: Elem, suffix: &[u8]) -> usize {
        let (index, n, offset) = ce.contraction();
        let mut scan = Scanner::new(index, n, suffix);
        let mut buf: Vec<u8> = Vec::new();
        let mut bufp = 0;
        let mut p = scan.scan(0);
        if !scan.done && p < suffix.len() && suffix[p] >= 0x80 {
            let mut p0 = p;
            let (size, lead, trail) = nfd_props(&suffix[p..]);
            p += size;
            if lead != 0 {
                let mut prev_cc = trail;
                if let Some(end) = first_boundary(suffix.get(p..).unwrap_or_default()) {
                    scan.limit = (p + end).min(suffix.len());
                }
                while p < suffix.len() && !scan.done && suffix[p] >= 0x80 {
                    let (size, lead, trail) = nfd_props(&suffix[p..]);
                    if lead == 0 || prev_cc >= lead {
                        break;
                    }
                    prev_cc = trail;
                    let pp = scan.scan(p);
                    if pp != p {
                        let room = MAX_SEGMENT_SIZE - buf.len();
                        let skipped = &suffix[p0..p];
                        buf.extend_from_slice(&skipped[..skipped.len().min(room)]);
                        if scan.pindex == pp {
                            bufp = buf.len();
                        }
                        p = pp;
                        p0 = pp;
                    } else {
                        p += size;
                    }
                }
            }
        }
        let ce = Elem(u32_at(CONTRACT, scan.index + offset));
        if ce.kind() == Kind::Normal {
            w.push(ce);
        } else {
            self.append_expansion(w, ce);
        }
        self.append_all(w, &buf[..bufp]);
        scan.pindex
    }
}

/// Walks a contraction trie over the bytes after a contraction's first
/// rune (Go's `ctScanner`).
struct Scanner<'a> {
    s: &'a [u8],
    /// Bytes of `s` the scan may read.
    limit: usize,
    /// First entry and entry count of the current trie level.
    states: usize,
    n: usize,
    index: usize,
    pindex: usize,
    done: bool,
}

impl<'a> Scanner<'a> {
    fn new(states: usize, n: usize, s: &'a [u8]) -> Scanner<'a> {
        Scanner {
            s,
            limit: s.len(),
            states,
            n,
            index: 0,
            pindex: 0,
            done: false,
        }
    }

    /// Scans from `p`; returns where the last complete rune matched ends.
    fn scan(&mut self, mut p: usize) -> usize {
        let mut pr = p;
        let str = &self.s[..self.limit];
        let (mut states, mut n) = (self.states, self.n);
        let mut i = 0;
        while i < n && p < str.len() {
            let Some(e) = ct_entry(states + i) else {
                break;
            };
            let c = str[p];
            if c >= e.l {
                if e.l == c {
                    p += 1;
                    if e.i != 0xFF {
                        self.index = e.i as usize;
                        self.pindex = p;
                    }
                    if e.n != 0 {
                        i = 0;
                        states += e.h as usize + n;
                        n = e.n as usize;
                        if p >= str.len() || (str[p] & 0xC0) != 0x80 {
                            self.states = states;
                            self.n = n;
                            pr = p;
                        }
                    } else {
                        self.done = true;
                        return p;
                    }
                    continue;
                } else if e.n == 0 && c <= e.h {
                    p += 1;
                    self.done = true;
                    self.index = (c - e.l) as usize + e.i as usize;
                    self.pindex = p;
                    return p;
                }
            }
            i += 1;
        }
        pr
    }
}
