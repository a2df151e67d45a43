//! A session's outbound queue: the packets waiting for the transport and the bytes they
//! hold, the measure of its backpressure.

use std::collections::VecDeque;

use super::packet::{self, Outgoing};

/// Packets in order, the first one held inline: a session given one packet at a time
/// (an ack, one recipient of a broadcast) queues and writes it without allocating, and
/// an idle session keeps no buffer.
#[derive(Default)]
pub struct PacketQueue {
    /// The oldest packet; `None` only when the queue is empty.
    head: Option<Outgoing>,
    rest: VecDeque<Outgoing>,
}

impl PacketQueue {
    pub fn push_back(&mut self, packet: Outgoing) {
        if self.head.is_none() {
            self.head = Some(packet);
        } else {
            self.rest.push_back(packet);
        }
    }

    pub fn pop_front(&mut self) -> Option<Outgoing> {
        let head = self.head.take();
        self.head = self.rest.pop_front();
        head
    }

    pub fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    pub fn len(&self) -> usize {
        usize::from(self.head.is_some()) + self.rest.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Outgoing> + Clone {
        self.head.iter().chain(self.rest.iter())
    }

    /// Puts `self` after `front`.
    fn append_to(self, front: &mut PacketQueue) {
        for packet in self {
            front.push_back(packet);
        }
    }
}

impl IntoIterator for PacketQueue {
    type Item = Outgoing;
    type IntoIter = std::iter::Chain<
        std::option::IntoIter<Outgoing>,
        std::collections::vec_deque::IntoIter<Outgoing>,
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.head.into_iter().chain(self.rest)
    }
}

#[derive(Default)]
pub(super) struct Outbox {
    packets: PacketQueue,
    /// Bytes of the packets queued here, plus those a writer took and has not handed
    /// to its transport yet.
    bytes: usize,
    /// The application was told this session is congested and waits for `drain`.
    drain_wanted: bool,
}

impl Outbox {
    pub fn push(&mut self, packet: Outgoing) {
        self.bytes += packet.size();
        self.packets.push_back(packet);
    }

    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Packets waiting.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether the queue holds `high_water` bytes or more; if so, a `drain` is owed.
    pub fn congested(&mut self, high_water: usize) -> bool {
        let congested = self.bytes >= high_water;
        self.drain_wanted |= congested;
        congested
    }

    /// Everything queued as one polling payload; the queue is empty afterwards.
    pub fn take_payload(&mut self) -> String {
        let payload = packet::encode_payload(self.packets.iter());
        self.clear();
        payload
    }

    /// Everything queued as the answer to a polling GET, and whether the `drain` owed is
    /// due now that the queue is empty.
    pub fn take_reply(&mut self, high_water: usize) -> (String, bool) {
        let payload = self.take_payload();
        (payload, self.drain_due(high_water))
    }

    /// Everything queued, for a writer, with its size: those bytes stay counted until
    /// [`Outbox::written`].
    pub fn take_batch(&mut self) -> (PacketQueue, usize) {
        let batch = std::mem::take(&mut self.packets);
        let bytes = batch.iter().map(Outgoing::size).sum();
        (batch, bytes)
    }

    /// Puts packets a writer took and could not write back in front; their bytes are
    /// still counted.
    pub fn restore(&mut self, mut packets: PacketQueue) {
        std::mem::take(&mut self.packets).append_to(&mut packets);
        self.packets = packets;
    }

    /// A writer handed `bytes` to its transport (the queue may have been cleared since);
    /// returns whether the `drain` owed is due now.
    pub fn written(&mut self, bytes: usize, high_water: usize) -> bool {
        self.bytes = self.bytes.saturating_sub(bytes);
        self.drain_due(high_water)
    }

    /// Whether the owed `drain` is due (the queue is below `high_water`).
    fn drain_due(&mut self, high_water: usize) -> bool {
        let due = self.drain_wanted && self.bytes < high_water;
        self.drain_wanted &= !due;
        due
    }

    pub fn clear(&mut self) {
        self.packets = PacketQueue::default();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(queue: &PacketQueue) -> Vec<String> {
        queue
            .iter()
            .map(|packet| match packet {
                Outgoing::Text(text) => text.to_string(),
                Outgoing::Binary(_) => "<binary>".into(),
            })
            .collect()
    }

    fn queue_of(items: &[&str]) -> PacketQueue {
        let mut queue = PacketQueue::default();
        for item in items {
            queue.push_back(Outgoing::message(item));
        }
        queue
    }

    #[test]
    fn keeps_order_across_the_inline_head() {
        let mut queue = queue_of(&["a", "b", "c"]);
        assert_eq!(queue.len(), 3);
        assert_eq!(texts(&queue), ["4a", "4b", "4c"]);
        assert!(queue.pop_front().is_some());
        queue.push_back(Outgoing::message("d"));
        assert_eq!(texts(&queue), ["4b", "4c", "4d"]);
        while queue.pop_front().is_some() {}
        assert!(queue.is_empty());
        assert_eq!(queue.len(), 0);
        queue.push_back(Outgoing::message("e"));
        assert_eq!(texts(&queue), ["4e"]);
    }

    #[test]
    fn restored_packets_come_before_those_queued_since() {
        let mut outbox = Outbox::default();
        outbox.push(Outgoing::message("a"));
        outbox.push(Outgoing::message("b"));
        let (mut batch, bytes) = outbox.take_batch();
        assert_eq!(bytes, 4);
        assert!(outbox.is_empty());
        outbox.push(Outgoing::message("c"));
        batch.pop_front();
        outbox.restore(batch);
        assert_eq!(texts(&outbox.packets), ["4b", "4c"]);
        assert_eq!(outbox.bytes(), 6);
    }
}
