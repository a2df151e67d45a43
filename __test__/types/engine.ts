// `sio-rs/engine`: the Engine.IO layer, typed like the `engine.io` package for what
// lib/engine implements. Compiled by `tsc -p __test__/types`, never run.

import { createServer, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import * as engineModule from 'sio-rs/engine';
import { Server, Socket, attach, listen, protocol, type ConnectionError, type Transport } from 'sio-rs/engine';
import { Server as SocketIoServer } from 'sio-rs';
import { typeOf } from './check';

const httpServer = createServer();

// ---------------------------------------------------------------- the module's shape

typeOf(protocol).is<4>();
typeOf(engineModule.Server).is<typeof Server>();
typeOf(engineModule.Socket).is<typeof Socket>();
typeOf(attach(httpServer)).is<Server>();
typeOf(attach(httpServer, { path: '/realtime', pingInterval: 5000 })).is<Server>();
typeOf(listen(3000)).is<Server>();
typeOf(listen(3000, () => {})).is<Server>();
typeOf(listen(3000, { transports: ['websocket'] }, () => {})).is<Server>();
typeOf(Server.errors.BAD_REQUEST).is<3>();
typeOf(Server.errorMessages[4]).is<'Forbidden'>();

// ---------------------------------------------------------------- options

const engine = new Server({
  pingInterval: 10000,
  pingTimeout: 5000,
  upgradeTimeout: 1000,
  maxHttpBufferSize: 1e5,
  outboundHighWaterMark: 1 << 20,
  maxOutboundBufferSize: 1 << 24,
  transports: ['polling', 'websocket'],
  allowUpgrades: false,
  httpCompression: { threshold: 2048, level: 3 },
  initialPacket: 'hello',
  cookie: { name: 'sid', httpOnly: true, sameSite: 'strict', path: '/' },
  cors: { origin: ['https://example.com', /\.example\.org$/], credentials: true },
  allowRequest: (req, fn) => fn(null, req.headers.origin !== undefined),
  allowEIO3: false,
  perMessageDeflate: false,
});
new Server();
new Server({ cookie: true, httpCompression: false, cors: (req, cb) => cb(null, { origin: true }) });
// @ts-expect-error: Engine.IO v3 clients are not supported
new Server({ allowEIO3: true });
// @ts-expect-error: WebSocket compression is not offered
new Server({ perMessageDeflate: { threshold: 1024 } });
// @ts-expect-error: the WebSocket engine cannot be replaced
new Server({ wsEngine: {} });
// @ts-expect-error: WebTransport is not offered
new Server({ transports: ['webtransport'] });
// @ts-expect-error: a number of milliseconds
new Server({ pingInterval: '10s' });

// ---------------------------------------------------------------- the server

engine.attach(httpServer, { path: '/engine', addTrailingSlash: false, destroyUpgrade: false });
engine.use((req, res, next) => {
  typeOf(req).is<IncomingMessage>();
  next(req.headers.authorization ? undefined : new Error('unauthorized'));
});
engine.generateId = (req) => `id-${req.url}`;
engine.generateId = async () => 'from-a-promise';
typeOf(engine.clientsCount).is<number>();
typeOf(engine.clients).is<Record<string, Socket>>();
typeOf(engine.close()).is<Server>();

engine.on('connection', (socket) => {
  typeOf(socket).is<Socket>();
  typeOf(socket.id).is<string>();
  typeOf(socket.request).is<IncomingMessage>();
  typeOf(socket.remoteAddress).is<string>();
  typeOf(socket.readyState).is<'opening' | 'open' | 'closing' | 'closed'>();
  typeOf(socket.transport.name).is<string>();
  typeOf(socket.transport.writable).is<boolean>();
  typeOf(socket.upgraded).is<boolean>();
  socket.on('message', (data) => typeOf(data).is<string | Buffer>());
  socket.on('close', (reason, description) => {
    typeOf(reason).is<string>();
    typeOf(description).is<unknown>();
  });
  socket.once('upgrade', (transport) => typeOf(transport).is<Transport>());
  socket.on('drain', () => {});
  socket.on('packetCreate', (packet) => typeOf(packet.type).is<engineModule.Packet['type']>());
  socket.on('some-other-event', (...args) => typeOf(args).is<any[]>());
  socket.send('text').send(Buffer.from([1])).write(new Uint8Array(2));
  // @ts-expect-error: send takes the data only (no options or callback in sio-rs)
  socket.send('text', { compress: true }, () => {});
  socket.close();
  socket.close(true);
});
engine.on('connection_error', (err) => {
  typeOf(err).is<ConnectionError>();
  typeOf(err.code).is<0 | 1 | 2 | 3 | 4 | 5>();
  typeOf(err.req).is<IncomingMessage>();
});
engine.on('initial_headers', (headers, req) => {
  typeOf(headers).is<OutgoingHttpHeaders>();
  headers['set-cookie'] = ['a=b'];
  void req;
});
engine.on('headers', (headers) => void headers);

// ---------------------------------------------------------------- under Socket.IO

const io = new SocketIoServer(httpServer);
typeOf(io.engine).is<Server>();
io.engine.on('connection_error', (err) => typeOf(err.message).is<string>());
io.engine.use((req, res, next) => next());
io.on('connection', (socket) => {
  typeOf(socket.conn).is<Socket>();
  typeOf(socket.client.conn).is<Socket>();
  socket.conn.once('upgrade', () => console.log(socket.conn.transport.name));
});
io.bind(new Server());
