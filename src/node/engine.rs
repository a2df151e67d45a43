//! `NativeEngine`: an Engine.IO server exported to JS. The facade forwards HTTP
//! requests and upgrades to it and hears about sessions through the event queue.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dashmap::DashMap;
use napi::bindgen_prelude::{Buffer, Either, Function};
use napi_derive::napi;

use crate::attach::adopt::adopt_tcp;
use crate::attach::bridge::{bridge, BridgeInput, BridgeOutput};
use crate::attach::listener::Listener;
use crate::engine::debug::Enabled;
use crate::engine::polling::{PollOutcome, PostError};
use crate::engine::request::{RequestHead, Route};
use crate::engine::websocket::{DirectTcpStream, DirectWrite, UpgradeRequest};
use crate::engine::{CloseReason, Engine, Outgoing};

use super::events::{EventKind, EventQueue};
use super::handler::JsEvents;
use super::options::{EngineOptions, SocketIoOptions};
use crate::server::{Server, ServerConfig};

/// The verdict on an engine request, before any transport work.
#[napi(object)]
pub struct Verdict {
    /// The reference's error code (0–4) when the request is refused.
    pub error_code: Option<u32>,
    /// The session an existing-session request belongs to.
    pub handle: Option<u32>,
    /// True for a handshake (no `sid`).
    pub handshake: bool,
    /// For handshakes: false unless `EIO=4` (code 5 once `allowRequest` passed).
    pub protocol_supported: bool,
}

#[napi(object)]
pub struct Handshake {
    pub handle: u32,
    pub sid: String,
    pub payload: String,
}

/// How to answer a polling GET: `reply` (with `payload`), `parked`, `overlap` or `gone`.
#[napi(object)]
pub struct Poll {
    pub outcome: String,
    pub payload: Option<String>,
}

#[napi(object)]
pub struct Upgrade {
    pub method: String,
    pub url: String,
    pub upgrade: Option<String>,
    pub key: Option<String>,
    pub version: Option<String>,
    pub extra_headers: String,
    pub sid: Option<String>,
}

impl From<Upgrade> for UpgradeRequest {
    fn from(upgrade: Upgrade) -> Self {
        UpgradeRequest {
            method: upgrade.method,
            url: upgrade.url,
            upgrade: upgrade.upgrade,
            key: upgrade.key,
            version: upgrade.version,
            extra_headers: upgrade.extra_headers,
            sid: upgrade.sid,
        }
    }
}

/// Where a listener is bound, as Node's `server.address()` reports it.
#[napi(object)]
pub struct ListenAddress {
    pub address: String,
    pub family: String,
    pub port: u32,
}

#[napi(object)]
pub struct Bridged {
    /// Id of the bridge, for `bridgeFeed`/`bridgeEnd` and the bridge events.
    pub bridge: u32,
    /// Handle of the session a handshake will open.
    pub handle: u32,
}

/// What the addon holds for one engine, for leak checks.
#[napi(object)]
pub struct Resources {
    pub sessions: u32,
    pub session_handles: u32,
    pub bridges: u32,
    /// The Socket.IO layer's (zero without it).
    pub clients: u32,
    pub sockets: u32,
    pub namespaces: u32,
    pub rooms: u32,
    pub room_members: u32,
}

fn post_outcome(result: Result<(), PostError>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(PostError::Overlap) => "overlap",
        Err(PostError::BinaryContent) => "binary",
        Err(PostError::TooLarge) => "tooLarge",
        Err(PostError::Gone) => "gone",
    }
}

#[napi]
pub struct NativeEngine {
    pub(super) engine: Arc<Engine>,
    pub(super) queue: Arc<EventQueue>,
    /// The Socket.IO layer, when this engine serves Socket.IO.
    pub(super) server: Option<Arc<Server>>,
    bridges: Arc<DashMap<u32, BridgeInput>>,
    next_bridge: AtomicU32,
    listener: parking_lot::Mutex<Option<Listener>>,
}

