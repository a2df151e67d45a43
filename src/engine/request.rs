//! What the engine needs from an HTTP request (polling request or WebSocket upgrade), and
//! the reference's verification of it (`Server.verify`), in the reference's order.

use std::sync::Arc;

use super::config::{EngineConfig, Transport};
use super::debug::{debug, Log};
use super::error::ErrorCode;
use super::session::Session;
use super::Engine;

/// The engine's query parameters, parsed like `URLSearchParams`.
#[derive(Debug, Default, PartialEq)]
pub struct EngineQuery {
    pub eio: Option<String>,
    pub transport: Option<String>,
    pub sid: Option<String>,
}

impl EngineQuery {
    pub fn from_url(url: &str) -> Self {
        let mut query = EngineQuery::default();
        let Some((_, raw)) = url.split_once('?') else {
            return query;
        };
        let raw = raw.split('#').next().unwrap_or_default();
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let slot = match key.as_ref() {
                "EIO" => &mut query.eio,
                "transport" => &mut query.transport,
                "sid" => &mut query.sid,
                _ => continue,
            };
            // URLSearchParams + Object.fromEntries: the last value wins.
            *slot = Some(value.into_owned());
        }
        query
    }

    /// A session id as the reference reads it: an empty `sid` means a handshake.
    pub fn session_id(&self) -> Option<&str> {
        self.sid.as_deref().filter(|sid| !sid.is_empty())
    }

    pub fn supports_protocol(&self) -> bool {
        self.eio.as_deref() == Some("4")
    }
}

pub struct RequestHead<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub origin: Option<&'a str>,
    pub is_upgrade: bool,
}

/// Where a verified request goes.
pub enum Route {
    Handshake {
        transport: Transport,
        /// False for anything but `EIO=4`; reported as code 5 after `allowRequest` ran.
        protocol_supported: bool,
    },
    Session {
        session: Arc<Session>,
        transport: Transport,
    },
}

/// Why the reference refuses a request: its error code, and the line it writes.
#[derive(Debug, PartialEq)]
enum Refused<'a> {
    UnknownTransport(Option<&'a str>),
    InvalidOrigin,
    UnknownSid(&'a str),
    TransportMismatch,
    BadHandshakeMethod,
    WebSocketWithoutUpgrade,
}

impl Refused<'_> {
    fn code(&self) -> ErrorCode {
        match self {
            Refused::UnknownTransport(_) => ErrorCode::UnknownTransport,
            Refused::UnknownSid(_) => ErrorCode::UnknownSid,
            Refused::BadHandshakeMethod => ErrorCode::BadHandshakeMethod,
            Refused::InvalidOrigin
            | Refused::TransportMismatch
            | Refused::WebSocketWithoutUpgrade => ErrorCode::BadRequest,
        }
    }

    fn debug(&self, engine: &Engine) {
        match self {
            Refused::UnknownTransport(transport) => debug!(
                engine,
                Log::Engine,
                "unknown transport \"{}\"",
                transport.unwrap_or("undefined")
            ),
            Refused::InvalidOrigin => debug!(engine, Log::Engine, "origin header invalid"),
            Refused::UnknownSid(sid) => debug!(engine, Log::Engine, "unknown sid \"{sid}\""),
            Refused::TransportMismatch => debug!(
                engine,
                Log::Engine,
                "bad request: unexpected transport without upgrade"
            ),
            // The reference writes no line for it.
            Refused::BadHandshakeMethod => {}
            Refused::WebSocketWithoutUpgrade => {
                debug!(engine, Log::Engine, "invalid transport upgrade")
            }
        }
    }
}

fn is_valid_header_char(c: char) -> bool {
    // Node's `checkInvalidHeaderChar`: tab and 32..=255 except DEL.
    c == '\t' || (' '..='\u{ff}').contains(&c) && c != '\u{7f}'
}

impl Engine {
    /// Verifies a request, writing the reference's line when it is refused.
    pub fn verify(&self, request: &RequestHead<'_>) -> Result<Route, ErrorCode> {
        let query = EngineQuery::from_url(request.url);
        verify_with(&self.config, request, &query, |sid| {
            self.session_by_sid(sid)
        })
        .map_err(|refused| {
            refused.debug(self);
            refused.code()
        })
    }

