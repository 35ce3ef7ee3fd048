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
//! The horizon is the lower of:
//! * the read timestamps of reads made in the last [`PIN_TTL`] (an open
//!   transaction reads at its start ts for up to ten minutes; a query's
//!   levels read at one ts, each with its own read transaction);
//! * the newest commit ts applied at least [`GRACE`] ago: a read ts handed out
//!   by Zero just before a commit reaches its first read within that time.
//!
//! A backup reads in one LMDB read transaction, whose snapshot pruning never
//! changes. A read whose first use of its ts comes later than [`GRACE`] after
//! Zero handed it out (a query reaching a group late) may find a key's
//! versions pruned: the oldest deleted version is kept as a marker, and such
//! a read is refused with an error that asks for a retry, never answered with
//! data missing.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a read ts stays protected after its last read (the open
/// transactions' ten-minute limit, and a minute to spare).
pub const PIN_TTL: Duration = Duration::from_secs(11 * 60);
/// How long a commit ts waits before older versions may go.
pub const GRACE: Duration = Duration::from_secs(5);
/// At most this many read ts are remembered; past it new ones are not
/// recorded (they stay protected while an older pin holds the horizon back).
const MAX_PINS: usize = 100_000;

#[derive(Default)]
struct State {
    /// read ts -> the last time a read used it.
    pins: BTreeMap<u64, Instant>,
    /// (when, commit ts) of recent commits, oldest first.
    commits: VecDeque<(Instant, u64)>,
    /// The newest commit ts older than `GRACE` seen so far.
    settled: u64,
    /// When lapsed pins were last dropped (at most once a second: a pass
    /// over every pin on each commit would put up to `MAX_PINS` steps there).
    swept: Option<Instant>,
}

pub struct Horizon(Mutex<State>);

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

    /// A read at `read_ts` is starting.
    pub fn pin(&self, read_ts: u64) {
        self.pin_at(read_ts, Instant::now());
    }

    fn pin_at(&self, read_ts: u64, now: Instant) {
        let mut s = self.state();
        if s.pins.len() >= MAX_PINS && !s.pins.contains_key(&read_ts) {
            return;
        }
        s.pins.insert(read_ts, now);
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
            s.pins
                .retain(|_, t| now.saturating_duration_since(*t) < PIN_TTL);
            s.swept = Some(now);
        }
        let oldest_pin = s.pins.keys().next().copied().unwrap_or(u64::MAX);
        s.settled.min(oldest_pin).min(commit_ts.saturating_sub(1))
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
    fn a_recent_read_holds_the_horizon() {
        let h = Horizon::new(100);
        let t0 = Instant::now();
        h.pin_at(40, t0);
        assert_eq!(h.for_commit_at(101, t0 + GRACE * 2), 40);
        // the pin lapses after PIN_TTL without reads
        assert_eq!(h.for_commit_at(102, t0 + PIN_TTL + GRACE), 101);
        h.pin_at(90, t0 + PIN_TTL + GRACE);
        assert_eq!(h.for_commit_at(103, t0 + PIN_TTL + GRACE * 3), 90);
    }

    #[test]
    fn never_at_or_above_the_commit() {
        let h = Horizon::new(u64::MAX - 1);
        assert_eq!(h.for_commit_at(7, Instant::now()), 6);
    }
}
