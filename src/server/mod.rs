//! The Socket.IO server core (the counterpart of `socket.io`'s Client, Namespace and
//! Socket internals): it sits on the engine as its [`EngineHandler`]. Application code
//! (middlewares, handlers, ack callbacks) is reached through [`ServerEvents`]. Its files
//! follow socket.io's: `client.rs` decodes and routes a connection's packets,
//! `namespace.rs` runs the connect flow, `socket.rs` keeps a socket's state, rooms and
//! emits, `broadcast.rs` fans out; this file holds the server and its sending.

mod broadcast;
mod client;
pub mod debug;
mod namespace;
mod socket;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use dashmap::DashMap;
use smallvec::SmallVec;

pub use socket::{Socket, SocketState};

use crate::engine::debug::{debug, Enabled, Namespaces};
use crate::engine::{CloseReason, Engine, EngineHandler, HandleMap, Message, Outgoing, Session};
use crate::parser::{self, PacketType};
use client::Client;
use debug::Log;
use namespace::Namespace;

/// What the application layer hears.
pub trait ServerEvents: Send + Sync + 'static {
    fn engine_open(&self, session: &Arc<Session>);
    fn engine_upgrade(&self, session: &Arc<Session>);
    fn engine_close(&self, session: &Arc<Session>, reason: CloseReason);
    fn engine_abandoned(&self, handle: u32);
    /// See [`EngineHandler::announces_open`].
    fn engine_announces_open(&self) -> bool {
        false
    }
    /// A client asks to join a namespace; answer with [`Server::accept`] or [`Server::refuse`].
    fn connect_request(&self, socket: &Socket, auth: Option<&str>);
    /// An EVENT or ACK with its JSON payload and binary attachments.
    fn packet(
        &self,
        socket: &Socket,
        kind: PacketType,
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
    );
    /// The socket was disconnected by the client or its connection; release it with
    /// [`Server::release`] once its rooms were looked at.
    fn disconnect(&self, socket: &Socket, reason: DisconnectReason<'_>);
    /// A congested connection (an emit returned false) is below its high-water mark.
    fn engine_drain(&self, session: &Arc<Session>);
    /// The client sent something undecodable; its connection is being closed.
    fn error(&self, socket: &Socket, message: &str);
    /// A debug line, the engine's or one of a namespace the config enables.
    fn debug(&self, _namespace: &'static str, _message: fmt::Arguments<'_>) {}
}

/// Why a socket disconnected: the reference's reason, and for some a description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisconnectReason<'a> {
    pub reason: &'a str,
    pub description: Option<&'a str>,
}

impl<'a> From<&'a str> for DisconnectReason<'a> {
    fn from(reason: &'a str) -> Self {
        DisconnectReason {
            reason,
            description: None,
        }
    }
}

impl From<CloseReason> for DisconnectReason<'static> {
    fn from(reason: CloseReason) -> Self {
        DisconnectReason {
            reason: reason.as_str(),
            description: reason.description(),
        }
    }
}

/// What the server holds, for leak checks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ResourceCounts {
    pub clients: usize,
    pub sockets: usize,
    pub namespaces: usize,
    pub rooms: usize,
    /// Sockets in the room indexes.
    pub room_members: usize,
}

pub struct ServerConfig {
    /// How long a connection may stay without joining a namespace.
    pub connect_timeout: Duration,
    /// The debug namespaces that print.
    pub debug: Enabled<Log>,
}

pub struct Server {
    me: Weak<Server>,
    engine: OnceLock<Weak<Engine>>,
    events: Arc<dyn ServerEvents>,
    config: ServerConfig,
    namespaces: DashMap<Box<str>, Arc<Namespace>>,
    /// Unknown namespaces are offered to the application (it has dynamic namespaces).
    dynamic_namespaces: AtomicBool,
    clients: HandleMap<Arc<Client>>,
    sockets: HandleMap<Arc<Socket>>,
    next_socket: AtomicU32,
}

/// One encoded packet: its text frame, then its attachments (most packets have none, so
/// nothing is allocated but the text).
pub type Encoded = SmallVec<[Outgoing; 1]>;

/// Encodes a packet once: an engine message holding the Socket.IO packet, then its
/// attachments.
pub fn encode(
    kind: PacketType,
    nsp: &str,
    id: Option<u64>,
    data: &str,
    attachments: &[Bytes],
) -> Encoded {
    let count = attachments.len();
    let len = parser::encoded_len(kind, nsp, count, id, data);
    let text =
        Outgoing::message_written(len, |out| parser::encode(out, kind, nsp, count, id, data));
    let mut packets = Encoded::with_capacity(1 + count);
    packets.push(text);
    packets.extend(attachments.iter().cloned().map(Outgoing::Binary));
    packets
}

