//! The shape index Go's `Loop` builds over itself (`shapeindex.go`): the
//! loop's edges split among the six cube faces (clipped to each padded face
//! they reach, `face_clip.rs`), then, face by face, the cells holding at
//! most 10 "long" edges each (more are split in four, edges clipped to the
//! padded children as Go clips them), plus the edgeless cells inside the
//! loop. Each cell keeps its edges and whether the loop contains its
//! center. The coverer's containment questions are answered from these
//! cells, as Go answers them, so that its covering is Go's.

use super::face_clip::{
    clip_to_padded_face, face_of, valid_face_xyz_to_uv, FACE_CLIP_ERROR_UV_COORD,
};
use super::sphere_loop::Loop;
use s2::cellid::{CellID, MAX_LEVEL, MAX_SIZE};
use s2::point::Point;
use s2::r1::interval::Interval;
use s2::r2::point::Point as UV;
use s2::r2::rect::Rect as UVRect;

const EPS: f64 = f64::EPSILON;
const EDGE_CLIP_ERROR_UV_COORD: f64 = 2.25 * EPS;
/// Go's shape index `cellPadding`.
const CELL_PADDING: f64 = 2.0 * (FACE_CLIP_ERROR_UV_COORD + EDGE_CLIP_ERROR_UV_COORD);
/// Go's `maxEdgesPerCell` default.
const MAX_EDGES_PER_CELL: usize = 10;
/// The most vertices of a ring Strata indexes: building the index tests
/// containment once per cell by counting crossings over every edge, so a
/// ring of millions of vertices (from a backup others can write to, whose
/// index is rebuilt) would take far too long.
const MAX_VERTICES: usize = 20_000;
/// Go's `AvgEdgeMetric` derivative.
const AVG_EDGE_DERIV: f64 = 1.459_213_746_386_106_1;

/// One cell of the index.
pub struct IndexCell {
    pub id: CellID,
    /// The loop's edges (edge `i` runs from vertex `i` to `i + 1`) that meet the padded cell.
    pub edges: Vec<usize>,
    pub contains_center: bool,
}

/// The index: its cells in CellID order.
pub struct ShapeIndex {
    pub cells: Vec<IndexCell>,
}

/// Where a cell lies against the index (Go's `CellRelation`).
pub enum Relation<'a> {
    /// Inside this index cell.
    Indexed(&'a IndexCell),
    /// Holds index cells.
    Subdivided,
    Disjoint,
}

/// An edge on one face: its ends there (clipped to the padded face) and
/// the part of that segment's bound inside the current cell.
#[derive(Clone)]
struct Clipped {
    edge: usize,
    a: UV,
    b: UV,
    bound: UVRect,
}

struct Padded {
    id: CellID,
    i_lo: i64,
    j_lo: i64,
    level: u64,
}

impl Padded {
    /// Go's `PaddedCellFromCellID`.
    fn of(id: CellID) -> Padded {
        let (_, i, j, _) = id.face_ij_orientation();
        let level = id.level();
        let size = 1i64 << (MAX_LEVEL - level);
        Padded {
            id,
            i_lo: i64::from(i) & -size,
            j_lo: i64::from(j) & -size,
            level,
        }
    }

    fn size(&self) -> i64 {
        1 << (MAX_LEVEL - self.level)
    }

    /// Go's `PaddedCell.Middle`: the (u, v) square all four padded children share.
    fn middle(&self) -> UVRect {
        let mid = |lo: i64| st_to_uv((2 * lo + self.size()) as f64 / (2.0 * MAX_SIZE as f64));
        let (u, v) = (mid(self.i_lo), mid(self.j_lo));
        UVRect {
            x: Interval::new(u - CELL_PADDING, u + CELL_PADDING),
            y: Interval::new(v - CELL_PADDING, v + CELL_PADDING),
        }
    }

    fn child(&self, face: u8, i: i64, j: i64) -> Padded {
        let level = self.level + 1;
        let size = 1 << (MAX_LEVEL - level);
        let (i_lo, j_lo) = (self.i_lo + i * size, self.j_lo + j * size);
        Padded {
            id: CellID::from_face_ij(face, i_lo as i32, j_lo as i32).parent(level),
            i_lo,
            j_lo,
            level,
        }
    }
}

