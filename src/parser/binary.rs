//! Binary packets: the JSON part arrives first with placeholders
//! `{"_placeholder":true,"num":i}`, then one engine message per attachment.

use bytes::Bytes;
use serde_json::Value;

use super::{DecodeError, Packet, PacketType};

/// The most attachments a packet may announce (socket.io-parser's `maxAttachments`).
pub const MAX_ATTACHMENTS: usize = 10;

/// A binary packet waiting for its attachments.
#[derive(Debug)]
pub struct Reassembly {
    /// `Event` or `Ack` (the binary types are reported as their plain counterparts).
    pub kind: PacketType,
    pub nsp: String,
    pub id: Option<u64>,
    pub data: String,
    pub attachments: Vec<Bytes>,
    expected: usize,
}

impl Reassembly {
    pub fn new(packet: &Packet<'_>) -> Self {
        Reassembly {
            kind: match packet.kind {
                PacketType::BinaryAck => PacketType::Ack,
                _ => PacketType::Event,
            },
            nsp: packet.nsp.to_owned(),
            id: packet.id,
            data: packet.data.unwrap_or_default().to_owned(),
            attachments: Vec::with_capacity(packet.attachments),
            expected: packet.attachments,
        }
    }

    pub fn is_complete(&self) -> bool {
        self.attachments.len() >= self.expected
    }

    /// Adds the next attachment; once all arrived, checks every placeholder.
    pub fn push(&mut self, attachment: Bytes) -> Result<(), DecodeError> {
        self.attachments.push(attachment);
        if self.is_complete() {
            self.check_placeholders()?;
        }
        Ok(())
    }

    /// Every placeholder must name an attachment by a number in range. A fraction passes,
    /// as in the reference, and stands for `undefined` once JS puts the buffers in.
    pub fn check_placeholders(&self) -> Result<(), DecodeError> {
        if self.data.is_empty() {
            return Ok(());
        }
        let value: Value =
            serde_json::from_str(&self.data).map_err(|_| DecodeError::InvalidPayload)?;
        check(&value, self.attachments.len())
    }
}

fn check(value: &Value, count: usize) -> Result<(), DecodeError> {
    match value {
        Value::Object(map) if map.get("_placeholder") == Some(&Value::Bool(true)) => {
            match map.get("num").and_then(Value::as_f64) {
                Some(num) if num >= 0.0 && num < count as f64 => Ok(()),
                _ => Err(DecodeError::IllegalPlaceholder),
            }
        }
        Value::Object(map) => map.values().try_for_each(|v| check(v, count)),
        Value::Array(items) => items.iter().try_for_each(|v| check(v, count)),
        _ => Ok(()),
    }
}