/// Sends what the application emitted; a `volatile` packet only to a transport that can
/// take it now.
pub(crate) fn send_emitted(
    engine: &Engine,
    session: &Arc<Session>,
    packets: impl IntoIterator<Item = Outgoing>,
    volatile: bool,
) -> bool {
    if volatile && !engine.can_send_volatile(session) {
        return false;
    }
    engine.mark_written(session);
    engine.send_all_deferred(session, packets)
}

impl Server {
    pub fn new(config: ServerConfig, events: Arc<dyn ServerEvents>) -> Arc<Self> {
        Arc::new_cyclic(|me| Server {
            me: me.clone(),
            engine: OnceLock::new(),
            events,
            config,
            namespaces: DashMap::new(),
            dynamic_namespaces: AtomicBool::new(false),
            clients: HandleMap::default(),
            sockets: HandleMap::default(),
            next_socket: AtomicU32::new(1),
        })
    }

    /// Connects the server to the engine it handles (once, right after both exist).
    pub fn bind(&self, engine: &Arc<Engine>) {
        let _ = self.engine.set(Arc::downgrade(engine));
    }

    fn engine(&self) -> Option<Arc<Engine>> {
        self.engine.get().and_then(Weak::upgrade)
    }

    /// Whether `namespace` prints (see [`debug!`]).
    fn debugs(&self, namespace: Log) -> bool {
        self.config.debug.contains(namespace)
    }

    fn debug(&self, namespace: Log, message: fmt::Arguments<'_>) {
        self.events.debug(namespace.name(), message);
    }

    pub fn resource_counts(&self) -> ResourceCounts {
        let mut counts = ResourceCounts {
            clients: self.clients.len(),
            sockets: self.sockets.len(),
            namespaces: self.namespaces.len(),
            ..ResourceCounts::default()
        };
        for namespace in self.namespaces.iter() {
            let size = namespace.adapter.index_size();
            counts.rooms += size.rooms;
            counts.room_members += size.sockets;
        }
        counts
    }

    /// Sends packets the server itself decided on (its writer is woken at once).
    fn send_packets(&self, session: &Arc<Session>, packets: Encoded) -> bool {
        self.engine()
            .is_some_and(|engine| engine.send_all(session, packets))
    }

    /// Sends packets on the application's behalf: they are written with the rest of the
    /// application's burst (see [`Engine::flush_deferred`]).
    fn send_for_app(&self, session: &Arc<Session>, packets: Encoded) -> bool {
        self.engine()
            .is_some_and(|engine| engine.send_all_deferred(session, packets))
    }
}

impl EngineHandler for Server {
    fn on_open(&self, session: &Arc<Session>) {
        let client = Arc::new(Client::new(session.clone()));
        self.clients.insert(session.handle(), client.clone());
        self.start_connect_timer(&client);
        self.events.engine_open(session);
    }

    fn on_message(&self, session: &Arc<Session>, message: Message<'_>) {
        let Some(client) = self.clients.get(&session.handle()).map(|c| c.clone()) else {
            return;
        };
        match message {
            Message::Text(text) => self.on_text(&client, text),
            Message::Binary(bytes) => self.on_binary(&client, bytes),
        }
    }

    fn on_upgrade(&self, session: &Arc<Session>) {
        self.events.engine_upgrade(session);
    }

    fn on_close(&self, session: &Arc<Session>, reason: CloseReason) {
        if let Some((_, client)) = self.clients.remove(&session.handle()) {
            client.cancel_connect_timer();
            debug!(
                self,
                Log::Client,
                "client close with reason {}",
                reason.as_str()
            );
            self.close_sockets(&client, reason.into());
        }
        self.events.engine_close(session, reason);
    }

    fn on_abandoned(&self, handle: u32) {
        self.events.engine_abandoned(handle);
    }

    fn announces_open(&self) -> bool {
        self.events.engine_announces_open()
    }

    fn on_drain(&self, session: &Arc<Session>) {
        self.events.engine_drain(session);
    }

    fn on_debug(&self, namespace: &'static str, message: fmt::Arguments<'_>) {
        self.events.debug(namespace, message);
    }
}

#[cfg(test)]
mod tests;
