//! Error mapping: every error reaches JS as an `Error` whose message is
//! `CODE: human text`.

use crate::codec::error::CodecError;
use crate::store::StoreError;
use napi::bindgen_prelude::{BigInt, Either};
use napi::{Error, Status};

pub fn to_napi(e: CodecError) -> Error {
    Error::new(Status::GenericFailure, e.to_string())
}

pub fn store_err(e: StoreError) -> Error {
    Error::new(Status::GenericFailure, e.to_string())
}

/// Runs the body of an AsyncTask's `compute` (on a libuv worker thread): a
/// panic there would unwind into C and abort Node, so it becomes an
/// `INTERNAL: panic in native code: ...` error instead. A Mutex held during
/// the panic is poisoned, so later calls on that object fail with [`poisoned`].
pub fn no_panic<T>(f: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(to_napi(CodecError::from_panic(&*p))))
}

pub fn invalid(msg: impl Into<String>) -> Error {
    to_napi(CodecError::invalid(msg))
}

pub fn poisoned() -> Error {
    invalid("internal state is unusable after a panic in an earlier call")
}

/// Validates an optional numeric option as an integer in `min..=max`.
pub fn int_opt(name: &str, v: Option<f64>, min: f64, max: f64) -> napi::Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x >= min && x <= max => Ok(Some(x as i64)),
        Some(x) => Err(invalid(format!(
            "{name} must be an integer in {min}..={max}, got {x}"
        ))),
    }
}

/// A codec error naming its input (e.g. the file name).
pub fn codec_err(source: Option<&str>) -> impl Fn(CodecError) -> Error + '_ {
    move |e| to_napi(e.with_source(source))
}

/// `bigint` -> u64 (non-negative, exact).
pub fn u64_of(name: &str, v: &BigInt) -> napi::Result<u64> {
    let (signed, value, lossless) = v.get_u64();
    if signed || !lossless {
        return Err(invalid(format!(
            "{name} must fit in an unsigned 64-bit integer"
        )));
    }
    Ok(value)
}

/// A list of `bigint`s -> u64s; an error names the first that does not fit
/// (`name[i]`).
pub fn u64s_of(name: &str, v: &[BigInt]) -> napi::Result<Vec<u64>> {
    v.iter()
        .enumerate()
        .map(|(i, u)| u64_of(&format!("{name}[{i}]"), u))
        .collect()
}

/// An optional `bigint` -> u64.
pub fn opt_u64(name: &str, v: &Option<BigInt>) -> napi::Result<Option<u64>> {
    v.as_ref().map(|b| u64_of(name, b)).transpose()
}

/// An optional namespace (`bigint`, default 0).
pub fn ns_of(name: &str, v: &Option<BigInt>) -> napi::Result<u64> {
    Ok(opt_u64(name, v)?.unwrap_or(0))
}

/// `bigint | number` -> u64 (non-negative, exact).
pub fn to_u64(name: &str, v: &Either<BigInt, f64>) -> napi::Result<u64> {
    match v {
        Either::A(b) => u64_of(name, b),
        Either::B(x) => {
            if x.fract() == 0.0 && *x >= 0.0 && *x <= 9_007_199_254_740_991.0 {
                Ok(*x as u64)
            } else {
                Err(invalid(format!(
                    "{name} must be a non-negative safe integer or a bigint, got {x}"
                )))
            }
        }
    }
}

/// A store's data key from JS (`dataKey`): exactly 32 bytes (AES-256).
pub fn data_key_of(
    key: Option<&napi::bindgen_prelude::Buffer>,
) -> napi::Result<Option<crate::store::DataKey>> {
    let Some(k) = key else { return Ok(None) };
    let bytes: [u8; crate::store::DATA_KEY_LEN] = k[..].try_into().map_err(|_| {
        invalid(format!(
            "dataKey must be {} bytes (a store's AES-256 data key)",
            crate::store::DATA_KEY_LEN
        ))
    })?;
    Ok(Some(crate::store::DataKey(bytes)))
}
