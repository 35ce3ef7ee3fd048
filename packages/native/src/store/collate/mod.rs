//! Collation keys as Dgraph's `exact` index writes them for a
//! language-tagged value: Go's `x/text/collate` (CLDR 23 tables, default
//! options) for the tag's locale. `locale` picks the table, `table` walks
//! it, `key` assembles the bytes; `elem` and `norm` hold the element
//! encoding and the normalization facts the walk reads.

mod elem;
mod key;
mod locale;
mod norm;
mod table;

#[cfg(test)]
mod tests;

/// The collation key of `value` for the language `tag`, or `None` when this
/// build cannot tell which collation Dgraph uses for the tag.
pub fn key_for(tag: &str, value: &[u8]) -> Option<Vec<u8>> {
    let table = locale::table_for(tag)?;
    Some(key::key(table, value))
}
