//! Dgraph internal (badger) key layout, spec §8.1 (before v21.03) and §8.2
//! (v21.03+: 8-byte BE namespace after the prefix byte).

use super::proto::{BackupKey, KeyType};
use crate::codec::error::{CodecError, Result};

pub const PREFIX_DEFAULT: u8 = 0x00;
pub const PREFIX_SCHEMA: u8 = 0x01;
pub const PREFIX_TYPE: u8 = 0x02;
pub const PREFIX_SPLIT: u8 = 0x04;

pub const KIND_DATA: u8 = 0x00;
pub const KIND_INDEX: u8 = 0x02;
pub const KIND_REVERSE: u8 = 0x04;
pub const KIND_COUNT: u8 = 0x08;
pub const KIND_COUNT_REV: u8 = 0x0c;

/// A Dgraph key split into its parts (the same information as a BackupKey).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedKey {
    pub key_type: Option<KeyType>,
    pub attr: Vec<u8>,
    pub namespace: u64,
    pub uid: u64,
    pub term: Vec<u8>,
    pub count: u32,
    /// Non-zero only for a part of a split list (§8.3).
    pub start_uid: u64,
}

impl ParsedKey {
    fn kt(&self) -> KeyType {
        self.key_type.unwrap_or(KeyType::Unknown)
    }

    /// Converts from a BackupKey (`FromBackupKey`).
    pub fn from_backup_key(k: &BackupKey) -> Self {
        ParsedKey {
            key_type: KeyType::try_from(k.r#type).ok(),
            attr: k.attr.as_bytes().to_vec(),
            namespace: k.namespace,
            uid: k.uid,
            term: k.term.clone(),
            count: k.count,
            start_uid: k.start_uid,
        }
    }

    /// Converts to a BackupKey (`ToBackupKey`).
    pub fn to_backup_key(&self) -> Result<BackupKey> {
        Ok(BackupKey {
            r#type: self.kt() as i32,
            attr: String::from_utf8(self.attr.clone())
                .map_err(|_| CodecError::corrupt("key attr is not UTF-8"))?,
            uid: self.uid,
            start_uid: self.start_uid,
            term: self.term.clone(),
            count: self.count,
            namespace: self.namespace,
        })
    }
}

/// Builds the internal key. `with_ns` selects the v21.03+ layout.
pub fn build_key(k: &ParsedKey, with_ns: bool) -> Result<Vec<u8>> {
    let parts = KeyParts::of_parsed(k);
    let mut out = Vec::with_capacity(1 + 8 + 2 + k.attr.len() + 1 + 8 + k.term.len() + 8);
    build_key_into(&mut out, &parts, with_ns)?;
    Ok(out)
}

/// A key's parts, borrowed (from a [`ParsedKey`] or a [`BackupKey`]).
#[derive(Debug, Clone, Copy)]
pub struct KeyParts<'a> {
    pub key_type: KeyType,
    pub attr: &'a [u8],
    pub namespace: u64,
    pub uid: u64,
    pub term: &'a [u8],
    pub count: u32,
    pub start_uid: u64,
}

impl<'a> KeyParts<'a> {
    pub fn of_parsed(k: &'a ParsedKey) -> Self {
        KeyParts {
            key_type: k.kt(),
            attr: &k.attr,
            namespace: k.namespace,
            uid: k.uid,
            term: &k.term,
            count: k.count,
            start_uid: k.start_uid,
        }
    }

