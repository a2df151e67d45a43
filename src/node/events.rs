//! Rust → JS events, batched: producers append records to one buffer and ring a
//! doorbell (a weak threadsafe function) only when the buffer was empty; the JS thread
//! takes the whole buffer in one call.
//!
//! Batch layout: the records' length (u32 LE), the records, then the batch's JSON texts
//! as one JSON array (absent when there are none), so that JS parses the payloads of a
//! whole batch in one `JSON.parse`: for small events, a call per event costs about as
//! much again as the parsing.
//!
//! Record layout: kind (u8), id (u32 LE), payload length (u32 LE), payload. A record
//! with a JSON text starts its payload with the text's index in the array, its offset in
//! the array's text (past the opening bracket) and its length (u32 LE each).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use parking_lot::Mutex;

/// Defines [`EventKind`] and [`EventKind::ALL`], the names JS knows the kinds by.
macro_rules! event_kinds {
    ($($(#[$doc:meta])* $kind:ident = $value:literal as $name:literal,)*) => {
        #[derive(Clone, Copy)]
        #[repr(u8)]
        pub enum EventKind {
            $($(#[$doc])* $kind = $value,)*
        }

        impl EventKind {
            /// Every kind, with its name in JS.
            pub const ALL: &'static [(&'static str, EventKind)] = &[$(($name, EventKind::$kind),)*];
        }
    };
}

event_kinds! {
    /// A session opened; payload: transport (0 polling, 1 websocket) then the sid.
    Open = 1 as "OPEN",
    Text = 2 as "TEXT",
    Binary = 3 as "BINARY",
    Upgrade = 4 as "UPGRADE",
    /// Payload: the close reason, NUL, its description (empty for none).
    Close = 5 as "CLOSE",
    /// A parked polling GET is answered; payload: the response body.
    PollReply = 6 as "POLL_REPLY",
    BridgeData = 7 as "BRIDGE_DATA",
    BridgeResume = 8 as "BRIDGE_RESUME",
    BridgeEnd = 9 as "BRIDGE_END",
    /// A socket asks to join a namespace; payload: engine handle (u32), socket id (20
    /// bytes), namespace length (u32), namespace, auth JSON.
    SocketConnect = 10 as "SOCKET_CONNECT",
    /// Payload: the JSON text's reference, ack id (f64, NaN for none), attachment count
    /// (u32), then each attachment as length (u32) and bytes.
    SocketEvent = 11 as "SOCKET_EVENT",
    SocketAck = 12 as "SOCKET_ACK",
    /// Payload: the disconnect reason, NUL, its description (empty for none).
    SocketDisconnect = 13 as "SOCKET_DISCONNECT",
    /// Payload: the decoding error's message.
    SocketError = 14 as "SOCKET_ERROR",
    /// A WebSocket handshake's reserved handle will not open a session.
    Abandoned = 15 as "ABANDONED",
    /// A congested session is below its high-water mark again.
    Drain = 16 as "DRAIN",
    /// A connection the listener leaves to Node's HTTP server; the id is its descriptor.
    HandOff = 17 as "HAND_OFF",
    /// The request of a handshake the listener serves; payload: remote address, NUL,
    /// remote port, NUL, local address, NUL, local port, NUL, the request head.
    Accepted = 18 as "ACCEPTED",
    /// A debug line; payload: its namespace, NUL, the line.
    Debug = 19 as "DEBUG",
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

/// Records' length, before the records.
pub const HEADER: usize = 4;
/// A record's kind (u8), id (u32) and payload length (u32).
pub const RECORD_HEADER: usize = 9;
/// A JSON text's index, offset and length, at the start of its record's payload.
pub const JSON_REFERENCE: usize = 12;

#[derive(Default)]
struct Batch {
    records: Vec<u8>,
    /// The JSON texts so far, comma-separated.
    json: Vec<u8>,
    json_count: u32,
}

pub struct EventQueue {
    batch: Mutex<Batch>,
    armed: AtomicBool,
    doorbell: Mutex<Option<Doorbell>>,
}

impl EventQueue {
    pub fn new() -> Arc<Self> {
        Arc::new(EventQueue {
            batch: Mutex::new(Batch::default()),
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
        let mut batch = self.batch.lock();
        let mut taken = std::mem::take(&mut batch.records);
        if taken.is_empty() {
            return taken;
        }
        let records_length = (taken.len() - HEADER) as u32;
        taken[..HEADER].copy_from_slice(&records_length.to_le_bytes());
        if batch.json_count > 0 {
            taken.reserve(batch.json.len() + 2);
            taken.push(b'[');
            taken.extend_from_slice(&batch.json);
            taken.push(b']');
            batch.json.clear();
            batch.json_count = 0;
        }
        taken
    }

    pub fn push(self: &Arc<Self>, kind: EventKind, id: u32, parts: &[&[u8]]) {
        self.push_record(kind, id, parts, None);
    }

    /// A record whose payload also has a JSON text, in pieces, which JS parses with the
    /// batch's others.
    pub fn push_with_json(
        self: &Arc<Self>,
        kind: EventKind,
        id: u32,
        parts: &[&[u8]],
        json: &[&[u8]],
    ) {
        self.push_record(kind, id, parts, Some(json));
    }

    fn push_record(
        self: &Arc<Self>,
        kind: EventKind,
        id: u32,
        parts: &[&[u8]],
        json: Option<&[&[u8]]>,
    ) {
        let mut length: usize = parts.iter().map(|part| part.len()).sum();
        if json.is_some() {
            length += JSON_REFERENCE;
        }
        {
            let mut batch = self.batch.lock();
            let Batch {
                records,
                json: texts,
                json_count,
            } = &mut *batch;
            if records.is_empty() {
                records.extend_from_slice(&[0; HEADER]);
            }
            records.reserve(RECORD_HEADER + length);
            records.push(kind as u8);
            records.extend_from_slice(&id.to_le_bytes());
            records.extend_from_slice(&(length as u32).to_le_bytes());
            if let Some(pieces) = json {
                if *json_count > 0 {
                    texts.push(b',');
                }
                let offset = texts.len() as u32;
                for piece in pieces {
                    texts.extend_from_slice(piece);
                }
                let text_length = texts.len() as u32 - offset;
                records.extend_from_slice(&json_count.to_le_bytes());
                records.extend_from_slice(&offset.to_le_bytes());
                records.extend_from_slice(&text_length.to_le_bytes());
                *json_count += 1;
            }
            for part in parts {
                records.extend_from_slice(part);
            }
        }
        if !self.armed.swap(true, Ordering::AcqRel) && !self.ring_when_worker_parks() {
            self.ring();
        }
    }
}
