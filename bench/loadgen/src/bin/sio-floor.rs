//! `sio-floor`: the least a server can do in the `broadcast` scenario, as a yardstick for
//! the real ones. It answers the WebSocket upgrade, the Engine.IO open packet, the
//! namespace CONNECT and `join` (every member joins the one room), and writes each
//! `bcast` to every member straight from the driver's task: one non-blocking write per
//! member, no heartbeat, no JS. Its round time is what the kernel and this machine
//! cost; what a real server takes beyond it is that server's own work.
//!
//! Usage: sio-floor PORT   (127.0.0.1; prints `listening` once it accepts)

use std::cell::RefCell;
use std::io::ErrorKind;
use std::rc::Rc;

use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

const OPEN: &[u8] = br#"0{"sid":"floorfloorfloorfloor","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
const CONNECTED: &[u8] = br#"40{"sid":"floorsocketfloorsock"}"#;
const MAX_FRAME: usize = 1 << 16;

/// A member's connection: written directly while nothing waits, through `backlog` after
/// the socket once took less than offered (so that frames stay in order).
struct Peer {
    stream: TcpStream,
    backlog: RefCell<Vec<u8>>,
}

type Room = Rc<RefCell<Vec<Rc<Peer>>>>;

impl Peer {
    fn send(self: &Rc<Self>, frame: &[u8]) {
        let mut backlog = self.backlog.borrow_mut();
        if !backlog.is_empty() {
            backlog.extend_from_slice(frame);
            return;
        }
        let written = match self.stream.try_write(frame) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
            Err(_) => return,
        };
        if written < frame.len() {
            backlog.extend_from_slice(&frame[written..]);
            let peer = self.clone();
            tokio::task::spawn_local(async move { peer.drain().await });
        }
    }

    async fn drain(&self) {
        loop {
            if self.stream.writable().await.is_err() {
                return;
            }
            let mut backlog = self.backlog.borrow_mut();
            match self.stream.try_write(&backlog) {
                Ok(n) => drop(backlog.drain(..n)),
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(_) => return,
            }
            if backlog.is_empty() {
                return;
            }
        }
    }
}

/// An unmasked server text frame.
fn text_frame(payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 4);
    frame.push(0x81);
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

/// The first complete client frame in `bytes`: its unmasked payload and its length on
/// the wire.
fn client_frame(bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
    let short = (*bytes.get(1)? & 0x7f) as usize;
    let (head, size) = match short {
        126 => (
            4,
            u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]) as usize,
        ),
        127 => return None,
        n => (2, n),
    };
    let key: [u8; 4] = bytes.get(head..head + 4)?.try_into().ok()?;
    let payload = bytes.get(head + 4..head + 4 + size)?;
    let payload = payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k);
    Some((payload.collect(), head + 4 + size))
}

/// The `Sec-WebSocket-Key` of a complete upgrade request.
fn websocket_key(request: &[u8]) -> Option<&[u8]> {
    request.split(|&b| b == b'\n').find_map(|line| {
        let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
        name.eq_ignore_ascii_case(b"sec-websocket-key")
            .then(|| value[1..].trim_ascii())
    })
}

/// Answers one Socket.IO packet (`payload`, Engine.IO type included).
fn answer(peer: &Rc<Peer>, payload: &[u8], room: &Room) {
    if payload == b"40" {
        return peer.send(&text_frame(CONNECTED));
    }
    let Some(event) = payload.strip_prefix(b"42") else {
        return;
    };
    let digits = event.iter().take_while(|b| b.is_ascii_digit()).count();
    let (id, args) = event.split_at(digits);
    if args.starts_with(br#"["join","#) {
        room.borrow_mut().push(peer.clone());
        let ack = [b"43", id, b"[]"].concat();
        peer.send(&text_frame(&ack));
    } else if let Some(data) = args.strip_prefix(br#"["bcast","#) {
        let frame = text_frame(&[br#"42["msg","#, data].concat());
        for member in room.borrow().iter() {
            member.send(&frame);
        }
    }
}

async fn serve(stream: TcpStream, room: Room) -> Option<()> {
    stream.set_nodelay(true).ok()?;
    let peer = Rc::new(Peer {
        stream,
        backlog: RefCell::default(),
    });
    let mut buf = Vec::with_capacity(4096);
    let end = loop {
        read_more(&peer.stream, &mut buf).await?;
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let accept = derive_accept_key(websocket_key(&buf[..end])?);
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    peer.send(response.as_bytes());
    buf.drain(..end);
    peer.send(&text_frame(OPEN));
    loop {
        while let Some((payload, size)) = client_frame(&buf) {
            buf.drain(..size);
            answer(&peer, &payload, &room);
        }
        if buf.len() > MAX_FRAME {
            return None;
        }
        read_more(&peer.stream, &mut buf).await?;
    }
}

/// Appends what the socket has to `buf`; `None` once it is closed.
async fn read_more(stream: &TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    loop {
        stream.readable().await.ok()?;
        buf.reserve(4096);
        match stream.try_read_buf(buf) {
            Ok(0) => return None,
            Ok(_) => return Some(()),
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(_) => return None,
        }
    }
}

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: sio-floor PORT");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_reuseaddr(true).expect("SO_REUSEADDR");
        socket
            .bind(([127, 0, 0, 1], port).into())
            .expect("bind 127.0.0.1");
        // Node's backlog, as for the other servers.
        let listener = socket.listen(511).expect("listen");
        println!("listening");
        let room = Room::default();
        while let Ok((stream, _)) = listener.accept().await {
            tokio::task::spawn_local(serve(stream, room.clone()));
        }
    });
}
