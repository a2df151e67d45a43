//! A namespace (socket.io's `namespace.ts`): its connected sockets and its adapter; and
//! the connect flow that lets sockets in or turns them away.

use std::ops::Deref;
use std::sync::Arc;

use super::client::Client;
use super::debug::Log;
use super::socket::{Socket, SocketState};
use super::{encode, Server};
use crate::adapter::Room;
use crate::adapter::{Adapter, LocalAdapter, Recipients, SocketKey};
use crate::engine::debug::debug;
use crate::engine::sid;
use crate::engine::{Engine, HandleMap, Outgoing};
use crate::parser::PacketType;
use std::sync::atomic::Ordering;

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

impl Server {
    pub fn register_namespace(&self, name: &str) {
        self.namespaces
            .entry(name.into())
            .or_insert_with(|| Arc::new(Namespace::new()));
    }

    pub fn remove_namespace(&self, name: &str) {
        self.namespaces.remove(name);
    }

    pub fn set_dynamic_namespaces(&self, enabled: bool) {
        self.dynamic_namespaces.store(enabled, Ordering::Release);
    }

    pub(super) fn namespace(&self, name: &str) -> Option<Arc<Namespace>> {
        self.namespaces.get(name).map(|n| n.clone())
    }

    /// Lets a pending socket in: it joins its own room and gets the CONNECT reply.
    /// False when its connection went away meanwhile.
    pub fn accept(&self, handle: u32) -> bool {
        let Some(socket) = self.socket(handle) else {
            return false;
        };
        let (Some(namespace), Some(client)) =
            (self.namespace(&socket.nsp), self.client_of(&socket))
        else {
            return false;
        };
        if socket.session.is_closed()
            || !socket.transition(SocketState::Pending, SocketState::Connected)
        {
            return false;
        }
        namespace
            .adapter
            .add_all(handle, &[Room::from(&*socket.id)]);
        namespace.sockets.insert(handle, socket.clone());
        client.cancel_connect_timer();
        let reply = format!(r#"{{"sid":{}}}"#, serde_json::Value::from(&*socket.id));
        self.send_for_app(
            &socket.session,
            encode(PacketType::Connect, &socket.nsp, None, &reply, &[]),
        )
    }

    /// Turns a pending socket away with a CONNECT_ERROR carrying `data` (JSON).
    pub fn refuse(&self, handle: u32, data: &str) {
        let Some(socket) = self.socket(handle) else {
            return;
        };
        socket.close();
        self.release(handle);
        if let Some(client) = self.client_of(&socket) {
            client.remove_socket(handle);
        }
        self.send_for_app(
            &socket.session,
            encode(PacketType::ConnectError, &socket.nsp, None, data, &[]),
        );
    }

    pub(super) fn on_connect_request(&self, client: &Arc<Client>, nsp: &str, auth: Option<&str>) {
        if !self.namespaces.contains_key(nsp) && !self.dynamic_namespaces.load(Ordering::Acquire) {
            debug!(self, Log::Client, "creation of namespace {nsp} was denied");
            let refusal = r#"{"message":"Invalid namespace"}"#;
            self.send_packets(
                &client.session,
                encode(PacketType::ConnectError, nsp, None, refusal, &[]),
            );
            return;
        }
        let handle = self.next_socket.fetch_add(1, Ordering::Relaxed);
        let socket = Arc::new(Socket::new(
            handle,
            sid::generate().into_boxed_str(),
            nsp.into(),
            client.session.clone(),
        ));
        self.sockets.insert(handle, socket.clone());
        client.sockets.lock().push((nsp.into(), handle));
        self.events.connect_request(&socket, auth);
    }

    pub(super) fn with_namespace(&self, handle: u32) -> Option<(Arc<Socket>, Arc<Namespace>)> {
        let socket = self.socket(handle)?;
        let namespace = self.namespace(&socket.nsp)?;
        Some((socket, namespace))
    }
}
