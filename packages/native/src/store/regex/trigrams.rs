//! The trigram query of a regular expression, as Dgraph computes it with
//! Russ Cox's codesearch (`index/regexp.go`, `RegexpQuery`): a boolean
//! formula over byte trigrams that every matching string satisfies. Dgraph
//! answers `regexp()` at the root from the trigram index lists the formula
//! names, and refuses a regular expression whose formula requires nothing
//! (or can never hold) as "too wide-ranging".
//!
//! This walks the tree of the `regex-syntax` crate where codesearch walks
//! Go's `regexp/syntax` tree. The two parsers shape some trees differently
//! (Go keeps `x{1}` as a repeat, merges literals differently under `(?i)`),
//! which can change which trigrams a formula names but not whether it
//! requires one for the usual expressions.

use regex_syntax::hir::{Class, Hir, HirKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Everything matches.
    All,
    /// Nothing matches.
    None,
    /// Every trigram and sub-query must match.
    And,
    /// One trigram or sub-query must match.
    Or,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub op: Op,
    /// Sorted, distinct.
    pub trigram: Vec<Vec<u8>>,
    pub sub: Vec<Query>,
}

impl Query {
    fn of(op: Op) -> Query {
        Query {
            op,
            trigram: Vec::new(),
            sub: Vec::new(),
        }
    }

    fn is_atom(&self) -> bool {
        self.trigram.len() == 1 && self.sub.is_empty()
    }

    fn and(self, r: Query) -> Query {
        and_or(self, r, Op::And)
    }

    fn or(self, r: Query) -> Query {
        and_or(self, r, Op::Or)
    }

    fn implies(&self, r: &Query) -> bool {
        if self.op == Op::None || r.op == Op::All {
            return true;
        }
        if self.op == Op::All || r.op == Op::None {
            return false;
        }
        if self.op == Op::And || (self.op == Op::Or && self.is_atom()) {
            return trigrams_imply(&self.trigram, r);
        }
        self.op == Op::Or
            && r.op == Op::Or
            && !self.trigram.is_empty()
            && self.sub.is_empty()
            && is_subset(&self.trigram, &r.trigram)
    }

    /// This query and-ed with "one of `t`'s strings' trigrams all occur".
    fn and_trigrams(self, t: &[Vec<u8>]) -> Query {
        if min_len(t) < 3 {
            return self;
        }
        let mut or = Query::of(Op::None);
        for s in t {
            let mut trig: Vec<Vec<u8>> = s.windows(3).map(<[u8]>::to_vec).collect();
            clean(&mut trig, false);
            or = or.or(Query {
                op: Op::And,
                trigram: trig,
                sub: Vec::new(),
            });
        }
        self.and(or)
    }
}

fn and_or(mut q: Query, mut r: Query, op: Op) -> Query {
    if q.trigram.is_empty() && q.sub.len() == 1 {
        q = q.sub.remove(0);
    }
    if r.trigram.is_empty() && r.sub.len() == 1 {
        r = r.sub.remove(0);
    }
    if q.implies(&r) {
        return if op == Op::And { q } else { r };
    }
    if r.implies(&q) {
        return if op == Op::And { r } else { q };
    }
    let (q_atom, r_atom) = (q.is_atom(), r.is_atom());
    if q.op == op && (r.op == op || r_atom) {
        q.trigram = union(q.trigram, r.trigram, false);
        q.sub.extend(r.sub);
        return q;
    }
    if r.op == op && q_atom {
        r.trigram = union(r.trigram, q.trigram, false);
        return r;
    }
    if q_atom && r_atom {
        q.op = op;
        q.trigram.extend(r.trigram);
        return q;
    }
    if q.op == op {
        q.sub.push(r);
        return q;
    }
    if r.op == op {
        r.sub.push(q);
        return r;
    }
    // Factor out the trigrams both share: (a and b) or (a and c) = a and (b or c).
    let common: Vec<Vec<u8>> = q
        .trigram
        .iter()
        .filter(|t| r.trigram.binary_search(t).is_ok())
        .cloned()
        .collect();
    if !common.is_empty() {
        q.trigram.retain(|t| common.binary_search(t).is_err());
        r.trigram.retain(|t| common.binary_search(t).is_err());
        let s = and_or(q, r, op);
        let other = if op == Op::And { Op::Or } else { Op::And };
        let t = Query {
            op: other,
            trigram: common,
            sub: Vec::new(),
        };
        return and_or(t, s, other);
    }
    Query {
        op,
        trigram: Vec::new(),
        sub: vec![q, r],
    }
}

