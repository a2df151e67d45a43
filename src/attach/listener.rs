//! A listener Rust owns (`new Server(port)`): WebSocket handshakes to the engine's path
//! and the long-polling requests of open sessions are served here without Node's HTTP
//! server. A connection is handed to Node at a request Rust does not serve, before any of
//! it is read (requests are only peeked at), so Node still answers polling handshakes,
//! errors, the client bundle, other paths, and anything a JS hook must see.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;

use crate::engine::debug::{debug, Log};
use crate::engine::request::RequestHead;
use crate::engine::websocket::{DirectTcpStream, UpgradeRequest};
use crate::engine::{Engine, Session};

use super::descriptors;
use super::head::{self, is_engine_path, unique_headers, Head, MAX_HEADERS};
use super::polling::{self, PollingRequest};

/// Node's default backlog: 128 overflows when thousands of clients connect at once.
const BACKLOG: u32 = 511;
/// Requests whose head does not fit (large cookies) go to Node, which allows 16 KiB.
const MAX_PEEKED_HEAD: usize = 4096;
const TYPICAL_HEAD: usize = 1024;
/// How long `close` waits for the runtime to close the listening socket (microseconds,
/// unless the runtime is stalled).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);
/// A connection that sends nothing this long is handed to Node and its timeouts.
const FIRST_BYTES_TIMEOUT: Duration = Duration::from_secs(10);
/// Node's default `keepAliveTimeout`: an idle connection Rust served is closed after it.
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// The headers the handshake reads, in the order `parse_upgrade` unpacks them.
const RELEVANT_HEADERS: [&str; 4] = [
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "origin",
];

/// What the listener tells the layer above.
pub trait ListenerEvents: Send + Sync + 'static {
    /// A connection Rust does not serve: Node's HTTP server takes it, unread.
    fn hand_off(&self, stream: std::net::TcpStream);
    /// Rust serves this handshake; the session it opens gets `handle`. `head` is the
    /// request line and headers as received.
    fn handshake_request(&self, handle: u32, head: &[u8], remote: SocketAddr, local: SocketAddr);
}

/// An open listener; dropping it (or `close`) stops accepting.
pub struct Listener {
    local: SocketAddr,
    lanes: Arc<Lanes>,
    stop: Arc<Notify>,
    /// Disconnected once the accept task has closed the listening socket.
    closed: mpsc::Receiver<()>,
}

/// Which requests Rust may serve; each is off while a JS hook must see those requests.
struct Lanes {
    /// WebSocket handshakes (off for middlewares, `allowRequest`, header listeners…).
    websocket: AtomicBool,
    /// Long-polling requests (off also while the HTTP server has `request` listeners).
    polling: AtomicBool,
}

