'use strict';

// Rooms, broadcasts and the utility methods, against socket.io and sio-rs alike.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { everyAttachment, startServer, transportModes } = require('./support/sio');
const { waitEvent, waitUntil } = require('./support/helpers');

/** Connects `count` clients (alternating transports); returns them with their sockets. */
async function crowd(ctx, count, nsp = ctx.io.sockets) {
  const modes = Object.values(transportModes);
  const members = [];
  for (let i = 0; i < count; i++) {
    const connected = waitEvent(nsp, 'connection');
    const client = ctx.client(nsp.name, modes[i % modes.length]);
    const [socket] = await connected;
    if (!client.connected) await waitEvent(client, 'connect');
    const received = [];
    client.onAny((event, ...args) => received.push([event, ...args]));
    members.push({ client, socket, received });
  }
  return members;
}

/**
 * Waits until every connected member has what was sent before: a last `sync` broadcast
 * arrives after everything sent earlier to the same socket, then is dropped again.
 */
async function settle(ctx, members) {
  ctx.io.emit('sync');
  const live = members.filter((m) => m.client.connected);
  await waitUntil(() => live.every((m) => m.received.some(([event]) => event === 'sync')));
  for (const m of live) m.received.splice(m.received.findIndex(([event]) => event === 'sync'), 1);
}

for (const impl of everyAttachment) {
  describe(`${impl.name}: rooms and broadcasts`, () => {
    let ctx;
    let members;
    before(async () => {
      ctx = await startServer(impl);
      members = await crowd(ctx, 4);
    });
    after(() => ctx.close());

    const reset = () => members.forEach((m) => (m.received.length = 0));

    it('keeps track of rooms', async () => {
      const [a, b] = members;
      a.socket.join('x');
      a.socket.join(['y', 'z']);
      b.socket.join('x');
      assert.deepEqual([...a.socket.rooms].sort(), [a.socket.id, 'x', 'y', 'z'].sort());
      const rooms = ctx.io.of('/').adapter.rooms;
      assert.deepEqual([...rooms.get('x')].sort(), [a.socket.id, b.socket.id].sort());
      assert.deepEqual([...rooms.get(a.socket.id)], [a.socket.id]);
      a.socket.leave('y');
      a.socket.leave('z');
      assert.equal(ctx.io.of('/').adapter.rooms.has('y'), false);
      assert.deepEqual([...a.socket.rooms].sort(), [a.socket.id, 'x'].sort());
    });

    it('broadcasts to everyone, to rooms (once each), and except rooms', async () => {
      const [a, b, c, d] = members;
      c.socket.join(['x', 'other']);
      reset();
      ctx.io.emit('all', 1);
      ctx.io.to('x').to('other').emit('union', 2);
      ctx.io.to('x').except('other').emit('except', 3);
      ctx.io.except(d.socket.id).emit('not-d', 4);
      await settle(ctx, members);
      assert.deepEqual(a.received, [['all', 1], ['union', 2], ['except', 3], ['not-d', 4]]);
      assert.deepEqual(b.received, [['all', 1], ['union', 2], ['except', 3], ['not-d', 4]]);
      assert.deepEqual(c.received, [['all', 1], ['union', 2], ['not-d', 4]]);
      assert.deepEqual(d.received, [['all', 1]]);
    });

    it('leaves the sender out of socket.broadcast and socket.to()', async () => {
      const [a, b, c] = members;
      reset();
      a.socket.broadcast.emit('from-a', 'hi');
      a.socket.to('x').emit('from-a-to-x', 'hey');
      await settle(ctx, members);
      assert.deepEqual(a.received, []);
      assert.deepEqual(b.received, [['from-a', 'hi'], ['from-a-to-x', 'hey']]);
      assert.deepEqual(c.received, [['from-a', 'hi'], ['from-a-to-x', 'hey']]);
    });

    it('broadcasts binary payloads', async () => {
      const [a] = members;
      reset();
      ctx.io.to('x').emit('bin', { data: Buffer.from([1, 2, 3]) });
      await settle(ctx, members);
      assert.deepEqual([...Buffer.from(a.received[0][1].data)], [1, 2, 3]);
    });

    it('keeps operators immutable', async () => {
      const [a, , , d] = members;
      const toX = ctx.io.to('x');
      toX.except('other');
      reset();
      toX.emit('still-x');
      ctx.io.emit('everyone');
      await settle(ctx, members);
      assert.deepEqual(a.received, [['still-x'], ['everyone']]);
      assert.deepEqual(d.received, [['everyone']]);
    });

    it('fetches, joins, leaves and disconnects matching sockets', async () => {
      const [a, b, c, d] = members;
      const inX = await ctx.io.in('x').fetchSockets();
      assert.deepEqual(inX.map((s) => s.id).sort(), [a.socket.id, b.socket.id, c.socket.id].sort());
      assert.equal(inX.find((s) => s.id === a.socket.id), a.socket);
      ctx.io.in('x').except('other').socketsJoin('joined');
      assert.deepEqual([...(ctx.io.sockets.adapter.rooms.get('joined') ?? [])].sort(), [a.socket.id, b.socket.id].sort());
      ctx.io.socketsLeave('joined');
      assert.equal(ctx.io.sockets.adapter.rooms.has('joined'), false);
      d.socket.join('doomed');
      const gone = waitEvent(d.client, 'disconnect');
      ctx.io.in('doomed').disconnectSockets();
      assert.equal((await gone)[0], 'io server disconnect');
      const all = await ctx.io.fetchSockets();
      assert.equal(all.length, 3);
      assert.deepEqual([...(await ctx.io.allSockets())].sort(), all.map((s) => s.id).sort());
    });

    it('collects acks from every recipient of a broadcast', async () => {
      const live = members.slice(0, 3);
      for (const m of live) m.client.on('ask', (n, ack) => ack(n * 2));
      const responses = await new Promise((resolve, reject) =>
        ctx.io.timeout(1000).emit('ask', 21, (err, res) => (err ? reject(err) : resolve(res))),
      );
      assert.deepEqual(responses, [42, 42, 42]);
      assert.deepEqual(await ctx.io.to('other').timeout(1000).emitWithAck('ask', 1), [2]);
      assert.deepEqual(await ctx.io.to('nobody').timeout(1000).emitWithAck('ask', 1), []);
    });

    it('reports the responses that came before a broadcast ack timeout', async () => {
      const [a, b] = members;
      a.client.on('slow', (ack) => ack('fast'));
      b.client.on('slow', () => {});
      const [err, responses] = await new Promise((resolve) =>
        ctx.io.to('x').except('other').timeout(200).emit('slow', (...args) => resolve(args)),
      );
      assert.equal(err.message, 'operation has timed out');
      assert.deepEqual(responses, ['fast']);
      await assert.rejects(ctx.io.to(b.socket.id).timeout(50).emitWithAck('slow'), (error) => {
        assert.equal(error.message, 'operation has timed out');
        return true;
      });
    });

    it('drops volatile broadcasts to a busy transport', async () => {
      const [a] = members;
      reset();
      ctx.io.to(a.socket.id).emit('regular');
      ctx.io.to(a.socket.id).volatile.emit('volatile');
      await settle(ctx, members);
      assert.deepEqual(a.received, [['regular']]);
    });
  });
}
