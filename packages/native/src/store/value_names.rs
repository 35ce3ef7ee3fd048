//! The names inside stored schema and type values (`SchemaUpdate.predicate`,
//! `TypeUpdate.type_name`, each `fields[].predicate`).
//!
//! The store keeps them bare: the key already holds the namespace. A restore
//! strips whatever prefix the backup's manifest version puts on them
//! ([`to_store_form`]); a backup adds the prefix its layout wants
//! (`backup/layout.rs`). Stores written before names were kept bare hold the
//! v21.03 form; [`stored_bare_name`] reads both.

use super::error::{Result, StoreError};
use crate::format::names::{strip_value_name, ValueNameForm};
use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};

/// The bare name of a name read from the store of namespace `ns`.
pub fn stored_bare_name(stored: &[u8], ns: u64) -> &[u8] {
    match stored.strip_prefix(&ns.to_be_bytes()[..]) {
        Some(bare) if !bare.is_empty() => bare,
        _ => stored,
    }
}

/// A backup's schema (`is_type` false) or type value with every name made
/// bare, as the store keeps it.
pub fn to_store_form(value: &[u8], is_type: bool, form: ValueNameForm) -> Result<Vec<u8>> {
    rewrite_value_names(value, is_type, &|n| strip_value_name(n, form).to_vec())
}

/// Rewrites a schema or type value at the wire level: field 1 (the name)
/// through `name`; in a type value also field 1 of every field 2 (the
/// fields' `SchemaUpdate`s). Every other field is copied as is (unknown
/// fields survive, names need not be UTF-8).
pub fn rewrite_value_names(
    msg: &[u8],
    is_type: bool,
    name: &dyn Fn(&[u8]) -> Vec<u8>,
) -> Result<Vec<u8>> {
    let nested = |field: &[u8]| rewrite_value_names(field, false, name);
    rewrite(msg, name, if is_type { Some(&nested) } else { None })
}

type NestedFn<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>> + 'a;

fn put_bytes_field(tag: u32, b: &[u8], out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(b.len() as u64, out);
    out.extend_from_slice(b);
}

/// One field of a protobuf message: its tag, its body when it is
/// length-delimited, and its whole encoding (key included), to copy as is.
struct Field<'a> {
    tag: u32,
    body: Option<&'a [u8]>,
    raw: &'a [u8],
}

/// The next field of `buf`, which is advanced past it. Every length is
/// checked against what is left; groups (deprecated) are refused.
fn next_field<'a>(buf: &mut &'a [u8]) -> std::result::Result<Field<'a>, String> {
    let start: &'a [u8] = buf;
    let (tag, wt) = decode_key(buf).map_err(|e| e.to_string())?;
    let body = match wt {
        WireType::LengthDelimited => {
            let len = decode_varint(buf).map_err(|e| e.to_string())?;
            if len > buf.len() as u64 {
                return Err("field overruns the message".into());
            }
            let (body, rest) = buf.split_at(len as usize);
            *buf = rest;
            Some(body)
        }
        WireType::Varint => {
            decode_varint(buf).map_err(|e| e.to_string())?;
            None
        }
        WireType::SixtyFourBit | WireType::ThirtyTwoBit => {
            let n = if wt == WireType::SixtyFourBit { 8 } else { 4 };
            if buf.len() < n {
                return Err("truncated fixed field".into());
            }
            *buf = &buf[n..];
            None
        }
        _ => return Err("group wire type".into()),
    };
    Ok(Field {
        tag,
        body,
        raw: &start[..start.len() - buf.len()],
    })
}

fn rewrite(
    msg: &[u8],
    name: &dyn Fn(&[u8]) -> Vec<u8>,
    nested: Option<&NestedFn<'_>>,
) -> Result<Vec<u8>> {
    let bad = |e: String| StoreError::corrupt(format!("bad schema/type value: {e}"));
    let mut buf = msg;
    let mut out = Vec::with_capacity(msg.len() + 16);
    while !buf.is_empty() {
        let f = next_field(&mut buf).map_err(bad)?;
        match (f.tag, f.body, nested) {
            (1, Some(body), _) => put_bytes_field(1, &name(body), &mut out),
            (2, Some(body), Some(n)) => put_bytes_field(2, &n(body)?, &mut out),
            _ => out.extend_from_slice(f.raw),
        }
    }
    Ok(out)
}

