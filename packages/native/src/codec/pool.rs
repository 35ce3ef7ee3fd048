//! A bounded, ordered worker pool on `std::thread` + `sync_channel`.
//!
//! Jobs are numbered on submission and their results are handed to the
//! caller's sink strictly in submission order. At most `max_in_flight` jobs
//! (queued, running or finished-but-not-yet-emitted) exist at once, so memory
//! stays flat whatever the input size. Results that are already known (e.g.
//! produced inline by a streaming decoder) can be interleaved with
//! [`OrderedPool::submit_ready`] and keep their place in the order.

use super::error::CodecError;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

type Job<T> = Box<dyn FnOnce() -> T + Send + 'static>;

/// A job result that can stand for a job that panicked: the panic fails that
/// job only (its caller gets the error in order); the worker and the pool
/// live on.
pub trait FromPanic {
    fn from_panic(e: CodecError) -> Self;
}

impl<V> FromPanic for Result<V, CodecError> {
    fn from_panic(e: CodecError) -> Self {
        Err(e)
    }
}

pub struct OrderedPool<T: Send + 'static> {
    job_tx: Option<SyncSender<(u64, Job<T>)>>,
    res_rx: Receiver<(u64, T)>,
    workers: Vec<JoinHandle<()>>,
    next_seq: u64,
    next_emit: u64,
    /// Results received (or submitted ready) but not yet emitted.
    pending: BTreeMap<u64, T>,
    /// Jobs handed to workers whose result has not been received yet.
    running: usize,
    max_in_flight: usize,
}

/// Number of threads to use when the caller does not say.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

impl<T: FromPanic + Send + 'static> OrderedPool<T> {
    /// `threads` workers; `max_in_flight` = 0 means `2 * threads + 2`.
    pub fn new(threads: usize, max_in_flight: usize) -> Self {
        let threads = threads.max(1);
        let max_in_flight = if max_in_flight == 0 {
            2 * threads + 2
        } else {
            max_in_flight
        };
        let (job_tx, job_rx) = sync_channel::<(u64, Job<T>)>(max_in_flight);
        let (res_tx, res_rx) = std::sync::mpsc::channel::<(u64, T)>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let workers = (0..threads)
            .map(|i| {
                let rx = Arc::clone(&job_rx);
                let tx = res_tx.clone();
                std::thread::Builder::new()
                    .name(format!("strata-codec-{i}"))
                    .spawn(move || loop {
                        let next = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        let Ok((seq, job)) = next else { return };
                        let out = catch_unwind(AssertUnwindSafe(job))
                            .unwrap_or_else(|p| T::from_panic(CodecError::from_panic(&*p)));
                        if tx.send((seq, out)).is_err() {
                            return;
                        }
                    })
                    .expect("spawn codec worker thread")
            })
            .collect();
        OrderedPool {
            job_tx: Some(job_tx),
            res_rx,
            workers,
            next_seq: 0,
            next_emit: 0,
            pending: BTreeMap::new(),
            running: 0,
            max_in_flight,
        }
    }

    fn in_flight(&self) -> usize {
        self.running + self.pending.len()
    }

    fn emit_ready(&mut self, sink: &mut impl FnMut(T)) {
        while let Some(v) = self.pending.remove(&self.next_emit) {
            self.next_emit += 1;
            sink(v);
        }
    }

    fn recv_one(&mut self) {
        // A worker only stops when the job channel closes, so while jobs are
        // running the result channel stays open.
        let (seq, v) = self.res_rx.recv().expect("codec worker thread died");
        self.running -= 1;
        self.pending.insert(seq, v);
    }

    /// Waits until there is room for one more job, emitting finished results.
    fn make_room(&mut self, sink: &mut impl FnMut(T)) {
        self.drain(sink);
        while self.in_flight() >= self.max_in_flight && self.running > 0 {
            self.recv_one();
            self.emit_ready(sink);
        }
    }

    /// Submits a job; may block (emitting finished results to `sink`) while
    /// the pool is full.
    pub fn submit(&mut self, job: impl FnOnce() -> T + Send + 'static, sink: &mut impl FnMut(T)) {
        self.make_room(sink);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.running += 1;
        self.job_tx
            .as_ref()
            .expect("pool is open")
            .send((seq, Box::new(job)))
            .expect("codec worker threads gone");
    }

    /// Adds a result computed by the caller; it is emitted after every
    /// earlier submission.
    pub fn submit_ready(&mut self, value: T, sink: &mut impl FnMut(T)) {
        self.make_room(sink);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending.insert(seq, value);
        self.emit_ready(sink);
    }

    /// Emits whatever is finished, without blocking.
    pub fn drain(&mut self, sink: &mut impl FnMut(T)) {
        while let Ok((seq, v)) = self.res_rx.try_recv() {
            self.running -= 1;
            self.pending.insert(seq, v);
        }
        self.emit_ready(sink);
    }

    /// Blocks until every submitted job is finished and emitted.
    pub fn wait_all(&mut self, sink: &mut impl FnMut(T)) {
        self.emit_ready(sink);
        while self.running > 0 {
            self.recv_one();
            self.emit_ready(sink);
        }
    }
}

