//! Socket.IO v5 packets (the counterpart of `socket.io-parser`): pure decoding and
//! header encoding, no I/O. JSON payloads are validated but handed on as text: the
//! application's values are parsed once, in V8.

mod binary;

pub use binary::{Reassembly, MAX_ATTACHMENTS};

use serde::de::IgnoredAny;
use serde_json::value::RawValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PacketType {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}

impl PacketType {
    fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            b'0' => PacketType::Connect,
            b'1' => PacketType::Disconnect,
            b'2' => PacketType::Event,
            b'3' => PacketType::Ack,
            b'4' => PacketType::ConnectError,
            b'5' => PacketType::BinaryEvent,
            b'6' => PacketType::BinaryAck,
            _ => return None,
        })
    }

    pub fn is_binary(self) -> bool {
        matches!(self, PacketType::BinaryEvent | PacketType::BinaryAck)
    }
}

/// Event names a client may not send (they are the server's own events).
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// A decoded packet; `data` is the raw JSON payload, if any.
#[derive(Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    pub kind: PacketType,
    pub nsp: &'a str,
    pub attachments: usize,
    pub id: Option<u64>,
    pub data: Option<&'a str>,
}

/// Why a packet was refused; the connection is then closed.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum DecodeError {
    UnknownType,
    IllegalAttachments,
    TooManyAttachments,
    InvalidPayload,
    /// A binary attachment arrived when none was expected, or text while one was.
    UnexpectedBinary,
    UnexpectedText,
}

impl DecodeError {
    pub fn message(self) -> &'static str {
        match self {
            DecodeError::UnknownType => "unknown packet type",
            DecodeError::IllegalAttachments => "Illegal attachments",
            DecodeError::TooManyAttachments => "too many attachments",
            DecodeError::InvalidPayload => "invalid payload",
            DecodeError::UnexpectedBinary => "got binary data when not reconstructing a packet",
            DecodeError::UnexpectedText => "got plaintext data when reconstructing a packet",
        }
    }
}

/// Decodes the text form `<type>[<attachments>-][<nsp>,][<id>][<json>]`.
pub fn decode(text: &str) -> Result<Packet<'_>, DecodeError> {
    let bytes = text.as_bytes();
    let kind = bytes
        .first()
        .and_then(|&b| PacketType::from_byte(b))
        .ok_or(DecodeError::UnknownType)?;
    let mut rest = &text[1..];

    let mut attachments = 0;
    if kind.is_binary() {
        let (count, after) = rest
            .split_once('-')
            .ok_or(DecodeError::IllegalAttachments)?;
        if !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DecodeError::IllegalAttachments);
        }
        // An empty count is 0 for the reference (`Number("")`).
        attachments = if count.is_empty() {
            0
        } else {
            count
                .parse::<usize>()
                .map_err(|_| DecodeError::TooManyAttachments)?
        };
        if attachments > MAX_ATTACHMENTS {
            return Err(DecodeError::TooManyAttachments);
        }
        rest = after;
    }

    let mut nsp = "/";
    if rest.starts_with('/') {
        let end = rest.find(',').unwrap_or(rest.len());
        nsp = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
    }

    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let mut id = None;
    if digits > 0 {
        id = Some(
            rest[..digits]
                .parse::<u64>()
                .map_err(|_| DecodeError::InvalidPayload)?,
        );
        rest = &rest[digits..];
    }

    let data = if rest.is_empty() { None } else { Some(rest) };
    if let Some(json) = data {
        validate_payload(kind, json)?;
    }
    Ok(Packet {
        kind,
        nsp,
        attachments,
        id,
        data,
    })
}

/// The reference's `isPayloadValid`, on JSON text.
fn validate_payload(kind: PacketType, json: &str) -> Result<(), DecodeError> {
    let invalid = |_| DecodeError::InvalidPayload;
    let trimmed = json.trim_start_matches([' ', '\t', '\n', '\r']);
    match kind {
        PacketType::Connect => {
            if !trimmed.starts_with('{') {
                return Err(DecodeError::InvalidPayload);
            }
            serde_json::from_str::<IgnoredAny>(json).map_err(invalid)?;
        }
        PacketType::Disconnect => return Err(DecodeError::InvalidPayload),
        PacketType::ConnectError => {
            if !(trimmed.starts_with('{') || trimmed.starts_with('"')) {
                return Err(DecodeError::InvalidPayload);
            }
            serde_json::from_str::<IgnoredAny>(json).map_err(invalid)?;
        }
        PacketType::Event | PacketType::BinaryEvent => {
            let items: Vec<&RawValue> = serde_json::from_str(json).map_err(invalid)?;
            let first = items.first().ok_or(DecodeError::InvalidPayload)?;
            match event_name(first)? {
                EventName::Number => {}
                EventName::Text(name) if RESERVED_EVENTS.contains(&name.as_str()) => {
                    return Err(DecodeError::InvalidPayload)
                }
                EventName::Text(_) => {}
            }
        }
        PacketType::Ack | PacketType::BinaryAck => {
            serde_json::from_str::<Vec<IgnoredAny>>(json).map_err(invalid)?;
        }
    }
    Ok(())
}

enum EventName {
    Number,
    Text(String),
}

fn event_name(value: &RawValue) -> Result<EventName, DecodeError> {
    let text = value.get();
    if text.starts_with('"') {
        let name: String = serde_json::from_str(text).map_err(|_| DecodeError::InvalidPayload)?;
        return Ok(EventName::Text(name));
    }
    if serde_json::from_str::<f64>(text).is_ok() {
        return Ok(EventName::Number);
    }
    Err(DecodeError::InvalidPayload)
}

/// Encodes a packet header: `<type>[<attachments>-][<nsp>,][<id>]`, to which the JSON
/// payload is appended.
pub fn encode_header(
    out: &mut String,
    kind: PacketType,
    nsp: &str,
    attachments: usize,
    id: Option<u64>,
) {
    out.push((b'0' + kind as u8) as char);
    if kind.is_binary() {
        out.push_str(itoa::Buffer::new().format(attachments));
        out.push('-');
    }
    if nsp != "/" {
        out.push_str(nsp);
        out.push(',');
    }
    if let Some(id) = id {
        out.push_str(itoa::Buffer::new().format(id));
    }
}

#[cfg(test)]
mod tests;
