//! DQL's `regexp()` (`store/regex`): a pattern compiled as Dgraph compiles it, its trigram query
//! analysed as codesearch does, and a value matched. Input: `pattern \0 value`, the `i` flag when
//! the first byte is odd. No panic, no runaway time or memory for any pattern.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_native::store::regex::DqlRegex;

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let (pattern, value) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    let Ok(pattern) = std::str::from_utf8(pattern) else {
        return;
    };
    let flags = if head % 2 == 1 { "i" } else { "" };
    if let Ok(re) = DqlRegex::compile(pattern, flags) {
        let _ = re.query();
        let _ = re.matches(value);
    }
});
