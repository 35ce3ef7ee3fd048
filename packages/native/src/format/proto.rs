//! Protobuf messages of spec §6, derived with prost (field numbers as in the
//! spec; unknown fields are skipped by prost).

use prost::{Enumeration, Message};

/// A protobuf enumeration: `i32` on the wire, ordered and hashable.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $n:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Enumeration)]
        #[repr(i32)]
        pub enum $name {
            $($variant = $n),+
        }
    };
}

/// Badger `KVList` (spec §6.1).
#[derive(Clone, PartialEq, Message)]
pub struct KvList {
    #[prost(message, repeated, tag = "1")]
    pub kv: Vec<Kv>,
    #[prost(uint64, tag = "10")]
    pub alloc_ref: u64,
}

/// Badger `KV` (spec §6.1).
#[derive(Clone, PartialEq, Message)]
pub struct Kv {
    #[prost(bytes = "vec", tag = "1")]
    pub key: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub user_meta: Vec<u8>,
    #[prost(uint64, tag = "4")]
    pub version: u64,
    #[prost(uint64, tag = "5")]
    pub expires_at: u64,
    #[prost(bytes = "vec", tag = "6")]
    pub meta: Vec<u8>,
    #[prost(uint32, tag = "10")]
    pub stream_id: u32,
    #[prost(bool, tag = "11")]
    pub stream_done: bool,
}

wire_enum! {
    /// `BackupKey.KeyType` (spec §6.2).
    KeyType {
        Unknown = 0, Data = 1, Index = 2, Reverse = 3, Count = 4, CountRev = 5, Schema = 6,
        Type = 7,
    }
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Unknown => "UNKNOWN",
            KeyType::Data => "DATA",
            KeyType::Index => "INDEX",
            KeyType::Reverse => "REVERSE",
            KeyType::Count => "COUNT",
            KeyType::CountRev => "COUNT_REV",
            KeyType::Schema => "SCHEMA",
            KeyType::Type => "TYPE",
        }
    }
}

/// `BackupKey` (spec §6.2). `term` is bytes on the wire (never UTF-8 checked).
#[derive(Clone, PartialEq, Message)]
pub struct BackupKey {
    #[prost(enumeration = "KeyType", tag = "1")]
    pub r#type: i32,
    #[prost(string, tag = "2")]
    pub attr: String,
    #[prost(uint64, tag = "3")]
    pub uid: u64,
    #[prost(uint64, tag = "4")]
    pub start_uid: u64,
    #[prost(bytes = "vec", tag = "5")]
    pub term: Vec<u8>,
    #[prost(uint32, tag = "6")]
    pub count: u32,
    #[prost(uint64, tag = "7")]
    pub namespace: u64,
}

/// `BackupPostingList` (spec §6.3). Dgraph's internal `PostingList` has the
/// same fields 2 to 4, so this message decodes one as well.
#[derive(Clone, PartialEq, Message)]
pub struct BackupPostingList {
    #[prost(uint64, repeated, tag = "1")]
    pub uids: Vec<u64>,
    #[prost(message, repeated, tag = "2")]
    pub postings: Vec<Posting>,
    #[prost(uint64, tag = "3")]
    pub commit_ts: u64,
    #[prost(uint64, repeated, tag = "4")]
    pub splits: Vec<u64>,
    #[prost(bytes = "vec", tag = "5")]
    pub uid_bytes: Vec<u8>,
}

wire_enum! {
    /// `Posting.PostingType` (spec §6.4).
    PostingType { Ref = 0, Value = 1, ValueLang = 2 }
}

