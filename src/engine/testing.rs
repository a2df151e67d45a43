//! Test support: an engine whose handler records what it hears.

use std::fmt;
use std::sync::mpsc;
use std::sync::Arc;

use parking_lot::Mutex;

use super::session::PollWaiter;
use super::{CloseReason, Engine, EngineConfig, EngineHandler, Message, Session};

#[derive(Debug, PartialEq, Clone)]
pub enum Event {
    Open(u32),
    Text(u32, String),
    Binary(u32, Vec<u8>),
    Upgrade(u32),
    Close(u32, &'static str),
    Abandoned(u32),
    Drain(u32),
}

#[derive(Default)]
pub struct Recorder {
    events: Mutex<Vec<Event>>,
    /// Debug lines, as `namespace line`.
    debug: Mutex<Vec<String>>,
    notify: tokio::sync::Notify,
}

impl Recorder {
    pub fn engine(config: EngineConfig) -> (Arc<Engine>, Arc<Recorder>) {
        let recorder = Arc::new(Recorder::default());
        let engine = Engine::new(config, recorder.clone(), tokio::runtime::Handle::current());
        (engine, recorder)
    }

    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock())
    }

    pub fn take_debug(&self) -> Vec<String> {
        std::mem::take(&mut *self.debug.lock())
    }

    /// Waits until an event matching `pred` was recorded, and returns all recorded so far.
    pub async fn wait_for(&self, pred: impl Fn(&Event) -> bool) -> Vec<Event> {
        loop {
            let notified = self.notify.notified();
            if self.events.lock().iter().any(&pred) {
                return self.take();
            }
            notified.await;
        }
    }

    pub fn waiter() -> (PollWaiter, mpsc::Receiver<String>) {
        let (tx, rx) = mpsc::channel();
        (
            Box::new(move |payload| {
                let _ = tx.send(payload);
            }),
            rx,
        )
    }

    fn push(&self, event: Event) {
        self.events.lock().push(event);
        self.notify.notify_waiters();
    }
}

impl EngineHandler for Recorder {
    fn on_open(&self, session: &Arc<Session>) {
        self.push(Event::Open(session.handle()));
    }

    fn on_message(&self, session: &Arc<Session>, message: Message<'_>) {
        self.push(match message {
            Message::Text(text) => Event::Text(session.handle(), text.to_owned()),
            Message::Binary(bytes) => Event::Binary(session.handle(), bytes.to_vec()),
        });
    }

    fn on_upgrade(&self, session: &Arc<Session>) {
        self.push(Event::Upgrade(session.handle()));
    }

    fn on_close(&self, session: &Arc<Session>, reason: CloseReason) {
        self.push(Event::Close(session.handle(), reason.as_str()));
    }

    fn on_abandoned(&self, handle: u32) {
        self.push(Event::Abandoned(handle));
    }

    fn on_drain(&self, session: &Arc<Session>) {
        self.push(Event::Drain(session.handle()));
    }

    fn on_debug(&self, namespace: &'static str, message: fmt::Arguments<'_>) {
        self.debug.lock().push(format!("{namespace} {message}"));
    }
}

/// A config in which every engine namespace prints.
pub fn debugging(config: EngineConfig) -> EngineConfig {
    use super::debug::{Enabled, Log, Namespaces};
    let names: Vec<&str> = Log::ALL.iter().map(|namespace| namespace.name()).collect();
    EngineConfig {
        debug: Enabled::named(&names),
        ..config
    }
}
