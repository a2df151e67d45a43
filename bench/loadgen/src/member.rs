//! A broadcast member: a Socket.IO client that joins a room and then only reads. It
//! speaks WebSocket directly on its TCP stream (handshake, unmasked server frames,
//! masked pongs) because the members are where the load generator spends its time in
//! `broadcast`: a framing library's buffers, wakers and per-message strings cost ~10%
//! of its CPU per delivery there, a floor under every server's round time.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Read buffer size; it grows for a larger frame, up to [`MAX_FRAME`].
const BUFFER: usize = 4096;
const MAX_FRAME: usize = 1 << 20;

pub struct Member {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` before `start` were consumed; those from `start` to `len` are unread.
    start: usize,
    len: usize,
}

/// A server frame at the front of `bytes`: (opcode, header length, payload length), or
/// `None` while its header is incomplete.
fn frame_header(bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let opcode = bytes.first()? & 0x0f;
    let short = (bytes.get(1)? & 0x7f) as usize;
    Some(match short {
        126 => (
            opcode,
            4,
            u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?) as usize,
        ),
        127 => {
            let size = u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?);
            (opcode, 10, usize::try_from(size).unwrap_or(usize::MAX))
        }
        _ => (opcode, 2, short),
    })
}

/// A masked client text frame (the mask key is all zeros, so the payload is unchanged).
fn text_frame(payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126, "members send short frames only");
    let mut frame = vec![0x81, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    frame.extend_from_slice(payload);
    frame
}

impl Member {
    /// Connects to `url` (`ws://host:port/path/`), joins the main namespace, then `room`
    /// through the benchmark app's `join` event.
    pub async fn join(url: &str, room: &str) -> Result<Member, String> {
        let rest = url
            .strip_prefix("ws://")
            .ok_or("members need a ws:// URL")?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let stream = TcpStream::connect(authority)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut member = Member {
            stream,
            buf: vec![0; BUFFER],
            start: 0,
            len: 0,
        };
        let request = format!(
            "GET {path}?EIO=4&transport=websocket HTTP/1.1\r\nHost: {authority}\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        member.write(request.as_bytes()).await?;
        member.read_upgrade().await?;
        let open = member.next_message().await?;
        if open.first() != Some(&b'0') {
            return Err("expected the open packet".into());
        }
        member.write(&text_frame(b"40")).await?;
        if !member.next_packet().await?.starts_with(b"0{") {
            return Err("namespace connect refused".into());
        }
        let join = format!(r#"420["join","{room}"]"#);
        member.write(&text_frame(join.as_bytes())).await?;
        // The ack of that first event (id 0): `30[...]`.
        while !member.next_packet().await?.starts_with(b"30") {}
        Ok(member)
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream
            .write_all(bytes)
            .await
            .map_err(|e| format!("write: {e}"))
    }

    /// Reads more bytes after the unread ones.
    async fn fill(&mut self) -> Result<(), String> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.len, 0);
            self.len -= self.start;
            self.start = 0;
        }
        if self.len == self.buf.len() {
            if self.buf.len() >= MAX_FRAME {
                return Err("frame too large".into());
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        match self.stream.read(&mut self.buf[self.len..]).await {
            Ok(0) => Err("closed by the server".into()),
            Ok(n) => {
                self.len += n;
                Ok(())
            }
            Err(e) => Err(format!("read: {e}")),
        }
    }

    /// Reads the `101 Switching Protocols` answer; bytes after it stay unread.
    async fn read_upgrade(&mut self) -> Result<(), String> {
        loop {
            let unread = &self.buf[self.start..self.len];
            if let Some(end) = unread.windows(4).position(|w| w == b"\r\n\r\n") {
                if !unread.starts_with(b"HTTP/1.1 101") {
                    return Err("the server refused the WebSocket upgrade".into());
                }
                self.start += end + 4;
                return Ok(());
            }
            self.fill().await?;
        }
    }

    /// The payload of the next text or binary frame; the server's close ends the member.
    async fn next_message(&mut self) -> Result<&[u8], String> {
        loop {
            let unread = &self.buf[self.start..self.len];
            if let Some((opcode, head, size)) = frame_header(unread) {
                if size > MAX_FRAME {
                    return Err("frame too large".into());
                }
                if unread.len() >= head + size {
                    let payload = self.start + head..self.start + head + size;
                    self.start = payload.end;
                    match opcode {
                        0x1 | 0x2 => return Ok(&self.buf[payload]),
                        0x8 => return Err("closed by the server".into()),
                        _ => continue,
                    }
                }
            }
            self.fill().await?;
        }
    }

    /// The next Socket.IO packet (its Engine.IO `4` stripped); pings are answered on the way.
    pub async fn next_packet(&mut self) -> Result<&[u8], String> {
        loop {
            let message = self.next_message().await?;
            let (kind, size) = (message.first().copied(), message.len());
            match kind {
                Some(b'2') => self.write(&text_frame(b"3")).await?,
                Some(b'4') => return Ok(&self.buf[self.start - size + 1..self.start]),
                _ => continue,
            }
        }
    }
}