impl ShapeIndex {
    /// The index of `l`, or why Strata will not build it (too many vertices).
    pub fn new(l: &Loop) -> Result<ShapeIndex, String> {
        let v = l.vertices();
        if v.len() > MAX_VERTICES {
            return Err(format!(
                "polygons of more than {MAX_VERTICES} vertices are not indexed by Strata (this \
                 one has {})",
                v.len()
            ));
        }
        let n = v.len();
        let max_levels: Vec<u64> = (0..n)
            .map(|i| avg_edge_min_level((v[i].0 - v[(i + 1) % n].0).norm()))
            .collect();
        let mut b = Builder {
            l,
            face: 0,
            max_levels: &max_levels,
            cells: Vec::new(),
        };
        let mut faces: [Vec<Clipped>; 6] = Default::default();
        for i in 0..n {
            add_face_edge(i, &v[i], &v[(i + 1) % n], &mut faces);
        }
        for (face, edges) in faces.into_iter().enumerate() {
            b.face = face as u8;
            b.update_face(edges);
        }
        let mut cells = b.cells;
        cells.sort_by_key(|c| c.id);
        Ok(ShapeIndex { cells })
    }

    /// Go's `ShapeIndexIterator.LocateCellID`.
    pub fn locate(&self, target: &CellID) -> Relation<'_> {
        let lo = target.range_min();
        let k = self.cells.partition_point(|c| c.id < lo);
        if let Some(c) = self.cells.get(k) {
            if c.id >= *target && c.id.range_min() <= *target {
                return Relation::Indexed(c);
            }
            if c.id <= target.range_max() {
                return Relation::Subdivided;
            }
        }
        match k.checked_sub(1).and_then(|p| self.cells.get(p)) {
            Some(c) if c.id.range_max() >= *target => Relation::Indexed(c),
            _ => Relation::Disjoint,
        }
    }
}

/// Go's `addFaceEdge`: edge `i` (from `p0` to `p1`) on its face when both
/// ends lie there clear of the padded neighbours, else on every padded face
/// it reaches, clipped to it.
fn add_face_edge(i: usize, p0: &Point, p1: &Point, faces: &mut [Vec<Clipped>; 6]) {
    let clipped = |a: UV, b: UV| Clipped {
        edge: i,
        a,
        b,
        bound: UVRect::from_points(&[a, b]),
    };
    let face = face_of(&p0.0);
    if face == face_of(&p1.0) {
        let (a, b) = (
            valid_face_xyz_to_uv(face, &p0.0),
            valid_face_xyz_to_uv(face, &p1.0),
        );
        let max_uv = 1.0 - CELL_PADDING;
        if [a.x, a.y, b.x, b.y].iter().all(|c| c.abs() <= max_uv) {
            faces[face as usize].push(clipped(a, b));
            return;
        }
    }
    for (f, edges) in faces.iter_mut().enumerate() {
        if let Some((a, b)) = clip_to_padded_face(p0, p1, f as u8, CELL_PADDING) {
            edges.push(clipped(a, b));
        }
    }
}

struct Builder<'a> {
    l: &'a Loop,
    /// The face being indexed.
    face: u8,
    max_levels: &'a [u64],
    cells: Vec<IndexCell>,
}

