'use strict';

// Connection churn at scale: 100,000 connect/disconnect cycles (WebSocket, polling and
// upgrades, 60/20/20) against each server, in a process of its own, with real
// socket.io-client clients in another. Prints, every 20,000 cycles, the server's RSS
// (V8's heap counted at its live size, not at the pages it grew into) and what it still
// holds.
//
// Usage: node bench/churn.js [--cycles N] [--only socket.io|sio-rs]

const { fork } = require('node:child_process');
const path = require('node:path');
const { retainedRss } = require('../__test__/support/memory');

const clientsScript = path.join(__dirname, '..', '__test__', 'support', 'churn-clients.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const ROUND = 20_000;
const MIX = { websocket: 0.6, polling: 0.2, upgrade: 0.2 };

function runClients(url, mode, cycles) {
  return new Promise((resolve, reject) => {
    const child = fork(clientsScript, [url, mode, cycles, 50]);
    child.once('message', resolve);
    child.once('exit', (code) => code && reject(new Error(`clients exited with ${code}`)));
  });
}

/** One server under churn, in this process (started with --child <impl>). */
async function child(impl) {
  const { once } = require('node:events');
  const { Server } = require(impl === 'sio-rs' ? '..' : 'socket.io');
  const gc = require('node:vm').runInNewContext('gc');
  const io = new Server(0, { cleanupEmptyChildNamespaces: true, pingInterval: 2000, pingTimeout: 2000 });
  if (!io.httpServer.listening) await once(io.httpServer, 'listening');
  const url = `http://127.0.0.1:${io.httpServer.address().port}`;
  const onConnection = (socket) => {
    socket.join(['everyone', `own-${socket.id}`]);
    socket.on('echo', (data, ack) => ack(data));
    socket.on('bye', () => socket.disconnect(true));
  };
  io.on('connection', onConnection);
  const parent = io.of(/^\/dyn-\d+$/).on('connection', onConnection);
  const total = Number(option('--cycles', 100_000));
  let failed = 0;
  for (let done = 0; done < total; ) {
    const round = Math.min(ROUND, total - done);
    for (const [mode, share] of Object.entries(MIX)) {
      failed += (await runClients(url, mode, Math.round(round * share))).failed;
    }
    done += round;
    while (io.engine.clientsCount > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    gc();
    const native = io.engine.native?.resources();
    process.send({
      cycles: done,
      failed,
      rss_mib: Number((retainedRss() / 1048576).toFixed(1)),
      sessions: io.engine.clientsCount,
      namespaces: io._nsps.size,
      children: parent.children.size,
      rooms: io.of('/').adapter.rooms.size,
      ...(native && { native_sockets: native.sockets, native_rooms: native.rooms }),
    });
  }
  await io.close();
}

async function main() {
  const only = option('--only', '');
  for (const impl of ['socket.io', 'sio-rs'].filter((name) => !only || name === only)) {
    const server = fork(__filename, ['--child', impl, ...args], { execArgv: ['--expose-gc'] });
    const rows = [];
    server.on('message', (row) => {
      rows.push(row);
      console.error(`${impl}: ${JSON.stringify(row)}`);
    });
    await new Promise((resolve) => server.once('exit', resolve));
    const first = rows[0];
    const last = rows.at(-1);
    console.log(
      `| ${impl} | ${last.cycles.toLocaleString('en-US')} | ${last.failed} | ${first.rss_mib} | ${last.rss_mib} | ` +
        `${(last.rss_mib / first.rss_mib).toFixed(2)} | ${last.sessions} | ${last.rooms} | ${last.children} |`,
    );
  }
}

if (args[0] === '--child') child(args[1]);
else {
  console.log('| server | cycles | failed | RSS after the first 20k (MiB) | RSS at the end (MiB) | end / first | sessions left | rooms left | child namespaces left |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  main();
}
