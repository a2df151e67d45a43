//! Long-polling requests of open sessions, served by the listener on the connection it
//! accepted, with the bytes Node's HTTP server would write, compressed as
//! `httpCompression` says. Anything the reference answers differently (a handshake, an
//! error, a body it must stream or refuse) is left to Node.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use flate2::write::{GzEncoder, ZlibEncoder};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::engine::debug::{debug, Log};
use crate::engine::polling::{PollOutcome, PostError};
use crate::engine::request::{EngineQuery, RequestHead, Route};
use crate::engine::{Engine, EngineConfig, ErrorCode, PollingCompression, Session, Transport};

use super::head::{is_engine_path, unique_headers, Head};

/// Node's default `requestTimeout`: a body that takes longer ends the connection.
const BODY_TIMEOUT: Duration = Duration::from_secs(300);
/// The headers `parse` reads, in the order it unpacks them.
const RELEVANT_HEADERS: [&str; 9] = [
    "origin",
    "content-length",
    "content-type",
    "user-agent",
    "accept-encoding",
    "connection",
    "transfer-encoding",
    "expect",
    "upgrade",
];

#[derive(Debug, PartialEq)]
pub struct PollingRequest {
    is_post: bool,
    url: String,
    origin: Option<String>,
    /// The POST body's length.
    body_length: usize,
    /// `Content-Type: application/octet-stream`, which a v4 POST must not be.
    binary_content: bool,
    /// An old Internet Explorer, which gets `X-XSS-Protection: 0`.
    old_ie: bool,
    /// How a GET's answer may be compressed, if it is large enough.
    encoding: Option<Encoding>,
    head_length: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Gzip,
    Deflate,
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::Gzip => "gzip",
            Encoding::Deflate => "deflate",
        }
    }

    /// What zlib's `gzip` or `deflate` makes of `data` at `level`.
    fn compress(self, data: &[u8], level: u32) -> Vec<u8> {
        let level = flate2::Compression::new(level);
        let written = match self {
            Encoding::Gzip => {
                let mut encoder = GzEncoder::new(Vec::new(), level);
                encoder.write_all(data).and_then(|()| encoder.finish())
            }
            Encoding::Deflate => {
                let mut encoder = ZlibEncoder::new(Vec::new(), level);
                encoder.write_all(data).and_then(|()| encoder.finish())
            }
        };
        written.expect("compressing into memory does not fail")
    }
}

/// A complete request head that Rust may answer: GET or POST on the engine's `path`
/// with a polling session id, keeping the connection alive, and a POST body of at most
/// `maxHttpBufferSize` bytes with a known length. A GET that accepts a compressed answer
/// is Node's when `httpCompression` has zlib options Rust does not apply.
pub fn parse(head: &Head<'_, '_>, path: &str, config: &EngineConfig) -> Option<PollingRequest> {
    let url = head.url;
    let is_post = match head.method {
        "GET" => false,
        "POST" => true,
        _ => return None,
    };
    if !is_engine_path(url, path) {
        return None;
    }
    let query = EngineQuery::from_url(url);
    if query.transport.as_deref() != Some("polling") || query.session_id().is_none() {
        return None;
    }
    let [origin, length, content_type, user_agent, accept_encoding, connection, chunked, expect, upgrade] =
        unique_headers(head.headers, &RELEVANT_HEADERS)?;
    let closes = connection.is_some_and(|value| has_token(value, "close"));
    if closes || chunked.is_some() || expect.is_some() || upgrade.is_some() {
        return None;
    }
    let body_length = match length {
        Some(length) => length.trim().parse::<usize>().ok()?,
        None => 0,
    };
    if is_post && (length.is_none() || body_length > config.max_payload)
        || !is_post && body_length > 0
    {
        return None;
    }
    let encoding = match config.polling_compression {
        _ if is_post => None,
        PollingCompression::Off => None,
        PollingCompression::Compress { .. } => accept_encoding.and_then(negotiate),
        PollingCompression::LeftToNode => match accept_encoding.and_then(negotiate) {
            Some(_) => return None,
            None => None,
        },
    };
    Some(PollingRequest {
        is_post,
        url: url.to_owned(),
        origin: origin.map(str::to_owned),
        body_length,
        binary_content: content_type == Some("application/octet-stream"),
        old_ie: user_agent.is_some_and(|ua| ua.contains(";MSIE") || ua.contains("Trident/")),
        encoding,
        head_length: head.length,
    })
}

