//! Index tokenizers (spec §7.3), byte-exact with Dgraph's `tok` package for
//! the supported ones. A token is the identifier byte followed by the
//! tokenizer's output; it is the term of an INDEX key.

use super::collate;
use super::geo::geo_terms;
use super::text::{checked_chars::check, fulltext::fulltext_terms, lang, words::words};
use crate::export::value::{civil_from_days, UNIX_TO_INTERNAL};
use crate::format::proto::ValType;
use blake2::{digest::consts::U32, Blake2b, Digest};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tokenizer {
    Term,
    Exact,
    Year,
    Month,
    Day,
    Hour,
    Int,
    Float,
    Bool,
    Trigram,
    Hash,
    Sha256,
    Fulltext,
    Geo,
}

impl Tokenizer {
    /// Every tokenizer this build computes.
    pub const ALL: [Tokenizer; 14] = [
        Tokenizer::Term,
        Tokenizer::Exact,
        Tokenizer::Year,
        Tokenizer::Month,
        Tokenizer::Day,
        Tokenizer::Hour,
        Tokenizer::Int,
        Tokenizer::Float,
        Tokenizer::Bool,
        Tokenizer::Trigram,
        Tokenizer::Hash,
        Tokenizer::Sha256,
        Tokenizer::Fulltext,
        Tokenizer::Geo,
    ];

