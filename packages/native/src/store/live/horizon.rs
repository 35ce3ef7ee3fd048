//! The version horizon: the oldest read timestamp a read may still use, below
//! which a key needs only its newest version (Dgraph rolls posting lists up
//! below its discard timestamp the same way).
//!
//! Every commit writes a whole new version of each list it changes. Without
//! pruning, a list changed by N commits is kept N times: the type index of a
//! loaded graph, the tokens of an int index and the count lists grow with the
//! square of the data. A commit therefore deletes, for each key it writes,
//! the versions older than the newest one at or below the horizon.
//!
//! The horizon is the lowest of:
//! * the read ts of the reads running now, and of those that ended in the
//!   last [`READ_LINGER`]: a query's levels read at one ts, each in its own
//!   read transaction, and a client's read-only transaction sends its next
//!   query at the same ts;
//! * the start ts of the open transactions: those with uncommitted writes in
//!   this store, for [`PIN_TTL`] after their last write
//!   ([`Horizon::pin_for`]), and the oldest one open anywhere in the cluster,
//!   as Zero last told the Alpha ([`Horizon::hold_from`], [`FLOOR_FRESH`]);
//! * the newest commit ts applied at least [`GRACE`] ago: a read ts handed out
//!   by Zero just before a commit reaches its first read within that time.
//!
//! A read that lands past all of these (a read-only transaction idle for
//! more than [`READ_LINGER`], a query reaching a group late) may find a key's
//! versions pruned: the oldest deleted version is kept as a marker, and such
//! a read is refused with an error that asks for a retry, never answered with
//! data missing. A backup reads in one LMDB read transaction, whose snapshot
//! pruning never changes.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an open transaction's start ts stays protected after its last
/// write here (the open transactions' ten-minute limit, and a minute to spare).
pub const PIN_TTL: Duration = Duration::from_secs(11 * 60);
/// How long a read ts stays protected after a read at it ended.
pub const READ_LINGER: Duration = Duration::from_secs(60);
/// How long the cluster's oldest open start ts, as last told, holds: the
/// Alphas refresh it every second; a silent one stops holding versions.
pub const FLOOR_FRESH: Duration = Duration::from_secs(30);
/// How long a commit ts waits before older versions may go.
pub const GRACE: Duration = Duration::from_secs(5);
/// At most this many lingering ts are remembered; past it new ones are not
/// recorded (a read at such a ts may be refused, never answered with less).
const MAX_PINS: usize = 100_000;

#[derive(Default)]
struct State {
    /// read ts -> how many reads at it run now.
    running: BTreeMap<u64, u32>,
    /// ts -> until when it is protected.
    pins: BTreeMap<u64, Instant>,
    /// The oldest start ts open in the cluster, and until when it holds.
    floor: Option<(u64, Instant)>,
    /// (when, commit ts) of recent commits, oldest first.
    commits: VecDeque<(Instant, u64)>,
    /// The newest commit ts older than `GRACE` seen so far.
    settled: u64,
    /// When lapsed pins were last dropped (at most once a second: a pass
    /// over every pin on each commit would put up to `MAX_PINS` steps there).
    swept: Option<Instant>,
}

impl State {
    /// Protects `ts` until `until` at least.
    fn extend(&mut self, ts: u64, until: Instant) {
        if let Some(t) = self.pins.get_mut(&ts) {
            *t = (*t).max(until);
        } else if self.pins.len() < MAX_PINS {
            self.pins.insert(ts, until);
        }
    }
}

pub struct Horizon(Mutex<State>);

/// A read at one ts, running: its ts is protected while it lives and for
/// [`READ_LINGER`] after.
pub struct ReadPin<'h> {
    horizon: &'h Horizon,
    ts: u64,
}

impl Drop for ReadPin<'_> {
    fn drop(&mut self) {
        self.horizon.read_ended(self.ts, Instant::now());
    }
}

