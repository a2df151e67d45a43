//! The in-memory adapter: two indexes, room → sockets and socket → rooms.

use std::collections::{HashMap, HashSet};

use parking_lot::RwLock;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Adapter, BroadcastOptions, IndexSize, Room, SocketKey};

#[derive(Default)]
struct Index {
    // Socket keys are our handles, so a fast unkeyed hash is safe for them; room names
    // may come from peers and keep the keyed one.
    rooms: HashMap<Room, FxHashSet<SocketKey>>,
    sids: FxHashMap<SocketKey, HashSet<Room>>,
}

#[derive(Default)]
pub struct LocalAdapter {
    index: RwLock<Index>,
}

impl LocalAdapter {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Adapter for LocalAdapter {
    fn add_all(&self, socket: SocketKey, rooms: &[Room]) {
        let mut index = self.index.write();
        for room in rooms {
            index.sids.entry(socket).or_default().insert(room.clone());
            index.rooms.entry(room.clone()).or_default().insert(socket);
        }
    }

    fn del(&self, socket: SocketKey, room: &str) {
        let mut index = self.index.write();
        if let Some(rooms) = index.sids.get_mut(&socket) {
            rooms.remove(room);
        }
        if let Some(members) = index.rooms.get_mut(room) {
            members.remove(&socket);
            if members.is_empty() {
                index.rooms.remove(room);
            }
        }
    }

    fn index_size(&self) -> IndexSize {
        let index = self.index.read();
        IndexSize {
            rooms: index.rooms.len(),
            sockets: index.sids.len(),
        }
    }

    fn del_all(&self, socket: SocketKey) {
        let mut index = self.index.write();
        let Some(rooms) = index.sids.remove(&socket) else {
            return;
        };
        for room in rooms {
            if let Some(members) = index.rooms.get_mut(&room) {
                members.remove(&socket);
                if members.is_empty() {
                    index.rooms.remove(&room);
                }
            }
        }
    }

    fn socket_rooms(&self, socket: SocketKey) -> Vec<Room> {
        let index = self.index.read();
        index
            .sids
            .get(&socket)
            .map(|rooms| rooms.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn rooms(&self) -> Vec<(Room, Vec<SocketKey>)> {
        let index = self.index.read();
        index
            .rooms
            .iter()
            .map(|(room, members)| (room.clone(), members.iter().copied().collect()))
            .collect()
    }

    fn members(&self, opts: &BroadcastOptions) -> Vec<SocketKey> {
        let index = self.index.read();
        let mut excluded: FxHashSet<SocketKey> = FxHashSet::default();
        for room in &opts.except {
            if let Some(members) = index.rooms.get(room) {
                excluded.extend(members);
            }
        }
        let wanted = |socket: &SocketKey| !excluded.contains(socket);
        if opts.rooms.is_empty() {
            return index.sids.keys().copied().filter(wanted).collect();
        }
        if let [room] = opts.rooms.as_slice() {
            // One room holds each socket once: nothing to deduplicate.
            let members = index.rooms.get(room);
            return members
                .into_iter()
                .flatten()
                .copied()
                .filter(wanted)
                .collect();
        }
        let mut seen = FxHashSet::default();
        let mut targets = Vec::new();
        for room in &opts.rooms {
            let Some(members) = index.rooms.get(room) else {
                continue;
            };
            for &socket in members {
                if wanted(&socket) && seen.insert(socket) {
                    targets.push(socket);
                }
            }
        }
        targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::Recipients;
    use crate::engine::Outgoing;
    use parking_lot::Mutex;

    struct Table {
        connected: Vec<SocketKey>,
        delivered: Mutex<Vec<SocketKey>>,
    }

    impl Recipients for Table {
        fn is_connected(&self, socket: SocketKey) -> bool {
            self.connected.contains(&socket)
        }

        fn deliver(&self, socket: SocketKey, _: &[Outgoing], _: bool) -> bool {
            if !self.is_connected(socket) {
                return false;
            }
            self.delivered.lock().push(socket);
            true
        }
    }

    fn room(name: &str) -> Room {
        name.into()
    }

    fn sorted(mut keys: Vec<SocketKey>) -> Vec<SocketKey> {
        keys.sort();
        keys
    }

    #[test]
    fn resolves_unions_exceptions_and_connected_sockets() {
        let adapter = LocalAdapter::new();
        adapter.add_all(1, &[room("a"), room("b")]);
        adapter.add_all(2, &[room("b")]);
        adapter.add_all(3, &[room("c")]);
        adapter.add_all(4, &[room("a")]);
        let table = Table {
            connected: vec![1, 2, 3],
            delivered: Mutex::new(Vec::new()),
        };
        let opts = |rooms: &[&str], except: &[&str]| BroadcastOptions {
            rooms: rooms.iter().map(|r| room(r)).collect(),
            except: except.iter().map(|r| room(r)).collect(),
            volatile: false,
        };
        assert_eq!(sorted(adapter.targets(&opts(&[], &[]), &table)), [1, 2, 3]);
        assert_eq!(
            sorted(adapter.targets(&opts(&["a", "b"], &[]), &table)),
            [1, 2]
        );
        assert_eq!(
            sorted(adapter.targets(&opts(&["a", "b"], &["a"]), &table)),
            [2]
        );
        assert_eq!(sorted(adapter.targets(&opts(&[], &["b"]), &table)), [3]);
        assert_eq!(
            adapter.targets(&opts(&["nope"], &[]), &table),
            Vec::<u32>::new()
        );
        let packets = [Outgoing::message("x")];
        // 4 (in "a") is not connected: delivering skips it.
        assert_eq!(
            adapter.broadcast(&packets, &opts(&["a", "b", "c"], &[]), &table),
            3
        );
        assert_eq!(sorted(table.delivered.lock().clone()), [1, 2, 3]);
    }

    #[test]
    fn leaving_cleans_both_indexes() {
        let adapter = LocalAdapter::new();
        adapter.add_all(1, &[room("a"), room("b")]);
        adapter.add_all(2, &[room("a")]);
        adapter.del(1, "a");
        let mut rooms = adapter.socket_rooms(1);
        rooms.sort();
        assert_eq!(rooms, [room("b")]);
        adapter.del_all(1);
        assert!(adapter.socket_rooms(1).is_empty());
        assert_eq!(adapter.rooms(), vec![(room("a"), vec![2])]);
        adapter.del_all(2);
        assert!(adapter.rooms().is_empty());
    }
}
