//! A posting list value (`BackupPostingList`, also Dgraph's `PostingList`): prost decoding, the
//! `uid_bytes` delta varints, the store's value decoding (`store/mvcc.rs`) and the RDF export of
//! every posting (values, facets, datetimes, WKB), which reads these bytes on every export.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use prost::Message;
use strata_native::export::list_facts;
use strata_native::format::keys::ParsedKey;
use strata_native::format::proto::{count_uid_bytes, decode_uid_bytes, BackupPostingList, KeyType};
use strata_native::store::mvcc::{decode_list, decode_value};

fuzz_target!(|data: &[u8]| {
    // `uid_bytes` on their own: the count without decoding agrees with the decoding.
    if let Ok(uids) = decode_uid_bytes(data) {
        assert_eq!(count_uid_bytes(data), Some(uids.len() as u64));
    }
    // A stored value: user_meta byte, then the list.
    if let Some((_, payload)) = decode_value(data) {
        let _ = decode_list(payload);
    }
    let Ok(pl) = BackupPostingList::decode(data) else {
        return;
    };
    // The store also expands `uid_bytes`, which may hold a bad varint (a typed error).
    let Ok(expanded) = decode_list(data) else {
        assert!(decode_uid_bytes(&pl.uid_bytes).is_err());
        return;
    };
    if pl.uids.is_empty() && !pl.uid_bytes.is_empty() {
        assert_eq!(
            Some(expanded.uids.len() as u64),
            count_uid_bytes(&pl.uid_bytes)
        );
    }
    let pk = ParsedKey {
        key_type: Some(KeyType::Data),
        attr: b"p".to_vec(),
        uid: 1,
        namespace: u64::from(data.len() as u8 & 1),
        ..Default::default()
    };
    let mut lines = Vec::new();
    list_facts(&pk, &expanded, &mut lines);
    for l in &lines {
        assert!(l.ends_with(" .\n"), "export line {l:?}");
        assert_eq!(l.matches('\n').count(), 1, "a value broke the line: {l:?}");
    }
});
