//! The "light" stemmers Dgraph applies to German, Spanish, French, Italian
//! and Portuguese (bleve's `stemmer_<lang>_light`, after Jacques Savoy's
//! light stemmers as Lucene has them): a few suffix rules and accent
//! folding on the characters of a lower-case word. Each function reproduces
//! the rules and their order as Dgraph runs them, quirks included (noted
//! where they matter); the words of the tokenizer test check them against
//! Dgraph's own output.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

fn ends(w: &[char], suffix: &str) -> bool {
    let n = suffix.chars().count();
    w.len() >= n && w[w.len() - n..].iter().copied().eq(suffix.chars())
}

fn is_letter(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Letter
}

/// Folds each character that `map` names.
fn fold(w: &mut [char], map: fn(char) -> Option<char>) {
    for c in w.iter_mut() {
        if let Some(to) = map(*c) {
            *c = to;
        }
    }
}

pub fn german(w: &mut Vec<char>) {
    fold(w, |c| match c {
        'ä' | 'à' | 'á' | 'â' => Some('a'),
        'ö' | 'ò' | 'ó' | 'ô' => Some('o'),
        'ï' | 'ì' | 'í' | 'î' => Some('i'),
        'ü' | 'ù' | 'ú' | 'û' => Some('u'),
        _ => None,
    });
    let st = |c: char| matches!(c, 'b' | 'd' | 'f' | 'g' | 'h' | 'k' | 'l' | 'm' | 'n' | 't');
    // step 1
    let l = w.len();
    if l > 5 && ends(w, "ern") {
        w.truncate(l - 3);
    } else if l > 4 && w[l - 2] == 'e' && matches!(w[l - 1], 'm' | 'n' | 'r' | 's') {
        w.truncate(l - 2);
    } else if (l > 3 && w[l - 1] == 'e') || (l > 3 && w[l - 1] == 's' && st(w[l - 2])) {
        w.truncate(l - 1);
    }
    // step 2
    let l = w.len();
    if l > 5 && ends(w, "est") {
        w.truncate(l - 3);
    } else if (l > 4 && w[l - 2] == 'e' && matches!(w[l - 1], 'r' | 'n'))
        || (l > 4 && ends(w, "st") && st(w[l - 3]))
    {
        w.truncate(l - 2);
    }
}

pub fn spanish(w: &mut Vec<char>) {
    let l = w.len();
    if l < 5 {
        return;
    }
    match w[l - 1] {
        'o' | 'a' | 'e' => w.truncate(l - 1),
        's' => {
            if ends(w, "eses") {
                w.truncate(l - 2);
            } else if ends(w, "ces") {
                w[l - 3] = 'z';
                w.truncate(l - 2);
            } else if matches!(w[l - 2], 'o' | 'a' | 'e') {
                w.truncate(l - 2);
            }
        }
        _ => {}
    }
}

pub fn italian(w: &mut Vec<char>) {
    let l = w.len();
    if l < 6 {
        return;
    }
    fold(w, |c| match c {
        'à' | 'á' | 'â' | 'ä' => Some('a'),
        'ò' | 'ó' | 'ô' | 'ö' => Some('o'),
        'è' | 'é' | 'ê' | 'ë' => Some('e'),
        'ù' | 'ú' | 'û' | 'ü' => Some('u'),
        'ì' | 'í' | 'î' | 'ï' => Some('i'),
        _ => None,
    });
    let before = w[l - 2];
    let cut = match w[l - 1] {
        'e' | 'i' if matches!(before, 'i' | 'h') => 2,
        'a' | 'o' if before == 'i' => 2,
        'e' | 'i' | 'a' | 'o' => 1,
        _ => 0,
    };
    w.truncate(l - cut);
}

pub fn portuguese(w: &mut Vec<char>) {
    if w.len() < 4 {
        return;
    }
    portuguese_suffix(w);
    if w.len() > 3 && w[w.len() - 1] == 'a' {
        portuguese_feminine(w);
    }
    if w.len() > 4 && matches!(w[w.len() - 1], 'e' | 'a' | 'o') {
        w.pop();
    }
    fold(w, |c| match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' => Some('a'),
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => Some('o'),
        'è' | 'é' | 'ê' | 'ë' => Some('e'),
        'ù' | 'ú' | 'û' | 'ü' => Some('u'),
        'ì' | 'í' | 'î' | 'ï' => Some('i'),
        'ç' => Some('c'),
        _ => None,
    });
}

/// Replaces the last `cut` characters of `w` by `with`.
fn swap(w: &mut Vec<char>, cut: usize, with: &str) {
    w.truncate(w.len() - cut);
    w.extend(with.chars());
}

fn portuguese_suffix(w: &mut Vec<char>) {
    let l = w.len();
    if l > 4 && ends(w, "es") && matches!(w[l - 3], 'r' | 's' | 'l' | 'z') {
        swap(w, 2, "");
    } else if l > 3 && ends(w, "ns") {
        swap(w, 2, "m");
    } else if l > 4 && (ends(w, "eis") || ends(w, "éis")) {
        swap(w, 3, "el");
    } else if l > 4 && ends(w, "ais") {
        swap(w, 2, "l");
    } else if l > 4 && ends(w, "óis") {
        swap(w, 3, "ol");
    } else if l > 4 && ends(w, "is") {
        swap(w, 1, "l");
    } else if l > 3 && (ends(w, "ões") || ends(w, "ães")) {
        swap(w, 3, "ão");
    } else if l > 6 && ends(w, "mente") {
        swap(w, 5, "");
    } else if l > 3 && w[l - 1] == 's' {
        swap(w, 1, "");
    }
}

