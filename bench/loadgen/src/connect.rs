//! `connect`: opens `clients` connections (`inflight` handshakes at a time), reports the
//! rate and handshake latencies, then holds them with pings answered for `hold` and
//! counts those the server dropped.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::conn::Conn;
use crate::stats::Latencies;
use crate::Args;

pub async fn run(args: &Args) -> Result<serde_json::Value, String> {
    let gate = Arc::new(Semaphore::new(args.inflight));
    let latencies = Rc::new(RefCell::new(Latencies::default()));
    let failures = Rc::new(RefCell::new(Vec::new()));
    let begin = Instant::now();
    let mut tasks = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let permit = gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let url = args.url.clone();
        let latencies = latencies.clone();
        let failures = failures.clone();
        let hold_until = Rc::new(RefCell::new(None::<Instant>));
        tasks.push((
            hold_until.clone(),
            tokio::task::spawn_local(async move {
                let start = Instant::now();
                let conn = Conn::connect(&url).await;
                drop(permit);
                let mut conn = match conn {
                    Ok(conn) => conn,
                    Err(error) => {
                        failures.borrow_mut().push(error);
                        return false;
                    }
                };
                latencies.borrow_mut().record(start.elapsed());
                // Stay connected (answering pings) until told to stop; false if dropped.
                loop {
                    let until = *hold_until.borrow();
                    let wait = until.map_or(Duration::from_millis(200), |u: Instant| {
                        u.saturating_duration_since(Instant::now())
                    });
                    if until.is_some_and(|u| Instant::now() >= u) {
                        conn.close().await;
                        return true;
                    }
                    if conn
                        .next_within(wait.min(Duration::from_millis(200)))
                        .await
                        .is_err()
                    {
                        return false;
                    }
                }
            }),
        ));
    }
    while latencies.borrow().len() + failures.borrow().len() < args.clients {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = begin.elapsed();
    let connected = latencies.borrow().len();
    // The runner samples the server's memory while the connections are held.
    println!("HOLD {connected}");
    let hold_until = Instant::now() + args.hold;
    for (until, _) in &tasks {
        *until.borrow_mut() = Some(hold_until);
    }
    let mut kept = 0;
    for (_, task) in tasks {
        if task.await.map_err(|e| e.to_string())? {
            kept += 1;
        }
    }
    let failed = failures.borrow().len();
    let mut result = std::mem::take(&mut *latencies.borrow_mut()).summary();
    result["connected"] = connected.into();
    result["failed"] = failed.into();
    result["first_failure"] = failures.borrow().first().cloned().into();
    result["dropped"] = (connected - kept).into();
    result["conn_per_s"] = (connected as f64 / elapsed.as_secs_f64()).into();
    result["ops"] = connected.into();
    Ok(result)
}