/// The encoding `accepts(req).encodings(['gzip', 'deflate'])` picks from an
/// `Accept-Encoding` value, by `negotiator`'s rules: an exact coding beats `*`, then the
/// higher `q`; among the acceptable, the higher `q`, the exact match, the one listed first.
fn negotiate(header: &str) -> Option<Encoding> {
    let specs: Vec<(&str, f64)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let coding = parts.next()?.trim();
            let q = parts
                .filter_map(|param| param.split_once('='))
                .find(|(name, _)| name.trim() == "q")
                .map_or(Some(1.0), |(_, value)| value.trim().parse().ok())?;
            (!coding.is_empty()).then_some((coding, q))
        })
        .collect();
    // (q, specificity, order in the header, index among the available) per encoding.
    let priority = |index: usize, encoding: Encoding| {
        let mut best: Option<(f64, u8, usize, usize)> = None;
        for (order, &(coding, q)) in specs.iter().enumerate() {
            let specificity = match coding {
                _ if coding.eq_ignore_ascii_case(encoding.name()) => 1,
                "*" => 0,
                _ => continue,
            };
            let better = best.is_none_or(|(best_q, best_s, best_o, _)| {
                (specificity, q, order) > (best_s, best_q, best_o)
            });
            if better {
                best = Some((q, specificity, order, index));
            }
        }
        best.filter(|&(q, ..)| q > 0.0)
            .map(|priority| (priority, encoding))
    };
    [Encoding::Gzip, Encoding::Deflate]
        .into_iter()
        .enumerate()
        .filter_map(|(index, encoding)| priority(index, encoding))
        .min_by(|((q1, s1, o1, i1), _), ((q2, s2, o2, i2), _)| {
            q2.total_cmp(q1)
                .then(s2.cmp(s1))
                .then(o1.cmp(o2))
                .then(i1.cmp(i2))
        })
        .map(|(_, encoding)| encoding)
}

/// Whether a comma-separated header value lists `token` (ignoring case and parameters).
fn has_token(value: &str, token: &str) -> bool {
    value.split(',').any(|item| {
        let name = item.split(';').next().unwrap_or_default().trim();
        name.eq_ignore_ascii_case(token)
    })
}

/// The open polling session `request` is for, or `None` when the reference would refuse
/// it (Node answers those, with its `connection_error`).
pub fn session_of(engine: &Engine, request: &PollingRequest) -> Option<Arc<Session>> {
    let head = RequestHead {
        method: if request.is_post { "POST" } else { "GET" },
        url: &request.url,
        origin: request.origin.as_deref(),
        is_upgrade: false,
    };
    match engine.verify_quietly(&head) {
        Ok(Route::Session {
            session,
            transport: Transport::Polling,
        }) => Some(session),
        _ => None,
    }
}

/// Takes the request (peeked so far) off `stream` and answers it; false once the
/// connection is over.
pub async fn serve(
    engine: &Arc<Engine>,
    stream: &mut TcpStream,
    path: &str,
    request: PollingRequest,
    session: Arc<Session>,
) -> bool {
    let mut head = vec![0; request.head_length];
    if stream.read_exact(&mut head).await.is_err() {
        return false;
    }
    // What the reference's HTTP request listener writes before its transport's lines.
    let method = if request.is_post { "POST" } else { "GET" };
    debug!(
        engine,
        Log::Engine,
        "intercepting request for path \"{path}\""
    );
    debug!(
        engine,
        Log::Engine,
        "handling \"{method}\" http request \"{}\"",
        request.url
    );
    debug!(engine, Log::Engine, "no middleware to apply, skipping");
    let response = if request.is_post {
        post(engine, stream, &session, &request).await
    } else {
        get(engine, stream, &session, &request).await
    };
    let Some(response) = response else {
        return false;
    };
    stream.write_all(&response).await.is_ok()
}

