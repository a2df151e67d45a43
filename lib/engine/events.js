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
  SOCKET_CONNECT: 10,
  SOCKET_EVENT: 11,
  SOCKET_ACK: 12,
  SOCKET_DISCONNECT: 13,
  SOCKET_ERROR: 14,
  ABANDONED: 15,
  DRAIN: 16,
  HAND_OFF: 17,
  ACCEPTED: 18,
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

/**
 * A close or disconnect reason, and its description if it has one: an Error shaped like
 * the reference's transport errors.
 */
function readReason(data, start, end) {
  const [reason, message] = data.toString('utf8', start, end).split('\0');
  if (!message) return [reason];
  return [reason, Object.assign(new Error(message), { type: 'TransportError' })];
}

/** A connect request: the engine connection, socket id, namespace and auth JSON. */
function readConnect(data, start, end) {
  const engineHandle = data.readUInt32LE(start);
  const id = data.toString('latin1', start + 4, start + 24);
  const nspLength = data.readUInt32LE(start + 24);
  const nspEnd = start + 28 + nspLength;
  return {
    engineHandle,
    id,
    nsp: data.toString('utf8', start + 28, nspEnd),
    auth: data.toString('utf8', nspEnd, end),
  };
}

const NO_ATTACHMENTS = Object.freeze([]);

/** An event's or ack's id (null for none). */
function readPacketId(data, start) {
  const id = data.readDoubleLE(start);
  return Number.isNaN(id) ? null : id;
}

/** An event's or ack's JSON text. */
function readPacketJson(data, start) {
  return data.toString('utf8', start + 16, start + 16 + data.readUInt32LE(start + 12));
}

/** An event's or ack's binary attachments (a shared empty array when there are none). */
function readAttachments(data, start) {
  const count = data.readUInt32LE(start + 8);
  if (!count) return NO_ATTACHMENTS;
  let offset = start + 16 + data.readUInt32LE(start + 12);
  const attachments = [];
  for (let i = 0; i < count; i++) {
    const length = data.readUInt32LE(offset);
    attachments.push(Buffer.from(data.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  return attachments;
}

module.exports = { EventKind, forEachEvent, readConnect, readPacketId, readPacketJson, readAttachments, readReason };