impl Listener {
    /// Binds `port` on every address (IPv6 with IPv4 mapped, like Node, else IPv4) and
    /// starts accepting on the engine's runtime.
    pub fn open(
        engine: Arc<Engine>,
        port: u16,
        path: String,
        (websocket_lane, polling_lane): (bool, bool),
        events: Arc<dyn ListenerEvents>,
    ) -> io::Result<Listener> {
        let _runtime = engine.runtime().enter();
        let listener = bind(port)?;
        let local = listener.local_addr()?;
        let lanes = Arc::new(Lanes {
            websocket: AtomicBool::new(websocket_lane),
            polling: AtomicBool::new(polling_lane),
        });
        let stop = Arc::new(Notify::new());
        let accept = AcceptLoop {
            engine: engine.clone(),
            path: path.into(),
            events,
            lanes: lanes.clone(),
        };
        let stopped = stop.clone();
        let (closing, closed) = mpsc::channel();
        engine.runtime().spawn(async move {
            tokio::select! {
                _ = accept.run(listener) => {}
                _ = stopped.notified() => {}
            }
            // The listening socket went with the accept loop, at the end of `select!`.
            drop(closing);
        });
        Ok(Listener {
            local,
            lanes,
            stop,
            closed,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub fn set_lanes(&self, websocket: bool, polling: bool) {
        self.lanes.websocket.store(websocket, Ordering::Relaxed);
        self.lanes.polling.store(polling, Ordering::Relaxed);
    }

    /// Stops accepting and closes the listening socket; open connections stay. Returns
    /// once the socket is closed, so that its port is free for the caller (`io.close(cb)`
    /// then `listen` again on that port).
    pub fn close(&self) {
        self.stop.notify_one();
        let _ = self.closed.recv_timeout(CLOSE_TIMEOUT);
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.close();
    }
}

fn bind(port: u16) -> io::Result<TcpListener> {
    let any_v6 = SocketAddr::from((Ipv6Addr::UNSPECIFIED, port));
    let any_v4 = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
    let socket = match TcpSocket::new_v6() {
        Ok(socket) => (socket, any_v6),
        Err(_) => (TcpSocket::new_v4()?, any_v4),
    };
    let (socket, address) = socket;
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(BACKLOG)
}

struct AcceptLoop {
    engine: Arc<Engine>,
    path: Arc<str>,
    events: Arc<dyn ListenerEvents>,
    lanes: Arc<Lanes>,
}

impl AcceptLoop {
    async fn run(self, listener: TcpListener) {
        loop {
            let (stream, remote) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of descriptors or a connection reset before accept: keep going,
                // after a pause so a full descriptor table is not spun on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            descriptors::reserve_beyond(stream.as_raw_fd());
            let connection = Connection {
                engine: self.engine.clone(),
                path: self.path.clone(),
                events: self.events.clone(),
                lanes: self.lanes.clone(),
            };
            tokio::spawn(connection.route(stream, remote));
        }
    }
}

struct Connection {
    engine: Arc<Engine>,
    path: Arc<str>,
    events: Arc<dyn ListenerEvents>,
    lanes: Arc<Lanes>,
}

/// What Rust does with the next request on a connection.
enum NextRequest {
    Upgrade(PeekedUpgrade, Vec<u8>),
    Polling(PollingRequest, Arc<Session>),
    /// Node's: the connection goes to it, the request unread.
    HandOff,
    /// The client closed the connection, or left it idle after a request Rust answered.
    Closed,
}

impl Connection {
    async fn route(self, mut stream: TcpStream, remote: SocketAddr) {
        let _ = stream.set_nodelay(true);
        let mut served = false;
        loop {
            match self.next_request(&stream, served).await {
                NextRequest::Upgrade(request, head) => {
                    return self.serve(stream, remote, request, head).await;
                }
                NextRequest::Polling(request, session) => {
                    let served_here =
                        polling::serve(&self.engine, &mut stream, &self.path, request, session);
                    if !served_here.await {
                        return;
                    }
                    served = true;
                }
                NextRequest::HandOff => break,
                NextRequest::Closed => return,
            }
        }
        if let Ok(stream) = stream.into_std() {
            self.events.hand_off(stream);
        }
    }

    /// Peeks at the next request head, once it has come.
    async fn next_request(&self, stream: &TcpStream, served: bool) -> NextRequest {
        let websocket = self.lanes.websocket.load(Ordering::Relaxed);
        let polling = self.lanes.polling.load(Ordering::Relaxed);
        if !websocket && !polling {
            return NextRequest::HandOff;
        }
        // A new connection that stays silent goes to Node and its timeouts; one that
        // goes idle after Rust answered on it is closed, as Node's keep-alive does.
        let wait = if served {
            KEEP_ALIVE_TIMEOUT
        } else {
            FIRST_BYTES_TIMEOUT
        };
        let Some(bytes) = peek_head(stream, wait).await else {
            return if served {
                NextRequest::Closed
            } else {
                NextRequest::HandOff
            };
        };
        if bytes.is_empty() {
            return NextRequest::Closed;
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let Some(head) = head::parse(&bytes, &mut headers) else {
            return NextRequest::HandOff;
        };
        if websocket {
            if let Some(request) = parse_upgrade(&head, &self.path) {
                return NextRequest::Upgrade(request, bytes[..head.length].to_vec());
            }
        }
        if !polling {
            return NextRequest::HandOff;
        }
        let Some(request) = polling::parse(&head, &self.path, self.engine.config()) else {
            return NextRequest::HandOff;
        };
        match polling::session_of(&self.engine, &request) {
            Some(session) => NextRequest::Polling(request, session),
            None => NextRequest::HandOff,
        }
    }

    /// Verifies the handshake as the facade would, then runs the WebSocket transport.
    async fn serve(
        self,
        mut stream: TcpStream,
        remote: SocketAddr,
        request: PeekedUpgrade,
        mut head: Vec<u8>,
    ) {
        // The head was only peeked at: take it off the socket now (the same bytes).
        if stream.read_exact(&mut head).await.is_err() {
            return;
        }
        debug!(self.engine, Log::Engine, "no middleware to apply, skipping");
        let verdict = self.engine.verify(&RequestHead {
            method: "GET",
            url: &request.upgrade.url,
            origin: request.origin.as_deref(),
            is_upgrade: true,
        });
        // An old protocol is refused by the transport, after its 101, as the reference does.
        if let Err(code) = verdict {
            let response = self.engine.refuse_upgrade(400, code.message(), None);
            let _ = stream.write_all(response.as_bytes()).await;
            return;
        }
        let handle = self.engine.reserve_handle();
        if request.is_handshake {
            let local = stream.local_addr().unwrap_or(remote);
            self.events.handshake_request(handle, &head, remote, local);
        }
        let stream = DirectTcpStream::new(stream);
        let serve = self
            .engine
            .serve_websocket(stream, Bytes::new(), request.upgrade, handle);
        // Its own task: this one's peeking is not kept for the connection's life.
        tokio::spawn(serve);
    }
}

/// A WebSocket upgrade to the engine's path, as read from a peeked request head.
#[derive(Debug)]
struct PeekedUpgrade {
    upgrade: UpgradeRequest,
    origin: Option<String>,
    is_handshake: bool,
}

/// Waits up to `wait` for a request and peeks at what has come of it, at most
/// `MAX_PEEKED_HEAD` bytes (more only when a small read fills up); empty when the client
/// closed the connection.
async fn peek_head(stream: &TcpStream, wait: Duration) -> Option<Vec<u8>> {
    tokio::time::timeout(wait, stream.readable())
        .await
        .ok()?
        .ok()?;
    let mut buffer = Vec::new();
    for size in [TYPICAL_HEAD, MAX_PEEKED_HEAD] {
        buffer.resize(size, 0);
        let read = stream.peek(&mut buffer).await.ok()?;
        buffer.truncate(read);
        if read < size || has_complete_head(&buffer) {
            break;
        }
    }
    Some(buffer)
}

fn has_complete_head(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|window| window == b"\r\n\r\n")
}

/// Parses a complete request head; `Some` only for a GET WebSocket upgrade whose path
/// is exactly the engine's (anything else under it, such as the client bundle, is
/// Node's to answer).
fn parse_upgrade(head: &Head<'_, '_>, path: &str) -> Option<PeekedUpgrade> {
    let url = head.url;
    if head.method != "GET" || !is_engine_path(url, path) {
        return None;
    }
    let [upgrade, key, version, origin] =
        unique_headers(head.headers, &RELEVANT_HEADERS)?.map(|value| value.map(str::to_owned));
    let upgrade = upgrade?;
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return None;
    }
    let request = UpgradeRequest {
        method: "GET".into(),
        url: url.to_owned(),
        upgrade: Some(upgrade),
        key,
        version,
        extra_headers: String::new(),
        sid: None,
    };
    let is_handshake = crate::engine::request::EngineQuery::from_url(url)
        .session_id()
        .is_none();
    Some(PeekedUpgrade {
        upgrade: request,
        origin,
        is_handshake,
    })
}

#[cfg(test)]
mod tests {
    use super::head::bytes_of as head;
    use super::*;

    const PATH: &str = "/socket.io/";

    /// The upgrade `bytes` start with, and the length of its head.
    fn parse_upgrade(bytes: &[u8], path: &str) -> Option<(PeekedUpgrade, usize)> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let head = head::parse(bytes, &mut headers)?;
        Some((super::parse_upgrade(&head, path)?, head.length))
    }

    const UPGRADE: &[&str] = &[
        "Host: 127.0.0.1",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ];

    #[test]
    fn a_websocket_handshake_to_the_engine_path_is_served_in_rust() {
        let bytes = head(
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            UPGRADE,
        );
        let (peeked, length) = parse_upgrade(&bytes, PATH).unwrap();
        assert_eq!(length, bytes.len());
        assert!(peeked.is_handshake);
        assert_eq!(peeked.upgrade.url, "/socket.io/?EIO=4&transport=websocket");
        assert_eq!(
            peeked.upgrade.key.as_deref(),
            Some("dGhlIHNhbXBsZSBub25jZQ==")
        );
        assert_eq!(peeked.upgrade.version.as_deref(), Some("13"));
        assert_eq!(peeked.origin, None);
    }

    #[test]
    fn an_upgrade_of_a_polling_session_is_not_a_handshake() {
        let bytes = head(
            "GET /socket.io/?EIO=4&transport=websocket&sid=abc HTTP/1.1",
            UPGRADE,
        );
        assert!(!parse_upgrade(&bytes, PATH).unwrap().0.is_handshake);
    }

    #[test]
    fn everything_else_goes_to_node() {
        let cases = [
            head(
                "GET /socket.io/?EIO=4&transport=polling HTTP/1.1",
                &["Host: x"],
            ),
            head("GET /socket.io/socket.io.js HTTP/1.1", UPGRADE),
            head("GET /other/?EIO=4&transport=websocket HTTP/1.1", UPGRADE),
            head(
                "POST /socket.io/?EIO=4&transport=websocket HTTP/1.1",
                UPGRADE,
            ),
            head(
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.0",
                UPGRADE,
            ),
            head(
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
                &["Upgrade: websocket", "Upgrade: h2c"],
            ),
        ];
        for bytes in cases {
            assert!(
                parse_upgrade(&bytes, PATH).is_none(),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    #[test]
    fn an_incomplete_or_malformed_head_goes_to_node() {
        let bytes = head(
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            UPGRADE,
        );
        assert!(parse_upgrade(&bytes[..bytes.len() - 2], PATH).is_none());
        assert!(parse_upgrade(b"\x16\x03\x01\x02\x00", PATH).is_none());
    }
}
