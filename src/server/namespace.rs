//! A namespace: its connected sockets and its adapter.

use std::ops::Deref;
use std::sync::Arc;

use super::socket::{Socket, SocketState};
use crate::adapter::{Adapter, LocalAdapter, Recipients, SocketKey};
use crate::engine::{Engine, HandleMap, Outgoing};

pub struct Namespace {
    pub adapter: Box<dyn Adapter>,
    /// Connected sockets (not those still in middlewares), by handle.
    pub sockets: HandleMap<Arc<Socket>>,
}

impl Namespace {
    pub fn new() -> Self {
        Namespace {
            adapter: Box::new(LocalAdapter::new()),
            sockets: HandleMap::default(),
        }
    }

    /// The recipients of a broadcast in this namespace, writing through `engine`.
    pub fn recipients<'a>(&'a self, engine: &'a Engine) -> NamespaceRecipients<'a> {
        NamespaceRecipients {
            namespace: self,
            engine,
        }
    }
}

pub struct NamespaceRecipients<'a> {
    namespace: &'a Namespace,
    engine: &'a Engine,
}

impl NamespaceRecipients<'_> {
    /// The socket behind `socket`, if it is still connected.
    fn connected(&self, socket: SocketKey) -> Option<impl Deref<Target = Arc<Socket>> + '_> {
        self.namespace
            .sockets
            .get(&socket)
            .filter(|s| s.state() == SocketState::Connected)
    }
}

impl Recipients for NamespaceRecipients<'_> {
    fn is_connected(&self, socket: SocketKey) -> bool {
        self.connected(socket).is_some()
    }

    fn deliver(&self, socket: SocketKey, packets: &[Outgoing], volatile: bool) -> bool {
        let Some(session) = self.connected(socket).map(|s| s.session.clone()) else {
            return false;
        };
        super::send_emitted(self.engine, &session, packets.iter().cloned(), volatile)
    }
}
