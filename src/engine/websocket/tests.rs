use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, DuplexStream};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::*;
use crate::engine::polling::PollOutcome;
use crate::engine::testing::{debugging, Event, Recorder};
use crate::engine::EngineConfig;

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

fn upgrade_request(url: &str) -> UpgradeRequest {
    UpgradeRequest {
        method: "GET".into(),
        url: url.into(),
        upgrade: Some("websocket".into()),
        key: Some(KEY.into()),
        version: Some("13".into()),
        extra_headers: "X-Test: yes\r\n".into(),
        sid: None,
    }
}

/// Serves `request` on one end of an in-memory pipe; returns the other end after the
/// HTTP response head, and that head.
async fn connect(engine: &Arc<Engine>, request: UpgradeRequest) -> (DuplexStream, String) {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let handle = engine.reserve_handle();
    tokio::spawn(
        engine
            .clone()
            .serve_websocket(server, Bytes::new(), request, handle),
    );
    read_head(client).await
}

async fn read_head(mut client: DuplexStream) -> (DuplexStream, String) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await.unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    (client, String::from_utf8(head).unwrap())
}

async fn websocket(engine: &Arc<Engine>, url: &str) -> WebSocketStream<DuplexStream> {
    let (client, head) = connect(engine, upgrade_request(url)).await;
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    WebSocketStream::from_raw_socket(client, Role::Client, None).await
}

async fn next_text<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocketStream<S>) -> String {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return text.to_string(),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// A WebSocket session over a real TCP connection (which the engine writes to directly),
/// once it is open: the client and the session.
async fn tcp_session(
    engine: &Arc<Engine>,
    recorder: &Recorder,
) -> (WebSocketStream<tokio::net::TcpStream>, Arc<Session>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut client = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let handle = engine.reserve_handle();
    tokio::spawn(engine.clone().serve_websocket(
        DirectTcpStream::new(server),
        Bytes::new(),
        upgrade_request("/?EIO=4&transport=websocket"),
        handle,
    ));
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(client.read_u8().await.unwrap());
    }
    let mut ws = WebSocketStream::from_raw_socket(client, Role::Client, None).await;
    assert!(next_text(&mut ws).await.starts_with("0{"));
    recorder
        .wait_for(|event| *event == Event::Open(handle))
        .await;
    (ws, engine.session(handle).unwrap())
}

#[tokio::test]
async fn answers_the_handshake_like_ws() {
    let (engine, _) = Recorder::engine(EngineConfig::default());
    let (_, head) = connect(&engine, upgrade_request("/?EIO=4&transport=websocket")).await;
    assert_eq!(
        head,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Test: yes\r\n\r\n"
    );
}

#[tokio::test]
async fn refuses_invalid_handshakes_like_ws() {
    let (engine, recorder) = Recorder::engine(debugging(EngineConfig::default()));
    let cases = [
        (
            UpgradeRequest {
                method: "POST".into(),
                ..upgrade_request("/?EIO=4&transport=websocket")
            },
            "HTTP/1.1 405 Method Not Allowed",
            "Invalid HTTP method",
        ),
        (
            UpgradeRequest {
                upgrade: Some("h2c".into()),
                ..upgrade_request("/?EIO=4&transport=websocket")
            },
            "HTTP/1.1 400 Bad Request",
            "Invalid Upgrade header",
        ),
        (
            UpgradeRequest {
                key: Some("not-a-key".into()),
                ..upgrade_request("/?EIO=4&transport=websocket")
            },
            "HTTP/1.1 400 Bad Request",
            "Missing or invalid Sec-WebSocket-Key header",
        ),
        (
            UpgradeRequest {
                version: Some("12".into()),
                ..upgrade_request("/?EIO=4&transport=websocket")
            },
            "HTTP/1.1 400 Bad Request",
            "Missing or invalid Sec-WebSocket-Version header",
        ),
        (
            upgrade_request("/?EIO=3&transport=websocket"),
            "HTTP/1.1 101 Switching Protocols",
            "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\nContent-Length: 28\r\n\r\nUnsupported protocol version",
        ),
    ];
    for (handle, (request, status, message)) in (1..).zip(cases) {
        let (client, server) = tokio::io::duplex(4096);
        engine
            .clone()
            .serve_websocket(server, Bytes::new(), request, handle)
            .await;
        assert_eq!(recorder.take(), [Event::Abandoned(handle)]);
        let (mut client, head) = read_head(client).await;
        let mut body = String::new();
        client.read_to_string(&mut body).await.unwrap();
        assert!(head.starts_with(status), "{head}");
        assert_eq!(body, message);
    }
    assert_eq!(engine.clients_count(), 0);
    assert_eq!(
        recorder.take_debug(),
        [
            "engine request refused with 405: Invalid HTTP method",
            "engine request refused with 400: Invalid Upgrade header",
            "engine request refused with 400: Missing or invalid Sec-WebSocket-Key header",
            "engine request refused with 400: Missing or invalid Sec-WebSocket-Version header",
            "engine unsupported protocol version",
            "engine request refused with 400: Unsupported protocol version",
        ]
    );
}

