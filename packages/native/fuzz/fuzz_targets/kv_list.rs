//! One serialized badger KVList (`format/kv`): the prost decoder, the allocation-free walkers of
//! 'bytes' and 'stats' mode, which must agree with it, and BackupKey -> internal key -> back.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use strata_native::format::keys::{build_key, parse_key, ParsedKey};
use strata_native::format::kv::{decode_kv_list, fast, validate_kv_list, StatsAcc};

fuzz_target!(|data: &[u8]| {
    let decoded = decode_kv_list(data);
    let valid = validate_kv_list(data);
    for e in [decoded.as_ref().err(), valid.as_ref().err()]
        .into_iter()
        .flatten()
    {
        common::typed(e);
    }
    // The fast walker never accepts what the reference check refuses, and a list that decodes
    // passes the structural check.
    if fast::validate_kv_list(data) {
        assert!(
            valid.is_ok(),
            "fast check accepted what the reference refuses: {valid:?}"
        );
    }
    if decoded.is_ok() {
        assert!(valid.is_ok(), "decodes but fails the check: {valid:?}");
    }
    // 'stats' mode: the counting walker gives the same answer as decode + add.
    let mut fast_acc = StatsAcc::default();
    let fast_res = fast_acc.add_kv_list(data, &mut Vec::new());
    match &decoded {
        Ok(kvs) => {
            assert!(
                fast_res.is_ok(),
                "stats refused a list that decodes: {fast_res:?}"
            );
            let mut slow = StatsAcc::default();
            kvs.iter().for_each(|kv| slow.add(kv));
            assert_eq!(fast_acc.kvs, slow.kvs);
            assert_eq!(
                fast_acc.rows(),
                slow.rows(),
                "stats differ from decode + add"
            );
        }
        Err(e) => assert_eq!(fast_res.as_ref().err(), Some(e), "stats error differs"),
    }
    // Every decoded BackupKey converts to an internal key that parses back to it.
    for kv in decoded.iter().flatten() {
        let pk = ParsedKey::from_backup_key(&kv.key);
        for with_ns in [false, true] {
            if let Ok(raw) = build_key(&pk, with_ns) {
                let back = parse_key(&raw, with_ns).expect("a built key parses");
                assert_eq!(back.attr, pk.attr);
                assert_eq!(back.key_type, pk.key_type);
            }
        }
    }
});
