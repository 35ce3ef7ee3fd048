//! Language tags to the base language whose analysis applies, as Dgraph's
//! `tok.LangBase` computes it with Go's `golang.org/x/text/language`: an
//! untagged value is English, `en-GB` is `en`, and so on.
//!
//! Go's parser maps tags it does not know (an unregistered code, script or
//! variant) to English. For two-letter codes this module knows the answer
//! for all 676 (measured against Dgraph's `tok.LangBase`: [`KNOWN`] and
//! [`OTHER`] are registered, every other one is English to Dgraph). A tag it
//! cannot tell (three letters other than `ckb`, variants, unusual scripts) is
//! refused ([`base`] returns `None`) rather than guessed: a wrong guess would
//! write index keys Dgraph does not.

/// A language tag split as Go's parser reads the forms this module knows:
/// the language (lower case), an optional script (title case) and an
/// optional region (upper case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    pub language: String,
    pub script: Option<String>,
    pub region: Option<String>,
    /// Go fails to parse the tag (an unregistered language or region), and
    /// Dgraph reads it as English.
    pub english: bool,
}

/// Splits `tag` into language, script and region, or `None` for a form this
/// build cannot tell Go's reading of (variants, extensions, unknown scripts,
/// codes other than two letters or `ckb`).
pub fn parse(tag: &str) -> Option<Tag> {
    let mut parts = tag.split(['-', '_']);
    let language = parts.next()?.to_ascii_lowercase();
    let known_code = (language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase()))
        || language == "ckb";
    if !known_code {
        return None;
    }
    let title = |s: &str| {
        let lower = s.to_ascii_lowercase();
        lower[..1].to_ascii_uppercase() + &lower[1..]
    };
    let rest: Vec<&str> = parts.collect();
    let (script, region) = match rest.as_slice() {
        [] => (None, None),
        [r] if is_region(r) => (None, Some(r.to_ascii_uppercase())),
        [s] if is_script(s) => (Some(title(s)), None),
        [s, r] if is_script(s) && is_region(r) => (Some(title(s)), Some(r.to_ascii_uppercase())),
        _ => return None,
    };
    let unknown_region = region
        .as_deref()
        .is_some_and(|r| UNKNOWN_REGIONS.split(' ').any(|u| u == r));
    Some(Tag {
        english: unknown_region || !is_registered(&language),
        language,
        script,
        region,
    })
}

/// Deprecated codes Go's parser replaces (Dgraph's `tok.LangBase` answers
/// the replacement; measured against it).
const REPLACED: [(&str, &str); 7] = [
    ("in", "id"),
    ("iw", "he"),
    ("ji", "yi"),
    ("jw", "jv"),
    ("mo", "ro"),
    ("sh", "sr"),
    ("tl", "fil"),
];

/// The code Go's parser puts in place of a deprecated one (`iw` → `he`).
pub fn replacement(code: &str) -> Option<&'static str> {
    REPLACED
        .iter()
        .find(|(from, _)| *from == code)
        .map(|(_, to)| *to)
}

/// Whether Go's registry knows the language code (an unknown one makes
/// Dgraph fall back to English).
pub fn is_registered(code: &str) -> bool {
    KNOWN.iter().any(|(c, _)| *c == code) || OTHER.split(' ').any(|c| c == code)
}

/// Dgraph's `tok.LangBase` of `tag`: the language code Go's parser settles
/// on (`iw` is `he`), `en` for an empty or unregistered one; `None` when
/// this build cannot tell (see [`parse`]).
pub fn dgraph_base(tag: &str) -> Option<String> {
    if tag.is_empty() {
        return Some("en".into());
    }
    let t = parse(tag)?;
    if t.english {
        return Some("en".into());
    }
    Some(replacement(&t.language).unwrap_or(&t.language).to_string())
}

/// The base language of `tag` (lower case) as the fulltext analyzer groups
/// languages, or `None` when this build cannot tell what Dgraph makes of the
/// tag. `""` is English.
pub fn base(tag: &str) -> Option<&'static str> {
    if tag.is_empty() {
        return Some("en");
    }
    let t = parse(tag)?;
    if t.english {
        return Some("en");
    }
    Some(match KNOWN.iter().find(|(code, _)| *code == t.language) {
        Some((_, base)) => *base,
        // a registered language Dgraph analyses plainly (no stop words, no
        // stemmer): any name outside KNOWN does the same
        None => "other",
    })
}

/// A region subtag this build reads as Go does: two letters (Go's registry
/// knows all but [`UNKNOWN_REGIONS`]), or one of the UN M.49 area codes
/// (other three-digit codes are refused: Go knows some of them).
fn is_region(s: &str) -> bool {
    const M49: &str = "001 002 003 005 009 011 013 014 015 017 018 019 021 029 030 034 035 039 \
        053 054 057 061 142 143 145 150 151 154 155 202 419 999";
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()))
        || (s.len() == 3 && M49.split(' ').any(|r| r == s))
}

