//! Test-only export `__testPanic(where)`: panics inside native code so that
//! the vitest suite can check a panic becomes a JS error instead of aborting
//! Node. Refuses to run unless `STRATA_NATIVE_TEST_HOOKS=1` is set.

use super::errors::{invalid, no_panic, to_napi};
use crate::codec::error::CodecError;
use crate::codec::pool::OrderedPool;
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

pub struct PanicTask {
    place: String,
}

impl Task for PanicTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        no_panic(|| match self.place.as_str() {
            "task" => panic!("test panic in an async task"),
            "pool" => {
                // a codec pool job panics; its caller gets the error, and the
                // pool still runs the next job
                let mut pool: OrderedPool<Result<u32, CodecError>> = OrderedPool::new(1, 0);
                let mut got = Vec::new();
                pool.submit(|| panic!("test panic in a pool job"), &mut |r| got.push(r));
                pool.submit(|| Ok(7), &mut |r| got.push(r));
                pool.wait_all(&mut |r| got.push(r));
                match got.as_slice() {
                    [Err(e), Ok(7)] => Err(to_napi(e.clone())),
                    _ => Err(invalid("the pool did not report the panic in order")),
                }
            }
            other => Err(invalid(format!("unknown place '{other}'"))),
        })
    }

    fn resolve(&mut self, _env: Env, _out: ()) -> napi::Result<()> {
        Ok(())
    }
}

/// Panics on a worker thread: `'task'` in the AsyncTask itself, `'pool'` in
/// a codec pool job. Only with `STRATA_NATIVE_TEST_HOOKS=1`.
#[napi(js_name = "__testPanic", ts_return_type = "Promise<void>")]
pub fn test_panic(place: String) -> napi::Result<AsyncTask<PanicTask>> {
    if std::env::var("STRATA_NATIVE_TEST_HOOKS").as_deref() != Ok("1") {
        return Err(invalid(
            "__testPanic is a test hook (set STRATA_NATIVE_TEST_HOOKS=1)",
        ));
    }
    Ok(AsyncTask::new(PanicTask { place }))
}
