//! Value formatting of the canonical RDF dump (shared/fixtures/dgraph/README.md).

use super::geo::wkb_to_geojson;
use super::number::format_float;
use crate::format::proto::{Facet, FacetValType, ValType};

/// Appends `s` as the inside of an RDF string literal: `\\ \" \n \r \t`,
/// other code points below 0x20 and 0x7F as `\uXXXX` (uppercase hex).
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
}

/// `"escaped"`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(&mut out, s);
    out.push('"');
    out
}

fn le_i64(v: &[u8]) -> i64 {
    let mut b = [0u8; 8];
    let n = v.len().min(8);
    b[..n].copy_from_slice(&v[..n]);
    i64::from_le_bytes(b)
}

fn le_f64(v: &[u8]) -> f64 {
    f64::from_bits(le_i64(v) as u64)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds between 0001-01-01 and 1970-01-01.
pub(crate) const UNIX_TO_INTERNAL: i64 = 62_135_596_800;

/// RFC 3339 from Go's `time.Time.MarshalBinary` form (spec §7.2): the stored
/// offset, `Z` when it is zero or UTC, nanoseconds only when non-zero with
/// trailing zeros trimmed. Too short input reads as Go's zero time.
pub fn format_go_time(v: &[u8]) -> String {
    if v.len() < 15 || !(v[0] == 1 || v[0] == 2) {
        return "0001-01-01T00:00:00Z".to_string();
    }
    let sec = i64::from_be_bytes(v[1..9].try_into().expect("8"));
    let nsec = i32::from_be_bytes(v[9..13].try_into().expect("4")).max(0) as u32;
    let off_min = i16::from_be_bytes([v[13], v[14]]);
    let mut offset: i64 = if off_min == -1 {
        0
    } else {
        off_min as i64 * 60
    };
    if v[0] == 2 && v.len() >= 16 {
        offset += v[15] as i8 as i64;
    }
    // (saturating: a hostile value may hold any 64-bit seconds)
    let local = sec.saturating_sub(UNIX_TO_INTERNAL).saturating_add(offset);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let mut out = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        format!("{y}")
    };
    out.push_str(&format!(
        "-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    ));
    if nsec != 0 {
        let frac = format!("{nsec:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    if offset == 0 {
        out.push('Z');
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let a = offset.abs();
        out.push_str(&format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60));
    }
    out
}

/// Standard base64 with padding.
pub fn base64(v: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(v.len().div_ceil(3) * 4);
    for c in v.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// The RDF object of a value posting (without lang tag handling for
/// non-strings): `"text"`, `"42"^^<xs:int>`, ...
pub fn format_value(val_type: i32, v: &[u8], lang: &[u8]) -> String {
    let text = || String::from_utf8_lossy(v);
    let typed = |s: &str, t: &str| format!("{}^^<{t}>", quote(s));
    match ValType::try_from(val_type).unwrap_or(ValType::Binary) {
        ValType::Default | ValType::String => {
            let mut s = quote(&text());
            if !lang.is_empty() {
                // Escaped like the literal: a hostile tag must not break the line.
                s.push('@');
                escape_into(&mut s, &String::from_utf8_lossy(lang));
            }
            s
        }
        ValType::Int => typed(&le_i64(v).to_string(), "xs:int"),
        ValType::Float => typed(&format_float(le_f64(v)), "xs:float"),
        ValType::Bool => typed(
            if v.first().copied().unwrap_or(0) != 0 {
                "true"
            } else {
                "false"
            },
            "xs:boolean",
        ),
        ValType::Datetime => typed(&format_go_time(v), "xs:dateTime"),
        // Dgraph's export writes GeoJSON with single quotes (`types/conversion.go`:
        // geo to string replaces every `"` with `'`); its parser takes them back.
        ValType::Geo => typed(&wkb_to_geojson(v).replace('"', "'"), "geo:geojson"),
        ValType::Password => typed(&text(), "xs:password"),
        // float32vector: little-endian f32s, written as Dgraph's
        // `FloatArrayAsString` (shortest float32 digits, no exponent)
        ValType::Vfloat if v.len().is_multiple_of(4) => typed(&vfloat_text(v), "xs:[]float32"),
        _ => typed(&base64(v), "xs:base64Binary"),
    }
}

/// `[1,2.5,-3]`: Go's `strconv.FormatFloat(float64(f), 'f', -1, 32)` of each
/// f32 (Rust's `Display` of an f32 is the same shortest, exponent-free form).
fn vfloat_text(v: &[u8]) -> String {
    let parts: Vec<String> = v
        .chunks_exact(4)
        .map(|c| {
            let f = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            match f {
                f32::INFINITY => "+Inf".to_string(),
                f32::NEG_INFINITY => "-Inf".to_string(),
                f if f.is_nan() => "NaN".to_string(),
                f => f.to_string(),
            }
        })
        .collect();
    format!("[{}]", parts.join(","))
}

/// ` (k1=v1, k2="s")`, sorted by key; empty when there are no facets.
pub fn format_facets(facets: &[Facet]) -> String {
    if facets.is_empty() {
        return String::new();
    }
    let mut fs: Vec<&Facet> = facets.iter().collect();
    fs.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    let parts: Vec<String> = fs
        .iter()
        .map(|f| {
            let v = &f.value;
            let val = match FacetValType::try_from(f.val_type).unwrap_or(FacetValType::String) {
                FacetValType::String => quote(&String::from_utf8_lossy(v)),
                FacetValType::Int => le_i64(v).to_string(),
                FacetValType::Float => format_float(le_f64(v)),
                FacetValType::Bool => (v.first().copied().unwrap_or(0) != 0).to_string(),
                FacetValType::Datetime => format_go_time(v),
            };
            // The key escaped like a literal: a hostile one must not break the line.
            let mut kv = String::with_capacity(f.key.len() + val.len() + 1);
            escape_into(&mut kv, &f.key);
            kv.push('=');
            kv.push_str(&val);
            kv
        })
        .collect();
    format!(" ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {

    #[test]
    fn float32_vectors_as_dgraph_exports_them() {
        let v: Vec<u8> = [9.0f32, 10.5, -9.25, 0.1, 1e-7]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        // Dgraph v25: strconv.FormatFloat(float64(f), 'f', -1, 32)
        assert_eq!(
            format_value(ValType::Vfloat as i32, &v, b""),
            "\"[9,10.5,-9.25,0.1,0.0000001]\"^^<xs:[]float32>"
        );
        // a length that is not a whole number of f32s stays bytes
        assert!(
            format_value(ValType::Vfloat as i32, &[1, 2, 3], b"").ends_with("<xs:base64Binary>")
        );
    }

    use super::*;

    fn go_time(unix: i64, nsec: i32, off_min: i16) -> Vec<u8> {
        let mut v = vec![1u8];
        v.extend_from_slice(&(unix + UNIX_TO_INTERNAL).to_be_bytes());
        v.extend_from_slice(&nsec.to_be_bytes());
        v.extend_from_slice(&off_min.to_be_bytes());
        v
    }

    #[test]
    fn datetimes() {
        // The spec's example: 01 0000000ed7508a8f 00000000 014a.
        let ex = [
            0x01, 0, 0, 0, 0x0e, 0xd7, 0x50, 0x8a, 0x8f, 0, 0, 0, 0, 0x01, 0x4a,
        ];
        assert_eq!(format_go_time(&ex), "2020-11-25T22:55:35+05:30");
        assert_eq!(format_go_time(&go_time(0, 0, -1)), "1970-01-01T00:00:00Z");
        assert_eq!(format_go_time(&go_time(0, 0, 0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_go_time(&go_time(0, 500_000_000, -1)),
            "1970-01-01T00:00:00.5Z"
        );
        assert_eq!(
            format_go_time(&go_time(86_399, 123_456_789, -300)),
            "1970-01-01T18:59:59.123456789-05:00"
        );
        assert_eq!(
            format_go_time(&go_time(951_782_400, 1000, 60)),
            "2000-02-29T01:00:00.000001+01:00"
        );
        assert_eq!(
            format_go_time(&go_time(-UNIX_TO_INTERNAL, 0, -1)),
            "0001-01-01T00:00:00Z"
        );
        // version 2: extra offset seconds
        let mut v2 = go_time(0, 0, 1);
        v2[0] = 2;
        v2.push(30);
        assert_eq!(format_go_time(&v2), "1970-01-01T00:01:30+00:01");
        assert_eq!(format_go_time(&[]), "0001-01-01T00:00:00Z");
        // Found by the `keys_values` fuzz target: seconds near i64::MIN overflowed (a panic with
        // overflow checks, a wrapped date without); they saturate.
        let far = [
            0x01, 0x80, 0, 0, 0x0e, 0x77, 0x91, 0xb7, 0, 0, 0, 0, 0, 0xd2, 0, 0,
        ];
        assert_eq!(
            format_go_time(&far[..15]),
            "-292277022657-01-27T08:29:52-196:16"
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            quote("a\"b\\c\nd\re\tf\u{0}\u{1f}\u{7f}é😀"),
            "\"a\\\"b\\\\c\\nd\\re\\tf\\u0000\\u001F\\u007Fé😀\""
        );
    }

    #[test]
    fn values() {
        assert_eq!(
            format_value(2, &(-42i64).to_le_bytes(), b""),
            "\"-42\"^^<xs:int>"
        );
        assert_eq!(
            format_value(3, &1e21f64.to_le_bytes(), b""),
            "\"1e+21\"^^<xs:float>"
        );
        assert_eq!(format_value(4, &[1], b""), "\"true\"^^<xs:boolean>");
        assert_eq!(format_value(4, &[], b""), "\"false\"^^<xs:boolean>");
        assert_eq!(format_value(9, b"hi", b"en"), "\"hi\"@en");
        // Found by the `keys_values` fuzz target: a language tag from a hostile backup holding a
        // newline broke the export line (and could add facts); it is escaped like the literal.
        assert_eq!(
            format_value(0, b"", b"\x0cs$?\n\xf2"),
            "\"\"@\\u000Cs$?\\n\u{fffd}"
        );
        assert_eq!(format_value(9, b"x", b"en\" <a> ."), "\"x\"@en\\\" <a> .");
        assert_eq!(format_value(0, b"x", b""), "\"x\"");
        // geo as Dgraph's export writes it: single quotes
        let mut point = vec![1, 1, 0, 0, 0];
        point.extend_from_slice(&1.5f64.to_le_bytes());
        point.extend_from_slice(&2.0f64.to_le_bytes());
        assert_eq!(
            format_value(6, &point, b""),
            "\"{'type':'Point','coordinates':[1.5,2]}\"^^<geo:geojson>"
        );
        assert_eq!(
            format_value(1, b"\x00\xff\x10", b""),
            "\"AP8Q\"^^<xs:base64Binary>"
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn facets() {
        let f = |k: &str, t: FacetValType, v: Vec<u8>| Facet {
            key: k.into(),
            value: v,
            val_type: t as i32,
            ..Default::default()
        };
        let fs = vec![
            f("since", FacetValType::Datetime, go_time(0, 0, -1)),
            f("close", FacetValType::Bool, vec![1]),
            f("w", FacetValType::Float, 0.5f64.to_le_bytes().to_vec()),
            f("n", FacetValType::Int, 7i64.to_le_bytes().to_vec()),
            f("k", FacetValType::String, b"a\"b".to_vec()),
        ];
        assert_eq!(
            format_facets(&fs),
            " (close=true, k=\"a\\\"b\", n=7, since=1970-01-01T00:00:00Z, w=0.5)"
        );
        // Found by the `posting_list` fuzz target: a facet key from a hostile backup holding
        // newlines broke the export line; it is escaped like a literal.
        let bad = vec![f("\nJ\n\n\u{2}", FacetValType::Bool, vec![1])];
        assert_eq!(format_facets(&bad), " (\\nJ\\n\\n\\u0002=true)");
    }
}