impl Builder<'_> {
    /// Go's `updateFaceEdges` on the first update: from the smallest cell
    /// holding the face's edges, with the face's other cells inside the loop
    /// indexed whole (`skipCellRange`).
    fn update_face(&mut self, edges: Vec<Clipped>) {
        let face_id = CellID::from_face(u64::from(self.face));
        if !edges.is_empty() {
            let mut bound = edges[0].bound.clone();
            for e in &edges[1..] {
                bound = bound.union(&e.bound);
            }
            let start = shrink_to_fit(self.face, &bound);
            if start != face_id {
                self.skip_range(face_id.range_min(), start.range_min());
                self.update(&Padded::of(start), edges);
                self.skip_range(start.range_max().next(), face_id.range_max().next());
                return;
            }
        }
        self.update(&Padded::of(face_id), edges);
    }

    /// Go's `skipCellRange`: the cells from `begin` up to `end` (an edgeless
    /// stretch), indexed where they lie inside the loop.
    fn skip_range(&mut self, begin: CellID, end: CellID) {
        let mut id = begin.max_tile(&end);
        while id != end {
            self.update(&Padded::of(id), Vec::new());
            id = id.next().max_tile(&end);
        }
    }

    fn inside(&self, p: &Padded) -> bool {
        self.l.contains_point(&Point::from(&p.id))
    }

    /// Go's `updateEdges` on the first update of an index.
    fn update(&mut self, p: &Padded, edges: Vec<Clipped>) {
        if self.make_cell(p, &edges) {
            return;
        }
        let middle = p.middle();
        let mut child: [[Vec<Clipped>; 2]; 2] = Default::default();
        for e in edges {
            let b = &e.bound;
            if b.x.hi <= middle.x.lo {
                self.clip_v_axis(e, &middle.y, &mut child[0]);
            } else if b.x.lo >= middle.x.hi {
                self.clip_v_axis(e, &middle.y, &mut child[1]);
            } else if b.y.hi <= middle.y.lo {
                child[0][0].push(self.clip_u_bound(&e, 1, middle.x.hi));
                child[1][0].push(self.clip_u_bound(&e, 0, middle.x.lo));
            } else if b.y.lo >= middle.y.hi {
                child[0][1].push(self.clip_u_bound(&e, 1, middle.x.hi));
                child[1][1].push(self.clip_u_bound(&e, 0, middle.x.lo));
            } else {
                let left = self.clip_u_bound(&e, 1, middle.x.hi);
                self.clip_v_axis(left, &middle.y, &mut child[0]);
                let right = self.clip_u_bound(&e, 0, middle.x.lo);
                self.clip_v_axis(right, &middle.y, &mut child[1]);
            }
        }
        for (i, column) in child.into_iter().enumerate() {
            for (j, edges) in column.into_iter().enumerate() {
                let c = p.child(self.face, i as i64, j as i64);
                if !edges.is_empty() || self.inside(&c) {
                    self.update(&c, edges);
                }
            }
        }
    }

    /// Go's `makeIndexCell`: false when the cell has too many long edges.
    fn make_cell(&mut self, p: &Padded, edges: &[Clipped]) -> bool {
        if edges.is_empty() && !self.inside(p) {
            return true;
        }
        let long = edges
            .iter()
            .filter(|e| p.level < self.max_levels[e.edge])
            .count();
        if long > MAX_EDGES_PER_CELL {
            return false;
        }
        let mut ids: Vec<usize> = edges.iter().map(|e| e.edge).collect();
        ids.sort_unstable();
        self.cells.push(IndexCell {
            id: p.id,
            edges: ids,
            contains_center: self.inside(p),
        });
        true
    }

    /// Go's `clipVAxis`: the edge's parts below and above the middle band.
    fn clip_v_axis(&self, e: Clipped, middle: &Interval, out: &mut [Vec<Clipped>; 2]) {
        if e.bound.y.hi <= middle.lo {
            out[0].push(e);
        } else if e.bound.y.lo >= middle.hi {
            out[1].push(e);
        } else {
            out[0].push(self.clip_v_bound(&e, 1, middle.hi));
            out[1].push(self.clip_v_bound(&e, 0, middle.lo));
        }
    }

    /// Go's `clipUBound`: the edge's bound cut at `u` (keeping the high side when `u_end` is 0).
    fn clip_u_bound(&self, e: &Clipped, u_end: usize, u: f64) -> Clipped {
        if (u_end == 0 && e.bound.x.lo >= u) || (u_end == 1 && e.bound.x.hi <= u) {
            return e.clone();
        }
        let (a, b) = (e.a, e.b);
        let v = e.bound.y.clamp_point(interpolate(u, a.x, b.x, a.y, b.y));
        let positive = (a.x > b.x) == (a.y > b.y);
        let v_end = usize::from((u_end == 1) == positive);
        update_bound(e, u_end, u, v_end, v)
    }

    /// Go's `clipVBound`.
    fn clip_v_bound(&self, e: &Clipped, v_end: usize, v: f64) -> Clipped {
        if (v_end == 0 && e.bound.y.lo >= v) || (v_end == 1 && e.bound.y.hi <= v) {
            return e.clone();
        }
        let (a, b) = (e.a, e.b);
        let u = e.bound.x.clamp_point(interpolate(v, a.y, b.y, a.x, b.x));
        let positive = (a.x > b.x) == (a.y > b.y);
        let u_end = usize::from((v_end == 1) == positive);
        update_bound(e, u_end, u, v_end, v)
    }
}

