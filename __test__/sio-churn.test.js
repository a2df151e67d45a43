'use strict';

// Churn: connect/disconnect cycles over every transport leave nothing behind: no file
// descriptor, session, socket, room, namespace child or JS object, and memory comes
// back to within 10% of where it was. Against socket.io too, for what both expose.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { fork } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { implementations, startServer } = require('./support/sio');
const { waitUntil, waitEvent } = require('./support/helpers');
const { retainedRss } = require('./support/memory');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const CYCLES = { websocket: 600, polling: 300, upgrade: 300 };
const CONCURRENCY = 20;

function openFds() {
  return readdirSync('/proc/self/fd').length;
}

async function churn(url, mode, cycles) {
  const child = fork(join(__dirname, 'support', 'churn-clients.js'), [url, mode, cycles, CONCURRENCY]);
  const [report] = await waitEvent(child, 'message', 120_000);
  await waitEvent(child, 'exit');
  return report;
}

/**
 * Collects garbage until memory holds still; returns it. Each sample waits a moment: the
 * pages a collection frees go back to the system from background threads, and a sample
 * taken at once counts up to 7 MiB of them as still held.
 */
async function settledMemory() {
  let previous = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = retainedRss();
    if (Math.abs(now - previous) < previous * 0.01) return Math.min(now, previous);
    previous = now;
  }
  return previous;
}

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

for (const impl of implementations) {
  describe(`${impl.name}: churn`, () => {
    let ctx;
    let parent;
    before(async () => {
      // A short heartbeat also ends the sessions whose client left without a word.
      ctx = await startServer(impl, { cleanupEmptyChildNamespaces: true, pingInterval: 1000, pingTimeout: 1000 });
      const onConnection = (socket) => {
        socket.join(['everyone', `own-${socket.id}`]);
        socket.on('echo', (data, ack) => ack(data));
        socket.on('bye', () => socket.disconnect(true));
      };
      ctx.io.on('connection', onConnection);
      parent = ctx.io.of(/^\/dyn-\d+$/).on('connection', onConnection);
    });
    after(() => ctx.close());

    /** Everything the server holds once every client is gone. */
    function leftovers() {
      const { io } = ctx;
      const held = {
        sessions: io.engine.clientsCount,
        nsps: io._nsps.size,
        children: parent.children.size,
        rooms: io.of('/').adapter.rooms.size,
        sockets: io.of('/').sockets.size,
      };
      if (impl.name === 'sio-rs') {
        const { engine } = io;
        Object.assign(held, {
          native: engine.native.resources(),
          jsSessions: engine._sockets.size + Object.keys(engine.clients).length,
          jsPending: engine._pendingRequests.size + engine._parked.size + engine._bridges.size,
          jsSockets: io._socketsByHandle.size,
        });
      }
      return held;
    }

    let baseline;
    it('warms up with two rounds of every transport', async () => {
      // Until the heaps reach their working size, RSS grows with or without leaks; one
      // more round must then leave it where it was.
      for (let round = 0; round < 2; round++) {
        for (const [mode, cycles] of Object.entries(CYCLES)) {
          assert.deepEqual(await churn(ctx.url, mode, cycles), { done: cycles, failed: 0 });
        }
      }
      await waitUntil(() => ctx.io.engine.clientsCount === 0, 10_000);
      baseline = { fds: openFds(), memory: await settledMemory(), held: leftovers() };
    });

    for (const [mode, cycles] of Object.entries(CYCLES)) {
      it(`leaves nothing behind after ${cycles} cycles over ${mode}`, async () => {
        const report = await churn(ctx.url, mode, cycles);
        assert.deepEqual(report, { done: cycles, failed: 0 });
        await waitUntil(() => ctx.io.engine.clientsCount === 0, 10_000);
        assert.deepEqual(leftovers(), baseline.held);
        await waitUntil(() => openFds() <= baseline.fds, 5000);
      });
    }

    it('returns to within 10% of the memory it had', async () => {
      const rss = await settledMemory();
      assert.ok(rss < baseline.memory * 1.1, `RSS ${mib(rss)} vs ${mib(baseline.memory)} (V8's heap counted at its live size)`);
    });
  });
}
