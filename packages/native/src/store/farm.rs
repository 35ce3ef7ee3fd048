//! FarmHash `Fingerprint64` (the farmhash "na" 64-bit hash, no seed), as
//! `github.com/dgryski/go-farm` `farm.Fingerprint64`: Dgraph's placeholder
//! uid of list and language-tagged value postings (spec §7.1).

const K0: u64 = 0xc3a5_c85c_97cb_3127;
const K1: u64 = 0xb492_b66f_be98_f273;
const K2: u64 = 0x9ae1_6a3b_2f90_404f;

#[inline]
fn f64le(s: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(s[i..i + 8].try_into().expect("8"))
}

#[inline]
fn f32le(s: &[u8], i: usize) -> u64 {
    u32::from_le_bytes(s[i..i + 4].try_into().expect("4")) as u64
}

#[inline]
fn rot(v: u64, s: u32) -> u64 {
    v.rotate_right(s)
}

#[inline]
fn shift_mix(v: u64) -> u64 {
    v ^ (v >> 47)
}

fn hash_len16_mul(u: u64, v: u64, mul: u64) -> u64 {
    let mut a = (u ^ v).wrapping_mul(mul);
    a ^= a >> 47;
    let mut b = (v ^ a).wrapping_mul(mul);
    b ^= b >> 47;
    b.wrapping_mul(mul)
}

fn hash_len0to16(s: &[u8]) -> u64 {
    let n = s.len();
    if n >= 8 {
        let mul = K2.wrapping_add((n as u64) * 2);
        let a = f64le(s, 0).wrapping_add(K2);
        let b = f64le(s, n - 8);
        let c = rot(b, 37).wrapping_mul(mul).wrapping_add(a);
        let d = rot(a, 25).wrapping_add(b).wrapping_mul(mul);
        return hash_len16_mul(c, d, mul);
    }
    if n >= 4 {
        let mul = K2.wrapping_add((n as u64) * 2);
        let a = f32le(s, 0);
        return hash_len16_mul((n as u64).wrapping_add(a << 3), f32le(s, n - 4), mul);
    }
    if n > 0 {
        let a = s[0] as u32;
        let b = s[n >> 1] as u32;
        let c = s[n - 1] as u32;
        let y = a.wrapping_add(b << 8);
        let z = (n as u32).wrapping_add(c << 2);
        return shift_mix((y as u64).wrapping_mul(K2) ^ (z as u64).wrapping_mul(K0))
            .wrapping_mul(K2);
    }
    K2
}

/// The mix of the first and last 16 bytes shared by the 17..32 and 33..64
/// byte cases (`a` scaled by `k`): (mul, a, y, z), `z` being the 17..32
/// byte hash.
fn mix_ends16(s: &[u8], k: u64) -> (u64, u64, u64, u64) {
    let n = s.len();
    let mul = K2.wrapping_add((n as u64) * 2);
    let a = f64le(s, 0).wrapping_mul(k);
    let b = f64le(s, 8);
    let c = f64le(s, n - 8).wrapping_mul(mul);
    let d = f64le(s, n - 16).wrapping_mul(K2);
    let y = rot(a.wrapping_add(b), 43)
        .wrapping_add(rot(c, 30))
        .wrapping_add(d);
    let z = hash_len16_mul(
        y,
        a.wrapping_add(rot(b.wrapping_add(K2), 18)).wrapping_add(c),
        mul,
    );
    (mul, a, y, z)
}

fn hash_len17to32(s: &[u8]) -> u64 {
    mix_ends16(s, K1).3
}

fn hash_len33to64(s: &[u8]) -> u64 {
    let n = s.len();
    let (mul, a, y, z) = mix_ends16(s, K2);
    let e = f64le(s, 16).wrapping_mul(mul);
    let f = f64le(s, 24);
    let g = y.wrapping_add(f64le(s, n - 32)).wrapping_mul(mul);
    let h = z.wrapping_add(f64le(s, n - 24)).wrapping_mul(mul);
    hash_len16_mul(
        rot(e.wrapping_add(f), 43)
            .wrapping_add(rot(g, 30))
            .wrapping_add(h),
        e.wrapping_add(rot(f.wrapping_add(a), 18)).wrapping_add(g),
        mul,
    )
}

fn weak32(s: &[u8], mut a: u64, mut b: u64) -> (u64, u64) {
    let (w, x, y, z) = (f64le(s, 0), f64le(s, 8), f64le(s, 16), f64le(s, 24));
    a = a.wrapping_add(w);
    b = rot(b.wrapping_add(a).wrapping_add(z), 21);
    let c = a;
    a = a.wrapping_add(x).wrapping_add(y);
    b = b.wrapping_add(rot(a, 44));
    (a.wrapping_add(z), b.wrapping_add(c))
}

