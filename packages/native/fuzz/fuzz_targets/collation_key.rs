//! The `exact` index's collation keys (`store/collate`): a language tag and a value, as hostile
//! bytes. Input: `tag \0 value`. No panic, no runaway time or memory, and the key grows with the
//! value only.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_native::store::collate::key_for;

fuzz_target!(|data: &[u8]| {
    let (tag, value) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"en"[..], data),
    };
    let Ok(tag) = std::str::from_utf8(tag) else {
        return;
    };
    if let Some(key) = key_for(tag, value) {
        assert!(
            key.len() <= 4 + value.len() * 40,
            "key of {} bytes for {} bytes",
            key.len(),
            value.len()
        );
    }
});
