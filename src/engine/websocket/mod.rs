//! The WebSocket transport: the RFC 6455 server handshake (answered the way the `ws`
//! package answers it), WebSocket-only sessions, and the upgrade of a polling session.
//!
//! Each connection is one task that both reads frames and writes what the session
//! queued, coalescing queued packets into one flush. While it is not writing, whoever
//! queues packets on a TCP connection may write them itself (`direct`).

mod direct;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use super::config::Transport;
use super::debug::{debug, Log};
use super::error::{CloseReason, ErrorCode, TransportFault};
use super::packet::{self, Incoming, Outgoing};
use super::request::EngineQuery;
use super::session::{PollWaiter, ReadyState, Session, State};
use super::Engine;
pub use direct::{DirectTcpStream, DirectWrite};

/// How often a parked GET is released with a noop while an upgrade is being probed.
const UPGRADE_NOOP_PERIOD: Duration = Duration::from_millis(100);
/// How long a closing connection may take to write its close frame.
const CLOSE_FRAME_TIMEOUT: Duration = Duration::from_secs(1);
const READ_BUFFER_SIZE: usize = 1024;
const WRITE_BUFFER_SIZE: usize = 16 * 1024;
/// Writing to the WebSocket failed (the reference's "write error").
const WRITE_ERROR: CloseReason = CloseReason::TransportError(TransportFault::WriteError);

/// The parts of an HTTP upgrade request the WebSocket transport needs.
#[derive(Debug, Default, Clone)]
pub struct UpgradeRequest {
    pub method: String,
    pub url: String,
    pub upgrade: Option<String>,
    pub key: Option<String>,
    pub version: Option<String>,
    /// Extra response headers (`Name: value\r\n` each) from the `headers` hooks.
    pub extra_headers: String,
    /// The session id to use for a handshake (`engine.generateId`), if not random.
    pub sid: Option<String>,
}

/// An upgrade the `ws` package would refuse: status, message and extra header.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: &'static str,
    pub extra_header: Option<&'static str>,
}

fn is_valid_key(key: &str) -> bool {
    // ws: /^[+/0-9A-Za-z]{22}==$/
    let bytes = key.as_bytes();
    bytes.len() == 24
        && bytes.ends_with(b"==")
        && bytes[..22]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

impl UpgradeRequest {
    /// Checks the request the way `ws`'s `handleUpgrade` does.
    pub fn validate(&self) -> Result<&str, Refusal> {
        let refuse = |status, message, extra_header| Refusal {
            status,
            message,
            extra_header,
        };
        if self.method != "GET" {
            return Err(refuse(405, "Invalid HTTP method", None));
        }
        if !self
            .upgrade
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
        {
            return Err(refuse(400, "Invalid Upgrade header", None));
        }
        let key = self.key.as_deref().filter(|key| is_valid_key(key));
        let Some(key) = key else {
            return Err(refuse(
                400,
                "Missing or invalid Sec-WebSocket-Key header",
                None,
            ));
        };
        let version = self.version.as_deref().map(str::trim);
        if !matches!(version, Some("13") | Some("8")) {
            return Err(refuse(
                400,
                "Missing or invalid Sec-WebSocket-Version header",
                Some("Sec-WebSocket-Version: 13, 8\r\n"),
            ));
        }
        Ok(key)
    }
}

/// A raw HTTP error response on an upgrade connection, as `ws` and engine.io write it.
fn error_response(status: u16, message: &str, extra_header: Option<&str>) -> String {
    let reason = match status {
        405 => "Method Not Allowed",
        _ => "Bad Request",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-type: text/html\r\nContent-Length: {}\r\n{}\r\n{message}",
        message.len(),
        extra_header.unwrap_or_default(),
    )
}

fn switching_protocols(key: &str, extra_headers: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n{extra_headers}\r\n",
        derive_accept_key(key.as_bytes())
    )
}

fn ws_config(max_payload: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_SIZE)
        .write_buffer_size(WRITE_BUFFER_SIZE)
        .max_message_size(Some(max_payload))
        .max_frame_size(Some(max_payload))
}

