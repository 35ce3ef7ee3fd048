//! Edges against the six faces of the S2 cube, as Go's `s2` computes them:
//! which face a point lies on, its (u, v) there, and the part of an edge
//! that falls on a face padded by a margin (`ClipToPaddedFace`, from
//! `edge_clipping.go`). The shape index splits a ring's edges by face with
//! it, and the coverer tests an index cell's edges against a cell on any
//! face with it.

use s2::point::Point;
use s2::r2::point::Point as UV;
use s2::r3::vector::{Axis, Vector};

/// Go's `faceClipErrorUVCoord`: how far a clipped vertex may be from the edge in u or v.
pub const FACE_CLIP_ERROR_UV_COORD: f64 = 9.0 * std::f64::consts::FRAC_1_SQRT_2 * f64::EPSILON;

/// The cube face of a direction (Go's `face`: its largest component's
/// axis, +3 when that component is negative).
pub fn face_of(r: &Vector) -> u8 {
    match r.largest_component() {
        Axis::X => {
            if r.x < 0.0 {
                3
            } else {
                0
            }
        }
        Axis::Y => {
            if r.y < 0.0 {
                4
            } else {
                1
            }
        }
        Axis::Z => {
            if r.z < 0.0 {
                5
            } else {
                2
            }
        }
    }
}

/// (u, v) of a direction on its face (Go's `validFaceXYZToUV`).
pub fn valid_face_xyz_to_uv(f: u8, r: &Vector) -> UV {
    let (x, y) = match f {
        0 => (r.y / r.x, r.z / r.x),
        1 => (-r.x / r.y, r.z / r.y),
        2 => (-r.x / r.z, -r.y / r.z),
        3 => (r.z / r.x, r.y / r.x),
        4 => (r.z / r.y, -r.x / r.y),
        _ => (-r.y / r.z, -r.x / r.z),
    };
    UV { x, y }
}

/// A direction in the (u, v, w) frame of face `f` (Go's `faceXYZtoUVW`).
fn face_xyz_to_uvw(f: u8, p: &Vector) -> Vector {
    let (x, y, z) = match f {
        0 => (p.y, p.z, p.x),
        1 => (-p.x, p.z, p.y),
        2 => (-p.x, -p.y, p.z),
        3 => (-p.z, -p.y, -p.x),
        4 => (-p.z, p.x, -p.y),
        _ => (p.y, p.x, -p.z),
    };
    Vector { x, y, z }
}

/// Go's `Point.PointCross`: a vector perpendicular to both, never zero.
fn point_cross(a: &Vector, b: &Vector) -> Vector {
    let x = (*a + *b).cross(&(*b - *a));
    if x.x == 0.0 && x.y == 0.0 && x.z == 0.0 {
        // Go's `Vector.Ortho` of `a`
        let mut o = Vector {
            x: 0.0,
            y: 0.0,
            z: 0.0,
        };
        match a.largest_component() {
            Axis::X => o.z = 1.0,
            Axis::Y => o.x = 1.0,
            Axis::Z => o.y = 1.0,
        }
        return a.cross(&o).normalize();
    }
    x
}

/// Whether the line with normal `n` (face frame) crosses the face square.
fn intersects_face(n: &Vector) -> bool {
    let (u, v, w) = (n.x.abs(), n.y.abs(), n.z.abs());
    v >= w - u && u >= w - v
}

fn intersects_opposite_edges(n: &Vector) -> bool {
    let (u, v, w) = (n.x.abs(), n.y.abs(), n.z.abs());
    if (u - v).abs() != w {
        return (u - v).abs() >= w;
    }
    if u >= v {
        u - w >= v
    } else {
        v - w >= u
    }
}

/// Go's `exitAxis`: true for the u axis.
fn exits_on_u(n: &Vector) -> bool {
    if intersects_opposite_edges(n) {
        return n.x.abs() < n.y.abs();
    }
    // through two adjacent edges: the u edge when an odd number of N's
    // components are negative
    n.x.is_sign_negative() ^ n.y.is_sign_negative() ^ n.z.is_sign_negative()
}

/// Go's `exitPoint`.
fn exit_point(n: &Vector, on_u: bool) -> UV {
    if on_u {
        let u = if n.y > 0.0 { 1.0 } else { -1.0 };
        UV {
            x: u,
            y: (-u * n.x - n.z) / n.y,
        }
    } else {
        let v = if n.x < 0.0 { 1.0 } else { -1.0 };
        UV {
            x: (-v * n.y - n.z) / n.x,
            y: v,
        }
    }
}

/// Go's `clipDestination`: where AB, clipped to the face, ends, and a score
/// (the two ends' scores sum to 3 or more when AB misses the face).
fn clip_destination(
    a: &Vector,
    b: &Vector,
    scaled_n: &Vector,
    a_tan: &Vector,
    b_tan: &Vector,
    scale_uv: f64,
) -> (UV, u8) {
    let max_safe = 1.0 - FACE_CLIP_ERROR_UV_COORD;
    if b.z > 0.0 {
        let uv = UV {
            x: b.x / b.z,
            y: b.y / b.z,
        };
        if uv.x.abs().max(uv.y.abs()) <= max_safe {
            return (uv, 0);
        }
    }
    let e = exit_point(scaled_n, exits_on_u(scaled_n));
    let mut uv = UV {
        x: e.x * scale_uv,
        y: e.y * scale_uv,
    };
    let p = Vector {
        x: uv.x,
        y: uv.y,
        z: 1.0,
    };
    let mut score = 0;
    if (p - *a).dot(a_tan) < 0.0 {
        score = 2;
    } else if (p - *b).dot(b_tan) < 0.0 {
        score = 1;
    }
    if score > 0 {
        if b.z <= 0.0 {
            score = 3;
        } else {
            uv = UV {
                x: b.x / b.z,
                y: b.y / b.z,
            };
        }
    }
    (uv, score)
}

/// Go's `ClipToPaddedFace`: the (u, v) ends of the part of edge AB on face
/// `f` grown by `padding`, or `None` when AB misses it.
pub fn clip_to_padded_face(a: &Point, b: &Point, f: u8, padding: f64) -> Option<(UV, UV)> {
    if face_of(&a.0) == f && face_of(&b.0) == f {
        return Some((valid_face_xyz_to_uv(f, &a.0), valid_face_xyz_to_uv(f, &b.0)));
    }
    let mut n = face_xyz_to_uvw(f, &point_cross(&a.0, &b.0));
    let a_uvw = face_xyz_to_uvw(f, &a.0);
    let b_uvw = face_xyz_to_uvw(f, &b.0);
    let scale_uv = 1.0 + padding;
    let scaled_n = Vector {
        x: scale_uv * n.x,
        y: scale_uv * n.y,
        z: n.z,
    };
    if !intersects_face(&scaled_n) {
        return None;
    }
    if n.x.abs().max(n.y.abs().max(n.z.abs())) < 2f64.powi(-511) {
        n = n * 2f64.powi(563);
    }
    let n = n.normalize();
    let a_tan = n.cross(&a_uvw);
    let b_tan = b_uvw.cross(&n);
    let (a_uv, a_score) =
        clip_destination(&b_uvw, &a_uvw, &(scaled_n * -1.0), &b_tan, &a_tan, scale_uv);
    let (b_uv, b_score) = clip_destination(&a_uvw, &b_uvw, &scaled_n, &a_tan, &b_tan, scale_uv);
    (a_score + b_score < 3).then_some((a_uv, b_uv))
}
