//! What JS must read as Rust writes it, defined here once and handed to the facade at
//! load (`boundary()`): the event kinds and the batch layout, the engine's error codes
//! and messages, and the defaults of the options the engine applies.

use bytes::Bytes;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use super::events::{self, EventKind, EventQueue};
use super::handler::JsEvents;
use super::options::EngineOptions;
use crate::engine::{EngineConfig, ErrorCode};
use crate::parser::PacketType;

/// A name JS knows a number by, with its message for an error code.
#[napi(object)]
pub struct Named {
    pub name: String,
    pub code: u32,
    pub message: Option<String>,
}

/// The sizes of a batch's fixed parts (see `events.rs`).
#[napi(object)]
pub struct BatchLayout {
    pub header: u32,
    pub record_header: u32,
    pub json_reference: u32,
}

#[napi(object)]
pub struct Boundary {
    pub event_kinds: Vec<Named>,
    pub batch_layout: BatchLayout,
    pub errors: Vec<Named>,
    pub defaults: EngineOptions,
}

#[napi(catch_unwind)]
pub fn boundary() -> Boundary {
    let event_kinds = EventKind::ALL.iter().map(|&(name, kind)| Named {
        name: name.into(),
        code: kind as u32,
        message: None,
    });
    let errors = ErrorCode::ALL.iter().map(|&(name, code)| Named {
        name: name.into(),
        code: code as u32,
        message: Some(code.message().into()),
    });
    Boundary {
        event_kinds: event_kinds.collect(),
        batch_layout: BatchLayout {
            header: events::HEADER as u32,
            record_header: events::RECORD_HEADER as u32,
            json_reference: events::JSON_REFERENCE as u32,
        },
        errors: errors.collect(),
        defaults: EngineOptions::from_config(&EngineConfig::default()),
    }
}

/// A batch with a record of each layout, written by the writers the events use, for the
/// JS test that reads it back (`__test__/event-batch.test.js`).
#[napi(catch_unwind)]
pub fn golden_batch() -> Buffer {
    let events = JsEvents {
        queue: EventQueue::new(),
    };
    events.push_open(3, true, "sid-of-twenty-chars0");
    let description = "poll connection closed prematurely";
    events.push_reason(EventKind::Close, 3, "transport error", description);
    events.push_connect(
        9,
        3,
        "socket-id-twentychar",
        "/chat",
        Some(r#"{"token":"é"}"#),
    );
    let attachments = [Bytes::from_static(&[1, 2]), Bytes::new()];
    events.push_packet(9, PacketType::Event, Some(7), r#"["ev",1]"#, &attachments);
    events.push_packet(9, PacketType::Ack, Some(8), "", &[]);
    events.push_packet(9, PacketType::Event, None, r#"["plain",{"a":[null]}]"#, &[]);
    let reason = "client namespace disconnect";
    events.push_reason(EventKind::SocketDisconnect, 9, reason, "");
    events.push_debug("engine:ws", format_args!("received \"{}\"", "40"));
    Buffer::from(events.queue.take())
}
