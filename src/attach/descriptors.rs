//! Keeping the process's descriptor table ahead of its connections.
//!
//! On Linux a process's table of file descriptors grows by doubling, and in a
//! multi-threaded process the thread that needs a descriptor past its end waits for an RCU
//! grace period before it gets one (`expand_fdtable` calls `synchronize_rcu`): 15–35 ms on
//! the machines here, in uninterruptible sleep. When that thread is the runtime worker
//! accepting connections, nothing else is served meanwhile: 10,000 connections made the
//! table grow seven times, and the worker slept through ~130 ms of a 650 ms burst.
//!
//! So once a connection's descriptor reaches half of the table, a short-lived thread of
//! its own grows the table to twice its size and takes that wait instead; the accepting
//! thread keeps taking descriptors from the half still free.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The process's table: every connection's descriptor is reported to it.
static TABLE: DescriptorTable = DescriptorTable::new();

/// Notes that `fd` is in use, growing the table ahead of it when it is half full.
pub fn reserve_beyond(fd: RawFd) {
    TABLE.reserve_beyond(fd);
}

struct DescriptorTable {
    /// The table's size when last read; 0 until then, `usize::MAX` once it cannot grow
    /// (or its size cannot be read).
    capacity: AtomicUsize,
    growing: AtomicBool,
}

impl DescriptorTable {
    const fn new() -> Self {
        DescriptorTable {
            // Only Linux makes the growing thread wait: elsewhere nothing is done.
            capacity: AtomicUsize::new(if cfg!(target_os = "linux") {
                0
            } else {
                usize::MAX
            }),
            growing: AtomicBool::new(false),
        }
    }

    fn reserve_beyond(&'static self, fd: RawFd) {
        let Ok(fd) = usize::try_from(fd) else {
            return;
        };
        let capacity = self.capacity.load(Ordering::Relaxed);
        if capacity == usize::MAX || (capacity > 0 && fd < capacity / 2) {
            return;
        }
        if self.growing.swap(true, Ordering::Acquire) {
            return;
        }
        let grower = std::thread::Builder::new()
            .name("sio-rs-fds".into())
            .spawn(move || {
                self.capacity.store(grow_past(fd), Ordering::Relaxed);
                self.growing.store(false, Ordering::Release);
            });
        if grower.is_err() {
            self.growing.store(false, Ordering::Release);
        }
    }
}

/// Grows the table to twice its size if `fd` is in its upper half; its size afterwards,
/// or `usize::MAX` when it is as large as it may get (or its size is unknown).
#[cfg(target_os = "linux")]
fn grow_past(fd: usize) -> usize {
    let Some(before) = table_size() else {
        return usize::MAX;
    };
    if fd < before / 2 {
        return before;
    }
    if let Some(highest) = doubling_descriptor(before, soft_limit()) {
        place_descriptor_at_or_above(highest);
    }
    match table_size() {
        Some(after) if after > before => after,
        _ => usize::MAX,
    }
}

#[cfg(not(target_os = "linux"))]
fn grow_past(_fd: usize) -> usize {
    usize::MAX
}

/// The descriptor whose opening makes the kernel double a table of `size`, if the soft
/// `limit` leaves room (F_DUPFD refuses a descriptor at or above it).
fn doubling_descriptor(size: usize, limit: usize) -> Option<usize> {
    let wanted = size.saturating_mul(2).min(limit);
    (wanted > size).then(|| wanted - 1)
}

/// Opens a descriptor at `lowest` or above and closes it again: the table now holds it.
#[cfg(target_os = "linux")]
fn place_descriptor_at_or_above(lowest: usize) {
    let Ok(lowest) = libc::c_int::try_from(lowest) else {
        return;
    };
    // SAFETY: plain descriptor calls; the descriptors opened here are closed here.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if null < 0 {
            return;
        }
        let placed = libc::fcntl(null, libc::F_DUPFD_CLOEXEC, lowest);
        if placed >= 0 {
            libc::close(placed);
        }
        libc::close(null);
    }
}

/// The size of the process's descriptor table (`FDSize` in /proc/self/status).
#[cfg(target_os = "linux")]
fn table_size() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("FDSize:"))?
        .trim()
        .parse()
        .ok()
}

#[cfg(target_os = "linux")]
fn soft_limit() -> usize {
    usize::try_from(descriptor_limits().rlim_cur).unwrap_or(usize::MAX)
}

/// The process's `RLIMIT_NOFILE` (zeros if it cannot be read).
#[cfg(target_os = "linux")]
fn descriptor_limits() -> libc::rlimit {
    let mut limits = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given; on failure it stays zeroed.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limits) };
    limits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_doubling_descriptor_stays_under_the_soft_limit() {
        assert_eq!(doubling_descriptor(64, 20_000), Some(127));
        assert_eq!(doubling_descriptor(16_384, 20_000), Some(19_999));
        assert_eq!(doubling_descriptor(1024, 1500), Some(1499));
        assert_eq!(doubling_descriptor(1024, 1024), None);
        assert_eq!(doubling_descriptor(usize::MAX, usize::MAX), None);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod linux_tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// The table is the process's: these tests grow it one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    /// The current size, once the soft limit is raised to the hard one (as Node does)
    /// so that it can double.
    fn doublable_size() -> usize {
        let mut limits = descriptor_limits();
        limits.rlim_cur = limits.rlim_max;
        // SAFETY: setrlimit reads the struct it is given.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limits) };
        let size = table_size().unwrap();
        assert!(
            size * 2 <= soft_limit(),
            "a limit of {} leaves no room",
            soft_limit()
        );
        size
    }

    #[test]
    fn only_a_descriptor_in_the_upper_half_doubles_the_table() {
        let _serial = SERIAL.lock().unwrap();
        let before = doublable_size();
        let unchanged = grow_past(0);
        assert!(
            unchanged >= before && unchanged < before * 2,
            "{before} -> {unchanged}"
        );
        let before = doublable_size();
        let after = grow_past(before - 1);
        assert!(after >= before * 2, "{before} -> {after}");
        assert!(table_size().unwrap() >= after);
    }

    #[test]
    fn reserving_grows_the_table_on_another_thread() {
        static TABLE: DescriptorTable = DescriptorTable::new();
        let _serial = SERIAL.lock().unwrap();
        let before = doublable_size();
        TABLE.reserve_beyond((before - 1) as RawFd);
        let deadline = Instant::now() + Duration::from_secs(5);
        while TABLE.capacity.load(Ordering::Relaxed) < before * 2 {
            assert!(Instant::now() < deadline, "the table did not grow");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(table_size().unwrap() >= before * 2);
    }
}
