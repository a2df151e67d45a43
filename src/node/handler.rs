//! What the engine (and, through `ServerEvents`, the Socket.IO core) tells JS: each event
//! becomes a record of the batched queue.

use std::fmt;
use std::sync::Arc;

use napi_derive::napi;

use super::events::{EventKind, EventQueue};
use crate::attach::listener::ListenerEvents;
use crate::engine::debug::{self, Namespaces};
use crate::engine::{CloseReason, EngineHandler, Message, Session, Transport};

/// Every debug namespace Rust writes to, for JS to tell which of them print.
#[napi(catch_unwind)]
pub fn debug_namespaces() -> Vec<&'static str> {
    let engine = debug::Log::ALL.iter().map(|namespace| namespace.name());
    let server = crate::server::debug::Log::ALL
        .iter()
        .map(|namespace| namespace.name());
    engine.chain(server).collect()
}

/// Forwards engine (and, through `ServerEvents`, Socket.IO) events to JS.
pub(super) struct JsEvents {
    pub(super) queue: Arc<EventQueue>,
}

/// The records, from plain values (what the trait methods below and `goldenBatch()` write).
impl JsEvents {
    pub(super) fn push_open(&self, handle: u32, websocket: bool, sid: &str) {
        let transport = [websocket as u8];
        self.queue
            .push(EventKind::Open, handle, &[&transport, sid.as_bytes()]);
    }

    /// A close (`Close`, `SocketDisconnect`): its reason, NUL, its description.
    pub(super) fn push_reason(
        &self,
        kind: EventKind,
        handle: u32,
        reason: &str,
        description: &str,
    ) {
        self.queue.push(
            kind,
            handle,
            &[reason.as_bytes(), b"\0", description.as_bytes()],
        );
    }

    pub(super) fn push_debug(&self, namespace: &'static str, message: fmt::Arguments<'_>) {
        let message = message.to_string();
        self.queue.push(
            EventKind::Debug,
            0,
            &[namespace.as_bytes(), b"\0", message.as_bytes()],
        );
    }
}

impl EngineHandler for JsEvents {
    fn on_open(&self, session: &Arc<Session>) {
        let websocket = session.transport() == Transport::WebSocket;
        self.push_open(session.handle(), websocket, session.sid());
    }

    fn on_message(&self, session: &Arc<Session>, message: Message<'_>) {
        match message {
            Message::Text(text) => {
                self.queue
                    .push(EventKind::Text, session.handle(), &[text.as_bytes()])
            }
            Message::Binary(bytes) => {
                self.queue
                    .push(EventKind::Binary, session.handle(), &[&bytes])
            }
        }
    }

    fn on_upgrade(&self, session: &Arc<Session>) {
        self.queue.push(EventKind::Upgrade, session.handle(), &[]);
    }

    fn announces_open(&self) -> bool {
        true
    }

    fn on_close(&self, session: &Arc<Session>, reason: CloseReason) {
        let description = reason.description().unwrap_or_default();
        self.push_reason(
            EventKind::Close,
            session.handle(),
            reason.as_str(),
            description,
        );
    }

    fn on_drain(&self, session: &Arc<Session>) {
        self.queue.push(EventKind::Drain, session.handle(), &[]);
    }

    fn on_abandoned(&self, handle: u32) {
        self.queue.push(EventKind::Abandoned, handle, &[]);
    }

    fn on_debug(&self, namespace: &'static str, message: fmt::Arguments<'_>) {
        self.push_debug(namespace, message);
    }
}

impl ListenerEvents for JsEvents {
    fn hand_off(&self, stream: std::net::TcpStream) {
        #[cfg(unix)]
        {
            use std::os::fd::IntoRawFd;
            let fd = stream.into_raw_fd();
            self.queue.push(EventKind::HandOff, fd as u32, &[]);
        }
        #[cfg(not(unix))]
        drop(stream);
    }

    fn handshake_request(
        &self,
        handle: u32,
        head: &[u8],
        remote: std::net::SocketAddr,
        local: std::net::SocketAddr,
    ) {
        let addresses = format!(
            "{}\0{}\0{}\0{}\0",
            remote.ip(),
            remote.port(),
            local.ip(),
            local.port()
        );
        self.queue
            .push(EventKind::Accepted, handle, &[addresses.as_bytes(), head]);
    }
}
