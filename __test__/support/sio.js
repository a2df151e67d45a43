'use strict';

// The two servers every Socket.IO test runs against: a test that passes on socket.io and
// fails on sio-rs is a bug in sio-rs. Each runs attached as apps attach it: `port` (the
// server listens itself: Rust accepts), `http` (an app's http.Server: descriptors adopted
// on upgrade, polling forwarded from Node) or `https` (TLS: bytes bridged through Node).

const http = require('node:http');
const https = require('node:https');
const { once } = require('node:events');
const selfsigned = require('selfsigned');
const { io: connectClient } = require('socket.io-client');

const servers = [
  { name: 'sio-rs', module: require('../..') },
  { name: 'socket.io', module: require('socket.io') },
];

const ATTACH_LABELS = { port: 'new Server(port)', http: 'http.Server', https: 'https.Server' };

/** Both servers on `new Server(port)`. */
const implementations = servers.map((server) => ({ ...server, attach: 'port' }));

/** Both servers over every way of attaching, for the files that must hold in each. */
const everyAttachment = servers.flatMap((server) =>
  Object.entries(ATTACH_LABELS).map(([attach, label]) => ({
    ...server,
    attach,
    name: attach === 'port' ? server.name : `${server.name} on ${label}`,
  })),
);

let certificate;
/** One self-signed certificate for 127.0.0.1, made once per test process. */
function testCertificate() {
  certificate ??= selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { days: 1, keySize: 2048 });
  return certificate;
}

async function listen(impl, opts) {
  if (impl.attach === 'port') {
    const io = new impl.module.Server(0, opts);
    if (!io.httpServer.listening) await once(io.httpServer, 'listening');
    return io;
  }
  let httpServer = http.createServer();
  if (impl.attach === 'https') {
    const pems = await testCertificate();
    httpServer = https.createServer({ key: pems.private, cert: pems.cert });
  }
  const io = new impl.module.Server(httpServer, opts);
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  return io;
}

/** Starts `impl`'s server on an ephemeral port; `client()` connects real clients. */
async function startServer(impl, opts = {}) {
  const io = await listen(impl, opts);
  const { port } = io.httpServer.address();
  const secure = impl.attach === 'https';
  const url = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  const clients = [];
  return {
    io,
    port,
    url,
    secure,
    client(nsp = '/', options = {}) {
      const defaults = { forceNew: true, reconnection: false, rejectUnauthorized: false };
      const socket = connectClient(`${url}${nsp}`, { ...defaults, ...options });
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

module.exports = { implementations, everyAttachment, startServer, transportModes, pair };