/// The answer to a POST, once its body has come; `None` when the client went away first
/// (which ends the session, as a POST cut short does in the reference).
async fn post(
    engine: &Engine,
    stream: &mut TcpStream,
    session: &Arc<Session>,
    request: &PollingRequest,
) -> Option<Vec<u8>> {
    let begun = engine.post_begin(session, request.binary_content);
    let mut body = vec![0; request.body_length];
    let read = tokio::time::timeout(BODY_TIMEOUT, stream.read_exact(&mut body)).await;
    if !matches!(read, Ok(Ok(_))) {
        if begun.is_ok() {
            engine.post_aborted(session);
        }
        return None;
    }
    match begun {
        Ok(()) => {}
        Err(PostError::Gone) => return Some(gone(engine)),
        Err(_) => return Some(refused(engine, 400, "Bad Request")),
    }
    if engine.post_chunk(session, &body).is_err() {
        return Some(refused(engine, 413, "Payload Too Large"));
    }
    let _ = engine.post_end(session);
    Some(ok(request, "text/html", None, b"ok"))
}

/// The payload for a GET, now or once the server has something to send; `None` when the
/// client went away first.
async fn get(
    engine: &Arc<Engine>,
    stream: &TcpStream,
    session: &Arc<Session>,
    request: &PollingRequest,
) -> Option<Vec<u8>> {
    let (reply, replied) = tokio::sync::oneshot::channel::<String>();
    let waiter = Box::new(move |payload: String| {
        let _ = reply.send(payload);
    });
    let payload = match engine.poll(session, waiter) {
        PollOutcome::Reply(payload) => payload,
        PollOutcome::Parked => tokio::select! {
            payload = replied => payload.ok()?,
            () = until_closed(stream) => {
                engine.poll_aborted(session);
                return None;
            }
        },
        PollOutcome::Overlap => return Some(refused(engine, 400, "Bad Request")),
        PollOutcome::Gone => return Some(gone(engine)),
    };
    let compression = match (request.encoding, engine.config().polling_compression) {
        (Some(encoding), PollingCompression::Compress { threshold, level })
            if payload.len() >= threshold =>
        {
            Some((encoding, level))
        }
        _ => None,
    };
    let body = match compression {
        Some((encoding, level)) => {
            debug!(engine, Log::Polling, "compressing");
            encoding.compress(payload.as_bytes(), level)
        }
        None => payload.into_bytes(),
    };
    let encoding = compression.map(|(encoding, _)| encoding);
    Some(ok(request, "text/plain; charset=UTF-8", encoding, &body))
}

/// Returns once the client closed the connection; never if it sent more meanwhile (that
/// request waits its turn).
async fn until_closed(stream: &TcpStream) {
    let mut byte = [0u8; 1];
    if let Ok(1..) = stream.peek(&mut byte).await {
        std::future::pending::<()>().await;
    }
}

/// `200` as the reference writes it: its headers, then Node's own. A compressed body is
/// chunked, without a length, as the zlib stream the reference pipes into the response.
fn ok(
    request: &PollingRequest,
    content_type: &str,
    encoding: Option<Encoding>,
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n");
    match encoding {
        Some(encoding) => head.push_str(&format!("Content-Encoding: {}\r\n", encoding.name())),
        None => head.push_str(&format!("Content-Length: {}\r\n", body.len())),
    }
    if request.old_ie {
        head.push_str("X-XSS-Protection: 0\r\n");
    }
    head.push_str("cache-control: no-store\r\n");
    let head = with_node_headers(head);
    if encoding.is_some() {
        return chunked(head, body);
    }
    let mut response = format!("{head}\r\n").into_bytes();
    response.extend_from_slice(body);
    response
}

/// An empty refusal (`empty`), once its line is written.
fn refused(engine: &Engine, status: u16, reason: &str) -> Vec<u8> {
    engine.debug_refusal(status, reason);
    empty(status, reason)
}

/// The refusal of a session that is gone (`unknown_session`), once its line is written.
fn gone(engine: &Engine) -> Vec<u8> {
    engine.debug_refusal(400, ErrorCode::UnknownSid.message());
    unknown_session()
}

/// `res.writeHead(status); res.end()`: Node sends an empty chunked body.
fn empty(status: u16, reason: &str) -> Vec<u8> {
    chunked(
        with_node_headers(format!("HTTP/1.1 {status} {reason}\r\n")),
        b"",
    )
}

/// The reference's 400 for a session that is gone, its JSON chunked as Node sends it.
fn unknown_session() -> Vec<u8> {
    let body = ErrorCode::UnknownSid.json_body(None);
    let head =
        with_node_headers("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n".into());
    chunked(head, body.as_bytes())
}

