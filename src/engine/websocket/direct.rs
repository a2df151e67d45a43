//! Writing queued packets straight to a WebSocket's TCP socket from whichever thread
//! queued them, while the connection's task is not writing: an ack, or each recipient
//! of a broadcast, then costs one non-blocking write rather than a task wake-up.
//! What the socket does not take at once is left to the task, which writes it first.

use std::cell::RefCell;
use std::io::{self, IoSlice};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use socket2::SockRef;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::super::outbox::PacketQueue;
use super::super::packet::Outgoing;
use super::super::{Engine, ReadyState, Session, Transport};

/// Frames handed to one `writev`: two slices each, far below `IOV_MAX`.
const FRAMES_PER_WRITE: usize = 32;
/// Frames that add up to this many bytes or fewer are copied into one buffer and handed
/// to `send`: the kernel takes one buffer for ~0.3 µs less per write than header and
/// payload slices through `sendmsg` (most writes: an ack, a broadcast's frame).
const GATHER_LIMIT: usize = 2048;

thread_local! {
    /// The buffer small writes are gathered in, one per writing thread.
    static GATHERED: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(GATHER_LIMIT));
}

/// A stream that the threads queueing packets may also write to, between its task's
/// writes.
pub trait DirectWrite {
    /// Lets `session`'s writers use the stream's socket until the stream is dropped;
    /// the socket, if it has one.
    fn publish(&mut self, _session: &Arc<Session>) -> Option<RawFd> {
        None
    }
}

impl DirectWrite for tokio::io::DuplexStream {}

/// A WebSocket's TCP connection, read and written by its task like any stream; once
/// published, its socket stays known to the session until the stream is dropped.
pub struct DirectTcpStream {
    stream: TcpStream,
    published: Option<Arc<Session>>,
}

impl DirectTcpStream {
    pub fn new(stream: TcpStream) -> Self {
        DirectTcpStream {
            stream,
            published: None,
        }
    }
}

impl DirectWrite for DirectTcpStream {
    fn publish(&mut self, session: &Arc<Session>) -> Option<RawFd> {
        self.published = Some(session.clone());
        Some(self.stream.as_raw_fd())
    }
}

impl Drop for DirectTcpStream {
    fn drop(&mut self) {
        // Direct writes happen under the session's lock: once it is forgotten there,
        // none can reach the descriptor, which closes right after this.
        if let Some(session) = self.published.take() {
            session.lock().socket = None;
        }
    }
}

impl AsyncRead for DirectTcpStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for DirectTcpStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Flags of the direct writes: never wait (the socket is non-blocking anyway), and no
/// SIGPIPE where the call can say so (Node ignores it elsewhere).
#[cfg(target_os = "linux")]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT;
#[cfg(not(target_os = "linux"))]
const SEND_FLAGS: libc::c_int = libc::MSG_DONTWAIT;

/// The socket behind `socket`, for one write.
fn borrow(socket: RawFd) -> BorrowedFd<'static> {
    // SAFETY: every caller holds the session's lock for the borrow's use, and the
    // descriptor stays open while the lock is held (see `DirectTcpStream::drop`).
    unsafe { BorrowedFd::borrow_raw(socket) }
}

/// One non-blocking write of `bytes` on `socket`.
fn send(socket: RawFd, bytes: &[u8]) -> io::Result<usize> {
    SockRef::from(&borrow(socket)).send_with_flags(bytes, SEND_FLAGS)
}

/// One non-blocking vectored write on `socket`.
fn send_vectored(socket: RawFd, slices: &[IoSlice<'_>]) -> io::Result<usize> {
    SockRef::from(&borrow(socket)).send_vectored_with_flags(slices, SEND_FLAGS)
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
        let Some(socket) = state.socket.filter(|_| idle) else {
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
        let done: usize = (0..progress.written)
            .filter_map(|_| batch.pop_front())
            .map(|packet| packet.size())
            .sum();
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

/// Appends `packet`'s frame to `buffer`.
pub(super) fn append_frame(buffer: &mut Vec<u8>, packet: &Outgoing) {
    let (header, size) = frame_header(packet);
    buffer.extend_from_slice(&header[..size]);
    buffer.extend_from_slice(payload(packet));
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
pub fn write_frames(socket: RawFd, packets: &PacketQueue) -> io::Result<Progress> {
    let mut written = 0;
    while written < packets.len() {
        let chunk = packets.iter().skip(written).take(FRAMES_PER_WRITE);
        let count = (packets.len() - written).min(FRAMES_PER_WRITE);
        let total: usize = chunk.clone().map(frame_len).sum();
        let mut sent = match send_frames(socket, chunk.clone(), total) {
            Ok(sent) => sent,
            Err(error) if written == 0 && error.kind() != io::ErrorKind::WouldBlock => {
                return Err(error);
            }
            Err(_) => 0,
        };
        if sent == total {
            written += count;
            continue;
        }
        for packet in chunk {
            let frame = frame_len(packet);
            if sent < frame {
                let tail = (sent > 0).then(|| frame_tail(packet, sent));
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

fn frame_len(packet: &Outgoing) -> usize {
    frame_header(packet).1 + payload(packet).len()
}

/// One write of the frames of `packets` (`total` bytes): gathered into one buffer when
/// small, else as slices of their headers and payloads.
fn send_frames<'a>(
    socket: RawFd,
    packets: impl Iterator<Item = &'a Outgoing> + Clone,
    total: usize,
) -> io::Result<usize> {
    if total <= GATHER_LIMIT {
        return GATHERED.with_borrow_mut(|buffer| {
            buffer.clear();
            for packet in packets {
                append_frame(buffer, packet);
            }
            send(socket, buffer)
        });
    }
    let mut headers = [([0u8; 10], 0); FRAMES_PER_WRITE];
    for (header, packet) in headers.iter_mut().zip(packets.clone()) {
        *header = frame_header(packet);
    }
    let mut slices = [IoSlice::new(&[]); 2 * FRAMES_PER_WRITE];
    let mut count = 0;
    for (packet, (header, size)) in packets.zip(&headers) {
        slices[2 * count] = IoSlice::new(&header[..*size]);
        slices[2 * count + 1] = IoSlice::new(payload(packet));
        count += 1;
    }
    send_vectored(socket, &slices[..2 * count])
}

/// What is left of `packet`'s frame once `sent` of its bytes were written.
fn frame_tail(packet: &Outgoing, sent: usize) -> Bytes {
    let (header, size) = frame_header(packet);
    let header = &header[..size];
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
        assert_eq!(frame_tail(&packet, 1), &b"\x064hello"[..]);
        assert_eq!(frame_tail(&packet, 4), &b"ello"[..]);
    }
}