    /// Parses a tokenizer name of a schema. Known but unsupported
    /// tokenizers (bigfloat, ngram, vector indexes) and unknown names are
    /// errors.
    pub fn parse(name: &str) -> Result<Self, String> {
        Ok(match name {
            "term" => Tokenizer::Term,
            "exact" => Tokenizer::Exact,
            "year" => Tokenizer::Year,
            "month" => Tokenizer::Month,
            "day" => Tokenizer::Day,
            "hour" => Tokenizer::Hour,
            "int" => Tokenizer::Int,
            "float" => Tokenizer::Float,
            "bool" => Tokenizer::Bool,
            "trigram" => Tokenizer::Trigram,
            "hash" => Tokenizer::Hash,
            "sha256" => Tokenizer::Sha256,
            "fulltext" => Tokenizer::Fulltext,
            "geo" => Tokenizer::Geo,
            "bigfloat" | "ngram" => return Err(format!("tokenizer {name} is not supported yet")),
            _ => return Err(format!("invalid tokenizer {name}")),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Tokenizer::Term => "term",
            Tokenizer::Exact => "exact",
            Tokenizer::Year => "year",
            Tokenizer::Month => "month",
            Tokenizer::Day => "day",
            Tokenizer::Hour => "hour",
            Tokenizer::Int => "int",
            Tokenizer::Float => "float",
            Tokenizer::Bool => "bool",
            Tokenizer::Trigram => "trigram",
            Tokenizer::Hash => "hash",
            Tokenizer::Sha256 => "sha256",
            Tokenizer::Fulltext => "fulltext",
            Tokenizer::Geo => "geo",
        }
    }

    /// The identifier byte (first byte of every token).
    pub fn id(self) -> u8 {
        match self {
            Tokenizer::Term => 0x01,
            Tokenizer::Exact => 0x02,
            Tokenizer::Year => 0x04,
            Tokenizer::Month => 0x41,
            Tokenizer::Day => 0x42,
            Tokenizer::Hour => 0x43,
            Tokenizer::Int => 0x06,
            Tokenizer::Float => 0x07,
            Tokenizer::Bool => 0x09,
            Tokenizer::Trigram => 0x0a,
            Tokenizer::Hash => 0x0b,
            Tokenizer::Sha256 => 0x0c,
            Tokenizer::Fulltext => 0x08,
            Tokenizer::Geo => 0x05,
        }
    }

    /// Whether tokens sort as their values do (Dgraph's `IsSortable()`):
    /// the indexes `le`/`ge`/`between` scan.
    pub fn sortable(self) -> bool {
        matches!(
            self,
            Tokenizer::Exact
                | Tokenizer::Int
                | Tokenizer::Float
                | Tokenizer::Year
                | Tokenizer::Month
                | Tokenizer::Day
                | Tokenizer::Hour
        )
    }

    /// Whether several values share a token (Dgraph's `IsLossy()`), so a
    /// match through the index is checked against the values.
    pub fn lossy(self) -> bool {
        !matches!(
            self,
            Tokenizer::Exact
                | Tokenizer::Int
                | Tokenizer::Bool
                | Tokenizer::Hash
                | Tokenizer::Sha256
        )
    }

    /// The schema type the tokenizer applies to (Dgraph's `Type()`).
    pub fn value_type(self) -> ValType {
        match self {
            Tokenizer::Term
            | Tokenizer::Exact
            | Tokenizer::Trigram
            | Tokenizer::Hash
            | Tokenizer::Sha256
            | Tokenizer::Fulltext => ValType::String,
            Tokenizer::Year | Tokenizer::Month | Tokenizer::Day | Tokenizer::Hour => {
                ValType::Datetime
            }
            Tokenizer::Geo => ValType::Geo,
            Tokenizer::Int => ValType::Int,
            Tokenizer::Float => ValType::Float,
            Tokenizer::Bool => ValType::Bool,
        }
    }

    /// The tokens (identifier byte included), distinct and sorted, of one
    /// value in the binary encoding of the schema type (spec §7.2). `lang`
    /// is the value's language tag ("" when untagged).
    ///
    /// An error names a value whose tokens this build cannot compute the
    /// way Dgraph does: a fulltext language without its stemmer, or a
    /// language tag whose reading by Go this build cannot tell.
    pub fn tokens(self, value: &[u8], lang: &str) -> Result<Vec<Vec<u8>>, String> {
        let id = self.id();
        let with_id = |t: &[u8]| {
            let mut v = Vec::with_capacity(1 + t.len());
            v.push(id);
            v.extend_from_slice(t);
            v
        };
        Ok(match self {
            Tokenizer::Fulltext => fulltext_terms(utf8(value, "fulltext")?, lang)?
                .iter()
                .map(|w| with_id(w))
                .collect(),
            Tokenizer::Geo => geo_terms(value)?.iter().map(|t| with_id(t)).collect(),
            Tokenizer::Exact if lang.is_empty() => vec![with_id(value)],
            Tokenizer::Exact => vec![exact_lang_token(value, lang)?],
            Tokenizer::Hash => {
                let h = Blake2b::<U32>::digest(value);
                vec![with_id(&h)]
            }
            // The value's first 64 bytes (a persisted query's SHA-256 in
            // hex); shorter values get no token.
            Tokenizer::Sha256 => match value.get(..64) {
                Some(head) => vec![with_id(head)],
                None => vec![],
            },
            Tokenizer::Term => term_words(utf8(value, "term")?, lang)?
                .iter()
                .map(|w| with_id(w))
                .collect(),
            Tokenizer::Trigram => {
                let set: BTreeSet<&[u8]> = value.windows(3).collect();
                set.into_iter().map(with_id).collect()
            }
            Tokenizer::Int => vec![with_id(&int_token(le_i64(value)))],
            Tokenizer::Float => {
                let f = f64::from_bits(le_i64(value) as u64);
                vec![with_id(&int_token(f as i64))]
            }
            Tokenizer::Bool => {
                let b = value.first().copied().unwrap_or(0) != 0;
                vec![with_id(&int_token(b as i64))]
            }
            Tokenizer::Year | Tokenizer::Month | Tokenizer::Day | Tokenizer::Hour => {
                let (y, mo, d, h) = utc_parts(value);
                let parts: &[u16] = match self {
                    Tokenizer::Year => &[y],
                    Tokenizer::Month => &[y, mo],
                    Tokenizer::Day => &[y, mo, d],
                    _ => &[y, mo, d, h],
                };
                let b: Vec<u8> = parts.iter().flat_map(|p| p.to_be_bytes()).collect();
                vec![with_id(&b)]
            }
        })
    }
}

fn utf8<'a>(value: &'a [u8], tokenizer: &str) -> Result<&'a str, String> {
    std::str::from_utf8(value).map_err(|_| format!("{tokenizer} index: the value is not UTF-8"))
}

