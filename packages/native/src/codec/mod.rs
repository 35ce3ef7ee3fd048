//! Byte pipeline of a backup data file (spec §5):
//! `file = [IV || AES-CTR(key, IV, C)] | C`, `C = gzip(S) | snappy/S2-framed(S)`, `S = frames`.

pub mod aes_ctr;
pub mod error;
pub mod frame;
pub mod gzip;
pub mod pool;
pub mod reader;
pub mod snappy;
pub mod snappy_block;
pub mod writer;
