//! WKB (as written by go-geom, spec §7.2) → compact GeoJSON with keys in the
//! order `type`, `coordinates` (`geometries` for collections).

use super::value::format_float;

struct Wkb<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Wkb<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.b.get(self.pos..self.pos + n)?;
        self.pos += n;
        Some(s)
    }
    fn u32(&mut self, le: bool) -> Option<u32> {
        let s: [u8; 4] = self.take(4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    }
    fn f64(&mut self, le: bool) -> Option<f64> {
        let s: [u8; 8] = self.take(8)?.try_into().ok()?;
        Some(if le {
            f64::from_le_bytes(s)
        } else {
            f64::from_be_bytes(s)
        })
    }

    fn point(&mut self, le: bool, dim: usize, out: &mut String) -> Option<()> {
        out.push('[');
        for i in 0..dim {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&format_float(self.f64(le)?));
        }
        out.push(']');
        Some(())
    }

    fn points(&mut self, le: bool, dim: usize, out: &mut String) -> Option<()> {
        let n = self.u32(le)?;
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            self.point(le, dim, out)?;
        }
        out.push(']');
        Some(())
    }

    fn rings(&mut self, le: bool, dim: usize, out: &mut String) -> Option<()> {
        let n = self.u32(le)?;
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            self.points(le, dim, out)?;
        }
        out.push(']');
        Some(())
    }

    /// One geometry with its header; returns (type code, coordinates JSON).
    fn geometry(&mut self) -> Option<(u32, String)> {
        let le = match self.take(1)?[0] {
            0 => false,
            1 => true,
            _ => return None,
        };
        let t = self.u32(le)?;
        let (base, dim) = (t % 1000, [2, 3, 3, 4].get((t / 1000) as usize).copied()?);
        let mut out = String::new();
        match base {
            1 => self.point(le, dim, &mut out)?,
            2 => self.points(le, dim, &mut out)?,
            3 => self.rings(le, dim, &mut out)?,
            4..=6 => {
                let n = self.u32(le)?;
                out.push('[');
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    let (sub, coords) = self.geometry()?;
                    if sub % 1000 != base - 3 {
                        return None;
                    }
                    out.push_str(&coords);
                }
                out.push(']');
            }
            7 => {
                let n = self.u32(le)?;
                out.push('[');
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    let (sub, coords) = self.geometry()?;
                    out.push_str(&object(sub, &coords)?);
                }
                out.push(']');
            }
            _ => return None,
        }
        Some((t, out))
    }
}

fn object(t: u32, body: &str) -> Option<String> {
    let name = match t % 1000 {
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => {
            return Some(format!(
                "{{\"type\":\"GeometryCollection\",\"geometries\":{body}}}"
            ))
        }
        _ => return None,
    };
    Some(format!("{{\"type\":\"{name}\",\"coordinates\":{body}}}"))
}

/// GeoJSON text; unparsable WKB gives `{}`.
pub fn wkb_to_geojson(v: &[u8]) -> String {
    let mut r = Wkb { b: v, pos: 0 };
    r.geometry()
        .and_then(|(t, body)| object(t, &body))
        .unwrap_or_else(|| "{}".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f64, y: f64) -> Vec<u8> {
        let mut v = vec![1u8];
        v.extend_from_slice(&1u32.to_le_bytes());
        v.extend_from_slice(&x.to_le_bytes());
        v.extend_from_slice(&y.to_le_bytes());
        v
    }

    #[test]
    fn geojson() {
        assert_eq!(
            wkb_to_geojson(&pt(1.5, 2.0)),
            r#"{"type":"Point","coordinates":[1.5,2]}"#
        );
        let mut poly = vec![1u8];
        poly.extend_from_slice(&3u32.to_le_bytes());
        poly.extend_from_slice(&1u32.to_le_bytes());
        poly.extend_from_slice(&3u32.to_le_bytes());
        for (x, y) in [(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)] {
            poly.extend_from_slice(&f64::to_le_bytes(x));
            poly.extend_from_slice(&f64::to_le_bytes(y));
        }
        assert_eq!(
            wkb_to_geojson(&poly),
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#
        );
        let mut mp = vec![1u8];
        mp.extend_from_slice(&4u32.to_le_bytes());
        mp.extend_from_slice(&2u32.to_le_bytes());
        mp.extend(pt(1.0, 2.0));
        mp.extend(pt(-3.25, 1e21));
        assert_eq!(
            wkb_to_geojson(&mp),
            r#"{"type":"MultiPoint","coordinates":[[1,2],[-3.25,1e+21]]}"#
        );
        assert_eq!(wkb_to_geojson(&[1, 9]), "{}");
    }
}
