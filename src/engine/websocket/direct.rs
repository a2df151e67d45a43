//! Writing queued packets straight to a WebSocket's TCP socket from whichever thread
//! queued them, while the connection's task is not writing: an ack, or each recipient
//! of a broadcast, then costs one non-blocking `writev` rather than a task wake-up.
//! What the socket does not take at once is left to the task, which writes it first.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::super::packet::Outgoing;
use super::super::{Engine, ReadyState, Session, Transport};

/// Frames handed to one `writev`: two slices each, far below `IOV_MAX`.
const FRAMES_PER_WRITE: usize = 32;

/// A TCP connection its WebSocket task reads and writes, and other threads may write to
/// between the task's writes.
pub struct SharedTcpStream(Arc<TcpStream>);

impl SharedTcpStream {
    pub fn new(stream: TcpStream) -> Self {
        SharedTcpStream(Arc::new(stream))
    }

    pub fn get_ref(&self) -> &TcpStream {
        &self.0
    }
}

/// A stream that may also be written to directly (only TCP connections can).
pub trait DirectWrite {
    fn direct_socket(&self) -> Option<Arc<TcpStream>> {
        None
    }
}

impl DirectWrite for SharedTcpStream {
    fn direct_socket(&self) -> Option<Arc<TcpStream>> {
        Some(self.0.clone())
    }
}

impl DirectWrite for tokio::io::DuplexStream {}

impl AsyncRead for SharedTcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.0.poll_read_ready(cx))?;
            match self.0.try_read_buf(buf) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                result => return Poll::Ready(result.map(drop)),
            }
        }
    }
}

impl AsyncWrite for SharedTcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.0.poll_write_ready(cx))?;
            match self.0.try_write(buf) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                result => return Poll::Ready(result),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open for as long as `self.0` is.
        let result = unsafe { libc::shutdown(self.0.as_raw_fd(), libc::SHUT_WR) };
        Poll::Ready(match result {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        })
    }
}

impl Engine {
    /// Writes what `session` queued straight to its socket if its task is not writing,
    /// and wakes the task for whatever is left (or when it cannot be written to directly).
    pub(in crate::engine) fn write_or_wake(&self, session: &Arc<Session>) {
        let mut guard = session.lock();
        let state = &mut *guard;
        let idle = state.ready == ReadyState::Open
            && state.transport == Transport::WebSocket
            && !state.writing
            && state.unsent.is_none();
        let Some(socket) = state.socket.as_ref().filter(|_| idle) else {
            drop(guard);
            session.wake.notify_one();
            return;
        };
        if state.outbox.is_empty() {
            return;
        }
        let high_water = self.config.outbound_high_water_mark;
        let (mut batch, bytes) = state.outbox.take_batch();
        // On an error the task retries, fails the same way and ends the session.
        let progress = write_frames(socket, &batch).unwrap_or(Progress {
            written: 0,
            tail: None,
        });
        if progress.written == batch.len() {
            let drained = state.outbox.written(bytes, high_water);
            drop(guard);
            self.notify_drained(session, drained);
            return;
        }
        let done: usize = batch.drain(..progress.written).map(|p| p.size()).sum();
        if let Some(tail) = progress.tail {
            let partial = batch.pop_front().expect("a packet was partly written");
            state.unsent = Some((tail, partial.size()));
        }
        state.outbox.restore(batch);
        state.writing = true;
        let drained = state.outbox.written(done, high_water);
        drop(guard);
        self.notify_drained(session, drained);
        session.wake.notify_one();
    }
}

