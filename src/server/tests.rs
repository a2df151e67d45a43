//! The server core over real engine sessions (driven through the polling API).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use parking_lot::Mutex;

use super::*;
use crate::adapter::{BroadcastOptions, Room};
use crate::engine::debug::Enabled;
use crate::engine::polling::PollOutcome;
use crate::engine::{EngineConfig, ReadyState};

#[derive(Debug, PartialEq, Clone)]
enum Heard {
    Open,
    Connect(u32, String, Option<String>),
    Packet(u32, PacketType, Option<u64>, String, usize),
    Disconnect(u32, String),
    Error(u32, String),
    Close(&'static str),
}

#[derive(Default)]
struct Ears {
    heard: Mutex<Vec<Heard>>,
    /// Debug lines, as `namespace line`.
    debug: Mutex<Vec<String>>,
}

impl Ears {
    fn take(&self) -> Vec<Heard> {
        std::mem::take(&mut *self.heard.lock())
    }

    fn take_debug(&self) -> Vec<String> {
        std::mem::take(&mut *self.debug.lock())
    }
}

impl ServerEvents for Ears {
    fn engine_open(&self, _: &Arc<Session>) {
        self.heard.lock().push(Heard::Open);
    }

    fn engine_upgrade(&self, _: &Arc<Session>) {}

    fn engine_abandoned(&self, _: u32) {}

    fn engine_close(&self, _: &Arc<Session>, reason: CloseReason) {
        self.heard.lock().push(Heard::Close(reason.as_str()));
    }

    fn connect_request(&self, socket: &Socket, auth: Option<&str>) {
        self.heard.lock().push(Heard::Connect(
            socket.handle,
            socket.nsp.to_string(),
            auth.map(str::to_owned),
        ));
    }

    fn packet(
        &self,
        socket: &Socket,
        kind: PacketType,
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
    ) {
        self.heard.lock().push(Heard::Packet(
            socket.handle,
            kind,
            id,
            data.to_owned(),
            attachments.len(),
        ));
    }

    fn disconnect(&self, socket: &Socket, reason: DisconnectReason<'_>) {
        self.heard
            .lock()
            .push(Heard::Disconnect(socket.handle, reason.reason.to_owned()));
    }

    fn engine_drain(&self, _: &Arc<Session>) {}

    fn error(&self, socket: &Socket, message: &str) {
        self.heard
            .lock()
            .push(Heard::Error(socket.handle, message.to_owned()));
    }

    fn debug(&self, namespace: &'static str, message: std::fmt::Arguments<'_>) {
        self.debug.lock().push(format!("{namespace} {message}"));
    }
}

struct Harness {
    engine: Arc<Engine>,
    server: Arc<Server>,
    ears: Arc<Ears>,
}

impl Harness {
    fn new(connect_timeout: Duration) -> Self {
        Self::printing(connect_timeout, &[])
    }

    /// A harness in which the debug namespaces `debug` print.
    fn printing(connect_timeout: Duration, debug: &[&str]) -> Self {
        let ears = Arc::new(Ears::default());
        let server = Server::new(
            ServerConfig {
                connect_timeout,
                debug: Enabled::named(debug),
            },
            ears.clone(),
        );
        let engine = Engine::new(
            EngineConfig {
                debug: Enabled::named(debug),
                ..EngineConfig::default()
            },
            server.clone(),
            tokio::runtime::Handle::current(),
        );
        server.bind(&engine);
        server.register_namespace("/");
        Harness {
            engine,
            server,
            ears,
        }
    }

    fn client(&self) -> Arc<Session> {
        let (session, _) = self.engine.handshake_polling(None);
        assert_eq!(self.ears.take(), [Heard::Open]);
        session
    }

    fn post(&self, session: &Arc<Session>, payload: &str) {
        self.engine.post_begin(session, false).unwrap();
        self.engine.post_chunk(session, payload.as_bytes()).unwrap();
        self.engine.post_end(session).unwrap();
    }

    fn poll(&self, session: &Arc<Session>) -> String {
        match self.engine.poll(session, Box::new(|_| {})) {
            PollOutcome::Reply(payload) => payload,
            other => panic!("nothing to read: {other:?}"),
        }
    }