impl NativeEngine {
    /// Runs an upgrade on `stream`; returns the handle a handshake will open.
    fn serve_websocket<S>(&self, stream: S, request: Upgrade, head: &[u8]) -> u32
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + DirectWrite + Unpin + Send + 'static,
    {
        let handle = self.engine.reserve_handle();
        let head = Bytes::copy_from_slice(head);
        let serve = self
            .engine
            .clone()
            .serve_websocket(stream, head, request.into(), handle);
        self.engine.runtime().spawn(serve);
        handle
    }
}

#[napi]
impl NativeEngine {
    #[napi(constructor, catch_unwind)]
    pub fn new(
        options: EngineOptions,
        on_events: Function<Buffer, ()>,
        socketio: Option<SocketIoOptions>,
    ) -> napi::Result<Self> {
        let queue = EventQueue::new();
        queue.connect(on_events)?;
        let server_debug = Enabled::named(&options.debug);
        let config = options.into_config();
        let runtime = super::runtime_handle();
        let (engine, server) = match socketio {
            None => {
                let handler = Arc::new(JsEvents {
                    queue: queue.clone(),
                });
                (Engine::new(config, handler, runtime), None)
            }
            Some(socketio) => {
                let server = Server::new(
                    ServerConfig {
                        connect_timeout: Duration::from_millis(socketio.connect_timeout.into()),
                        debug: server_debug,
                    },
                    Arc::new(JsEvents {
                        queue: queue.clone(),
                    }),
                );
                let engine = Engine::new(config, server.clone(), runtime);
                server.bind(&engine);
                (engine, Some(server))
            }
        };
        Ok(NativeEngine {
            engine,
            queue,
            server,
            bridges: Arc::new(DashMap::new()),
            next_bridge: AtomicU32::new(1),
            listener: parking_lot::Mutex::new(None),
        })
    }

    #[napi(getter, catch_unwind)]
    pub fn clients_count(&self) -> u32 {
        self.engine.clients_count() as u32
    }