/// `Posting` (spec §6.4). `uid` is fixed64.
#[derive(Clone, PartialEq, Message)]
pub struct Posting {
    #[prost(fixed64, tag = "1")]
    pub uid: u64,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
    #[prost(enumeration = "ValType", tag = "3")]
    pub val_type: i32,
    #[prost(enumeration = "PostingType", tag = "4")]
    pub posting_type: i32,
    #[prost(bytes = "vec", tag = "5")]
    pub lang_tag: Vec<u8>,
    #[prost(message, repeated, tag = "9")]
    pub facets: Vec<Facet>,
    #[prost(uint32, tag = "12")]
    pub op: u32,
    #[prost(uint64, tag = "13")]
    pub start_ts: u64,
    #[prost(uint64, tag = "14")]
    pub commit_ts: u64,
}

impl Posting {
    /// A plain uid edge (a REF posting of type uid/default without a
    /// value), as opposed to a value posting (spec §7.1).
    pub fn is_uid_ref(&self) -> bool {
        self.posting_type == PostingType::Ref as i32
            && (self.val_type == ValType::Uid as i32 || self.val_type == ValType::Default as i32)
            && self.value.is_empty()
    }
}

wire_enum! {
    /// Facet value type (spec §6.5; differs from ValType: STRING is 0).
    FacetValType { String = 0, Int = 1, Float = 2, Bool = 3, Datetime = 4 }
}

/// `Facet` (spec §6.5).
#[derive(Clone, PartialEq, Message)]
pub struct Facet {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
    #[prost(enumeration = "FacetValType", tag = "3")]
    pub val_type: i32,
    #[prost(string, repeated, tag = "4")]
    pub tokens: Vec<String>,
    #[prost(string, tag = "5")]
    pub alias: String,
}

wire_enum! {
    /// `ValType` (spec §6.7).
    ValType {
        Default = 0, Binary = 1, Int = 2, Float = 3, Bool = 4, Datetime = 5, Geo = 6, Uid = 7,
        Password = 8, String = 9, Object = 10, Bigfloat = 11, Vfloat = 12,
    }
}

impl ValType {
    /// Canonical schema name (spec §6.6).
    pub fn schema_name(self) -> &'static str {
        match self {
            ValType::Default => "default",
            ValType::Binary => "binary",
            ValType::Int => "int",
            ValType::Float => "float",
            ValType::Bool => "bool",
            ValType::Datetime => "datetime",
            ValType::Geo => "geo",
            ValType::Uid => "uid",
            ValType::Password => "password",
            ValType::String => "string",
            ValType::Object => "object",
            ValType::Bigfloat => "bigfloat",
            ValType::Vfloat => "float32vector",
        }
    }
}

wire_enum! {
    /// `SchemaUpdate.Directive` (spec §6.6).
    Directive { None = 0, Index = 1, Reverse = 2, Delete = 3 }
}

/// `SchemaUpdate` (spec §6.6).
#[derive(Clone, PartialEq, Message)]
pub struct SchemaUpdate {
    #[prost(string, tag = "1")]
    pub predicate: String,
    #[prost(enumeration = "ValType", tag = "2")]
    pub value_type: i32,
    #[prost(enumeration = "Directive", tag = "3")]
    pub directive: i32,
    #[prost(string, repeated, tag = "4")]
    pub tokenizer: Vec<String>,
    #[prost(bool, tag = "5")]
    pub count: bool,
    #[prost(bool, tag = "6")]
    pub list: bool,
    #[prost(bool, tag = "8")]
    pub upsert: bool,
    #[prost(bool, tag = "9")]
    pub lang: bool,
    #[prost(bool, tag = "10")]
    pub non_nullable: bool,
    #[prost(bool, tag = "11")]
    pub non_nullable_list: bool,
    #[prost(string, tag = "12")]
    pub object_type_name: String,
    #[prost(bool, tag = "13")]
    pub no_conflict: bool,
    #[prost(bool, tag = "14")]
    pub unique: bool,
    /// Vector indexes (Dgraph v24+): `@index(hnsw(metric:"euclidean"))`.
    #[prost(message, repeated, tag = "15")]
    pub index_specs: Vec<VectorIndexSpec>,
}

/// `VectorIndexSpec`: a vector index kind (`hnsw`) and its options.
#[derive(Clone, PartialEq, Eq, Message)]
pub struct VectorIndexSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, repeated, tag = "2")]
    pub options: Vec<OptionPair>,
}

