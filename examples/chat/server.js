'use strict';

// A chat with nicknames and rooms on sio-rs, served with the bundled browser client.
// Usage: node examples/chat/server.js [port]   (then open http://localhost:3000)

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { Server } = require('../..');

const port = Number(process.argv[2] || process.env.PORT || 3000);
const page = fs.readFileSync(path.join(__dirname, 'public', 'index.html'));

const httpServer = http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/index.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(page);
  }
  res.writeHead(404);
  res.end('not found');
});

const io = new Server(httpServer);

io.on('connection', (socket) => {
  socket.data.nickname = 'anonymous';
  socket.data.room = null;

  socket.on('nickname', (name, ack) => {
    const nickname = String(name).trim().slice(0, 32);
    if (!nickname) return ack?.({ ok: false, error: 'empty nickname' });
    socket.data.nickname = nickname;
    ack?.({ ok: true, nickname });
  });

  socket.on('join', async (name, ack) => {
    const room = String(name).trim().slice(0, 32);
    if (!room) return ack?.({ ok: false, error: 'empty room name' });
    if (socket.data.room) {
      socket.leave(socket.data.room);
      socket.to(socket.data.room).emit('notice', `${socket.data.nickname} left`);
    }
    socket.data.room = room;
    socket.join(room);
    socket.to(room).emit('notice', `${socket.data.nickname} joined`);
    const members = (await io.in(room).fetchSockets()).map((s) => s.data.nickname);
    ack?.({ ok: true, room, members });
  });

  socket.on('message', (text) => {
    if (!socket.data.room) return;
    io.to(socket.data.room).emit('message', {
      from: socket.data.nickname,
      text: String(text).slice(0, 1000),
      at: Date.now(),
    });
  });

  socket.on('disconnecting', () => {
    if (socket.data.room) socket.to(socket.data.room).emit('notice', `${socket.data.nickname} left`);
  });
});

httpServer.listen(port, () => console.log(`chat on http://localhost:${port}`));

module.exports = { io, httpServer };