/// Two-letter regions Go's registry does not know (measured against
/// Dgraph's `tok.LangBase`, v24.0.5 and v25.4.0 alike).
const UNKNOWN_REGIONS: &str = "AB AH AJ AK AP AV AY BC BK BP BX CB CE CJ DA DB DC DF DH DI DL DN DP DQ DR DS DT DU DV DW DX EB \
    ED EF EI EJ EK EL EM EN EO EP EQ EV EW EX EY FA FB FC FD FE FF FG FH FL FN FP FS FT FU FV FW FY \
    FZ GC GJ GK GO GV GX GZ HA HB HC HD HE HF HG HH HI HJ HL HO HP HQ HS HW HX HY HZ IA IB IF IG IH \
    II IJ IK IP IU IV IW IX IY IZ JA JB JC JD JF JG JH JI JJ JK JL JN JQ JR JS JU JV JW JX JY JZ KA \
    KB KC KD KF KJ KK KL KO KQ KS KT KU KV KX LD LE LF LG LH LJ LL LM LN LO LP LQ LW LX LZ MB MJ NB \
    ND NJ NK NM NN NS NV NW NX NY OA OB OC OD OE OF OG OH OI OJ OK OL ON OO OP OQ OR OS OT OU OV OW \
    OX OY OZ PB PD PI PJ PO PP PQ PV PX QB QC QD QE QF QG QH QI QJ QK QL RA RB RC RD RF RG RI RJ RK \
    RL RM RN RP RQ RR RT RV RX RY RZ SF SP SQ SW TB TE TI TQ TS TU TX TY UB UC UD UE UF UH UI UJ UL \
    UO UP UQ UR UT UU UV UW UX VB VF VH VJ VK VL VM VO VP VQ VR VS VT VV VW VX VY VZ WA WB WC WD WE \
    WG WH WI WJ WL WM WN WO WP WQ WR WT WU WV WW WX WY WZ YA YB YC YF YG YH YI YJ YK YL YM YN YO YP \
    YQ YR YS YV YW YX YY YZ ZB ZC ZD ZE ZF ZG ZH ZI ZJ ZK ZL ZN ZO ZP ZQ ZS ZT ZU ZV ZX ZY";

/// Scripts that Go's registry knows (a subset: the ones in common use with
/// the languages below).
fn is_script(s: &str) -> bool {
    const SCRIPTS: [&str; 13] = [
        "latn", "cyrl", "arab", "grek", "armn", "deva", "hans", "hant", "jpan", "kore", "hang",
        "hira", "kana",
    ];
    s.len() == 4 && SCRIPTS.contains(&s.to_ascii_lowercase().as_str())
}

/// Two-letter codes Go's registry knows whose base is not in [`KNOWN`]
/// (deprecated ones included: `iw` is Hebrew, `tl` Filipino).
const OTHER: &str = "aa ab ae af ak am an as av ay az ba be bh bi bm bn bo br bs ce ch co cr cu \
    cv cy dv dz ee eo et ff fj fo fy gd gn gu gv ha he ho hr ht hz ia ie ig ii ik io is iu iw ji \
    jv jw ka kg ki kj kk kl km kn kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn \
    mr ms mt my na nb nd ne ng nn nr nv ny oc oj om or os pa pi pl ps qu rm rn rw sa sc sd se sg \
    sh si sk sl sm sn so sq sr ss st su sw ta te tg th ti tk tl tn to ts tt tw ty ug uk ur uz ve \
    vi vo wa wo xh yi yo za zu";

/// First subtags whose base is one of the languages Dgraph's fulltext
/// analyzer treats specially, with the deprecated codes Go maps onto them.
const KNOWN: [(&str, &str); 33] = [
    ("ar", "ar"),
    ("bg", "bg"),
    ("ca", "ca"),
    ("ckb", "ckb"),
    ("cs", "cs"),
    ("da", "da"),
    ("de", "de"),
    ("el", "el"),
    ("en", "en"),
    ("es", "es"),
    ("eu", "eu"),
    ("fa", "fa"),
    ("fi", "fi"),
    ("fr", "fr"),
    ("ga", "ga"),
    ("gl", "gl"),
    ("hi", "hi"),
    ("hu", "hu"),
    ("hy", "hy"),
    ("id", "id"),
    ("in", "id"),
    ("it", "it"),
    ("ja", "ja"),
    ("ko", "ko"),
    ("mo", "ro"),
    ("nl", "nl"),
    ("no", "no"),
    ("pt", "pt"),
    ("ro", "ro"),
    ("ru", "ru"),
    ("sv", "sv"),
    ("tr", "tr"),
    ("zh", "zh"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_as_dgraph_computes_them() {
        // Each expectation was read from Dgraph v24.0.5's tok.LangBase.
        for (tag, want) in [
            ("", Some("en")),
            ("en", Some("en")),
            ("EN", Some("en")),
            ("en_US", Some("en")),
            ("de-QQ", Some("de")),
            ("de-999", Some("de")),
            // an unregistered region: Go fails to parse the tag
            ("de-AB", Some("en")),
            ("de-123", None),
            ("de-Latn-DE", Some("de")),
            ("DE-de", Some("de")),
            ("in", Some("id")),
            ("mo", Some("ro")),
            ("zh-Hant", Some("zh")),
            ("pl", Some("other")),
            ("iw-IL", Some("other")),
            // unregistered: English to Dgraph
            ("xx", Some("en")),
            ("zz-ZZ", Some("en")),
            // refused: Go maps some such tags to English, others elsewhere,
            // and this build cannot tell which without Go's registry
            ("de-Abcd", None),
            ("de-DE-1996", None),
            ("qaa", None),
            ("x-klingon", None),
        ] {
            assert_eq!(base(tag), want, "{tag}");
        }
    }
}
