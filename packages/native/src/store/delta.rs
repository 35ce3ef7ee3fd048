//! Uid deltas: the versions a commit writes for a big index or count list
//! instead of the whole list, and their merge into the list they change.
//!
//! A commit that adds a few uids to a list of 300,000 (the type index, a
//! count list, a year token) used to rewrite all of it; at 3M N-Quads that
//! was most of the load's time and the store's churn. Now such a commit
//! writes a [`UidDelta`] (user meta [`super::mvcc::USER_META_DELTA`]) when
//! the list's newest full version is big enough; reads merge the deltas
//! above the newest full version (its "base") into it; a commit writes a
//! full version again once the deltas since the base reach a fraction of it
//! ([`Chain::wants_delta`]), so the work per commit stays proportional to
//! what it changes, and a read merges deltas of at most that fraction.
//!
//! The number of deltas a base may carry grows with the base (one per 64
//! bytes of it, at least [`MIN_CHAIN`]), so that a read merges deltas in
//! proportion to the list and a rewrite comes after the list changed by an
//! eighth. With a fixed number, a list that changes in every commit (the type
//! index during a load, each int and year token) was rewritten whole every 32
//! commits, so the bytes written grew with the square of the list: in a 30M
//! N-Quad load those multi-megabyte rewrites filled LMDB's free list with
//! runs too short for the next one (the file past 10 GB by 13M N-Quads, with
//! queries holding old versions as well), and nearly all of the server's CPU
//! went to LMDB searching that free list (`mdb_page_alloc`,
//! `mdb_midl_xmerge`). Scaled, the rewrites of a list add up to a few times
//! its final size.

use super::error::{Result, StoreError};
use prost::Message;
use std::collections::BTreeMap;

/// The uids one commit adds to and removes from a list (each sorted).
#[derive(Clone, PartialEq, Message)]
pub struct UidDelta {
    #[prost(uint64, repeated, tag = "1")]
    pub add: Vec<u64>,
    #[prost(uint64, repeated, tag = "2")]
    pub del: Vec<u64>,
}

impl UidDelta {
    /// The delta of a set of changes (uid -> present).
    pub fn of(ch: &BTreeMap<u64, bool>) -> Self {
        let pick = |on: bool| ch.iter().filter(move |&(_, &v)| v == on).map(|(&u, _)| u);
        UidDelta {
            add: pick(true).collect(),
            del: pick(false).collect(),
        }
    }

    pub fn decode_stored(payload: &[u8]) -> Result<Self> {
        UidDelta::decode(payload)
            .map_err(|e| StoreError::corrupt(format!("bad uid delta in the store: {e}")))
    }

    /// Adds this delta's changes to `ch`, overriding older ones (apply the
    /// deltas of a chain oldest first).
    pub fn fold_into(&self, ch: &mut BTreeMap<u64, bool>) {
        ch.extend(self.del.iter().map(|&u| (u, false)));
        ch.extend(self.add.iter().map(|&u| (u, true)));
    }
}

/// Bases smaller than this are rewritten whole: a delta saves nothing.
pub const MIN_BASE_BYTES: usize = 4096;
/// A base takes at least this many deltas above it (if their bytes allow).
pub const MIN_CHAIN: usize = 32;
/// ... and one more per this many bytes of it.
pub const CHAIN_BYTES_PER_DELTA: usize = 64;
/// The deltas above a base may add up to 1/this of its bytes.
pub const BASE_FRACTION: usize = 8;

/// What a commit knows of a key's versions before it writes: the deltas
/// above its newest full version and that version's size.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Chain {
    pub deltas: usize,
    pub delta_bytes: usize,
    /// Bytes of the base (None: no full version, or an empty one).
    pub base_bytes: Option<usize>,
}

impl Chain {
    /// Whether a new delta of `bytes` may go on top (else the list is
    /// written whole: the rollup).
    pub fn wants_delta(&self, bytes: usize) -> bool {
        let Some(base) = self.base_bytes else {
            return false;
        };
        base >= MIN_BASE_BYTES
            && self.deltas < max_chain(base)
            && (self.delta_bytes + bytes) * BASE_FRACTION <= base
    }
}

/// How many deltas a base of `base_bytes` may carry.
pub fn max_chain(base_bytes: usize) -> usize {
    MIN_CHAIN.max(base_bytes / CHAIN_BYTES_PER_DELTA)
}

