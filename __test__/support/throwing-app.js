'use strict';

// `node throwing-app.js <module>` (forked): a server whose handlers throw when a client
// asks them to (`auth.throwIn`), with a process-wide `uncaughtException` listener as
// production apps have. Sends `{ port }`, then `{ uncaught: message }` for each error,
// and `{ held }` when asked.

const { once } = require('node:events');
const { Server } = require(process.argv[2]);

process.on('uncaughtException', (error) => process.send({ uncaught: error.message }));

async function main() {
  const io = new Server(0);
  if (!io.httpServer.listening) await once(io.httpServer, 'listening');
  const throwIn = (socket, where) => {
    if (socket.handshake.auth.throwIn === where) throw new Error(`${where} threw`);
  };
  io.use((socket, next) => {
    throwIn(socket, 'middleware');
    next();
  });
  io.on('connection', (socket) => {
    socket.on('echo', (data, ack) => ack(data));
    socket.on('boom', () => {
      throw new Error('handler threw');
    });
    socket.use((event, next) => {
      if (event[0] === 'guarded') throw new Error('socket middleware threw');
      next();
    });
    if (socket.handshake.auth.throwIn === 'ack') {
      socket.emit('ask', () => {
        throw new Error('ack threw');
      });
    }
    throwIn(socket, 'connection');
  });
  // What the server still holds: sessions, and for sio-rs its sockets on both sides.
  process.on('message', (message) => {
    if (message !== 'held') return;
    const { native } = io.engine;
    const sockets = native ? native.resources().sockets + io._socketsByHandle.size : 0;
    process.send({ held: { sessions: io.engine.clientsCount, sockets } });
  });
  process.send({ port: io.httpServer.address().port });
}

main();
