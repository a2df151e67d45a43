'use strict';

// Static and dynamic namespaces, against socket.io and sio-rs alike.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { everyAttachment, implementations, startServer, transportModes } = require('./support/sio');
const { waitEvent, waitUntil, delay } = require('./support/helpers');

for (const impl of everyAttachment) {
  describe(`${impl.name}: namespaces`, () => {
    it('creates namespaces once, with a leading slash', async () => {
      const ctx = await startServer(impl);
      const created = [];
      ctx.io.on('new_namespace', (nsp) => created.push(nsp.name));
      assert.equal(ctx.io.of('chat'), ctx.io.of('/chat'));
      assert.equal(ctx.io.of(''), ctx.io.sockets);
      assert.equal(ctx.io.of('/'), ctx.io.sockets);
      assert.ok(ctx.io.of('/chat') instanceof impl.module.Namespace);
      assert.deepEqual(created, ['/chat']);
      assert.ok(ctx.io._nsps.has('/chat'));
      await ctx.close();
    });

    it('keeps broadcasts and middlewares within their namespace', async () => {
      const ctx = await startServer(impl);
      const chat = ctx.io.of('/chat');
      const order = [];
      chat.use((socket, next) => {
        order.push('chat middleware');
        next();
      });
      ctx.io.use((socket, next) => {
        order.push('root middleware');
        next();
      });
      const connected = waitEvent(chat, 'connection');
      const client = ctx.client('/chat', transportModes.websocket);
      const [socket] = await connected;
      assert.equal(socket.nsp, chat);
      assert.deepEqual(order, ['chat middleware']);
      const root = ctx.client('/', transportModes.websocket);
      await waitEvent(root, 'connect');
      const got = [];
      client.onAny((event) => got.push(`chat:${event}`));
      root.onAny((event) => got.push(`root:${event}`));
      chat.emit('to-chat');
      ctx.io.emit('to-root');
      await waitUntil(() => got.length >= 2);
      await delay(50);
      assert.deepEqual(got.sort(), ['chat:to-chat', 'root:to-root']);
      await ctx.close();
    });

    for (const [kind, matcher] of [
      ['regular expression', /^\/dynamic-\d+$/],
      ['function', (name, auth, next) => next(null, name.startsWith('/dynamic-') && auth.ok)],
    ]) {
      it(`creates child namespaces from a ${kind}`, async () => {
        const ctx = await startServer(impl);
        const parent = ctx.io.of(matcher);
        const steps = [];
        parent.use((socket, next) => {
          steps.push(`middleware ${socket.nsp.name}`);
          next();
        });
        parent.on('connection', (socket) => steps.push(`connection ${socket.nsp.name}`));
        const created = waitEvent(ctx.io, 'new_namespace');
        const client = ctx.client('/dynamic-1', { ...transportModes.websocket, auth: { ok: true } });
        await waitEvent(client, 'connect');
        const [child] = await created;
        assert.equal(child.name, '/dynamic-1');
        assert.equal(ctx.io.of('/dynamic-1'), child);
        assert.deepEqual(steps, ['middleware /dynamic-1', 'connection /dynamic-1']);
        const got = waitEvent(client, 'from-parent');
        parent.emit('from-parent', 1);
        assert.deepEqual(await got, [1]);
        const toRoom = waitEvent(client, 'room');
        const [socket] = await child.fetchSockets();
        socket.join('r');
        parent.to('r').emit('room', 2);
        assert.deepEqual(await toRoom, [2]);
        assert.throws(() => parent.fetchSockets(), /fetchSockets\(\) is not supported on parent namespaces/);
        const refused = ctx.client('/static-nope', transportModes.websocket);
        assert.equal((await waitEvent(refused, 'connect_error'))[0].message, 'Invalid namespace');
        await ctx.close();
      });
    }

    it('removes empty child namespaces with cleanupEmptyChildNamespaces', async () => {
      const ctx = await startServer(impl, { cleanupEmptyChildNamespaces: true });
      ctx.io.of(/^\/room-\w+$/);
      const client = ctx.client('/room-a', transportModes.websocket);
      await waitEvent(client, 'connect');
      assert.ok(ctx.io._nsps.has('/room-a'));
      client.disconnect();
      await waitUntil(() => !ctx.io._nsps.has('/room-a'));
      const again = ctx.client('/room-a', transportModes.websocket);
      await waitEvent(again, 'connect');
      assert.ok(ctx.io._nsps.has('/room-a'));
      await ctx.close();
    });
  });
}

