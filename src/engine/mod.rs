//! Engine.IO v4 server (the counterpart of the `engine.io` package): sessions, the
//! polling and WebSocket transports, upgrades, heartbeats and limits. It knows nothing of
//! Socket.IO or Node: the layer above implements [`EngineHandler`].

mod base64;
pub mod config;
pub mod debug;
pub mod error;
mod heartbeat;
mod outbox;
pub mod packet;
pub mod polling;
pub mod request;
pub mod session;
pub mod sid;
pub mod websocket;

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use dashmap::DashMap;
use parking_lot::{Mutex, MutexGuard};
use tokio::runtime::Handle;

pub use config::{EngineConfig, InitialPacket, PollingCompression, Transport};
pub use error::{CloseReason, ErrorCode, TransportFault};
pub use packet::Outgoing;
pub use session::{ReadyState, Session};

/// A map keyed by the handles this crate hands out (sequential numbers, never chosen by
/// a peer), so a fast unkeyed hash is safe for it.
pub type HandleMap<V> = DashMap<u32, V, rustc_hash::FxBuildHasher>;

use debug::{debug, Log, Namespaces};
use heartbeat::Heartbeat;
use packet::Incoming;
use session::State;

/// A message received from a client.
#[derive(Debug, PartialEq)]
pub enum Message<'a> {
    Text(&'a str),
    Binary(Bytes),
}

/// What the layer above the engine is told about sessions.
pub trait EngineHandler: Send + Sync + 'static {
    fn on_open(&self, session: &Arc<Session>);
    fn on_message(&self, session: &Arc<Session>, message: Message<'_>);
    /// The session now runs on WebSocket.
    fn on_upgrade(&self, session: &Arc<Session>);
    fn on_close(&self, session: &Arc<Session>, reason: CloseReason);
    /// A session that was congested (see [`Engine::congested`]) is below its
    /// high-water mark again.
    fn on_drain(&self, _session: &Arc<Session>) {}
    /// A handle reserved for a WebSocket handshake will not open a session.
    fn on_abandoned(&self, _handle: u32) {}
    /// A debug line, of a namespace the config enables.
    fn on_debug(&self, _namespace: &'static str, _message: fmt::Arguments<'_>) {}
    /// Whether the application calls [`Engine::announced`] once it was told of a new
    /// session. A WebSocket handshake is then written only after that, as the reference
    /// emits `connection` before its client can have the open packet.
    fn announces_open(&self) -> bool {
        false
    }
}

pub struct Engine {
    pub config: EngineConfig,
    sessions: DashMap<Box<str>, Arc<Session>>,
    handles: HandleMap<Arc<Session>>,
    next_handle: AtomicU32,
    handler: Arc<dyn EngineHandler>,
    heartbeat: Arc<Heartbeat>,
    runtime: Handle,
    /// Counts the application's turns (JS event-loop iterations that wrote something).
    turn: AtomicU32,
    /// Sessions with packets queued by `send_all_deferred` and not flushed yet.
    deferred_flushes: Mutex<Vec<Arc<Session>>>,
}

/// Sessions a runtime task writes to when a burst is handed to the runtime.
const WRITES_PER_TASK: usize = 256;

/// When a WebSocket writer learns of new packets.
#[derive(Clone, Copy)]
enum Wake {
    Now,
    Deferred,
}

