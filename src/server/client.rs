//! A Socket.IO client: one engine session and the sockets it opened, one per namespace.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::task::AbortHandle;

use crate::engine::Session;
use crate::parser::Reassembly;

pub struct Client {
    pub session: Arc<Session>,
    /// Namespace name → socket handle.
    pub sockets: Mutex<Vec<(Box<str>, u32)>>,
    /// A binary packet waiting for its attachments.
    pub reassembly: Mutex<Option<Reassembly>>,
    /// Closes the connection if no namespace is joined in time.
    pub connect_timer: Mutex<Option<AbortHandle>>,
}

impl Client {
    pub fn new(session: Arc<Session>) -> Self {
        Client {
            session,
            sockets: Mutex::new(Vec::new()),
            reassembly: Mutex::new(None),
            connect_timer: Mutex::new(None),
        }
    }

    pub fn socket_for(&self, nsp: &str) -> Option<u32> {
        self.sockets
            .lock()
            .iter()
            .find(|(name, _)| name.as_ref() == nsp)
            .map(|(_, handle)| *handle)
    }

    pub fn remove_socket(&self, handle: u32) {
        self.sockets.lock().retain(|(_, socket)| *socket != handle);
    }

    pub fn cancel_connect_timer(&self) {
        if let Some(timer) = self.connect_timer.lock().take() {
            timer.abort();
        }
    }
}
