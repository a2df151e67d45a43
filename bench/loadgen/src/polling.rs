//! One Socket.IO client connection over HTTP long-polling (Engine.IO v4), with the same
//! calls as [`crate::conn::Conn`]: the handshake GET, the namespace CONNECT, pings
//! answered with pongs.
//!
//! Two keep-alive HTTP/1.1 connections per client, each driven by a task: the reader
//! always has one GET parked and hands its packets over; the writer POSTs what was
//! queued, every packet waiting joined into one body, one POST at a time (Engine.IO
//! servers refuse overlapping requests of one kind). Packets are separated by the record
//! separator `\x1e` both ways; binary ones travel as `b` + base64.

use std::time::Duration;

use data_encoding::BASE64;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{header, Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::{spawn_local, JoinHandle};

use crate::conn::{connect_outcome, Incoming};

const SEPARATOR: u8 = 0x1e;
/// Packets in one POST at most: far below any server's payload limit at these sizes.
const MAX_BATCH: usize = 256;

type Http = SendRequest<Full<Bytes>>;
type Received = Result<Incoming, String>;

pub struct PollConn {
    /// Engine.IO packets (with their type digit) for the writer.
    out: UnboundedSender<String>,
    /// Queued by `feed`, handed to the writer by `flush`.
    pending: Vec<String>,
    incoming: UnboundedReceiver<Received>,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

/// Where the requests go: the `Host` header / TCP address, and the path with the query.
#[derive(Clone)]
struct Target {
    host: String,
    uri: String,
}

impl PollConn {
    /// Connects to `url` (`http://host:port/socket.io/`) and joins the main namespace.
    pub async fn connect(url: &str) -> Result<PollConn, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or("expected an http:// URL")?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut target = Target {
            host: host.to_owned(),
            uri: format!("/{path}?EIO=4&transport=polling"),
        };
        let mut get = open(&target.host).await?;
        let body = request(&mut get, Method::GET, &target, Bytes::new()).await?;
        let open_packet = body.split(|&b| b == SEPARATOR).next().unwrap_or_default();
        let sid = open_packet
            .strip_prefix(b"0")
            .and_then(|json| serde_json::from_slice::<serde_json::Value>(json).ok())
            .and_then(|json| json["sid"].as_str().map(str::to_owned))
            .ok_or_else(|| {
                format!(
                    "expected the open packet, got {:?}",
                    String::from_utf8_lossy(&body)
                )
            })?;
        target.uri.push_str(&format!("&sid={sid}"));
        let post = open(&target.host).await?;

        let (out, out_rx) = unbounded_channel();
        let (incoming_tx, incoming) = unbounded_channel();
        let writer = spawn_local(write_loop(
            post,
            target.clone(),
            out_rx,
            incoming_tx.clone(),
        ));
        let reader = spawn_local(read_loop(get, target, incoming_tx, out.clone()));
        let mut conn = PollConn {
            out,
            pending: Vec::new(),
            incoming,
            reader,
            writer,
        };
        conn.send_raw("40".into()).await?;
        loop {
            if let Some(outcome) = connect_outcome(&conn.next().await?) {
                return outcome.map(|()| conn);
            }
        }
    }

    async fn send_raw(&mut self, packet: String) -> Result<(), String> {
        self.pending.push(packet);
        self.flush().await
    }

    /// Queues a Socket.IO packet (without the Engine.IO `4`) until [`PollConn::flush`].
    pub async fn feed(&mut self, packet: &str) -> Result<(), String> {
        self.pending.push(format!("4{packet}"));
        Ok(())
    }

    pub async fn feed_binary(&mut self, bytes: Bytes) -> Result<(), String> {
        self.pending.push(format!("b{}", BASE64.encode(&bytes)));
        Ok(())
    }

    /// Hands the queued packets to the writer; they go in its next POST.
    pub async fn flush(&mut self) -> Result<(), String> {
        for packet in self.pending.drain(..) {
            self.out.send(packet).map_err(|_| "the writer stopped")?;
        }
        Ok(())
    }

    /// The next Socket.IO message (pings are answered by the reader).
    pub async fn next(&mut self) -> Result<Incoming, String> {
        self.incoming.recv().await.unwrap_or(Err("closed".into()))
    }

    /// Sends the Engine.IO close packet and stops both tasks.
    pub async fn close(mut self) {
        let _ = self.send_raw("1".into()).await;
        self.reader.abort();
        drop(self.out);
        // The writer ends once the close packet is posted and every sender is gone.
        let _ = tokio::time::timeout(Duration::from_secs(1), self.writer).await;
    }
}

/// Keeps one GET parked; answers pings, hands the rest over.
async fn read_loop(
    mut http: Http,
    target: Target,
    incoming: UnboundedSender<Received>,
    out: UnboundedSender<String>,
) {
    loop {
        let body = match request(&mut http, Method::GET, &target, Bytes::new()).await {
            Ok(body) => body,
            Err(error) => {
                let _ = incoming.send(Err(error));
                return;
            }
        };
        for packet in body.split(|&b| b == SEPARATOR) {
            let message = match packet.first() {
                Some(b'2') => {
                    let _ = out.send("3".into());
                    continue;
                }
                Some(b'4') => Ok(Incoming::Text(
                    String::from_utf8_lossy(&packet[1..]).into_owned(),
                )),
                Some(b'b') => Ok(Incoming::Binary),
                Some(b'1') => Err("closed by the server".into()),
                _ => continue, // `6` (noop) and anything else
            };
            let closed = message.is_err();
            if incoming.send(message).is_err() || closed {
                return; // the connection was dropped, or the server closed it
            }
        }
    }
}

/// POSTs the packets queued meanwhile, one request at a time.
async fn write_loop(
    mut http: Http,
    target: Target,
    mut out: UnboundedReceiver<String>,
    incoming: UnboundedSender<Received>,
) {
    let mut batch = Vec::new();
    while out.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let body = batch.join("\u{1e}");
        batch.clear();
        if let Err(error) = request(&mut http, Method::POST, &target, body.into()).await {
            let _ = incoming.send(Err(error));
            return;
        }
    }
}

/// A keep-alive HTTP/1.1 connection to `host`, its driver spawned on the local set.
async fn open(host: &str) -> Result<Http, String> {
    let stream = TcpStream::connect(host)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("nodelay: {e}"))?;
    let (http, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("http handshake: {e}"))?;
    spawn_local(async move {
        let _ = connection.await;
    });
    Ok(http)
}

/// One request; the whole body of a 2xx response, an error otherwise.
async fn request(
    http: &mut Http,
    method: Method,
    target: &Target,
    body: Bytes,
) -> Result<Bytes, String> {
    http.ready().await.map_err(|e| format!("{method}: {e}"))?;
    let mut builder = Request::builder()
        .method(method.clone())
        .uri(&target.uri)
        .header(header::HOST, &target.host);
    if method == Method::POST {
        builder = builder.header(header::CONTENT_TYPE, "text/plain;charset=UTF-8");
    }
    let request = builder.body(Full::new(body)).map_err(|e| e.to_string())?;
    let response = http
        .send_request(request)
        .await
        .map_err(|e| format!("{method}: {e}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{method} body: {e}"))?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "{method} {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    Ok(body)
}
