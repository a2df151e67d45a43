'use strict';

// `node close-under-load.js <module>`: a server and 40 clients (WebSocket and polling)
// exchanging acks and broadcasts; after 300 ms the server closes. The process must then
// exit on its own. Prints what went through before the close, as JSON.

const { once } = require('node:events');
const { io: connect } = require('socket.io-client');
const { Server } = require(process.argv[2]);

async function main() {
  const io = new Server(0);
  if (!io.httpServer.listening) await once(io.httpServer, 'listening');
  const url = `http://127.0.0.1:${io.httpServer.address().port}`;
  io.on('connection', (socket) => {
    socket.join('all');
    socket.on('echo', (data, ack) => ack(data));
  });
  const stats = { acks: 0, broadcasts: 0, disconnected: 0 };
  const clients = Array.from({ length: 40 }, (_, i) =>
    connect(url, { reconnection: false, transports: i % 2 ? ['polling'] : ['websocket'] }),
  );
  await Promise.all(clients.map((client) => once(client, 'connect')));
  for (const client of clients) {
    client.on('news', () => stats.broadcasts++);
    client.on('disconnect', () => stats.disconnected++);
    const loop = () => client.connected && client.emit('echo', 'x'.repeat(100), () => (stats.acks++, loop()));
    for (let i = 0; i < 4; i++) loop();
  }
  const ticker = setInterval(() => io.to('all').emit('news', Date.now()), 1);
  setTimeout(() => {
    clearInterval(ticker);
    io.close();
  }, 300);
  process.on('exit', () => console.log(JSON.stringify(stats)));
}

main();
