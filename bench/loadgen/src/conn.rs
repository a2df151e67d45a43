//! One Socket.IO client connection over WebSocket: the Engine.IO open packet, the
//! namespace CONNECT, and answering the server's pings.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A message of the Socket.IO layer (the Engine.IO `4` already stripped), or binary.
pub enum Incoming {
    Text(String),
    Binary,
}

pub struct Conn {
    ws: Ws,
}

fn config() -> WebSocketConfig {
    // Small buffers: the load generator holds thousands of connections. Fed messages
    // wait for `flush` (up to 16 KiB), so that what is fed together goes in one write.
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(16 << 10)
        .max_write_buffer_size(1 << 20)
}

impl Conn {
    /// Connects to `url` (`ws://host:port/socket.io/`) and joins the main namespace.
    pub async fn connect(url: &str) -> Result<Conn, String> {
        let target = format!("{url}?EIO=4&transport=websocket");
        let (ws, _) = tokio_tungstenite::connect_async_with_config(target, Some(config()), true)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let mut conn = Conn { ws };
        let open = conn.next_raw().await?;
        if !open.starts_with('0') {
            return Err(format!("expected the open packet, got {open:?}"));
        }
        conn.send_raw("40".into()).await?;
        loop {
            if let Some(outcome) = connect_outcome(&conn.next().await?) {
                return outcome.map(|()| conn);
            }
        }
    }

    pub async fn send_raw(&mut self, text: String) -> Result<(), String> {
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| format!("send: {e}"))
    }

    /// Sends a Socket.IO packet (without the Engine.IO `4`).
    pub async fn send(&mut self, packet: &str) -> Result<(), String> {
        self.send_raw(format!("4{packet}")).await
    }

    /// Queues a Socket.IO packet without flushing (see [`Conn::flush`]).
    pub async fn feed(&mut self, packet: &str) -> Result<(), String> {
        let mut text = String::with_capacity(1 + packet.len());
        text.push('4');
        text.push_str(packet);
        self.ws
            .feed(Message::text(text))
            .await
            .map_err(|e| format!("send: {e}"))
    }

    pub async fn feed_binary(&mut self, bytes: Bytes) -> Result<(), String> {
        self.ws
            .feed(Message::binary(bytes))
            .await
            .map_err(|e| format!("send: {e}"))
    }

    pub async fn flush(&mut self) -> Result<(), String> {
        self.ws.flush().await.map_err(|e| format!("flush: {e}"))
    }

    async fn next_raw(&mut self) -> Result<String, String> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => return Ok(text.to_string()),
                Some(Ok(Message::Close(_))) | None => return Err("closed by the server".into()),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("read: {e}")),
            }
        }
    }

    /// The next Socket.IO message; pings are answered on the way.
    pub async fn next(&mut self) -> Result<Incoming, String> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => match text.as_bytes().first() {
                    Some(b'2') => self.send_raw("3".into()).await?,
                    Some(b'4') => return Ok(Incoming::Text(text[1..].to_owned())),
                    _ => continue,
                },
                Some(Ok(Message::Binary(_))) => return Ok(Incoming::Binary),
                Some(Ok(Message::Close(_))) | None => return Err("closed by the server".into()),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("read: {e}")),
            }
        }
    }

    /// Like [`Conn::next`], but gives up after `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Result<Option<Incoming>, String> {
        match tokio::time::timeout(wait, self.next()).await {
            Ok(result) => result.map(Some),
            Err(_) => Ok(None),
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// The ack id of an ACK packet (`3<id>[...]` or `6<n>-<id>[...]`).
pub fn ack_id(packet: &str) -> Option<u64> {
    let rest = match packet.as_bytes().first()? {
        b'3' => &packet[1..],
        b'6' => &packet[packet.find('-')? + 1..],
        _ => return None,
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits].parse().ok()
}

/// What a packet says of the namespace CONNECT: accepted, refused, or nothing yet.
pub fn connect_outcome(message: &Incoming) -> Option<Result<(), String>> {
    match message {
        Incoming::Text(text) if text.starts_with("0{") => Some(Ok(())),
        Incoming::Text(text) if text.starts_with('4') => {
            Some(Err(format!("connect refused: {text}")))
        }
        _ => None,
    }
}
