//! Engine.IO packets and polling payloads, as a client may send them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sio_rs::engine::packet::{decode_payload, decode_text, encode_payload, Incoming, Outgoing};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = decode_text(&text);
    let decoded: Vec<_> = decode_payload(&text).collect();
    // Whatever decodes as messages encodes back without panicking.
    let echoed: Vec<Outgoing> = decoded
        .iter()
        .filter_map(|packet| match packet {
            Ok(Incoming::Message(text)) => Some(Outgoing::message(text)),
            Ok(Incoming::Binary(bytes)) => Some(Outgoing::Binary(bytes.clone())),
            _ => None,
        })
        .collect();
    let _ = encode_payload(echoed.iter());
});
