//! How bytes reach the engine: TCP sockets adopted from Node's `upgrade` event, and
//! byte bridges for sockets Rust cannot own (TLS, or no usable file descriptor).

pub mod adopt;
pub mod bridge;
pub mod listener;
