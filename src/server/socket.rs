//! A Socket.IO socket (socket.io's `socket.ts`): one client's membership in one
//! namespace; and what the server does for one socket: emits, rooms, disconnects.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use super::{encode, send_emitted, DisconnectReason, Server};
use crate::adapter::Room;
use crate::engine::Session;
use crate::parser::PacketType;
use bytes::Bytes;

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

impl Server {
    pub fn socket(&self, handle: u32) -> Option<Arc<Socket>> {
        self.sockets.get(&handle).map(|s| s.clone())
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

    /// Marks a socket closed and takes it out of its client and namespace; with a
    /// reason, the application hears of it. False if it was already closed.
    pub(super) fn close_socket(
        &self,
        socket: &Arc<Socket>,
        reason: Option<DisconnectReason<'_>>,
    ) -> bool {
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
}
