//! Stop words of Dgraph's fulltext analyzer, per base language: the lists
//! bleve ships (from the Snowball and Lucene projects), one word per line in
//! `stopwords/<lang>.txt`. See `stopwords/README.md` for their origin.

use std::collections::HashSet;
use std::sync::OnceLock;

macro_rules! lists {
    ($($l:literal),* $(,)?) => {
        const LISTS: &[(&str, &str)] = &[$(($l, include_str!(concat!("stopwords/", $l, ".txt")))),*];
    };
}
lists!(
    "ar", "bg", "ca", "ckb", "cs", "da", "de", "el", "en", "es", "eu", "fa", "fi", "fr", "ga",
    "gl", "hi", "hu", "hy", "id", "it", "nl", "no", "pt", "ro", "ru", "sv", "tr",
);

/// The stop words of base language `lang`, if Dgraph filters any for it.
pub fn stop_words(lang: &str) -> Option<&'static HashSet<&'static str>> {
    static SETS: OnceLock<Vec<(&'static str, HashSet<&'static str>)>> = OnceLock::new();
    let sets = SETS.get_or_init(|| {
        LISTS
            .iter()
            .map(|(l, text)| (*l, text.lines().filter(|w| !w.is_empty()).collect()))
            .collect()
    });
    sets.iter().find(|(l, _)| *l == lang).map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load() {
        let en = stop_words("en").expect("en");
        assert_eq!(en.len(), 174);
        assert!(en.contains("the") && !en.contains("fox"));
        assert!(stop_words("de").expect("de").contains("und"));
        assert!(stop_words("pl").is_none());
    }
}
