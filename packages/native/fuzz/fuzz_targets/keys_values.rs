//! The smaller byte decoders, picked by a selector byte: internal keys (`format/keys.rs`, both
//! layouts, rebuilt and parsed again), scalar values as the export formats them
//! (`export/value.rs`: ints, floats, Go binary datetimes, base64), the index tokenizers on stored
//! values (`store/tokenize.rs`), `dgraph.drop.op` values, namespaced names and schema/type
//! protobufs (`SchemaUpdate`, `TypeUpdate`, as the schema export prints them, and with their names
//! made bare as a restore stores them, `store/value_names.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use strata_native::export::schema_line;
use strata_native::export::value::{format_go_time, format_value};
use strata_native::format::keys::{build_key, parse_key};
use strata_native::format::names::{bare_name, split_ns_name, ValueNameForm};
use strata_native::format::proto::{SchemaUpdate, TypeUpdate};
use strata_native::store::backup::parse_drop_value;
use strata_native::store::tokenize::{go_time_instant, Tokenizer};
use strata_native::store::value_names::to_store_form;

const TOKENIZERS: [&str; 14] = [
    "term", "exact", "year", "month", "day", "hour", "int", "float", "bool", "trigram", "hash",
    "sha256", "fulltext", "geo",
];

/// Language tags for the text tokenizers: each analysis path, and refused ones.
const LANGS: [&str; 8] = ["", "en", "de", "tr", "ja", "ckb", "xx", "qaa"];

/// A restore's rewrite of the names in a schema/type value: never a panic. Stripping a `<hexns>-`
/// prefix (or none) keeps a readable value readable; stripping 8 bytes (v21.03) may cut a UTF-8
/// sequence, which the restore then refuses as corrupt (`store/restore.rs`).
fn bare_names<M: Message + Default>(v: &[u8], is_type: bool) {
    for form in [ValueNameForm::Bare, ValueNameForm::Ns8, ValueNameForm::Hex] {
        if let Ok(out) = to_store_form(v, is_type, form) {
            if form != ValueNameForm::Ns8 && M::decode(v).is_ok() {
                assert!(
                    M::decode(&out[..]).is_ok(),
                    "{form:?}: a readable value became unreadable"
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, v)) = data.split_first() else {
        return;
    };
    match sel % 8 {
        0 | 1 => {
            let with_ns = sel % 8 == 1;
            if let Ok(k) = parse_key(v, with_ns) {
                let raw = build_key(&k, with_ns).expect("a parsed key builds");
                assert_eq!(parse_key(&raw, with_ns).expect("rebuilt key parses"), k);
            }
        }
        2 => {
            // value type, language tag length, then the value and the tag
            let Some((&[t, n], rest)) = v.split_first_chunk::<2>() else {
                return;
            };
            let (value, lang) = rest.split_at((n as usize).min(rest.len()));
            let s = format_value(i32::from(t % 16), value, lang);
            assert!(
                !s.contains('\n'),
                "a value literal holds a raw newline: {s:?}"
            );
        }
        3 => {
            let s = format_go_time(v);
            assert!(s.ends_with('Z') || s.contains(['+', '-']), "{s}");
            let _ = go_time_instant(v);
        }
        4 => {
            let Some((&t, value)) = v.split_first() else {
                return;
            };
            let name = TOKENIZERS[t as usize % TOKENIZERS.len()];
            let tok = Tokenizer::parse(name).expect("known tokenizer");
            let lang = LANGS[(t >> 4) as usize % LANGS.len()];
            let _ = tok.tokens(value, lang);
        }
        5 => {
            let _ = parse_drop_value(v);
            if let Some((_, name)) = split_ns_name(v) {
                assert!(name.len() + 8 <= v.len());
            }
            if let Ok(s) = std::str::from_utf8(v) {
                let _ = bare_name(s);
            }
        }
        6 => {
            bare_names::<SchemaUpdate>(v, false);
            if let Ok(su) = SchemaUpdate::decode(v) {
                let line = schema_line(u64::from(sel), &su.predicate, &su);
                assert!(line.ends_with(" ."), "{line}");
            }
        }
        _ => {
            bare_names::<TypeUpdate>(v, true);
            if let Ok(tu) = TypeUpdate::decode(v) {
                for f in &tu.fields {
                    let _ = schema_line(0, &f.predicate, f);
                }
            }
        }
    }
});
