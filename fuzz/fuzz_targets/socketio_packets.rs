//! Socket.IO packets with binary reassembly: the first line is the text packet, each
//! following line an attachment.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use sio_rs::parser::{decode, Reassembly};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == b'\n');
    let first = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let Ok(packet) = decode(&first) else { return };
    if !packet.kind.is_binary() || packet.attachments == 0 {
        return;
    }
    let mut reassembly = Reassembly::new(&packet);
    for part in parts {
        if reassembly.is_complete() || reassembly.push(Bytes::copy_from_slice(part)).is_err() {
            break;
        }
    }
});