    #[napi(catch_unwind)]
    pub fn resources(&self) -> Resources {
        let server = self
            .server
            .as_ref()
            .map(|server| server.resource_counts())
            .unwrap_or_default();
        let count = |n: usize| n as u32;
        Resources {
            sessions: count(self.engine.clients_count()),
            session_handles: count(self.engine.handles_count()),
            bridges: count(self.bridges.len()),
            clients: count(server.clients),
            sockets: count(server.sockets),
            namespaces: count(server.namespaces),
            rooms: count(server.rooms),
            room_members: count(server.room_members),
        }
    }

    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        method: String,
        url: String,
        origin: Option<String>,
        is_upgrade: bool,
    ) -> Verdict {
        let head = RequestHead {
            method: &method,
            url: &url,
            origin: origin.as_deref(),
            is_upgrade,
        };
        let refused = |code: crate::engine::ErrorCode| Verdict {
            error_code: Some(code as u32),
            handle: None,
            handshake: false,
            protocol_supported: true,
        };
        match self.engine.verify(&head) {
            Err(code) => refused(code),
            Ok(Route::Session { session, .. }) => Verdict {
                error_code: None,
                handle: Some(session.handle()),
                handshake: false,
                protocol_supported: true,
            },
            Ok(Route::Handshake {
                protocol_supported, ..
            }) => Verdict {
                error_code: None,
                handle: None,
                handshake: true,
                protocol_supported,
            },
        }
    }

    /// Opens a polling session; the payload answers the handshake GET.
    #[napi(catch_unwind)]
    pub fn handshake_polling(&self, sid: Option<String>) -> Handshake {
        let (session, payload) = self.engine.handshake_polling(sid);
        Handshake {
            handle: session.handle(),
            sid: session.sid().to_owned(),
            payload,
        }
    }

    #[napi(catch_unwind)]
    pub fn poll(&self, handle: u32) -> Poll {
        let gone = Poll {
            outcome: "gone".into(),
            payload: None,
        };
        let Some(session) = self.engine.session(handle) else {
            return gone;
        };
        let queue = self.queue.clone();
        let waiter = Box::new(move |payload: String| {
            queue.push(EventKind::PollReply, handle, &[payload.as_bytes()]);
        });
        let (outcome, payload) = match self.engine.poll(&session, waiter) {
            PollOutcome::Reply(payload) => ("reply", Some(payload)),
            PollOutcome::Parked => ("parked", None),
            PollOutcome::Overlap => ("overlap", None),
            PollOutcome::Gone => return gone,
        };
        Poll {
            outcome: outcome.into(),
            payload,
        }
    }

    #[napi(catch_unwind)]
    pub fn poll_aborted(&self, handle: u32) {
        if let Some(session) = self.engine.session(handle) {
            self.engine.poll_aborted(&session);
        }
    }

    /// Starts a polling POST: `ok`, `overlap`, `binary` or `gone`.
    #[napi(catch_unwind)]
    pub fn post_begin(&self, handle: u32, binary_content: bool) -> &'static str {
        post_outcome(match self.engine.session(handle) {
            Some(session) => self.engine.post_begin(&session, binary_content),
            None => Err(PostError::Gone),
        })
    }

    /// Adds a body chunk: `ok`, `tooLarge` or `gone`.
    #[napi(catch_unwind)]
    pub fn post_chunk(&self, handle: u32, chunk: &[u8]) -> &'static str {
        post_outcome(match self.engine.session(handle) {
            Some(session) => self.engine.post_chunk(&session, chunk),
            None => Err(PostError::Gone),
        })
    }

    #[napi(catch_unwind)]
    pub fn post_end(&self, handle: u32) -> &'static str {
        post_outcome(match self.engine.session(handle) {
            Some(session) => self.engine.post_end(&session),
            None => Err(PostError::Gone),
        })
    }

    #[napi(catch_unwind)]
    pub fn post_aborted(&self, handle: u32) {
        if let Some(session) = self.engine.session(handle) {
            self.engine.post_aborted(&session);
        }
    }

    /// Queues a message; false when the session is gone or closing.
    #[napi(catch_unwind)]
    pub fn send(&self, handle: u32, data: Either<String, &[u8]>) -> bool {
        let Some(session) = self.engine.session(handle) else {
            return false;
        };
        let packet = match data {
            Either::A(text) => Outgoing::message(&text),
            Either::B(bytes) => Outgoing::Binary(Bytes::copy_from_slice(bytes)),
        };
        self.engine.send_all_deferred(&session, [packet])
    }

    /// Writes what JS queued since the last call (or wakes the writers that must).
    #[napi(catch_unwind)]
    pub fn flush_writes(&self) {
        self.engine.flush_deferred();
    }

    /// The JS event loop moved on: sessions written to before are writable again for
    /// volatile packets.
    #[napi(catch_unwind)]
    pub fn advance_turn(&self) {
        self.engine.advance_turn();
    }

    #[napi(catch_unwind)]
    pub fn is_writable(&self, handle: u32) -> bool {
        self.engine
            .session(handle)
            .is_some_and(|session| session.is_writable())
    }

    /// The engine's `connection` listeners ran for the WebSocket session `handle`: its
    /// handshake may be written.
    #[napi(catch_unwind)]
    pub fn announced(&self, handle: u32) {
        if let Some(session) = self.engine.session(handle) {
            self.engine.announced(&session);
        }
    }

    /// Closes a session: gracefully, or at once when `discard` is set.
    #[napi(catch_unwind)]
    pub fn close(&self, handle: u32, discard: bool) {
        let Some(session) = self.engine.session(handle) else {
            return;
        };
        if discard {
            self.engine.terminate(&session, CloseReason::ForcedClose);
        } else {
            self.engine.close(&session);
        }
    }

    /// Ends every session (the server is closing).
    #[napi(catch_unwind)]
    pub fn close_all(&self) {
        self.engine.close_all();
        self.bridges.clear();
    }

    /// Takes over the TCP connection of an upgrade request; returns the handle a
    /// handshake will open.
    #[napi(catch_unwind)]
    pub fn adopt_web_socket(&self, fd: i32, request: Upgrade, head: &[u8]) -> napi::Result<u32> {
        let _runtime = self.engine.runtime().enter();
        let stream = adopt_tcp(fd).map_err(|error| napi::Error::from_reason(error.to_string()))?;
        Ok(self.serve_websocket(DirectTcpStream::new(stream), request, head))
    }

    /// Serves an upgrade over a byte bridge: JS moves the socket's bytes.
    #[napi(catch_unwind)]
    pub fn bridge_web_socket(&self, request: Upgrade, head: &[u8]) -> Bridged {
        let id = self.next_bridge.fetch_add(1, Ordering::Relaxed);
        let queue = self.queue.clone();
        let bridges = Arc::downgrade(&self.bridges);
        let (input, stream) = bridge(Arc::new(move |output| match output {
            BridgeOutput::Data(bytes) => queue.push(EventKind::BridgeData, id, &[&bytes]),
            BridgeOutput::Resume => queue.push(EventKind::BridgeResume, id, &[]),
            BridgeOutput::End => {
                if let Some(bridges) = bridges.upgrade() {
                    bridges.remove(&id);
                }
                queue.push(EventKind::BridgeEnd, id, &[]);
            }
        }));
        self.bridges.insert(id, input);
        let handle = self.serve_websocket(stream, request, head);
        Bridged { bridge: id, handle }
    }

    /// Bytes read from a bridged socket; false asks JS to pause it until resumed.
    #[napi(catch_unwind)]
    pub fn bridge_feed(&self, bridge: u32, chunk: &[u8]) -> bool {
        match self.bridges.get(&bridge) {
            Some(input) => input.feed(Bytes::copy_from_slice(chunk)),
            None => false,
        }
    }

    /// The bridged socket's write buffer is full (`write()` returned false) or drained.
    #[napi(catch_unwind)]
    pub fn bridge_write_blocked(&self, bridge: u32, blocked: bool) {
        if let Some(input) = self.bridges.get(&bridge) {
            input.set_write_blocked(blocked);
        }
    }

    /// The bridged socket ended or closed.
    #[napi(catch_unwind)]
    pub fn bridge_end(&self, bridge: u32) {
        self.bridges.remove(&bridge);
    }

    /// Listens on `port` itself: WebSocket handshakes to `path` and long-polling requests
    /// of open sessions are served in Rust while their lane is on (see `set_lanes`), other
    /// connections are handed to JS (`HandOff` events) for Node's HTTP server.
    #[napi(catch_unwind)]
    pub fn listen(
        &self,
        port: u32,
        path: String,
        websocket_lane: bool,
        polling_lane: bool,
    ) -> napi::Result<ListenAddress> {
        let port =
            u16::try_from(port).map_err(|_| napi::Error::from_reason("port out of range"))?;
        let events = Arc::new(JsEvents {
            queue: self.queue.clone(),
        });
        let lanes = (websocket_lane, polling_lane);
        let listener =
            Listener::open(self.engine.clone(), port, path, lanes, events).map_err(|error| {
                let code = match error.kind() {
                    std::io::ErrorKind::AddrInUse => "EADDRINUSE",
                    std::io::ErrorKind::PermissionDenied => "EACCES",
                    _ => "EINVAL",
                };
                napi::Error::new(napi::Status::GenericFailure, code)
            })?;
        let local = listener.local_addr();
        *self.listener.lock() = Some(listener);
        Ok(ListenAddress {
            address: local.ip().to_string(),
            family: if local.is_ipv6() { "IPv6" } else { "IPv4" }.into(),
            port: local.port().into(),
        })
    }

    /// Whether the listener may serve WebSocket handshakes and long-polling requests
    /// itself (no JS hook needs to see them).
    #[napi(catch_unwind)]
    pub fn set_lanes(&self, websocket: bool, polling: bool) {
        if let Some(listener) = self.listener.lock().as_ref() {
            listener.set_lanes(websocket, polling);
        }
    }

    /// Stops listening; connections already accepted stay open.
    #[napi(catch_unwind)]
    pub fn close_listener(&self) {
        self.listener.lock().take();
    }

    /// Takes the events queued so far (they are otherwise delivered on the next ring).
    #[napi(catch_unwind)]
    pub fn take_events(&self) -> Buffer {
        self.queue.take().into()
    }
}
