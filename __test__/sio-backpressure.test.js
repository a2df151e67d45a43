'use strict';

// Backpressure (sio-rs only: socket.io buffers without limit and has no signal): bounded
// outbound queues, `emit()` returning false above the high-water mark, `drain`, and a
// client that stops reading dropped without costing anyone else.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { fork } = require('node:child_process');
const { join } = require('node:path');
const https = require('node:https');
const selfsigned = require('selfsigned');
const { Server } = require('..');
const { waitEvent, waitUntil, delay } = require('./support/helpers');
const { rawWebSocket, frame } = require('./support/raw-websocket');
const { nativeRss } = require('./support/memory');

const MiB = 1024 * 1024;

async function start(opts) {
  const io = new Server(0, opts);
  if (!io.httpServer.listening) await once(io.httpServer, 'listening');
  return { io, port: io.httpServer.address().port };
}

/** A Socket.IO client on a raw WebSocket that joins `/` and then stops reading. */
async function stalledClient(io, port, options) {
  const connected = waitEvent(io, 'connection');
  const socket = await rawWebSocket(port, '/socket.io/', options);
  socket.write(frame(0x1, '40'));
  const [serverSide] = await connected;
  socket.pause();
  return { socket, serverSide };
}

describe('backpressure', () => {
  let ctx;
  afterEach(() => ctx?.io.close());

  it('drops only a client that stops reading while 100 MB are broadcast, with bounded memory', async () => {
    ctx = await start({});
    ctx.io.on('connection', (socket) => socket.join('r'));
    const readers = fork(join(__dirname, 'support', 'reader-process.js'), [
      `http://127.0.0.1:${ctx.port}`,
      'websocket',
      'polling,websocket',
    ]);
    const received = [
      { count: 0, bytes: 0 },
      { count: 0, bytes: 0 },
    ];
    let ready = 0;
    let readersDisconnected = 0;
    readers.on('message', (report) => {
      if (report.ready) ready++;
      else if (report.disconnected) readersDisconnected++;
      else received[report.index] = report;
    });
    try {
      await waitUntil(() => ready === 2);
      const { serverSide } = await stalledClient(ctx.io, ctx.port);
      const dropped = waitEvent(serverSide, 'disconnect', 20_000);

      const baseline = nativeRss();
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, nativeRss())), 5);
      const payload = 'x'.repeat(MiB);
      const rounds = 100;
      for (let round = 1; round <= rounds; round++) {
        ctx.io.to('r').emit('msg', payload);
        // The readers keep up; only the stalled client falls behind.
        await waitUntil(() => received.every((r) => r.count >= round - 4), 20_000);
      }
      await waitUntil(() => received.every((r) => r.count === rounds), 20_000);
      clearInterval(sampler);

      const [reason, description] = await dropped;
      assert.equal(reason, 'transport error');
      assert.equal(description?.message, 'outbound buffer full');
      assert.deepEqual(
        received.map((r) => r.bytes),
        [rounds * MiB, rounds * MiB],
      );
      assert.equal(readersDisconnected, 0);
      assert.equal(ctx.io.engine.clientsCount, 2);
      // The queues are Rust's, so native memory is what a bound holds down. Without one the
      // stalled client's queue would end up holding all 100 MB (measured: about +100 MiB of
      // native memory, against +15 to +18 MiB with the default 16 MiB bound). V8's heap is
      // left out: all it holds here is the garbage of this test's own 1 MiB JSON strings,
      // which grows by 5 to 35 MiB depending on when V8 collects it.
      const grownMiB = (peak - baseline) / MiB;
      assert.ok(grownMiB < 40, `native memory grew by ${grownMiB.toFixed(1)} MiB`);
    } finally {
      readers.kill();
    }
  });

  it('emit() returns false above the high-water mark, and the socket emits drain once the client reads', async () => {
    ctx = await start({ outboundHighWaterMark: 256 * 1024, maxOutboundBufferSize: 64 * MiB });
    const { socket: raw, serverSide } = await stalledClient(ctx.io, ctx.port);

    // Fill the kernel's buffers and the writer's, until the queue stays above the mark.
    const chunk = 'y'.repeat(64 * 1024);
    let stuck = false;
    for (let sent = 0; !stuck && sent < 48 * MiB; sent += chunk.length) {
      if (!serverSide.emit('chunk', chunk)) {
        await delay(50);
        stuck = !serverSide.emit('probe');
      }
      await new Promise(setImmediate);
    }
    assert.ok(stuck, 'the queue never stayed above the high-water mark');
    let drains = 0;
    serverSide.on('drain', () => drains++);
    const connDrain = waitEvent(serverSide.conn, 'drain', 10_000);
    await delay(100);
    assert.equal(drains, 0, 'drained while the client was not reading');

    const drained = waitEvent(serverSide, 'drain', 10_000);
    raw.resume();
    await drained;
    await connDrain;
    assert.equal(serverSide.emit('after', 'small'), true);
    assert.ok(serverSide.connected);
    raw.destroy();
  });

  it('bounds what a TLS client that stops reading costs (bridged sockets)', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { days: 1, keySize: 2048 });
    const httpsServer = https.createServer({ key: pems.private, cert: pems.cert });
    const io = new Server(httpsServer, { maxOutboundBufferSize: 4 * MiB });
    ctx = { io };
    httpsServer.listen(0, '127.0.0.1');
    await once(httpsServer, 'listening');
    const { socket: raw, serverSide } = await stalledClient(io, httpsServer.address().port, { secure: true });
    try {
      const dropped = waitEvent(serverSide, 'disconnect', 10_000);
      const chunk = 'w'.repeat(64 * 1024);
      // 64 MiB offered; Node's TLS socket must not end up buffering them.
      for (let i = 0; i < 1024 && serverSide.connected; i++) {
        serverSide.emit('chunk', chunk);
        await new Promise(setImmediate);
      }
      const [reason, description] = await dropped;
      assert.equal(reason, 'transport error');
      assert.equal(description?.message, 'outbound buffer full');
    } finally {
      raw.destroy();
    }
  });

  it('keeps a client that reads slowly but within the bound', async () => {
    ctx = await start({ maxOutboundBufferSize: 4 * MiB });
    const { socket: raw, serverSide } = await stalledClient(ctx.io, ctx.port);
    // 2 MiB, under the bound: the client is kept and gets it all once it reads.
    for (let i = 0; i < 32; i++) serverSide.emit('chunk', 'z'.repeat(64 * 1024));
    await delay(200);
    assert.ok(serverSide.connected);
    let bytes = 0;
    raw.on('data', (data) => (bytes += data.length));
    raw.resume();
    await waitUntil(() => bytes >= 2 * MiB);
    assert.ok(serverSide.connected);
    raw.destroy();
  });
});
