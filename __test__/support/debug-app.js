'use strict';

// A Socket.IO server for the debug log tests, in a process of its own since `debug` reads
// `DEBUG` when it loads:
//
//   node debug-app.js <sio-rs|socket.io> <port|http|https>
//
// `port` is `new Server(0)`; `http` and `https` attach to a server of that kind. The app
// joins a room and acks `hello`, and has an `/admin` namespace. It prints its port on
// stdout, then closes once stdin ends.

const http = require('node:http');
const https = require('node:https');
const { once } = require('node:events');
const selfsigned = require('selfsigned');

const [implementation, mode] = process.argv.slice(2);
const { Server } = implementation === 'sio-rs' ? require('../..') : require('socket.io');
const options = { pingInterval: 100, pingTimeout: 200 };

async function start() {
  if (mode === 'port') {
    const io = new Server(0, options);
    if (!io.httpServer.listening) await once(io.httpServer, 'listening');
    return io;
  }
  const pems =
    mode === 'https' &&
    (await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { days: 1, keySize: 2048 }));
  const server = pems ? https.createServer({ key: pems.private, cert: pems.cert }) : http.createServer();
  const io = new Server(server, options);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return io;
}

start().then((io) => {
  io.on('connection', (socket) => {
    socket.on('hello', (value, ack) => {
      socket.join('room1');
      ack('ok');
    });
  });
  io.of('/admin');
  process.stdout.write(`${JSON.stringify({ port: io.httpServer.address().port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => io.close(() => process.exit(0)));
});
