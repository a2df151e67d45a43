'use strict';

// The app the install test builds in a fresh folder: its own HTTP route beside sio-rs, as an
// app that switched from socket.io has. Prints its port once it listens.

const http = require('node:http');

const httpServer = http.createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'Content-Type': 'text/plain' });
  res.end(req.url === '/health' ? 'app ok' : 'not found');
});

const io = require('sio-rs')(httpServer);

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(room);
    ack(`joined ${room}`);
  });
  socket.on('shout', (room, text) => io.to(room).emit('news', text));
});

httpServer.listen(0, '127.0.0.1', () => console.log(httpServer.address().port));
