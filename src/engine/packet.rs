//! Engine.IO v4 packet codec, the counterpart of `engine.io-parser`.
//!
//! WebSocket carries one packet per frame (a binary frame is implicitly a `message`);
//! long-polling carries payloads of packets joined by `\x1e`, binary ones as `b` + base64.

use std::borrow::Cow;

use bytes::Bytes;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::base64;

/// Record separator between the packets of a polling payload.
pub const SEPARATOR: char = '\x1e';

/// A packet the server writes. Text packets include their type character, so one
/// encoded broadcast frame is shared (refcounted) by every recipient.
#[derive(Clone, Debug, PartialEq)]
pub enum Outgoing {
    Text(Utf8Bytes),
    Binary(Bytes),
}

impl Outgoing {
    pub const CLOSE: Outgoing = Outgoing::Text(Utf8Bytes::from_static("1"));
    pub const PING: Outgoing = Outgoing::Text(Utf8Bytes::from_static("2"));
    pub const PONG_PROBE: Outgoing = Outgoing::Text(Utf8Bytes::from_static("3probe"));
    pub const NOOP: Outgoing = Outgoing::Text(Utf8Bytes::from_static("6"));

    /// A `message` packet with a text payload.
    pub fn message(text: &str) -> Self {
        Self::with_type('4', text)
    }

    /// A `message` packet whose payload of `len` bytes `write` appends: one allocation of
    /// exactly the frame's size, which then becomes shared bytes without another.
    pub fn message_written(len: usize, write: impl FnOnce(&mut String)) -> Self {
        let mut text = String::with_capacity(1 + len);
        text.push('4');
        write(&mut text);
        Outgoing::Text(text.into())
    }

    /// The `open` packet carrying the handshake JSON.
    pub fn open(handshake_json: &str) -> Self {
        Self::with_type('0', handshake_json)
    }

    fn with_type(kind: char, data: &str) -> Self {
        let mut text = String::with_capacity(data.len() + 1);
        text.push(kind);
        text.push_str(data);
        Outgoing::Text(text.into())
    }

    /// The bytes this packet holds (what it costs the outbound queue).
    pub fn size(&self) -> usize {
        match self {
            Outgoing::Text(text) => text.len(),
            Outgoing::Binary(bytes) => bytes.len(),
        }
    }

    /// Its type, as the reference's debug lines name it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Outgoing::Text(text) => {
                decode_text(text).map_or("message", |packet| packet.type_name())
            }
            Outgoing::Binary(_) => "message",
        }
    }

    /// Its data, as the reference's debug lines show it (`undefined` for none).
    pub fn debug_data(&self) -> Cow<'_, str> {
        match self {
            Outgoing::Text(text) if text.len() == 1 && !text.starts_with('4') => {
                Cow::Borrowed("undefined")
            }
            Outgoing::Text(text) => Cow::Borrowed(&text[1..]),
            Outgoing::Binary(bytes) => String::from_utf8_lossy(bytes),
        }
    }

    fn encoded_len(&self) -> usize {
        match self {
            Outgoing::Text(text) => text.len(),
            Outgoing::Binary(bytes) => 1 + base64::encoded_len(bytes.len()),
        }
    }
}

/// A packet received from a client.
#[derive(Debug, PartialEq)]
pub enum Incoming<'a> {
    Open,
    Close,
    Ping(&'a str),
    Pong(&'a str),
    Message(&'a str),
    Binary(Bytes),
    Upgrade,
    Noop,
}

impl Incoming<'_> {
    /// Its type, as the reference's debug lines name it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Incoming::Open => "open",
            Incoming::Close => "close",
            Incoming::Ping(_) => "ping",
            Incoming::Pong(_) => "pong",
            Incoming::Message(_) | Incoming::Binary(_) => "message",
            Incoming::Upgrade => "upgrade",
            Incoming::Noop => "noop",
        }
    }
}

/// The packet could not be decoded; the session closes with `"parse error"`.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct ParseError;