/// Why a session ends when reading its WebSocket fails. A connection that ends without a
/// close frame (the client's process killed, a reset, `ws.terminate()`) is a `"transport
/// close"`, as `ws` reports it to the reference; frames it cannot read are an error.
fn read_error_reason(error: &WsError) -> CloseReason {
    use tokio_tungstenite::tungstenite::error::ProtocolError;
    match error {
        WsError::Io(_)
        | WsError::ConnectionClosed
        | WsError::AlreadyClosed
        | WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            CloseReason::TransportClose
        }
        _ => CloseReason::TransportError(TransportFault::Protocol),
    }
}

fn to_message(packet: Outgoing) -> Message {
    match packet {
        Outgoing::Text(text) => Message::Text(text),
        Outgoing::Binary(bytes) => Message::Binary(bytes),
    }
}

/// How an upgrade's probe ended.
enum Probe {
    /// The client sent the upgrade packet.
    Upgraded,
    /// The client sent something else.
    Refused,
    /// The new transport closed, or the session did.
    Failed(&'static str),
}

enum Target {
    /// A new session, with the id `generateId` chose, if any.
    Handshake(Option<String>),
    Upgrade(Arc<Session>),
    /// Accepted, then closed right away (the reference's `websocket.close()` cases).
    Reject,
}

impl Engine {
    /// The line for a refusal Rust writes (not the reference's: its HTTP server or `ws`
    /// write them silently).
    pub(crate) fn debug_refusal(&self, status: u16, message: &str) {
        debug!(
            self,
            Log::Engine,
            "request refused with {status}: {message}"
        );
    }

    /// The response refusing an upgrade, once its line is written.
    pub fn refuse_upgrade(&self, status: u16, message: &str, extra_header: Option<&str>) -> String {
        self.debug_refusal(status, message);
        error_response(status, message, extra_header)
    }

    /// Serves one upgrade request on `stream` (`head`: bytes already read past the
    /// request). A handshake opens the session with `handle`.
    pub fn serve_websocket<S>(
        self: Arc<Self>,
        stream: S,
        head: Bytes,
        request: UpgradeRequest,
        handle: u32,
    ) -> impl Future<Output = ()> + Send
    where
        S: AsyncRead + AsyncWrite + DirectWrite + Unpin + Send,
    {
        // Answered before the connection's future exists, so that nothing of the request
        // takes room in it for the connection's life.
        let (response, target) = self.answer(request);
        let pending = PendingHandshake {
            engine: self.clone(),
            handle,
            // Only a handshake uses the reserved handle: a refused one gives it up.
            settled: matches!(target, Some(Target::Upgrade(_) | Target::Reject)),
        };
        self.run_websocket(stream, head, response, target, pending)
    }

    async fn run_websocket<S>(
        self: Arc<Self>,
        mut stream: S,
        head: Bytes,
        response: String,
        target: Option<Target>,
        mut pending: PendingHandshake,
    ) where
        S: AsyncRead + AsyncWrite + DirectWrite + Unpin,
    {
        // A handshake's open packet (and initial packet) goes out with the 101 in one
        // write: one segment and one wake-up of the client instead of two.
        let mut response = response.into_bytes();
        let opened = match &target {
            Some(Target::Handshake(sid)) => {
                pending.settled = true;
                let session = self.open_session(Transport::WebSocket, pending.handle, sid.clone());
                if self.handler.announces_open() && !self.until_announced(&session).await {
                    return;
                }
                let (batch, bytes) = session.lock().outbox.take_batch();
                for packet in batch.iter() {
                    direct::append_frame(&mut response, packet);
                }
                Some((session, bytes))
            }
            _ => None,
        };
        let written = stream.write_all(&response).await.is_ok();
        drop(response);
        if let Some((session, bytes)) = &opened {
            if !written {
                return self.terminate(session, WRITE_ERROR);
            }
            let high_water = self.config.outbound_high_water_mark;
            let drained = session.lock().outbox.written(*bytes, high_water);
            self.notify_drained(session, drained);
        }
        let (true, Some(target)) = (written, target) else {
            return;
        };
        let config = ws_config(self.config.max_payload);
        let mut ws =
            WebSocketStream::from_partially_read(stream, head.into(), Role::Server, Some(config))
                .await;
        let session = match (target, opened) {
            (Target::Handshake(_), Some((session, _))) => session,
            (Target::Upgrade(session), _) => match self.upgrade(&session, &mut ws).await {
                true => session,
                false => return close_quietly(&mut ws, None).await,
            },
            _ => return close_quietly(&mut ws, None).await,
        };
        self.drive(&session, &mut ws).await;
    }

