//! Predicate and type names inside schema/type values and drop operations:
//! v20.x writes the bare name, v21.03 (manifest version 2103) the 8-byte
//! big-endian namespace followed by the name, current Dgraph (2105) the
//! namespace in hex, a dash and the name (`0-name`).

/// Splits a v21.03 name into (namespace, bare name); `None` for a bare
/// name (a real name never starts with a NUL byte).
pub fn split_ns_name(b: &[u8]) -> Option<(u64, &[u8])> {
    if b.len() <= 8 || b[0] != 0 {
        return None;
    }
    let (ns, name) = b.split_at(8);
    Some((u64::from_be_bytes(ns.try_into().ok()?), name))
}

/// The name without its namespace prefix, if it has one.
pub fn bare_name(name: &str) -> &str {
    match split_ns_name(name.as_bytes()) {
        Some(_) if name.is_char_boundary(8) => &name[8..],
        _ => name,
    }
}

/// How a backup writes the names inside its schema and type values, by
/// manifest version (spec §6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueNameForm {
    /// Version 0 (v20.x): `name`.
    #[default]
    Bare,
    /// Version 2103 (v21.03): 8-byte big-endian namespace, then the name.
    Ns8,
    /// Version 2105 (v21.12 and later): `<namespace in hex>-<name>`.
    Hex,
}

impl ValueNameForm {
    pub fn of_manifest_version(v: u32) -> Option<Self> {
        match v {
            0 => Some(Self::Bare),
            2103 => Some(Self::Ns8),
            2105 => Some(Self::Hex),
            _ => None,
        }
    }
}

/// The bare name of a name written in `form`; a name without the form's
/// prefix is returned as it is (as Dgraph leaves it).
pub fn strip_value_name(b: &[u8], form: ValueNameForm) -> &[u8] {
    match form {
        ValueNameForm::Bare => b,
        ValueNameForm::Ns8 if b.len() > 8 => &b[8..],
        ValueNameForm::Ns8 => b,
        ValueNameForm::Hex => match b.iter().position(|&c| c == b'-') {
            Some(i) if (1..=16).contains(&i) && b[..i].iter().all(u8::is_ascii_hexdigit) => {
                &b[i + 1..]
            }
            _ => b,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_and_bare_names() {
        assert_eq!(bare_name("\0\0\0\0\0\0\0\x02name"), "name");
        assert_eq!(bare_name("name"), "name");
        assert_eq!(
            split_ns_name(b"\0\0\0\0\0\0\0\x03p1"),
            Some((3, &b"p1"[..]))
        );
        // exactly 8 bytes, or a name not starting with NUL: bare
        assert_eq!(split_ns_name(&[0; 8]), None);
        assert_eq!(split_ns_name(b"score"), None);
    }
}
