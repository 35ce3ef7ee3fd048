//! Posting store on LMDB (heed) and the offline restore writer.
//!
//! * [`mvcc`]: key layout (`dgraphKey || BE(u64::MAX - commitTs)`) and value
//!   encoding (`user_meta || protobuf`), drop prefixes.
//! * [`db`]: `PostingStore` (open/create with format and group checks,
//!   batch writes, prefix deletes, MVCC reads at a read ts).
//! * [`restore`]: `RestoreWriter` (spec §10 for one group).

pub mod db;
pub mod error;
pub mod mvcc;
pub mod restore;

pub use db::{OpenOptions, PostingStore, StoreMeta, Visible, FORMAT_VERSION};
pub use error::{StoreCode, StoreError};
pub use mvcc::{Drop, ValueKind};
pub use restore::{FinishStats, LoadOptions, LoadStats, RestoreWriter};

#[cfg(test)]
mod tests;
