//! WKB geometry -> GeoJSON (`export/geo.rs`), as the export does for geo values. The output is
//! `{}` or one JSON object with a `type` (non-finite coordinates aside, which JSON cannot hold).
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_native::export::geo::wkb_to_geojson;

fuzz_target!(|data: &[u8]| {
    let json = wkb_to_geojson(data);
    if json.contains("NaN") || json.contains("Infinity") {
        return;
    }
    let v: serde_json::Value = serde_json::from_str(&json).expect("GeoJSON output is JSON");
    if json != "{}" {
        assert!(
            v.get("type").and_then(|t| t.as_str()).is_some(),
            "no type: {json}"
        );
    }
});