/// A partial restore's type value (store form, names bare): only the fields
/// `keep` accepts, every other field of the type copied as is; `None` when
/// no field is kept (the type is left out).
pub fn keep_type_fields(bare: &[u8], keep: &dyn Fn(&[u8]) -> bool) -> Result<Option<Vec<u8>>> {
    let bad = |e: String| StoreError::corrupt(format!("bad type value: {e}"));
    let mut buf = bare;
    let mut out = Vec::with_capacity(bare.len());
    let mut kept = 0usize;
    while !buf.is_empty() {
        let f = next_field(&mut buf).map_err(bad)?;
        if let (2, Some(body)) = (f.tag, f.body) {
            if !keep(&field_name(body)?) {
                continue;
            }
            kept += 1;
        }
        out.extend_from_slice(f.raw);
    }
    Ok((kept > 0).then_some(out))
}

/// Field 1 (the predicate) of a `SchemaUpdate`; empty when absent.
fn field_name(msg: &[u8]) -> Result<Vec<u8>> {
    let bad = |e: String| StoreError::corrupt(format!("bad type field: {e}"));
    let mut buf = msg;
    let mut name = Vec::new();
    while !buf.is_empty() {
        if let Field {
            tag: 1,
            body: Some(body),
            ..
        } = next_field(&mut buf).map_err(bad)?
        {
            name = body.to_vec();
        }
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::proto::{SchemaUpdate, TypeUpdate};
    use prost::Message;

    fn person(type_name: &str, fields: &[&str]) -> Vec<u8> {
        TypeUpdate {
            type_name: type_name.into(),
            fields: fields
                .iter()
                .map(|f| SchemaUpdate {
                    predicate: (*f).into(),
                    value_type: 9,
                    ..Default::default()
                })
                .collect(),
        }
        .encode_to_vec()
    }

    #[test]
    fn every_backup_form_becomes_bare() {
        let want = person("Person", &["name", "born"]);
        let ns8 = |n: &str| format!("\0\0\0\0\0\0\0\0{n}");
        for (form, value) in [
            (ValueNameForm::Bare, want.clone()),
            (
                ValueNameForm::Ns8,
                person(&ns8("Person"), &[&ns8("name"), &ns8("born")]),
            ),
            (
                ValueNameForm::Hex,
                person("0-Person", &["0-name", "0-born"]),
            ),
        ] {
            assert_eq!(to_store_form(&value, true, form).unwrap(), want, "{form:?}");
        }
        // namespace 0x1f: hex "1f"; a name with a dash keeps the rest
        assert_eq!(
            to_store_form(&person("1f-T", &["1f-a-b"]), true, ValueNameForm::Hex).unwrap(),
            person("T", &["a-b"])
        );
        // a schema value: only its own name; other fields unchanged
        let su = SchemaUpdate {
            predicate: "2-p".into(),
            tokenizer: vec!["0-exact".into()],
            ..Default::default()
        };
        let got = SchemaUpdate::decode(
            &to_store_form(&su.encode_to_vec(), false, ValueNameForm::Hex).unwrap()[..],
        )
        .unwrap();
        assert_eq!(
            (got.predicate.as_str(), got.tokenizer),
            ("p", vec!["0-exact".to_string()])
        );
    }

    #[test]
    fn stored_names_read_in_both_forms() {
        assert_eq!(stored_bare_name(b"name", 0), b"name");
        assert_eq!(stored_bare_name(b"\0\0\0\0\0\0\0\x02name", 2), b"name");
        assert_eq!(
            stored_bare_name(b"\0\0\0\0\0\0\0\x02name", 3),
            b"\0\0\0\0\0\0\0\x02name"
        );
    }

    #[test]
    fn hostile_values_are_errors() {
        assert!(to_store_form(&[0x0a, 0x05, b'a'], true, ValueNameForm::Hex).is_err());
        assert!(to_store_form(&[0x0b], true, ValueNameForm::Hex).is_err());
        assert!(to_store_form(&[0x09, 1, 2], false, ValueNameForm::Bare).is_err());
    }

    #[test]
    fn a_partial_restore_keeps_only_kept_fields() {
        let t = person("Person", &["name", "born", "age"]);
        let keep = |n: &[u8]| n == b"name" || n == b"age";
        let got = keep_type_fields(&t, &keep).unwrap().unwrap();
        assert_eq!(got, person("Person", &["name", "age"]));
        assert_eq!(keep_type_fields(&t, &|_| false).unwrap(), None);
        assert!(keep_type_fields(&t[..t.len() - 1], &keep).is_err());
    }
}
