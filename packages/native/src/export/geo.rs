//! WKB (as written by go-geom, spec §7.2) → compact GeoJSON with keys in the
//! order `type`, `coordinates` (`geometries` for collections).

use super::number::format_float;

/// How deeply geometry collections may nest. Each level costs only 9 bytes of input, so without a
/// limit a crafted value of a few hundred kilobytes would overflow the stack; real data nests one
/// or two levels.
const MAX_DEPTH: u32 = 32;

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
    /// An `N`-byte number, big- (`from[0]`) or little-endian (`from[1]`).
    fn num<const N: usize, T>(&mut self, le: bool, from: [fn([u8; N]) -> T; 2]) -> Option<T> {
        let b: [u8; N] = self.take(N)?.try_into().ok()?;
        Some(from[le as usize](b))
    }
    fn u32(&mut self, le: bool) -> Option<u32> {
        self.num(le, [u32::from_be_bytes, u32::from_le_bytes])
    }
    fn f64(&mut self, le: bool) -> Option<f64> {
        self.num(le, [f64::from_be_bytes, f64::from_le_bytes])
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

    /// `[item,item,...]` of a count-prefixed sequence.
    fn seq(
        &mut self,
        le: bool,
        out: &mut String,
        item: &mut dyn FnMut(&mut Self, &mut String) -> Option<()>,
    ) -> Option<()> {
        let n = self.u32(le)?;
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            item(self, out)?;
        }
        out.push(']');
        Some(())
    }

    fn points(&mut self, le: bool, dim: usize, out: &mut String) -> Option<()> {
        self.seq(le, out, &mut |r, out| r.point(le, dim, out))
    }

    fn rings(&mut self, le: bool, dim: usize, out: &mut String) -> Option<()> {
        self.seq(le, out, &mut |r, out| r.points(le, dim, out))
    }

    /// One geometry with its header; returns (type code, coordinates JSON). `None` for anything
    /// malformed, or nested deeper than [`MAX_DEPTH`].
    fn geometry(&mut self, depth: u32) -> Option<(u32, String)> {
        if depth > MAX_DEPTH {
            return None;
        }
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
            // Multi*: members of the matching simple type, coordinates only.
            4..=6 => self.seq(le, &mut out, &mut |r, out| {
                let (sub, coords) = r.geometry(depth + 1)?;
                (sub % 1000 == base - 3).then(|| out.push_str(&coords))
            })?,
            7 => self.seq(le, &mut out, &mut |r, out| {
                let (sub, coords) = r.geometry(depth + 1)?;
                out.push_str(&object(sub, &coords)?);
                Some(())
            })?,
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
    r.geometry(0)
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
        let mp = multi(4, &[&pt(1.0, 2.0), &pt(-3.25, 1e21)]);
        assert_eq!(
            wkb_to_geojson(&mp),
            r#"{"type":"MultiPoint","coordinates":[[1,2],[-3.25,1e+21]]}"#
        );
        assert_eq!(wkb_to_geojson(&[1, 9]), "{}");
    }

    /// A little-endian geometry of type `t` made of `members`.
    fn multi(t: u32, members: &[&[u8]]) -> Vec<u8> {
        let mut v = vec![1u8];
        v.extend_from_slice(&t.to_le_bytes());
        v.extend_from_slice(&(members.len() as u32).to_le_bytes());
        for m in members {
            v.extend_from_slice(m);
        }
        v
    }

    #[test]
    fn collections_and_big_endian() {
        // A big-endian LineString inside a MultiLineString, then a collection.
        let mut line = vec![0u8];
        line.extend_from_slice(&2u32.to_be_bytes());
        line.extend_from_slice(&2u32.to_be_bytes());
        for v in [0.5f64, 1.0, 2.0, 3.0] {
            line.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(
            wkb_to_geojson(&multi(5, &[&line])),
            r#"{"type":"MultiLineString","coordinates":[[[0.5,1],[2,3]]]}"#
        );
        assert_eq!(
            wkb_to_geojson(&multi(7, &[&pt(1.0, 2.0), &line])),
            r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0.5,1],[2,3]]}]}"#
        );
        // A MultiPoint holding a LineString is refused.
        assert_eq!(wkb_to_geojson(&multi(4, &[&line])), "{}");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        // 200,000 collections, each holding the next: ~1.8 MB of input.
        let levels = 200_000;
        let mut v = Vec::with_capacity(levels * 9 + 21);
        for _ in 0..levels {
            v.push(1u8);
            v.extend_from_slice(&7u32.to_le_bytes());
            v.extend_from_slice(&1u32.to_le_bytes());
        }
        v.extend_from_slice(&pt(1.0, 2.0));
        assert_eq!(wkb_to_geojson(&v), "{}");
        // Nesting within the limit still converts.
        let mut ok = pt(1.0, 2.0);
        for _ in 0..MAX_DEPTH {
            ok = multi(7, &[&ok]);
        }
        assert!(wkb_to_geojson(&ok).starts_with("{\"type\":\"GeometryCollection\""));
    }
}