    /// Connects `session` to `nsp`, accepts it, and returns the socket handle and id.
    fn connect(&self, session: &Arc<Session>, nsp: &str) -> (u32, String) {
        let packet = if nsp == "/" {
            "40".to_owned()
        } else {
            format!("40{nsp},")
        };
        self.post(session, &packet);
        let handle = match self.ears.take()[..] {
            [Heard::Connect(handle, ref name, None)] if name == nsp => handle,
            ref other => panic!("{other:?}"),
        };
        assert!(self.server.accept(handle));
        let id = self.server.socket(handle).unwrap().id.to_string();
        let prefix = if nsp == "/" {
            String::new()
        } else {
            format!("{nsp},")
        };
        assert_eq!(self.poll(session), format!(r#"40{prefix}{{"sid":"{id}"}}"#));
        (handle, id)
    }
}

#[tokio::test]
async fn writes_the_reference_lines_of_what_it_decides() {
    let debug = ["engine", "socket.io:client", "socket.io:socket"];
    let harness = Harness::printing(Duration::from_secs(45), &debug);
    let session = harness.client();
    // The engine's lines come through the server.
    let handshake = format!("engine handshaking client \"{}\"", session.sid());
    assert_eq!(harness.ears.take_debug(), [handshake]);
    harness.post(&session, "40/nope,");
    harness.poll(&session);
    harness.connect(&session, "/");
    harness.post(&session, "41");
    harness.post(&session, r#"42["after"]"#);
    let lines = harness.ears.take_debug();
    let lines: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with("socket.io:"))
        .collect();
    assert_eq!(
        lines,
        [
            "socket.io:client creation of namespace /nope was denied",
            r#"socket.io:socket got packet {"type":1,"nsp":"/"}"#,
            "socket.io:socket got disconnect packet",
            "socket.io:client invalid state (packet type: 2)",
            "socket.io:client forcing transport close",
            "socket.io:client client close with reason forced server close",
        ]
    );
    harness.poll(&session);
    assert!(
        !harness
            .ears
            .take_debug()
            .iter()
            .any(|l| l.contains("client close")),
        "the client closed once"
    );
}

#[tokio::test]
async fn connects_with_auth_and_a_socket_id_of_its_own() {
    let harness = Harness::new(Duration::from_secs(45));
    let session = harness.client();
    harness.post(&session, r#"40{"token":"abc"}"#);
    let handle = match harness.ears.take()[..] {
        [Heard::Connect(handle, ref nsp, Some(ref auth))]
            if nsp == "/" && auth == r#"{"token":"abc"}"# =>
        {
            handle
        }
        ref other => panic!("{other:?}"),
    };
    assert!(harness.server.accept(handle));
    let socket = harness.server.socket(handle).unwrap();
    assert_eq!(socket.id.len(), 20);
    assert_ne!(&*socket.id, session.sid());
    assert_eq!(harness.server.rooms(handle), [Room::from(&*socket.id)]);
    assert!(!harness.server.accept(handle), "a socket is accepted once");
}

#[tokio::test]
async fn refuses_unknown_namespaces_and_middleware_errors() {
    let harness = Harness::new(Duration::from_secs(45));
    let session = harness.client();
    harness.post(&session, "40/nope,");
    assert!(harness.ears.take().is_empty());
    assert_eq!(
        harness.poll(&session),
        r#"44/nope,{"message":"Invalid namespace"}"#
    );
    harness.post(&session, "40");
    let handle = match harness.ears.take()[..] {
        [Heard::Connect(handle, ..)] => handle,
        ref other => panic!("{other:?}"),
    };
    harness
        .server
        .join(handle, &[Room::from("joined in middleware")]);
    harness
        .server
        .refuse(handle, r#"{"message":"not authorized","data":{"code":42}}"#);
    assert_eq!(
        harness.poll(&session),
        r#"44{"message":"not authorized","data":{"code":42}}"#
    );
    assert!(harness.server.namespace_rooms("/").is_empty());
    assert!(harness.server.socket(handle).is_none());
    // The connection stays open: it may try again.
    harness.connect(&session, "/");
}

#[tokio::test]
async fn hands_events_and_acks_to_the_application() {
    let harness = Harness::new(Duration::from_secs(45));
    let session = harness.client();
    let (handle, _) = harness.connect(&session, "/");
    harness.post(
        &session,
        "42[\"hello\",1]\x1e4212[\"with ack\"]\x1e437[\"ack\"]",
    );
    assert_eq!(
        harness.ears.take(),
        [
            Heard::Packet(handle, PacketType::Event, None, r#"["hello",1]"#.into(), 0),
            Heard::Packet(
                handle,
                PacketType::Event,
                Some(12),
                r#"["with ack"]"#.into(),
                0
            ),
            Heard::Packet(handle, PacketType::Ack, Some(7), r#"["ack"]"#.into(), 0),
        ]
    );
    assert!(harness
        .server
        .emit(handle, PacketType::Ack, Some(12), "[1]", &[], false));
    assert!(harness.server.emit(
        handle,
        PacketType::Event,
        None,
        r#"["bin",{"_placeholder":true,"num":0}]"#,
        &[Bytes::from_static(&[1, 2])],
        false
    ));
    assert_eq!(
        harness.poll(&session),
        "4312[1]\x1e451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1ebAQI="
    );
}

#[tokio::test]
async fn reassembles_binary_events() {
    let harness = Harness::new(Duration::from_secs(45));
    let session = harness.client();
    let (handle, _) = harness.connect(&session, "/");
    harness.post(
        &session,
        "452-3[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]\x1ebAQ==\x1ebAg==",
    );
    assert_eq!(
        harness.ears.take(),
        [Heard::Packet(
            handle,
            PacketType::Event,
            Some(3),
            r#"["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#.into(),
            2
        )]
    );
}

#[tokio::test]
async fn invalid_packets_close_the_connection() {
    for payload in [
        "4abc",
        "42{}",
        "42[\"connect\"]",
        "451-[\"a\",{\"_placeholder\":true,\"num\":3}]\x1ebAA==",
        "bAQ==",
    ] {
        let harness = Harness::new(Duration::from_secs(45));
        let session = harness.client();
        let (handle, _) = harness.connect(&session, "/");
        harness.post(&session, payload);
        let heard = harness.ears.take();
        assert!(
            matches!(heard.first(), Some(Heard::Error(h, _)) if *h == handle),
            "{payload:?}: {heard:?}"
        );
        // Closed gracefully: the next GET takes the close packet.
        assert_eq!(harness.poll(&session), "6\x1e1", "{payload:?}");
        assert_eq!(
            harness.ears.take(),
            [
                Heard::Disconnect(handle, "forced close".into()),
                Heard::Close("forced close")
            ],
            "{payload:?}"
        );
    }
}

#[tokio::test]
async fn protocol_violations_close_the_client() {
    // A second CONNECT for the same namespace, and an EVENT for one never joined.
    for payload in ["40", "42/other,[\"x\"]"] {
        let harness = Harness::new(Duration::from_secs(45));
        let session = harness.client();
        let (handle, _) = harness.connect(&session, "/");
        harness.post(&session, payload);
        assert_eq!(
            harness.ears.take(),
            [Heard::Disconnect(handle, "forced server close".into())],
            "{payload:?}"
        );
        assert_eq!(harness.poll(&session), "6\x1e1");
        assert_eq!(harness.ears.take(), [Heard::Close("forced close")]);
    }
}

#[tokio::test]
async fn client_disconnect_keeps_other_namespaces() {
    let harness = Harness::new(Duration::from_secs(45));
    harness.server.register_namespace("/chat");
    let session = harness.client();
    let (root, _) = harness.connect(&session, "/");
    let (chat, _) = harness.connect(&session, "/chat");
    harness.post(&session, "41/chat,");
    assert_eq!(
        harness.ears.take(),
        [Heard::Disconnect(
            chat,
            "client namespace disconnect".into()
        )]
    );
    // Rooms stay readable until the application releases the socket.
    assert_eq!(harness.server.namespace_rooms("/chat").len(), 1);
    harness.server.release(chat);
    assert!(harness.server.namespace_rooms("/chat").is_empty());
    harness.post(&session, "42[\"still here\"]");
    assert!(matches!(harness.ears.take()[..], [Heard::Packet(h, ..)] if h == root));
}

#[tokio::test]
async fn broadcasts_to_rooms_once_per_socket() {
    let harness = Harness::new(Duration::from_secs(45));
    let sessions: Vec<_> = (0..4).map(|_| harness.client()).collect();
    let sockets: Vec<_> = sessions.iter().map(|s| harness.connect(s, "/")).collect();
    harness
        .server
        .join(sockets[0].0, &[Room::from("a"), Room::from("b")]);
    harness.server.join(sockets[1].0, &[Room::from("b")]);
    harness.server.join(sockets[2].0, &[Room::from("c")]);
    let opts = BroadcastOptions {
        rooms: vec![Room::from("a"), Room::from("b"), Room::from("c")],
        except: vec![Room::from(sockets[2].1.as_str())],
        volatile: false,
    };
    assert_eq!(
        harness.server.broadcast("/", &opts, None, r#"["hi"]"#, &[]),
        2
    );
    assert_eq!(harness.poll(&sessions[0]), r#"42["hi"]"#);
    assert_eq!(harness.poll(&sessions[1]), r#"42["hi"]"#);
    for session in &sessions[2..] {
        assert!(matches!(
            harness.engine.poll(session, Box::new(|_| {})),
            PollOutcome::Parked
        ));
    }
    let everyone = BroadcastOptions::default();
    let mut targets = harness.server.targets("/", &everyone);
    targets.sort();
    assert_eq!(targets, sockets.iter().map(|s| s.0).collect::<Vec<_>>());
}

#[tokio::test]
async fn closes_clients_that_join_no_namespace_in_time() {
    let harness = Harness::new(Duration::from_millis(50));
    let idle = harness.client();
    let joined = harness.client();
    harness.connect(&joined, "/");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(idle.ready_state(), ReadyState::Closing);
    assert_eq!(joined.ready_state(), ReadyState::Open);
}
