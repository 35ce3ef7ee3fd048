//! Dgraph's `geo` index tokens (`types/s2index.go`). A point is indexed by
//! the S2 cell holding it at every level from 5 (about 250 km) to 16 (about
//! 150 m), as `p/<cell token>` parent terms, and by its level-16 cell as the
//! `c/<cell token>` cover term. Polygons, which Dgraph covers with S2's
//! region coverer, are refused here (not reproduced yet), and so is every
//! other geometry, as Dgraph refuses them ("Cannot index geometry").

use s2::cellid::CellID;
use s2::latlng::LatLng;

const MIN_LEVEL: u64 = 5;
const MAX_LEVEL: u64 = 16;

/// The geo terms (without the identifier byte) of a WKB value.
pub fn geo_terms(wkb: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let (lng, lat) = wkb_point(wkb)?;
    if !(lng.is_finite() && lat.is_finite()) {
        return Err("geo index: the point's coordinates are not finite numbers".into());
    }
    let leaf = CellID::from(LatLng::from_degrees(lat, lng));
    let mut out: Vec<Vec<u8>> = (MIN_LEVEL..=MAX_LEVEL)
        .map(|l| format!("p/{}", leaf.parent(l).to_token()).into_bytes())
        .collect();
    out.push(format!("c/{}", leaf.parent(MAX_LEVEL).to_token()).into_bytes());
    out.sort();
    out.dedup();
    Ok(out)
}

/// (longitude, latitude) of a 2D WKB point; an error naming what else it is.
fn wkb_point(b: &[u8]) -> Result<(f64, f64), String> {
    let bad = || "geo index: the value is not well-formed WKB".to_string();
    let le = match b.first() {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(bad()),
    };
    let word = |at: usize, n: usize| b.get(at..at + n).ok_or_else(bad);
    let t = word(1, 4)?;
    let t = u32::from_be_bytes(t.try_into().map_err(|_| bad())?);
    let t = if le { t.swap_bytes() } else { t };
    let f = |at: usize| -> Result<f64, String> {
        let raw: [u8; 8] = word(at, 8)?.try_into().map_err(|_| bad())?;
        Ok(if le {
            f64::from_le_bytes(raw)
        } else {
            f64::from_be_bytes(raw)
        })
    };
    match t {
        1 => Ok((f(5)?, f(13)?)),
        3 | 6 => Err(
            "geo index: polygons are not indexed by Strata yet (Dgraph covers them with S2 \
             cells Strata does not compute); index points only, or write through Dgraph"
                .into(),
        ),
        1001..=1007 | 2001..=2007 | 3001..=3007 => {
            Err("geo index: only 2D coordinates can be indexed (as in Dgraph)".into())
        }
        _ => Err(format!(
            "geo index: Dgraph cannot index a geometry of WKB type {t} (only points and \
             polygons)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lng: f64, lat: f64) -> Vec<u8> {
        let mut v = vec![1, 1, 0, 0, 0];
        v.extend(lng.to_le_bytes());
        v.extend(lat.to_le_bytes());
        v
    }

    #[test]
    fn point_cells_as_dgraph() {
        // Dgraph v24.0.5 for {"type":"Point","coordinates":[2.3522,48.8566]}
        let want = [
            "c/47e66e1d9",
            "p/47e4",
            "p/47e64",
            "p/47e66c",
            "p/47e66e1",
            "p/47e66e1c",
            "p/47e66e1d",
            "p/47e66e1d9",
            "p/47e66e1dc",
            "p/47e66e4",
            "p/47e66f",
            "p/47e67",
            "p/47e7",
        ];
        let got = geo_terms(&point(2.3522, 48.8566)).unwrap();
        let got: Vec<&str> = got
            .iter()
            .map(|t| std::str::from_utf8(t).unwrap())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn other_geometries_are_refused() {
        let mut line = vec![1, 2, 0, 0, 0, 0, 0, 0, 0];
        line[5] = 0;
        assert!(geo_terms(&line).unwrap_err().contains("WKB type 2"));
        assert!(geo_terms(&[1, 3, 0, 0, 0, 0, 0, 0, 0])
            .unwrap_err()
            .contains("polygons"));
        assert!(geo_terms(&[1, 1, 0]).unwrap_err().contains("WKB"));
        assert!(geo_terms(&point(f64::NAN, 1.0)).is_err());
    }
}
