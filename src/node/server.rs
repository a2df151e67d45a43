//! The Socket.IO half of `NativeEngine`: namespaces, the connect flow, emits, broadcasts
//! and rooms, plus the `ServerEvents` that reach JS.

use std::sync::Arc;

use bytes::Bytes;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use smallvec::{smallvec, SmallVec};

use super::engine::NativeEngine;
use super::events::EventKind;
use super::handler::JsEvents;
use crate::adapter::{BroadcastOptions, Room};
use crate::engine::{CloseReason, Session};
use crate::parser::{PacketType, JSON_WHITESPACE};
use crate::server::{DisconnectReason, Server, ServerEvents, Socket};

#[napi(object)]
pub struct RoomMembers {
    pub room: String,
    pub sockets: Vec<u32>,
}

impl ServerEvents for JsEvents {
    fn engine_open(&self, session: &Arc<Session>) {
        crate::engine::EngineHandler::on_open(self, session);
    }

    fn engine_upgrade(&self, session: &Arc<Session>) {
        crate::engine::EngineHandler::on_upgrade(self, session);
    }

    fn engine_close(&self, session: &Arc<Session>, reason: CloseReason) {
        crate::engine::EngineHandler::on_close(self, session, reason);
    }

    fn engine_abandoned(&self, handle: u32) {
        crate::engine::EngineHandler::on_abandoned(self, handle);
    }

    fn engine_announces_open(&self) -> bool {
        crate::engine::EngineHandler::announces_open(self)
    }

    fn connect_request(&self, socket: &Socket, auth: Option<&str>) {
        let engine_handle = socket.session.handle();
        self.push_connect(socket.handle, engine_handle, &socket.id, &socket.nsp, auth);
    }

    fn packet(
        &self,
        socket: &Socket,
        kind: PacketType,
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
    ) {
        self.push_packet(socket.handle, kind, id, data, attachments);
    }

    fn disconnect(&self, socket: &Socket, reason: DisconnectReason<'_>) {
        let description = reason.description.unwrap_or_default();
        let kind = EventKind::SocketDisconnect;
        self.push_reason(kind, socket.handle, reason.reason, description);
    }

    fn engine_drain(&self, session: &Arc<Session>) {
        crate::engine::EngineHandler::on_drain(self, session);
    }

    fn error(&self, socket: &Socket, message: &str) {
        self.queue
            .push(EventKind::SocketError, socket.handle, &[message.as_bytes()]);
    }

    fn debug(&self, namespace: &'static str, message: std::fmt::Arguments<'_>) {
        self.push_debug(namespace, message);
    }
}

/// An event's JSON with one more argument, `0`, in two pieces: JS puts the ack callback
/// in that slot (appending to the parsed array would make V8 reallocate its elements).
/// The parser checked that a payload, if any, is a JSON array with an event name.
/// The Socket.IO records, from plain values (see [`JsEvents::push_open`]).
impl JsEvents {
    /// A connect request: engine handle, socket id (20 bytes), namespace length,
    /// namespace, auth JSON.
    pub(super) fn push_connect(
        &self,
        handle: u32,
        engine_handle: u32,
        id: &str,
        nsp: &str,
        auth: Option<&str>,
    ) {
        let engine_handle = engine_handle.to_le_bytes();
        let nsp_length = (nsp.len() as u32).to_le_bytes();
        self.queue.push(
            EventKind::SocketConnect,
            handle,
            &[
                &engine_handle,
                id.as_bytes(),
                &nsp_length,
                nsp.as_bytes(),
                auth.unwrap_or_default().as_bytes(),
            ],
        );
    }

