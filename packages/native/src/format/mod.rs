//! Dgraph backup data model: protobuf messages (spec §6), internal keys
//! (spec §8) and KV decoding helpers.

pub mod keys;
pub mod kv;
pub mod proto;
