//! Handshake and upgrade requests: the query string and the WebSocket headers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sio_rs::engine::request::EngineQuery;
use sio_rs::engine::websocket::UpgradeRequest;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\n').map(str::to_owned);
    let url = fields.next().unwrap_or_default();
    let query = EngineQuery::from_url(&url);
    let _ = (query.session_id(), query.supports_protocol());
    let request = UpgradeRequest {
        method: fields.next().unwrap_or_default(),
        url,
        upgrade: fields.next(),
        key: fields.next(),
        version: fields.next(),
        ..UpgradeRequest::default()
    };
    let _ = request.validate();
});
