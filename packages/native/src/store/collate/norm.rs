//! The few Unicode normalization facts Go's collation reads while it walks a
//! string (Go's `x/text/unicode/norm` for NFD and NFKD), answered from the
//! `unicode-normalization` crate's tables, and Go's UTF-8 decoding.

use unicode_normalization::char::{
    canonical_combining_class, decompose_canonical, decompose_compatible,
};

/// The rune at the start of `s` and its length in bytes, decoded as Go's
/// `utf8.DecodeRune` does: invalid or truncated UTF-8 is U+FFFD, 1 byte.
pub fn decode_rune(s: &[u8]) -> (u32, usize) {
    const BAD: (u32, usize) = (0xFFFD, 1);
    let Some(&b0) = s.first() else {
        return BAD;
    };
    let (len, min, init) = match b0 {
        0x00..=0x7F => return (b0 as u32, 1),
        0xC2..=0xDF => (2, 0x80, (b0 & 0x1F) as u32),
        0xE0..=0xEF => (3, 0x800, (b0 & 0x0F) as u32),
        0xF0..=0xF4 => (4, 0x10000, (b0 & 0x07) as u32),
        _ => return BAD,
    };
    let Some(tail) = s.get(1..len) else {
        return BAD;
    };
    let mut r = init;
    for &b in tail {
        if b & 0xC0 != 0x80 {
            return BAD;
        }
        r = (r << 6) | (b & 0x3F) as u32;
    }
    if r < min || r > 0x10FFFF || (0xD800..=0xDFFF).contains(&r) {
        return BAD;
    }
    (r, len)
}

fn char_at(s: &[u8]) -> (Option<char>, usize) {
    let (r, n) = decode_rune(s);
    // U+FFFD of length 1 is the decoder's mark for invalid UTF-8
    let valid = !(r == 0xFFFD && n == 1);
    (if valid { char::from_u32(r) } else { None }, n)
}

fn canonical(c: char) -> Vec<char> {
    let mut out = Vec::with_capacity(4);
    decompose_canonical(c, |d| out.push(d));
    out
}

/// NFD facts of the rune at the start of `s`: its length, and the
/// combining classes of the first and last runes of its decomposition
/// (Go's `Properties.Size`, `LeadCCC` and `TrailCCC`).
pub fn nfd_props(s: &[u8]) -> (usize, u8, u8) {
    match char_at(s) {
        (Some(c), n) => {
            let d = canonical(c);
            let lead = d.first().map_or(0, |&x| canonical_combining_class(x));
            let trail = d.last().map_or(0, |&x| canonical_combining_class(x));
            (n, lead, trail)
        }
        (None, n) => (n, 0, 0),
    }
}

/// How many of a rune's decomposition's first runes are non-starters.
fn leading_non_starters(c: char) -> usize {
    canonical(c)
        .iter()
        .take_while(|&&x| canonical_combining_class(x) != 0)
        .count()
}

/// Go's `norm.NFD.FirstBoundary`: the offset of the first rune in `s` that
/// starts a new normalization segment (or where 30 non-starters in a row
/// end), `s.len()` when exactly 30 non-starters fill `s`, `None` when `s`
/// holds no boundary.
pub fn first_boundary(s: &[u8]) -> Option<usize> {
    const MAX_NON_STARTERS: usize = 30;
    let mut i = 0;
    let mut run = 0;
    while i < s.len() {
        let (c, n) = char_at(&s[i..]);
        let c = c?;
        let lead = leading_non_starters(c);
        run += lead;
        if run > MAX_NON_STARTERS || lead == 0 {
            return Some(i);
        }
        i += n;
    }
    (i > 0 && run == MAX_NON_STARTERS).then_some(s.len())
}

/// The compatibility (NFKD) decomposition of the rune at the start of `s`
/// in UTF-8, empty when it has none.
pub fn nfkd_of_first(s: &[u8]) -> Vec<u8> {
    let (Some(c), _) = char_at(s) else {
        return Vec::new();
    };
    let mut out = String::new();
    decompose_compatible(c, |d| out.push(d));
    if out.chars().eq(std::iter::once(c)) {
        return Vec::new();
    }
    out.into_bytes()
}

/// A Hangul syllable's jamo (its NFD), in UTF-8.
pub fn hangul_jamo(r: u32) -> Vec<u8> {
    const S_BASE: u32 = 0xAC00;
    let s = r - S_BASE;
    let (l, v, t) = (0x1100 + s / 588, 0x1161 + (s % 588) / 28, 0x11A7 + s % 28);
    let mut out = String::new();
    for j in [l, v] {
        out.extend(char::from_u32(j));
    }
    if t != 0x11A7 {
        out.extend(char::from_u32(t));
    }
    out.into_bytes()
}
