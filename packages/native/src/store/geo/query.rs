//! DQL's geo functions `near within contains intersects` as Dgraph's
//! `types/geofilter.go` decides them for one stored value: the query
//! geometry becomes S2 loops (a polygon's outer ring, its holes ignored as
//! Dgraph ignores them; `near` a regular 100-gon of the distance's radius)
//! and each value is tested against them. At the root the candidates come
//! from the geo index terms Dgraph reads for the same call
//! (`queryTokensGeo`, from the same coverings as the index itself), so the
//! answers are Dgraph's, misses of its index included.

use super::sphere_loop::{edge_or_vertex_crossing, loop_of_polygon, point_of, Loop};
use super::tokens::{cover_loop, parents_of, point_cells, polygon_cells, terms};
use super::wkb::{parse, Coord, Geometry, Ring};
use s2::latlng::LatLng;
use s2::point::{regular_points, Point};
use s2::s1::angle::{Angle, Rad};

/// Dgraph's `EarthRadiusMeters`.
const EARTH_RADIUS_METERS: f64 = 6_371_000.0;

/// The most vertices a query geometry may have: testing a polygon value
/// whose bounds meet the query's costs its vertices times the query's.
pub const MAX_QUERY_VERTICES: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoFn {
    Near,
    Within,
    Contains,
    Intersects,
}

impl GeoFn {
    pub fn parse(name: &str) -> Result<GeoFn, String> {
        Ok(match name {
            "near" => GeoFn::Near,
            "within" => GeoFn::Within,
            "contains" => GeoFn::Contains,
            "intersects" => GeoFn::Intersects,
            _ => return Err(format!("{name} is not a geo function")),
        })
    }
}

/// One geo function call, ready to test values.
pub struct GeoQuery {
    /// The query point (`contains` of a point).
    pt: Option<Point>,
    loops: Vec<Loop>,
    /// `near` tests as `intersects` (Dgraph's `GeoQueryData.qtype`).
    test: GeoFn,
    /// The call and its geometry, for the index terms.
    func: GeoFn,
    geometry: Geometry,
}

impl GeoQuery {
    /// The call `f(pred, geometry[, max_distance])`, `geometry` as WKB.
    /// Errors are Dgraph's for the same call.
    pub fn new(f: GeoFn, geometry: &[u8], max_distance: Option<f64>) -> Result<GeoQuery, String> {
        let g = parse(geometry).map_err(|e| format!("invalid query geometry: {e}"))?;
        let vertices = match &g {
            Geometry::Point(_) => 1,
            Geometry::Polygon(rings) => rings.first().map_or(0, Vec::len),
            Geometry::MultiPolygon(polys) => {
                polys.iter().map(|p| p.first().map_or(0, Vec::len)).sum()
            }
        };
        if vertices > MAX_QUERY_VERTICES {
            return Err(format!(
                "the query geometry has {vertices} vertices: at most {MAX_QUERY_VERTICES} are allowed"
            ));
        }
        let mut pt = None;
        let mut loops = Vec::new();
        match &g {
            Geometry::Point(c) => {
                let p = point_of(c)?;
                pt = Some(p);
                if f == GeoFn::Near {
                    let d = max_distance.unwrap_or(0.0);
                    if d.is_nan() || d <= 0.0 {
                        return Err("Invalid max distance specified for a near query".into());
                    }
                    let radius = Angle::from(Rad(d / EARTH_RADIUS_METERS));
                    loops.push(Loop::from_points(regular_points(&p, radius, 100)));
                }
            }
            Geometry::Polygon(rings) => loops.push(loop_of_polygon(rings)?),
            Geometry::MultiPolygon(polys) => {
                for rings in polys {
                    loops.push(loop_of_polygon(rings)?);
                }
            }
        }
        match f {
            GeoFn::Within if loops.is_empty() => Err("Require a polygon for within query".into()),
            GeoFn::Intersects if loops.is_empty() => {
                Err("Require a polygon for intersects query".into())
            }
            GeoFn::Near if pt.is_none() => Err("Require a point for a within query.".into()),
            GeoFn::Near => Ok(GeoQuery {
                pt: None,
                loops,
                test: GeoFn::Intersects,
                func: f,
                geometry: g,
            }),
            _ => Ok(GeoQuery {
                pt: if f == GeoFn::Contains { pt } else { None },
                loops,
                test: f,
                func: f,
                geometry: g,
            }),
        }
    }

