//! The N-API boundary: the only code that uses napi. It owns the tokio runtime, the
//! exported classes, and the batched event queue towards JS.

mod boundary;
mod engine;
mod events;
mod handler;
mod options;
mod server;

use napi_derive::module_init;

/// Cores this process may run on.
fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(2, |cores| cores.get())
}

/// Worker threads of the addon's runtime (`SIO_RS_WORKER_THREADS`, default 2, or 1 on
/// a process allowed a single core: a second worker would only take turns with it).
fn worker_threads() -> usize {
    std::env::var("SIO_RS_WORKER_THREADS")
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|&count| count > 0)
        .unwrap_or_else(|| available_cores().min(2))
}

/// On a single core, a worker woken by I/O should not preempt the JS thread in the
/// middle of its batch: it runs when JS yields, and then finds more to do at once.
fn yield_to_js_on_one_core() {
    #[cfg(target_os = "linux")]
    if available_cores() == 1 {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: changes the policy of the calling thread only; failure is harmless.
        unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
    }
}

#[cfg(not(tokio_unstable))]
compile_error!("build with `--cfg tokio_unstable` (set in .cargo/config.toml): the runtime disables tokio's LIFO slot");

#[module_init]
fn init() {
    // Without the LIFO slot, tasks woken together run in the order they were woken, as
    // Node handles sockets that became readable together: with it the last one woken runs
    // first, so of two clients created one after the other the second often connected
    // first (83 of 200 pairs with the slot, 13 without, on two workers; socket.io 1 in 100).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .disable_lifo_slot()
        .worker_threads(worker_threads())
        .thread_name("sio-rs")
        .on_thread_start(yield_to_js_on_one_core)
        .on_thread_unpark(events::on_worker_unpark)
        .on_thread_park(events::on_worker_park)
        .enable_all()
        .build()
        .expect("the sio-rs runtime starts");
    napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
}

/// A handle on the addon's runtime, for engines created from the JS thread.
fn runtime_handle() -> tokio::runtime::Handle {
    napi::bindgen_prelude::within_runtime_if_available(tokio::runtime::Handle::current)
}
