//! The measured window of `echo` and `broadcast`: the runner is told when it starts and
//! ends (`WINDOW start`, `WINDOW end` on stdout) to sample the server's CPU then, and
//! this process's own CPU time within it is returned.

use std::time::Instant;

use tokio::task::JoinHandle;

pub fn watch(start: Instant, end: Instant) -> JoinHandle<f64> {
    tokio::task::spawn_local(async move {
        tokio::time::sleep_until(start.into()).await;
        println!("WINDOW start");
        let before = own_cpu_seconds();
        tokio::time::sleep_until(end.into()).await;
        println!("WINDOW end");
        own_cpu_seconds() - before
    })
}

/// CPU time this process used (user + system), from `/proc/self/stat`: the runner tells
/// it apart from other processes' CPU. NaN where there is no such file.
pub fn own_cpu_seconds() -> f64 {
    const CLOCK_TICKS_PER_S: f64 = 100.0;
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which may hold spaces): utime and stime are the 12th
    // and 13th.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: f64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|field| field.parse::<f64>().ok())
        .sum();
    ticks / CLOCK_TICKS_PER_S
}
