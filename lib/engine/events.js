'use strict';

// Decodes the batches of events the Rust engine sends (see src/node/events.rs).

const { EventKind, batchLayout } = require('./native-constants');

/** The records' length, before them. */
const BATCH_HEADER_SIZE = batchLayout.header;
/** A record's kind, id and payload length. */
const RECORD_HEADER_SIZE = batchLayout.recordHeader;
/** A JSON text's reference at the start of a record: index, offset, length. */
const JSON_REFERENCE_SIZE = batchLayout.jsonReference;

/** The JSON values of the batch being handled, parsed at once on first use. */
const parsed = { batch: null, values: null };

/**
 * Calls `handle(kind, id, batch, start, end)` for each record. A throwing handler does
 * not lose the rest of the batch: its error is rethrown on the next tick.
 */
function forEachEvent(batch, handle) {
  if (batch.length < BATCH_HEADER_SIZE) return;
  const recordsEnd = BATCH_HEADER_SIZE + batch.readUInt32LE(0);
  for (let offset = BATCH_HEADER_SIZE; offset + RECORD_HEADER_SIZE <= recordsEnd; ) {
    const kind = batch[offset];
    const id = batch.readUInt32LE(offset + 1);
    const start = offset + RECORD_HEADER_SIZE;
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
  if (parsed.batch === batch) parsed.batch = parsed.values = null;
}

/** An event's or ack's arguments, parsed from its JSON (checked by Rust), placeholders left in. */
function readPacketArgs(batch, start) {
  if (parsed.batch !== batch) {
    parsed.batch = batch;
    parsed.values = parseAll(batch);
  }
  if (parsed.values) return parsed.values[batch.readUInt32LE(start)];
  // One text V8 refuses would refuse the batch's array: each record then parses its own.
  const textStart = jsonArrayStart(batch) + 1 + batch.readUInt32LE(start + 4);
  return JSON.parse(batch.toString('utf8', textStart, textStart + batch.readUInt32LE(start + 8)));
}

/** Where the batch's JSON array begins: after the records. */
function jsonArrayStart(batch) {
  return BATCH_HEADER_SIZE + batch.readUInt32LE(0);
}

function parseAll(batch) {
  try {
    return JSON.parse(batch.toString('utf8', jsonArrayStart(batch), batch.length));
  } catch {
    return null;
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

/** A debug line: its namespace and text. */
function readDebugLine(data, start, end) {
  const text = data.toString('utf8', start, end);
  const nul = text.indexOf('\0');
  return [text.slice(0, nul), text.slice(nul + 1)];
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
  const id = data.readDoubleLE(start + JSON_REFERENCE_SIZE);
  return Number.isNaN(id) ? null : id;
}

/** An event's or ack's binary attachments (a shared empty array when there are none). */
function readAttachments(data, start) {
  const count = data.readUInt32LE(start + JSON_REFERENCE_SIZE + 8);
  if (!count) return NO_ATTACHMENTS;
  let offset = start + JSON_REFERENCE_SIZE + 12;
  const attachments = [];
  for (let i = 0; i < count; i++) {
    const length = data.readUInt32LE(offset);
    attachments.push(Buffer.from(data.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  return attachments;
}

module.exports = {
  EventKind,
  forEachEvent,
  readConnect,
  readDebugLine,
  readPacketId,
  readPacketArgs,
  readAttachments,
  readReason,
};