/// Decodes one text packet (a WebSocket text frame or one record of a polling payload).
pub fn decode_text(text: &str) -> Result<Incoming<'_>, ParseError> {
    let Some(kind) = text.as_bytes().first() else {
        return Err(ParseError);
    };
    // Only an ASCII type character is valid, so slicing after it stays on a char boundary.
    let data = text.get(1..).ok_or(ParseError)?;
    Ok(match kind {
        b'0' => Incoming::Open,
        b'1' => Incoming::Close,
        b'2' => Incoming::Ping(data),
        b'3' => Incoming::Pong(data),
        b'4' => Incoming::Message(data),
        b'5' => Incoming::Upgrade,
        b'6' => Incoming::Noop,
        b'b' => Incoming::Binary(Bytes::from(base64::decode_lenient(data))),
        _ => return Err(ParseError),
    })
}

/// Decodes a polling payload packet by packet; like the reference, decoding stops after
/// the first packet that fails.
pub fn decode_payload(payload: &str) -> impl Iterator<Item = Result<Incoming<'_>, ParseError>> {
    let mut failed = false;
    payload.split(SEPARATOR).map_while(move |record| {
        if failed {
            return None;
        }
        let packet = decode_text(record);
        failed = packet.is_err();
        Some(packet)
    })
}

/// Encodes packets as one polling payload.
pub fn encode_payload<'a>(packets: impl Iterator<Item = &'a Outgoing> + Clone) -> String {
    let size: usize = packets.clone().map(|p| p.encoded_len() + 1).sum();
    let mut payload = String::with_capacity(size);
    for (index, packet) in packets.enumerate() {
        if index > 0 {
            payload.push(SEPARATOR);
        }
        match packet {
            Outgoing::Text(text) => payload.push_str(text),
            Outgoing::Binary(bytes) => {
                payload.push('b');
                base64::encode_into(bytes, &mut payload);
            }
        }
    }
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_packet_type() {
        assert_eq!(decode_text("0"), Ok(Incoming::Open));
        assert_eq!(decode_text("1"), Ok(Incoming::Close));
        assert_eq!(decode_text("2probe"), Ok(Incoming::Ping("probe")));
        assert_eq!(decode_text("3"), Ok(Incoming::Pong("")));
        assert_eq!(decode_text("4héllo"), Ok(Incoming::Message("héllo")));
        assert_eq!(decode_text("5"), Ok(Incoming::Upgrade));
        assert_eq!(decode_text("6"), Ok(Incoming::Noop));
        assert_eq!(
            decode_text("bAQID"),
            Ok(Incoming::Binary(Bytes::from_static(&[1, 2, 3])))
        );
    }

    #[test]
    fn rejects_unknown_types_and_empty_packets() {
        assert_eq!(decode_text(""), Err(ParseError));
        assert_eq!(decode_text("7"), Err(ParseError));
        assert_eq!(decode_text("x4"), Err(ParseError));
        assert_eq!(decode_text("é"), Err(ParseError));
    }

    #[test]
    fn payload_stops_at_first_error() {
        let packets: Vec<_> = decode_payload("4a\x1ex\x1e4b").collect();
        assert_eq!(packets, vec![Ok(Incoming::Message("a")), Err(ParseError)]);
    }

    #[test]
    fn payload_keeps_empty_messages() {
        let packets: Vec<_> = decode_payload("4\x1e4").collect();
        assert_eq!(
            packets,
            vec![Ok(Incoming::Message("")), Ok(Incoming::Message(""))]
        );
    }

    #[test]
    fn encodes_text_and_binary_payloads() {
        let packets = [
            Outgoing::open("{}"),
            Outgoing::message("hi"),
            Outgoing::Binary(Bytes::from_static(&[1, 2, 3, 4])),
        ];
        assert_eq!(encode_payload(packets.iter()), "0{}\x1e4hi\x1ebAQIDBA==");
        assert_eq!(encode_payload([Outgoing::NOOP].iter()), "6");
    }

    #[test]
    fn debug_lines_show_packets_as_the_reference_does() {
        let shown = |packet: Outgoing| (packet.type_name(), packet.debug_data().into_owned());
        assert_eq!(shown(Outgoing::PING), ("ping", "undefined".into()));
        assert_eq!(shown(Outgoing::open("{}")), ("open", "{}".into()));
        assert_eq!(shown(Outgoing::message("")), ("message", "".into()));
        let binary = Outgoing::Binary(Bytes::from_static(b"hi"));
        assert_eq!(shown(binary), ("message", "hi".into()));
    }
}
