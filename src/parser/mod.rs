//! Socket.IO v5 packets (the counterpart of `socket.io-parser`): pure decoding and
//! header encoding, no I/O. JSON payloads are validated but handed on as text: the
//! application's values are parsed once, in V8.

mod binary;

pub use binary::{Reassembly, MAX_ATTACHMENTS};

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};

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

/// The characters JSON allows around a value.
pub const JSON_WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];

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
    /// The first byte, if any, names no packet type.
    UnknownType(Option<u8>),
    /// The attachment count in a binary packet's header.
    IllegalAttachments,
    /// A placeholder that names no attachment.
    IllegalPlaceholder,
    TooManyAttachments,
    InvalidPayload,
    /// A binary attachment arrived when none was expected, or text while one was.
    UnexpectedBinary,
    UnexpectedText,
}

impl DecodeError {
    pub fn message(self) -> &'static str {
        match self {
            // The reference reports `Number()` of the first character.
            DecodeError::UnknownType(Some(b'7')) => "unknown packet type 7",
            DecodeError::UnknownType(Some(b'8')) => "unknown packet type 8",
            DecodeError::UnknownType(Some(b'9')) => "unknown packet type 9",
            DecodeError::UnknownType(_) => "unknown packet type NaN",
            DecodeError::IllegalAttachments => "Illegal attachments",
            DecodeError::IllegalPlaceholder => "illegal attachments",
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
    let first = bytes.first().copied();
    let kind = first
        .and_then(PacketType::from_byte)
        .ok_or(DecodeError::UnknownType(first))?;
    let mut rest = &text[1..];

    let mut attachments = 0;
    if kind.is_binary() {
        let (count, after) = rest
            .split_once('-')
            .ok_or(DecodeError::IllegalAttachments)?;
        attachments = attachment_count(count)?;
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

/// A binary packet's attachment count, read as the reference reads it: the text before
/// the `-` taken as a JavaScript `Number`, which must be an integer from 1 to
/// [`MAX_ATTACHMENTS`] (` 2`, `2.0`, `2e0` and `0x2` are all 2; an empty count is 0).
fn attachment_count(text: &str) -> Result<usize, DecodeError> {
    let number = js_number(text).ok_or(DecodeError::IllegalAttachments)?;
    if number.fract() != 0.0 || number < 1.0 {
        return Err(DecodeError::IllegalAttachments);
    }
    if number > MAX_ATTACHMENTS as f64 {
        return Err(DecodeError::TooManyAttachments);
    }
    Ok(number as usize)
}

/// JavaScript's `Number(text)` for the forms a count can take, `None` for `NaN`.
fn js_number(text: &str) -> Option<f64> {
    let is_js_space = |c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}';
    let text = text.trim_matches(is_js_space);
    if text.is_empty() {
        return Some(0.0);
    }
    let radix = match text.get(..2) {
        Some("0x" | "0X") => 16,
        Some("0o" | "0O") => 8,
        Some("0b" | "0B") => 2,
        _ => {
            // Rust also reads "inf" and "nan", which JavaScript does not.
            let is_numeric = |c: char| c.is_ascii_digit() || "+.eE".contains(c);
            return text.chars().all(is_numeric).then(|| text.parse().ok())?;
        }
    };
    let digits = &text[2..];
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Past u128 it is still an integer to JavaScript: far too many, in any case.
    Some(u128::from_str_radix(digits, radix).map_or(f64::MAX, |number| number as f64))
}

/// The reference's `isPayloadValid`, on JSON text.
fn validate_payload(kind: PacketType, json: &str) -> Result<(), DecodeError> {
    let invalid = |_| DecodeError::InvalidPayload;
    let trimmed = json.trim_start_matches(JSON_WHITESPACE);
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
            serde_json::from_str::<EventArguments>(json).map_err(invalid)?;
        }
        PacketType::Ack | PacketType::BinaryAck => {
            serde_json::from_str::<Vec<IgnoredAny>>(json).map_err(invalid)?;
        }
    }
    Ok(())
}

/// An event's argument list, checked without keeping any of it: a non-empty array
/// whose first item, the event name, is a number or a string the server does not reserve.
struct EventArguments;

impl<'de> Deserialize<'de> for EventArguments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(EventArguments)
    }
}

impl<'de> Visitor<'de> for EventArguments {
    type Value = EventArguments;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an event name and its arguments")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self, A::Error> {
        items
            .next_element::<EventName>()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        while items.next_element::<IgnoredAny>()?.is_some() {}
        Ok(EventArguments)
    }
}

/// An event name that a client may send; borrowed from the packet unless it has escapes.
struct EventName;

impl<'de> Deserialize<'de> for EventName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EventName)
    }
}

impl<'de> Visitor<'de> for EventName {
    type Value = EventName;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self, E> {
        if RESERVED_EVENTS.contains(&name) {
            return Err(E::custom("reserved event name"));
        }
        Ok(EventName)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self, E> {
        Ok(EventName)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self, E> {
        Ok(EventName)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self, E> {
        Ok(EventName)
    }
}

/// Encodes a whole packet: its header, then its JSON `data`. An EVENT or ACK with
/// attachments is written as its binary type.
pub fn encode(
    out: &mut String,
    kind: PacketType,
    nsp: &str,
    attachments: usize,
    id: Option<u64>,
    data: &str,
) {
    encode_header(
        out,
        with_attachments(kind, attachments),
        nsp,
        attachments,
        id,
    );
    out.push_str(data);
}

/// The length of what [`encode`] writes.
pub fn encoded_len(
    kind: PacketType,
    nsp: &str,
    attachments: usize,
    id: Option<u64>,
    data: &str,
) -> usize {
    header_len(with_attachments(kind, attachments), nsp, attachments, id) + data.len()
}

/// The type a packet is written as: binary when it carries attachments.
fn with_attachments(kind: PacketType, attachments: usize) -> PacketType {
    match (kind, attachments) {
        (PacketType::Event, 1..) => PacketType::BinaryEvent,
        (PacketType::Ack, 1..) => PacketType::BinaryAck,
        (kind, _) => kind,
    }
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

/// The length of the header [`encode_header`] writes.
pub fn header_len(kind: PacketType, nsp: &str, attachments: usize, id: Option<u64>) -> usize {
    let digits = |n: u64| n.checked_ilog10().map_or(1, |log| log as usize + 1);
    let attachments = if kind.is_binary() {
        digits(attachments as u64) + 1
    } else {
        0
    };
    let nsp = if nsp == "/" { 0 } else { nsp.len() + 1 };
    1 + attachments + nsp + id.map_or(0, digits)
}

#[cfg(test)]
mod tests;
