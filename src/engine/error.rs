//! The reference's request errors: `Server.errors` codes with their messages, and the
//! session close reasons.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ErrorCode {
    UnknownTransport = 0,
    UnknownSid = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
}

impl ErrorCode {
    /// Every code, with its name in the reference's `Server.errors`, in its order.
    pub const ALL: [(&'static str, ErrorCode); 6] = [
        ("UNKNOWN_TRANSPORT", ErrorCode::UnknownTransport),
        ("UNKNOWN_SID", ErrorCode::UnknownSid),
        ("BAD_HANDSHAKE_METHOD", ErrorCode::BadHandshakeMethod),
        ("BAD_REQUEST", ErrorCode::BadRequest),
        ("FORBIDDEN", ErrorCode::Forbidden),
        (
            "UNSUPPORTED_PROTOCOL_VERSION",
            ErrorCode::UnsupportedProtocolVersion,
        ),
    ];

    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::UnknownTransport => "Transport unknown",
            ErrorCode::UnknownSid => "Session ID unknown",
            ErrorCode::BadHandshakeMethod => "Bad handshake method",
            ErrorCode::BadRequest => "Bad request",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::UnsupportedProtocolVersion => "Unsupported protocol version",
        }
    }

    /// HTTP status of a polling error response.
    pub fn status(self) -> u16 {
        if self == ErrorCode::Forbidden {
            403
        } else {
            400
        }
    }

    /// The JSON body of a polling error response.
    pub fn json_body(self, message: Option<&str>) -> String {
        serde_json::json!({ "code": self as u8, "message": message.unwrap_or(self.message()) })
            .to_string()
    }
}

/// Why a session closed, with the reference's exact strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    TransportClose,
    /// A fault of the transport: `"transport error"`, described as the reference does.
    TransportError(TransportFault),
    PingTimeout,
    ParseError,
    ForcedClose,
}

/// What went wrong with a transport, for the description of a `"transport error"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportFault {
    /// A WebSocket frame tungstenite refused, or a packet out of place.
    Protocol,
    /// A WebSocket message over `maxHttpBufferSize`.
    MessageTooLarge,
    /// The client did not read what was sent to it until its outbound queue was full.
    OutboundBufferFull,
    /// Writing to the WebSocket failed.
    WriteError,
    /// A second GET while one is parked.
    PollOverlap,
    /// The client went away before its parked GET was answered.
    PollAborted,
    /// A second POST while one is in flight.
    PostOverlap,
    /// The client went away while sending its POST body.
    PostAborted,
    /// A POST of binary content, which Engine.IO v4 does not send.
    InvalidContent,
    /// A ping from an Engine.IO v4 client (the server pings).
    InvalidHeartbeatDirection,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::TransportClose => "transport close",
            CloseReason::TransportError(_) => "transport error",
            CloseReason::PingTimeout => "ping timeout",
            CloseReason::ParseError => "parse error",
            CloseReason::ForcedClose => "forced close",
        }
    }

    /// The message of the error the application gets as the reason's description
    /// (the reference's `TransportError`).
    pub fn description(self) -> Option<&'static str> {
        let CloseReason::TransportError(fault) = self else {
            return None;
        };
        match fault {
            TransportFault::Protocol => None,
            TransportFault::MessageTooLarge => Some("RangeError: Max payload size exceeded"),
            TransportFault::OutboundBufferFull => Some("outbound buffer full"),
            TransportFault::WriteError => Some("write error"),
            TransportFault::PollOverlap => Some("overlap from client"),
            TransportFault::PollAborted => Some("poll connection closed prematurely"),
            TransportFault::PostOverlap => Some("data request overlap from client"),
            TransportFault::PostAborted => Some("data request connection closed prematurely"),
            TransportFault::InvalidContent => Some("invalid content"),
            TransportFault::InvalidHeartbeatDirection => Some("invalid heartbeat direction"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_match_the_reference() {
        assert_eq!(
            ErrorCode::UnknownSid.json_body(None),
            r#"{"code":1,"message":"Session ID unknown"}"#
        );
        assert_eq!(
            ErrorCode::Forbidden.json_body(Some("nope")),
            r#"{"code":4,"message":"nope"}"#
        );
        assert_eq!(ErrorCode::Forbidden.status(), 403);
        assert_eq!(ErrorCode::UnknownTransport.status(), 400);
    }
}