fn trigrams_imply(t: &[Vec<u8>], q: &Query) -> bool {
    match q.op {
        Op::Or => {
            q.sub.iter().any(|s| trigrams_imply(t, s))
                || t.iter().any(|x| q.trigram.binary_search(x).is_ok())
        }
        Op::And => q.sub.iter().all(|s| trigrams_imply(t, s)) && is_subset(&q.trigram, t),
        _ => false,
    }
}

/// Whether sorted `s` is a subset of sorted `t`.
fn is_subset(s: &[Vec<u8>], t: &[Vec<u8>]) -> bool {
    s.iter().all(|x| t.binary_search(x).is_ok())
}

/// Sorts (by prefix, or from the end for suffix sets) and removes repeats.
fn clean(s: &mut Vec<Vec<u8>>, suffix: bool) {
    if suffix {
        s.sort_by(|a, b| a.iter().rev().cmp(b.iter().rev()));
    } else {
        s.sort();
    }
    s.dedup();
}

fn union(mut s: Vec<Vec<u8>>, t: Vec<Vec<u8>>, suffix: bool) -> Vec<Vec<u8>> {
    s.extend(t);
    clean(&mut s, suffix);
    s
}

fn cross(s: &[Vec<u8>], t: &[Vec<u8>], suffix: bool) -> Vec<Vec<u8>> {
    let mut p: Vec<Vec<u8>> = s
        .iter()
        .flat_map(|a| t.iter().map(move |b| [a.as_slice(), b].concat()))
        .collect();
    clean(&mut p, suffix);
    p
}

fn min_len(s: &[Vec<u8>]) -> usize {
    s.iter().map(Vec::len).min().unwrap_or(0)
}

/// Codesearch's limits: exact sets above 7 strings become prefix/suffix
/// sets, which are cut to 20 strings.
const MAX_EXACT: usize = 7;
const MAX_SET: usize = 20;

/// What is known of the strings an expression matches.
#[derive(Debug, Clone)]
struct Info {
    can_empty: bool,
    /// Every string it matches, when known (`Some(vec![])` is "none").
    exact: Option<Vec<Vec<u8>>>,
    /// Otherwise the possible prefixes and suffixes.
    prefix: Vec<Vec<u8>>,
    suffix: Vec<Vec<u8>>,
    matches: Query,
}

impl Info {
    fn any_match() -> Info {
        Info {
            can_empty: true,
            exact: None,
            prefix: vec![Vec::new()],
            suffix: vec![Vec::new()],
            matches: Query::of(Op::All),
        }
    }

    fn any_char() -> Info {
        Info {
            can_empty: false,
            ..Info::any_match()
        }
    }

    fn no_match() -> Info {
        Info {
            can_empty: false,
            exact: None,
            prefix: Vec::new(),
            suffix: Vec::new(),
            matches: Query::of(Op::None),
        }
    }

    fn empty_string() -> Info {
        Info {
            can_empty: true,
            exact: Some(vec![Vec::new()]),
            prefix: Vec::new(),
            suffix: Vec::new(),
            matches: Query::of(Op::All),
        }
    }

    fn add_exact(&mut self) {
        if let Some(e) = &self.exact {
            let m = std::mem::replace(&mut self.matches, Query::of(Op::All));
            self.matches = m.and_trigrams(e);
        }
    }

    fn simplify(&mut self, force: bool) {
        if let Some(e) = &mut self.exact {
            clean(e, false);
            let n = min_len(e);
            if e.len() > MAX_EXACT || (n >= 3 && force) || n >= 4 {
                self.add_exact();
                for s in self.exact.take().unwrap_or_default() {
                    if s.len() < 3 {
                        self.prefix.push(s.clone());
                        self.suffix.push(s);
                    } else {
                        self.prefix.push(s[..2].to_vec());
                        self.suffix.push(s[s.len() - 2..].to_vec());
                    }
                }
            }
        }
        if self.exact.is_none() {
            self.simplify_set(false);
            self.simplify_set(true);
        }
    }

