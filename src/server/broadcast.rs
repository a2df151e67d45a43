//! Broadcasting (the counterpart of socket.io's `BroadcastOperator`): one packet
//! encoded once for every socket that rooms and exclusions reach.

use bytes::Bytes;

use super::socket::SocketState;
use super::{encode, send_emitted, Encoded, Server};
use crate::adapter::{BroadcastOptions, Room};
use crate::parser::PacketType;

impl Server {
    /// Sends one EVENT to every socket `opts` reaches in `nsp`; returns how many got it.
    pub fn broadcast(
        &self,
        nsp: &str,
        opts: &BroadcastOptions,
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
    ) -> usize {
        let (Some(namespace), Some(engine)) = (self.namespace(nsp), self.engine()) else {
            return 0;
        };
        let packets = encode(PacketType::Event, nsp, id, data, attachments);
        namespace
            .adapter
            .broadcast(&packets, opts, &namespace.recipients(&engine))
    }

    /// Sends one EVENT to each of `handles` (resolved by the caller); returns how many
    /// got it.
    pub fn emit_to(
        &self,
        handles: &[u32],
        id: Option<u64>,
        data: &str,
        attachments: &[Bytes],
        volatile: bool,
    ) -> usize {
        let Some(engine) = self.engine() else {
            return 0;
        };
        let mut packets: Option<(Box<str>, Encoded)> = None;
        let mut delivered = 0;
        for socket in handles.iter().filter_map(|&handle| self.socket(handle)) {
            if socket.state() != SocketState::Connected {
                continue;
            }
            // Encoded once per namespace (every handle normally shares one).
            if packets.as_ref().is_none_or(|(nsp, _)| *nsp != socket.nsp) {
                let encoded = encode(PacketType::Event, &socket.nsp, id, data, attachments);
                packets = Some((socket.nsp.clone(), encoded));
            }
            let (_, encoded) = packets.as_ref().expect("encoded above");
            if send_emitted(&engine, &socket.session, encoded.iter().cloned(), volatile) {
                delivered += 1;
            }
        }
        delivered
    }

    /// The connected sockets `opts` reaches in `nsp`, by handle.
    pub fn targets(&self, nsp: &str, opts: &BroadcastOptions) -> Vec<u32> {
        let (Some(namespace), Some(engine)) = (self.namespace(nsp), self.engine()) else {
            return Vec::new();
        };
        namespace
            .adapter
            .targets(opts, &namespace.recipients(&engine))
    }

    /// Every room of `nsp` with the ids of its members.
    pub fn namespace_rooms(&self, nsp: &str) -> Vec<(Room, Vec<u32>)> {
        self.namespace(nsp)
            .map(|namespace| namespace.adapter.rooms())
            .unwrap_or_default()
    }
}
