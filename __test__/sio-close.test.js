'use strict';

// io.close() right after an emit or a disconnect, in the same tick (what shutdown hooks do):
// what was queued before the close reaches a WebSocket client, against socket.io and sio-rs
// alike. (Over long-polling the reference drops it: the poll that would carry it is refused.)

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { everyAttachment, startServer, transportModes, pair } = require('./support/sio');
const { waitEvent } = require('./support/helpers');

const shutdowns = {
  'io.emit()': (io) => io.emit('bye', 'see you'),
  'socket.disconnect(true)': (io, socket) => socket.disconnect(true),
  'io.local.disconnectSockets(true)': (io) => io.local.disconnectSockets(true),
};

for (const impl of everyAttachment) {
  describe(`${impl.name}: closing flushes what was queued`, () => {
    for (const mode of ['websocket', 'upgrade']) {
      for (const [what, before] of Object.entries(shutdowns)) {
        it(`delivers ${what} then io.close() in one tick (${mode})`, async () => {
          const ctx = await startServer(impl);
          const { client, socket } = await pair(ctx, transportModes[mode]);
          if (mode === 'upgrade' && socket.conn.transport.name !== 'websocket') await waitEvent(socket.conn, 'upgrade');
          const bye = waitEvent(client, 'bye').catch(() => null);
          const gone = waitEvent(client, 'disconnect');
          before(ctx.io, socket);
          const closed = ctx.io.close();
          if (what === 'io.emit()') assert.deepEqual(await bye, ['see you']);
          else assert.equal((await gone)[0], 'io server disconnect');
          await closed;
          client.disconnect();
        });
      }
    }
  });
}