    /// Waits until the application was told of `session`; false if it closed first.
    async fn until_announced(&self, session: &Session) -> bool {
        loop {
            if session.is_closed() {
                return false;
            }
            if session.lock().announced {
                return true;
            }
            // `announced` and closing both wake the task; a wake before this wait is kept.
            session.wake.notified().await;
        }
    }

    /// The HTTP response to an upgrade request, and where the connection goes after
    /// it (nowhere after an error response).
    fn answer(&self, request: UpgradeRequest) -> (String, Option<Target>) {
        let key = match request.validate() {
            Ok(key) => key,
            Err(refusal) => {
                let response =
                    self.refuse_upgrade(refusal.status, refusal.message, refusal.extra_header);
                return (response, None);
            }
        };
        let accept = switching_protocols(key, &request.extra_headers);
        let query = EngineQuery::from_url(&request.url);
        let target = match query.session_id() {
            None if !query.supports_protocol() => {
                // The reference checks the protocol once `ws` has written its 101.
                debug!(self, Log::Engine, "unsupported protocol version");
                let code = ErrorCode::UnsupportedProtocolVersion;
                return (
                    accept + &self.refuse_upgrade(400, code.message(), None),
                    None,
                );
            }
            None => Target::Handshake(request.sid),
            Some(_) if query.transport.as_deref() != Some("websocket") => {
                debug!(
                    self,
                    Log::Engine,
                    "transport doesn't handle upgraded requests"
                );
                Target::Reject
            }
            Some(sid) => match self.session_by_sid(sid) {
                Some(session) => Target::Upgrade(session),
                None => {
                    debug!(self, Log::Engine, "upgrade attempt for closed client");
                    Target::Reject
                }
            },
        };
        (accept, Some(target))
    }

    /// Runs the probe of a polling session's upgrade; true once the client sent `5`.
    async fn upgrade<S>(&self, session: &Arc<Session>, ws: &mut WebSocketStream<S>) -> bool
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        {
            let mut state = session.lock();
            if let Some(refusal) = upgrade_refusal(&state) {
                drop(state);
                debug!(self, Log::Engine, "{refusal}");
                return false;
            }
            state.upgrading = true;
        }
        debug!(self, Log::Engine, "upgrading existing transport");
        debug!(
            self,
            Log::Socket,
            "might upgrade socket transport from \"polling\" to \"websocket\""
        );
        let probe = tokio::time::timeout(self.config.upgrade_timeout, self.probe(session, ws))
            .await
            // How the reference's line for a probe that timed out ends.
            .unwrap_or(Probe::Failed("closing transport"));
        let mut state = session.lock();
        state.upgrading = false;
        let failure = match probe {
            Probe::Upgraded if state.ready == ReadyState::Closed => Some("socket closed"),
            Probe::Upgraded => None,
            Probe::Refused => return false,
            Probe::Failed(why) => Some(why),
        };
        if let Some(why) = failure {
            drop(state);
            debug!(self, Log::Socket, "client did not complete upgrade - {why}");
            return false;
        }
        state.transport = Transport::WebSocket;
        state.upgraded = true;
        let parked = state.pending_get.take();
        drop(state);
        self.discard_polling(parked);
        self.handler.on_upgrade(session);
        true
    }

    /// Ends the polling transport of a session now on WebSocket: a parked GET gets a
    /// noop. With the reference's lines for its close.
    fn discard_polling(&self, parked: Option<PollWaiter>) {
        debug!(
            self,
            Log::Transport,
            "readyState updated from open to closing (polling)"
        );
        debug!(self, Log::Polling, "closing");
        match parked {
            Some(waiter) => {
                debug!(
                    self,
                    Log::Polling,
                    "transport writable - closing right away"
                );
                waiter(self.polling_write(packet::encode_payload([Outgoing::NOOP].iter())));
            }
            None => debug!(
                self,
                Log::Polling,
                "transport discarded - closing right away"
            ),
        }
        debug!(
            self,
            Log::Transport,
            "readyState updated from closing to closed (polling)"
        );
    }

