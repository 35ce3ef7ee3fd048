//! A loop on the sphere, as Dgraph's geo functions use the Go S2 library's
//! `s2.Loop`: the semi-open boundary model (a point on an edge belongs to
//! exactly one of two loops sharing it), containment counted by edge
//! crossings from S2's fixed origin point, the latitude-longitude bounding
//! rectangle of `RectBounder`, and inversion. The `s2` crate has the robust
//! predicates this needs, but no loop.
//!
//! Go answers containment through a shape index for loops of more than 32
//! vertices; the answer is the same as the brute-force count used here for
//! every loop (S2 guarantees it), only slower for big loops.

use super::wkb::{Coord, Ring};
use s2::latlng::LatLng;
use s2::point::{ordered_ccw, Point};
use s2::predicates::{robust_sign, Direction};
use s2::r1::interval::Interval as LatInterval;
use s2::r3::vector::Vector;
use s2::rect::Rect;
use s2::s1::interval::Interval as LngInterval;
use std::f64::consts::{FRAC_PI_2, PI};

const MACHINE_EPSILON: f64 = f64::EPSILON; // Go's machineEpsilon64, 2^-52

#[derive(Debug, Clone)]
pub struct Loop {
    vertices: Vec<Point>,
    origin_inside: bool,
    bound: Rect,
}

impl Loop {
    /// Go's `LoopFromPoints`: at least 3 vertices (callers check).
    pub fn from_points(vertices: Vec<Point>) -> Loop {
        let mut l = Loop {
            vertices,
            origin_inside: false,
            bound: Rect::empty(),
        };
        let v = &l.vertices;
        let v1_inside = v[0] != v[1] && v[2] != v[1] && angle_contains_vertex(&v[0], &v[1], &v[2]);
        if v1_inside != l.contains_point(&l.vertices[1]) {
            l.origin_inside = true;
        }
        l.init_bound();
        l
    }

    pub fn vertices(&self) -> &[Point] {
        &self.vertices
    }

    /// Vertex `i`, wrapping around (`vertex(n) == vertex(0)`).
    pub fn vertex(&self, i: usize) -> &Point {
        &self.vertices[i % self.vertices.len()]
    }

    pub fn num_edges(&self) -> usize {
        self.vertices.len()
    }

    pub fn rect_bound(&self) -> &Rect {
        &self.bound
    }

    /// Whether `p` is inside (Go's `bruteForceContainsPoint`).
    pub fn contains_point(&self, p: &Point) -> bool {
        let origin = Point::origin();
        let mut inside = self.origin_inside;
        for i in 0..self.vertices.len() {
            if edge_or_vertex_crossing(&origin, p, self.vertex(i), self.vertex(i + 1)) {
                inside = !inside;
            }
        }
        inside
    }

    /// Go's `Loop.Invert`: the complement (vertices reversed).
    pub fn invert(&mut self) {
        self.vertices.reverse();
        self.origin_inside = !self.origin_inside;
        if self.bound.lat.lo > -FRAC_PI_2 && self.bound.lat.hi < FRAC_PI_2 {
            self.bound = Rect::full();
        } else {
            self.init_bound();
        }
    }

    /// The cap bound's radius in degrees (Go's `l.CapBound().Radius().Degrees()`).
    pub fn cap_radius_degrees(&self) -> f64 {
        use s2::region::Region;
        self.bound.cap_bound().radius().deg()
    }

    fn init_bound(&mut self) {
        let mut bounder = RectBounder::default();
        for i in 0..=self.vertices.len() {
            bounder.add_point(self.vertex(i));
        }
        let mut b = bounder.rect_bound();
        if self.contains_point(&Point(Vector::new(0.0, 0.0, 1.0))) {
            b = Rect {
                lat: LatInterval::new(b.lat.lo, FRAC_PI_2),
                lng: s2::s1::interval::FULL,
            };
        }
        if b.lng.is_full() && self.contains_point(&Point(Vector::new(0.0, 0.0, -1.0))) {
            b.lat.lo = -FRAC_PI_2;
        }
        self.bound = b;
    }
}

/// The point at a position; an error for coordinates that are not finite
/// numbers (which WKB can hold and the sphere cannot).
pub fn point_of(c: &Coord) -> Result<Point, String> {
    if !(c[0].is_finite() && c[1].is_finite()) {
        return Err("a coordinate is not a finite number".into());
    }
    Ok(Point::from(LatLng::from_degrees(c[1], c[0])))
}

