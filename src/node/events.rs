//! Rust → JS events, batched: producers append records to one buffer and ring a
//! doorbell (a weak threadsafe function) only when the buffer was empty; the JS thread
//! takes the whole buffer in one call.
//!
//! Record layout: kind (u8), id (u32 LE), payload length (u32 LE), payload.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use parking_lot::Mutex;

#[derive(Clone, Copy)]
#[repr(u8)]
pub enum EventKind {
    /// A session opened; payload: transport (0 polling, 1 websocket) then the sid.
    Open = 1,
    Text = 2,
    Binary = 3,
    Upgrade = 4,
    /// Payload: the close reason, NUL, its description (empty for none).
    Close = 5,
    /// A parked polling GET is answered; payload: the response body.
    PollReply = 6,
    BridgeData = 7,
    BridgeResume = 8,
    BridgeEnd = 9,
    /// A socket asks to join a namespace; payload: engine handle (u32), socket id (20
    /// bytes), namespace length (u32), namespace, auth JSON.
    SocketConnect = 10,
    /// Payload: ack id (f64, NaN for none), attachment count (u32), JSON length (u32),
    /// JSON, then each attachment as length (u32) and bytes.
    SocketEvent = 11,
    SocketAck = 12,
    /// Payload: the disconnect reason, NUL, its description (empty for none).
    SocketDisconnect = 13,
    /// Payload: the decoding error's message.
    SocketError = 14,
    /// A WebSocket handshake's reserved handle will not open a session.
    Abandoned = 15,
    /// A congested session is below its high-water mark again.
    Drain = 16,
    /// A connection the listener leaves to Node's HTTP server; the id is its descriptor.
    HandOff = 17,
    /// The request of a handshake the listener serves; payload: remote address, NUL,
    /// remote port, NUL, local address, NUL, local port, NUL, the request head.
    Accepted = 18,
}

thread_local! {
    /// On the runtime's worker threads: queues to ring when the worker parks.
    static DEFERRED_RINGS: RefCell<Option<Vec<Arc<EventQueue>>>> = const { RefCell::new(None) };
}

/// Runtime hook: a worker thread woke up (only workers park and unpark).
pub fn on_worker_unpark() {
    DEFERRED_RINGS.with(|deferred| {
        deferred.borrow_mut().get_or_insert_with(Vec::new);
    });
}

/// Runtime hook: a worker thread is about to park; ring what it deferred.
pub fn on_worker_park() {
    let queues = DEFERRED_RINGS.with(|deferred| deferred.borrow_mut().as_mut().map(std::mem::take));
    for queue in queues.into_iter().flatten() {
        queue.ring();
    }
}

type Doorbell = ThreadsafeFunction<(), (), Buffer, Status, false, true>;

pub struct EventQueue {
    records: Mutex<Vec<u8>>,
    armed: AtomicBool,
    doorbell: Mutex<Option<Doorbell>>,
}

impl EventQueue {
    pub fn new() -> Arc<Self> {
        Arc::new(EventQueue {
            records: Mutex::new(Vec::new()),
            armed: AtomicBool::new(false),
            doorbell: Mutex::new(None),
        })
    }

    /// Connects the queue to the JS function that drains it.
    pub fn connect(self: &Arc<Self>, callback: Function<Buffer, ()>) -> napi::Result<()> {
        let queue = Arc::downgrade(self);
        let doorbell = callback
            .build_threadsafe_function::<()>()
            .weak::<true>()
            .callee_handled::<false>()
            .build_callback(move |_| {
                let records = match queue.upgrade() {
                    Some(queue) => queue.take(),
                    None => Vec::new(),
                };
                Ok(Buffer::from(records))
            })?;
        *self.doorbell.lock() = Some(doorbell);
        Ok(())
    }

    fn ring(&self) {
        if let Some(doorbell) = self.doorbell.lock().as_ref() {
            doorbell.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    /// On a runtime worker, the doorbell rings once the worker has nothing left to do:
    /// JS then gets everything that burst of I/O produced in one wake, and the two
    /// threads do not take turns per event.
    fn ring_when_worker_parks(self: &Arc<Self>) -> bool {
        DEFERRED_RINGS.with(|deferred| match deferred.borrow_mut().as_mut() {
            Some(queues) => {
                queues.push(self.clone());
                true
            }
            None => false,
        })
    }

    pub fn take(&self) -> Vec<u8> {
        self.armed.store(false, Ordering::Release);
        std::mem::take(&mut *self.records.lock())
    }

    pub fn push(self: &Arc<Self>, kind: EventKind, id: u32, parts: &[&[u8]]) {
        let length: usize = parts.iter().map(|part| part.len()).sum();
        {
            let mut records = self.records.lock();
            records.reserve(9 + length);
            records.push(kind as u8);
            records.extend_from_slice(&id.to_le_bytes());
            records.extend_from_slice(&(length as u32).to_le_bytes());
            for part in parts {
                records.extend_from_slice(part);
            }
        }
        if !self.armed.swap(true, Ordering::AcqRel) && !self.ring_when_worker_parks() {
            self.ring();
        }
    }
}