    /// [`Engine::verify`] without its line: for a look at a request that goes on to
    /// be verified (and its refusal written) elsewhere.
    pub fn verify_quietly(&self, request: &RequestHead<'_>) -> Result<Route, ErrorCode> {
        let query = EngineQuery::from_url(request.url);
        verify_with(&self.config, request, &query, |sid| {
            self.session_by_sid(sid)
        })
        .map_err(|refused| refused.code())
    }
}

fn verify_with<'a>(
    config: &EngineConfig,
    request: &RequestHead<'_>,
    query: &'a EngineQuery,
    find: impl FnOnce(&str) -> Option<Arc<Session>>,
) -> Result<Route, Refused<'a>> {
    let transport = query.transport.as_deref();
    let transport = transport
        .and_then(Transport::parse)
        .filter(|&transport| config.allows(transport))
        .ok_or(Refused::UnknownTransport(transport))?;
    if let Some(origin) = request.origin {
        if !origin.chars().all(is_valid_header_char) {
            return Err(Refused::InvalidOrigin);
        }
    }
    if let Some(sid) = query.session_id() {
        let session = find(sid).ok_or(Refused::UnknownSid(sid))?;
        if !request.is_upgrade && session.transport() != transport {
            return Err(Refused::TransportMismatch);
        }
        return Ok(Route::Session { session, transport });
    }
    if request.method != "GET" {
        return Err(Refused::BadHandshakeMethod);
    }
    if transport == Transport::WebSocket && !request.is_upgrade {
        return Err(Refused::WebSocketWithoutUpgrade);
    }
    Ok(Route::Handshake {
        transport,
        protocol_supported: query.supports_protocol(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(method: &'static str, url: &'static str) -> RequestHead<'static> {
        RequestHead {
            method,
            url,
            origin: None,
            is_upgrade: false,
        }
    }

    fn code(request: RequestHead<'_>) -> Option<ErrorCode> {
        let config = EngineConfig::default();
        let query = EngineQuery::from_url(request.url);
        verify_with(&config, &request, &query, |_| None)
            .err()
            .map(|refused| refused.code())
    }

    #[test]
    fn parses_the_query_like_url_search_params() {
        let query = EngineQuery::from_url("/socket.io/?EIO=4&transport=pol%6Cing&sid=a+b&sid=c");
        assert_eq!(query.eio.as_deref(), Some("4"));
        assert_eq!(query.transport.as_deref(), Some("polling"));
        assert_eq!(query.sid.as_deref(), Some("c"));
        assert_eq!(
            EngineQuery::from_url("/x?sid=a+b").sid.as_deref(),
            Some("a b")
        );
        assert_eq!(EngineQuery::from_url("/x"), EngineQuery::default());
    }

    #[test]
    fn verification_order_matches_the_reference() {
        use ErrorCode::*;
        assert_eq!(code(head("GET", "/?EIO=4")), Some(UnknownTransport));
        assert_eq!(
            code(head("POST", "/?transport=abc")),
            Some(UnknownTransport)
        );
        assert_eq!(
            code(head("GET", "/?transport=polling&sid=x")),
            Some(UnknownSid)
        );
        assert_eq!(
            code(head("POST", "/?EIO=4&transport=polling")),
            Some(BadHandshakeMethod)
        );
        assert_eq!(
            code(head("GET", "/?EIO=4&transport=websocket")),
            Some(BadRequest)
        );
        assert_eq!(code(head("GET", "/?EIO=4&transport=polling&sid=")), None);
        let bad_origin = RequestHead {
            origin: Some("a\u{1}b"),
            ..head("GET", "/?EIO=4&transport=polling&sid=x")
        };
        assert_eq!(code(bad_origin), Some(BadRequest));
    }

    #[test]
    fn unsupported_protocol_is_reported_after_verification() {
        let config = EngineConfig::default();
        for url in [
            "/?transport=polling",
            "/?EIO=3&transport=polling",
            "/?EIO=abc&transport=polling",
        ] {
            let query = EngineQuery::from_url(url);
            let route = verify_with(&config, &head("GET", url), &query, |_| None);
            assert!(matches!(
                route,
                Ok(Route::Handshake {
                    protocol_supported: false,
                    ..
                })
            ));
        }
    }

    #[test]
    fn disabled_transports_are_unknown() {
        let config = EngineConfig {
            polling: false,
            ..EngineConfig::default()
        };
        let request = head("GET", "/?EIO=4&transport=polling");
        let query = EngineQuery::from_url(request.url);
        assert!(matches!(
            verify_with(&config, &request, &query, |_| None),
            Err(Refused::UnknownTransport(Some("polling")))
        ));
    }
}