// The module and the HTTP it serves beside the engine: once per server.
for (const impl of implementations) {
  describe(`${impl.name}: server`, () => {
    it('is a callable factory with Server, Namespace and Socket', () => {
      assert.equal(typeof impl.module, 'function');
      for (const name of ['Server', 'Namespace', 'Socket']) assert.equal(typeof impl.module[name], 'function');
      const io = impl.module();
      assert.ok(io instanceof impl.module.Server);
      assert.equal(io.engine, undefined);
      assert.equal(io.httpServer, undefined);
      assert.equal(io.path(), '/socket.io');
      assert.equal(io.connectTimeout(), 45000);
      assert.equal(io.serveClient(), true);
      assert.equal(io.path('/custom/').path(), '/custom');
    });

    it('has ESM named exports only', async () => {
      const esm = await import(impl.name === 'sio-rs' ? 'sio-rs' : 'socket.io');
      assert.equal(esm.Server, impl.module.Server);
      assert.equal(esm.Namespace, impl.module.Namespace);
      assert.equal(esm.Socket, impl.module.Socket);
      assert.equal(esm.default, undefined);
    });

    it('takes options first and a port later with listen()', async () => {
      const io = new impl.module.Server({ path: '/rt' });
      io.listen(0);
      await new Promise((resolve) => (io.httpServer.listening ? resolve() : io.httpServer.once('listening', resolve)));
      const { port } = io.httpServer.address();
      const { io: connect } = require('socket.io-client');
      const client = connect(`http://127.0.0.1:${port}`, { path: '/rt', forceNew: true, transports: ['websocket'] });
      await waitEvent(client, 'connect');
      const other = await fetch(`http://127.0.0.1:${port}/elsewhere`);
      assert.equal(other.status, 404);
      client.disconnect();
      await io.close();
    });

    it('refuses an express-style handler', () => {
      assert.throws(
        () => new impl.module.Server((req, res) => res.end()),
        /You are trying to attach socket.io to an express request handler function/,
      );
    });

    it('serves the client bundles with ETag, 304 and compression', async () => {
      const ctx = await startServer(impl);
      const base = `${ctx.url}/socket.io`;
      const js = await fetch(`${base}/socket.io.min.js?v=1`, { headers: { 'Accept-Encoding': 'identity' } });
      assert.equal(js.status, 200);
      assert.equal(js.headers.get('content-type'), 'application/javascript; charset=utf-8');
      assert.equal(js.headers.get('cache-control'), 'public, max-age=0');
      // The served client's version, on both servers.
      assert.equal(js.headers.get('etag'), '"4.8.4"');
      assert.match(await js.text(), /Socket\.IO v4\.8\.4/);
      const map = await fetch(`${base}/socket.io.js.map`, { headers: { 'Accept-Encoding': 'identity' } });
      assert.equal(map.headers.get('content-type'), 'application/json; charset=utf-8');
      const cached = await fetch(`${base}/socket.io.js`, { headers: { 'If-None-Match': '"4.8.4"' } });
      assert.equal(cached.status, 304);
      for (const encoding of ['br', 'gzip', 'deflate']) {
        const res = await new Promise((resolve) =>
          require('node:http').get(`${base}/socket.io.esm.min.js`, { headers: { 'Accept-Encoding': encoding } }, resolve),
        );
        assert.equal(res.headers['content-encoding'], encoding);
        res.resume();
      }
      const unknown = await fetch(`${base}/socket.io.msgpack.js`);
      assert.notEqual(unknown.headers.get('content-type'), 'application/javascript; charset=utf-8');
      await ctx.close();
    });

    it('does not serve the client when serveClient is false', async () => {
      const ctx = await startServer(impl, { serveClient: false });
      const res = await fetch(`${ctx.url}/socket.io/socket.io.js`);
      assert.notEqual(res.status, 200);
      await ctx.close();
    });

    it('closes with a callback and a promise', async () => {
      const ctx = await startServer(impl);
      let called = false;
      await ctx.io.close(() => (called = true));
      assert.equal(called, true);
      const notRunning = await new Promise((resolve) => ctx.io.close(resolve));
      assert.ok(notRunning instanceof Error);
    });

    it('warns that the in-memory adapter has no serverSideEmit', async () => {
      const ctx = await startServer(impl);
      const warnings = [];
      const warn = console.warn;
      console.warn = (message) => warnings.push(message);
      try {
        assert.equal(ctx.io.serverSideEmit('ping'), true);
      } finally {
        console.warn = warn;
      }
      assert.deepEqual(warnings, ['this adapter does not support the serverSideEmit() functionality']);
      assert.throws(() => ctx.io.serverSideEmit('connection'), /"connection" is a reserved event name/);
      await ctx.close();
    });
  });
}