/// Dgraph's `loopFromPolygon`: the outer ring as a loop, oriented so that
/// it holds less than a hemisphere.
pub fn loop_of_polygon(rings: &[Ring]) -> Result<Loop, String> {
    let Some(r) = rings.first() else {
        return Err("Got empty polygon.".into());
    };
    let n = r.len();
    if n < 4 {
        return Err("Can't convert ring with less than 4 pts".into());
    }
    if r[0] != r[n - 1] {
        return Err("Last coordinate not same as first for polygon".into());
    }
    // the shoelace sum over the ring, as Dgraph's isClockwise
    let mut area = 0.0;
    for i in 0..n {
        let (p1, p2) = (r[i], r[(i + 1) % n]);
        area += (p2[0] - p1[0]) * (p1[1] + p2[1]);
    }
    let reverse = area > 0.0;
    let pts = (0..n - 1)
        .map(|i| point_of(&r[if reverse { n - 1 - i } else { i }]))
        .collect::<Result<Vec<Point>, String>>()?;
    let mut l = Loop::from_points(pts);
    if l.cap_radius_degrees() > 90.0 {
        l.invert();
    }
    Ok(l)
}

/// Go's `s2.Ortho`, the reference direction of a vertex.
fn reference_dir(a: &Point) -> Point {
    Point(a.0.ortho())
}

/// Go's `AngleContainsVertex`: whether a loop with consecutive vertices
/// `a b c` contains `b`.
fn angle_contains_vertex(a: &Point, b: &Point, c: &Point) -> bool {
    !ordered_ccw(&reference_dir(b), c, a, b)
}

#[derive(Debug, PartialEq, Eq)]
enum Crossing {
    Cross,
    Maybe,
    DoNotCross,
}

/// Go's `CrossingSign`: whether edge AB crosses CD at a point interior to
/// both (`Maybe` when they share a vertex).
fn crossing_sign(a: &Point, b: &Point, c: &Point, d: &Point) -> Crossing {
    if a == c || a == d || b == c || b == d {
        return Crossing::Maybe;
    }
    if a == b || c == d {
        return Crossing::DoNotCross;
    }
    let acb = opposite(robust_sign(a, b, c));
    if robust_sign(a, b, d) != acb {
        return Crossing::DoNotCross;
    }
    if opposite(robust_sign(c, d, b)) != acb || robust_sign(c, d, a) != acb {
        return Crossing::DoNotCross;
    }
    Crossing::Cross
}

fn opposite(d: Direction) -> Direction {
    match d {
        Direction::Clockwise => Direction::CounterClockwise,
        Direction::CounterClockwise => Direction::Clockwise,
        Direction::Indeterminate => Direction::Indeterminate,
    }
}

/// Go's `VertexCrossing`, for edges that share a vertex.
fn vertex_crossing(a: &Point, b: &Point, c: &Point, d: &Point) -> bool {
    if a == b || c == d {
        return false;
    }
    if a == c {
        return b == d || ordered_ccw(&reference_dir(a), d, b, a);
    }
    if b == d {
        return ordered_ccw(&reference_dir(b), c, a, b);
    }
    if a == d {
        return b == c || ordered_ccw(&reference_dir(a), c, b, a);
    }
    if b == c {
        return ordered_ccw(&reference_dir(b), d, a, b);
    }
    false
}

/// Go's `EdgeOrVertexCrossing`: the crossing test containment counts with.
pub fn edge_or_vertex_crossing(a: &Point, b: &Point, c: &Point, d: &Point) -> bool {
    match crossing_sign(a, b, c, d) {
        Crossing::DoNotCross => false,
        Crossing::Cross => true,
        Crossing::Maybe => vertex_crossing(a, b, c, d),
    }
}

/// Go's `RectBounder`: the bounding rectangle of a chain of edges,
/// including the latitude an edge reaches between its ends.
#[derive(Default)]
struct RectBounder {
    last: Option<(Point, LatLng)>,
    bound: Option<Rect>,
}