    async fn probe<S>(&self, session: &Arc<Session>, ws: &mut WebSocketStream<S>) -> Probe
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let mut noop_ticker: Option<tokio::time::Interval> = None;
        loop {
            let tick = async {
                match noop_ticker.as_mut() {
                    Some(ticker) => ticker.tick().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                message = ws.next() => {
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                        Some(Ok(Message::Binary(_) | Message::Frame(_))) => return Probe::Refused,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => {
                            return Probe::Failed("transport closed");
                        }
                    };
                    debug!(self, Log::Ws, "received \"{text}\"");
                    match packet::decode_text(&text) {
                        Ok(Incoming::Ping("probe")) => {
                            debug!(self, Log::Socket, "got probe ping packet, sending pong");
                            if ws.send(to_message(Outgoing::PONG_PROBE)).await.is_err() {
                                return Probe::Failed("transport closed");
                            }
                            // The first noop a period after the probe, as the reference's
                            // `setInterval`: a GET parked until then still carries a close
                            // packet if the server closes meanwhile.
                            let first = tokio::time::Instant::now() + UPGRADE_NOOP_PERIOD;
                            noop_ticker =
                                Some(tokio::time::interval_at(first, UPGRADE_NOOP_PERIOD));
                        }
                        Ok(Incoming::Upgrade) => {
                            debug!(self, Log::Socket, "got upgrade packet - upgrading");
                            return Probe::Upgraded;
                        }
                        _ => return Probe::Refused,
                    }
                }
                _ = tick => self.release_parked_poll(session),
                _ = session.wake.notified() => {
                    if session.is_closed() {
                        return Probe::Failed("socket closed");
                    }
                }
            }
        }
    }

    /// Reads and writes the session's WebSocket until either side closes it.
    async fn drive<S>(&self, session: &Arc<Session>, ws: &mut WebSocketStream<S>)
    where
        S: AsyncRead + AsyncWrite + DirectWrite + Unpin,
    {
        let mut close_frame = None;
        let socket = ws.get_mut().publish(session);
        {
            let mut state = session.lock();
            if state.ready != ReadyState::Closed {
                state.socket = socket;
            }
        }
        // What was queued before the connection was ready (the open packet, or what
        // polling left) goes out first.
        self.write_or_wake(session);
        while !session.is_closed() {
            tokio::select! {
                biased;
                _ = session.wake.notified() => {
                    if !self.write_queued(session, ws, false).await {
                        break;
                    }
                }
                message = ws.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        debug!(self, Log::Ws, "received \"{text}\"");
                        self.on_text(session, &text);
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        debug!(self, Log::Ws, "received \"{}\"", String::from_utf8_lossy(&bytes));
                        self.on_packet(session, Incoming::Binary(bytes));
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {
                        // tungstenite queued the pong; get it out.
                        if !self.write_queued(session, ws, true).await {
                            break;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => {
                        self.terminate(session, CloseReason::TransportClose);
                    }
                    Some(Err(WsError::Capacity(CapacityError::MessageTooLong { .. }))) => {
                        close_frame = Some(CloseFrame { code: CloseCode::Size, reason: "".into() });
                        let reason = CloseReason::TransportError(TransportFault::MessageTooLarge);
                        self.terminate(session, reason);
                    }
                    Some(Err(error)) => self.terminate(session, read_error_reason(&error)),
                }
            }
        }
        write_left_over(session, ws).await;
        close_quietly(ws, close_frame).await;
    }

    /// Writes everything queued, then flushes (at least once if tungstenite `queued` a
    /// control frame of its own); false once the session is over.
    async fn write_queued<S>(
        &self,
        session: &Arc<Session>,
        ws: &mut WebSocketStream<S>,
        mut queued: bool,
    ) -> bool
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let high_water = self.config.outbound_high_water_mark;
        loop {
            let (unsent, batch, batch_bytes, ready) = {
                let mut state = session.lock();
                state.writing = queued || !state.outbox.is_empty() || state.unsent.is_some();
                let (batch, bytes) = state.outbox.take_batch();
                (state.unsent.take(), batch, bytes, state.ready)
            };
            if let Some((tail, bytes)) = unsent {
                // The end of a frame a direct write began: nothing may come before it.
                let write = ws.get_mut().write_all(&tail);
                if !matches!(until_closed(session, write).await, Some(Ok(()))) {
                    self.terminate(session, WRITE_ERROR);
                    return false;
                }
                let drained = session.lock().outbox.written(bytes, high_water);
                self.notify_drained(session, drained);
            }
            if batch.is_empty() && !queued {
                if ready == ReadyState::Closing {
                    self.terminate(session, CloseReason::ForcedClose);
                }
                return ready == ReadyState::Open;
            }
            queued = false;
            let mut batch = batch;
            while !batch.is_empty() {
                let ready = futures_util::future::poll_fn(|cx| ws.poll_ready_unpin(cx));
                if !matches!(until_closed(session, ready).await, Some(Ok(()))) {
                    let mut state = session.lock();
                    if state.flush_after_close {
                        state.outbox.restore(batch);
                    }
                    return false;
                }
                let packet = batch.pop_front().expect("the batch is not empty");
                if ws.start_send_unpin(to_message(packet)).is_err() {
                    self.terminate(session, WRITE_ERROR);
                    return false;
                }
            }
            let drained = session.lock().outbox.written(batch_bytes, high_water);
            self.notify_drained(session, drained);
            let flush = futures_util::future::poll_fn(|cx| ws.poll_flush_unpin(cx));
            match until_closed(session, flush).await {
                Some(Ok(())) => {}
                Some(Err(_)) => {
                    self.terminate(session, WRITE_ERROR);
                    return false;
                }
                None => return false,
            }
        }
    }
}

