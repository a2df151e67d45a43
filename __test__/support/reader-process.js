'use strict';

// Real socket.io-client readers in a process of their own, so that what they allocate
// does not count in the server's memory: `node reader-process.js <url> <transports>...`.
// Each client reports every `msg` it receives to the parent over IPC.

const { io } = require('socket.io-client');

const [url, ...transportSets] = process.argv.slice(2);
transportSets.forEach((set, index) => {
  const socket = io(url, { forceNew: true, reconnection: false, transports: set.split(',') });
  let count = 0;
  let bytes = 0;
  socket.on('connect', () => {
    const ready = () => process.send({ index, ready: true });
    if (socket.io.engine.transport.name === 'websocket') return ready();
    socket.io.engine.once('upgrade', ready);
  });
  socket.on('msg', (data) => {
    count++;
    bytes += data.length;
    process.send({ index, count, bytes });
  });
  socket.on('disconnect', (reason) => process.send({ index, disconnected: reason }));
});
process.on('disconnect', () => process.exit(0));
