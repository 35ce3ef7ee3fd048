//! The S2 cells Dgraph indexes a polygon under: the covering of its loop
//! (levels 5 to 16, at most 18 cells) as Go's `RegionCoverer` computes it.
//!
//! The coverer asks the loop whether it contains or meets each candidate
//! cell, and Go's `Loop` answers through its shape index, approximately
//! and on purpose (a cell near an edge counts as meeting it; a cell that
//! holds an index cell meets the loop). So the covering depends on that
//! index. It is reproduced here for the loops whose index is a single
//! cell: at most 10 edges (the index's limit per cell), every vertex on one
//! cube face away from its border. There the index cell is the smallest
//! cell holding every edge (`PaddedCell.ShrinkToFit`); other loops are
//! refused rather than indexed differently.

use super::coverer::CoverRegion;
use super::sphere_loop::{edge_or_vertex_crossing, Loop};
use s2::cell::Cell;
use s2::cellid::{CellID, MAX_LEVEL, MAX_SIZE};
use s2::metric::MIN_WIDTHMETRIC;
use s2::point::Point;
use s2::r1::interval::Interval;
use s2::r2::point::Point as UV;
use s2::r2::rect::Rect as UVRect;
use s2::r3::vector::Vector;
use s2::region::Region;

const EPS: f64 = f64::EPSILON;
const FACE_CLIP_ERROR_UV_COORD: f64 = 9.0 * std::f64::consts::FRAC_1_SQRT_2 * EPS;
const EDGE_CLIP_ERROR_UV_COORD: f64 = 2.25 * EPS;
const INTERSECTS_RECT_ERROR_UV_DIST: f64 = 3.0 * std::f64::consts::SQRT_2 * EPS;
/// Go's shape index `cellPadding`.
const CELL_PADDING: f64 = 2.0 * (FACE_CLIP_ERROR_UV_COORD + EDGE_CLIP_ERROR_UV_COORD);
/// Go's `maxEdgesPerCell` default.
const MAX_EDGES_PER_CELL: usize = 10;

/// A loop as the coverer sees it, with its one-cell shape index.
pub struct LoopRegion<'a> {
    l: &'a Loop,
    face: u8,
    /// The (u, v) of each vertex on `face`.
    uv: Vec<UV>,
    index_cell: CellID,
    contains_center: bool,
}

impl<'a> LoopRegion<'a> {
    pub fn new(l: &'a Loop) -> Result<LoopRegion<'a>, String> {
        let v = l.vertices();
        if v.len() > MAX_EDGES_PER_CELL {
            return Err(format!(
                "polygons of more than {MAX_EDGES_PER_CELL} edges are not indexed by Strata yet \
                 (this one has {})",
                v.len()
            ));
        }
        let f = face(&v[0].0);
        let max_uv = 1.0 - CELL_PADDING;
        let mut uv = Vec::with_capacity(v.len());
        for p in v {
            let (u, w) = valid_face_xyz_to_uv(f, &p.0);
            if face(&p.0) != f || u.abs() > max_uv || w.abs() > max_uv {
                return Err(
                    "polygons across the border of an S2 cube face are not indexed by \
                            Strata yet"
                        .into(),
                );
            }
            uv.push(UV { x: u, y: w });
        }
        let bound = UVRect::from_points(&uv);
        let index_cell = shrink_to_fit(f, &bound);
        let contains_center = l.contains_point(&Point::from(&index_cell));
        Ok(LoopRegion {
            l,
            face: f,
            uv,
            index_cell,
            contains_center,
        })
    }

    /// Go's `boundaryApproxIntersects` for a target inside the index cell.
    fn boundary_approx_intersects(&self, target: &Cell) -> bool {
        if target.id == self.index_cell {
            return true;
        }
        if target.face() != self.face {
            // every edge lies on `face`, clear of the padded neighbours
            return false;
        }
        let bound = target
            .uv
            .expanded_by_margin(FACE_CLIP_ERROR_UV_COORD + INTERSECTS_RECT_ERROR_UV_DIST);
        let n = self.uv.len();
        (0..n).any(|i| edge_intersects_rect(&self.uv[i], &self.uv[(i + 1) % n], &bound))
    }

    /// Go's `iteratorContainsPoint`: crossings from the index cell's center.
    fn index_contains_point(&self, p: &Point) -> bool {
        let center = Point::from(&self.index_cell);
        let mut inside = self.contains_center;
        for i in 0..self.uv.len() {
            if edge_or_vertex_crossing(&center, p, self.l.vertex(i), self.l.vertex(i + 1)) {
                inside = !inside;
            }
        }
        inside
    }
}

enum Relation {
    /// The target lies in the index cell.
    Indexed,
    /// The target holds the index cell.
    Subdivided,
    Disjoint,
}

impl LoopRegion<'_> {
    fn locate(&self, target: &CellID) -> Relation {
        if self.index_cell.contains(target) {
            Relation::Indexed
        } else if target.contains(&self.index_cell) {
            Relation::Subdivided
        } else {
            Relation::Disjoint
        }
    }
}

