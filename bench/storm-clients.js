'use strict';

// A reconnection storm's clients: `node storm-clients.js <url> <count>` connects `count`
// real socket.io-client sockets (default transports and reconnection settings), reports
// `{ connected }`, then, once the server went away and came back, `{ back, stranded,
// times }`: how many reconnected, how many did not within 60 s, and each one's time from
// its disconnect to its reconnect (ms).

const { io } = require('socket.io-client');

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const STRANDED_AFTER = 60_000;

const sockets = [];
const times = [];
let disconnected = 0;

function finish() {
  const back = times.length;
  process.send({ back, stranded: count - back, times }, () => process.exit(0));
}

function watch(socket) {
  let lostAt = null;
  socket.on('disconnect', () => {
    lostAt = Date.now();
    if (++disconnected === 1) setTimeout(finish, STRANDED_AFTER);
  });
  socket.on('connect', () => {
    if (lostAt === null) return;
    times.push(Date.now() - lostAt);
    lostAt = null;
    if (times.length === count) finish();
  });
}

async function main() {
  // The first connections go in batches, so that setting up is not itself a storm.
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => {
      const socket = io(url, { forceNew: true });
      sockets.push(socket);
      return new Promise((resolve) => socket.once('connect', resolve));
    });
    await Promise.all(batch);
  }
  for (const socket of sockets) watch(socket);
  process.send({ connected: sockets.length });
}

main();
