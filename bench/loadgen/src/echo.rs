//! `echo`: clients emit `echo` with an ack and keep a fixed number in flight; the server's
//! JS handler acks with the same data. Over WebSocket, or HTTP long-polling with
//! `--transport polling`: the same loop and accounting for both.

use std::collections::HashMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

use tokio_tungstenite::tungstenite::Bytes;

use crate::conn::{ack_id, Conn, Incoming};
use crate::polling::PollConn;
use crate::stats::Latencies;
use crate::Args;

/// How long a client waits for an ack before it reports the server stalled.
const STALL: Duration = Duration::from_secs(10);

const TEXT_PAYLOAD: &str = r#"{"text":"hello from the load generator","n":42,"list":[1,2,3]}"#;

/// What the echo loop needs of a connection, whatever its transport.
trait Client: Sized + 'static {
    async fn connect(url: &str) -> Result<Self, String>;
    async fn feed(&mut self, packet: &str) -> Result<(), String>;
    async fn feed_binary(&mut self, bytes: Bytes) -> Result<(), String>;
    async fn flush(&mut self) -> Result<(), String>;
    async fn next(&mut self) -> Result<Incoming, String>;
    async fn close(self);
}

/// Both connection types have these as inherent methods of the same names.
macro_rules! client {
    ($conn:ident) => {
        impl Client for $conn {
            async fn connect(url: &str) -> Result<Self, String> {
                $conn::connect(url).await
            }
            async fn feed(&mut self, packet: &str) -> Result<(), String> {
                $conn::feed(self, packet).await
            }
            async fn feed_binary(&mut self, bytes: Bytes) -> Result<(), String> {
                $conn::feed_binary(self, bytes).await
            }
            async fn flush(&mut self) -> Result<(), String> {
                $conn::flush(self).await
            }
            async fn next(&mut self) -> Result<Incoming, String> {
                $conn::next(self).await
            }
            async fn close(self) {
                $conn::close(self).await
            }
        }
    };
}
client!(Conn);
client!(PollConn);

pub async fn run(args: &Args) -> Result<serde_json::Value, String> {
    if args.polling {
        measure::<PollConn>(args).await
    } else {
        measure::<Conn>(args).await
    }
}

async fn measure<C: Client>(args: &Args) -> Result<serde_json::Value, String> {
    let mut conns = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        conns.push(C::connect(&args.url).await?);
    }
    let warmup = Instant::now() + args.warmup;
    let end = warmup + args.duration;
    let window = crate::window::watch(warmup, end);
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|conn| tokio::task::spawn_local(client(conn, args.inflight, args.binary, warmup, end)))
        .collect();
    let mut latencies = Latencies::default();
    for task in tasks {
        latencies.merge(task.await.map_err(|e| e.to_string())??);
    }
    let acks = latencies.len();
    let mut result = latencies.summary();
    result["acks"] = acks.into();
    result["acks_per_s"] = (acks as f64 / args.duration.as_secs_f64()).into();
    result["ops"] = acks.into();
    result["loadgen_window_cpu_s"] = window.await.unwrap_or(f64::NAN).into();
    Ok(result)
}

/// Emits `echo` number `id`; `packet` is scratch space, reused so that an emit costs one
/// allocation (the frame's).
async fn send_one(
    conn: &mut impl Client,
    packet: &mut String,
    id: u64,
    binary: bool,
) -> Result<(), String> {
    packet.clear();
    if binary {
        let _ = write!(packet, r#"51-{id}["echo",{{"_placeholder":true,"num":0}}]"#);
        conn.feed(packet).await?;
        conn.feed_binary(Bytes::from_static(&[7u8; 64])).await
    } else {
        let _ = write!(packet, r#"2{id}["echo",{TEXT_PAYLOAD}]"#);
        conn.feed(packet).await
    }
}

async fn client(
    mut conn: impl Client,
    inflight: usize,
    binary: bool,
    warmup: Instant,
    end: Instant,
) -> Result<Latencies, String> {
    let mut latencies = Latencies::default();
    let mut sent: HashMap<u64, Instant> = HashMap::with_capacity(inflight * 2);
    let mut packet = String::new();
    let mut next_id = 0u64;
    for _ in 0..inflight {
        sent.insert(next_id, Instant::now());
        send_one(&mut conn, &mut packet, next_id, binary).await?;
        next_id += 1;
    }
    conn.flush().await?;
    // A stalled server is given up on: no ack for `STALL` (pushed back at most every
    // half of it, rather than a timer armed and cancelled per ack).
    let stall = tokio::time::sleep(STALL);
    tokio::pin!(stall);
    while !sent.is_empty() {
        let message = tokio::select! {
            message = conn.next() => message?,
            () = &mut stall => return Err(format!("no ack within {} s", STALL.as_secs())),
        };
        let Incoming::Text(packet_in) = message else {
            continue;
        };
        let Some(id) = ack_id(&packet_in) else {
            continue;
        };
        let Some(started) = sent.remove(&id) else {
            continue;
        };
        let now = Instant::now();
        if stall.deadline().into_std().saturating_duration_since(now) < STALL / 2 {
            stall
                .as_mut()
                .reset(tokio::time::Instant::from_std(now + STALL));
        }
        if now >= warmup && now < end {
            latencies.record(now - started);
        }
        if now < end {
            sent.insert(next_id, now);
            send_one(&mut conn, &mut packet, next_id, binary).await?;
            conn.flush().await?;
            next_id += 1;
        }
    }
    conn.close().await;
    Ok(latencies)
}
