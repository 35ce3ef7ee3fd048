//! DQL's `regexp(pred, /expr/flags)` as Dgraph evaluates it: the expression
//! in Go's RE2 syntax with `(?m)` (and `(?i)` for the `i` flag), matched the
//! way codesearch's line matcher does (a match within one line of the value;
//! one that ends at the very start of a value found nothing), and the
//! trigram query of the expression ([`trigrams`]) for the index at the root.

pub mod trigrams;

use regex::bytes::{Regex, RegexBuilder};
use trigrams::{regexp_query, Query};

/// The compiled form of a pattern must stay under this (bytes).
const SIZE_LIMIT: usize = 1 << 20;

pub struct DqlRegex {
    re: Regex,
    query: Query,
}

impl DqlRegex {
    /// `pattern` and `flags` as written between and after the slashes.
    pub fn compile(pattern: &str, flags: &str) -> Result<DqlRegex, String> {
        let prefix = match flags {
            "" => "(?m)",
            "i" => "(?i)(?m)",
            _ => return Err(format!("Invalid regexp modifier: {flags}")),
        };
        let full = format!("{prefix}{pattern}");
        let bad = |e: &dyn std::fmt::Display| format!("error parsing regexp: {e}");
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(&full)
            .map_err(|e| bad(&e))?;
        let re = RegexBuilder::new(&full)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| bad(&e))?;
        Ok(DqlRegex {
            re,
            query: regexp_query(&hir),
        })
    }

    /// The trigram query of the expression.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Whether a value matches, as Dgraph's `matchRegex`.
    pub fn matches(&self, value: &[u8]) -> bool {
        if value.is_empty() {
            return false;
        }
        let mut start = 0;
        for line in value.split(|&b| b == b'\n') {
            let end = start + line.len();
            if self.re.is_match(line) {
                // codesearch reports where the matching line ends; 0 is no match
                return end > 0;
            }
            start = end + 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_within_a_line_as_codesearch() {
        let r = DqlRegex::compile("^Per.*n$", "").unwrap();
        assert!(r.matches(b"Person\nsecond"));
        assert!(r.matches(b"first\nPerson"));
        assert!(!r.matches(b"Person a1"));
        assert!(!r.matches(b"Per\nson"));
        let i = DqlRegex::compile("person", "i").unwrap();
        assert!(i.matches(b"A PERSON"));
        assert!(!DqlRegex::compile("person", "")
            .unwrap()
            .matches(b"A PERSON"));
        // an empty match on an empty first line ends at 0: nothing found
        let e = DqlRegex::compile("^$", "").unwrap();
        assert!(!e.matches(b"\nx"));
        assert!(!e.matches(b""));
        assert!(e.matches(b"x\n"));
    }

    #[test]
    fn refuses_what_dgraph_refuses() {
        assert!(DqlRegex::compile("a", "g")
            .err()
            .unwrap()
            .contains("Invalid regexp modifier: g"));
        assert!(DqlRegex::compile("(abc", "")
            .err()
            .unwrap()
            .contains("error parsing regexp"));
        assert!(DqlRegex::compile("a{1000}{1000}", "").is_err());
    }
}
