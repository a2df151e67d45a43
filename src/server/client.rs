//! A Socket.IO client (socket.io's `client.ts`): one engine session and the sockets it
//! opened, one per namespace; and how the server decodes and routes its packets.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::task::AbortHandle;

use crate::engine::Session;
use crate::parser::Reassembly;

use super::debug::Log;
use super::socket::{Socket, SocketState};
use super::{DisconnectReason, Server};
use crate::engine::debug::debug;
use crate::engine::CloseReason;
use crate::parser::{self, DecodeError, PacketType};
use bytes::Bytes;

pub struct Client {
    pub session: Arc<Session>,
    /// Namespace name → socket handle.
    pub sockets: Mutex<Vec<(Box<str>, u32)>>,
    /// A binary packet waiting for its attachments.
    pub reassembly: Mutex<Option<Reassembly>>,
    /// Closes the connection if no namespace is joined in time.
    pub connect_timer: Mutex<Option<AbortHandle>>,
}

impl Client {
    pub fn new(session: Arc<Session>) -> Self {
        Client {
            session,
            sockets: Mutex::new(Vec::new()),
            reassembly: Mutex::new(None),
            connect_timer: Mutex::new(None),
        }
    }

    pub fn socket_for(&self, nsp: &str) -> Option<u32> {
        self.sockets
            .lock()
            .iter()
            .find(|(name, _)| name.as_ref() == nsp)
            .map(|(_, handle)| *handle)
    }

    pub fn remove_socket(&self, handle: u32) {
        self.sockets.lock().retain(|(_, socket)| *socket != handle);
    }

    pub fn cancel_connect_timer(&self) {
        if let Some(timer) = self.connect_timer.lock().take() {
            timer.abort();
        }
    }
}

impl Server {
    pub(super) fn client_of(&self, socket: &Socket) -> Option<Arc<Client>> {
        self.clients
            .get(&socket.session.handle())
            .map(|c| c.clone())
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

    pub(super) fn close_sockets(&self, client: &Client, reason: DisconnectReason<'_>) {
        let handles: Vec<u32> = client.sockets.lock().iter().map(|(_, h)| *h).collect();
        for handle in handles {
            if let Some(socket) = self.socket(handle) {
                self.close_socket(&socket, Some(reason));
            }
        }
    }

    pub(super) fn start_connect_timer(&self, client: &Arc<Client>) {
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

    pub(super) fn on_text(&self, client: &Arc<Client>, text: &str) {
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

    pub(super) fn on_binary(&self, client: &Arc<Client>, bytes: Bytes) {
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
    pub(super) fn on_decode_error(&self, client: &Arc<Client>, error: DecodeError) {
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

    pub(super) fn route(
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
}
