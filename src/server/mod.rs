//! The Socket.IO server core (the counterpart of `socket.io`'s Client, Namespace and
//! Socket internals): it sits on the engine as its [`EngineHandler`], decodes packets,
//! runs the connect flow, keeps sockets and namespaces, and fans out emits. Application
//! code (middlewares, handlers, ack callbacks) is reached through [`ServerEvents`].

mod client;
pub mod debug;
mod namespace;
mod socket;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use dashmap::DashMap;
use smallvec::SmallVec;

pub use socket::{Socket, SocketState};

use crate::adapter::{BroadcastOptions, Room};
use crate::engine::debug::{debug, Enabled, Namespaces};
use crate::engine::{
    sid, CloseReason, Engine, EngineHandler, HandleMap, Message, Outgoing, Session,
};
use crate::parser::{self, DecodeError, PacketType, Reassembly};
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

/// Encodes a packet once: the text frame (`4` + header + JSON) and its attachments.
pub fn encode(
    kind: PacketType,
    nsp: &str,
    id: Option<u64>,
    data: &str,
    attachments: &[Bytes],
) -> Encoded {
    let kind = match (kind, attachments.is_empty()) {
        (PacketType::Event, false) => PacketType::BinaryEvent,
        (PacketType::Ack, false) => PacketType::BinaryAck,
        (kind, _) => kind,
    };
    // Exactly the frame's size: the buffer then becomes `Bytes` without another allocation.
    let header = parser::header_len(kind, nsp, attachments.len(), id);
    let mut text = String::with_capacity(1 + header + data.len());
    text.push('4');
    parser::encode_header(&mut text, kind, nsp, attachments.len(), id);
    text.push_str(data);
    let mut packets = Encoded::with_capacity(1 + attachments.len());
    packets.push(Outgoing::Text(text.into()));
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

    pub fn register_namespace(&self, name: &str) {
        self.namespaces
            .entry(name.into())
            .or_insert_with(|| Arc::new(Namespace::new()));
    }

    pub fn remove_namespace(&self, name: &str) {
        self.namespaces.remove(name);
    }

    pub fn set_dynamic_namespaces(&self, enabled: bool) {
        self.dynamic_namespaces.store(enabled, Ordering::Release);
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

    pub fn socket(&self, handle: u32) -> Option<Arc<Socket>> {
        self.sockets.get(&handle).map(|s| s.clone())
    }

    fn client_of(&self, socket: &Socket) -> Option<Arc<Client>> {
        self.clients
            .get(&socket.session.handle())
            .map(|c| c.clone())
    }

    fn namespace(&self, name: &str) -> Option<Arc<Namespace>> {
        self.namespaces.get(name).map(|n| n.clone())
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

    /// Lets a pending socket in: it joins its own room and gets the CONNECT reply.
    /// False when its connection went away meanwhile.
    pub fn accept(&self, handle: u32) -> bool {
        let Some(socket) = self.socket(handle) else {
            return false;
        };
        let (Some(namespace), Some(client)) =
            (self.namespace(&socket.nsp), self.client_of(&socket))
        else {
            return false;
        };
        if socket.session.is_closed()
            || !socket.transition(SocketState::Pending, SocketState::Connected)
        {
            return false;
        }
        namespace
            .adapter
            .add_all(handle, &[Room::from(&*socket.id)]);
        namespace.sockets.insert(handle, socket.clone());
        client.cancel_connect_timer();
        let reply = format!(r#"{{"sid":{}}}"#, serde_json::Value::from(&*socket.id));
        self.send_for_app(
            &socket.session,
            encode(PacketType::Connect, &socket.nsp, None, &reply, &[]),
        )
    }

    /// Turns a pending socket away with a CONNECT_ERROR carrying `data` (JSON).
    pub fn refuse(&self, handle: u32, data: &str) {
        let Some(socket) = self.socket(handle) else {
            return;
        };
        socket.close();
        self.release(handle);
        if let Some(client) = self.client_of(&socket) {
            client.remove_socket(handle);
        }
        self.send_for_app(
            &socket.session,
            encode(PacketType::ConnectError, &socket.nsp, None, data, &[]),
        );
    }

    /// Sends an EVENT or ACK to one socket; `volatile` drops it if the transport is busy.
    /// False when the connection's outbound queue is at or above its high-water mark:
    /// the application then hears `drain` once it is below again.
    pub fn emit(
        &self,
        handle: u32,
        kind: PacketType,
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
        volatile: bool,
    ) -> bool {
        let (Some(socket), Some(engine)) = (self.socket(handle), self.engine()) else {
            return true;
        };
        if socket.state() == SocketState::Closed {
            return true;
        }
        let packets = encode(kind, &socket.nsp, id, data, attachments);
        send_emitted(&engine, &socket.session, packets, volatile);
        !engine.congested(&socket.session)
    }

    /// Sends one EVENT to every socket `opts` reaches in `nsp`; returns how many got it.
    pub fn broadcast(
        &self,
        nsp: &str,
        opts: &BroadcastOptions,
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
    ) -> usize {
        let (Some(namespace), Some(engine)) = (self.namespace(nsp), self.engine()) else {
            return 0;
        };
        let packets = encode(PacketType::Event, nsp, id, data, attachments);
        namespace
            .adapter
            .broadcast(&packets, opts, &namespace.recipients(&engine))
    }

    /// Sends one EVENT to each of `handles` (resolved by the caller); returns how many
    /// got it.
    pub fn emit_to(
        &self,
        handles: &[u32],
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
        volatile: bool,
    ) -> usize {
        let Some(engine) = self.engine() else {
            return 0;
        };
        let mut packets: Option<(Box<str>, Encoded)> = None;
        let mut delivered = 0;
        for socket in handles.iter().filter_map(|&handle| self.socket(handle)) {
            if socket.state() != SocketState::Connected {
                continue;
            }
            // Encoded once per namespace (every handle normally shares one).
            if packets.as_ref().is_none_or(|(nsp, _)| *nsp != socket.nsp) {
                let encoded = encode(PacketType::Event, &socket.nsp, id, data, attachments);
                packets = Some((socket.nsp.clone(), encoded));
            }
            let (_, encoded) = packets.as_ref().expect("encoded above");
            if send_emitted(&engine, &socket.session, encoded.iter().cloned(), volatile) {
                delivered += 1;
            }
        }
        delivered
    }

    /// The connected sockets `opts` reaches in `nsp`, by handle.
    pub fn targets(&self, nsp: &str, opts: &BroadcastOptions) -> Vec<u32> {
        let (Some(namespace), Some(engine)) = (self.namespace(nsp), self.engine()) else {
            return Vec::new();
        };
        namespace
            .adapter
            .targets(opts, &namespace.recipients(&engine))
    }

    pub fn join(&self, handle: u32, rooms: &[Room]) {
        if let Some((socket, namespace)) = self.with_namespace(handle) {
            if socket.state() != SocketState::Closed {
                namespace.adapter.add_all(handle, rooms);
            }
        }
    }

    pub fn leave(&self, handle: u32, room: &str) {
        if let Some((_, namespace)) = self.with_namespace(handle) {
            namespace.adapter.del(handle, room);
        }
    }

    pub fn rooms(&self, handle: u32) -> Vec<Room> {
        self.with_namespace(handle)
            .map(|(_, namespace)| namespace.adapter.socket_rooms(handle))
            .unwrap_or_default()
    }

    /// Every room of `nsp` with the ids of its members.
    pub fn namespace_rooms(&self, nsp: &str) -> Vec<(Room, Vec<u32>)> {
        self.namespace(nsp)
            .map(|namespace| namespace.adapter.rooms())
            .unwrap_or_default()
    }

    fn with_namespace(&self, handle: u32) -> Option<(Arc<Socket>, Arc<Namespace>)> {
        let socket = self.socket(handle)?;
        let namespace = self.namespace(&socket.nsp)?;
        Some((socket, namespace))
    }

    /// Disconnects a socket from the server side, with a DISCONNECT packet unless the
    /// whole server is shutting down. The application then calls [`Server::release`].
    pub fn disconnect(&self, handle: u32, send_packet: bool) {
        let Some(socket) = self.socket(handle) else {
            return;
        };
        if self.close_socket(&socket, None) && send_packet {
            self.send_for_app(
                &socket.session,
                encode(PacketType::Disconnect, &socket.nsp, None, "", &[]),
            );
        }
    }

    /// Forgets a closed socket: it leaves all its rooms.
    pub fn release(&self, handle: u32) {
        if let Some((_, socket)) = self.sockets.remove(&handle) {
            if let Some(namespace) = self.namespace(&socket.nsp) {
                namespace.adapter.del_all(handle);
                namespace.sockets.remove(&handle);
            }
        }
    }

    /// Closes a client's connection (`socket.disconnect(true)`, protocol violations).
    pub fn close_client(&self, session: &Arc<Session>, reason: &str) {
        // Forgotten now, as the reference's client stops listening to its connection.
        let Some((_, client)) = self.clients.remove(&session.handle()) else {
            return;
        };
        client.cancel_connect_timer();
        debug!(self, Log::Client, "forcing transport close");
        // In the reference, a transport that can close at once does so before the client
        // notices, so its sockets hear the engine's reason instead.
        let reason = if session.is_writable() {
            CloseReason::ForcedClose.as_str()
        } else {
            reason
        };
        debug!(self, Log::Client, "client close with reason {reason}");
        self.close_sockets(&client, reason.into());
        if let Some(engine) = self.engine() {
            engine.close(session);
        }
    }

    /// Marks a socket closed and takes it out of its client and namespace; with a
    /// reason, the application hears of it. False if it was already closed.
    fn close_socket(&self, socket: &Arc<Socket>, reason: Option<DisconnectReason<'_>>) -> bool {
        if !socket.close() {
            return false;
        }
        if let Some(namespace) = self.namespace(&socket.nsp) {
            namespace.sockets.remove(&socket.handle);
        }
        if let Some(client) = self.client_of(socket) {
            client.remove_socket(socket.handle);
        }
        if let Some(reason) = reason {
            self.events.disconnect(socket, reason);
        }
        true
    }

    fn close_sockets(&self, client: &Client, reason: DisconnectReason<'_>) {
        let handles: Vec<u32> = client.sockets.lock().iter().map(|(_, h)| *h).collect();
        for handle in handles {
            if let Some(socket) = self.socket(handle) {
                self.close_socket(&socket, Some(reason));
            }
        }
    }

    fn start_connect_timer(&self, client: &Arc<Client>) {
        let Some(engine) = self.engine() else { return };
        let server = self.me.clone();
        let session = Arc::downgrade(&client.session);
        let wait = self.config.connect_timeout;
        let timer = engine.runtime().spawn(async move {
            tokio::time::sleep(wait).await;
            if let (Some(server), Some(session)) = (server.upgrade(), session.upgrade()) {
                debug!(
                    server,
                    Log::Client,
                    "no namespace joined yet, close the client"
                );
                server.close_client(&session, "forced server close");
            }
        });
        *client.connect_timer.lock() = Some(timer.abort_handle());
    }

    fn on_text(&self, client: &Arc<Client>, text: &str) {
        if client.reassembly.lock().is_some() {
            return self.on_decode_error(client, DecodeError::UnexpectedText);
        }
        match parser::decode(text) {
            Err(error) => self.on_decode_error(client, error),
            // The decoder refuses a binary packet announcing no attachment.
            Ok(packet) if packet.kind.is_binary() => {
                *client.reassembly.lock() = Some(Reassembly::new(&packet));
            }
            Ok(packet) => self.route(client, packet.kind, packet.nsp, packet.id, packet.data, &[]),
        }
    }

    fn on_binary(&self, client: &Arc<Client>, bytes: Bytes) {
        let complete = {
            let mut pending = client.reassembly.lock();
            let Some(reassembly) = pending.as_mut() else {
                drop(pending);
                return self.on_decode_error(client, DecodeError::UnexpectedBinary);
            };
            if let Err(error) = reassembly.push(bytes) {
                pending.take();
                drop(pending);
                return self.on_decode_error(client, error);
            }
            if reassembly.is_complete() {
                pending.take()
            } else {
                None
            }
        };
        if let Some(packet) = complete {
            let data = (!packet.data.is_empty()).then_some(packet.data.as_str());
            self.route(
                client,
                packet.kind,
                &packet.nsp,
                packet.id,
                data,
                &packet.attachments,
            );
        }
    }

    /// Undecodable input: every socket of the client hears the error, then the
    /// connection closes (its sockets then disconnect with `"forced close"`).
    fn on_decode_error(&self, client: &Arc<Client>, error: DecodeError) {
        debug!(self, Log::Client, "invalid packet format");
        let handles: Vec<u32> = client.sockets.lock().iter().map(|(_, h)| *h).collect();
        for handle in handles {
            if let Some(socket) = self.socket(handle) {
                self.events.error(&socket, error.message());
            }
        }
        if let Some(engine) = self.engine() {
            engine.close(&client.session);
        }
    }

    fn route(
        &self,
        client: &Arc<Client>,
        kind: PacketType,
        nsp: &str,
        id: Option<u64>,
        data: Option<&str>,
        attachments: &[Bytes],
    ) {
        let socket = client.socket_for(nsp).and_then(|h| self.socket(h));
        match (socket, kind) {
            (None, PacketType::Connect) => self.on_connect_request(client, nsp, data),
            (Some(socket), PacketType::Disconnect) if socket.state() == SocketState::Connected => {
                debug!(
                    self,
                    Log::Socket,
                    r#"got packet {{"type":{},"nsp":{}}}"#,
                    PacketType::Disconnect as u8,
                    serde_json::Value::from(nsp)
                );
                debug!(self, Log::Socket, "got disconnect packet");
                self.close_socket(&socket, Some("client namespace disconnect".into()));
            }
            (Some(socket), PacketType::Event | PacketType::Ack)
                if socket.state() == SocketState::Connected =>
            {
                self.events
                    .packet(&socket, kind, id, data.unwrap_or_default(), attachments);
            }
            _ => {
                debug!(
                    self,
                    Log::Client,
                    "invalid state (packet type: {})",
                    kind as u8
                );
                self.close_client(&client.session, "forced server close");
            }
        }
    }

    fn on_connect_request(&self, client: &Arc<Client>, nsp: &str, auth: Option<&str>) {
        if !self.namespaces.contains_key(nsp) && !self.dynamic_namespaces.load(Ordering::Acquire) {
            debug!(self, Log::Client, "creation of namespace {nsp} was denied");
            let refusal = r#"{"message":"Invalid namespace"}"#;
            self.send_packets(
                &client.session,
                encode(PacketType::ConnectError, nsp, None, refusal, &[]),
            );
            return;
        }
        let handle = self.next_socket.fetch_add(1, Ordering::Relaxed);
        let socket = Arc::new(Socket::new(
            handle,
            sid::generate().into_boxed_str(),
            nsp.into(),
            client.session.clone(),
        ));
        self.sockets.insert(handle, socket.clone());
        client.sockets.lock().push((nsp.into(), handle));
        self.events.connect_request(&socket, auth);
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