/// Dgraph's `exact` token of a language-tagged value: identifier 0x03, the
/// tag's base language, 0x1f, and the value's collation key for the tag
/// (Go's `x/text/collate`, reproduced in [`super::collate`]).
fn exact_lang_token(value: &[u8], lang: &str) -> Result<Vec<u8>, String> {
    let refused = || {
        format!(
            "exact index on a value tagged @{lang}: Strata cannot tell which collation Dgraph \
             uses for this tag (it reads two-letter language codes, `ckb`, and a script and \
             region after them); write the tag in that form, or index the predicate with hash"
        )
    };
    let base = lang::dgraph_base(lang).ok_or_else(refused)?;
    let key = collate::key_for(lang, value).ok_or_else(refused)?;
    let mut t = Vec::with_capacity(2 + base.len() + key.len());
    t.push(0x03);
    t.extend_from_slice(base.as_bytes());
    t.push(0x1f);
    t.extend_from_slice(&key);
    Ok(t)
}

fn le_i64(v: &[u8]) -> i64 {
    let mut b = [0u8; 8];
    let n = v.len().min(8);
    b[..n].copy_from_slice(&v[..n]);
    i64::from_le_bytes(b)
}

/// Dgraph's int token body: `0x00` if negative else `0x01`, then BE u64.
fn int_token(v: i64) -> [u8; 9] {
    let mut out = [0u8; 9];
    out[0] = if v < 0 { 0 } else { 1 };
    out[1..].copy_from_slice(&(v as u64).to_be_bytes());
    out
}

/// Seconds since 0001-01-01 UTC and nanoseconds of a Go binary time (the
/// instant; the stored zone offset only affects display).
pub fn go_time_instant(v: &[u8]) -> (i64, i32) {
    if v.len() < 15 || !(v[0] == 1 || v[0] == 2) {
        return (0, 0);
    }
    let sec = i64::from_be_bytes(v[1..9].try_into().expect("8"));
    let nsec = i32::from_be_bytes(v[9..13].try_into().expect("4"));
    (sec, nsec)
}

/// (year, month, day, hour) in UTC of a Go binary time.
fn utc_parts(v: &[u8]) -> (u16, u16, u16, u16) {
    let (sec, _) = go_time_instant(v);
    let unix = sec.saturating_sub(UNIX_TO_INTERNAL);
    let days = unix.div_euclid(86_400);
    let hour = unix.rem_euclid(86_400) / 3600;
    let (y, m, d) = civil_from_days(days);
    (y as u16, m as u16, d as u16, hour as u16)
}

fn lang_base(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or("")
}

