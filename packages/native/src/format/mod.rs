//! Dgraph backup data model: protobuf messages (spec §6), internal keys
//! (spec §8), namespaced names in values and KV decoding helpers.

pub mod keys;
pub mod kv;
pub mod names;
pub mod proto;