    /// The geo index terms (without the identifier byte) whose lists hold
    /// every candidate, as Dgraph reads them (computed here, only at the
    /// root); an error as Dgraph's when the query cannot be covered.
    pub fn index_terms(&self) -> Result<Vec<Vec<u8>>, String> {
        index_terms(self.func, &self.geometry, &self.loops)
    }

    /// Whether a stored value (WKB) satisfies the call; a value that is not
    /// a geometry Dgraph reads does not.
    pub fn matches(&self, value: &[u8]) -> bool {
        let Ok(g) = parse(value) else {
            return false;
        };
        match self.test {
            GeoFn::Within => self.within(&g),
            GeoFn::Contains => self.contains(&g),
            _ => self.intersects(&g),
        }
    }

    fn within(&self, g: &Geometry) -> bool {
        match g {
            Geometry::Point(c) => {
                point_of(c).is_ok_and(|p| self.loops.iter().any(|l| l.contains_point(&p)))
            }
            Geometry::Polygon(rings) => match loop_of_polygon(rings) {
                Ok(v) => self.loops.iter().any(|l| loop_contains(l, &v)),
                Err(_) => false,
            },
            Geometry::MultiPolygon(polys) => {
                polys.iter().all(|rings| match loop_of_polygon(rings) {
                    Ok(v) => self.loops.iter().any(|l| loop_contains(l, &v)),
                    Err(_) => false,
                })
            }
        }
    }

    fn contains(&self, g: &Geometry) -> bool {
        let polys: Vec<&Vec<Ring>> = match g {
            Geometry::Polygon(rings) => vec![rings],
            Geometry::MultiPolygon(polys) => polys.iter().collect(),
            Geometry::Point(_) => return false,
        };
        if let Some(pt) = &self.pt {
            let ll = LatLng::from(pt);
            let c = [ll.lng.deg(), ll.lat.deg()];
            return polys
                .iter()
                .any(|rings| rings.iter().any(|r| point_in_ring(&c, r)));
        }
        match g {
            Geometry::Polygon(rings) => match loop_of_polygon(rings) {
                Ok(v) => self.loops.iter().all(|l| loop_contains(&v, l)),
                Err(_) => false,
            },
            _ => {
                let mut value_loops = Vec::with_capacity(polys.len());
                for rings in polys {
                    match loop_of_polygon(rings) {
                        Ok(v) => value_loops.push(v),
                        Err(_) => return false,
                    }
                }
                self.loops
                    .iter()
                    .all(|l| value_loops.iter().any(|v| loop_contains(v, l)))
            }
        }
    }

    fn intersects(&self, g: &Geometry) -> bool {
        match g {
            Geometry::Point(c) => {
                point_of(c).is_ok_and(|p| self.loops.iter().any(|l| l.contains_point(&p)))
            }
            Geometry::Polygon(rings) => match loop_of_polygon(rings) {
                Ok(v) => self.loops.iter().any(|l| loops_intersect(&v, l)),
                Err(_) => false,
            },
            Geometry::MultiPolygon(polys) => {
                // as Dgraph: a polygon that is not a loop ends the search
                for rings in polys {
                    match loop_of_polygon(rings) {
                        Ok(v) if self.loops.iter().any(|l| loops_intersect(&v, l)) => return true,
                        Ok(_) => {}
                        Err(_) => return false,
                    }
                }
                false
            }
        }
    }
}

/// Dgraph's `queryTokensGeo`: `near` reads the parents and cover of its
/// circle's covering, `within` the query's cover as parent terms,
/// `contains` the query's parents as cover terms, `intersects` both.
fn index_terms(f: GeoFn, g: &Geometry, loops: &[Loop]) -> Result<Vec<Vec<u8>>, String> {
    if f == GeoFn::Near {
        let cover = cover_loop(&loops[0])?;
        return Ok(terms(&[("p/", &parents_of(&cover)), ("c/", &cover)]));
    }
    let (parents, cover) = match g {
        Geometry::Point(c) => point_cells(*c)?,
        Geometry::Polygon(rings) => polygon_cells(std::slice::from_ref(rings))?,
        Geometry::MultiPolygon(polys) => polygon_cells(polys)?,
    };
    Ok(match f {
        GeoFn::Within => terms(&[("p/", &cover)]),
        GeoFn::Contains => terms(&[("c/", &parents)]),
        _ => terms(&[("p/", &parents), ("c/", &cover)]),
    })
}

/// Whether an edge of `b`'s closed chain of vertices crosses one of `a`'s
/// edges (Dgraph's `edgesCrossPoints`).
fn edges_cross(a: &Loop, b: &[Point]) -> bool {
    let n = b.len();
    (0..n).any(|i| {
        (0..a.num_edges())
            .any(|j| edge_or_vertex_crossing(&b[i], &b[(i + 1) % n], a.vertex(j), a.vertex(j + 1)))
    })
}

