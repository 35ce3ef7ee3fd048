//! DQL's geo functions (`store/geo`): a query geometry and a stored value, both WKB from the
//! input, tested as `geo_match` tests every value of a predicate. Neither may panic or hang; a
//! query the store accepts answers every value with true or false, and a value's index tokens
//! are computed or refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_native::store::geo::{geo_terms, GeoFn, GeoQuery};

fuzz_target!(|data: &[u8]| {
    // [function, distance (8 bytes), query length, query WKB, value WKB]
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let f = [
        GeoFn::Near,
        GeoFn::Within,
        GeoFn::Contains,
        GeoFn::Intersects,
    ][head as usize % 4];
    let Some((dist, rest)) = rest.split_first_chunk::<8>() else {
        return;
    };
    let Some((&qlen, rest)) = rest.split_first() else {
        return;
    };
    let (query, value) = rest.split_at((qlen as usize).min(rest.len()));
    let _ = geo_terms(value);
    if let Ok(q) = GeoQuery::new(f, query, Some(f64::from_le_bytes(*dist))) {
        let _ = q.matches(value);
    }
});
