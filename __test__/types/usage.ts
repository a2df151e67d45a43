// Compiled with `tsc --noEmit` in `npm test`: a TypeScript app written for socket.io's
// typings compiles unchanged against sio-rs. Lines marked @ts-expect-error must fail.

import { createServer } from 'node:http';
import { Server, Socket, Namespace, type DefaultEventsMap, type RemoteSocket } from '../..';

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

// The three cases of issue 28 found with a typed app under `tsc --strict`.
interface IssueEvents {
  withAck: (d: string, cb: (n: number) => void) => void;
  noArg: () => void;
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

// emitWithAck after timeout() resolves with the ack's value; broadcasts of an event
// without arguments take no callback; the adapter has its room events and maps.
const issue = new Server<IssueEvents, IssueEvents>();
issue.on('connection', async (socket) => {
  const n: number = await socket.timeout(1000).emitWithAck('withAck', 'x');
  socket.broadcast.emit('noArg');
  socket.to('room').emit('noArg');
  void n;
});
issue.of('/').adapter.on('join-room', (room, id) => {
  const where: string = room;
  const who: string = id;
  void [where, who];
});
const members: Map<string, Set<string>> = issue.of('/').adapter.rooms;
const memberships: Map<string, Set<string>> = issue.of('/').adapter.sids;
void [members, memberships];

// What an app reads from sockets and does with fetched ones.
io.on('connection', (socket) => {
  const token: string | string[] | undefined = socket.handshake.query.token;
  const transport: string = socket.conn.transport.name;
  const address: string = socket.handshake.address;
  socket.conn.once('upgrade', () => void socket.conn.transport.name);
  socket.on('drain', () => socket.emit('news', 'drained', 0));
  if (!socket.emit('news', 'maybe queued', 0)) socket.once('drain', () => {});
  void [token, transport, address];
});
io.in('room').fetchSockets().then((sockets) => {
  for (const remote of sockets) {
    const typedRemote: RemoteSocket<ServerToClientEvents, SocketData> = remote;
    typedRemote.timeout(100).emit('confirm', 5, (err, replies) => void [err, replies]);
    remote.join('other');
    remote.leave('room');
    remote.disconnect(true);
  }
});
io.of('/chat').adapter.on('leave-room', (room, id) => void [room, id]);