/// Go's `updateBound`.
fn update_bound(e: &Clipped, u_end: usize, u: f64, v_end: usize, v: f64) -> Clipped {
    let mut b = e.bound.clone();
    if u_end == 0 {
        b.x.lo = u;
    } else {
        b.x.hi = u;
    }
    if v_end == 0 {
        b.y.lo = v;
    } else {
        b.y.hi = v;
    }
    Clipped {
        bound: b,
        ..e.clone()
    }
}

/// Go's `interpolateFloat64`: the value at `x` on the line through (a, a1), (b, b1).
fn interpolate(x: f64, a: f64, b: f64, a1: f64, b1: f64) -> f64 {
    if a == b {
        return a1;
    }
    if (a - x).abs() <= (b - x).abs() {
        a1 + (b1 - a1) * (x - a) / (b - a)
    } else {
        b1 + (a1 - b1) * (x - b) / (a - b)
    }
}

/// Go's `AvgEdgeMetric.MinLevel` (the edge's `maxLevel`: the first level
/// whose average cell edge is at most its length).
fn avg_edge_min_level(val: f64) -> u64 {
    if val < 0.0 {
        return MAX_LEVEL;
    }
    let exp = ilogb(val / AVG_EDGE_DERIV);
    (-exp).clamp(0, MAX_LEVEL as i64) as u64
}

/// Go's `math.Ilogb` for finite, non-zero values; a large number for 0.
fn ilogb(x: f64) -> i64 {
    if x == 0.0 {
        return i64::from(i32::MIN);
    }
    let bits = x.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    if exp == 0 {
        // subnormal
        return -1023 - (bits << 12).leading_zeros() as i64;
    }
    exp - 1023
}

/// Go's quadratic `uvToST`.
fn uv_to_st(u: f64) -> f64 {
    if u >= 0.0 {
        0.5 * (1.0 + 3.0 * u).sqrt()
    } else {
        1.0 - 0.5 * (1.0 - 3.0 * u).sqrt()
    }
}

/// Go's quadratic `stToUV`.
fn st_to_uv(s: f64) -> f64 {
    if s >= 0.5 {
        (1.0 / 3.0) * (4.0 * s * s - 1.0)
    } else {
        (1.0 / 3.0) * (1.0 - 4.0 * (1.0 - s) * (1.0 - s))
    }
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
    use s2::cell::Cell;

    #[test]
    fn ilogb_as_go() {
        assert_eq!(ilogb(1.0), 0);
        assert_eq!(ilogb(0.75), -1);
        assert_eq!(ilogb(8.5), 3);
        assert_eq!(ilogb(f64::MIN_POSITIVE / 4.0), -1024);
    }

    #[test]
    fn small_loops_have_one_cell_and_big_ones_are_split() {
        let ring = vec![[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 48.0]];
        let l = loop_of_polygon(&[ring]).unwrap();
        let ix = ShapeIndex::new(&l).unwrap();
        assert_eq!(ix.cells.len(), 1);
        let cell = Cell::from(&ix.cells[0].id);
        for p in l.vertices() {
            assert!(cell.contains_point(p));
        }
        // a 40-gon: more than 10 long edges in one cell, so the cells are split
        let many: Vec<[f64; 2]> = (0..=40)
            .map(|i| {
                let a = (i % 40) as f64 * std::f64::consts::PI / 20.0;
                [10.0 + 3.0 * a.cos(), 10.0 + 3.0 * a.sin()]
            })
            .collect();
        let l = loop_of_polygon(&[many]).unwrap();
        let ix = ShapeIndex::new(&l).unwrap();
        assert!(ix.cells.len() > 1);
        assert!(ix.cells.iter().all(|c| c.edges.len() <= 40));
        assert!(ix.cells.windows(2).all(|w| w[0].id < w[1].id));
        // too many vertices to index in reasonable time: refused
        let huge: Vec<[f64; 2]> = (0..=MAX_VERTICES + 1)
            .map(|i| {
                let a = (i % (MAX_VERTICES + 1)) as f64 * 2.0 * std::f64::consts::PI
                    / (MAX_VERTICES + 1) as f64;
                [10.0 + a.cos(), 10.0 + a.sin()]
            })
            .collect();
        let l = loop_of_polygon(&[huge]).unwrap();
        assert!(ShapeIndex::new(&l)
            .err()
            .unwrap()
            .contains("more than 20000 vertices"));
    }
}
