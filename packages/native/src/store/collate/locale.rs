//! Which of Go's collation locales (CLDR 23, `data/locales.tsv`) a language
//! tag selects, as `collate.New(language.Parse(tag))` picks it: the tag with
//! its deprecated code replaced, then the most specific listed locale among
//! language-script-region, language-script and language, the root locale
//! when none is listed. A tag Go fails to parse (an unregistered code)
//! collates as English.

use super::table::Table;
use crate::store::text::lang;
use std::sync::OnceLock;

static LOCALES: &str = include_str!("data/locales.tsv");

/// The listed locales and their tables, read once.
fn locales() -> &'static [(String, Table)] {
    static PARSED: OnceLock<Vec<(String, Table)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        LOCALES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|line| {
                let mut f = line.split('\t');
                let name = f.next()?.to_string();
                let lookup = f.next()?.parse().ok()?;
                let values = f.next()?.parse().ok()?;
                Some((name, Table::new(lookup, values)))
            })
            .collect()
    })
}

/// The table of the locale named exactly `name` (as listed).
fn listed(name: &str) -> Option<Table> {
    locales().iter().find(|(n, _)| n == name).map(|(_, t)| *t)
}

/// The script Go's matcher assumes for a language and region when the tag
/// names none, for the languages whose collation differs by script: Chinese
/// in these regions is Traditional (measured against Dgraph for every
/// region).
fn implied_script(language: &str, region: Option<&str>) -> Option<&'static str> {
    const HANT: &str = "AU BN EU GB GF HK ID MO MY PA PF PH PZ QU SR TH TW UK US VD VN \
        003 005 009 013 019 021 035 053 061 150 154 419";
    match (language, region) {
        ("zh", Some(r)) if HANT.split(' ').any(|h| h == r) => Some("Hant"),
        _ => None,
    }
}

/// The collation table for `tag`, or `None` when this build cannot tell
/// which one Go picks (see [`lang::parse`]).
pub fn table_for(tag: &str) -> Option<Table> {
    let t = lang::parse(tag)?;
    if t.english {
        return listed("en");
    }
    let language = match t.language.as_str() {
        // Go's matcher canonicalizes Norwegian Bokmål to `no`, which has no
        // tailoring of its own
        "nb" => "no",
        code => lang::replacement(code).unwrap_or(code),
    };
    let mut script = t.script.clone();
    if t.language == "sh" && script.is_none() {
        // Serbo-Croatian is Serbian in Latin script to Go
        script = Some("Latn".into());
    }
    let region = t.region.as_deref();
    if script.is_none() {
        script = implied_script(language, region).map(String::from);
    }
    let mut tries = Vec::new();
    if let (Some(s), Some(r)) = (&script, region) {
        tries.push(format!("{language}-{s}-{r}"));
    }
    if let Some(r) = region {
        tries.push(format!("{language}-{r}"));
    }
    if let Some(s) = &script {
        tries.push(format!("{language}-{s}"));
    }
    tries.push(language.to_string());
    tries.push("und".into());
    tries.iter().find_map(|name| listed(name))
}