/// Why the reference turns an upgrade of this session away, if it does.
fn upgrade_refusal(state: &State) -> Option<&'static str> {
    if state.ready != ReadyState::Open {
        Some("upgrade attempt for closed client")
    } else if state.upgrading {
        Some("transport has already been trying to upgrade")
    } else if state.upgraded {
        Some("transport had already been upgraded")
    } else {
        None
    }
}

/// Tells the layer above when a handle reserved for a handshake will never open a
/// session (refused, failed, or cancelled), so it can drop what it kept for it.
struct PendingHandshake {
    engine: Arc<Engine>,
    handle: u32,
    /// A session opened with the handle, or the request turned out not to be a handshake.
    settled: bool,
}

impl Drop for PendingHandshake {
    fn drop(&mut self) {
        if !self.settled {
            self.engine.handler.on_abandoned(self.handle);
        }
    }
}

/// Runs `future` (which must be cancel-safe) unless the session closes first.
async fn until_closed<F: Future>(session: &Session, future: F) -> Option<F::Output> {
    tokio::pin!(future);
    loop {
        tokio::select! {
            output = &mut future => return Some(output),
            _ = session.wake.notified() => {
                if session.is_closed() {
                    return None;
                }
            }
        }
    }
}

/// Writes what a closed session kept queued ([`Engine::close_all`]), giving a peer that
/// does not read a bounded time.
async fn write_left_over<S>(session: &Session, ws: &mut WebSocketStream<S>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (unsent, batch) = {
        let mut state = session.lock();
        (state.unsent.take(), state.outbox.take_batch().0)
    };
    if unsent.is_none() && batch.is_empty() {
        return;
    }
    let write = async {
        if let Some((tail, _)) = unsent {
            ws.get_mut().write_all(&tail).await.map_err(WsError::Io)?;
        }
        for packet in batch {
            ws.feed(to_message(packet)).await?;
        }
        ws.flush().await
    };
    let _ = tokio::time::timeout(CLOSE_FRAME_TIMEOUT, write).await;
}

/// Sends a close frame, giving a peer that does not read a bounded time.
async fn close_quietly<S>(ws: &mut WebSocketStream<S>, frame: Option<CloseFrame>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _ = tokio::time::timeout(CLOSE_FRAME_TIMEOUT, ws.close(frame)).await;
}

#[cfg(test)]
mod tests;