fn has_vertex_near(a: &Loop, p: &Point) -> bool {
    a.vertices().iter().any(|v| v.approx_eq(p))
}

/// Dgraph's `Contains(a, b)`: loop `a` holds loop `b`.
fn loop_contains(a: &Loop, b: &Loop) -> bool {
    if !a.rect_bound().contains(b.rect_bound()) {
        return false;
    }
    if !a.contains_point(b.vertex(0)) && !has_vertex_near(a, b.vertex(0)) {
        return false;
    }
    if edges_cross(a, b.vertices()) {
        return false;
    }
    if a.rect_bound().union(b.rect_bound()).is_full()
        && b.contains_point(a.vertex(0))
        && !has_vertex_near(b, a.vertex(0))
    {
        return false;
    }
    true
}

/// Dgraph's `Intersects`: the loop with more edges goes first.
fn loops_intersect(l1: &Loop, l2: &Loop) -> bool {
    let (l, other) = if l2.num_edges() > l1.num_edges() {
        (l2, l1)
    } else {
        (l1, l2)
    };
    if !l.rect_bound().intersects(other.rect_bound()) {
        return false;
    }
    if l.contains_point(other.vertex(0)) {
        return true;
    }
    if edges_cross(l, other.vertices()) {
        return true;
    }
    if other.rect_bound().contains(l.rect_bound()) {
        return other.contains_point(l.vertex(0));
    }
    false
}

