'use strict';

// Events and acknowledgements in both directions, against socket.io and sio-rs alike.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { everyAttachment, startServer, transportModes, pair } = require('./support/sio');
const { waitEvent, delay } = require('./support/helpers');
const { rawWebSocket, frame } = require('./support/raw-websocket');

const payload = {
  text: 'héllo wörld ✓ 🎉',
  number: 42.5,
  list: [1, null, true, 'x'],
  nested: { deep: { deeper: ['ok'] } },
};

for (const impl of everyAttachment) {
  for (const [mode, options] of Object.entries(transportModes)) {
    describe(`${impl.name}: messaging (${mode})`, () => {
      let ctx;
      before(async () => {
        ctx = await startServer(impl);
      });
      after(() => ctx.close());

      it('carries JSON and UTF-8 both ways', async () => {
        const { client, socket } = await pair(ctx, options);
        const atServer = waitEvent(socket, 'up');
        client.emit('up', payload, 'second', 3);
        assert.deepEqual(await atServer, [payload, 'second', 3]);
        const atClient = waitEvent(client, 'down');
        socket.emit('down', payload);
        assert.deepEqual(await atClient, [payload]);
        client.disconnect();
      });

      it('carries binary attachments, nested and mixed, both ways', async () => {
        const { client, socket } = await pair(ctx, options);
        const data = { image: Buffer.from([0, 1, 2, 255]), list: [Buffer.from('a'), 'text', { b: Buffer.alloc(0) }] };
        const atServer = waitEvent(socket, 'bin');
        client.emit('bin', data, Buffer.from([9]));
        const [received, second] = await atServer;
        assert.ok(Buffer.isBuffer(received.image));
        assert.deepEqual([...received.image], [0, 1, 2, 255]);
        assert.equal(received.list[0].toString(), 'a');
        assert.equal(received.list[1], 'text');
        assert.equal(received.list[2].b.length, 0);
        assert.deepEqual([...second], [9]);
        const atClient = waitEvent(client, 'bin');
        socket.emit('bin', { typed: new Uint8Array([5, 6]), raw: new Uint16Array([1]).buffer });
        const [back] = await atClient;
        assert.deepEqual([...Buffer.from(back.typed)], [5, 6]);
        assert.equal(Buffer.from(back.raw).length, 2);
        client.disconnect();
      });

      it('acknowledges client emits, once, with binary', async () => {
        const { client, socket } = await pair(ctx, options);
        socket.on('ask', (question, ack) => {
          ack({ answer: question * 2 }, Buffer.from([7]));
          ack('ignored second call');
        });
        const reply = await new Promise((resolve) => client.emit('ask', 21, (...args) => resolve(args)));
        assert.deepEqual(reply[0], { answer: 42 });
        assert.deepEqual([...Buffer.from(reply[1])], [7]);
        assert.deepEqual(await client.emitWithAck('ask', 1), { answer: 2 });
        client.disconnect();
      });

      it('gives each ack of a burst its own attachments, text and binary acks mixed', async () => {
        const { client, socket } = await pair(ctx, options);
        // n attachments for ask n (none for 0 and 3), all acked in the tick they arrive.
        socket.on('ask', (n, ack) => {
          const buffers = Array.from({ length: n % 3 }, (_, i) => Buffer.from([n, i]));
          ack({ n }, ...buffers);
        });
        const replies = await Promise.all(
          [0, 1, 2, 3, 4, 5].map((n) => new Promise((resolve) => client.emit('ask', n, (...args) => resolve(args)))),
        );
        replies.forEach(([first, ...buffers], n) => {
          assert.deepEqual(first, { n });
          assert.deepEqual(
            buffers.map((buffer) => [...Buffer.from(buffer)]),
            Array.from({ length: n % 3 }, (_, i) => [n, i]),
          );
        });
        client.disconnect();
      });

      it('keeps acks in order with what the handler sends next, and before a disconnect', async () => {
        const { client, socket } = await pair(ctx, options);
        socket.on('ask', (n, ack) => {
          ack(`ack ${n}`);
          socket.emit('after', `event ${n}`);
          if (n === 3) {
            ack('ignored');
            socket.to(socket.id).emit('after', 'broadcast 3');
            socket.nsp.to(socket.id).emit('after', 'to room 3');
            socket.emit('last', Buffer.from([1]));
          }
        });
        const order = [];
        client.on('after', (text) => order.push(text));
        const last = waitEvent(client, 'last');
        for (const n of [1, 2, 3]) client.emit('ask', n, (text) => order.push(text));
        await last;
        assert.deepEqual(order, ['ack 1', 'event 1', 'ack 2', 'event 2', 'ack 3', 'event 3', 'to room 3']);
        socket.on('bye', (ack) => {
          ack('goodbye');
          socket.disconnect();
        });
        const events = [];
        const disconnected = new Promise((resolve) => client.on('disconnect', (reason) => resolve(events.push(reason))));
        client.emit('bye', (text) => events.push(text));
        await disconnected;
        assert.deepEqual(events, ['goodbye', 'io server disconnect']);
      });

      it('acknowledges server emits, with timeouts', async () => {
        const { client, socket } = await pair(ctx, options);
        client.on('ask', (value, ack) => ack(value + 1));
        const reply = await new Promise((resolve) => socket.emit('ask', 1, resolve));
        assert.equal(reply, 2);
        assert.equal(await socket.emitWithAck('ask', 5), 6);
        const withTimeout = await new Promise((resolve) =>
          socket.timeout(1000).emit('ask', 10, (...args) => resolve(args)),
        );
        assert.deepEqual(withTimeout, [null, 11]);
        client.on('silent', () => {});
        const timedOut = await new Promise((resolve) => socket.timeout(50).emit('silent', resolve));
        assert.equal(timedOut.message, 'operation has timed out');
        await assert.rejects(socket.timeout(50).emitWithAck('silent'), /operation has timed out/);
        client.disconnect();
      });

      it('runs onAny before socket middlewares, and onAnyOutgoing', async () => {
        const { client, socket } = await pair(ctx, options);
        const seen = [];
        socket.onAny((event, ...args) => seen.push(['any', event, ...args]));
        socket.use(([event, ...args], next) => {
          seen.push(['use', event, ...args]);
          if (event === 'forbidden') return next(new Error('refused'));
          next();
        });
        socket.on('allowed', (value) => seen.push(['on', 'allowed', value]));
        const errored = waitEvent(socket, 'error');
        client.emit('forbidden', 1);
        assert.equal((await errored)[0].message, 'refused');
        const allowed = waitEvent(socket, 'allowed');
        client.emit('allowed', 2);
        await allowed;
        await delay(10);
        assert.deepEqual(seen, [
          ['any', 'forbidden', 1],
          ['use', 'forbidden', 1],
          ['any', 'allowed', 2],
          ['use', 'allowed', 2],
          ['on', 'allowed', 2],
        ]);
        const outgoing = [];
        const listener = (...args) => outgoing.push(args);
        socket.onAnyOutgoing(listener);
        assert.deepEqual(socket.listenersAnyOutgoing(), [listener]);
        socket.emit('out', 1);
        ctx.io.emit('broadcast', 2);
        socket.offAnyOutgoing(listener);
        socket.emit('unseen');
        assert.deepEqual(outgoing, [['out', 1], ['broadcast', 2]]);
        socket.offAny();
        assert.deepEqual(socket.listenersAny(), []);
        client.disconnect();
      });

      it('sends "message" with send() and write()', async () => {
        const { client, socket } = await pair(ctx, options);
        const got = [];
        client.on('message', (value) => got.push(value));
        socket.send('a');
        socket.write('b');
        while (got.length < 2) await waitEvent(client, 'message');
        assert.deepEqual(got, ['a', 'b']);
        client.disconnect();
      });

      it('reports outgoing packets and their compress flag on packetCreate', async () => {
        const { client, socket } = await pair(ctx, options);
        const created = [];
        socket.conn.on('packetCreate', (packet) => created.push([packet.type, packet.options.compress]));
        socket.emit('a');
        socket.compress(false).emit('b');
        ctx.io.to(socket.id).emit('c');
        assert.deepEqual(created.slice(0, 3), [
          ['message', true],
          ['message', false],
          ['message', true],
        ]);
        client.disconnect();
      });

      it('refuses reserved event names', async () => {
        const { client, socket } = await pair(ctx, options);
        for (const name of ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']) {
          assert.throws(() => socket.emit(name), { message: `"${name}" is a reserved event name` });
          assert.throws(() => ctx.io.emit(name), { message: `"${name}" is a reserved event name` });
        }
        client.disconnect();
      });
    });
  }

  describe(`${impl.name}: protocol violations`, () => {
    it('closes the connection on an invalid packet', async () => {
      const ctx = await startServer(impl);
      const { client, socket } = await pair(ctx, transportModes.websocket);
      const errors = [];
      socket.on('error', (error) => errors.push(error));
      const gone = waitEvent(socket, 'disconnect');
      client.io.engine.write('2{"not":"an array"}');
      assert.equal((await gone)[0], 'forced close');
      assert.equal(errors.length, 1);
      await ctx.close();
    });

    it('closes the connection when a client sends CONNECT_ERROR', async () => {
      const ctx = await startServer(impl);
      const { client, socket } = await pair(ctx, transportModes.websocket);
      const gone = waitEvent(socket, 'disconnect');
      client.io.engine.write('4{"message":"from the client"}');
      assert.equal((await gone)[0], 'forced close');
      await ctx.close();
    });

    it('closes the connection when a client sends a reserved event', async () => {
      const ctx = await startServer(impl);
      const { client, socket } = await pair(ctx, transportModes.polling);
      const gone = waitEvent(socket, 'disconnect');
      client.io.engine.write('2["disconnect"]');
      assert.equal((await gone)[0], 'forced close');
      await ctx.close();
    });
  });
}

