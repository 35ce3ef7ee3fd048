//! Posting store (LMDB, or SQLCipher when encrypted at rest) and the offline restore writer.
//!
//! * [`mvcc`]: key layout (`dgraphKey || BE(u64::MAX - commitTs)`) and value
//!   encoding (`user_meta || protobuf`), drop prefixes.
//! * [`engine`]: the store's engine: LMDB, or SQLCipher for a store
//!   encrypted at rest.
//! * [`db`]: `PostingStore` (open/create with format and group checks,
//!   batch writes, prefix deletes, MVCC reads at a read ts).
//! * [`delta`]: uid deltas of big index and count lists, merged at read.
//! * [`restore`]: `RestoreWriter` (spec §10 for one group).
//! * [`backup`]: Dgraph-compatible binary backup of a store (spec §9, §11).
//! * [`live`]: `LiveStore`, the Alpha's store: alter, mutations with
//!   index/reverse/count maintenance ([`tokenize`], [`farm`]), reads.

pub mod backup;
pub mod collate;
pub mod db;
pub mod delta;
pub mod engine;
pub mod error;
pub mod farm;
pub mod geo;
pub mod live;
pub mod mvcc;
pub mod regex;
pub mod restore;
pub mod text;
pub mod tokenize;
pub mod value_names;

pub use db::{OpenOptions, PostingStore, StoreMeta, Visible, FORMAT_VERSION};
pub use engine::{DataKey, DATA_KEY_LEN};
pub use error::{StoreCode, StoreError};
pub use mvcc::{Drop, ValueKind};
pub use restore::{FinishStats, LoadOptions, LoadStats, RestoreWriter};

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
