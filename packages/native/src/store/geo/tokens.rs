//! Dgraph's `geo` index tokens (`types/s2index.go`). A point is indexed by
//! the S2 cell holding it at every level from 5 (about 250 km) to 16 (about
//! 150 m), as `p/<cell token>` parent terms, and by its level-16 cell as the
//! `c/<cell token>` cover term. A polygon (each of a multipolygon's) is
//! indexed by the covering of its outer ring (`c/`) and every ancestor of
//! those cells down to level 5 (`p/`), as Go's region coverer computes it
//! (`coverer.rs`, `loop_cover.rs`); every other geometry is refused, as
//! Dgraph refuses them ("Cannot index geometry"), and so is a ring of more
//! than 20,000 vertices (its shape index would take too long to build).

use super::coverer::Coverer;
use super::loop_cover::LoopRegion;
use super::sphere_loop::{loop_of_polygon, Loop};
use super::wkb::{parse, Geometry, Ring, WkbError};
use s2::cellid::CellID;
use s2::latlng::LatLng;

const MIN_LEVEL: u64 = 5;
const MAX_LEVEL: u64 = 16;
/// The most cells a polygon's covering may have (Dgraph's `MaxCells`).
const MAX_CELLS: usize = 18;

/// The geo terms (without the identifier byte) of a WKB value.
pub fn geo_terms(wkb: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let (parents, cover) = match parse(wkb) {
        Ok(Geometry::Point(c)) => point_cells(c)?,
        Ok(Geometry::Polygon(rings)) => polygon_cells(&[rings])?,
        Ok(Geometry::MultiPolygon(polys)) => polygon_cells(&polys)?,
        Err(WkbError::Kind(t)) => {
            return Err(format!(
                "geo index: Dgraph cannot index a geometry of WKB type {t} (only points and \
                 polygons)"
            ))
        }
        Err(e) => return Err(format!("geo index: {e}")),
    };
    Ok(terms(&[("p/", &parents), ("c/", &cover)]))
}

/// The terms of cells under their prefixes (`p/` parents, `c/` cover), sorted and distinct.
pub(super) fn terms(groups: &[(&str, &[CellID])]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = groups
        .iter()
        .flat_map(|(prefix, cells)| {
            cells
                .iter()
                .map(move |c| format!("{prefix}{}", c.to_token()).into_bytes())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A point's cells: every level's parent, and the level-16 cell as cover.
pub(super) fn point_cells([lng, lat]: [f64; 2]) -> Result<(Vec<CellID>, Vec<CellID>), String> {
    if !(lng.is_finite() && lat.is_finite()) {
        return Err("geo index: the point's coordinates are not finite numbers".into());
    }
    let leaf = CellID::from(LatLng::from_degrees(lat, lng));
    let parents = (MIN_LEVEL..=MAX_LEVEL).map(|l| leaf.parent(l)).collect();
    Ok((parents, vec![leaf.parent(MAX_LEVEL)]))
}

/// Polygons' cells (Dgraph's `indexCells`): each outer ring's loop covered
/// by S2's region coverer (levels 5 to 16, at most 18 cells), and every
/// ancestor of those cells down to level 5.
pub(super) fn polygon_cells(polys: &[Vec<Ring>]) -> Result<(Vec<CellID>, Vec<CellID>), String> {
    let mut cover = Vec::new();
    for rings in polys {
        let l = loop_of_polygon(rings).map_err(|e| format!("geo index: {e}"))?;
        cover.extend(cover_loop(&l)?);
    }
    Ok((parents_of(&cover), cover))
}

/// Dgraph's `coverLoop`: the loop's covering, levels 5 to 16, at most 18 cells.
pub(super) fn cover_loop(l: &Loop) -> Result<Vec<CellID>, String> {
    let coverer = Coverer {
        min_level: MIN_LEVEL,
        max_level: MAX_LEVEL,
        max_cells: MAX_CELLS,
    };
    let region = LoopRegion::new(l).map_err(|e| format!("geo index: {e}"))?;
    Ok(coverer.covering(&region))
}

/// Dgraph's `getParentCells`: every cell of `cover` and its ancestors down to level 5.
pub(super) fn parents_of(cover: &[CellID]) -> Vec<CellID> {
    let mut parents = Vec::new();
    for c in cover {
        parents.extend((MIN_LEVEL..=c.level()).map(|l| c.parent(l)));
    }
    parents
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::geo::wkb::tests::point;

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
        let line = [1, 2, 0, 0, 0, 0, 0, 0, 0];
        assert!(geo_terms(&line).unwrap_err().contains("WKB type 2"));
        assert!(geo_terms(&[1, 3, 0, 0, 0, 0, 0, 0, 0])
            .unwrap_err()
            .contains("empty polygon"));
        assert!(geo_terms(&[1, 1, 0]).unwrap_err().contains("WKB"));
        assert!(geo_terms(&point(f64::NAN, 1.0)).is_err());
    }
}
