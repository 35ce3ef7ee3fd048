//! The process allocator (glibc's malloc), tuned for a store's big, short-lived
//! buffers: restore batches (32 MiB), decoded pieces, LMDB's dirty pages.
//!
//! glibc serves a request below its mmap threshold from a per-thread arena,
//! and keeps what is freed there for reuse; the threshold rises on its own up
//! to 32 MiB as big buffers are freed. A restore's buffers, made on one thread
//! and freed on another, then left its resident memory creeping up with the
//! data (337 MiB at 3M N-Quads, 386 at 10M, 458 at 30M) while the memory in
//! use stayed near 250 MiB (heaptrack). With the threshold pinned at 1 MiB,
//! every buffer of a MiB or more is mapped for itself and unmapped when freed.

/// Requests of this size or more are mapped for themselves.
const MMAP_THRESHOLD: i32 = 1 << 20;

/// Pins the mmap threshold (once per process; later calls do nothing).
pub fn tune() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
            extern "C" {
                fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
            }
            // SAFETY: mallopt only changes glibc's allocation policy; it is called once,
            // before the store's threads start.
            unsafe {
                mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            }
        }
    });
}

/// Hands the allocator's free pages back to the system. glibc keeps what a
/// batch freed (its KVs, LMDB's dirty pages) in each thread's arena; at 30M
/// N-Quads that held the restore's resident memory 200+ MiB above what it
/// uses.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim only releases free memory; any thread may call it.
        unsafe {
            malloc_trim(0);
        }
    }
}
