//! The affix-stripping stemmers Dgraph applies to Arabic (`stemmer_ar`) and
//! Hindi (`stemmer_hi`), as bleve has them from Lucene: fixed prefix and
//! suffix lists tried in a fixed order, each with a minimum word length.

/// Arabic: at most one prefix (the single-letter `و` only from words of
/// four letters or more, the others leaving at least two), then each suffix
/// in turn, leaving at least two letters.
pub fn arabic(w: &mut Vec<char>) {
    const PREFIXES: [&str; 7] = ["ال", "وال", "بال", "كال", "فال", "لل", "و"];
    const SUFFIXES: [&str; 10] = ["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];
    for p in PREFIXES {
        let p: Vec<char> = p.chars().collect();
        let long_enough = if p.len() == 1 {
            w.len() >= 4
        } else {
            w.len() >= p.len() + 2
        };
        if long_enough && w.starts_with(&p) {
            w.drain(..p.len());
            break;
        }
    }
    for s in SUFFIXES {
        let s: Vec<char> = s.chars().collect();
        if w.len() >= s.len() + 2 && w.ends_with(&s) {
            w.truncate(w.len() - s.len());
        }
    }
}

/// Hindi: suffixes of 5, 4, 3, 2, then 1 characters; a group is tried only
/// on words longer than its suffixes by two or more, and the first hit is
/// cut.
pub fn hindi(w: &mut Vec<char>) {
    const GROUPS: [&[&str]; 5] = [
        &["ाएंगी", "ाएंगे", "ाऊंगी", "ाऊंगा", "ाइयाँ", "ाइयों", "ाइयां"],
        &[
            "ाएगी",
            "ाएगा",
            "ाओगी",
            "ाओगे",
            "एंगी",
            "ेंगी",
            "एंगे",
            "ेंगे",
            "ूंगी",
            "ूंगा",
            "ातीं",
            "नाओं",
            "नाएं",
            "ताओं",
            "ताएं",
            "ियाँ",
            "ियों",
            "ियां",
        ],
        &[
            "ाकर",
            "ाइए",
            "ाईं",
            "ाया",
            "ेगी",
            "ेगा",
            "ोगी",
            "ोगे",
            "ाने",
            "ाना",
            "ाते",
            "ाती",
            "ाता",
            "तीं",
            "ाओं",
            "ाएं",
            "ुओं",
            "ुएं",
            "ुआं",
        ],
        &[
            "कर", "ाओ", "िए", "ाई", "ाए", "ने", "नी", "ना", "ते", "ीं", "ती", "ता", "ाँ", "ां", "ों", "ें",
        ],
        &["ो", "े", "ू", "ु", "ी", "ि", "ा"],
    ];
    for (i, group) in GROUPS.iter().enumerate() {
        let n = 5 - i;
        if w.len() > n + 1 {
            let hit = group.iter().any(|s| {
                let s: Vec<char> = s.chars().collect();
                w.ends_with(&s)
            });
            if hit {
                w.truncate(w.len() - n);
                return;
            }
        }
    }
}