impl Engine {
    /// Creates an engine whose tasks run on `runtime`.
    pub fn new(
        config: EngineConfig,
        handler: Arc<dyn EngineHandler>,
        runtime: Handle,
    ) -> Arc<Self> {
        let heartbeat = Arc::new(Heartbeat::new(config.ping_interval, config.ping_timeout));
        let engine = Arc::new(Engine {
            config,
            sessions: DashMap::new(),
            handles: HandleMap::default(),
            next_handle: AtomicU32::new(1),
            handler,
            heartbeat: heartbeat.clone(),
            runtime,
            turn: AtomicU32::new(0),
            deferred_flushes: Mutex::new(Vec::new()),
        });
        engine.runtime.spawn(heartbeat.run(Arc::downgrade(&engine)));
        engine
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Whether `namespace` prints (see [`debug!`]).
    pub(crate) fn debugs(&self, namespace: Log) -> bool {
        self.config.debug.contains(namespace)
    }

    pub(crate) fn debug(&self, namespace: Log, message: fmt::Arguments<'_>) {
        self.handler.on_debug(namespace.name(), message);
    }

    /// The reference's line for a packet it queues.
    fn debug_sending(&self, packet: &Outgoing) {
        debug!(
            self,
            Log::Socket,
            "sending packet \"{}\" ({})",
            packet.type_name(),
            packet.debug_data()
        );
    }

    pub fn runtime(&self) -> &Handle {
        &self.runtime
    }

    pub fn clients_count(&self) -> usize {
        self.sessions.len()
    }

    /// Sessions addressable by handle (the same as [`Engine::clients_count`] unless
    /// something leaked).
    pub fn handles_count(&self) -> usize {
        self.handles.len()
    }

    pub fn session_by_sid(&self, sid: &str) -> Option<Arc<Session>> {
        self.sessions.get(sid).map(|entry| entry.clone())
    }

    pub fn session(&self, handle: u32) -> Option<Arc<Session>> {
        self.handles.get(&handle).map(|entry| entry.clone())
    }

    /// Reserves the handle of a session that a WebSocket handshake will open.
    pub fn reserve_handle(&self) -> u32 {
        loop {
            let handle = self.next_handle.fetch_add(1, Ordering::Relaxed);
            if handle != 0 && !self.handles.contains_key(&handle) {
                return handle;
            }
        }
    }

    /// Opens a session: queues the open packet (and `initialPacket`), registers the
    /// session and starts its heartbeat.
    pub(crate) fn open_session(
        &self,
        transport: Transport,
        handle: u32,
        sid: Option<String>,
    ) -> Arc<Session> {
        let sid = sid.unwrap_or_else(sid::generate).into_boxed_str();
        debug!(self, Log::Engine, "handshaking client \"{sid}\"");
        debug!(self, Log::Socket, "readyState updated from opening to open");
        let session = Arc::new(Session::new(sid, handle, transport));
        {
            let mut state = session.lock();
            let open = Outgoing::open(&self.handshake_json(&session, transport));
            let initial = match &self.config.initial_packet {
                Some(InitialPacket::Text(text)) => Some(Outgoing::message(text)),
                Some(InitialPacket::Binary(bytes)) => Some(Outgoing::Binary(bytes.clone())),
                None => None,
            };
            for packet in std::iter::once(open).chain(initial) {
                self.debug_sending(&packet);
                state.outbox.push(packet);
            }
        }
        self.sessions.insert(session.sid().into(), session.clone());
        self.handles.insert(handle, session.clone());
        self.heartbeat.schedule_ping(&session);
        self.handler.on_open(&session);
        session
    }

    /// The application was told of `session` (its `connection` listeners ran).
    pub fn announced(&self, session: &Session) {
        session.lock().announced = true;
        session.wake.notify_one();
    }

    fn handshake_json(&self, session: &Session, transport: Transport) -> String {
        // Written by hand to keep the reference's key order.
        format!(
            r#"{{"sid":{},"upgrades":{},"pingInterval":{},"pingTimeout":{},"maxPayload":{}}}"#,
            serde_json::Value::from(session.sid()),
            serde_json::Value::from(self.config.upgrades(transport).to_vec()),
            self.config.ping_interval.as_millis(),
            self.config.ping_timeout.as_millis(),
            self.config.max_payload,
        )
    }

    /// The application moved to its next turn.
    pub fn advance_turn(&self) {
        self.turn.fetch_add(1, Ordering::AcqRel);
    }

    /// Records that the application wrote to `session` in the current turn.
    pub fn mark_written(&self, session: &Session) {
        session
            .written_turn
            .store(self.turn.load(Ordering::Acquire), Ordering::Release);
    }

    /// Whether a volatile packet goes out: the transport can write now, and the
    /// application did not already write to it in this turn (as in the reference, whose
    /// transport stays busy until the write callback of a later turn).
    pub fn can_send_volatile(&self, session: &Session) -> bool {
        session.is_writable()
            && session.written_turn.load(Ordering::Acquire) != self.turn.load(Ordering::Acquire)
    }

    /// Queues a packet; dropped when the session is closing or closed.
    pub fn send(&self, session: &Arc<Session>, packet: Outgoing) -> bool {
        self.send_all(session, std::iter::once(packet))
    }

    /// Queues packets that must travel together (a polling response takes all of them).
    pub fn send_all(
        &self,
        session: &Arc<Session>,
        packets: impl IntoIterator<Item = Outgoing>,
    ) -> bool {
        self.queue(session, packets, Wake::Now)
    }

    /// Like [`Engine::send_all`], but WebSocket packets go out only with the next
    /// [`Engine::flush_deferred`]: the application queues a burst of packets, then
    /// writes each session's at once, instead of its thread and the runtime's trading
    /// places per packet.
    pub fn send_all_deferred(
        &self,
        session: &Arc<Session>,
        packets: impl IntoIterator<Item = Outgoing>,
    ) -> bool {
        self.queue(session, packets, Wake::Deferred)
    }

    /// Writes what [`Engine::send_all_deferred`] queued, or wakes the writers that must:
    /// on the caller's thread for up to `writes_on_caller` sessions, on the runtime for
    /// a larger fan-out.
    pub fn flush_deferred(self: &Arc<Self>) {
        let mut sessions = std::mem::take(&mut *self.deferred_flushes.lock());
        if sessions.len() <= self.config.writes_on_caller {
            return self.flush_each(&sessions);
        }
        while !sessions.is_empty() {
            let chunk = sessions.split_off(sessions.len().saturating_sub(WRITES_PER_TASK));
            let engine = self.clone();
            self.runtime.spawn(async move { engine.flush_each(&chunk) });
        }
    }

    fn flush_each(&self, sessions: &[Arc<Session>]) {
        for session in sessions {
            session.flush_queued.store(false, Ordering::Release);
            self.write_or_wake(session);
        }
    }

    fn queue(
        &self,
        session: &Arc<Session>,
        packets: impl IntoIterator<Item = Outgoing>,
        wake: Wake,
    ) -> bool {
        let mut state = session.lock();
        if state.ready != ReadyState::Open {
            return false;
        }
        if state.outbox.bytes() >= self.config.max_outbound_buffer {
            drop(state);
            self.terminate(
                session,
                CloseReason::TransportError(TransportFault::OutboundBufferFull),
            );
            return false;
        }
        for packet in packets {
            self.debug_sending(&packet);
            state.outbox.push(packet);
        }
        self.flush(session, state, wake);
        true
    }

    /// Whether `session` holds `outboundHighWaterMark` bytes or more; if so, the layer
    /// above hears `on_drain` once it is below again.
    pub fn congested(&self, session: &Session) -> bool {
        session
            .lock()
            .outbox
            .congested(self.config.outbound_high_water_mark)
    }

    fn notify_drained(&self, session: &Arc<Session>, drained: bool) {
        if drained {
            self.handler.on_drain(session);
        }
    }

    /// Hands queued packets to the transport if it can write now.
    fn flush(&self, session: &Arc<Session>, mut state: MutexGuard<'_, State>, wake: Wake) {
        match state.transport {
            Transport::Polling => {
                if state.outbox.is_empty() {
                    return;
                }
                if let Some(waiter) = state.pending_get.take() {
                    let (payload, drained) = state
                        .outbox
                        .take_reply(self.config.outbound_high_water_mark);
                    drop(state);
                    waiter(self.polling_write(payload));
                    self.notify_drained(session, drained);
                }
            }
            Transport::WebSocket => {
                drop(state);
                match wake {
                    Wake::Now => self.write_or_wake(session),
                    Wake::Deferred => {
                        if !session.flush_queued.swap(true, Ordering::AcqRel) {
                            self.deferred_flushes.lock().push(session.clone());
                        }
                    }
                }
            }
        }
    }

    /// Closes the session from the server side (`socket.close()`): what is queued is
    /// written first, then the transport closes with `"forced close"`.
    pub fn close(self: &Arc<Self>, session: &Arc<Session>) {
        let mut state = session.lock();
        if state.ready != ReadyState::Open {
            return;
        }
        state.ready = ReadyState::Closing;
        self.debug_closing(state.outbox.len());
        match state.transport {
            Transport::WebSocket => {
                drop(state);
                session.wake.notify_one();
            }
            Transport::Polling => match state.pending_get.take() {
                Some(waiter) => {
                    debug!(
                        self,
                        Log::Polling,
                        "transport writable - closing right away"
                    );
                    state.outbox.push(Outgoing::CLOSE);
                    let payload = state.outbox.take_payload();
                    drop(state);
                    waiter(self.polling_write(payload));
                    self.terminate(session, CloseReason::ForcedClose);
                }
                None => {
                    // The close packet goes with the next GET, if one comes in time.
                    debug!(
                        self,
                        Log::Polling,
                        "transport not writable - buffering orderly close"
                    );
                    drop(state);
                    let engine = Arc::downgrade(self);
                    let session = session.clone();
                    let wait = self.config.polling_close_timeout;
                    self.runtime.spawn(async move {
                        tokio::time::sleep(wait).await;
                        if let Some(engine) = engine.upgrade() {
                            engine.terminate(&session, CloseReason::ForcedClose);
                        }
                    });
                }
            },
        }
    }

    /// The reference's lines when the server starts closing a session with `queued`
    /// packets waiting.
    fn debug_closing(&self, queued: usize) {
        debug!(self, Log::Socket, "readyState updated from open to closing");
        match queued {
            0 => debug!(
                self,
                Log::Socket,
                "the buffer is empty, closing the transport right away"
            ),
            _ => debug!(
                self,
                Log::Socket,
                "there are {queued} remaining packets in the buffer, waiting for the 'drain' event"
            ),
        }
    }

    /// Ends the session now: a parked GET gets a close packet, the WebSocket task
    /// sends a close frame, and the layer above hears `reason`.
    pub fn terminate(&self, session: &Arc<Session>, reason: CloseReason) {
        self.end(session, reason, false);
    }

    /// Ends the session as [`Engine::terminate`] does; with `flush_websocket`, what a
    /// WebSocket has queued still goes out before its close frame.
    fn end(&self, session: &Arc<Session>, reason: CloseReason, flush_websocket: bool) {
        let (waiter, was, transport) = {
            let mut state = session.lock();
            if state.ready == ReadyState::Closed {
                return;
            }
            let was = state.ready;
            session.set_closed(&mut state);
            state.flush_after_close = flush_websocket && state.transport == Transport::WebSocket;
            if !state.flush_after_close {
                state.outbox.clear();
                state.unsent = None;
            }
            // No more direct writes: the task alone writes the close frame.
            state.socket = None;
            state.post = None;
            (state.pending_get.take(), was, state.transport)
        };
        if matches!(reason, CloseReason::TransportError(_)) {
            debug!(self, Log::Socket, "transport error");
        }
        debug!(
            self,
            Log::Transport,
            "readyState updated from {} to closed ({})",
            was.name(),
            transport.name()
        );
        debug!(
            self,
            Log::Socket,
            "readyState updated from {} to closed",
            was.name()
        );
        if let Some(waiter) = waiter {
            waiter(self.polling_write(packet::encode_payload([Outgoing::CLOSE].iter())));
        }
        session.wake.notify_one();
        self.sessions.remove(session.sid());
        self.handles.remove(&session.handle());
        self.handler.on_close(session, reason);
    }

    /// Ends every session (`engine.close()`). The layer above hears each close at once;
    /// a WebSocket still writes what was queued before its close frame, as the reference
    /// has handed it to `ws` by then. Over polling it is dropped, as the reference's
    /// `discard` does.
    pub fn close_all(&self) {
        let sessions: Vec<Arc<Session>> = self.handles.iter().map(|e| e.value().clone()).collect();
        for session in sessions {
            self.end(&session, CloseReason::ForcedClose, true);
        }
    }

    /// Handles one decoded packet from the session's current transport.
    fn on_packet(&self, session: &Arc<Session>, packet: Incoming<'_>) {
        if session.is_closed() {
            debug!(self, Log::Socket, "packet received with closed socket");
            return;
        }
        debug!(self, Log::Socket, "received packet {}", packet.type_name());
        match packet {
            Incoming::Message(text) => self.handler.on_message(session, Message::Text(text)),
            Incoming::Binary(bytes) => self.handler.on_message(session, Message::Binary(bytes)),
            Incoming::Pong(_) => {
                debug!(self, Log::Socket, "got pong");
                self.heartbeat.on_pong(session);
            }
            // In v4 the server pings; a client ping is an error.
            Incoming::Ping(_) => self.terminate(
                session,
                CloseReason::TransportError(TransportFault::InvalidHeartbeatDirection),
            ),
            Incoming::Open | Incoming::Close | Incoming::Upgrade | Incoming::Noop => {}
        }
    }

    fn on_text(&self, session: &Arc<Session>, text: &str) {
        match packet::decode_text(text) {
            Ok(packet) => self.on_packet(session, packet),
            Err(_) => self.on_parse_error(session),
        }
    }

    /// An undecodable packet: the reference's decoder makes it an `error` packet.
    fn on_parse_error(&self, session: &Arc<Session>) {
        debug!(self, Log::Socket, "received packet error");
        self.terminate(session, CloseReason::ParseError);
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.heartbeat.stop();
    }
}

#[cfg(test)]
pub(crate) mod testing;