    fn simplify_set(&mut self, suffix: bool) {
        let mut t = std::mem::take(if suffix {
            &mut self.suffix
        } else {
            &mut self.prefix
        });
        clean(&mut t, suffix);
        let m = std::mem::replace(&mut self.matches, Query::of(Op::All));
        self.matches = m.and_trigrams(&t);
        // Cut the strings to 2 bytes, then fewer while there are too many.
        let mut n = 3;
        while n == 3 || t.len() > MAX_SET {
            let mut w: Vec<Vec<u8>> = Vec::with_capacity(t.len());
            for s in t {
                let s = if s.len() >= n {
                    if suffix {
                        s[s.len() - n + 1..].to_vec()
                    } else {
                        s[..n - 1].to_vec()
                    }
                } else {
                    s
                };
                if w.last() != Some(&s) {
                    w.push(s);
                }
            }
            t = w;
            clean(&mut t, suffix);
            if n == 1 {
                break;
            }
            n -= 1;
        }
        // Drop strings that another, shorter one makes redundant.
        let mut w: Vec<Vec<u8>> = Vec::with_capacity(t.len());
        for s in t {
            let redundant = w.last().is_some_and(|last| {
                if suffix {
                    s.ends_with(last)
                } else {
                    s.starts_with(last)
                }
            });
            if !redundant {
                w.push(s);
            }
        }
        if suffix {
            self.suffix = w;
        } else {
            self.prefix = w;
        }
    }
}

fn concat(x: Info, y: Info) -> Info {
    let mut xy = Info {
        can_empty: false,
        exact: None,
        prefix: Vec::new(),
        suffix: Vec::new(),
        matches: x.matches.clone().and(y.matches.clone()),
    };
    match (&x.exact, &y.exact) {
        (Some(a), Some(b)) => xy.exact = Some(cross(a, b, false)),
        _ => {
            if let Some(a) = &x.exact {
                xy.prefix = cross(a, &y.prefix, false);
            } else {
                xy.prefix = x.prefix.clone();
                if x.can_empty {
                    xy.prefix = union(xy.prefix, y.prefix.clone(), false);
                }
            }
            if let Some(b) = &y.exact {
                xy.suffix = cross(&x.suffix, b, true);
            } else {
                xy.suffix = y.suffix.clone();
                if y.can_empty {
                    xy.suffix = union(xy.suffix, x.suffix.clone(), true);
                }
            }
        }
    }
    if x.exact.is_none()
        && y.exact.is_none()
        && x.suffix.len() <= MAX_SET
        && y.prefix.len() <= MAX_SET
        && min_len(&x.suffix) + min_len(&y.prefix) >= 3
    {
        let m = std::mem::replace(&mut xy.matches, Query::of(Op::All));
        xy.matches = m.and_trigrams(&cross(&x.suffix, &y.prefix, false));
    }
    xy.simplify(false);
    xy
}

fn alternate(mut x: Info, mut y: Info) -> Info {
    let mut xy = Info::no_match();
    match (x.exact.clone(), y.exact.clone()) {
        (Some(a), Some(b)) => xy.exact = Some(union(a, b, false)),
        (Some(a), None) => {
            xy.prefix = union(a.clone(), y.prefix.clone(), false);
            xy.suffix = union(a, y.suffix.clone(), true);
            x.add_exact();
        }
        (None, Some(b)) => {
            xy.prefix = union(x.prefix.clone(), b.clone(), false);
            xy.suffix = union(x.suffix.clone(), b, true);
            y.add_exact();
        }
        (None, None) => {
            xy.prefix = union(x.prefix.clone(), y.prefix.clone(), false);
            xy.suffix = union(x.suffix.clone(), y.suffix.clone(), true);
        }
    }
    xy.can_empty = x.can_empty || y.can_empty;
    xy.matches = x.matches.or(y.matches);
    xy.simplify(false);
    xy
}

fn fold(f: fn(Info, Info) -> Info, subs: &[Hir], zero: Info) -> Info {
    let mut it = subs.iter();
    let Some(first) = it.next() else {
        return zero;
    };
    let mut info = analyze(first);
    for s in it {
        info = f(info, analyze(s));
    }
    info
}

