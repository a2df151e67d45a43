//! Server pings for every session of an engine, driven by one task and two FIFO queues
//! instead of a timer per socket.
//!
//! Every "ping due" deadline is `now + pingInterval` and every "pong due" deadline is
//! `now + pingTimeout`, so each queue is filled in deadline order and only its front
//! matters. An entry carries the session's ping sequence number when it was queued; a
//! session that moved on (answered, closed) makes its old entries stale.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::debug::{debug, Log};
use super::error::CloseReason;
use super::packet::Outgoing;
use super::session::Session;
use super::Engine;

struct Entry {
    due: Instant,
    session: Weak<Session>,
    seq: u32,
}

#[derive(Default)]
struct Queues {
    ping_due: VecDeque<Entry>,
    pong_due: VecDeque<Entry>,
}

pub(super) struct Heartbeat {
    interval: Duration,
    timeout: Duration,
    queues: Mutex<Queues>,
    wake: Notify,
    stopped: AtomicBool,
}

enum Action {
    Ping(Arc<Session>),
    Timeout(Arc<Session>),
}

impl Heartbeat {
    pub fn new(interval: Duration, timeout: Duration) -> Self {
        Heartbeat {
            interval,
            timeout,
            queues: Mutex::default(),
            wake: Notify::new(),
            stopped: AtomicBool::new(false),
        }
    }

    /// Schedules the next ping of `session`, `pingInterval` from now.
    pub fn schedule_ping(&self, session: &Arc<Session>) {
        let seq = session.ping_seq.load(Ordering::Acquire);
        let entry = Entry {
            due: Instant::now() + self.interval,
            session: Arc::downgrade(session),
            seq,
        };
        let was_empty = {
            let mut queues = self.queues.lock();
            queues.ping_due.push_back(entry);
            queues.ping_due.len() == 1
        };
        if was_empty {
            self.wake.notify_one();
        }
    }

    /// A pong arrived: the next ping is due `pingInterval` from now.
    pub fn on_pong(&self, session: &Arc<Session>) {
        if session.awaiting_pong.swap(false, Ordering::AcqRel) {
            session.ping_seq.fetch_add(1, Ordering::AcqRel);
            self.schedule_ping(session);
        }
    }

    fn take_due(&self, now: Instant, actions: &mut Vec<Action>) -> Option<Instant> {
        let mut queues = self.queues.lock();
        while let Some(entry) = queues.ping_due.front() {
            if entry.due > now {
                break;
            }
            let entry = queues.ping_due.pop_front().expect("front exists");
            let Some(session) = entry.session.upgrade() else {
                continue;
            };
            let current = session.ping_seq.load(Ordering::Acquire) == entry.seq;
            if current && !session.awaiting_pong.swap(true, Ordering::AcqRel) {
                // Counted from when the ping was due, so timer lateness does not add up.
                queues.pong_due.push_back(Entry {
                    due: entry.due + self.timeout,
                    session: entry.session,
                    seq: entry.seq,
                });
                actions.push(Action::Ping(session));
            }
        }
        while let Some(entry) = queues.pong_due.front() {
            if entry.due > now {
                break;
            }
            let entry = queues.pong_due.pop_front().expect("front exists");
            let Some(session) = entry.session.upgrade() else {
                continue;
            };
            if session.ping_seq.load(Ordering::Acquire) == entry.seq
                && session.awaiting_pong.load(Ordering::Acquire)
            {
                actions.push(Action::Timeout(session));
            }
        }
        let next_ping = queues.ping_due.front().map(|e| e.due);
        let next_pong = queues.pong_due.front().map(|e| e.due);
        next_ping.into_iter().chain(next_pong).min()
    }

    /// Stops the task (the engine is going away).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    /// The engine's heartbeat task; ends when the engine stops or is dropped.
    pub async fn run(self: Arc<Self>, engine: Weak<Engine>) {
        let mut actions = Vec::new();
        while !self.stopped.load(Ordering::Acquire) {
            let next = self.take_due(Instant::now(), &mut actions);
            if !actions.is_empty() {
                let Some(engine) = engine.upgrade() else {
                    return;
                };
                for action in actions.drain(..) {
                    match action {
                        Action::Ping(session) => {
                            debug!(
                                engine,
                                Log::Socket,
                                "writing ping packet - expecting pong within {}ms",
                                self.timeout.as_millis()
                            );
                            engine.send(&session, Outgoing::PING);
                        }
                        Action::Timeout(session) => {
                            engine.terminate(&session, CloseReason::PingTimeout);
                        }
                    }
                }
            }
            let sleep = async {
                match next {
                    Some(due) => tokio::time::sleep_until(due).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = sleep => {}
                _ = self.wake.notified() => {}
            }
        }
    }
}
