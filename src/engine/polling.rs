//! The HTTP long-polling transport: one parked GET takes what the server queued, one
//! POST at a time carries the client's packets.

use std::sync::Arc;

use super::config::Transport;
use super::debug::{debug, Log};
use super::error::{CloseReason, TransportFault};
use super::packet::{self, Incoming, Outgoing};
use super::session::{PollWaiter, ReadyState, Session};
use super::Engine;

/// How a polling GET is answered.
#[derive(Debug, PartialEq)]
pub enum PollOutcome {
    /// 200 with this payload, right away.
    Reply(String),
    /// Parked: the waiter will get the payload.
    Parked,
    /// A second GET while one is parked: 400, and the session closes.
    Overlap,
    /// The session went away meanwhile: 400, code 1.
    Gone,
}

/// Why a polling POST is refused.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum PostError {
    /// A second POST while one is in flight: 400, and the session closes.
    Overlap,
    /// `application/octet-stream` is not a v4 payload: 400, and the session closes.
    BinaryContent,
    /// Over `maxHttpBufferSize`: 413, the session stays open.
    TooLarge,
    /// The session went away meanwhile: 400, code 1.
    Gone,
}

impl Engine {
    /// Opens a polling session and returns it with the handshake response payload.
    pub fn handshake_polling(&self, sid: Option<String>) -> (Arc<Session>, String) {
        let session = self.open_session(Transport::Polling, self.reserve_handle(), sid);
        debug!(self, Log::Polling, "setting request");
        let payload = session.lock().outbox.take_payload();
        (session, self.polling_write(payload))
    }

    /// A polling GET's answer, once its debug line is written.
    pub(super) fn polling_write(&self, payload: String) -> String {
        debug!(self, Log::Polling, "writing \"{payload}\"");
        payload
    }

    pub fn poll(self: &Arc<Self>, session: &Arc<Session>, waiter: PollWaiter) -> PollOutcome {
        let mut state = session.lock();
        if state.transport != Transport::Polling || state.ready == ReadyState::Closed {
            return PollOutcome::Gone;
        }
        debug!(self, Log::Engine, "setting new request for existing client");
        if state.pending_get.is_some() {
            drop(state);
            debug!(self, Log::Polling, "request overlap");
            self.terminate(
                session,
                CloseReason::TransportError(TransportFault::PollOverlap),
            );
            return PollOutcome::Overlap;
        }
        debug!(self, Log::Polling, "setting request");
        if state.ready == ReadyState::Closing && state.outbox.is_empty() {
            // The server closed this session and its queue is drained: this GET takes
            // the close packet.
            drop(state);
            debug!(
                self,
                Log::Polling,
                "triggering empty send to append close packet"
            );
            debug!(self, Log::Polling, "appending close packet to payload");
            self.terminate(session, CloseReason::ForcedClose);
            let close = [Outgoing::NOOP, Outgoing::CLOSE];
            return PollOutcome::Reply(self.polling_write(packet::encode_payload(close.iter())));
        }
        if state.outbox.is_empty() {
            state.pending_get = Some(waiter);
            return PollOutcome::Parked;
        }
        let (payload, drained) = state
            .outbox
            .take_reply(self.config.outbound_high_water_mark);
        drop(state);
        self.notify_drained(session, drained);
        PollOutcome::Reply(self.polling_write(payload))
    }

    /// The client went away before its parked GET was answered.
    pub fn poll_aborted(&self, session: &Arc<Session>) {
        let parked = session.lock().pending_get.take().is_some();
        if parked {
            self.terminate(
                session,
                CloseReason::TransportError(TransportFault::PollAborted),
            );
        }
    }

    pub fn post_begin(
        &self,
        session: &Arc<Session>,
        binary_content: bool,
    ) -> Result<(), PostError> {
        let mut state = session.lock();
        if state.transport != Transport::Polling || state.ready == ReadyState::Closed {
            return Err(PostError::Gone);
        }
        debug!(self, Log::Engine, "setting new request for existing client");
        let (error, fault) = if state.post.is_some() {
            (PostError::Overlap, TransportFault::PostOverlap)
        } else if binary_content {
            (PostError::BinaryContent, TransportFault::InvalidContent)
        } else {
            state.post = Some(Vec::new());
            return Ok(());
        };
        drop(state);
        self.terminate(session, CloseReason::TransportError(fault));
        Err(error)
    }

