'use strict';

// Connecting and disconnecting, against socket.io and sio-rs alike.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { everyAttachment, startServer, transportModes } = require('./support/sio');
const { waitEvent } = require('./support/helpers');

for (const impl of everyAttachment) {
  describe(`${impl.name}: connection`, () => {
    for (const [mode, options] of Object.entries(transportModes)) {
      it(`connects with auth and a handshake (${mode})`, async () => {
        const ctx = await startServer(impl);
        const order = [];
        ctx.io.on('connect', () => order.push('connect'));
        const connected = waitEvent(ctx.io, 'connection');
        const client = ctx.client('/', { ...options, auth: { token: 'abc' }, query: { q: '1' } });
        const [socket] = await connected;
        order.push('connection');
        await waitEvent(client, 'connect');
        assert.deepEqual(order, ['connect', 'connection']);
        assert.equal(client.id, socket.id);
        assert.match(socket.id, /^[\w-]{20}$/);
        assert.notEqual(socket.id, socket.conn.id);
        assert.equal(socket.connected, true);
        assert.equal(socket.disconnected, false);
        assert.deepEqual(socket.handshake.auth, { token: 'abc' });
        assert.equal(socket.handshake.query.q, '1');
        assert.equal(socket.handshake.query.EIO, '4');
        assert.match(socket.handshake.address, /127\.0\.0\.1$/);
        assert.equal(socket.handshake.xdomain, false);
        assert.equal(socket.handshake.secure, ctx.secure);
        assert.equal(typeof socket.handshake.issued, 'number');
        assert.equal(typeof socket.handshake.time, 'string');
        assert.ok(socket.handshake.url.startsWith('/socket.io/?'));
        assert.equal(socket.handshake.headers.host, `127.0.0.1:${ctx.port}`);
        assert.deepEqual([...socket.rooms], [socket.id]);
        assert.deepEqual(socket.data, {});
        assert.equal(socket.recovered, false);
        assert.equal(socket.nsp, ctx.io.sockets);
        assert.equal(socket.request.headers.host, `127.0.0.1:${ctx.port}`);
        assert.equal(socket.conn.transport.name, options.transports[0]);
        assert.equal(ctx.io.sockets.sockets.get(socket.id), socket);
        assert.equal(ctx.io.engine.clientsCount, 1);
        if (mode === 'upgrade') await waitEvent(socket.conn, 'upgrade');
        await ctx.close();
      });
    }

    it('refuses an unknown namespace', async () => {
      const ctx = await startServer(impl);
      const client = ctx.client('/nope', transportModes.websocket);
      const [error] = await waitEvent(client, 'connect_error');
      assert.equal(error.message, 'Invalid namespace');
      await ctx.close();
    });

    it('passes middleware errors and their data to the client', async () => {
      const ctx = await startServer(impl);
      const seen = [];
      ctx.io.use((socket, next) => {
        seen.push(['first', socket.connected]);
        socket.join('joined in middleware');
        next();
      });
      ctx.io.use((socket, next) => {
        seen.push(['second', socket.connected]);
        const error = new Error('not authorized');
        error.data = { code: 42 };
        next(error);
      });
      const client = ctx.client('/', transportModes.websocket);
      const [error] = await waitEvent(client, 'connect_error');
      assert.equal(error.message, 'not authorized');
      assert.deepEqual(error.data, { code: 42 });
      assert.deepEqual(seen, [
        ['first', false],
        ['second', false],
      ]);
      assert.equal(ctx.io.sockets.adapter.rooms.has('joined in middleware'), false);
      await ctx.close();
    });

    it('runs async middlewares in order before connecting', async () => {
      const ctx = await startServer(impl);
      ctx.io.use((socket, next) => setTimeout(() => {
        socket.data.user = 'ada';
        next();
      }, 20));
      const connected = waitEvent(ctx.io, 'connection');
      ctx.client('/', transportModes.polling);
      const [socket] = await connected;
      assert.equal(socket.data.user, 'ada');
      await ctx.close();
    });

    it('reports a client namespace disconnect', async () => {
      const ctx = await startServer(impl);
      const connected = waitEvent(ctx.io, 'connection');
      const client = ctx.client('/', transportModes.websocket);
      const [socket] = await connected;
      socket.join('room');
      const rooms = new Promise((resolve) => socket.on('disconnecting', () => resolve([...socket.rooms].sort())));
      const disconnected = waitEvent(socket, 'disconnect');
      await waitEvent(client, 'connect');
      client.disconnect();
      assert.deepEqual(await rooms, [socket.id, 'room'].sort());
      assert.equal((await disconnected)[0], 'client namespace disconnect');
      assert.equal(socket.connected, false);
      assert.equal(socket.rooms.size, 0);
      assert.equal(ctx.io.sockets.adapter.rooms.has('room'), false);
      assert.equal(ctx.io.sockets.sockets.size, 0);
      await ctx.close();
    });

    it('reports a server namespace disconnect on both sides', async () => {
      for (const close of [false, true]) {
        const ctx = await startServer(impl);
        const connected = waitEvent(ctx.io, 'connection');
        const client = ctx.client('/', transportModes.websocket);
        const [socket] = await connected;
        await waitEvent(client, 'connect');
        const clientSide = waitEvent(client, 'disconnect');
        const serverSide = waitEvent(socket, 'disconnect');
        socket.disconnect(close);
        assert.equal(socket.connected, false);
        assert.equal((await serverSide)[0], 'server namespace disconnect');
        assert.equal((await clientSide)[0], 'io server disconnect');
        await ctx.close();
      }
    });

    it('reports a transport close when the client goes away', async () => {
      for (const options of [transportModes.websocket, transportModes.polling]) {
        const ctx = await startServer(impl);
        const connected = waitEvent(ctx.io, 'connection');
        const client = ctx.client('/', options);
        const [socket] = await connected;
        await waitEvent(client, 'connect');
        const disconnected = waitEvent(socket, 'disconnect');
        client.io.engine.close();
        assert.equal((await disconnected)[0], 'transport close');
        await ctx.close();
      }
    });

    it('reports "server shutting down" on io.close()', async () => {
      const ctx = await startServer(impl);
      const connected = waitEvent(ctx.io, 'connection');
      const client = ctx.client('/', transportModes.websocket);
      const [socket] = await connected;
      await waitEvent(client, 'connect');
      const disconnected = waitEvent(socket, 'disconnect');
      const clientGone = waitEvent(client, 'disconnect');
      await ctx.io.close();
      assert.equal((await disconnected)[0], 'server shutting down');
      assert.equal((await clientGone)[0], 'transport close');
    });

    it('closes connections that join no namespace within connectTimeout', async () => {
      const ctx = await startServer(impl, { connectTimeout: 100 });
      ctx.io.of('/other');
      // The connection opens, but no namespace is ever asked for.
      const manager = ctx.client('/other', { ...transportModes.websocket, autoConnect: false }).io;
      manager.open();
      await waitEvent(manager, 'open');
      const [reason] = await waitEvent(manager.engine, 'close', 2000);
      assert.equal(reason, 'transport close');
      await ctx.close();
    });

    it('keeps other namespaces when one disconnects', async () => {
      const ctx = await startServer(impl);
      const chat = ctx.io.of('/chat');
      const rootConnected = waitEvent(ctx.io, 'connection');
      const chatConnected = waitEvent(chat, 'connection');
      const root = ctx.client('/', transportModes.websocket);
      const [rootSocket] = await rootConnected;
      // A second namespace over the same connection (it connects by itself).
      const chatClient = root.io.socket('/chat');
      const [chatSocket] = await chatConnected;
      if (!chatClient.connected) await waitEvent(chatClient, 'connect');
      assert.equal(rootSocket.conn, chatSocket.conn);
      const chatGone = waitEvent(chatSocket, 'disconnect');
      chatClient.disconnect();
      assert.equal((await chatGone)[0], 'client namespace disconnect');
      const got = waitEvent(rootSocket, 'still');
      root.emit('still', 'here');
      assert.deepEqual(await got, ['here']);
      await ctx.close();
    });
  });
}
