//! Predicate and type names inside schema/type values and drop operations:
//! v21.03 writes them as the 8-byte big-endian namespace followed by the
//! name; earlier releases write the bare name.

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

/// The v21.03 form of `name` in namespace `ns`; the bare name when the
/// namespace bytes are not UTF-8 (a byte of `ns` >= 0x80).
pub fn ns_name(ns: u64, name: &str) -> String {
    let mut b = ns.to_be_bytes().to_vec();
    b.extend_from_slice(name.as_bytes());
    String::from_utf8(b).unwrap_or_else(|_| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_and_bare_names() {
        assert_eq!(ns_name(0, "name"), "\0\0\0\0\0\0\0\0name");
        assert_eq!(bare_name(&ns_name(2, "name")), "name");
        assert_eq!(bare_name("name"), "name");
        assert_eq!(ns_name(0x80, "name"), "name");
        assert_eq!(
            split_ns_name(b"\0\0\0\0\0\0\0\x03p1"),
            Some((3, &b"p1"[..]))
        );
        // exactly 8 bytes, or a name not starting with NUL: bare
        assert_eq!(split_ns_name(&[0; 8]), None);
        assert_eq!(split_ns_name(b"score"), None);
    }
}
