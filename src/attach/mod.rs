//! How bytes reach the engine: TCP sockets adopted from Node's `upgrade` event, byte
//! bridges for sockets Rust cannot own (TLS, or no usable file descriptor), and the
//! listener Rust owns, which serves WebSocket handshakes and long-polling itself.

pub mod adopt;
pub mod bridge;
mod descriptors;
mod head;
pub mod listener;
mod polling;
