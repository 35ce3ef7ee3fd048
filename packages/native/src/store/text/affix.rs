//! The affix-stripping stemmers Dgraph applies to Arabic (`stemmer_ar`),
//! Hindi (`stemmer_hi`) and Sorani (`stemmer_ckb`), as bleve has them from Lucene: fixed prefix and
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

/// Sorani (Central Kurdish): a postposition, then a possessive pronoun,
/// then one ezafe, definiteness or plural suffix, each only on words longer
/// than the rule's minimum (in characters). Rules as Dgraph tries them:
/// (minimum length + 1, suffix, characters cut).
pub fn sorani(w: &mut Vec<char>) {
    type Rule = (usize, &'static str, usize);
    const POSTPOSITION: [Rule; 3] = [(5, "دا", 2), (4, "نا", 1), (6, "ەوە", 3)];
    const POSSESSIVE: [Rule; 3] = [(6, "مان", 3), (6, "یان", 3), (6, "تان", 3)];
    const LAST: [Rule; 18] = [
        (6, "ێکی", 3),
        (7, "یەکی", 4),
        (5, "ێک", 2),
        (6, "یەک", 3),
        (6, "ەکە", 3),
        (5, "کە", 2),
        (7, "ەکان", 4),
        (6, "کان", 3),
        (7, "یانی", 4),
        (6, "انی", 3),
        (6, "یان", 3),
        (5, "ان", 2),
        (7, "یانە", 4),
        (6, "انە", 3),
        (5, "ایە", 2),
        (5, "ەیە", 2),
        (4, "ە", 1),
        (4, "ی", 1),
    ];
    let first = |w: &mut Vec<char>, rules: &[Rule]| {
        let hit = rules.iter().find(|(min, s, _)| {
            let s: Vec<char> = s.chars().collect();
            w.len() > *min && w.ends_with(&s)
        });
        if let Some((_, _, cut)) = hit {
            w.truncate(w.len() - cut);
        }
    };
    first(w, &POSTPOSITION);
    first(w, &POSSESSIVE);
    first(w, &LAST);
}