/// The header of an unmasked, unfragmented server frame carrying `packet`.
fn frame_header(packet: &Outgoing) -> ([u8; 10], usize) {
    let (opcode, len) = match packet {
        Outgoing::Text(text) => (0x1, text.len()),
        Outgoing::Binary(bytes) => (0x2, bytes.len()),
    };
    let mut header = [0u8; 10];
    header[0] = 0x80 | opcode;
    let size = if len < 126 {
        header[1] = len as u8;
        2
    } else if let Ok(len) = u16::try_from(len) {
        header[1] = 126;
        header[2..4].copy_from_slice(&len.to_be_bytes());
        4
    } else {
        header[1] = 127;
        header[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    (header, size)
}

fn payload(packet: &Outgoing) -> &[u8] {
    match packet {
        Outgoing::Text(text) => text.as_bytes(),
        Outgoing::Binary(bytes) => bytes,
    }
}

/// How far a direct write got through a batch of packets.
#[derive(Debug, PartialEq)]
pub struct Progress {
    /// Packets whose frames were written whole.
    pub written: usize,
    /// The unwritten end of the next packet's frame, when the socket took part of it.
    pub tail: Option<Bytes>,
}

/// Writes `packets` as frames, as far as `socket` takes them without blocking. An error
/// is returned only if nothing was written.
pub fn write_frames(socket: &TcpStream, packets: &VecDeque<Outgoing>) -> io::Result<Progress> {
    let mut written = 0;
    while written < packets.len() {
        let chunk = packets.range(written..packets.len().min(written + FRAMES_PER_WRITE));
        let mut headers = [([0u8; 10], 0); FRAMES_PER_WRITE];
        for (header, packet) in headers.iter_mut().zip(chunk.clone()) {
            *header = frame_header(packet);
        }
        let mut slices = [IoSlice::new(&[]); 2 * FRAMES_PER_WRITE];
        let mut total = 0;
        for (i, (packet, (header, size))) in chunk.clone().zip(&headers).enumerate() {
            slices[2 * i] = IoSlice::new(&header[..*size]);
            slices[2 * i + 1] = IoSlice::new(payload(packet));
            total += size + payload(packet).len();
        }
        let mut sent = match socket.try_write_vectored(&slices[..2 * chunk.len()]) {
            Ok(sent) => sent,
            Err(error) if written == 0 && error.kind() != io::ErrorKind::WouldBlock => {
                return Err(error);
            }
            Err(_) => 0,
        };
        if sent == total {
            written += chunk.len();
            continue;
        }
        for (packet, (header, size)) in chunk.zip(&headers) {
            let frame = size + payload(packet).len();
            if sent < frame {
                let tail = (sent > 0).then(|| frame_tail(packet, &header[..*size], sent));
                return Ok(Progress { written, tail });
            }
            sent -= frame;
            written += 1;
        }
    }
    Ok(Progress {
        written,
        tail: None,
    })
}

/// What is left of `packet`'s frame once `sent` of its bytes were written.
fn frame_tail(packet: &Outgoing, header: &[u8], sent: usize) -> Bytes {
    let body: Bytes = match packet {
        Outgoing::Text(text) => text.clone().into(),
        Outgoing::Binary(bytes) => bytes.clone(),
    };
    match sent.checked_sub(header.len()) {
        Some(into_body) => body.slice(into_body..),
        None => {
            let mut tail = BytesMut::with_capacity(header.len() - sent + body.len());
            tail.extend_from_slice(&header[sent..]);
            tail.extend_from_slice(&body);
            tail.freeze()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_use_the_shortest_length_encoding() {
        let text = |len| Outgoing::Text("x".repeat(len).into());
        let (header, size) = frame_header(&text(125));
        assert_eq!(&header[..size], [0x81, 125]);
        let (header, size) = frame_header(&text(126));
        assert_eq!(&header[..size], [0x81, 126, 0, 126]);
        let (header, size) = frame_header(&Outgoing::Binary(Bytes::from(vec![0; 70_000])));
        assert_eq!(&header[..size], [0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    }

    #[test]
    fn a_tail_starts_where_the_socket_stopped() {
        let packet = Outgoing::Text("4hello".into());
        let (header, size) = frame_header(&packet);
        assert_eq!(frame_tail(&packet, &header[..size], 1), &b"\x064hello"[..]);
        assert_eq!(frame_tail(&packet, &header[..size], 4), &b"ello"[..]);
    }
}
