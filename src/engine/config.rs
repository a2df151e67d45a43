//! Engine options, with the reference's defaults.

use std::time::Duration;

use super::debug::{Enabled, Log};

#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub ping_interval: Duration,
    pub ping_timeout: Duration,
    pub upgrade_timeout: Duration,
    /// `maxHttpBufferSize`: the largest polling body and WebSocket message accepted.
    pub max_payload: usize,
    pub polling: bool,
    pub websocket: bool,
    pub allow_upgrades: bool,
    /// `initialPacket`, sent as a message right after the open packet.
    pub initial_packet: Option<InitialPacket>,
    /// How long a server-closed polling session waits for the GET that takes its close packet.
    pub polling_close_timeout: Duration,
    /// Bytes queued for a session above which it reports congestion (`emit()` returns
    /// false) until it drains below again.
    pub outbound_high_water_mark: usize,
    /// Bytes queued for a session at which it no longer takes packets: a client that
    /// stopped reading is disconnected instead of growing the server's memory.
    pub max_outbound_buffer: usize,
    /// Sessions a burst of the application's writes may leave for its own thread to
    /// write to; beyond that the writes go to the runtime's tasks.
    pub writes_on_caller: usize,
    /// `httpCompression` for the polling answers Rust writes itself.
    pub polling_compression: PollingCompression,
    /// The debug namespaces that print.
    pub debug: Enabled<Log>,
}

/// How polling answers are compressed (the reference's `httpCompression`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PollingCompression {
    Off,
    /// Payloads of `threshold` bytes or more, at zlib `level`, when the client accepts it.
    Compress {
        threshold: usize,
        level: u32,
    },
    /// zlib options Rust does not apply: a compressible answer is Node's to write.
    LeftToNode,
}

#[derive(Clone, Debug)]
pub enum InitialPacket {
    Text(String),
    Binary(bytes::Bytes),
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_millis(25_000),
            ping_timeout: Duration::from_millis(20_000),
            upgrade_timeout: Duration::from_millis(10_000),
            max_payload: 1_000_000,
            polling: true,
            websocket: true,
            allow_upgrades: true,
            initial_packet: None,
            polling_close_timeout: Duration::from_secs(30),
            outbound_high_water_mark: 1 << 20,
            max_outbound_buffer: 16 << 20,
            writes_on_caller: 16,
            polling_compression: PollingCompression::Compress {
                threshold: 1024,
                level: 6,
            },
            debug: Enabled::default(),
        }
    }
}

impl EngineConfig {
    pub fn allows(&self, transport: Transport) -> bool {
        match transport {
            Transport::Polling => self.polling,
            Transport::WebSocket => self.websocket,
        }
    }

    /// The `upgrades` announced in the open packet of a session on `transport`.
    pub fn upgrades(&self, transport: Transport) -> &'static [&'static str] {
        if transport == Transport::Polling && self.allow_upgrades && self.websocket {
            &["websocket"]
        } else {
            &[]
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Polling,
    WebSocket,
}

impl Transport {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "polling" => Some(Transport::Polling),
            "websocket" => Some(Transport::WebSocket),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Transport::Polling => "polling",
            Transport::WebSocket => "websocket",
        }
    }
}
