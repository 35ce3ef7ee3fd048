//! A string's collation key as Go's `collate.Collator.KeyFromString` builds
//! it with the default options Dgraph uses (tertiary strength, variable
//! characters not ignorable): the collation elements in order, combining
//! marks reordered by their class (Go's `colltab.Iter`), then every primary
//! weight, `00 00`, every secondary weight, `00 00`, every tertiary weight.

use super::elem::Elem;
use super::table::Table;

/// Go's `maxCombiningCharacters`: the longest run of combining marks that is
/// reordered as one.
const MAX_COMBINING: usize = 30;

/// Go's `colltab.Iter` over one string.
struct Iter<'a> {
    table: Table,
    s: &'a [u8],
    elems: Vec<Elem>,
    /// Elements already final (before the current combining run).
    n: usize,
    next: usize,
}

impl Iter<'_> {
    fn append_next(&mut self) -> bool {
        if self.next >= self.s.len() {
            return false;
        }
        let sz = self
            .table
            .append_next(&mut self.elems, &self.s[self.next..]);
        self.next += sz.max(1);
        true
    }

    /// Moves the elements from `p` on (one rune's, of class `ccc`) before
    /// the preceding elements of a higher class.
    fn reorder(&mut self, p: usize, ccc: u8) {
        let k = p;
        let mut p = p - 1;
        while p > self.n && ccc < self.elems[p - 1].ccc() {
            p -= 1;
        }
        self.elems[p..].rotate_left(k - p);
    }

    fn step(&mut self) -> bool {
        if self.n == self.elems.len() && !self.append_next() {
            return false;
        }
        let Some(last) = self.elems.last() else {
            return true;
        };
        let mut prev_ccc = last.ccc();
        if prev_ccc == 0 {
            self.n = self.elems.len();
            return true;
        } else if self.elems.get(self.n).is_some_and(|e| e.ccc() == 0) {
            self.n += 1;
            while self.n < self.elems.len() && self.elems[self.n].ccc() == 0 {
                self.n += 1;
            }
            return true;
        }
        loop {
            let p = self.elems.len();
            if !self.append_next() {
                break;
            }
            let Some(ccc) = self.elems.get(p).map(|e| e.ccc()) else {
                self.n = p;
                return true;
            };
            if ccc == 0 || self.elems.len() - self.n > MAX_COMBINING {
                self.n = p;
                return true;
            } else if ccc < prev_ccc {
                self.reorder(p, ccc);
            } else {
                prev_ccc = ccc;
            }
        }
        let more = self.elems.len() != self.n;
        self.n = self.elems.len();
        more
    }
}

/// Go's `appendPrimary`: two bytes, or three with the top bit set.
fn push_primary(key: &mut Vec<u8>, p: u32) {
    if p <= 0x7FFF {
        key.extend_from_slice(&[(p >> 8) as u8, p as u8]);
    } else {
        key.extend_from_slice(&[((p >> 16) as u8) | 0x80, (p >> 8) as u8, p as u8]);
    }
}

/// The collation key of `s` under `table`.
pub fn key(table: Table, s: &[u8]) -> Vec<u8> {
    let mut it = Iter {
        table,
        s,
        elems: Vec::with_capacity(s.len() + 4),
        n: 0,
        next: 0,
    };
    while it.step() {}
    let elems = it.elems;
    let mut out = Vec::with_capacity(elems.len() * 4 + 4);
    for e in &elems {
        let w = e.primary();
        if w > 0 {
            push_primary(&mut out, w);
        }
    }
    out.extend_from_slice(&[0, 0]);
    for e in &elems {
        let w = e.secondary();
        if w > 0 {
            out.extend_from_slice(&[(w >> 8) as u8, w as u8]);
        }
    }
    out.extend_from_slice(&[0, 0]);
    out.extend(elems.iter().map(|e| e.tertiary()).filter(|&t| t > 0));
    out
}
