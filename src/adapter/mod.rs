//! Room bookkeeping and fan-out (the counterpart of `socket.io-adapter`): which sockets
//! are in which rooms, which sockets a broadcast reaches, and delivering one encoded
//! packet to all of them.

mod local;

use std::sync::Arc;

pub use local::LocalAdapter;

use crate::engine::Outgoing;

/// A room name.
pub type Room = Arc<str>;
/// A socket, by its handle.
pub type SocketKey = u32;

/// Whom a broadcast reaches: members of any of `rooms` (every socket when empty), minus
/// members of any of `except`.
#[derive(Debug, Default, Clone)]
pub struct BroadcastOptions {
    pub rooms: Vec<Room>,
    pub except: Vec<Room>,
    /// Dropped for a socket whose transport cannot write right now.
    pub volatile: bool,
}

/// How much an adapter's room index holds (for leak checks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IndexSize {
    pub rooms: usize,
    /// Sockets in at least one room.
    pub sockets: usize,
}

/// Where a broadcast's packets go: the namespace's connected sockets.
pub trait Recipients {
    fn is_connected(&self, socket: SocketKey) -> bool;
    /// Queues `packets` on the socket's connection if it is connected; false if it was
    /// not delivered.
    fn deliver(&self, socket: SocketKey, packets: &[Outgoing], volatile: bool) -> bool;
}

/// The adapter interface, shaped like socket.io-adapter's so other adapters (Redis)
/// map onto it directly.
pub trait Adapter: Send + Sync {
    fn add_all(&self, socket: SocketKey, rooms: &[Room]);
    fn del(&self, socket: SocketKey, room: &str);
    fn del_all(&self, socket: SocketKey);
    fn socket_rooms(&self, socket: SocketKey) -> Vec<Room>;
    /// Every room with its members.
    fn rooms(&self) -> Vec<(Room, Vec<SocketKey>)>;
    fn index_size(&self) -> IndexSize;
    /// The sockets `opts` reaches, each once, connected or not.
    fn members(&self, opts: &BroadcastOptions) -> Vec<SocketKey>;

    /// The connected sockets `opts` reaches, each once.
    fn targets(&self, opts: &BroadcastOptions, recipients: &dyn Recipients) -> Vec<SocketKey> {
        let mut targets = self.members(opts);
        targets.retain(|&socket| recipients.is_connected(socket));
        targets
    }

    /// Sends the same encoded packets to every connected socket `opts` reaches; returns
    /// how many got them. (Delivering checks the connection: no lookup before it.)
    fn broadcast(
        &self,
        packets: &[Outgoing],
        opts: &BroadcastOptions,
        recipients: &dyn Recipients,
    ) -> usize {
        self.members(opts)
            .into_iter()
            .filter(|&socket| recipients.deliver(socket, packets, opts.volatile))
            .count()
    }
}
