//! The newest version of every key under a prefix, tombstones included and
//! uid deltas merged: what a backup at a read ts sees of the store.

use crate::store::db::PostingStore;
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::{decode_value, pruned_error, split_version_key, ValueKind};

/// `(key, commit_ts, kind, payload)` of one visible version.
pub(super) type VersionFn<'a> = dyn FnMut(&[u8], u64, ValueKind, &[u8]) -> Result<()> + 'a;

/// Calls `f(key, commit_ts, kind, payload)` with the newest version
/// `<= read_ts` of every key starting with `prefix` (tombstones included).
///
/// The versions of a key are adjacent unless another key has it as a proper
/// prefix (index keys with binary terms): then they are split around that
/// key's. A small stack of the keys whose range we are inside keeps the
/// "already decided" state across such splits, so every key is reported
/// once, with its newest version.
pub(super) fn visit_newest(
    store: &PostingStore,
    txn: &Txn<'_>,
    prefix: &[u8],
    read_ts: u64,
    f: &mut VersionFn<'_>,
) -> Result<()> {
    struct Open {
        key: Vec<u8>,
        decided: bool,
    }
    let mut open: Vec<Open> = Vec::new();
    store.postings_db().visit_prefix(txn, prefix, &mut |k, v| {
        let (key, ts) = split_version_key(k)
            .ok_or_else(|| StoreError::corrupt("store key shorter than its version"))?;
        open.retain(|o| k.starts_with(&o.key));
        let i = match open.iter().rposition(|o| o.key == key) {
            Some(i) => i,
            None => {
                open.push(Open {
                    key: key.to_vec(),
                    decided: false,
                });
                open.len() - 1
            }
        };
        if open[i].decided || ts > read_ts {
            return Ok(true);
        }
        open[i].decided = true;
        let (kind, payload) = decode_value(v)
            .ok_or_else(|| StoreError::corrupt("bad user_meta byte in the store"))?;
        match kind {
            ValueKind::Pruned => return Err(pruned_error(read_ts, ts)),
            // A uid delta goes out merged, as the full list it makes.
            ValueKind::Delta => match store.get_in(txn, key, read_ts)? {
                None => f(key, ts, ValueKind::Tombstone, &[])?,
                Some((kind, _, merged)) => f(key, ts, kind, &merged)?,
            },
            _ => f(key, ts, kind, payload)?,
        }
        Ok(true)
    })?;
    Ok(())
}
