//! The options JS gives an engine, and the engine config they make (and, for the
//! facade's defaults, the other way round).

use std::time::Duration;

use bytes::Bytes;
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;

use crate::engine::debug::Enabled;
use crate::engine::{EngineConfig, InitialPacket, PollingCompression};

#[napi(object)]
pub struct EngineOptions {
    pub ping_interval: u32,
    pub ping_timeout: u32,
    pub upgrade_timeout: u32,
    pub max_http_buffer_size: f64,
    pub outbound_high_water_mark: f64,
    pub max_outbound_buffer_size: f64,
    pub transports: Vec<String>,
    pub allow_upgrades: bool,
    pub initial_packet: Option<Either<String, Buffer>>,
    /// `httpCompression`, when on.
    pub http_compression: Option<HttpCompression>,
    /// The debug namespaces (of `debugNamespaces()`) that print.
    pub debug: Vec<String>,
}

#[napi(object)]
pub struct HttpCompression {
    pub threshold: f64,
    /// zlib's level; none when other zlib options are set, which Rust does not apply.
    pub level: Option<u32>,
}

impl EngineOptions {
    pub fn into_config(self) -> EngineConfig {
        let has = |name: &str| self.transports.iter().any(|t| t == name);
        EngineConfig {
            ping_interval: Duration::from_millis(self.ping_interval.into()),
            ping_timeout: Duration::from_millis(self.ping_timeout.into()),
            upgrade_timeout: Duration::from_millis(self.upgrade_timeout.into()),
            max_payload: byte_count(self.max_http_buffer_size),
            outbound_high_water_mark: byte_count(self.outbound_high_water_mark),
            max_outbound_buffer: byte_count(self.max_outbound_buffer_size),
            polling: has("polling"),
            websocket: has("websocket"),
            allow_upgrades: self.allow_upgrades,
            initial_packet: self.initial_packet.map(|packet| match packet {
                Either::A(text) => InitialPacket::Text(text),
                Either::B(bytes) => InitialPacket::Binary(Bytes::copy_from_slice(&bytes)),
            }),
            polling_compression: match self.http_compression {
                None => PollingCompression::Off,
                Some(HttpCompression {
                    threshold,
                    level: Some(level),
                }) => PollingCompression::Compress {
                    threshold: byte_count(threshold),
                    level,
                },
                Some(HttpCompression { level: None, .. }) => PollingCompression::LeftToNode,
            },
            // On one core the runtime shares the JS thread's core: handing writes over
            // would only add a switch between the two.
            writes_on_caller: match super::available_cores() {
                1 => 64,
                _ => EngineConfig::default().writes_on_caller,
            },
            debug: Enabled::named(&self.debug),
            ..EngineConfig::default()
        }
    }
}

impl EngineOptions {
    /// The options of `config` as JS names them: with the default config, the facade's
    /// defaults for what the engine applies (see `boundary()`).
    pub fn from_config(config: &EngineConfig) -> Self {
        let transports = [(config.polling, "polling"), (config.websocket, "websocket")];
        EngineOptions {
            ping_interval: config.ping_interval.as_millis() as u32,
            ping_timeout: config.ping_timeout.as_millis() as u32,
            upgrade_timeout: config.upgrade_timeout.as_millis() as u32,
            max_http_buffer_size: config.max_payload as f64,
            outbound_high_water_mark: config.outbound_high_water_mark as f64,
            max_outbound_buffer_size: config.max_outbound_buffer as f64,
            transports: transports
                .iter()
                .filter(|(allowed, _)| *allowed)
                .map(|(_, name)| name.to_string())
                .collect(),
            allow_upgrades: config.allow_upgrades,
            initial_packet: None,
            http_compression: match config.polling_compression {
                PollingCompression::Compress { threshold, level } => Some(HttpCompression {
                    threshold: threshold as f64,
                    level: Some(level),
                }),
                PollingCompression::Off | PollingCompression::LeftToNode => None,
            },
            debug: Vec::new(),
        }
    }
}

/// A size option from JS (a number of bytes, possibly fractional or out of range).
fn byte_count(value: f64) -> usize {
    value.clamp(0.0, usize::MAX as f64) as usize
}

/// Socket.IO options; without them the engine serves raw Engine.IO sessions.
#[napi(object)]
pub struct SocketIoOptions {
    pub connect_timeout: u32,
}