    /// An EVENT or ACK: its JSON (an event wanting an ack gets a last slot for the
    /// callback), the ack id (NaN for none), then the attachments.
    pub(super) fn push_packet(
        &self,
        handle: u32,
        kind: PacketType,
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
    ) {
        let (kind, json) = match (kind, id) {
            (PacketType::Ack, _) => (EventKind::SocketAck, [data, ""]),
            (_, None) => (EventKind::SocketEvent, [data, ""]),
            (_, Some(_)) => (EventKind::SocketEvent, with_ack_slot(data)),
        };
        // An ack without data is one with no arguments.
        let json = if json[0].is_empty() { ["[]", ""] } else { json };
        let id = id.map_or(f64::NAN, |id| id as f64).to_le_bytes();
        let count = (attachments.len() as u32).to_le_bytes();
        // Without attachments (most events) neither list allocates.
        let lengths: Vec<[u8; 4]> = attachments
            .iter()
            .map(|a| (a.len() as u32).to_le_bytes())
            .collect();
        let mut parts: SmallVec<[&[u8]; 4]> = smallvec![&id[..], &count[..]];
        for (length, attachment) in lengths.iter().zip(attachments) {
            parts.push(length);
            parts.push(attachment);
        }
        self.queue
            .push_with_json(kind, handle, &parts, &json.map(str::as_bytes));
    }
}

fn with_ack_slot(data: &str) -> [&str; 2] {
    match data.trim_end_matches(JSON_WHITESPACE).strip_suffix(']') {
        Some(open) => [open, ",0]"],
        None => ["[", "0]"],
    }
}

/// The packet types the facade's debug line of a received packet names
/// (`got packet {"type":2,...}`).
#[napi(object)]
pub struct PacketTypes {
    pub event: u32,
    pub ack: u32,
}

#[napi(catch_unwind)]
pub fn packet_types() -> PacketTypes {
    PacketTypes {
        event: PacketType::Event as u32,
        ack: PacketType::Ack as u32,
    }
}

fn rooms(names: Vec<String>) -> Vec<Room> {
    names.into_iter().map(Room::from).collect()
}

fn options(rooms_in: Vec<String>, except: Vec<String>, volatile: bool) -> BroadcastOptions {
    BroadcastOptions {
        rooms: rooms(rooms_in),
        except: rooms(except),
        volatile,
    }
}

fn attachments(buffers: Option<Vec<Buffer>>) -> Vec<Bytes> {
    buffers
        .unwrap_or_default()
        .iter()
        .map(|buffer| Bytes::copy_from_slice(buffer))
        .collect()
}

fn ack_id(id: Option<f64>) -> Option<u64> {
    id.filter(|id| id.is_finite() && *id >= 0.0)
        .map(|id| id as u64)
}

impl NativeEngine {
    fn sio(&self) -> napi::Result<&Arc<Server>> {
        self.server
            .as_ref()
            .ok_or_else(|| napi::Error::from_reason("this engine does not serve Socket.IO"))
    }
}