/// `OptionPair` of a [`VectorIndexSpec`].
#[derive(Clone, PartialEq, Eq, Message)]
pub struct OptionPair {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

/// `TypeUpdate` (spec §6.6).
#[derive(Clone, PartialEq, Message)]
pub struct TypeUpdate {
    #[prost(string, tag = "1")]
    pub type_name: String,
    #[prost(message, repeated, tag = "2")]
    pub fields: Vec<SchemaUpdate>,
}

wire_enum! {
    /// `DropOperation.DropOp` (spec §6.8).
    DropOp { All = 0, Data = 1, Attr = 2, Ns = 3 }
}

/// `DropOperation` (spec §6.8; appears as JSON in manifests).
#[derive(Clone, PartialEq, Message)]
pub struct DropOperation {
    #[prost(enumeration = "DropOp", tag = "1")]
    pub drop_op: i32,
    #[prost(string, tag = "2")]
    pub drop_value: String,
}

/// Encodes uids as `uid_bytes` (uvarint deltas, spec §6.3).
pub fn encode_uid_bytes(uids: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(uids.len() * 2);
    let mut prev = 0u64;
    for &u in uids {
        prost::encoding::encode_varint(u.wrapping_sub(prev), &mut out);
        prev = u;
    }
    out
}

/// Decodes `uid_bytes` (uvarint deltas) into uids.
pub fn decode_uid_bytes(mut buf: &[u8]) -> Result<Vec<u64>, prost::DecodeError> {
    let mut out = Vec::new();
    let mut prev = 0u64;
    while !buf.is_empty() {
        let d = prost::encoding::decode_varint(&mut buf)?;
        prev = prev.wrapping_add(d);
        out.push(prev);
    }
    Ok(out)
}

/// Number of uvarints in `uid_bytes`, without decoding; `None` if the last
/// varint is unterminated.
pub fn count_uid_bytes(buf: &[u8]) -> Option<u64> {
    match buf.last() {
        None => Some(0),
        Some(b) if b & 0x80 != 0 => None,
        Some(_) => Some(buf.iter().filter(|&&b| b & 0x80 == 0).count() as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_key_wire_format() {
        // DATA "name" uid 0x1f, namespace 2
        let k = BackupKey {
            r#type: KeyType::Data as i32,
            attr: "name".into(),
            uid: 0x1f,
            namespace: 2,
            ..Default::default()
        };
        let b = k.encode_to_vec();
        assert_eq!(
            b,
            [0x08, 1, 0x12, 4, b'n', b'a', b'm', b'e', 0x18, 0x1f, 0x38, 2]
        );
        assert_eq!(BackupKey::decode(&b[..]).unwrap(), k);
    }

    #[test]
    fn posting_uid_is_fixed64() {
        let p = Posting {
            uid: u64::MAX,
            ..Default::default()
        };
        let b = p.encode_to_vec();
        assert_eq!(b[0], 0x09); // field 1, wire type 1
        assert_eq!(b.len(), 9);
    }

    #[test]
    fn uid_bytes_round_trip() {
        let uids = vec![1, 2, 300, 1 << 40, u64::MAX];
        let b = encode_uid_bytes(&uids);
        assert_eq!(decode_uid_bytes(&b).unwrap(), uids);
        assert_eq!(count_uid_bytes(&b), Some(5));
        assert_eq!(
            encode_uid_bytes(&[u64::MAX]),
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
        assert_eq!(count_uid_bytes(&[0x80]), None);
        assert!(decode_uid_bytes(&[0x80]).is_err());
    }

    #[test]
    fn unknown_fields_are_skipped() {
        let mut b = KvList::default().encode_to_vec();
        b.extend_from_slice(&[0xa2, 0x06, 2, 1, 2]); // field 100, length 2
        assert_eq!(KvList::decode(&b[..]).unwrap(), KvList::default());
    }
}
