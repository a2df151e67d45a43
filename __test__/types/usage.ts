// Compiled with `tsc --noEmit` in `npm test`: a TypeScript app written for socket.io's
// typings compiles unchanged against sio-rs. Lines marked @ts-expect-error must fail.

import { createServer } from 'node:http';
import { Server, Socket, Namespace, type DefaultEventsMap } from '../..';

interface ClientToServerEvents {
  hello: (name: string) => void;
  ask: (question: number, ack: (answer: string) => void) => void;
}

interface ServerToClientEvents {
  news: (headline: string, priority: number) => void;
  confirm: (id: number, ack: (ok: boolean) => void) => void;
}

interface InterServerEvents {
  ping: () => void;
}

interface SocketData {
  user: string;
}

const httpServer = createServer();
const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
  pingInterval: 10000,
  cors: { origin: '*' },
});

io.use((socket, next) => {
  socket.data.user = String(socket.handshake.auth.token);
  next();
});

io.on('connection', (socket) => {
  const typed: Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData> = socket;
  const user: string = typed.data.user;
  socket.on('hello', (name) => {
    const upper: string = name.toUpperCase();
    socket.emit('news', upper, 1);
  });
  socket.on('ask', (question, ack) => ack(`${question + 1}`));
  socket.emit('confirm', 1, (ok) => {
    const flag: boolean = ok;
    void flag;
  });
  socket.timeout(1000).emit('confirm', 2, (err, ok) => {
    if (err) return;
    const flag: boolean = ok;
    void flag;
  });
  socket.emitWithAck('confirm', 3).then((ok) => {
    const flag: boolean = ok;
    void flag;
  });
  socket.to('room').emit('news', 'to a room', 2);
  socket.join(['a', 'b']);
  socket.on('disconnect', (reason) => {
    const text: string = reason;
    void text;
  });
  // @ts-expect-error: news takes a string and a number
  socket.emit('news', 1, 'wrong');
  // @ts-expect-error: unknown events are refused by the typed map
  socket.emit('unknown-event');
  void user;
});

io.timeout(500).emit('confirm', 4, (err, responses) => {
  const all: boolean[] = responses;
  void err;
  void all;
});
io.to('room').except('other').emit('news', 'broadcast', 3);
io.serverSideEmit('ping');

const chat: Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData> = io.of('/chat');
chat.on('connection', (socket) => socket.emit('news', 'chat', 0));
io.of(/^\/dynamic-\d+$/).on('connection', (socket) => socket.join('dyn'));

io.fetchSockets().then((sockets) => {
  for (const socket of sockets) socket.emit('news', socket.data.user, socket.rooms.size);
});

const untyped = new Server<DefaultEventsMap>(3000);
untyped.on('connection', (socket) => {
  socket.emit('anything', 1, { a: 2 });
  socket.on('whatever', (...args: unknown[]) => void args);
});
untyped.engine.on('connection_error', (err: { code: number; message: string }) => void err);
const clients: number = untyped.engine.clientsCount;
void clients;

io.close().then(() => untyped.close());