impl RectBounder {
    fn add_point(&mut self, b: &Point) {
        let b_ll = LatLng::from(b);
        let Some((a, a_ll)) = self.last.replace((*b, b_ll)) else {
            self.bound = Some(point_rect(&b_ll));
            return;
        };
        let bound = self.bound.take().unwrap_or_else(Rect::empty);
        let n = (a.0 - b.0).cross(&(a.0 + b.0)); // 2 * (A x B)
        let n_norm = n.norm();
        if n_norm < 1.91346e-15 {
            // A and B are the same or antipodal.
            self.bound = Some(if a.0.dot(&b.0) < 0.0 {
                Rect::full()
            } else {
                bound.union(&point_rect(&a_ll).union(&point_rect(&b_ll)))
            });
            return;
        }
        let mut lng = LngInterval::from_point_pair(a_ll.lng.rad(), b_ll.lng.rad());
        if lng.len() >= PI - 2.0 * MACHINE_EPSILON {
            lng = s2::s1::interval::FULL;
        }
        let mut lat = LatInterval::from_point(a_ll.lat.rad()) + b_ll.lat.rad();
        let m = n.cross(&Vector::new(0.0, 0.0, 1.0));
        let (m_a, m_b) = (m.dot(&a.0), m.dot(&b.0));
        let m_error = 6.06638e-16 * n_norm + 6.83174e-31;
        if m_a * m_b < 0.0 || m_a.abs() <= m_error || m_b.abs() <= m_error {
            let max_lat: f64 = ((n.x * n.x + n.y * n.y).sqrt().atan2(n.z.abs())
                + 3.0 * MACHINE_EPSILON)
                .min(FRAC_PI_2);
            let lat_budget: f64 = 2.0 * (0.5 * (a.0 - b.0).norm() * max_lat.sin()).asin();
            let max_delta = 0.5 * (lat_budget - lat.len()) + MACHINE_EPSILON;
            if m_a <= m_error && m_b >= -m_error {
                lat.hi = max_lat.min(lat.hi + max_delta);
            }
            if m_b <= m_error && m_a >= -m_error {
                lat.lo = (-max_lat).max(lat.lo - max_delta);
            }
        }
        self.bound = Some(bound.union(&Rect { lat, lng }));
    }

    fn rect_bound(&self) -> Rect {
        let b = self.bound.clone().unwrap_or_else(Rect::empty);
        b.expanded(&LatLng::new(
            s2::s1::angle::Angle::from(s2::s1::angle::Rad(2.0 * MACHINE_EPSILON)),
            s2::s1::angle::Angle::from(s2::s1::angle::Rad(0.0)),
        ))
        .polar_closure()
    }
}

fn point_rect(ll: &LatLng) -> Rect {
    Rect {
        lat: LatInterval::from_point(ll.lat.rad()),
        lng: LngInterval::new(ll.lng.rad(), ll.lng.rad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lng: f64, lat: f64) -> Point {
        Point::from(LatLng::from_degrees(lat, lng))
    }

    fn square(x: f64, y: f64, size: f64) -> Loop {
        Loop::from_points(vec![
            p(x, y),
            p(x + size, y),
            p(x + size, y + size),
            p(x, y + size),
        ])
    }

    #[test]
    fn contains_points_inside_only() {
        let l = square(10.0, 20.0, 2.0);
        assert!(l.contains_point(&p(11.0, 21.0)));
        assert!(!l.contains_point(&p(13.0, 21.0)));
        assert!(!l.contains_point(&p(-169.0, -21.0)));
        // a clockwise ring is the complement: everything but the square
        let mut inv = l.clone();
        inv.invert();
        assert!(!inv.contains_point(&p(11.0, 21.0)));
        assert!(inv.contains_point(&p(13.0, 21.0)));
        assert!(inv.cap_radius_degrees() > 90.0);
        assert!(l.cap_radius_degrees() < 2.0);
    }

    #[test]
    fn semi_open_boundaries_give_a_shared_vertex_to_one_loop() {
        // four squares around (0, 0): the shared corner belongs to exactly one
        let loops = [
            square(0.0, 0.0, 1.0),
            square(-1.0, 0.0, 1.0),
            square(-1.0, -1.0, 1.0),
            square(0.0, -1.0, 1.0),
        ];
        let holders = loops
            .iter()
            .filter(|l| l.contains_point(&p(0.0, 0.0)))
            .count();
        assert_eq!(holders, 1);
    }

    #[test]
    fn bounds_include_an_edge_bulging_past_its_ends() {
        // an edge along latitude 60 between far-apart longitudes bulges north
        let l = Loop::from_points(vec![p(-60.0, 60.0), p(0.0, 50.0), p(60.0, 60.0)]);
        let b = l.rect_bound();
        assert!(b.lat.hi.to_degrees() > 60.5, "{b:?}");
        assert!((b.lat.lo.to_degrees() - 50.0).abs() < 1e-9);
        assert!((b.lng.lo.to_degrees() + 60.0).abs() < 1e-9);
    }
}
