//! `broadcast`: `clients` members join room `r`; a separate driver emits `bcast`, whose JS
//! handler broadcasts `msg` to the room. A round ends when every member got it; the
//! driver keeps `inflight` rounds going.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::conn::Conn;
use crate::member::Member;
use crate::stats::Latencies;
use crate::Args;

/// Rounds tracked at once; far above any `inflight`.
const WINDOW: usize = 4096;

fn sequence_of(packet: &[u8]) -> Option<usize> {
    const KEY: &[u8] = b"\"seq\":";
    let start = packet.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let digits = &packet[start..];
    let digits = &digits[..digits.iter().take_while(|b| b.is_ascii_digit()).count()];
    std::str::from_utf8(digits).ok()?.parse().ok()
}

pub async fn run(args: &Args) -> Result<serde_json::Value, String> {
    let members = args.clients;
    let counts: Arc<Vec<AtomicU32>> = Arc::new((0..WINDOW).map(|_| AtomicU32::new(0)).collect());
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<usize>();
    for _ in 0..members {
        let mut member = Member::join(&args.url, "r").await?;
        let counts = counts.clone();
        let done = done_tx.clone();
        tokio::task::spawn_local(async move {
            while let Ok(packet) = member.next_packet().await {
                let Some(seq) = sequence_of(packet) else {
                    continue;
                };
                let slot = &counts[seq % WINDOW];
                if slot.fetch_add(1, Ordering::AcqRel) + 1 == members as u32 {
                    slot.store(0, Ordering::Release);
                    let _ = done.send(seq);
                }
            }
        });
    }
    let mut driver = Conn::connect(&args.url).await?;
    let mut started = vec![Instant::now(); WINDOW];
    let mut latencies = Latencies::default();
    let warmup = Instant::now() + args.warmup;
    let end = warmup + args.duration;
    let window = crate::window::watch(warmup, end);
    let mut next = 0usize;
    let mut outstanding = 0usize;
    let mut rounds = 0usize;
    let send_round = |seq: usize| {
        format!(r#"2["bcast",{{"seq":{seq},"text":"a broadcast message of modest size"}}]"#)
    };
    for _ in 0..args.inflight {
        started[next % WINDOW] = Instant::now();
        driver.feed(&send_round(next)).await?;
        next += 1;
        outstanding += 1;
    }
    driver.flush().await?;
    while outstanding > 0 {
        let seq = tokio::select! {
            seq = done_rx.recv() => seq.ok_or("members gone")?,
            message = driver.next_within(Duration::from_secs(10)) => {
                if message?.is_none() {
                    return Err(format!("no round completed within 10 s ({outstanding} outstanding)"));
                }
                continue;
            }
        };
        outstanding -= 1;
        let now = Instant::now();
        if now >= warmup && now < end {
            let latency = now - started[seq % WINDOW];
            latencies.record(latency);
            rounds += 1;
            if args.dump_rounds {
                let into_window = (now - warmup).as_secs_f64() * 1e3;
                eprintln!("ROUND {into_window:.3} {}", latency.as_micros());
            }
        }
        if now < end {
            started[next % WINDOW] = Instant::now();
            driver.send(&send_round(next)).await?;
            next += 1;
            outstanding += 1;
        }
    }
    let deliveries = rounds * members;
    let mut result = latencies.summary();
    result["rounds"] = rounds.into();
    result["deliveries"] = deliveries.into();
    result["deliveries_per_s"] = (deliveries as f64 / args.duration.as_secs_f64()).into();
    result["ops"] = deliveries.into();
    result["loadgen_window_cpu_s"] = window.await.unwrap_or(f64::NAN).into();
    Ok(result)
}