/// Applies the changes of one list to its uids: one merge of the sorted
/// list with the sorted changes (big index lists change a few uids at a
/// time, and a set rebuilt per commit cost more than the rest of it).
pub fn apply_changes(list: &mut Vec<u64>, ch: &BTreeMap<u64, bool>) {
    if !list.is_sorted_by(|a, b| a < b) {
        list.sort_unstable();
        list.dedup();
    }
    // Appending to the end, as new uids do, needs no merge.
    let first_change = ch.keys().next().copied();
    if first_change.is_some_and(|f| list.last().is_none_or(|&l| f > l)) {
        list.extend(ch.iter().filter(|&(_, &on)| on).map(|(&u, _)| u));
        return;
    }
    let old = std::mem::take(list);
    let mut out = Vec::with_capacity(old.len() + ch.len());
    let mut changes = ch.iter().peekable();
    for u in old {
        while let Some((&c, &on)) = changes.next_if(|(&c, _)| c < u) {
            if on {
                out.push(c);
            }
        }
        match changes.next_if(|(&c, _)| c == u) {
            Some((_, &on)) if !on => {}
            _ => out.push(u),
        }
    }
    out.extend(changes.filter(|&(_, &on)| on).map(|(&u, _)| u));
    *list = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The merge gives what a set would, for appends, removals, inserts in
    /// the middle and unsorted input.
    #[test]
    fn apply_changes_is_a_set_update() {
        type Case = (Vec<u64>, Vec<(u64, bool)>);
        let cases: Vec<Case> = vec![
            (vec![], vec![(3, true), (1, true), (2, false)]),
            (vec![1, 5, 9], vec![(10, true), (11, true)]),
            (
                vec![1, 5, 9],
                vec![(5, false), (6, true), (0, true), (9, true)],
            ),
            (
                vec![1, 5, 9],
                vec![(1, false), (5, false), (9, false), (12, false)],
            ),
            (vec![9, 1, 5, 5], vec![(2, true)]),
            (vec![2, 4], vec![(4, true), (5, false)]),
        ];
        for (list, ch) in cases {
            let ch: BTreeMap<u64, bool> = ch.into_iter().collect();
            let mut want: BTreeSet<u64> = list.iter().copied().collect();
            for (&u, &on) in &ch {
                if on {
                    want.insert(u);
                } else {
                    want.remove(&u);
                }
            }
            let mut got = list.clone();
            apply_changes(&mut got, &ch);
            assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{list:?} {ch:?}");
        }
    }

    /// Newer deltas override older ones when folded oldest first.
    #[test]
    fn folding_keeps_the_newest_change() {
        let older = UidDelta {
            add: vec![1, 2],
            del: vec![3],
        };
        let newer = UidDelta {
            add: vec![3],
            del: vec![2],
        };
        let mut ch = BTreeMap::new();
        older.fold_into(&mut ch);
        newer.fold_into(&mut ch);
        assert_eq!(ch, BTreeMap::from([(1, true), (2, false), (3, true)]));
        let back = UidDelta::of(&ch);
        assert_eq!(back.add, vec![1, 3]);
        assert_eq!(back.del, vec![2]);
        let bytes = back.encode_to_vec();
        assert_eq!(UidDelta::decode_stored(&bytes).unwrap(), back);
        assert!(UidDelta::decode_stored(&[0x0a, 0xff]).is_err());
    }

    #[test]
    fn rollup_rules() {
        let none = Chain::default();
        assert!(!none.wants_delta(10), "no base: write whole");
        let small = Chain {
            base_bytes: Some(MIN_BASE_BYTES - 1),
            ..Default::default()
        };
        assert!(!small.wants_delta(1));
        let big = Chain {
            base_bytes: Some(80_000),
            ..Default::default()
        };
        assert!(big.wants_delta(10_000));
        assert!(!big.wants_delta(10_001));
        assert_eq!(max_chain(1_000), MIN_CHAIN);
        let small_base = Chain {
            base_bytes: Some(MIN_BASE_BYTES),
            deltas: 63,
            ..Default::default()
        };
        assert!(small_base.wants_delta(1), "a base of 4 KiB takes 64 deltas");
        assert!(!Chain {
            deltas: 64,
            ..small_base
        }
        .wants_delta(1));
        // A base of 150 kB (an int token of 37k uids) takes 2,343 deltas
        // while they stay under 18.75 kB: rewritten after changing by an
        // eighth, not every 32 commits.
        let token = Chain {
            base_bytes: Some(150_000),
            deltas: 1_000,
            delta_bytes: 10_000,
        };
        assert_eq!(max_chain(150_000), 2_343);
        assert!(token.wants_delta(10));
        assert!(!Chain {
            deltas: 2_343,
            ..token
        }
        .wants_delta(10));
        assert!(!Chain {
            delta_bytes: 18_741,
            ..token
        }
        .wants_delta(10));
    }

    /// A list that grows by a few uids per commit is rewritten whole a number
    /// of times that grows with the log of its size, not with its size: the
    /// bytes those rewrites write stay within a few times the final list.
    #[test]
    fn rewrites_of_a_growing_list_add_up_to_a_few_times_it() {
        let per_uid = 4; // varint bytes of a uid in the millions
        let per_commit = 100; // uids a commit adds (a batch of new persons)
        let delta_bytes = per_commit * per_uid + 4;
        let mut chain = Chain::default();
        let (mut list, mut rewritten, mut rewrites) = (0usize, 0usize, 0usize);
        for _ in 0..30_000 {
            list += per_commit;
            if chain.wants_delta(delta_bytes) {
                chain.deltas += 1;
                chain.delta_bytes += delta_bytes;
            } else {
                rewritten += list * per_uid;
                rewrites += 1;
                chain = Chain {
                    base_bytes: Some(list * per_uid),
                    ..Default::default()
                };
            }
        }
        let final_bytes = list * per_uid;
        assert!(rewrites < 300, "{rewrites} rewrites");
        assert!(
            rewritten < 12 * final_bytes,
            "{rewritten} bytes rewritten for a list of {final_bytes}"
        );
    }
}
