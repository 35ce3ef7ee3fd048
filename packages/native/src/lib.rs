//! Strata native addon: Dgraph binary backup codec.
//!
//! `codec` and `format` are pure Rust (usable from `cargo test`); `napi` is
//! the thin N-API glue.

pub mod alloc;
pub mod codec;
pub mod export;
pub mod format;
#[cfg(feature = "node")]
pub mod napi;
pub mod store;
