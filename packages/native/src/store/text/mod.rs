//! Text analysis for the `term` and `fulltext` index tokenizers, byte-exact
//! with Dgraph's (which uses bleve):
//!
//! * [`checked_chars`]: the characters whose analysis was measured to match
//!   Dgraph's; values with others are refused.
//! * [`words`]: Unicode word split, lower case (Go's simple case mapping),
//!   NFKC. Both tokenizers start here.
//! * [`lang`]: a value's language tag to the base language whose stop words
//!   and stemmer apply (Dgraph's `tok.LangBase`).
//! * [`stopwords`]: the per-language stop word lists.
//! * [`porter`]: the English stemmer; [`light`]: German, Spanish, French,
//!   Italian and Portuguese; [`affix`]: Arabic, Hindi and Sorani; [`cjk`]: Chinese,
//!   Japanese and Korean bigrams.
//! * [`fulltext`]: words, then stop words, then the language's stemmer.

pub mod affix;
pub mod checked_chars;
mod checked_chars_table;
pub mod cjk;
pub mod fulltext;
pub mod lang;
pub mod light;
pub mod porter;
pub mod stopwords;
pub mod words;
