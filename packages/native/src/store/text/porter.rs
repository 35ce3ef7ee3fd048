//! English stemming as Dgraph does it (`stemmer_porter`: bleve's
//! go-porterstemmer): Martin Porter's 1980 algorithm with the two
//! departures of his reference implementation (`bli` → `ble`, `logi` →
//! `log`), suffixes tried in a fixed order and only when the word is longer
//! than the suffix, words of one or two characters kept. Characters other
//! than a e i o u (and y after a consonant) count as consonants.

/// The stem of a lower-case word.
pub fn stem(word: &[char]) -> Vec<char> {
    let mut w = word.to_vec();
    if w.len() <= 2 {
        return w;
    }
    step1a(&mut w);
    step1b(&mut w);
    step1c(&mut w);
    replace_first(&mut w, STEP2, 0);
    replace_first(&mut w, STEP3, 0);
    step4(&mut w);
    step5a(&mut w);
    step5b(&mut w);
    w
}

fn is_consonant(w: &[char], i: usize) -> bool {
    match w[i] {
        'a' | 'e' | 'i' | 'o' | 'u' => false,
        'y' => i == 0 || !is_consonant(w, i - 1),
        _ => true,
    }
}

/// Porter's m: the number of vowel-consonant sequences after any leading
/// consonants.
fn measure(w: &[char]) -> usize {
    let mut i = 0;
    while i < w.len() && is_consonant(w, i) {
        i += 1;
    }
    let mut m = 0;
    while i < w.len() {
        while i < w.len() && !is_consonant(w, i) {
            i += 1;
        }
        if i == w.len() {
            break;
        }
        while i < w.len() && is_consonant(w, i) {
            i += 1;
        }
        m += 1;
    }
    m
}

/// `w` ends with `suffix` and is longer than it.
fn ends(w: &[char], suffix: &str) -> bool {
    let n = suffix.chars().count();
    w.len() > n && w[w.len() - n..].iter().copied().eq(suffix.chars())
}

fn has_vowel(w: &[char]) -> bool {
    (0..w.len()).any(|i| !is_consonant(w, i))
}

fn double_consonant(w: &[char]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

/// Consonant, vowel, consonant at the end, the last not w, x or y.
fn cvc(w: &[char]) -> bool {
    let n = w.len();
    n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && !matches!(w[n - 1], 'w' | 'x' | 'y')
}

fn set_suffix(w: &mut Vec<char>, cut: usize, add: &str) {
    w.truncate(w.len() - cut);
    w.extend(add.chars());
}

fn step1a(w: &mut Vec<char>) {
    if ends(w, "sses") || ends(w, "ies") {
        set_suffix(w, 2, "");
    } else if ends(w, "ss") {
    } else if ends(w, "s") {
        set_suffix(w, 1, "");
    }
}

fn step1b(w: &mut Vec<char>) {
    if ends(w, "eed") {
        if measure(&w[..w.len() - 3]) > 0 {
            set_suffix(w, 1, "");
        }
        return;
    }
    let cut = if ends(w, "ed") {
        2
    } else if ends(w, "ing") {
        3
    } else {
        return;
    };
    let stem_len = w.len() - cut;
    if !has_vowel(&w[..stem_len]) {
        return;
    }
    w.truncate(stem_len);
    let last = w[stem_len - 1];
    if ends(w, "at") || ends(w, "bl") || ends(w, "iz") {
        w.push('e');
    } else if !matches!(last, 'l' | 's' | 'z') && double_consonant(w) {
        w.pop();
    } else if measure(w) == 1 && cvc(w) {
        w.push('e');
    }
}

fn step1c(w: &mut [char]) {
    let n = w.len();
    if n >= 2 && w[n - 1] == 'y' && has_vowel(&w[..n - 1]) {
        w[n - 1] = 'i';
    }
}

/// Step 2, in the order Dgraph's stemmer tries them: suffix, replacement.
const STEP2: &[(&str, &str)] = &[
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
];

const STEP3: &[(&str, &str)] = &[
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
];

/// The first suffix of `table` that `w` ends with is replaced when the stem
/// before it has a measure above `min_m`; later suffixes are not tried.
fn replace_first(w: &mut Vec<char>, table: &[(&str, &str)], min_m: usize) {
    if let Some((suffix, to)) = table.iter().find(|(s, _)| ends(w, s)) {
        let cut = suffix.chars().count();
        if measure(&w[..w.len() - cut]) > min_m {
            set_suffix(w, cut, to);
        }
    }
}

const STEP4: &[&str] = &[
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
    "ism", "ate", "iti", "ous", "ive", "ize",
];

fn step4(w: &mut Vec<char>) {
    let Some(suffix) = STEP4.iter().find(|s| ends(w, s)) else {
        return;
    };
    let stem_len = w.len() - suffix.chars().count();
    let stem = &w[..stem_len];
    let ion_ok = *suffix != "ion" || matches!(stem[stem_len - 1], 's' | 't');
    if measure(stem) > 1 && ion_ok {
        w.truncate(stem_len);
    }
}

fn step5a(w: &mut Vec<char>) {
    if w.len() < 2 || w[w.len() - 1] != 'e' {
        return;
    }
    let stem = &w[..w.len() - 1];
    let m = measure(stem);
    if m > 1 || (m == 1 && !cvc(stem)) {
        w.pop();
    }
}

fn step5b(w: &mut Vec<char>) {
    let n = w.len();
    if n > 2 && w[n - 1] == 'l' && w[n - 2] == 'l' && measure(&w[..n - 1]) > 1 {
        w.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(w: &str) -> String {
        stem(&w.chars().collect::<Vec<_>>()).into_iter().collect()
    }

    #[test]
    fn porter_with_dgraphs_departures() {
        for (w, want) in [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("agreed", "agre"),
            ("hopping", "hop"),
            ("filing", "file"),
            ("happy", "happi"),
            ("relational", "relat"),
            ("technology", "technolog"),
            ("sensibility", "sensibl"),
            ("organizer", "organ"),
            ("adjustment", "adjust"),
            ("controll", "control"),
            ("us", "us"),
            ("s", "s"),
            ("ies", "ie"),
        ] {
            assert_eq!(s(w), want, "{w}");
        }
    }
}
