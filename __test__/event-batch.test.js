'use strict';

// The JS side of the batch layout in src/node/events.rs. Rust checks every JSON text
// before it enters a batch, so the one-parse path is what real traffic takes (the other
// tests); this covers the per-record parse for a text V8 would refuse, which no client
// can produce.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const native = require('../lib/native');
const {
  EventKind,
  forEachEvent,
  readAttachments,
  readConnect,
  readDebugLine,
  readPacketId,
  readPacketArgs,
  readReason,
} = require('../lib/engine/events');

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

  it('reads back every record layout the Rust writers put in a batch', () => {
    const names = Object.fromEntries(Object.entries(EventKind).map(([name, code]) => [code, name]));
    const seen = [];
    forEachEvent(native.goldenBatch(), (kind, id, data, start, end) => {
      const record = [names[kind], id];
      switch (kind) {
        case EventKind.OPEN:
          record.push(data[start], data.toString('latin1', start + 1, end));
          break;
        case EventKind.CLOSE:
        case EventKind.SOCKET_DISCONNECT: {
          const [reason, description] = readReason(data, start, end);
          record.push(reason, description?.message);
          break;
        }
        case EventKind.SOCKET_CONNECT:
          record.push(readConnect(data, start, end));
          break;
        case EventKind.SOCKET_EVENT:
        case EventKind.SOCKET_ACK:
          record.push(readPacketId(data, start), readPacketArgs(data, start));
          record.push(readAttachments(data, start).map((buffer) => [...buffer]));
          break;
        default:
          record.push(readDebugLine(data, start, end));
      }
      seen.push(record);
    });
    assert.deepEqual(seen, [
      ['OPEN', 3, 1, 'sid-of-twenty-chars0'],
      ['CLOSE', 3, 'transport error', 'poll connection closed prematurely'],
      ['SOCKET_CONNECT', 9, { engineHandle: 3, id: 'socket-id-twentychar', nsp: '/chat', auth: '{"token":"é"}' }],
      ['SOCKET_EVENT', 9, 7, ['ev', 1, 0], [[1, 2], []]],
      ['SOCKET_ACK', 9, 8, [], []],
      ['SOCKET_EVENT', 9, null, ['plain', { a: [null] }], []],
      ['SOCKET_DISCONNECT', 9, 'client namespace disconnect', undefined],
      ['DEBUG', 0, ['engine:ws', 'received "40"']],
    ]);
  });
});