    /// Adds a chunk of the POST body; over `maxHttpBufferSize` the body is dropped.
    pub fn post_chunk(&self, session: &Arc<Session>, chunk: &[u8]) -> Result<(), PostError> {
        let mut state = session.lock();
        let Some(body) = state.post.as_mut() else {
            return Err(PostError::Gone);
        };
        if body.len() + chunk.len() > self.config.max_payload {
            state.post = None;
            return Err(PostError::TooLarge);
        }
        body.extend_from_slice(chunk);
        Ok(())
    }

    /// The POST body is complete: decode and dispatch its packets.
    pub fn post_end(&self, session: &Arc<Session>) -> Result<(), PostError> {
        let body = session.lock().post.take().ok_or(PostError::Gone)?;
        let text = String::from_utf8_lossy(&body);
        debug!(self, Log::Polling, "received \"{text}\"");
        for packet in packet::decode_payload(&text) {
            match packet {
                Ok(Incoming::Close) => self.on_polling_close(session),
                Ok(packet) => self.on_packet(session, packet),
                Err(_) => self.on_parse_error(session),
            }
        }
        Ok(())
    }

    /// The client went away while sending its POST body.
    pub fn post_aborted(&self, session: &Arc<Session>) {
        let in_flight = session.lock().post.take().is_some();
        if in_flight {
            self.terminate(
                session,
                CloseReason::TransportError(TransportFault::PostAborted),
            );
        }
    }

    /// A close packet over polling: a parked GET is released with a noop.
    fn on_polling_close(&self, session: &Arc<Session>) {
        debug!(self, Log::Polling, "got xhr close packet");
        let waiter = session.lock().pending_get.take();
        if let Some(waiter) = waiter {
            waiter(self.polling_write(packet::encode_payload([Outgoing::NOOP].iter())));
        }
        self.terminate(session, CloseReason::TransportClose);
    }

