'use strict';

// An Engine.IO echo server on the Rust engine: every message comes back to its sender.
// Usage: node examples/engine-echo/server.js [port]

const http = require('node:http');
const eio = require('../../engine');

const port = Number(process.argv[2] || process.env.PORT || 3000);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('Engine.IO echo server: connect an engine.io-client to /engine.io/\n');
});
const engine = eio.attach(server, { cors: { origin: '*' } });
engine.on('connection', (socket) => {
  socket.on('message', (data) => socket.send(data));
});
server.listen(port, () => console.log(`listening on http://localhost:${port}`));
