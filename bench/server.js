'use strict';

// The benchmark app, identical on both servers:
//   echo (data, ack) -> ack(data);  join (room, ack) -> join + ack;  bcast (data) -> io.to('r').emit('msg', data)
// Usage: node bench/server.js socket.io|sio-rs PORT   (prints "ready" once listening)

const [impl, port] = process.argv.slice(2);
const { Server } = require(impl === 'sio-rs' ? '..' : 'socket.io');

const io = new Server(Number(port), { serveClient: false, maxHttpBufferSize: 1e6 });
io.on('connection', (socket) => {
  socket.on('echo', (data, ack) => ack(data));
  socket.on('join', (room, ack) => {
    socket.join(room);
    ack([]);
  });
  socket.on('bcast', (data) => io.to('r').emit('msg', data));
});

io.httpServer.on('listening', () => console.log('ready'));
process.on('SIGTERM', () => io.close(() => process.exit(0)));
