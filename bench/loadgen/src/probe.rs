//! `probe`: how fast the core it runs on is right now. It runs beside a server, on the
//! server's core, while the load generator measures: ten times a second it does a fixed
//! piece of integer work and times it in CPU time (its own thread's, so time the server
//! holds the core does not count). A guest's core is slower while the host gives its
//! sibling hyperthread or its cache to others (up to 1.57× the usual time for the same
//! work here), and neither the guest's steal time nor its other processes show that.

use std::time::{Duration, Instant};

const PERIOD: Duration = Duration::from_millis(100);
/// Rounds of the work: about 50 µs on the machines this was written on.
const ROUNDS: u64 = 30_000;

fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// A chain of xorshift steps, each depending on the one before.
fn work() -> u64 {
    let mut state = std::hint::black_box(0x9e37_79b9_7f4a_7c15_u64);
    for _ in 0..ROUNDS {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    state
}

/// Samples the work's CPU time for `duration`; returns the median in µs.
pub fn run(duration: Duration) -> serde_json::Value {
    let end = Instant::now() + duration;
    let mut micros = Vec::new();
    while Instant::now() < end {
        let before = thread_cpu_time();
        std::hint::black_box(work());
        micros.push((thread_cpu_time() - before).as_secs_f64() * 1e6);
        std::thread::sleep(PERIOD);
    }
    micros.sort_by(f64::total_cmp);
    let median = micros.get(micros.len() / 2).copied().unwrap_or(f64::NAN);
    serde_json::json!({ "probe_us": median, "samples": micros.len() })
}