// Plain TCP writes of WebSocket frames: not over TLS.
for (const impl of everyAttachment.filter(({ attach }) => attach !== 'https')) {
  describe(`${impl.name}: when listeners run`, () => {
    /**
     * Sends `events` (names with a number) in one TCP write, as one read on the server, and
     * resolves with the log the server's listeners keep of themselves and of the ticks and
     * promises they queue, once the last event's work is done.
     */
    async function receiveTogether(events, setup) {
      const ctx = await startServer(impl);
      const log = [];
      const done = new Promise((resolve) => {
        ctx.io.on('connection', (socket) => {
          setup?.(socket, log);
          socket.on('e', (n) => {
            log.push(`e${n}`);
            process.nextTick(() => log.push(`tick${n}`));
            Promise.resolve().then(() => log.push(`promise${n}`));
            if (n === events.length) setTimeout(resolve, 20);
          });
        });
      });
      const connected = waitEvent(ctx.io, 'connection');
      const raw = await rawWebSocket(ctx.port, '/socket.io/');
      raw.write(frame(0x1, '40'));
      await connected;
      await delay(20);
      raw.write(Buffer.concat(events.map((n) => frame(0x1, `42["e",${n}]`))));
      await done;
      raw.destroy();
      await ctx.close();
      return log;
    }

    it('runs the events of one read on later ticks, before the ticks and promises they queue', async () => {
      assert.deepEqual(await receiveTogether([1, 2, 3]), [
        'e1', 'e2', 'e3', 'tick1', 'tick2', 'tick3', 'promise1', 'promise2', 'promise3',
      ]);
    });

    it('runs catch-all listeners at once and each event after the ticks they queue', async () => {
      const log = await receiveTogether([1, 2], (socket, log) => {
        socket.onAny((event, n) => {
          log.push(`any${n}`);
          process.nextTick(() => log.push(`any-tick${n}`));
        });
      });
      assert.deepEqual(log, ['any1', 'any2', 'any-tick1', 'e1', 'any-tick2', 'e2', 'tick1', 'tick2', 'promise1', 'promise2']);
    });

    it('runs each event after the ticks its middlewares queue', async () => {
      const log = await receiveTogether([1, 2], (socket, log) => {
        socket.use(([, n], next) => {
          log.push(`use${n}`);
          process.nextTick(() => log.push(`use-tick${n}`));
          next();
        });
      });
      assert.deepEqual(log, ['use1', 'use2', 'use-tick1', 'e1', 'use-tick2', 'e2', 'tick1', 'tick2', 'promise1', 'promise2']);
    });
  });
}