impl Horizon {
    /// A horizon for a store whose commits up to `read_ts` were applied
    /// before it was opened (no read of this process can be older).
    pub fn new(read_ts: u64) -> Self {
        Horizon(Mutex::new(State {
            settled: read_ts,
            ..Default::default()
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A read at `read_ts` is starting; it ends when the pin is dropped.
    pub fn read(&self, read_ts: u64) -> ReadPin<'_> {
        *self.state().running.entry(read_ts).or_insert(0) += 1;
        ReadPin {
            horizon: self,
            ts: read_ts,
        }
    }

    fn read_ended(&self, read_ts: u64, now: Instant) {
        let mut s = self.state();
        if let Some(n) = s.running.get_mut(&read_ts) {
            *n -= 1;
            if *n == 0 {
                s.running.remove(&read_ts);
            }
        }
        s.extend(read_ts, now + READ_LINGER);
    }

    /// Protects `ts` for `how_long` from now (an open transaction's start ts
    /// when it writes here: [`PIN_TTL`]; when it ends: [`READ_LINGER`]).
    pub fn pin_for(&self, ts: u64, how_long: Duration) {
        self.pin_at(ts, Instant::now(), how_long);
    }

    fn pin_at(&self, ts: u64, now: Instant, how_long: Duration) {
        let mut s = self.state();
        s.extend(ts, now + how_long);
    }

    /// Shortens the protection of `ts` to [`READ_LINGER`] from now (a
    /// transaction committed or aborted: its start ts is no longer read).
    pub fn release(&self, ts: u64) {
        self.release_at(ts, Instant::now());
    }

    fn release_at(&self, ts: u64, now: Instant) {
        let mut s = self.state();
        if let Some(t) = s.pins.get_mut(&ts) {
            *t = (*t).min(now + READ_LINGER);
        }
    }

    /// The oldest start ts open anywhere in the cluster (`None`: none), as
    /// Zero last told: protected for [`FLOOR_FRESH`] unless told again.
    pub fn hold_from(&self, oldest_open: Option<u64>) {
        self.hold_from_at(oldest_open, Instant::now());
    }

    fn hold_from_at(&self, oldest_open: Option<u64>, now: Instant) {
        self.state().floor = oldest_open.map(|ts| (ts, now + FLOOR_FRESH));
    }

    /// A commit at `commit_ts` is being applied: the horizon its pruning
    /// may use (0: keep every version).
    pub fn for_commit(&self, commit_ts: u64) -> u64 {
        self.for_commit_at(commit_ts, Instant::now())
    }

    fn for_commit_at(&self, commit_ts: u64, now: Instant) -> u64 {
        let mut s = self.state();
        while let Some(&(t, ts)) = s.commits.front() {
            if now.saturating_duration_since(t) < GRACE {
                break;
            }
            s.settled = s.settled.max(ts);
            s.commits.pop_front();
        }
        s.commits.push_back((now, commit_ts));
        if s.commits.len() > 1_000_000 {
            s.commits.pop_front();
        }
        if s.swept
            .is_none_or(|t| now.saturating_duration_since(t) >= Duration::from_secs(1))
        {
            s.pins.retain(|_, until| *until > now);
            s.swept = Some(now);
        }
        let mut h = s.settled.min(commit_ts.saturating_sub(1));
        if let Some(&ts) = s.running.keys().next() {
            h = h.min(ts);
        }
        if let Some(&ts) = s.pins.keys().next() {
            h = h.min(ts);
        }
        if let Some((ts, until)) = s.floor {
            if until > now {
                h = h.min(ts);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_settle_after_the_grace() {
        let h = Horizon::new(5);
        let t0 = Instant::now();
        assert_eq!(h.for_commit_at(10, t0), 5);
        assert_eq!(h.for_commit_at(11, t0 + GRACE / 2), 5);
        // 10 is now older than GRACE, 11 is not
        assert_eq!(h.for_commit_at(12, t0 + GRACE + GRACE / 4), 10);
        assert_eq!(h.for_commit_at(13, t0 + GRACE * 3), 12);
    }

    #[test]
    fn a_running_read_holds_the_horizon_then_lingers() {
        let h = Horizon::new(100);
        let t0 = Instant::now();
        // two reads at 40 (their ends given times below)
        std::mem::forget(h.read(40));
        std::mem::forget(h.read(40));
        // however long they run
        assert_eq!(h.for_commit_at(101, t0 + PIN_TTL), 40);
        let t1 = t0 + PIN_TTL;
        h.read_ended(40, t1);
        // the other still runs
        assert_eq!(h.for_commit_at(102, t1 + READ_LINGER * 2), 40);
        let t2 = t1 + READ_LINGER * 2;
        h.read_ended(40, t2);
        assert_eq!(h.for_commit_at(103, t2 + READ_LINGER - GRACE), 40);
        // then it lapses
        assert_eq!(h.for_commit_at(104, t2 + READ_LINGER + GRACE * 2), 103);
        // a pin dropped ends its read
        let pin = h.read(90);
        assert_eq!(h.for_commit_at(105, Instant::now()), 90);
        drop(pin);
        assert!(h.state().running.is_empty());
    }

    #[test]
    fn a_transaction_pin_holds_until_released() {
        let h = Horizon::new(100);
        let t0 = Instant::now();
        h.pin_at(50, t0, PIN_TTL);
        assert_eq!(h.for_commit_at(101, t0 + READ_LINGER * 2), 50);
        // its commit: the start ts lingers as a read's would, then goes
        let t1 = t0 + READ_LINGER * 2;
        h.release_at(50, t1);
        assert_eq!(h.for_commit_at(102, t1 + READ_LINGER / 2), 50);
        assert_eq!(h.for_commit_at(103, t1 + READ_LINGER + GRACE * 2), 102);
        // a pin never released lapses after its time
        let t2 = t1 + READ_LINGER + GRACE * 2;
        h.pin_at(60, t2, PIN_TTL);
        assert_eq!(h.for_commit_at(104, t2 + PIN_TTL - GRACE), 60);
        assert_eq!(h.for_commit_at(105, t2 + PIN_TTL + GRACE * 2), 104);
    }

    #[test]
    fn the_cluster_floor_holds_while_it_is_fresh() {
        let h = Horizon::new(100);
        let t0 = Instant::now();
        h.hold_from_at(Some(70), t0);
        assert_eq!(h.for_commit_at(101, t0 + FLOOR_FRESH - GRACE), 70);
        // told again: it holds on
        h.hold_from_at(Some(75), t0 + FLOOR_FRESH - GRACE);
        assert_eq!(h.for_commit_at(102, t0 + FLOOR_FRESH + GRACE), 75);
        // nothing open any more
        h.hold_from_at(None, t0 + FLOOR_FRESH + GRACE);
        assert_eq!(h.for_commit_at(103, t0 + FLOOR_FRESH + GRACE * 3), 102);
        // a floor not told again stops holding
        let t1 = t0 + FLOOR_FRESH + GRACE * 3;
        h.hold_from_at(Some(80), t1);
        assert_eq!(h.for_commit_at(104, t1 + FLOOR_FRESH + GRACE), 103);
    }

    #[test]
    fn never_at_or_above_the_commit() {
        let h = Horizon::new(u64::MAX - 1);
        assert_eq!(h.for_commit_at(7, Instant::now()), 6);
    }
}