/// go-geom's planar `IsPointInRing` (ray crossing; on the boundary counts).
fn point_in_ring(p: &Coord, ring: &[Coord]) -> bool {
    let mut crossings = 0usize;
    for w in ring.windows(2) {
        let (p1, p2) = (w[1], w[0]);
        if p1[0] < p[0] && p2[0] < p[0] {
            continue;
        }
        if p[0] == p2[0] && p[1] == p2[1] {
            return true;
        }
        if p1[1] == p[1] && p2[1] == p[1] {
            let (lo, hi) = (p1[0].min(p2[0]), p1[0].max(p2[0]));
            if p[0] >= lo && p[0] <= hi {
                return true;
            }
            continue;
        }
        if (p1[1] > p[1] && p2[1] <= p[1]) || (p2[1] > p[1] && p1[1] <= p[1]) {
            let (x1, y1, x2, y2) = (p1[0] - p[0], p1[1] - p[1], p2[0] - p[0], p2[1] - p[1]);
            let det = x1 * y2 - y1 * x2;
            if det == 0.0 {
                return true;
            }
            let mut sign = det.signum();
            if y2 < y1 {
                sign = -sign;
            }
            if sign > 0.0 {
                crossings += 1;
            }
        }
    }
    crossings % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::geo::wkb::tests::{multipolygon, point, polygon};

    fn q(f: GeoFn, g: &[u8], d: Option<f64>) -> GeoQuery {
        GeoQuery::new(f, g, d).unwrap()
    }

    const SQ: &[Coord] = &[
        [10.0, 20.0],
        [12.0, 20.0],
        [12.0, 22.0],
        [10.0, 22.0],
        [10.0, 20.0],
    ];
    const SMALL: &[Coord] = &[[10.5, 20.5], [11.0, 20.5], [11.0, 21.0], [10.5, 20.5]];
    const FAR: &[Coord] = &[[50.0, 5.0], [51.0, 5.0], [51.0, 6.0], [50.0, 5.0]];
    const ACROSS: &[Coord] = &[[11.5, 21.5], [13.0, 21.5], [13.0, 23.0], [11.5, 21.5]];

    #[test]
    fn near_is_a_distance_on_the_earth() {
        // 1 degree of latitude is about 111.2 km on Dgraph's 6,371 km sphere
        let n = q(GeoFn::Near, &point(0.0, 0.0), Some(112_000.0));
        assert!(n.matches(&point(0.0, 1.0)));
        assert!(!n.matches(&point(0.0, 1.02)));
        let n = q(GeoFn::Near, &point(0.0, 0.0), Some(110_000.0));
        assert!(!n.matches(&point(0.0, 1.0)));
        // a polygon near: it intersects the circle
        assert!(q(GeoFn::Near, &point(11.0, 19.0), Some(120_000.0)).matches(&polygon(&[SQ])));
    }

    #[test]
    fn within_contains_intersects_on_points_and_polygons() {
        let w = q(GeoFn::Within, &polygon(&[SQ]), None);
        assert!(w.matches(&point(11.0, 21.0)));
        assert!(!w.matches(&point(13.0, 21.0)));
        assert!(w.matches(&polygon(&[SMALL])));
        assert!(!w.matches(&polygon(&[ACROSS])));
        assert!(w.matches(&multipolygon(&[&[SMALL], &[SMALL]])));
        assert!(!w.matches(&multipolygon(&[&[SMALL], &[FAR]])));
        // a clockwise ring is the same polygon (Dgraph reverses it)
        let cw: Vec<Coord> = SQ.iter().rev().copied().collect();
        assert!(q(GeoFn::Within, &polygon(&[&cw]), None).matches(&point(11.0, 21.0)));

        let c = q(GeoFn::Contains, &point(11.0, 21.0), None);
        assert!(c.matches(&polygon(&[SQ])));
        assert!(!c.matches(&polygon(&[FAR])));
        assert!(!c.matches(&point(11.0, 21.0)));
        assert!(c.matches(&multipolygon(&[&[FAR], &[SQ]])));
        let c = q(GeoFn::Contains, &polygon(&[SMALL]), None);
        assert!(c.matches(&polygon(&[SQ])));
        assert!(!c.matches(&polygon(&[ACROSS])));

        // the index terms Dgraph reads, also for a ring across a cube face
        assert!(w
            .index_terms()
            .is_ok_and(|t| t.iter().all(|t| t.starts_with(b"p/"))));
        let across: &[Coord] = &[[40.0, 0.0], [50.0, 0.0], [50.0, 5.0], [40.0, 0.0]];
        let faces: std::collections::BTreeSet<u8> = q(GeoFn::Within, &polygon(&[across]), None)
            .index_terms()
            .unwrap()
            .iter()
            .map(|t| u8::from_str_radix(std::str::from_utf8(&t[2..3]).unwrap(), 16).unwrap() >> 1)
            .collect();
        assert_eq!(faces.into_iter().collect::<Vec<_>>(), vec![0, 1]);
        let i = q(GeoFn::Intersects, &polygon(&[SQ]), None);
        assert!(i.matches(&polygon(&[ACROSS])));
        assert!(i.matches(&polygon(&[SMALL])));
        assert!(!i.matches(&polygon(&[FAR])));
        assert!(i.matches(&point(10.5, 20.5)));
        assert!(!i.matches(&[1, 1, 0]));
    }

    #[test]
    fn calls_dgraph_refuses() {
        let err = |f, g: &[u8], d| GeoQuery::new(f, g, d).err().unwrap();
        assert!(err(GeoFn::Near, &point(0.0, 0.0), Some(0.0)).contains("max distance"));
        assert!(err(GeoFn::Near, &polygon(&[SQ]), Some(5.0)).contains("Require a point"));
        assert!(err(GeoFn::Within, &point(0.0, 0.0), None).contains("Require a polygon"));
        assert!(err(GeoFn::Intersects, &point(0.0, 0.0), None).contains("Require a polygon"));
        let open: &[Coord] = &[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert!(err(GeoFn::Within, &polygon(&[open]), None).contains("Last coordinate"));
        assert!(err(GeoFn::Within, &polygon(&[&SQ[..3]]), None).contains("less than 4"));
        assert!(err(GeoFn::Within, &[1, 2, 0, 0, 0, 0, 0, 0, 0], None).contains("WKB type 2"));
        assert!(err(GeoFn::Near, &point(f64::NAN, 0.0), Some(5.0)).contains("finite"));
        let big: Vec<Coord> = (0..=MAX_QUERY_VERTICES)
            .map(|i| [i as f64 * 1e-4, 0.0])
            .collect();
        assert!(err(GeoFn::Within, &polygon(&[&big]), None).contains("at most"));
        // a value that is not a finite geometry matches nothing
        let w = q(GeoFn::Within, &polygon(&[SQ]), None);
        assert!(!w.matches(&point(f64::INFINITY, 21.0)));
        let nan_ring: &[Coord] = &[
            [f64::NAN, 20.0],
            [11.0, 20.5],
            [11.0, 21.0],
            [f64::NAN, 20.0],
        ];
        assert!(!w.matches(&polygon(&[nan_ring])));
    }

    #[test]
    fn point_in_ring_counts_the_boundary() {
        assert!(point_in_ring(&[11.0, 21.0], SQ));
        assert!(point_in_ring(&[10.0, 21.0], SQ));
        assert!(point_in_ring(&[12.0, 22.0], SQ));
        assert!(!point_in_ring(&[12.5, 21.0], SQ));
    }
}