/// `farm.Fingerprint64(s)`.
pub fn fingerprint64(s: &[u8]) -> u64 {
    let n = s.len();
    if n <= 16 {
        return hash_len0to16(s);
    }
    if n <= 32 {
        return hash_len17to32(s);
    }
    if n <= 64 {
        return hash_len33to64(s);
    }
    let seed: u64 = 81;
    let (mut v0, mut v1) = (0u64, 0u64);
    let (mut w0, mut w1) = (0u64, 0u64);
    let mut x = seed.wrapping_mul(K2).wrapping_add(f64le(s, 0));
    let mut y = seed.wrapping_mul(K1).wrapping_add(113);
    let mut z = shift_mix(y.wrapping_mul(K2).wrapping_add(113)).wrapping_mul(K2);
    let end = ((n - 1) / 64) * 64;
    let last64 = end + ((n - 1) & 63) - 63;
    let mut i = 0;
    while i < end {
        let t = &s[i..];
        x = rot(
            x.wrapping_add(y).wrapping_add(v0).wrapping_add(f64le(t, 8)),
            37,
        )
        .wrapping_mul(K1);
        y = rot(y.wrapping_add(v1).wrapping_add(f64le(t, 48)), 42).wrapping_mul(K1);
        x ^= w1;
        y = y.wrapping_add(v0).wrapping_add(f64le(t, 40));
        z = rot(z.wrapping_add(w0), 33).wrapping_mul(K1);
        (v0, v1) = weak32(t, v1.wrapping_mul(K1), x.wrapping_add(w0));
        (w0, w1) = weak32(&t[32..], z.wrapping_add(w1), y.wrapping_add(f64le(t, 16)));
        std::mem::swap(&mut x, &mut z);
        i += 64;
    }
    let mul = K1.wrapping_add((z & 0xff) << 1);
    let t = &s[last64..];
    w0 = w0.wrapping_add(((n - 1) & 63) as u64);
    v0 = v0.wrapping_add(w0);
    w0 = w0.wrapping_add(v0);
    x = rot(
        x.wrapping_add(y).wrapping_add(v0).wrapping_add(f64le(t, 8)),
        37,
    )
    .wrapping_mul(mul);
    y = rot(y.wrapping_add(v1).wrapping_add(f64le(t, 48)), 42).wrapping_mul(mul);
    x ^= w1.wrapping_mul(9);
    y = y
        .wrapping_add(v0.wrapping_mul(9))
        .wrapping_add(f64le(t, 40));
    z = rot(z.wrapping_add(w0), 33).wrapping_mul(mul);
    (v0, v1) = weak32(t, v1.wrapping_mul(mul), x.wrapping_add(w0));
    (w0, w1) = weak32(&t[32..], z.wrapping_add(w1), y.wrapping_add(f64le(t, 16)));
    std::mem::swap(&mut x, &mut z);
    hash_len16_mul(
        hash_len16_mul(v0, w0, mul)
            .wrapping_add(shift_mix(y).wrapping_mul(K0))
            .wrapping_add(z),
        hash_len16_mul(v1, w1, mul).wrapping_add(x),
        mul,
    )
}

#[cfg(test)]
mod tests {
    use super::fingerprint64;

    #[test]
    fn spec_vectors() {
        assert_eq!(fingerprint64(b"*"), 0x1f81c835de7a7d57);
        assert_eq!(fingerprint64(b"dgraph.graphql"), 0x742980d511bb1e31);
    }

    /// Every length class (0..16, 17..32, 33..64, the 64-byte loop), checked
    /// against the C++ farmhash `Fingerprint64` (pyfarmhash): input byte i of
    /// a string of length n is `b'a' + (7i + n) % 26`.
    #[test]
    fn reference_vectors() {
        let want: &[(usize, u64)] = &[
            (0, 0x9ae16a3b2f90404f),
            (1, 0xa3b260215ec8f116),
            (2, 0x9c9aab5646dd8dbc),
            (3, 0xf79520f4c18b49eb),
            (4, 0x4891d9d84a7d0aca),
            (5, 0x855e3691c8bed061),
            (7, 0x204b0debc51c118e),
            (8, 0xeb238b266f60ab19),
            (9, 0x0407642445938040),
            (15, 0xb268eb76c192ea90),
            (16, 0x35054fa74179d981),
            (17, 0xe28d80bfc51585c7),
            (31, 0x07a4a41d71bd14ba),
            (32, 0x01c5ae063c078260),
            (33, 0xba2c9e2ef248af32),
            (48, 0x71b8cb44b072f100),
            (63, 0xb0ecf9aab35bc222),
            (64, 0x23511dfc408ff4e9),
            (65, 0x71835d3a14ab6ea1),
            (100, 0x8713f8613bcd26c2),
            (127, 0x07bf8096fdcf584a),
            (128, 0x6c5ba033d1bf686f),
            (129, 0x9e2c2c6f5b2731d2),
            (200, 0x32e15e204f6f05d8),
            (1000, 0x6adb8e947eceda47),
        ];
        for &(n, h) in want {
            let s: Vec<u8> = (0..n).map(|i| b'a' + ((i * 7 + n) % 26) as u8).collect();
            assert_eq!(fingerprint64(&s), h, "length {n}");
        }
    }
}
