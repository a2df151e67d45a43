'use strict';

// The two servers every Socket.IO test runs against: a test that passes on socket.io and
// fails on sio-rs is a bug in sio-rs.

const { once } = require('node:events');
const { io: connectClient } = require('socket.io-client');

const implementations = [
  {
    name: 'sio-rs',
    module: require('../..'),
  },
  {
    name: 'socket.io',
    module: require('socket.io'),
  },
];

/** Starts `impl`'s server on an ephemeral port; `client()` connects real clients. */
async function startServer(impl, opts = {}) {
  const io = new impl.module.Server(0, opts);
  if (!io.httpServer.listening) await once(io.httpServer, 'listening');
  const { port } = io.httpServer.address();
  const url = `http://127.0.0.1:${port}`;
  const clients = [];
  return {
    io,
    port,
    url,
    client(nsp = '/', options = {}) {
      const socket = connectClient(`${url}${nsp}`, { forceNew: true, reconnection: false, ...options });
      clients.push(socket);
      return socket;
    },
    async close() {
      for (const socket of clients) socket.disconnect();
      await io.close();
    },
  };
}

/** A connected client and its server-side socket. */
async function pair(ctx, options) {
  const connected = once(ctx.io, 'connection');
  const client = ctx.client('/', options);
  const [socket] = await connected;
  if (!client.connected) await once(client, 'connect');
  return { client, socket };
}

const transportModes = {
  websocket: { transports: ['websocket'] },
  polling: { transports: ['polling'] },
  upgrade: { transports: ['polling', 'websocket'] },
};

module.exports = { implementations, startServer, transportModes, pair };
