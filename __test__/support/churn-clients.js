'use strict';

// Connect/disconnect cycles by real socket.io-client sockets, in a process of their own
// so that the server's process holds only what the server keeps:
// `node churn-clients.js <url> <websocket|polling|upgrade> <cycles> <concurrency>`.
// Each cycle joins `/` and a dynamic namespace, checks an ack, then ends one of three
// ways: the client disconnects, the server disconnects it, or the connection is closed.
// Sends `{ done, failed }` to the parent over IPC and exits.

const { io } = require('socket.io-client');

const TRANSPORTS = {
  websocket: ['websocket'],
  polling: ['polling'],
  upgrade: ['polling', 'websocket'],
};

function once(emitter, event, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" in ${ms} ms`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

async function cycle(url, mode, i) {
  const root = io(url, { forceNew: true, reconnection: false, transports: TRANSPORTS[mode] });
  const child = root.io.socket(`/dyn-${i % 7}`);
  child.connect();
  try {
    await Promise.all([once(root, 'connect'), once(child, 'connect')]);
    if (mode === 'upgrade' && root.io.engine.transport.name !== 'websocket') {
      await once(root.io.engine, 'upgrade');
    }
    const echoed = await root.timeout(10_000).emitWithAck('echo', i);
    if (echoed !== i) throw new Error(`echo of ${i} came back as ${echoed}`);
    const gone = Promise.all([once(root, 'disconnect'), once(child, 'disconnect')]);
    switch (i % 3) {
      case 0:
        root.disconnect();
        child.disconnect();
        break;
      case 1:
        root.emit('bye');
        break;
      default:
        root.io.engine.close();
    }
    await gone;
  } finally {
    root.io.engine?.close();
  }
}

async function main() {
  const [url, mode, cycles, concurrency] = process.argv.slice(2);
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < Number(cycles)) {
      const i = next++;
      await cycle(url, mode, i).catch((error) => {
        failed++;
        if (failed <= 3) console.error(`cycle ${i}: ${error.message}`);
      });
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  // Polling clients send their close packet after "disconnect": let those requests go out.
  await new Promise((resolve) => setTimeout(resolve, 300));
  process.send({ done: Number(cycles), failed }, () => process.exit(0));
}

main();
