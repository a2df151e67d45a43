//! A Socket.IO socket: one client's membership in one namespace.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use crate::engine::Session;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SocketState {
    /// Asked to connect; the namespace's middlewares are running.
    Pending = 0,
    Connected = 1,
    Closed = 2,
}

pub struct Socket {
    pub handle: u32,
    /// The public socket id (20 random characters, not the engine session id).
    pub id: Box<str>,
    pub nsp: Box<str>,
    pub session: Arc<Session>,
    state: AtomicU8,
}

impl Socket {
    pub fn new(handle: u32, id: Box<str>, nsp: Box<str>, session: Arc<Session>) -> Self {
        Socket {
            handle,
            id,
            nsp,
            session,
            state: AtomicU8::new(SocketState::Pending as u8),
        }
    }

    pub fn state(&self) -> SocketState {
        match self.state.load(Ordering::Acquire) {
            0 => SocketState::Pending,
            1 => SocketState::Connected,
            _ => SocketState::Closed,
        }
    }

    /// Moves from `from` to `to`; false if the socket was not in `from`.
    pub fn transition(&self, from: SocketState, to: SocketState) -> bool {
        self.state
            .compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Marks the socket closed; false if it already was.
    pub fn close(&self) -> bool {
        self.state.swap(SocketState::Closed as u8, Ordering::AcqRel) != SocketState::Closed as u8
    }
}