/// Distinct words of the term tokenizer (without the identifier byte),
/// sorted: the analyzer's [`words`]; an empty value is one empty word.
/// Languages written without spaces between words are split on spaces.
/// An error names a character whose split was not shown to match Dgraph's.
pub fn term_words(s: &str, lang: &str) -> Result<Vec<Vec<u8>>, String> {
    if s.is_empty() {
        return Ok(vec![Vec::new()]);
    }
    let set: BTreeSet<Vec<u8>> = match lang_base(lang) {
        "zh" | "ja" | "th" | "lo" | "my" | "bo" | "km" | "kxm" => {
            s.split(' ').map(|w| w.as_bytes().to_vec()).collect()
        }
        _ => {
            check(s).map_err(|e| format!("term index: {e}"))?;
            words(s).into_iter().collect()
        }
    };
    Ok(set.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn exact_and_hash() {
        assert_eq!(
            Tokenizer::Exact.tokens(b"Ab c", "").unwrap(),
            vec![b"\x02Ab c".to_vec()]
        );
        // a tagged value: Dgraph's collation key (read from Dgraph v25.4.0)
        assert_eq!(
            hex(&Tokenizer::Exact.tokens("Straße".as_bytes(), "de").unwrap()[0]),
            "0364651f17f3181617bd15ef17f317f3164c000000200020002000200020013900200020\
             00000802020204040402"
        );
        assert!(Tokenizer::Exact
            .tokens(b"x", "de-DE-1996")
            .unwrap_err()
            .contains("cannot tell which collation"));
        let t = Tokenizer::Hash.tokens(b"", "").unwrap();
        // BLAKE2b-256("") (RFC 7693 parameters, 32-byte digest)
        assert_eq!(
            hex(&t[0]),
            "0b0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
        );
    }

    #[test]
    fn term() {
        let t = Tokenizer::Term
            .tokens("Hello, WORLD! hello ﬁne".as_bytes(), "")
            .unwrap();
        let words: Vec<&[u8]> = t.iter().map(|t| &t[1..]).collect();
        assert_eq!(words, vec![&b"fine"[..], b"hello", b"world"]);
        assert!(t.iter().all(|t| t[0] == 0x01));
        assert_eq!(Tokenizer::Term.tokens(b"", "").unwrap(), vec![vec![0x01]]);
        let zh = Tokenizer::Term
            .tokens("你好 世界".as_bytes(), "zh")
            .unwrap();
        assert_eq!(zh.len(), 2);
    }

    #[test]
    fn numbers() {
        let t = Tokenizer::Int.tokens(&(-2i64).to_le_bytes(), "").unwrap();
        assert_eq!(hex(&t[0]), "0600fffffffffffffffe");
        let t = Tokenizer::Int.tokens(&5i64.to_le_bytes(), "").unwrap();
        assert_eq!(hex(&t[0]), "06010000000000000005");
        let t = Tokenizer::Float
            .tokens(&(-3.9f64).to_le_bytes(), "")
            .unwrap();
        assert_eq!(hex(&t[0]), "0700fffffffffffffffd");
        assert_eq!(
            hex(&Tokenizer::Bool.tokens(&[1], "").unwrap()[0]),
            "09010000000000000001"
        );
        assert_eq!(
            hex(&Tokenizer::Bool.tokens(&[], "").unwrap()[0]),
            "09010000000000000000"
        );
    }

    #[test]
    fn datetime() {
        // 2020-11-25T22:55:35+05:30 = 17:25:35 UTC (spec §7.2 example)
        let v = [
            0x01, 0, 0, 0, 0x0e, 0xd7, 0x50, 0x8a, 0x8f, 0, 0, 0, 0, 0x01, 0x4a,
        ];
        assert_eq!(hex(&Tokenizer::Year.tokens(&v, "").unwrap()[0]), "0407e4");
        assert_eq!(
            hex(&Tokenizer::Month.tokens(&v, "").unwrap()[0]),
            "4107e4000b"
        );
        assert_eq!(
            hex(&Tokenizer::Day.tokens(&v, "").unwrap()[0]),
            "4207e4000b0019"
        );
        assert_eq!(
            hex(&Tokenizer::Hour.tokens(&v, "").unwrap()[0]),
            "4307e4000b00190011"
        );
    }

    /// Found by the `keys_values` fuzz target: seconds near i64::MIN overflowed; they saturate.
    #[test]
    fn datetime_far_out_of_range() {
        let mut v = [0u8; 15];
        v[0] = 1;
        v[1..9].copy_from_slice(&(i64::MIN + 5).to_be_bytes());
        assert_eq!(hex(&Tokenizer::Year.tokens(&v, "").unwrap()[0]), "04903f");
    }

    #[test]
    fn trigram() {
        let t = Tokenizer::Trigram.tokens(b"abcab", "").unwrap();
        let s: Vec<&[u8]> = t.iter().map(|t| &t[1..]).collect();
        assert_eq!(s, vec![&b"abc"[..], b"bca", b"cab"]);
        assert!(Tokenizer::Trigram.tokens(b"ab", "").unwrap().is_empty());
    }

    #[test]
    fn sha256_indexes_the_first_64_bytes() {
        let q = format!("{}{}", "ab".repeat(32), "query { me }");
        let t = Tokenizer::Sha256.tokens(q.as_bytes(), "").unwrap();
        assert_eq!(t, vec![[&[0x0c][..], "ab".repeat(32).as_bytes()].concat()]);
        assert!(Tokenizer::Sha256
            .tokens(&[b'a'; 63], "")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn fulltext_stems_drops_stop_words_and_refuses_what_it_cannot_match() {
        let words = |v: &str, lang: &str| -> Vec<String> {
            Tokenizer::Fulltext
                .tokens(v.as_bytes(), lang)
                .unwrap()
                .iter()
                .map(|t| {
                    assert_eq!(t[0], 0x08);
                    String::from_utf8(t[1..].to_vec()).unwrap()
                })
                .collect()
        };
        // Dgraph v24.0.5: brown fox happili quick run
        assert_eq!(
            words("The quick brown foxes were Running happily", ""),
            ["brown", "fox", "happili", "quick", "run"]
        );
        assert_eq!(words("Katzen und Hunde", "da-DK"), ["hund", "katz", "und"]);
        assert_eq!(words("книги и журналы", "ru"), ["журнал", "книг"]);
        // each expectation below is Dgraph v24.0.5's output
        for (v, lang, want) in [
            (
                "Les chevaux mangeaient des pommes délicieuses",
                "fr",
                &["cheval", "delicieu", "mangeaient", "pome"][..],
            ),
            ("Die Häuser waren größer", "de", &["groß", "haus"]),
            ("Las canciones felices", "es", &["cancion", "feliz"]),
            (
                "Le ragazze cantavano canzoni",
                "it",
                &["cantavan", "canzon", "ragazz"],
            ),
            ("As canções portuguesas", "pt", &["canca", "portugues"]),
            ("والكتاب المكتبات", "ar", &["كتاب", "مكتب"]),
            ("लड़कियाँ खेलेंगी", "hi", &["खेल", "लड़क"]),
            (
                "東京タワー と 京都",
                "ja",
                &["と", "タワ", "ワー", "京タ", "京都", "東京"],
            ),
            ("第一轮 第二轮", "zh", &["一轮", "二轮", "第一", "第二"]),
            ("서울 특별시", "ko", &["서울", "특별시"]),
            ("کتێبەکان لە ماڵەوە", "ckb", &["ماڵەو", "کتێب"]),
        ] {
            assert_eq!(words(v, lang), want, "{lang}: {v}");
        }
        assert!(words("", "").is_empty());
        let e = Tokenizer::Fulltext.tokens(b"kot", "qaa").unwrap_err();
        assert!(e.contains("language tag \"qaa\""), "{e}");
        let e = Tokenizer::Term
            .tokens("x \u{93f}".as_bytes(), "")
            .unwrap_err();
        assert!(e.contains("U+093F"), "{e}");
    }

    #[test]
    fn parse_names() {
        assert_eq!(Tokenizer::parse("sha256"), Ok(Tokenizer::Sha256));
        assert_eq!(Tokenizer::parse("hash"), Ok(Tokenizer::Hash));
        assert_eq!(Tokenizer::parse("fulltext"), Ok(Tokenizer::Fulltext));
        assert_eq!(Tokenizer::parse("geo"), Ok(Tokenizer::Geo));
        assert_eq!(
            Tokenizer::parse("ngram"),
            Err("tokenizer ngram is not supported yet".into())
        );
        assert!(Tokenizer::parse("nope").is_err());
    }
}