#[tokio::test]
async fn websocket_session_opens_echoes_and_closes() {
    let (engine, recorder) = Recorder::engine(EngineConfig::default());
    let mut ws = websocket(&engine, "/?EIO=4&transport=websocket").await;
    let open = next_text(&mut ws).await;
    assert!(open.starts_with(r#"0{"sid":""#), "{open}");
    assert!(open.contains(r#""upgrades":[]"#));
    ws.send(Message::text("4hello")).await.unwrap();
    ws.send(Message::binary(vec![1u8, 2])).await.unwrap();
    let events = recorder
        .wait_for(|event| matches!(event, Event::Binary(..)))
        .await;
    let handle = match events[0] {
        Event::Open(handle) => handle,
        ref other => panic!("{other:?}"),
    };
    assert_eq!(
        events[1..],
        [
            Event::Text(handle, "hello".into()),
            Event::Binary(handle, vec![1, 2])
        ]
    );
    let session = engine.session(handle).unwrap();
    engine.send(&session, Outgoing::message("a"));
    engine.send(&session, Outgoing::message("b"));
    assert_eq!(next_text(&mut ws).await, "4a");
    assert_eq!(next_text(&mut ws).await, "4b");
    ws.close(None).await.unwrap();
    let events = recorder
        .wait_for(|event| matches!(event, Event::Close(..)))
        .await;
    assert_eq!(events, [Event::Close(handle, "transport close")]);
    assert_eq!(engine.clients_count(), 0);
}

#[tokio::test]
async fn pings_and_times_out_a_silent_client() {
    let config = EngineConfig {
        ping_interval: Duration::from_millis(50),
        ping_timeout: Duration::from_millis(50),
        ..EngineConfig::default()
    };
    let (engine, recorder) = Recorder::engine(debugging(config));
    let mut ws = websocket(&engine, "/?EIO=4&transport=websocket").await;
    next_text(&mut ws).await;
    for _ in 0..3 {
        assert_eq!(next_text(&mut ws).await, "2");
        ws.send(Message::text("3")).await.unwrap();
    }
    assert_eq!(next_text(&mut ws).await, "2");
    let events = recorder
        .wait_for(|event| matches!(event, Event::Close(..)))
        .await;
    assert!(matches!(
        events.last(),
        Some(Event::Close(_, "ping timeout"))
    ));
    let lines = recorder.take_debug();
    let heartbeat = [
        "engine:socket writing ping packet - expecting pong within 50ms",
        "engine:socket sending packet \"ping\" (undefined)",
        "engine:ws received \"3\"",
        "engine:socket received packet pong",
        "engine:socket got pong",
    ];
    let first = lines.iter().position(|line| line == heartbeat[0]).unwrap();
    assert_eq!(lines[first..first + 5], heartbeat, "{lines:#?}");
    assert_eq!(
        lines[lines.len() - 2..],
        [
            "engine:transport readyState updated from open to closed (websocket)",
            "engine:socket readyState updated from open to closed",
        ]
    );
}

#[tokio::test]
async fn oversized_messages_close_with_1009() {
    let config = EngineConfig {
        max_payload: 16,
        ..EngineConfig::default()
    };
    let (engine, recorder) = Recorder::engine(config);
    let mut ws = websocket(&engine, "/?EIO=4&transport=websocket").await;
    next_text(&mut ws).await;
    ws.send(Message::text(format!("4{}", "x".repeat(64))))
        .await
        .unwrap();
    let frame = loop {
        match ws.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(frame.unwrap().code, CloseCode::Size);
    let events = recorder
        .wait_for(|event| matches!(event, Event::Close(..)))
        .await;
    assert!(matches!(
        events.last(),
        Some(Event::Close(_, "transport error"))
    ));
}

#[tokio::test]
async fn upgrades_a_polling_session() {
    let (engine, recorder) = Recorder::engine(debugging(EngineConfig::default()));
    let (session, _) = engine.handshake_polling(None);
    let (waiter, parked) = Recorder::waiter();
    assert_eq!(engine.poll(&session, waiter), PollOutcome::Parked);
    let url = format!("/?EIO=4&transport=websocket&sid={}", session.sid());
    let mut ws = websocket(&engine, &url).await;
    ws.send(Message::text("2probe")).await.unwrap();
    assert_eq!(next_text(&mut ws).await, "3probe");
    // As in the reference, the parked GET gets its noop a period (100 ms) after the probe,
    // not at once.
    let released = tokio::task::spawn_blocking(move || {
        let early = parked.recv_timeout(Duration::from_millis(40));
        (early, parked.recv_timeout(Duration::from_secs(2)))
    });
    let (early, released) = released.await.unwrap();
    assert!(early.is_err(), "released at once: {early:?}");
    assert_eq!(released.unwrap(), "6");
    engine.send(&session, Outgoing::message("queued while upgrading"));
    ws.send(Message::text("5")).await.unwrap();
    assert_eq!(next_text(&mut ws).await, "4queued while upgrading");
    recorder
        .wait_for(|event| *event == Event::Upgrade(session.handle()))
        .await;
    assert_eq!(session.transport(), Transport::WebSocket);
    // A second WebSocket for the same session is accepted, then closed.
    let mut second = websocket(&engine, &url).await;
    assert!(matches!(
        second.next().await,
        Some(Ok(Message::Close(_))) | None
    ));
    let lines = recorder.take_debug();
    let upgrade = lines
        .iter()
        .skip_while(|line| *line != "engine upgrading existing transport");
    let expected = [
        "engine upgrading existing transport",
        "engine:socket might upgrade socket transport from \"polling\" to \"websocket\"",
        "engine:ws received \"2probe\"",
        "engine:socket got probe ping packet, sending pong",
        "engine:socket writing a noop packet to polling for fast upgrade",
        "engine:polling writing \"6\"",
        "engine:socket sending packet \"message\" (queued while upgrading)",
        "engine:ws received \"5\"",
        "engine:socket got upgrade packet - upgrading",
        "engine:transport readyState updated from open to closing (polling)",
        "engine:polling closing",
        "engine:polling transport discarded - closing right away",
        "engine:transport readyState updated from closing to closed (polling)",
        "engine transport had already been upgraded",
    ];
    assert_eq!(upgrade.collect::<Vec<_>>(), expected);
}

#[tokio::test]
async fn a_failed_probe_leaves_the_session_on_polling() {
    let config = EngineConfig {
        upgrade_timeout: Duration::from_millis(100),
        ..EngineConfig::default()
    };
    let (engine, recorder) = Recorder::engine(config);
    let (session, _) = engine.handshake_polling(None);
    let url = format!("/?EIO=4&transport=websocket&sid={}", session.sid());
    let mut ws = websocket(&engine, &url).await;
    // Nothing is sent: the upgrade times out and the new transport is closed.
    assert!(matches!(
        ws.next().await,
        Some(Ok(Message::Close(_))) | None
    ));
    assert_eq!(session.transport(), Transport::Polling);
    assert_eq!(session.ready_state(), ReadyState::Open);
    let mut retry = websocket(&engine, &url).await;
    retry.send(Message::text("4not a probe")).await.unwrap();
    assert!(matches!(
        retry.next().await,
        Some(Ok(Message::Close(_))) | None
    ));
    assert_eq!(session.transport(), Transport::Polling);
    assert_eq!(recorder.take(), [Event::Open(session.handle())]);
}

/// A WebSocket session past its open packet, with a "bye" message queued for its client.
async fn session_with_bye_queued() -> (
    Arc<Engine>,
    Arc<Recorder>,
    WebSocketStream<DuplexStream>,
    Arc<Session>,
) {
    let (engine, recorder) = Recorder::engine(EngineConfig::default());
    let mut ws = websocket(&engine, "/?EIO=4&transport=websocket").await;
    next_text(&mut ws).await;
    let handle = match recorder.take()[..] {
        [Event::Open(handle)] => handle,
        ref other => panic!("{other:?}"),
    };
    let session = engine.session(handle).unwrap();
    engine.send(&session, Outgoing::message("bye"));
    (engine, recorder, ws, session)
}

#[tokio::test]
async fn server_close_flushes_then_closes_the_websocket() {
    let (engine, recorder, mut ws, session) = session_with_bye_queued().await;
    let handle = session.handle();
    engine.close(&session);
    assert_eq!(next_text(&mut ws).await, "4bye");
    assert!(matches!(ws.next().await, Some(Ok(Message::Close(_)))));
    let events = recorder
        .wait_for(|event| matches!(event, Event::Close(..)))
        .await;
    assert_eq!(events, [Event::Close(handle, "forced close")]);
}

#[tokio::test]
async fn closing_every_session_still_writes_what_was_queued() {
    let (engine, recorder, mut ws, session) = session_with_bye_queued().await;
    let handle = session.handle();
    engine.close_all();
    // The layer above hears the close at once; the client still gets "bye" first.
    assert_eq!(recorder.take(), [Event::Close(handle, "forced close")]);
    assert_eq!(next_text(&mut ws).await, "4bye");
    assert!(matches!(ws.next().await, Some(Ok(Message::Close(_)))));
}

#[test]
fn a_connection_ending_without_a_close_frame_is_a_transport_close() {
    use tokio_tungstenite::tungstenite::error::ProtocolError;
    let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
    for error in [
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake),
        WsError::Io(reset),
        WsError::ConnectionClosed,
    ] {
        assert_eq!(
            read_error_reason(&error),
            CloseReason::TransportClose,
            "{error}"
        );
    }
    assert_eq!(
        read_error_reason(&WsError::Protocol(ProtocolError::InvalidOpcode(15))),
        CloseReason::TransportError(TransportFault::Protocol)
    );
}

#[tokio::test]
async fn head_bytes_are_read_before_the_socket() {
    let (engine, recorder) = Recorder::engine(EngineConfig::default());
    let (client, server) = tokio::io::duplex(64 * 1024);
    // A masked text frame "4hi" sent in the same packet as the upgrade request.
    let head = Bytes::from_static(&[0x81, 0x83, 0, 0, 0, 0, b'4', b'h', b'i']);
    let handle = engine.reserve_handle();
    tokio::spawn(engine.clone().serve_websocket(
        server,
        head,
        upgrade_request("/?EIO=4&transport=websocket"),
        handle,
    ));
    let (_client, head) = read_head(client).await;
    assert!(head.starts_with("HTTP/1.1 101"));
    let events = recorder
        .wait_for(|event| matches!(event, Event::Text(..)))
        .await;
    assert_eq!(events[1], Event::Text(handle, "hi".into()));
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_once_its_queue_is_full() {
    let config = EngineConfig {
        outbound_high_water_mark: 64 * 1024,
        max_outbound_buffer: 256 * 1024,
        ..EngineConfig::default()
    };
    let (engine, recorder) = Recorder::engine(config);
    let client = websocket(&engine, "/?EIO=4&transport=websocket").await;
    let opened = recorder.wait_for(|e| matches!(e, Event::Open(_))).await;
    let Event::Open(handle) = opened[0] else {
        unreachable!()
    };
    let session = engine.session(handle).unwrap();
    // The client never reads: the pipe, then the writer's buffer, then the queue fill.
    let chunk = "x".repeat(16 * 1024);
    let mut congested_at = None;
    for sent in 0..1000 {
        if !engine.send(&session, Outgoing::message(&chunk)) {
            break;
        }
        if congested_at.is_none() && engine.congested(&session) {
            congested_at = Some(sent);
        }
        tokio::task::yield_now().await;
    }
    assert!(congested_at.is_some(), "never reported congestion");
    let events = recorder.wait_for(|e| matches!(e, Event::Close(..))).await;
    assert_eq!(
        events.last(),
        Some(&Event::Close(handle, "transport error"))
    );
    assert!(session.is_closed());
    drop(client);
}

#[tokio::test]
async fn a_congested_socket_drains_once_its_client_reads() {
    let config = EngineConfig {
        outbound_high_water_mark: 64 * 1024,
        ..EngineConfig::default()
    };
    let (engine, recorder) = Recorder::engine(config);
    let mut client = websocket(&engine, "/?EIO=4&transport=websocket").await;
    let opened = recorder.wait_for(|e| matches!(e, Event::Open(_))).await;
    let Event::Open(handle) = opened[0] else {
        unreachable!()
    };
    let session = engine.session(handle).unwrap();
    let chunk = "x".repeat(16 * 1024);
    while !engine.congested(&session) {
        engine.send(&session, Outgoing::message(&chunk));
        tokio::task::yield_now().await;
    }
    let reader = tokio::spawn(async move { while client.next().await.is_some() {} });
    let events = recorder.wait_for(|e| matches!(e, Event::Drain(_))).await;
    assert_eq!(events, [Event::Drain(handle)]);
    assert!(!engine.congested(&session));
    engine.close(&session);
    reader.await.unwrap();
}

/// Packet `i` of a stream of texts and binaries whose sizes cross every frame-length
/// encoding.
fn numbered_packet(i: usize) -> Outgoing {
    let len = (i * 7919) % 70_000;
    match i % 2 {
        0 => Outgoing::message(&format!("{i}:{}", "x".repeat(len))),
        _ => {
            let mut bytes = (i as u32).to_be_bytes().to_vec();
            bytes.resize(4 + len, i as u8);
            Outgoing::Binary(bytes.into())
        }
    }
}

/// Packet `i` of a stream of small texts and binaries, several of which fit in one
/// gathered write.
fn small_packet(i: usize) -> Outgoing {
    let mut packet = numbered_packet(i);
    match &mut packet {
        Outgoing::Text(text) => *text = text[..text.len().min(5 + i % 900)].into(),
        Outgoing::Binary(bytes) => bytes.truncate(4 + i % 900),
    }
    packet
}

#[tokio::test]
async fn direct_writes_keep_frames_whole_and_in_order_when_the_socket_fills() {
    frames_survive_a_full_socket(numbered_packet, 300).await;
}

#[tokio::test]
async fn gathered_small_frames_stay_whole_and_in_order_when_the_socket_fills() {
    frames_survive_a_full_socket(small_packet, 30_000).await;
}

/// Sends `count` packets while the client reads nothing, so that the socket fills and
/// direct writes stop mid-frame; then the client must read every packet whole, in order.
async fn frames_survive_a_full_socket(packet: fn(usize) -> Outgoing, count: usize) {
    let config = EngineConfig {
        max_outbound_buffer: usize::MAX,
        ..EngineConfig::default()
    };
    let (engine, recorder) = Recorder::engine(config);
    let (mut client, session) = tcp_session(&engine, &recorder).await;
    let mut left_unsent = false;
    for i in 0..count {
        match i % 3 {
            0 => assert!(engine.send(&session, packet(i))),
            // Two packets queued, then written together.
            1 => assert!(engine.send_all_deferred(&session, [packet(i)])),
            _ => {
                assert!(engine.send_all_deferred(&session, [packet(i)]));
                engine.flush_deferred();
            }
        }
        left_unsent |= session.lock().unsent.is_some();
        if i % 10 == 0 {
            tokio::task::yield_now().await;
        }
    }
    assert!(left_unsent, "the socket never took part of a frame");
    for i in 0..count {
        let expected = match packet(i) {
            Outgoing::Text(text) => Message::Text(text[1..].into()),
            Outgoing::Binary(bytes) => Message::Binary(bytes),
        };
        let received = loop {
            match client.next().await {
                Some(Ok(Message::Text(text))) => break Message::Text(text[1..].into()),
                Some(Ok(Message::Binary(bytes))) => break Message::Binary(bytes),
                Some(Ok(_)) => continue,
                other => panic!("packet {i}: {other:?}"),
            }
        };
        assert!(received == expected, "packet {i} differs");
    }
    // A client ping is answered between the engine's frames, never inside one.
    client.send(Message::Ping("p".into())).await.unwrap();
    engine.send(&session, Outgoing::message("after the ping"));
    let mut pong = false;
    loop {
        match client.next().await {
            Some(Ok(Message::Pong(_))) => pong = true,
            Some(Ok(Message::Text(text))) => {
                assert_eq!(text.as_str(), "4after the ping");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(pong || matches!(client.next().await, Some(Ok(Message::Pong(_)))));
    assert!(!session.is_closed());
}

#[tokio::test]
async fn a_burst_to_many_sessions_is_written_on_the_runtime() {
    let (engine, recorder) = Recorder::engine(EngineConfig::default());
    let mut clients = Vec::new();
    for _ in 0..40 {
        clients.push(tcp_session(&engine, &recorder).await);
    }
    for (_, session) in &clients {
        engine.send_all_deferred(
            session,
            [Outgoing::message("first"), Outgoing::message("second")],
        );
    }
    engine.flush_deferred();
    for (client, _) in &mut clients {
        assert_eq!(next_text(client).await, "4first");
        assert_eq!(next_text(client).await, "4second");
    }
}