impl CoverRegion for LoopRegion<'_> {
    fn contains_cell(&self, cell: &Cell) -> bool {
        matches!(self.locate(&cell.id), Relation::Indexed)
            && !self.boundary_approx_intersects(cell)
            && self.index_contains_point(&cell.center())
    }

    fn intersects_cell(&self, cell: &Cell) -> bool {
        match self.locate(&cell.id) {
            Relation::Disjoint => false,
            Relation::Subdivided => true,
            Relation::Indexed => {
                cell.id == self.index_cell
                    || self.boundary_approx_intersects(cell)
                    || self.index_contains_point(&cell.center())
            }
        }
    }

    /// Go's `Loop.CellUnionBound`: the cells around the bounding cap's
    /// center; all six faces for a cap too big for that.
    fn cell_union_bound(&self) -> Vec<CellID> {
        let cap = self.l.rect_bound().cap_bound();
        let level = MIN_WIDTHMETRIC.max_level(cap.radius().rad());
        if level == 0 {
            return (0..6).map(CellID::from_face).collect();
        }
        CellID::from(cap.center()).vertex_neighbors(level - 1)
    }
}

/// The cube face of a direction (Go's `face`).
fn face(r: &Vector) -> u8 {
    let a = r.abs();
    let (axis, neg) = if a.x > a.y {
        if a.x > a.z {
            (0, r.x < 0.0)
        } else {
            (2, r.z < 0.0)
        }
    } else if a.y > a.z {
        (1, r.y < 0.0)
    } else {
        (2, r.z < 0.0)
    };
    axis + if neg { 3 } else { 0 }
}

/// (u, v) of a direction on its face (Go's `validFaceXYZToUV`).
fn valid_face_xyz_to_uv(f: u8, r: &Vector) -> (f64, f64) {
    match f {
        0 => (r.y / r.x, r.z / r.x),
        1 => (-r.x / r.y, r.z / r.y),
        2 => (-r.x / r.z, -r.y / r.z),
        3 => (r.z / r.x, r.y / r.x),
        4 => (r.z / r.y, -r.x / r.y),
        _ => (-r.y / r.z, -r.x / r.z),
    }
}

/// Go's quadratic `uvToST`.
fn uv_to_st(u: f64) -> f64 {
    if u >= 0.0 {
        0.5 * (1.0 + 3.0 * u).sqrt()
    } else {
        1.0 - 0.5 * (1.0 - 3.0 * u).sqrt()
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

fn st_to_ij(s: f64) -> i64 {
    ((MAX_SIZE as f64 * s).floor() as i64).clamp(0, MAX_SIZE as i64 - 1)
}

/// Go's `PaddedCell.ShrinkToFit` from a face cell: the smallest cell whose
/// padded square holds `rect`, or the face when no child can.
fn shrink_to_fit(f: u8, rect: &UVRect) -> CellID {
    let face_id = CellID::from_face(f as u64);
    if rect.x.contains(0.0) || rect.y.contains(0.0) {
        return face_id;
    }
    let padded = rect.expanded_by_margin(CELL_PADDING + 1.5 * EPS);
    let span = |iv: &Interval| {
        let lo = st_to_ij(uv_to_st(iv.lo)).max(0);
        let hi = st_to_ij(uv_to_st(iv.hi)).min(MAX_SIZE as i64 - 1);
        (lo, lo ^ hi)
    };
    let (i_min, i_xor) = span(&padded.x);
    let (j_min, j_xor) = span(&padded.y);
    let level_msb = (((i_xor | j_xor) << 1) + 1) as u64;
    let level = MAX_LEVEL as i64 - (63 - level_msb.leading_zeros() as i64);
    if level <= 0 {
        return face_id;
    }
    CellID::from_face_ij(f, i_min as i32, j_min as i32).parent(level as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::geo::sphere_loop::loop_of_polygon;

    #[test]
    fn the_index_cell_holds_every_edge() {
        let ring = vec![[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 48.0]];
        let l = loop_of_polygon(&[ring]).unwrap();
        let r = LoopRegion::new(&l).unwrap();
        let cell = Cell::from(&r.index_cell);
        for p in l.vertices() {
            assert!(cell.contains_point(p));
        }
        assert!(r.index_cell.level() > 3, "{}", r.index_cell.level());
        // the loop meets its index cell and a cell inside it near a vertex
        assert!(r.intersects_cell(&cell));
        assert!(!r.contains_cell(&cell));
    }

    #[test]
    fn big_or_cross_face_loops_are_refused() {
        let many: Vec<[f64; 2]> = (0..12)
            .map(|i| {
                let a = i as f64 * std::f64::consts::PI / 6.0;
                [10.0 + a.cos(), 10.0 + a.sin()]
            })
            .chain([[11.0, 10.0]])
            .collect();
        let l = loop_of_polygon(&[many]).unwrap();
        assert!(LoopRegion::new(&l)
            .err()
            .unwrap()
            .contains("more than 10 edges"));
        let across = vec![[40.0, 0.0], [50.0, 0.0], [50.0, 5.0], [40.0, 0.0]];
        let l = loop_of_polygon(&[across]).unwrap();
        assert!(LoopRegion::new(&l).err().unwrap().contains("cube face"));
    }
}
