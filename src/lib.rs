//! sio-rs: a Socket.IO server engine in Rust for Node.js.
//!
//! Layers, top to bottom (each depends only on those below it):
//! - `node`: the N-API boundary, the only code that uses napi;
//! - `server`: Socket.IO namespaces, sockets and the connect flow;
//! - `adapter`: rooms and broadcast fan-out;
//! - `parser`: Socket.IO packets;
//! - `attach`: how connections reach the engine (adopted file descriptors, bridged streams);
//! - `engine`: Engine.IO v4 sessions and transports.

pub mod adapter;
pub mod attach;
pub mod engine;
// The N-API boundary needs Node's symbols at link time; unit tests and the fuzz targets
// run without Node.
#[cfg(all(feature = "node", not(test)))]
mod node;
pub mod parser;
pub mod server;