impl<T: Send + 'static> Drop for OrderedPool<T> {
    fn drop(&mut self) {
        self.job_tx.take();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::error::ErrorCode;

    // (test-only results that cannot fail: a panic there fails the test)
    impl FromPanic for u64 {
        fn from_panic(e: CodecError) -> Self {
            panic!("{e}")
        }
    }
    impl FromPanic for () {
        fn from_panic(e: CodecError) -> Self {
            panic!("{e}")
        }
    }

    #[test]
    fn a_panicking_job_fails_alone_and_the_pool_lives_on() {
        let mut pool: OrderedPool<Result<u32, CodecError>> = OrderedPool::new(2, 3);
        let mut out = Vec::new();
        for i in 0..20u32 {
            pool.submit(
                move || {
                    if i % 5 == 3 {
                        panic!("job {i} blew up");
                    }
                    Ok(i)
                },
                &mut |r| out.push(r),
            );
        }
        pool.wait_all(&mut |r| out.push(r));
        assert_eq!(out.len(), 20);
        for (i, r) in out.iter().enumerate() {
            match r {
                Err(e) => {
                    assert_eq!(i % 5, 3);
                    assert_eq!(e.code, ErrorCode::Internal);
                    assert_eq!(e.message, format!("panic in native code: job {i} blew up"));
                }
                Ok(v) => assert_eq!(*v as usize, i),
            }
        }
        // every worker has panicked at least once by now; the next job still runs
        let mut last = None;
        pool.submit(|| Ok(99), &mut |r| last = Some(r));
        pool.wait_all(&mut |r| last = Some(r));
        assert_eq!(last, Some(Ok(99)));
    }

    #[test]
    fn results_come_out_in_order() {
        let mut pool = OrderedPool::new(3, 4);
        let mut out = Vec::new();
        for i in 0..200u64 {
            if i % 7 == 0 {
                pool.submit_ready(i, &mut |v| out.push(v));
            } else {
                pool.submit(
                    move || {
                        std::thread::sleep(std::time::Duration::from_micros((i * 37) % 500));
                        i
                    },
                    &mut |v| out.push(v),
                );
            }
        }
        pool.wait_all(&mut |v| out.push(v));
        assert_eq!(out, (0..200).collect::<Vec<_>>());
    }

    #[test]
    fn in_flight_is_bounded() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let live = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut pool: OrderedPool<()> = OrderedPool::new(2, 3);
        let mut n = 0;
        for _ in 0..50 {
            let (l, p) = (Arc::clone(&live), Arc::clone(&peak));
            let now = live.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            pool.submit(
                move || {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                    let _ = (&l, &p);
                },
                &mut |_| {
                    n += 1;
                    live.fetch_sub(1, Ordering::SeqCst);
                },
            );
        }
        pool.wait_all(&mut |_| {
            n += 1;
            live.fetch_sub(1, Ordering::SeqCst);
        });
        assert_eq!(n, 50);
        assert!(
            peak.load(Ordering::SeqCst) <= 4,
            "peak {}",
            peak.load(Ordering::SeqCst)
        );
    }
}
