//! The benchmark app on socketioxide, the Rust-native reference: the same handlers as
//! `bench/server.js`.
//!   echo (data, ack) -> ack(data);  join (room, ack) -> join + ack([]);  bcast (data) -> io.to("r").emit("msg", data)
//! Usage: sio-bench-socketioxide PORT   (prints "ready" once listening, exits on SIGTERM)

use std::convert::Infallible;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use serde::de::{self, value::MapAccessDeserializer, value::SeqAccessDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use tokio::net::TcpSocket;
use tokio::signal::unix::{signal, SignalKind};

/// Node's default backlog; 128 overflows in the `connect` scenario.
const BACKLOG: u32 = 511;
/// socket.io's `maxHttpBufferSize` in `bench/server.js`.
const MAX_PAYLOAD: usize = 1_000_000;

/// An event argument: a binary attachment, or any JSON. `serde_json::Value` alone cannot
/// hold the attachment of `echo-binary` (socketioxide hands it over as bytes), so a
/// top-level attachment is kept as bytes and echoed back as an attachment, like JS does.
enum Payload {
    Binary(Vec<u8>),
    Json(serde_json::Value),
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Payload::Binary(bytes) => serializer.serialize_bytes(bytes),
            Payload::Json(value) => value.serialize(serializer),
        }
    }
}

struct PayloadVisitor;

impl<'de> Visitor<'de> for PayloadVisitor {
    type Value = Payload;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON or a binary attachment")
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Payload, E> {
        Ok(Payload::Binary(v.to_vec()))
    }
    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Payload, E> {
        Ok(Payload::Binary(v))
    }
    // Everything else is plain JSON: hand it to serde_json's own Value.
    fn visit_map<M: de::MapAccess<'de>>(self, map: M) -> Result<Payload, M::Error> {
        serde_json::Value::deserialize(MapAccessDeserializer::new(map)).map(Payload::Json)
    }
    fn visit_seq<S: de::SeqAccess<'de>>(self, seq: S) -> Result<Payload, S::Error> {
        serde_json::Value::deserialize(SeqAccessDeserializer::new(seq)).map(Payload::Json)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Payload, E> {
        Ok(Payload::Json(v.into()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Payload, E> {
        Ok(Payload::Json(v.into()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Payload, E> {
        Ok(Payload::Json(v.into()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Payload, E> {
        Ok(Payload::Json(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Payload, E> {
        Ok(Payload::Json(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Payload, E> {
        Ok(Payload::Json(v.into()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Payload, E> {
        Ok(Payload::Json(serde_json::Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Payload, E> {
        Ok(Payload::Json(serde_json::Value::Null))
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PayloadVisitor)
    }
}

/// Registers the handlers before the CONNECT reply goes out: the connect handler itself
/// runs in a task spawned after the reply, so an event sent right after it could be
/// missed; a middleware is awaited before the reply.
async fn register(socket: SocketRef) -> Result<(), Infallible> {
    socket.on("echo", async |Data(data): Data<Payload>, ack: AckSender| {
        ack.send(&data).ok();
    });
    socket.on(
        "join",
        async |socket: SocketRef, Data(room): Data<String>, ack: AckSender| {
            socket.join(room);
            // A slice is one argument (`[[]]`, as JS's `ack([])`); an array would be zero arguments.
            ack.send(&[0u8; 0][..]).ok();
        },
    );
    socket.on("bcast", async |io: SocketIo, Data(data): Data<Payload>| {
        io.to("r").emit("msg", &data).await.ok();
    });
    Ok(())
}

async fn connected(_socket: SocketRef) {}

async fn serve(port: u16) -> std::io::Result<()> {
    let (service, io) = SocketIo::builder()
        .max_payload(MAX_PAYLOAD as u64)
        .ws_max_message_size(MAX_PAYLOAD)
        .ws_max_frame_size(MAX_PAYLOAD)
        .build_svc();
    io.ns("/", connected.with(register));

    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    let listener = socket.listen(BACKLOG)?;
    println!("ready");

    let mut terminate = signal(SignalKind::terminate())?;
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors and the like: keep serving the others.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = terminate.recv() => return Ok(()),
        };
        // Node's HTTP server sets TCP_NODELAY too.
        stream.set_nodelay(true).ok();
        let service = service.clone();
        tokio::spawn(async move {
            http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await
                .ok();
        });
    }
}

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .expect("usage: sio-bench-socketioxide PORT");
    // One thread: every server under test gets one core.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(serve(port))
}
