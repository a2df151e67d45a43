'use strict';

// Decodes the batches of events the Rust engine sends (see src/node/events.rs).

const EventKind = Object.freeze({
  OPEN: 1,
  TEXT: 2,
  BINARY: 3,
  UPGRADE: 4,
  CLOSE: 5,
  POLL_REPLY: 6,
  BRIDGE_DATA: 7,
  BRIDGE_RESUME: 8,
  BRIDGE_END: 9,
});

const HEADER_SIZE = 9;

/**
 * Calls `handle(kind, id, batch, start, end)` for each record. A throwing handler does
 * not lose the rest of the batch: its error is rethrown on the next tick.
 */
function forEachEvent(batch, handle) {
  for (let offset = 0; offset + HEADER_SIZE <= batch.length; ) {
    const kind = batch[offset];
    const id = batch.readUInt32LE(offset + 1);
    const start = offset + HEADER_SIZE;
    const end = start + batch.readUInt32LE(offset + 5);
    offset = end;
    try {
      handle(kind, id, batch, start, end);
    } catch (error) {
      process.nextTick(() => {
        throw error;
      });
    }
  }
}

module.exports = { EventKind, forEachEvent };
