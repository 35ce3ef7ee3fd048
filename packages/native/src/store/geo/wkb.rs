//! A geo value (WKB, as go-geom writes it and Dgraph stores it) read into
//! the geometries Dgraph's geo index and functions know: points, polygons
//! and multipolygons of 2D coordinates. Every count is checked against the
//! bytes left before anything is allocated; anything else is named in the
//! error.

/// A 2D position: longitude, latitude (GeoJSON's order).
pub type Coord = [f64; 2];
/// A linear ring: first and last positions equal when well formed.
pub type Ring = Vec<Coord>;

#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Point(Coord),
    /// The outer ring first, then holes.
    Polygon(Vec<Ring>),
    MultiPolygon(Vec<Vec<Ring>>),
}

/// What a value is when it is not one of [`Geometry`]'s kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum WkbError {
    /// Not well-formed WKB (too short, a bad byte order, a count past the end).
    Malformed,
    /// 3D or measured coordinates (ISO codes 1001..3007).
    NotTwoD,
    /// A geometry of another WKB type (line strings, collections ...).
    Kind(u32),
}

impl std::fmt::Display for WkbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WkbError::Malformed => write!(f, "the value is not well-formed WKB"),
            WkbError::NotTwoD => write!(f, "only 2D coordinates are supported (as in Dgraph)"),
            WkbError::Kind(t) => write!(f, "a geometry of WKB type {t}"),
        }
    }
}

/// The geometry in `b`, which must hold nothing after it.
pub fn parse(b: &[u8]) -> Result<Geometry, WkbError> {
    let mut r = Reader { b, pos: 0 };
    let g = r.geometry(true)?;
    if r.pos != b.len() {
        return Err(WkbError::Malformed);
    }
    Ok(g)
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let end = self.pos.checked_add(N).ok_or(WkbError::Malformed)?;
        let s = self.b.get(self.pos..end).ok_or(WkbError::Malformed)?;
        self.pos = end;
        Ok(s.try_into().expect("N bytes"))
    }

    fn u32(&mut self, le: bool) -> Result<u32, WkbError> {
        let b = self.take::<4>()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn coord(&mut self, le: bool) -> Result<Coord, WkbError> {
        let mut c = [0.0; 2];
        for v in &mut c {
            let b = self.take::<8>()?;
            *v = if le {
                f64::from_le_bytes(b)
            } else {
                f64::from_be_bytes(b)
            };
        }
        Ok(c)
    }

    /// A count of items of at least `min_size` bytes each, checked against the bytes left.
    fn count(&mut self, le: bool, min_size: usize) -> Result<usize, WkbError> {
        let n = self.u32(le)? as usize;
        let left = self.b.len() - self.pos;
        if n.checked_mul(min_size).is_none_or(|need| need > left) {
            return Err(WkbError::Malformed);
        }
        Ok(n)
    }

    fn ring(&mut self, le: bool) -> Result<Ring, WkbError> {
        let n = self.count(le, 16)?;
        (0..n).map(|_| self.coord(le)).collect()
    }

    fn polygon_body(&mut self, le: bool) -> Result<Vec<Ring>, WkbError> {
        let n = self.count(le, 4)?;
        (0..n).map(|_| self.ring(le)).collect()
    }

    /// A byte order and a type code, then the body; `top` allows any kind,
    /// else (a multipolygon's member) only a polygon.
    fn geometry(&mut self, top: bool) -> Result<Geometry, WkbError> {
        let le = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            _ => return Err(WkbError::Malformed),
        };
        let t = self.u32(le)?;
        match t {
            1 if top => Ok(Geometry::Point(self.coord(le)?)),
            3 => Ok(Geometry::Polygon(self.polygon_body(le)?)),
            6 if top => {
                let n = self.count(le, 9)?;
                let polys = (0..n)
                    .map(|_| match self.geometry(false)? {
                        Geometry::Polygon(p) => Ok(p),
                        _ => Err(WkbError::Malformed),
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Geometry::MultiPolygon(polys))
            }
            1001..=1007 | 2001..=2007 | 3001..=3007 => Err(WkbError::NotTwoD),
            _ if top => Err(WkbError::Kind(t)),
            _ => Err(WkbError::Malformed),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn point(lng: f64, lat: f64) -> Vec<u8> {
        let mut v = vec![1, 1, 0, 0, 0];
        v.extend(lng.to_le_bytes());
        v.extend(lat.to_le_bytes());
        v
    }

    fn polygon_body(rings: &[&[Coord]]) -> Vec<u8> {
        let mut v = (rings.len() as u32).to_le_bytes().to_vec();
        for r in rings {
            v.extend((r.len() as u32).to_le_bytes());
            for c in *r {
                v.extend(c[0].to_le_bytes());
                v.extend(c[1].to_le_bytes());
            }
        }
        v
    }

    pub fn polygon(rings: &[&[Coord]]) -> Vec<u8> {
        let mut v = vec![1, 3, 0, 0, 0];
        v.extend(polygon_body(rings));
        v
    }

    pub fn multipolygon(polys: &[&[&[Coord]]]) -> Vec<u8> {
        let mut v = vec![1, 6, 0, 0, 0];
        v.extend((polys.len() as u32).to_le_bytes());
        for p in polys {
            v.extend(polygon(p));
        }
        v
    }

    #[test]
    fn reads_points_polygons_and_multipolygons() {
        assert_eq!(parse(&point(2.5, -3.0)), Ok(Geometry::Point([2.5, -3.0])));
        let mut be = vec![0, 0, 0, 0, 1];
        be.extend(2.5f64.to_be_bytes());
        be.extend((-3.0f64).to_be_bytes());
        assert_eq!(parse(&be), Ok(Geometry::Point([2.5, -3.0])));
        let ring: &[Coord] = &[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]];
        assert_eq!(
            parse(&polygon(&[ring])),
            Ok(Geometry::Polygon(vec![ring.to_vec()]))
        );
        assert_eq!(
            parse(&multipolygon(&[&[ring], &[ring, ring]])),
            Ok(Geometry::MultiPolygon(vec![
                vec![ring.to_vec()],
                vec![ring.to_vec(), ring.to_vec()]
            ]))
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse(&[1, 1, 0]), Err(WkbError::Malformed));
        assert_eq!(parse(&[7, 1, 0, 0, 0]), Err(WkbError::Malformed));
        let mut trailing = point(1.0, 2.0);
        trailing.push(0);
        assert_eq!(parse(&trailing), Err(WkbError::Malformed));
        // a ring claiming 2^32-1 positions in a few bytes: refused before allocating
        let mut huge = vec![1, 3, 0, 0, 0, 1, 0, 0, 0];
        huge.extend(u32::MAX.to_le_bytes());
        assert_eq!(parse(&huge), Err(WkbError::Malformed));
        assert_eq!(parse(&[1, 2, 0, 0, 0, 0, 0, 0, 0]), Err(WkbError::Kind(2)));
        assert_eq!(parse(&[1, 0xe9, 3, 0, 0]), Err(WkbError::NotTwoD));
        // a multipolygon's member must be a polygon
        let mut mp = vec![1, 6, 0, 0, 0, 1, 0, 0, 0];
        mp.extend(point(1.0, 2.0));
        assert_eq!(parse(&mp), Err(WkbError::Malformed));
    }
}