    /// The parts of a backup's key, without copying them (a restore builds millions).
    pub fn of_backup_key(k: &'a BackupKey) -> Self {
        KeyParts {
            key_type: KeyType::try_from(k.r#type).unwrap_or(KeyType::Unknown),
            attr: k.attr.as_bytes(),
            namespace: k.namespace,
            uid: k.uid,
            term: &k.term,
            count: k.count,
            start_uid: k.start_uid,
        }
    }
}

/// [`build_key`] of borrowed parts, appended to `out` (a restore reuses one
/// buffer for millions of keys).
pub fn build_key_into(out: &mut Vec<u8>, k: &KeyParts, with_ns: bool) -> Result<()> {
    if k.attr.len() >= 0xffff {
        return Err(CodecError::invalid("attr must be shorter than 65535 bytes"));
    }
    let kt = k.key_type;
    let prefix = match kt {
        KeyType::Schema => PREFIX_SCHEMA,
        KeyType::Type => PREFIX_TYPE,
        KeyType::Unknown => return Err(CodecError::invalid("cannot build a key of type UNKNOWN")),
        _ if k.start_uid != 0 => PREFIX_SPLIT,
        _ => PREFIX_DEFAULT,
    };
    out.push(prefix);
    if with_ns {
        out.extend_from_slice(&k.namespace.to_be_bytes());
    }
    out.extend_from_slice(&(k.attr.len() as u16).to_be_bytes());
    out.extend_from_slice(k.attr);
    match kt {
        KeyType::Schema | KeyType::Type => return Ok(()),
        KeyType::Data => {
            out.push(KIND_DATA);
            out.extend_from_slice(&k.uid.to_be_bytes());
        }
        KeyType::Reverse => {
            out.push(KIND_REVERSE);
            out.extend_from_slice(&k.uid.to_be_bytes());
        }
        KeyType::Index => {
            out.push(KIND_INDEX);
            out.extend_from_slice(k.term);
        }
        KeyType::Count | KeyType::CountRev => {
            out.push(if kt == KeyType::Count {
                KIND_COUNT
            } else {
                KIND_COUNT_REV
            });
            out.extend_from_slice(&k.count.to_be_bytes());
        }
        KeyType::Unknown => unreachable!("rejected above"),
    }
    if k.start_uid != 0 {
        out.extend_from_slice(&k.start_uid.to_be_bytes());
    }
    Ok(())
}

/// Parses an internal key. `with_ns` selects the v21.03+ layout.
pub fn parse_key(key: &[u8], with_ns: bool) -> Result<ParsedKey> {
    let bad = |why: &str| CodecError::corrupt(format!("bad internal key: {why}"));
    let (&prefix, mut rest) = key.split_first().ok_or_else(|| bad("empty"))?;
    let mut k = ParsedKey::default();
    if with_ns {
        if rest.len() < 8 {
            return Err(bad("too short for namespace"));
        }
        k.namespace = u64::from_be_bytes(rest[..8].try_into().expect("8"));
        rest = &rest[8..];
    }
    if rest.len() < 2 {
        return Err(bad("too short for attr length"));
    }
    let alen = u16::from_be_bytes([rest[0], rest[1]]) as usize;
    rest = &rest[2..];
    if rest.len() < alen {
        return Err(bad("attr overruns key"));
    }
    k.attr = rest[..alen].to_vec();
    rest = &rest[alen..];
    match prefix {
        PREFIX_SCHEMA | PREFIX_TYPE => {
            if !rest.is_empty() {
                return Err(bad("trailing bytes after schema/type attr"));
            }
            k.key_type = Some(if prefix == PREFIX_SCHEMA {
                KeyType::Schema
            } else {
                KeyType::Type
            });
            return Ok(k);
        }
        PREFIX_DEFAULT | PREFIX_SPLIT => {}
        p => return Err(bad(&format!("unknown prefix byte {p:#04x}"))),
    }
    if prefix == PREFIX_SPLIT {
        if rest.len() < 9 {
            return Err(bad("split key too short"));
        }
        let (body, su) = rest.split_at(rest.len() - 8);
        k.start_uid = u64::from_be_bytes(su.try_into().expect("8"));
        rest = body;
    }
    let (&kind, tail) = rest.split_first().ok_or_else(|| bad("missing kind byte"))?;
    let fixed = |n: usize| -> Result<&[u8]> {
        if tail.len() == n {
            Ok(tail)
        } else {
            Err(bad("wrong length after kind byte"))
        }
    };
    match kind {
        KIND_DATA | KIND_REVERSE => {
            k.uid = u64::from_be_bytes(fixed(8)?.try_into().expect("8"));
            k.key_type = Some(if kind == KIND_DATA {
                KeyType::Data
            } else {
                KeyType::Reverse
            });
        }
        KIND_INDEX => {
            k.term = tail.to_vec();
            k.key_type = Some(KeyType::Index);
        }
        KIND_COUNT | KIND_COUNT_REV => {
            k.count = u32::from_be_bytes(fixed(4)?.try_into().expect("4"));
            k.key_type = Some(if kind == KIND_COUNT {
                KeyType::Count
            } else {
                KeyType::CountRev
            });
        }
        b => return Err(bad(&format!("unknown kind byte {b:#04x}"))),
    }
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// `k` builds to the hex bytes and parses back to itself.
    fn check_layout(k: &ParsedKey, namespaced: bool, want: &str) {
        let b = build_key(k, namespaced).unwrap();
        assert_eq!(b, hex(want));
        assert_eq!(&parse_key(&b, namespaced).unwrap(), k);
    }

    #[test]
    fn spec_examples() {
        let data = ParsedKey {
            key_type: Some(KeyType::Data),
            attr: b"name".to_vec(),
            uid: 0x1f,
            ..Default::default()
        };
        check_layout(&data, false, "00 0004 6e616d65 00 000000000000001f");
        check_layout(
            &data,
            true,
            "00 0000000000000000 0004 6e616d65 00 000000000000001f",
        );
        let count = ParsedKey {
            key_type: Some(KeyType::Count),
            attr: b"friend".to_vec(),
            count: 3,
            ..Default::default()
        };
        check_layout(&count, false, "00 0006 667269656e64 08 00000003");
    }

    #[test]
    fn all_types_round_trip() {
        let kinds = [
            (KeyType::Data, 5u64, vec![], 0u32),
            (KeyType::Reverse, 9, vec![], 0),
            (KeyType::Index, 0, vec![0x02, b'x', 0, 0xff], 0),
            (KeyType::Count, 0, vec![], 7),
            (KeyType::CountRev, 0, vec![], 1),
            (KeyType::Schema, 0, vec![], 0),
            (KeyType::Type, 0, vec![], 0),
        ];
        for (kt, uid, term, count) in kinds {
            for start_uid in [0u64, 42] {
                if start_uid != 0 && matches!(kt, KeyType::Schema | KeyType::Type) {
                    continue;
                }
                for ns in [0u64, 0x0102030405060708] {
                    let k = ParsedKey {
                        key_type: Some(kt),
                        attr: b"p".to_vec(),
                        namespace: ns,
                        uid,
                        term: term.clone(),
                        count,
                        start_uid,
                    };
                    let b = build_key(&k, true).unwrap();
                    assert_eq!(parse_key(&b, true).unwrap(), k);
                    let bk = k.to_backup_key().unwrap();
                    assert_eq!(ParsedKey::from_backup_key(&bk), k);
                    if ns == 0 {
                        let b = build_key(&k, false).unwrap();
                        assert_eq!(parse_key(&b, false).unwrap(), k);
                    }
                }
            }
        }
    }

    #[test]
    fn bad_keys() {
        for b in [
            &[][..],
            &[0x00, 0x00],
            &[0x00, 0x00, 0x05, b'a'],
            &[0x07, 0, 0],
            &[0x00, 0, 1, b'a', 0x00, 1],
        ] {
            assert!(parse_key(b, false).is_err(), "{b:?}");
        }
    }
}