/// The characters of a class, as UTF-8 (bytes of a byte class), or `None`
/// when it holds more than codesearch enumerates (its count is
/// `sum(hi - lo)` over the ranges, which must not pass 100).
fn class_strings(c: &Class) -> Option<Vec<Vec<u8>>> {
    let ranges: Vec<(u32, u32)> = match c {
        Class::Unicode(u) => u
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        Class::Bytes(b) => b
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
    };
    let n: u32 = ranges.iter().map(|(lo, hi)| hi - lo).sum();
    if n > 100 {
        return None;
    }
    let mut out = Vec::new();
    for (lo, hi) in ranges {
        for v in lo..=hi {
            match c {
                Class::Unicode(_) => {
                    if let Some(ch) = char::from_u32(v) {
                        out.push(ch.to_string().into_bytes());
                    }
                }
                Class::Bytes(_) => out.push(vec![v as u8]),
            }
        }
    }
    Some(out)
}

fn analyze(re: &Hir) -> Info {
    let mut info = match re.kind() {
        HirKind::Empty | HirKind::Look(_) => return Info::empty_string(),
        HirKind::Literal(l) => Info {
            exact: Some(vec![l.0.to_vec()]),
            matches: Query::of(Op::All),
            ..Info::no_match()
        },
        HirKind::Capture(c) => return analyze(&c.sub),
        HirKind::Concat(subs) => return fold(concat, subs, Info::empty_string()),
        HirKind::Alternation(subs) => return fold(alternate, subs, Info::no_match()),
        HirKind::Repetition(r) => match (r.min, r.max) {
            (0, Some(1)) => return alternate(analyze(&r.sub), Info::empty_string()),
            (0, _) => return Info::any_match(),
            _ => {
                let mut info = analyze(&r.sub);
                if let Some(e) = info.exact.take() {
                    info.prefix = e.clone();
                    info.suffix = e;
                }
                info
            }
        },
        HirKind::Class(c) => {
            let empty = match c {
                Class::Unicode(u) => u.ranges().is_empty(),
                Class::Bytes(b) => b.ranges().is_empty(),
            };
            if empty {
                return Info::no_match();
            }
            match class_strings(c) {
                None => return Info::any_char(),
                Some(strings) => Info {
                    exact: Some(strings),
                    matches: Query::of(Op::All),
                    ..Info::no_match()
                },
            }
        }
    };
    info.simplify(false);
    info
}