#[napi]
impl NativeEngine {
    #[napi(catch_unwind)]
    pub fn register_namespace(&self, name: String) -> napi::Result<()> {
        self.sio()?.register_namespace(&name);
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn remove_namespace(&self, name: String) -> napi::Result<()> {
        self.sio()?.remove_namespace(&name);
        Ok(())
    }

    /// Whether unknown namespaces are offered to JS (dynamic namespaces exist).
    #[napi(catch_unwind)]
    pub fn set_dynamic_namespaces(&self, enabled: bool) -> napi::Result<()> {
        self.sio()?.set_dynamic_namespaces(enabled);
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn accept(&self, socket: u32) -> napi::Result<bool> {
        Ok(self.sio()?.accept(socket))
    }

    #[napi(catch_unwind)]
    pub fn refuse(&self, socket: u32, data: String) -> napi::Result<()> {
        self.sio()?.refuse(socket, &data);
        Ok(())
    }

    /// Sends an EVENT (or an ACK when `is_ack`) to one socket.
    #[napi(catch_unwind)]
    pub fn emit(
        &self,
        socket: u32,
        is_ack: bool,
        id: Option<f64>,
        data: String,
        binary: Option<Vec<Buffer>>,
        volatile: bool,
    ) -> napi::Result<bool> {
        let kind = if is_ack {
            PacketType::Ack
        } else {
            PacketType::Event
        };
        Ok(self.sio()?.emit(
            socket,
            kind,
            ack_id(id),
            &data,
            &attachments(binary),
            volatile,
        ))
    }

    /// Sends a burst of ACKs, in order: each is three fields, the socket's handle, the ack
    /// id and the JSON, and NUL (which JSON text never holds raw) ends every field but
    /// the last. An ack with attachments has their count after its handle (`7:2`), and
    /// takes that many of `binary`, in order.
    #[napi(catch_unwind)]
    pub fn emit_acks(&self, acks: String, binary: Option<Vec<Buffer>>) -> napi::Result<()> {
        let server = self.sio()?;
        let binary = attachments(binary);
        let mut taken = 0;
        let mut fields = acks.split('\0');
        while let (Some(socket), Some(id), Some(data)) =
            (fields.next(), fields.next(), fields.next())
        {
            let (socket, count) = socket.split_once(':').unwrap_or((socket, "0"));
            let count: usize = count.parse().unwrap_or(0);
            let Some(own) = binary.get(taken..taken + count) else {
                break;
            };
            taken += count;
            if let (Ok(socket), Ok(id)) = (socket.parse(), id.parse()) {
                server.emit(socket, PacketType::Ack, Some(id), data, own, false);
            }
        }
        Ok(())
    }

    /// Sends one EVENT to the sockets of `nsp` in `rooms` (all when empty) but not in
    /// `except`; returns how many sockets got it.
    #[napi(catch_unwind)]
    #[allow(clippy::too_many_arguments)]
    pub fn broadcast(
        &self,
        nsp: String,
        rooms_in: Vec<String>,
        except: Vec<String>,
        id: Option<f64>,
        data: String,
        binary: Option<Vec<Buffer>>,
        volatile: bool,
    ) -> napi::Result<u32> {
        let opts = options(rooms_in, except, volatile);
        let count = self
            .sio()?
            .broadcast(&nsp, &opts, ack_id(id), &data, &attachments(binary));
        Ok(count as u32)
    }

    /// Sends one EVENT to each of `sockets`; returns how many got it.
    #[napi(catch_unwind)]
    pub fn emit_to(
        &self,
        sockets: Vec<u32>,
        id: Option<f64>,
        data: String,
        binary: Option<Vec<Buffer>>,
        volatile: bool,
    ) -> napi::Result<u32> {
        let count =
            self.sio()?
                .emit_to(&sockets, ack_id(id), &data, &attachments(binary), volatile);
        Ok(count as u32)
    }

    /// The connected sockets of `nsp` a broadcast to `rooms` except `except` reaches.
    #[napi(catch_unwind)]
    pub fn targets(
        &self,
        nsp: String,
        rooms_in: Vec<String>,
        except: Vec<String>,
    ) -> napi::Result<Vec<u32>> {
        let opts = options(rooms_in, except, false);
        Ok(self.sio()?.targets(&nsp, &opts))
    }

    #[napi(catch_unwind)]
    pub fn join(&self, socket: u32, rooms_in: Vec<String>) -> napi::Result<()> {
        self.sio()?.join(socket, &rooms(rooms_in));
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn leave(&self, socket: u32, room: String) -> napi::Result<()> {
        self.sio()?.leave(socket, &room);
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn socket_rooms(&self, socket: u32) -> napi::Result<Vec<String>> {
        Ok(self
            .sio()?
            .rooms(socket)
            .iter()
            .map(|room| room.to_string())
            .collect())
    }

    #[napi(catch_unwind)]
    pub fn namespace_rooms(&self, nsp: String) -> napi::Result<Vec<RoomMembers>> {
        Ok(self
            .sio()?
            .namespace_rooms(&nsp)
            .into_iter()
            .map(|(room, sockets)| RoomMembers {
                room: room.to_string(),
                sockets,
            })
            .collect())
    }

    /// Server-side disconnect of one socket (DISCONNECT packet unless shutting down).
    #[napi(catch_unwind)]
    pub fn disconnect(&self, socket: u32, send_packet: bool) -> napi::Result<()> {
        self.sio()?.disconnect(socket, send_packet);
        Ok(())
    }

    /// Forgets a closed socket: it leaves its rooms.
    #[napi(catch_unwind)]
    pub fn release(&self, socket: u32) -> napi::Result<()> {
        self.sio()?.release(socket);
        Ok(())
    }

    /// Closes a whole client connection; its sockets disconnect with `reason`.
    #[napi(catch_unwind)]
    pub fn close_client(&self, engine_handle: u32, reason: String) -> napi::Result<()> {
        let server = self.sio()?;
        if let Some(session) = self.engine.session(engine_handle) {
            server.close_client(&session, &reason);
        }
        Ok(())
    }
}
