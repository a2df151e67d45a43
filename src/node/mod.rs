//! The N-API boundary: the only code that uses napi. It owns the tokio runtime, the
//! exported classes, and the batched event queue towards JS.

mod engine;
mod events;
mod server;

use napi_derive::module_init;

/// Worker threads of the addon's runtime (`SIO_RS_WORKER_THREADS`, default 2).
fn worker_threads() -> usize {
    std::env::var("SIO_RS_WORKER_THREADS")
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|&count| count > 0)
        .unwrap_or(2)
}

#[module_init]
fn init() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads())
        .thread_name("sio-rs")
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
