//! A byte bridge: an async stream whose other end is a socket that JS keeps (TLS, or no
//! usable file descriptor). JS feeds what it reads; what Rust writes goes out through a
//! sink that hands the bytes back to JS. Both directions are bounded: JS pauses its
//! socket when Rust lags, and Rust stops writing while the JS socket's buffer is full,
//! so a client that stops reading fills the session's outbound queue, not Node's memory.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

use crate::engine::websocket::DirectWrite;

/// Above this many unread bytes, JS is asked to pause the socket.
const HIGH_WATER_MARK: usize = 1 << 20;

/// What the stream side sends back to JS.
#[derive(Debug, PartialEq)]
pub enum BridgeOutput {
    Data(Bytes),
    /// Reading may resume (the backlog drained).
    Resume,
    /// Rust is done with the connection: end and destroy the socket.
    End,
}

pub type BridgeSink = Arc<dyn Fn(BridgeOutput) + Send + Sync>;

#[derive(Default)]
struct Backlog {
    bytes: AtomicUsize,
    paused: AtomicBool,
    /// The JS socket's write buffer is full: Rust's writes wait for its `drain`.
    write_blocked: AtomicBool,
    writer: AtomicWaker,
}

/// The JS side of a bridge: where the socket's incoming bytes go.
pub struct BridgeInput {
    sender: mpsc::UnboundedSender<Bytes>,
    backlog: Arc<Backlog>,
}

impl BridgeInput {
    /// Queues bytes read by JS; false when JS should pause reading until `Resume`.
    pub fn feed(&self, bytes: Bytes) -> bool {
        let total = self.backlog.bytes.fetch_add(bytes.len(), Ordering::AcqRel) + bytes.len();
        if self.sender.send(bytes).is_err() {
            return false;
        }
        if total > HIGH_WATER_MARK {
            self.backlog.paused.store(true, Ordering::Release);
            return false;
        }
        true
    }

    /// The JS socket's write buffer filled up (`write()` returned false), or drained.
    pub fn set_write_blocked(&self, blocked: bool) {
        self.backlog.write_blocked.store(blocked, Ordering::Release);
        if !blocked {
            self.backlog.writer.wake();
        }
    }
}

impl Drop for BridgeInput {
    /// The socket is gone: a writer waiting for its `drain` must not wait forever.
    fn drop(&mut self) {
        self.set_write_blocked(false);
    }
}

pub struct BridgeStream {
    incoming: mpsc::UnboundedReceiver<Bytes>,
    current: Bytes,
    backlog: Arc<Backlog>,
    sink: BridgeSink,
    ended: bool,
}

/// Creates a bridge; dropping the `BridgeInput` is the socket's end of input.
pub fn bridge(sink: BridgeSink) -> (BridgeInput, BridgeStream) {
    let (sender, incoming) = mpsc::unbounded_channel();
    let backlog = Arc::new(Backlog::default());
    let input = BridgeInput {
        sender,
        backlog: backlog.clone(),
    };
    let stream = BridgeStream {
        incoming,
        current: Bytes::new(),
        backlog,
        sink,
        ended: false,
    };
    (input, stream)
}

impl BridgeStream {
    fn consumed(&self, count: usize) {
        let left = self.backlog.bytes.fetch_sub(count, Ordering::AcqRel) - count;
        if left <= HIGH_WATER_MARK / 2 && self.backlog.paused.swap(false, Ordering::AcqRel) {
            (self.sink)(BridgeOutput::Resume);
        }
    }

    fn end(&mut self) {
        if !self.ended {
            self.ended = true;
            (self.sink)(BridgeOutput::End);
        }
    }
}

/// JS moves the bytes: nothing can write to the socket directly.
impl DirectWrite for BridgeStream {}

impl AsyncRead for BridgeStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while self.current.is_empty() {
            match self.incoming.poll_recv(cx) {
                Poll::Ready(Some(bytes)) => self.current = bytes,
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let count = self.current.len().min(buf.remaining());
        buf.put_slice(&self.current[..count]);
        self.current.advance(count);
        self.consumed(count);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for BridgeStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.ended {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if self.backlog.write_blocked.load(Ordering::Acquire) {
            self.backlog.writer.register(cx.waker());
            // Unblocked between the check and the registration: go on.
            if self.backlog.write_blocked.load(Ordering::Acquire) {
                return Poll::Pending;
            }
        }
        (self.sink)(BridgeOutput::Data(Bytes::copy_from_slice(buf)));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.end();
        Poll::Ready(Ok(()))
    }
}

impl Drop for BridgeStream {
    fn drop(&mut self) {
        self.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn recording_bridge() -> (BridgeInput, BridgeStream, Arc<Mutex<Vec<BridgeOutput>>>) {
        let output = Arc::new(Mutex::new(Vec::new()));
        let recorder = output.clone();
        let (input, stream) = bridge(Arc::new(move |out| recorder.lock().push(out)));
        (input, stream, output)
    }

    #[tokio::test]
    async fn carries_bytes_both_ways_and_ends_once() {
        let (input, mut stream, output) = recording_bridge();
        assert!(input.feed(Bytes::from_static(b"hello ")));
        assert!(input.feed(Bytes::from_static(b"world")));
        drop(input);
        let mut text = String::new();
        stream.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "hello world");
        stream.write_all(b"reply").await.unwrap();
        stream.shutdown().await.unwrap();
        drop(stream);
        assert_eq!(
            *output.lock(),
            vec![
                BridgeOutput::Data(Bytes::from_static(b"reply")),
                BridgeOutput::End
            ]
        );
    }

    #[tokio::test]
    async fn writes_wait_while_the_js_socket_is_full() {
        let (input, mut stream, output) = recording_bridge();
        input.set_write_blocked(true);
        let write = tokio::spawn(async move {
            stream.write_all(b"later").await.unwrap();
            stream
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(output.lock().is_empty());
        input.set_write_blocked(false);
        drop(write.await.unwrap());
        assert_eq!(
            *output.lock(),
            vec![
                BridgeOutput::Data(Bytes::from_static(b"later")),
                BridgeOutput::End
            ]
        );
    }

    #[tokio::test]
    async fn asks_js_to_pause_then_resume() {
        let (input, mut stream, output) = recording_bridge();
        let chunk = Bytes::from(vec![7u8; HIGH_WATER_MARK]);
        assert!(input.feed(chunk.clone()));
        assert!(!input.feed(chunk));
        let mut sink = vec![0u8; HIGH_WATER_MARK * 2];
        stream.read_exact(&mut sink).await.unwrap();
        assert_eq!(*output.lock(), vec![BridgeOutput::Resume]);
    }
}
