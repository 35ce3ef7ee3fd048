//! Number formatting shared by the RDF values and the GeoJSON coordinates
//! of the export.

/// ECMAScript `Number.prototype.toString` of a float.
pub fn format_float(f: f64) -> String {
    let mut b = ryu_js::Buffer::new();
    b.format(f).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_ecmascript() {
        for (f, s) in [
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (100.0, "100"),
            (1.5, "1.5"),
            (-0.0, "0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "Infinity"),
        ] {
            assert_eq!(format_float(f), s, "{f}");
        }
    }
}
