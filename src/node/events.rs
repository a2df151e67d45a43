//! Rust → JS events, batched: producers append records to one buffer and ring a
//! doorbell (a weak threadsafe function) only when the buffer was empty; the JS thread
//! takes the whole buffer in one call.
//!
//! Record layout: kind (u8), id (u32 LE), payload length (u32 LE), payload.

use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Payload: the close reason.
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
    /// Payload: the disconnect reason.
    SocketDisconnect = 13,
    /// Payload: the decoding error's message.
    SocketError = 14,
    /// A WebSocket handshake's reserved handle will not open a session.
    Abandoned = 15,
}

type Doorbell = ThreadsafeFunction<(), (), Buffer, Status, false, true>;

pub struct EventQueue {
    records: Mutex<Vec<u8>>,
    armed: AtomicBool,
    doorbell: Mutex<Option<Doorbell>>,
}

impl EventQueue {
    pub fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(EventQueue {
            records: Mutex::new(Vec::new()),
            armed: AtomicBool::new(false),
            doorbell: Mutex::new(None),
        })
    }

    /// Connects the queue to the JS function that drains it.
    pub fn connect(
        self: &std::sync::Arc<Self>,
        callback: Function<Buffer, ()>,
    ) -> napi::Result<()> {
        let queue = std::sync::Arc::downgrade(self);
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

    pub fn take(&self) -> Vec<u8> {
        self.armed.store(false, Ordering::Release);
        std::mem::take(&mut *self.records.lock())
    }

    pub fn push(&self, kind: EventKind, id: u32, parts: &[&[u8]]) {
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
        if !self.armed.swap(true, Ordering::AcqRel) {
            if let Some(doorbell) = self.doorbell.lock().as_ref() {
                doorbell.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
        }
    }
}
