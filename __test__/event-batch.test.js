'use strict';

// The JS side of the batch layout in src/node/events.rs. Rust checks every JSON text
// before it enters a batch, so the one-parse path is what real traffic takes (the other
// tests); this covers the per-record parse for a text V8 would refuse, which no client
// can produce.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { EventKind, forEachEvent, readPacketId, readPacketArgs } = require('../lib/engine/events');

/** A batch of SOCKET_EVENT records as Rust lays them out, from [socket, ack id, JSON]. */
function batch(events) {
  const records = [];
  let json = '';
  events.forEach(([socket, ackId, text], index) => {
    if (index > 0) json += ',';
    const payload = Buffer.alloc(24);
    payload.writeUInt32LE(index, 0);
    payload.writeUInt32LE(Buffer.byteLength(json), 4);
    payload.writeUInt32LE(Buffer.byteLength(text), 8);
    payload.writeDoubleLE(ackId ?? NaN, 12);
    payload.writeUInt32LE(0, 20);
    const head = Buffer.alloc(9);
    head[0] = EventKind.SOCKET_EVENT;
    head.writeUInt32LE(socket, 1);
    head.writeUInt32LE(payload.length, 5);
    records.push(head, payload);
    json += text;
  });
  const length = Buffer.alloc(4);
  length.writeUInt32LE(records.reduce((sum, part) => sum + part.length, 0));
  return Buffer.concat([length, ...records, Buffer.from(`[${json}]`)]);
}

function read(data) {
  const seen = [];
  forEachEvent(data, (kind, socket, data, start) => {
    try {
      seen.push([socket, readPacketId(data, start), readPacketArgs(data, start)]);
    } catch (error) {
      seen.push([socket, error.name]);
    }
  });
  return seen;
}

describe('event batches', () => {
  it('parses the JSON of every record of a batch', () => {
    const events = [
      [1, null, '["a",1]'],
      [2, 7, '["b",{"é":"ü"},0]'],
      [1, null, '["c"]'],
    ];
    assert.deepEqual(read(batch(events)), [
      [1, null, ['a', 1]],
      [2, 7, ['b', { é: 'ü' }, 0]],
      [1, null, ['c']],
    ]);
  });

  it('parses each record on its own when one text is refused, and fails only that one', () => {
    const events = [
      [1, null, '["a",1]'],
      [2, null, '["b",}'],
      [3, 4, '["c",[true]]'],
    ];
    assert.deepEqual(read(batch(events)), [
      [1, null, ['a', 1]],
      [2, 'SyntaxError'],
      [3, 4, ['c', [true]]],
    ]);
  });
});
