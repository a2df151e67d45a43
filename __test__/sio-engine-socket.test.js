'use strict';

// The engine under a Socket.IO server as apps and middlewares see it (`io.engine`): when
// `connection` fires, the upgrade response's headers, close reasons and descriptions.
// Against socket.io and sio-rs, over every way of attaching.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const https = require('node:https');
const WebSocket = require('ws');
const session = require('express-session');
const { everyAttachment, startServer, transportModes, pair } = require('./support/sio');
const { delay, waitEvent } = require('./support/helpers');

const TLS_CLIENT = { rejectUnauthorized: false };

function openWebSocket(ctx) {
  return new WebSocket(`${ctx.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, TLS_CLIENT);
}

/** A GET of `path` that the client gives up on once the server has it. */
function abandonedGet(ctx, path) {
  const req = (ctx.secure ? https : http).get(`${ctx.url}${path}`, TLS_CLIENT);
  req.on('error', () => {});
  return req;
}

for (const impl of everyAttachment) {
  describe(`${impl.name}: io.engine`, () => {
    it('emits connection before a WebSocket client has its handshake', async () => {
      const ctx = await startServer(impl);
      const seen = new Set();
      ctx.io.engine.on('connection', (conn) => seen.add(conn.id));
      const early = [];
      for (let i = 0; i < 20; i++) {
        const ws = openWebSocket(ctx);
        const [open] = await waitEvent(ws, 'message');
        const { sid } = JSON.parse(String(open).slice(1));
        if (!seen.has(sid)) early.push(i);
        ws.close();
      }
      assert.deepEqual(early, []);
      await ctx.close();
    });

    it('sends the headers a middleware sets with the upgrade response (express-session)', async () => {
      const ctx = await startServer(impl);
      ctx.io.engine.use(session({ secret: 'test', resave: false, saveUninitialized: true }));
      const ws = openWebSocket(ctx);
      const [response] = await waitEvent(ws, 'upgrade');
      assert.match(String(response.headers['set-cookie']), /^connect\.sid=/);
      ws.close();
      await ctx.close();
    });

    const abrupt = { terminate: (ws) => ws.terminate() };
    // A TLS socket cannot be reset from JS.
    if (impl.attach !== 'https') abrupt.reset = (ws) => ws._socket.resetAndDestroy();
    for (const [how, end] of Object.entries(abrupt)) {
      it(`says "transport close" for a WebSocket that ends without a close frame (${how})`, async () => {
        const ctx = await startServer(impl);
        const { client, socket } = await pair(ctx, transportModes.websocket);
        const closed = waitEvent(socket.conn, 'close');
        const gone = waitEvent(socket, 'disconnect');
        end(client.io.engine.transport.ws);
        assert.equal((await closed)[0], 'transport close');
        assert.equal((await gone)[0], 'transport close');
        await ctx.close();
      });
    }

    it('describes a close: a long-polling GET the client gave up on', async () => {
      const ctx = await startServer(impl);
      const connected = waitEvent(ctx.io.engine, 'connection');
      abandonedGet(ctx, '/socket.io/?EIO=4&transport=polling').on('response', (res) => res.resume());
      const [conn] = await connected;
      const closed = waitEvent(conn, 'close');
      const poll = abandonedGet(ctx, `/socket.io/?EIO=4&transport=polling&sid=${conn.id}`);
      await delay(100); // parked on the server
      poll.destroy();
      const [reason, description] = await closed;
      assert.equal(reason, 'transport error');
      assert.ok(description instanceof Error);
      assert.equal(description.message, 'poll connection closed prematurely');
      await ctx.close();
    });
  });
}