/// A response head and its body in one chunk (none when empty), as Node frames a body
/// whose length it was not told.
fn chunked(head: String, body: &[u8]) -> Vec<u8> {
    let mut response = format!("{head}Transfer-Encoding: chunked\r\n\r\n").into_bytes();
    if !body.is_empty() {
        response.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        response.extend_from_slice(body);
        response.extend_from_slice(b"\r\n");
    }
    response.extend_from_slice(b"0\r\n\r\n");
    response
}

/// Adds the headers Node's HTTP server writes after the application's on a keep-alive
/// response.
fn with_node_headers(mut head: String) -> String {
    head.push_str("Date: ");
    head.push_str(&httpdate::fmt_http_date(SystemTime::now()));
    head.push_str("\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n");
    head
}

#[cfg(test)]
mod tests {
    use flate2::read::{GzDecoder, ZlibDecoder};

    use super::super::head::{self, bytes_of as head, MAX_HEADERS};
    use super::*;

    /// The polling request `bytes` start with.
    fn parse(bytes: &[u8], path: &str, config: &EngineConfig) -> Option<PollingRequest> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        super::parse(&head::parse(bytes, &mut headers)?, path, config)
    }

    const PATH: &str = "/socket.io/";

    fn config(polling_compression: PollingCompression) -> EngineConfig {
        EngineConfig {
            max_payload: 1000,
            polling_compression,
            ..EngineConfig::default()
        }
    }

    fn parsed(bytes: &[u8]) -> Option<PollingRequest> {
        parse(
            bytes,
            PATH,
            &EngineConfig {
                max_payload: 1000,
                ..EngineConfig::default()
            },
        )
    }

    const GET: &str = "GET /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.1";
    const POST: &str = "POST /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.1";

    #[test]
    fn plain_gets_and_posts_of_a_session_are_served() {
        let get = parsed(&head(GET, &["Accept: */*"])).unwrap();
        assert!(!get.is_post);
        assert_eq!(get.url, "/socket.io/?EIO=4&transport=polling&sid=abc");
        let bytes = head(
            POST,
            &[
                "Content-Length: 12",
                "Content-Type: text/plain;charset=UTF-8",
                "Origin: http://x",
            ],
        );
        let post = parsed(&bytes).unwrap();
        assert_eq!(post.head_length, bytes.len());
        assert_eq!(
            (post.is_post, post.body_length, post.binary_content),
            (true, 12, false)
        );
        assert_eq!(post.origin.as_deref(), Some("http://x"));
        let binary = parsed(&head(
            POST,
            &[
                "Content-Length: 1",
                "Content-Type: application/octet-stream",
            ],
        ));
        assert!(binary.unwrap().binary_content);
        let ie = parsed(&head(
            GET,
            &["User-Agent: Mozilla/5.0 (Windows NT 10.0; Trident/7.0)"],
        ));
        assert!(ie.unwrap().old_ie);
        let identity = parsed(&head(GET, &["Accept-Encoding: identity"]));
        assert_eq!(identity.unwrap().encoding, None);
    }

    #[test]
    fn everything_else_goes_to_node() {
        let cases = [
            head("GET /socket.io/?EIO=4&transport=polling HTTP/1.1", &[]),
            head("GET /socket.io/?EIO=4&transport=polling&sid= HTTP/1.1", &[]),
            head(
                "GET /socket.io/?EIO=4&transport=websocket&sid=abc HTTP/1.1",
                &[],
            ),
            head("GET /other/?EIO=4&transport=polling&sid=abc HTTP/1.1", &[]),
            head(
                "GET /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.0",
                &[],
            ),
            head(
                "PUT /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.1",
                &[],
            ),
            head(GET, &["Connection: close"]),
            head(GET, &["Connection: keep-alive, Close"]),
            head(GET, &["Upgrade: websocket"]),
            head(GET, &["Content-Length: 3"]),
            head(POST, &[]),
            head(POST, &["Content-Length: 1001"]),
            head(POST, &["Content-Length: x"]),
            head(POST, &["Transfer-Encoding: chunked"]),
            head(POST, &["Content-Length: 2", "Expect: 100-continue"]),
            head(POST, &["Content-Length: 2", "Content-Length: 2"]),
        ];
        for bytes in cases {
            assert!(
                parsed(&bytes).is_none(),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let bytes = head(GET, &[]);
        assert!(parsed(&bytes[..bytes.len() - 2]).is_none());
    }

    #[test]
    fn compressible_gets_follow_http_compression() {
        let bytes = head(GET, &["Accept-Encoding: gzip, deflate, br"]);
        let compress = config(PollingCompression::Compress {
            threshold: 1024,
            level: 6,
        });
        let request = parse(&bytes, PATH, &compress).unwrap();
        assert_eq!(request.encoding, Some(Encoding::Gzip));
        let off = parse(&bytes, PATH, &config(PollingCompression::Off)).unwrap();
        assert_eq!(off.encoding, None);
        assert!(parse(&bytes, PATH, &config(PollingCompression::LeftToNode)).is_none());
        let plain = head(GET, &["Accept-Encoding: br"]);
        assert!(parse(&plain, PATH, &config(PollingCompression::LeftToNode)).is_some());
        let post = head(POST, &["Content-Length: 2", "Accept-Encoding: gzip"]);
        assert_eq!(parse(&post, PATH, &compress).unwrap().encoding, None);
    }

    #[test]
    fn negotiates_encodings_as_the_accepts_package() {
        let cases = [
            ("gzip", Some(Encoding::Gzip)),
            ("deflate, gzip", Some(Encoding::Deflate)),
            ("gzip;q=0.5, deflate", Some(Encoding::Deflate)),
            ("br;q=1, Deflate;q=0.5", Some(Encoding::Deflate)),
            ("GZIP", Some(Encoding::Gzip)),
            ("*", Some(Encoding::Gzip)),
            ("*;q=0.5, deflate;q=0.4", Some(Encoding::Gzip)),
            ("gzip;q=0, *", Some(Encoding::Deflate)),
            ("gzip;q=0, deflate;q=0", None),
            ("identity", None),
            ("br", None),
            ("", None),
        ];
        for (header, expected) in cases {
            assert_eq!(negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn compresses_as_zlib_does() {
        use std::io::Read;
        let data = "4".repeat(2000);
        for encoding in [Encoding::Gzip, Encoding::Deflate] {
            let compressed = encoding.compress(data.as_bytes(), 6);
            let mut text = String::new();
            let read = match encoding {
                Encoding::Gzip => GzDecoder::new(&compressed[..]).read_to_string(&mut text),
                Encoding::Deflate => ZlibDecoder::new(&compressed[..]).read_to_string(&mut text),
            };
            read.unwrap();
            assert_eq!(text, data);
            assert!(compressed.len() < 100);
        }
    }

    #[test]
    fn responses_have_node_s_bytes() {
        let request = parsed(&head(GET, &[])).unwrap();
        let text =
            String::from_utf8(ok(&request, "text/plain; charset=UTF-8", None, b"4hi")).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let lines: Vec<_> = head.lines().collect();
        assert_eq!(
            &lines[..4],
            [
                "HTTP/1.1 200 OK",
                "Content-Type: text/plain; charset=UTF-8",
                "Content-Length: 3",
                "cache-control: no-store"
            ]
        );
        assert!(lines[4].starts_with("Date: ") && lines[4].ends_with(" GMT"));
        assert_eq!(
            &lines[5..],
            ["Connection: keep-alive", "Keep-Alive: timeout=5"]
        );
        assert_eq!(body, "4hi");
        let gzip = ok(
            &request,
            "text/plain; charset=UTF-8",
            Some(Encoding::Gzip),
            b"xyz",
        );
        let gzip = String::from_utf8_lossy(&gzip);
        assert!(gzip.starts_with(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Encoding: gzip\r\ncache-control: no-store\r\n"
        ));
        assert!(gzip.ends_with("Transfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"));
        let empty = String::from_utf8(empty(400, "Bad Request")).unwrap();
        assert!(empty.starts_with("HTTP/1.1 400 Bad Request\r\nDate: "));
        assert!(empty
            .ends_with("\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        let gone = String::from_utf8(unknown_session()).unwrap();
        assert!(gone
            .starts_with("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nDate: "));
        assert!(gone.ends_with(
            "Transfer-Encoding: chunked\r\n\r\n29\r\n{\"code\":1,\"message\":\"Session ID unknown\"}\r\n0\r\n\r\n"
        ));
    }
}