    /// During an upgrade, releases a parked GET with a noop so the client can pause polling.
    pub(super) fn release_parked_poll(&self, session: &Session) {
        let waiter = session.lock().pending_get.take();
        if let Some(waiter) = waiter {
            debug!(
                self,
                Log::Socket,
                "writing a noop packet to polling for fast upgrade"
            );
            waiter(self.polling_write(packet::encode_payload([Outgoing::NOOP].iter())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::request::RequestHead;
    use crate::engine::testing::{debugging, Event, Recorder};

    #[tokio::test]
    async fn handshake_returns_the_open_packet() {
        let (engine, recorder) = Recorder::engine(Default::default());
        let (session, payload) = engine.handshake_polling(None);
        let expected = format!(
            r#"0{{"sid":"{}","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}}"#,
            session.sid()
        );
        assert_eq!(payload, expected);
        assert_eq!(recorder.take(), vec![Event::Open(session.handle())]);
        assert_eq!(engine.clients_count(), 1);
    }

    #[tokio::test]
    async fn initial_packet_follows_the_open_packet() {
        let config = crate::engine::EngineConfig {
            initial_packet: Some(crate::engine::InitialPacket::Text("hello".into())),
            ..Default::default()
        };
        let (engine, _recorder) = Recorder::engine(config);
        let (_, payload) = engine.handshake_polling(Some("custom".into()));
        assert!(payload.starts_with(r#"0{"sid":"custom","#));
        assert!(payload.ends_with("\x1e4hello"));
    }

    #[tokio::test]
    async fn parked_get_receives_the_next_packets() {
        let (engine, recorder) = Recorder::engine(Default::default());
        let (session, _) = engine.handshake_polling(None);
        let (waiter, reply) = Recorder::waiter();
        assert_eq!(engine.poll(&session, waiter), PollOutcome::Parked);
        assert!(reply.try_recv().is_err());
        engine.send(&session, Outgoing::message("a"));
        assert_eq!(reply.try_recv().unwrap(), "4a");
        engine.send(&session, Outgoing::message("b"));
        engine.send(&session, Outgoing::message("c"));
        let (waiter, _) = Recorder::waiter();
        assert_eq!(
            engine.poll(&session, waiter),
            PollOutcome::Reply("4b\x1e4c".into())
        );
        recorder.take();
    }

    #[tokio::test]
    async fn congestion_is_reported_until_a_get_drains_the_queue() {
        let config = crate::engine::EngineConfig {
            outbound_high_water_mark: 8,
            max_outbound_buffer: 16,
            ..Default::default()
        };
        let (engine, recorder) = Recorder::engine(config);
        let (session, _) = engine.handshake_polling(None);
        recorder.take();
        engine.send(&session, Outgoing::message("1234"));
        assert!(!engine.congested(&session));
        engine.send(&session, Outgoing::message("5678"));
        assert!(engine.congested(&session));
        let (waiter, _) = Recorder::waiter();
        assert_eq!(
            engine.poll(&session, waiter),
            PollOutcome::Reply("41234\x1e45678".into())
        );
        assert_eq!(recorder.take(), [Event::Drain(session.handle())]);
        assert!(!engine.congested(&session));
    }

    #[tokio::test]
    async fn a_full_queue_disconnects_its_session_only() {
        let config = crate::engine::EngineConfig {
            max_outbound_buffer: 16,
            ..Default::default()
        };
        let (engine, recorder) = Recorder::engine(config);
        let (slow, _) = engine.handshake_polling(None);
        let (other, _) = engine.handshake_polling(None);
        recorder.take();
        // Over the limit by one packet: the next one finds the queue full.
        assert!(engine.send(&slow, Outgoing::message("0123456789")));
        assert!(engine.send(&slow, Outgoing::message("0123456789")));
        assert!(!engine.send(&slow, Outgoing::message("x")));
        assert_eq!(
            recorder.take(),
            [Event::Close(slow.handle(), "transport error")]
        );
        assert!(slow.is_closed());
        assert!(engine.send(&other, Outgoing::message("still served")));
        assert_eq!(other.ready_state(), ReadyState::Open);
    }

    #[tokio::test]
    async fn overlapping_get_closes_the_session() {
        let (engine, recorder) = Recorder::engine(Default::default());
        let (session, _) = engine.handshake_polling(None);
        let (first, first_reply) = Recorder::waiter();
        assert_eq!(engine.poll(&session, first), PollOutcome::Parked);
        let (second, _) = Recorder::waiter();
        assert_eq!(engine.poll(&session, second), PollOutcome::Overlap);
        assert_eq!(first_reply.try_recv().unwrap(), "1");
        assert_eq!(
            recorder.take().last(),
            Some(&Event::Close(session.handle(), "transport error"))
        );
        assert!(engine.session_by_sid(session.sid()).is_none());
    }

    #[tokio::test]
    async fn post_dispatches_messages_and_enforces_the_limit() {
        let config = crate::engine::EngineConfig {
            max_payload: 10,
            ..Default::default()
        };
        let (engine, recorder) = Recorder::engine(config);
        let (session, _) = engine.handshake_polling(None);
        recorder.take();
        engine.post_begin(&session, false).unwrap();
        engine.post_chunk(&session, b"4hi\x1ebAQI").unwrap();
        engine.post_end(&session).unwrap();
        assert_eq!(
            recorder.take(),
            vec![
                Event::Text(session.handle(), "hi".into()),
                Event::Binary(session.handle(), vec![1, 2]),
            ]
        );
        engine.post_begin(&session, false).unwrap();
        assert_eq!(
            engine.post_chunk(&session, b"4aaaaaaaaaaa"),
            Err(PostError::TooLarge)
        );
        assert_eq!(session.ready_state(), ReadyState::Open);
        engine.post_begin(&session, true).unwrap_err();
        assert!(session.is_closed());
    }

    #[tokio::test]
    async fn close_packet_releases_the_parked_get_with_a_noop() {
        let (engine, recorder) = Recorder::engine(Default::default());
        let (session, _) = engine.handshake_polling(None);
        let (waiter, reply) = Recorder::waiter();
        engine.poll(&session, waiter);
        engine.post_begin(&session, false).unwrap();
        engine.post_chunk(&session, b"1").unwrap();
        engine.post_end(&session).unwrap();
        assert_eq!(reply.try_recv().unwrap(), "6");
        assert_eq!(
            recorder.take().last(),
            Some(&Event::Close(session.handle(), "transport close"))
        );
    }

    #[tokio::test]
    async fn invalid_packet_is_a_parse_error() {
        let (engine, recorder) = Recorder::engine(Default::default());
        let (session, _) = engine.handshake_polling(None);
        engine.post_begin(&session, false).unwrap();
        engine.post_chunk(&session, b"4a\x1e!").unwrap();
        engine.post_end(&session).unwrap();
        let events = recorder.take();
        assert_eq!(events[1], Event::Text(session.handle(), "a".into()));
        assert_eq!(events[2], Event::Close(session.handle(), "parse error"));
    }

    #[tokio::test]
    async fn server_close_waits_for_the_next_get() {
        let (engine, recorder) = Recorder::engine(Default::default());
        let (session, _) = engine.handshake_polling(None);
        engine.send(&session, Outgoing::message("bye"));
        engine.close(&session);
        assert!(!engine.send(&session, Outgoing::message("dropped")));
        let (waiter, _) = Recorder::waiter();
        // The queue is drained first, then the next GET takes the close packet.
        assert_eq!(
            engine.poll(&session, waiter),
            PollOutcome::Reply("4bye".into())
        );
        let (waiter, _) = Recorder::waiter();
        assert_eq!(
            engine.poll(&session, waiter),
            PollOutcome::Reply("6\x1e1".into())
        );
        assert_eq!(
            recorder.take().last(),
            Some(&Event::Close(session.handle(), "forced close"))
        );
    }

    #[tokio::test]
    async fn a_polling_session_writes_the_reference_lines() {
        let (engine, recorder) = Recorder::engine(debugging(Default::default()));
        let (session, payload) = engine.handshake_polling(Some("s1".into()));
        let open = &payload[1..];
        assert_eq!(
            recorder.take_debug(),
            [
                "engine handshaking client \"s1\"".to_string(),
                "engine:socket readyState updated from opening to open".into(),
                format!("engine:socket sending packet \"open\" ({open})"),
                "engine:polling setting request".into(),
                format!("engine:polling writing \"{payload}\""),
            ]
        );
        let (waiter, _) = Recorder::waiter();
        engine.poll(&session, waiter);
        engine.send(&session, Outgoing::message("hi"));
        engine.post_begin(&session, false).unwrap();
        engine.post_chunk(&session, b"1").unwrap();
        engine.post_end(&session).unwrap();
        assert_eq!(
            recorder.take_debug(),
            [
                "engine setting new request for existing client",
                "engine:polling setting request",
                "engine:socket sending packet \"message\" (hi)",
                "engine:polling writing \"4hi\"",
                "engine setting new request for existing client",
                "engine:polling received \"1\"",
                "engine:polling got xhr close packet",
                "engine:transport readyState updated from open to closed (polling)",
                "engine:socket readyState updated from open to closed",
            ]
        );
    }

    #[tokio::test]
    async fn a_refused_request_writes_the_reference_line_unless_verified_quietly() {
        let (engine, recorder) = Recorder::engine(debugging(Default::default()));
        let head = RequestHead {
            method: "GET",
            url: "/?EIO=4&transport=polling&sid=nope",
            origin: None,
            is_upgrade: false,
        };
        assert!(engine.verify_quietly(&head).is_err());
        assert!(recorder.take_debug().is_empty());
        assert!(engine.verify(&head).is_err());
        assert_eq!(recorder.take_debug(), ["engine unknown sid \"nope\""]);
    }

    #[tokio::test]
    async fn nothing_is_written_for_namespaces_that_do_not_print() {
        let (engine, recorder) = Recorder::engine(Default::default());
        let (session, _) = engine.handshake_polling(None);
        engine.send(&session, Outgoing::message("hi"));
        engine.close(&session);
        assert!(recorder.take_debug().is_empty());
    }
}
