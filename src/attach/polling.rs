//! Long-polling requests of open sessions, served by the listener on the connection it
//! accepted, with the bytes Node's HTTP server would write. Only the plain case is
//! served here: anything else the reference answers differently (a handshake, an error,
//! a response it may compress, a body it must stream or refuse) is left to Node.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::engine::polling::{PollOutcome, PostError};
use crate::engine::request::{EngineQuery, RequestHead, Route};
use crate::engine::{Engine, ErrorCode, Session, Transport};

use super::head::{is_engine_path, unique_headers};

const MAX_HEADERS: usize = 64;
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
    head_length: usize,
}

/// A complete request head that Rust may answer: GET or POST on the engine's `path`
/// with a polling session id, keeping the connection alive, and a POST body of at most
/// `max_body` bytes with a known length. A GET that accepts a compressed answer is
/// Node's (the reference compresses large payloads).
pub fn parse(bytes: &[u8], path: &str, max_body: usize) -> Option<PollingRequest> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(head_length) = request.parse(bytes).ok()? else {
        return None;
    };
    let url = request.path?;
    let is_post = match request.method? {
        "GET" => false,
        "POST" => true,
        _ => return None,
    };
    if request.version != Some(1) || !is_engine_path(url, path) {
        return None;
    }
    let query = EngineQuery::from_url(url);
    if query.transport.as_deref() != Some("polling") || query.session_id().is_none() {
        return None;
    }
    let [origin, length, content_type, user_agent, accept_encoding, connection, chunked, expect, upgrade] =
        unique_headers(request.headers, &RELEVANT_HEADERS)?;
    let closes = connection.is_some_and(|value| has_token(value, "close"));
    if closes || chunked.is_some() || expect.is_some() || upgrade.is_some() {
        return None;
    }
    let body_length = match length {
        Some(length) => length.trim().parse::<usize>().ok()?,
        None => 0,
    };
    if is_post && (length.is_none() || body_length > max_body) || !is_post && body_length > 0 {
        return None;
    }
    let compressible = accept_encoding
        .is_some_and(|value| has_token(value, "gzip") || has_token(value, "deflate"));
    if !is_post && compressible {
        return None;
    }
    Some(PollingRequest {
        is_post,
        url: url.to_owned(),
        origin: origin.map(str::to_owned),
        body_length,
        binary_content: content_type == Some("application/octet-stream"),
        old_ie: user_agent.is_some_and(|ua| ua.contains(";MSIE") || ua.contains("Trident/")),
        head_length,
    })
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
    match engine.verify(&head) {
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
    request: PollingRequest,
    session: Arc<Session>,
) -> bool {
    let mut head = vec![0; request.head_length];
    if stream.read_exact(&mut head).await.is_err() {
        return false;
    }
    let response = if request.is_post {
        match post(engine, stream, &session, &request).await {
            Some(response) => response,
            None => return false,
        }
    } else {
        match get(engine, stream, &session, &request).await {
            Some(response) => response,
            None => return false,
        }
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
        Err(PostError::Gone) => return Some(unknown_session()),
        Err(_) => return Some(empty(400, "Bad Request")),
    }
    if engine.post_chunk(session, &body).is_err() {
        return Some(empty(413, "Payload Too Large"));
    }
    let _ = engine.post_end(session);
    Some(ok(request, "text/html", b"ok"))
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
        PollOutcome::Overlap => return Some(empty(400, "Bad Request")),
        PollOutcome::Gone => return Some(unknown_session()),
    };
    Some(ok(request, "text/plain; charset=UTF-8", payload.as_bytes()))
}

/// Returns once the client closed the connection; never if it sent more meanwhile (that
/// request waits its turn).
async fn until_closed(stream: &TcpStream) {
    let mut byte = [0u8; 1];
    if let Ok(1..) = stream.peek(&mut byte).await {
        std::future::pending::<()>().await;
    }
}

/// `200` as the facade writes it: its headers, then Node's own.
fn ok(request: &PollingRequest, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if request.old_ie {
        head.push_str("X-XSS-Protection: 0\r\n");
    }
    head.push_str("cache-control: no-store\r\n");
    let mut response = with_node_headers(head).into_bytes();
    response.extend_from_slice(b"\r\n");
    response.extend_from_slice(body);
    response
}

/// `res.writeHead(status); res.end()`: Node sends an empty chunked body.
fn empty(status: u16, reason: &str) -> Vec<u8> {
    let head = with_node_headers(format!("HTTP/1.1 {status} {reason}\r\n"));
    format!("{head}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").into_bytes()
}

/// The reference's 400 for a session that is gone, its JSON chunked as Node sends it.
fn unknown_session() -> Vec<u8> {
    let body = ErrorCode::UnknownSid.json_body(None);
    let head =
        with_node_headers("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n".into());
    let size = body.len();
    format!("{head}Transfer-Encoding: chunked\r\n\r\n{size:x}\r\n{body}\r\n0\r\n\r\n").into_bytes()
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
    use super::*;

    const PATH: &str = "/socket.io/";
    const MAX: usize = 1000;

    fn head(request_line: &str, headers: &[&str]) -> Vec<u8> {
        let mut text = format!("{request_line}\r\nHost: 127.0.0.1\r\n");
        for header in headers {
            text.push_str(header);
            text.push_str("\r\n");
        }
        text.push_str("\r\n");
        text.into_bytes()
    }

    const GET: &str = "GET /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.1";
    const POST: &str = "POST /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.1";

    #[test]
    fn plain_gets_and_posts_of_a_session_are_served() {
        let get = parse(&head(GET, &["Accept: */*"]), PATH, MAX).unwrap();
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
        let post = parse(&bytes, PATH, MAX).unwrap();
        assert_eq!(post.head_length, bytes.len());
        assert_eq!(
            (post.is_post, post.body_length, post.binary_content),
            (true, 12, false)
        );
        assert_eq!(post.origin.as_deref(), Some("http://x"));
        let binary = parse(
            &head(
                POST,
                &[
                    "Content-Length: 1",
                    "Content-Type: application/octet-stream",
                ],
            ),
            PATH,
            MAX,
        );
        assert!(binary.unwrap().binary_content);
        let ie = parse(
            &head(
                GET,
                &["User-Agent: Mozilla/5.0 (Windows NT 10.0; Trident/7.0)"],
            ),
            PATH,
            MAX,
        );
        assert!(ie.unwrap().old_ie);
        let identity = parse(&head(GET, &["Accept-Encoding: identity"]), PATH, MAX);
        assert!(identity.is_some());
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
            head(GET, &["Accept-Encoding: gzip, deflate, br"]),
            head(GET, &["Accept-Encoding: br;q=1, Deflate;q=0.5"]),
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
                parse(&bytes, PATH, MAX).is_none(),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let bytes = head(GET, &[]);
        assert!(parse(&bytes[..bytes.len() - 2], PATH, MAX).is_none());
    }

    #[test]
    fn responses_have_node_s_bytes() {
        let request = parse(&head(GET, &[]), PATH, MAX).unwrap();
        let text = String::from_utf8(ok(&request, "text/plain; charset=UTF-8", b"4hi")).unwrap();
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