fn portuguese_feminine(w: &mut Vec<char>) {
    let l = w.len();
    if l > 7 && (ends(w, "inha") || ends(w, "iaca") || ends(w, "eira")) {
        swap(w, 1, "o");
    } else if l > 6 {
        if ["osa", "ica", "ida", "ada", "iva", "ama"]
            .iter()
            .any(|s| ends(w, s))
        {
            swap(w, 1, "o");
        } else if ends(w, "ona") {
            swap(w, 3, "ão");
        } else if ends(w, "ora") {
            swap(w, 1, "");
        } else if ends(w, "esa") {
            swap(w, 3, "ês");
        } else if ends(w, "na") {
            swap(w, 1, "o");
        }
    }
}

pub fn french(w: &mut Vec<char>) {
    let mut l = w.len();
    if l > 5 && w[l - 1] == 'x' {
        if w[l - 3] == 'a' && w[l - 2] == 'u' && w[l - 4] != 'e' {
            w[l - 2] = 'l';
        }
        w.pop();
        l -= 1;
    }
    if l > 3 && w[l - 1] == 'x' {
        w.pop();
        l -= 1;
    }
    if l > 3 && w[l - 1] == 's' {
        w.pop();
        l -= 1;
    }
    // (length above, suffix, characters to cut, replacement, then normalise
    // and stop)
    const ENDINGS: &[(usize, &str, usize, &str)] =
        &[(9, "issement", 6, "r"), (8, "issant", 4, "r")];
    for &(min, suffix, cut, with) in ENDINGS {
        if l > min && ends(w, suffix) {
            swap(w, cut + 1, with);
            return french_norm(w);
        }
    }
    if l > 6 && ends(w, "ement") {
        swap(w, 4, "");
        if w.len() > 3 && ends(w, "ive") {
            swap(w, 2, "f");
        }
        return french_norm(w);
    }
    const ENDINGS2: &[(usize, &str, usize, &str)] = &[
        (11, "ficatrice", 7, "er"),
        (10, "ficateur", 6, "er"),
        (9, "catrice", 7, "quer"),
        (8, "cateur", 6, "quer"),
        (8, "atrice", 6, "er"),
        (7, "ateur", 5, "er"),
    ];
    for &(min, suffix, cut, with) in ENDINGS2 {
        if l > min && ends(w, suffix) {
            swap(w, cut, with);
            return french_norm(w);
        }
    }
    if l > 6 && ends(w, "trice") {
        // "trice" becomes "teur" and the rules below go on
        swap(w, 4, "eur");
        l = w.len();
    }
    if l > 5 && ends(w, "ième") {
        swap(w, 4, "");
        return french_norm(w);
    }
    const ENDINGS3: &[(usize, &str, usize, &str)] = &[
        (7, "teuse", 3, "r"),
        (6, "teur", 2, "r"),
        (5, "euse", 2, ""),
        (8, "ère", 3, "er"),
        (7, "ive", 2, "f"),
    ];
    for &(min, suffix, cut, with) in ENDINGS3 {
        if l > min && ends(w, suffix) {
            swap(w, cut, with);
            return french_norm(w);
        }
    }
    if l > 4 && (ends(w, "folle") || ends(w, "molle")) {
        swap(w, 3, "u");
        return french_norm(w);
    }
    if l > 9 && ends(w, "nnelle") {
        swap(w, 5, "");
        return french_norm(w);
    }
    if l > 9 && ends(w, "nnel") {
        swap(w, 3, "");
        return french_norm(w);
    }
    if l > 4 && ends(w, "ète") {
        swap(w, 3, "et");
        l = w.len();
    }
    if l > 8 && ends(w, "ique") {
        swap(w, 4, "");
        l = w.len();
    }
    if l > 8 && ends(w, "esse") {
        swap(w, 3, "");
        return french_norm(w);
    }
    if l > 7 && ends(w, "inage") {
        swap(w, 3, "");
        return french_norm(w);
    }
    if l > 9 && ends(w, "isation") {
        swap(w, 7, "");
        let n = w.len();
        if n > 5 && ends(w, "ual") {
            w[n - 2] = 'e';
        }
        return french_norm(w);
    }
    if l > 9 && ends(w, "isateur") {
        swap(w, 7, "");
        return french_norm(w);
    }
    if l > 8 && (ends(w, "ation") || ends(w, "ition")) {
        swap(w, 5, "");
    }
    french_norm(w)
}

/// The final normalisation of the French stemmer. Dgraph's version folds
/// the accent of one position and then collapses repeated letters over the
/// whole word, position after position, so positions shift as it goes.
fn french_norm(w: &mut Vec<char>) {
    if w.len() > 4 {
        let mut i = 0;
        while i < w.len() {
            let to = match w[i] {
                'à' | 'á' | 'â' => Some('a'),
                'ô' => Some('o'),
                'è' | 'é' | 'ê' => Some('e'),
                'ù' | 'û' => Some('u'),
                'î' => Some('i'),
                'ç' => Some('c'),
                _ => None,
            };
            if let Some(to) = to {
                w[i] = to;
            }
            collapse_repeats(w);
            i += 1;
        }
    }
    if w.len() > 4 && ends(w, "ie") {
        w.truncate(w.len() - 2);
    }
    if w.len() > 4 {
        for c in ['r', 'e', 'e'] {
            if w[w.len() - 1] == c {
                w.pop();
            }
        }
        let n = w.len();
        if w[n - 1] == w[n - 2] && is_letter(w[n - 1]) {
            w.pop();
        }
    }
}

/// Removes each letter equal to the one kept before it.
fn collapse_repeats(w: &mut Vec<char>) {
    if w.is_empty() {
        return;
    }
    let mut prev = w[0];
    let mut i = 1;
    while i < w.len() {
        if w[i] == prev && is_letter(prev) {
            w.remove(i);
        } else {
            prev = w[i];
            i += 1;
        }
    }
}
