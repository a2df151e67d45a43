//! `echo`: clients emit `echo` with an ack and keep a fixed number in flight; the server's
//! JS handler acks with the same data. Over WebSocket, or HTTP long-polling with
//! `--transport polling`: the same loop and accounting for both.

use std::collections::HashMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
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
    let mut state = Emitter {
        sent: HashMap::with_capacity(inflight * 2),
        latencies: Latencies::default(),
        packet: String::new(),
        next_id: 0,
        binary,
        warmup,
        end,
    };
    for _ in 0..inflight {
        state.emit(&mut conn, Instant::now()).await?;
    }
    conn.flush().await?;
    // A stalled server is given up on: no ack for `STALL` (pushed back at most every
    // half of it, rather than a timer armed and cancelled per ack).
    let stall = tokio::time::sleep(STALL);
    tokio::pin!(stall);
    while !state.sent.is_empty() {
        let message = tokio::select! {
            message = conn.next() => message?,
            () = &mut stall => return Err(format!("no ack within {} s", STALL.as_secs())),
        };
        let now = Instant::now();
        if stall.deadline().into_std().saturating_duration_since(now) < STALL / 2 {
            stall
                .as_mut()
                .reset(tokio::time::Instant::from_std(now + STALL));
        }
        state.on_message(&mut conn, message, now).await?;
        // The acks that came in the same read are answered in one write, as a client
        // that writes once per read does; the emits go out with the flush below.
        while let Some(message) = conn.next().now_or_never() {
            state
                .on_message(&mut conn, message?, Instant::now())
                .await?;
        }
        conn.flush().await?;
    }
    conn.close().await;
    Ok(state.latencies)
}

/// One client's emits in flight and the latencies of their acks.
struct Emitter {
    sent: HashMap<u64, Instant>,
    latencies: Latencies,
    /// Scratch space for the packet being emitted.
    packet: String,
    next_id: u64,
    binary: bool,
    warmup: Instant,
    end: Instant,
}

impl Emitter {
    /// Queues the next `echo` on `conn` (flushed by the caller).
    async fn emit(&mut self, conn: &mut impl Client, now: Instant) -> Result<(), String> {
        self.sent.insert(self.next_id, now);
        send_one(conn, &mut self.packet, self.next_id, self.binary).await?;
        self.next_id += 1;
        Ok(())
    }

    /// Records an ack's latency and queues the emit that replaces it, until the end.
    async fn on_message(
        &mut self,
        conn: &mut impl Client,
        message: Incoming,
        now: Instant,
    ) -> Result<(), String> {
        let Incoming::Text(packet) = message else {
            return Ok(());
        };
        let Some(started) = ack_id(&packet).and_then(|id| self.sent.remove(&id)) else {
            return Ok(());
        };
        if now >= self.warmup && now < self.end {
            self.latencies.record(now - started);
        }
        if now < self.end {
            self.emit(conn, now).await?;
        }
        Ok(())
    }
}
