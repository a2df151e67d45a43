//! socket.io's `debug` namespaces, for the lines of what Rust decides itself (see
//! [`crate::engine::debug`]).

use crate::engine::debug::Namespaces;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    Client,
    Socket,
}

impl Namespaces for Log {
    const ALL: &'static [Log] = &[Log::Client, Log::Socket];

    fn name(self) -> &'static str {
        match self {
            Log::Client => "socket.io:client",
            Log::Socket => "socket.io:socket",
        }
    }

    fn bit(self) -> u32 {
        1 << self as u32
    }
}