/// Codesearch's `RegexpQuery`.
pub fn regexp_query(re: &Hir) -> Query {
    let mut info = analyze(re);
    info.simplify(true);
    info.add_exact();
    info.matches
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query in codesearch's notation: `"abc" "bcd"` (and), `("abc")|("xyz")` (or), `+`, `-`.
    fn show(q: &Query) -> String {
        match q.op {
            Op::None => return "-".into(),
            Op::All => return "+".into(),
            _ => {}
        }
        let quote = |t: &Vec<u8>| format!("{:?}", String::from_utf8_lossy(t));
        if q.sub.is_empty() && q.trigram.len() == 1 {
            return quote(&q.trigram[0]);
        }
        let (mut s, sjoin, end, tjoin) = if q.op == Op::And {
            (String::new(), " ", "", " ")
        } else {
            ("(".to_string(), ")|(", ")", "|")
        };
        s += &q.trigram.iter().map(quote).collect::<Vec<_>>().join(tjoin);
        if !q.sub.is_empty() {
            if !q.trigram.is_empty() {
                s += sjoin;
            }
            s += &q.sub.iter().map(show).collect::<Vec<_>>().join(sjoin);
        }
        s + end
    }

    fn query(re: &str) -> String {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(re)
            .unwrap();
        show(&regexp_query(&hir))
    }

    /// codesearch's own table (index/regexp_test.go), as Go's parser shapes the expressions.
    const CODESEARCH: &[(&str, &str)] = &[
        (r"Abcdef", r#""Abc" "bcd" "cde" "def""#),
        (r"(abc)(def)", r#""abc" "bcd" "cde" "def""#),
        (r"abc.*(def|ghi)", r#""abc" ("def"|"ghi")"#),
        (
            r"abc(def|ghi)",
            r#""abc" ("bcd" "cde" "def")|("bcg" "cgh" "ghi")"#,
        ),
        (r"a+hello", r#""ahe" "ell" "hel" "llo""#),
        (
            r"(a+hello|b+world)",
            r#"("ahe" "ell" "hel" "llo")|("bwo" "orl" "rld" "wor")"#,
        ),
        (r"a*bbb", r#""bbb""#),
        (r"a?bbb", r#""bbb""#),
        (r"(bbb)a?", r#""bbb""#),
        (r"(bbb)a*", r#""bbb""#),
        (r"^abc", r#""abc""#),
        (r"abc$", r#""abc""#),
        (r"ab[cde]f", r#"("abc" "bcf")|("abd" "bdf")|("abe" "bef")"#),
        (r"(abc|bac)de", r#""cde" ("abc" "bcd")|("acd" "bac")"#),
        (r"ab[^cde]f", "+"),
        (r"ab.f", "+"),
        (r".", "+"),
        (r"()", "+"),
        (r"[^\s\S]", "-"),
        (r"(abc|abc)", r#""abc""#),
        (r"(ab|ab)c", r#""abc""#),
        (r"ab(cab|cat)", r#""abc" "bca" ("cab"|"cat")"#),
        (r"(z*(abc|def)z*)(z*(abc|def)z*)", r#"("abc"|"def")"#),
        (r"(z*abcz*defz*)|(z*abcz*defz*)", r#""abc" "def""#),
        (
            r"(z*abcz*defz*(ghi|jkl)z*)|(z*abcz*defz*(mno|prs)z*)",
            r#""abc" "def" ("ghi"|"jkl"|"mno"|"prs")"#,
        ),
        (
            r"(z*(abcz*def)|(ghiz*jkl)z*)|(z*(mnoz*prs)|(tuvz*wxy)z*)",
            r#"("abc" "def")|("ghi" "jkl")|("mno" "prs")|("tuv" "wxy")"#,
        ),
        (
            r"(z*abcz*defz*)(z*(ghi|jkl)z*)",
            r#""abc" "def" ("ghi"|"jkl")"#,
        ),
        (
            r"(z*abcz*defz*)|(z*(ghi|jkl)z*)",
            r#"("ghi"|"jkl")|("abc" "def")"#,
        ),
        (
            r"[ab][cd][ef]",
            r#"("ace"|"acf"|"ade"|"adf"|"bce"|"bcf"|"bde"|"bdf")"#,
        ),
        (r"ab[cd]e", r#"("abc" "bce")|("abd" "bde")"#),
        (r"(a|ab)cde", r#""cde" ("abc" "bcd")|("acd")"#),
        (r"(a|b|c|d)(ef|g|hi|j)", "+"),
        (r"(?s).", "+"),
        (r"(?i)a~~", r#"("A~~"|"a~~")"#),
        (r"(?i)ab~", r#"("AB~"|"Ab~"|"aB~"|"ab~")"#),
        (
            r"(?i)abc",
            r#"("ABC"|"ABc"|"AbC"|"Abc"|"aBC"|"aBc"|"abC"|"abc")"#,
        ),
        (
            r"(?i)abc|def",
            r#"("ABC"|"ABc"|"AbC"|"Abc"|"DEF"|"DEf"|"DeF"|"Def"|"aBC"|"aBc"|"abC"|"abc"|"dEF"|"dEf"|"deF"|"def")"#,
        ),
        (
            r"(?i)abcd",
            r#"("ABC"|"ABc"|"AbC"|"Abc"|"aBC"|"aBc"|"abC"|"abc") ("BCD"|"BCd"|"BcD"|"Bcd"|"bCD"|"bCd"|"bcD"|"bcd")"#,
        ),
        (
            r"(?i)abc|abc",
            r#"("ABC"|"ABc"|"AbC"|"Abc"|"aBC"|"aBc"|"abC"|"abc")"#,
        ),
        (r"\b", "+"),
        (r"\B", "+"),
        (r"\babc", r#""abc""#),
        (r"\Babc", r#""abc""#),
        (r"abc\b", r#""abc""#),
        (r"abc\B", r#""abc""#),
        (r"ab\bc", r#""abc""#),
        (r"ab\Bc", r#""abc""#),
    ];

    #[test]
    fn codesearch_queries() {
        let wrong: Vec<String> = CODESEARCH
            .iter()
            .filter_map(|(re, want)| {
                let got = query(re);
                (got != *want).then(|| format!("{re}: got {got}, want {want}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
