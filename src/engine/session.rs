//! One Engine.IO session: its transport, outbound queue and lifecycle state.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use bytes::Bytes;
use parking_lot::{Mutex, MutexGuard};
use tokio::sync::Notify;

use super::config::Transport;
use super::outbox::Outbox;

/// Completes a parked polling GET with the payload to answer.
pub type PollWaiter = Box<dyn FnOnce(String) + Send>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadyState {
    Open,
    /// Closed by the server: the queue is flushed first, then the session ends.
    Closing,
    Closed,
}

impl ReadyState {
    /// The reference's name for it.
    pub fn name(self) -> &'static str {
        match self {
            ReadyState::Open => "open",
            ReadyState::Closing => "closing",
            ReadyState::Closed => "closed",
        }
    }
}

pub struct Session {
    sid: Box<str>,
    handle: u32,
    pub(super) state: Mutex<State>,
    /// Wakes the WebSocket task: packets were queued or the session is closing.
    pub(super) wake: Notify,
    pub(super) ping_seq: AtomicU32,
    /// The application turn in which the application last wrote to this session.
    pub(super) written_turn: AtomicU32,
    /// Listed in the engine's deferred flushes.
    pub(super) flush_queued: AtomicBool,
    pub(super) awaiting_pong: AtomicBool,
    /// `state.ready == Closed`, readable without the lock: the reader checks it for
    /// every packet, and must not wait on a JS thread holding the lock while it writes.
    closed: AtomicBool,
}

pub(super) struct State {
    pub ready: ReadyState,
    pub transport: Transport,
    pub upgrading: bool,
    pub upgraded: bool,
    pub outbox: Outbox,
    /// The WebSocket task took packets it has not flushed yet, or must write `unsent`
    /// first: only the task writes meanwhile.
    pub writing: bool,
    /// The WebSocket's TCP socket, for writes straight from the thread that queued
    /// them while the task is not writing (only under this lock: see `DirectTcpStream`).
    pub socket: Option<RawFd>,
    /// The end of a frame a direct write could not finish, and the bytes of the packet
    /// it carries (still counted in the outbox).
    pub unsent: Option<(Bytes, usize)>,
    pub pending_get: Option<PollWaiter>,
    /// Body of the polling POST in flight.
    pub post: Option<Vec<u8>>,
    /// The application was told of the session (see [`super::EngineHandler::announces_open`]).
    pub announced: bool,
    /// Closed by a server shutdown: what is queued still goes out before the close frame.
    pub flush_after_close: bool,
}

impl Session {
    pub(super) fn new(sid: Box<str>, handle: u32, transport: Transport) -> Self {
        Session {
            sid,
            handle,
            state: Mutex::new(State {
                ready: ReadyState::Open,
                transport,
                upgrading: false,
                upgraded: false,
                outbox: Outbox::default(),
                writing: false,
                socket: None,
                unsent: None,
                pending_get: None,
                post: None,
                announced: false,
                flush_after_close: false,
            }),
            wake: Notify::new(),
            ping_seq: AtomicU32::new(0),
            written_turn: AtomicU32::new(u32::MAX),
            flush_queued: AtomicBool::new(false),
            awaiting_pong: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        }
    }

    /// The engine session id (a secret shared with this client only).
    pub fn sid(&self) -> &str {
        &self.sid
    }

    /// The compact handle other layers and JS use to address this session.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    pub fn transport(&self) -> Transport {
        self.state.lock().transport
    }

    pub fn ready_state(&self) -> ReadyState {
        self.state.lock().ready
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Marks the session closed; `state` is its locked state.
    pub(super) fn set_closed(&self, state: &mut State) {
        state.ready = ReadyState::Closed;
        self.closed.store(true, Ordering::Release);
    }

    /// True while the transport could write a packet right away (the reference's
    /// `transport.writable`): a parked GET on polling, an idle writer on WebSocket.
    pub fn is_writable(&self) -> bool {
        let state = self.state.lock();
        state.ready == ReadyState::Open
            && match state.transport {
                Transport::Polling => state.pending_get.is_some(),
                Transport::WebSocket => state.outbox.is_empty() && !state.writing,
            }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }
}
