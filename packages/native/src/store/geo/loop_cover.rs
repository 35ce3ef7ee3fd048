//! The S2 cells Dgraph indexes a polygon under: the covering of its loop
//! (levels 5 to 16, at most 18 cells) as Go's `RegionCoverer` computes it.
//!
//! The coverer asks the loop whether it contains or meets each candidate
//! cell, and Go's `Loop` answers through its shape index, approximately
//! and on purpose (a cell near an edge counts as meeting it; a cell that
//! holds an index cell meets the loop). So the covering depends on that
//! index, which `shape_index.rs` rebuilds as Go builds it.

use super::coverer::CoverRegion;
use super::face_clip::{clip_to_padded_face, FACE_CLIP_ERROR_UV_COORD};
use super::shape_index::{IndexCell, Relation, ShapeIndex};
use super::sphere_loop::{edge_or_vertex_crossing, Loop};
use s2::cell::Cell;
use s2::cellid::CellID;
use s2::point::Point;
use s2::r2::point::Point as UV;
use s2::r2::rect::Rect as UVRect;
use s2::region::Region;

const INTERSECTS_RECT_ERROR_UV_DIST: f64 = 3.0 * std::f64::consts::SQRT_2 * f64::EPSILON;

/// A loop as the coverer sees it, with its shape index.
pub struct LoopRegion<'a> {
    l: &'a Loop,
    index: ShapeIndex,
}

impl<'a> LoopRegion<'a> {
    pub fn new(l: &'a Loop) -> Result<LoopRegion<'a>, String> {
        Ok(LoopRegion {
            l,
            index: ShapeIndex::new(l)?,
        })
    }

    /// Go's `boundaryApproxIntersects`: whether an edge of the index cell
    /// meets the target cell, padded by the clipping errors.
    fn boundary_approx_intersects(&self, cell: &IndexCell, target: &Cell) -> bool {
        if cell.edges.is_empty() {
            return false;
        }
        if target.id == cell.id {
            return true;
        }
        let max_error = FACE_CLIP_ERROR_UV_COORD + INTERSECTS_RECT_ERROR_UV_DIST;
        let bound = target.uv.expanded_by_margin(max_error);
        cell.edges.iter().any(|&i| {
            clip_to_padded_face(
                self.l.vertex(i),
                self.l.vertex(i + 1),
                target.face(),
                max_error,
            )
            .is_some_and(|(a, b)| edge_intersects_rect(&a, &b, &bound))
        })
    }

    /// Go's `iteratorContainsPoint`: crossings from the index cell's center.
    fn cell_contains_point(&self, cell: &IndexCell, p: &Point) -> bool {
        let center = Point::from(&cell.id);
        let mut inside = cell.contains_center;
        for &i in &cell.edges {
            if edge_or_vertex_crossing(&center, p, self.l.vertex(i), self.l.vertex(i + 1)) {
                inside = !inside;
            }
        }
        inside
    }
}

impl CoverRegion for LoopRegion<'_> {
    fn contains_cell(&self, cell: &Cell) -> bool {
        match self.index.locate(&cell.id) {
            Relation::Indexed(c) => {
                !self.boundary_approx_intersects(c, cell)
                    && self.cell_contains_point(c, &cell.center())
            }
            _ => false,
        }
    }

    fn intersects_cell(&self, cell: &Cell) -> bool {
        match self.index.locate(&cell.id) {
            Relation::Disjoint => false,
            Relation::Subdivided => true,
            Relation::Indexed(c) => {
                c.id == cell.id
                    || self.boundary_approx_intersects(c, cell)
                    || self.cell_contains_point(c, &cell.center())
            }
        }
    }

    /// Go's `Loop.CellUnionBound`: its bounding cap's (the `s2` crate's
    /// `Cap::cell_union_bound` is Go's).
    fn cell_union_bound(&self) -> Vec<CellID> {
        self.l.rect_bound().cap_bound().cell_union_bound()
    }
}

/// Go's `edgeIntersectsRect`, in (u, v).
fn edge_intersects_rect(a: &UV, b: &UV, r: &UVRect) -> bool {
    if !r.intersects(&UVRect::from_points(&[*a, *b])) {
        return false;
    }
    let n = UV {
        x: -(b.y - a.y),
        y: b.x - a.x,
    };
    let (i, j) = (isize::from(n.x >= 0.0), isize::from(n.y >= 0.0));
    let dot = |p: UV| n.x * (p.x - a.x) + n.y * (p.y - a.y);
    let max = dot(r.vertex_ij(i, j));
    let min = dot(r.vertex_ij(1 - i, 1 - j));
    max >= 0.0 && min <= 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::geo::sphere_loop::loop_of_polygon;

    #[test]
    fn a_small_loop_meets_its_index_cell_without_containing_it() {
        let ring = vec![[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 48.0]];
        let l = loop_of_polygon(&[ring]).unwrap();
        let r = LoopRegion::new(&l).unwrap();
        let cell = Cell::from(&r.index.cells[0].id);
        assert!(r.intersects_cell(&cell));
        assert!(!r.contains_cell(&cell));
        // a cell far away: neither
        let far = Cell::from(
            &CellID::from(&Point::from(s2::latlng::LatLng::from_degrees(-40.0, 100.0))).parent(10),
        );
        assert!(!r.intersects_cell(&far));
    }

    #[test]
    fn a_loop_across_a_cube_face_is_indexed_on_both() {
        let across = vec![[40.0, 0.0], [50.0, 0.0], [50.0, 5.0], [40.0, 0.0]];
        let l = loop_of_polygon(&[across]).unwrap();
        let r = LoopRegion::new(&l).unwrap();
        let faces: std::collections::BTreeSet<u8> =
            r.index.cells.iter().map(|c| c.id.face()).collect();
        assert_eq!(faces.into_iter().collect::<Vec<_>>(), vec![0, 1]);
    }
}
