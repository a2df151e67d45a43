'use strict';

// `new Server(port)`: the server's own listener (Rust's in sio-rs) and the `httpServer`
// that stands for it, against socket.io and sio-rs alike. Every JS hook that must see
// the handshake still sees it, whichever way the connection was accepted.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { once } = require('node:events');
const { implementations, startServer, pair } = require('./support/sio');

const websocket = { transports: ['websocket'] };

/** The raw response to one request over a fresh connection. */
function rawResponse(port, requestHead) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(requestHead));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      // One response is enough: the WebSocket's frames follow a 101.
      if (/\r\n\r\n/.test(text)) setTimeout(() => socket.destroy(), 100);
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

for (const impl of implementations) {
  describe(`${impl.name}: new Server(port)`, () => {
    it('reports its listener through httpServer: listening, address(), close(callback)', async () => {
      const io = new impl.module.Server(0);
      assert.ok(io.httpServer instanceof http.Server);
      await once(io.httpServer, 'listening');
      assert.equal(io.httpServer.listening, true);
      const address = io.httpServer.address();
      assert.equal(address.address, '::');
      assert.equal(address.family, 'IPv6');
      assert.ok(address.port > 0);
      const closed = new Promise((resolve) => io.close(resolve));
      assert.equal(await closed, undefined);
      assert.equal(io.httpServer.listening, false);
      const again = await new Promise((resolve) => io.httpServer.close(resolve));
      assert.equal(again.code, 'ERR_SERVER_NOT_RUNNING');
      // Nothing listens any more.
      const refused = await new Promise((resolve) => {
        const socket = net.connect(address.port, '127.0.0.1');
        socket.on('connect', () => resolve(false));
        socket.on('error', (error) => resolve(error.code));
      });
      assert.equal(refused, 'ECONNREFUSED');
    });

    it('has freed its port when close calls back: listening on it again works at once', async () => {
      let io = new impl.module.Server(0);
      await once(io.httpServer, 'listening');
      const { port } = io.httpServer.address();
      // The race is between the callback and the listening socket's closing: try often.
      for (let round = 0; round < 30; round++) {
        await new Promise((resolve) => io.close(resolve));
        io = new impl.module.Server(port);
        // `once` rejects with the `error` event (EADDRINUSE) instead.
        const outcome = await once(io.httpServer, 'listening').then(
          () => 'listening',
          (error) => error.code,
        );
        assert.equal(outcome, 'listening', `round ${round}`);
      }
      await new Promise((resolve) => io.close(resolve));
    });

    it('emits close once, when connections Node served were open at close', async () => {
      const io = new impl.module.Server(0);
      await once(io.httpServer, 'listening');
      const { port } = io.httpServer.address();
      let closes = 0;
      io.httpServer.on('close', () => closes++);
      // A polling handshake on a keep-alive connection, which Node serves.
      const agent = new http.Agent({ keepAlive: true });
      await new Promise((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`, { agent }, (res) => {
            res.resume().on('end', resolve);
          })
          .on('error', reject);
      });
      await new Promise((resolve) => io.close(resolve));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(closes, 1);
      agent.destroy();
    });

    it('emits error when the port is taken', async () => {
      const first = await startServer(impl);
      const second = new impl.module.Server(first.port);
      const [error] = await once(second.httpServer, 'error');
      assert.equal(error.code, 'EADDRINUSE');
      assert.equal(error.syscall, 'listen');
      assert.equal(error.port, first.port);
      await first.close();
    });

    it('serves the handshake a WebSocket client sends, with its request', async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      const { socket } = await pair(ctx, { ...websocket, extraHeaders: { 'x-probe': 'a' }, query: { q: '1' } });
      const { request, handshake } = socket;
      assert.ok(request instanceof http.IncomingMessage);
      assert.equal(request.method, 'GET');
      assert.match(request.url, /^\/socket\.io\/\?q=1&EIO=4&transport=websocket/);
      assert.equal(request.headers['x-probe'], 'a');
      assert.equal(request.headers.upgrade, 'websocket');
      assert.ok(request.rawHeaders.includes('x-probe'));
      assert.equal(request.socket.remoteAddress, '::ffff:127.0.0.1');
      assert.equal(handshake.address, '::ffff:127.0.0.1');
      assert.equal(handshake.headers['x-probe'], 'a');
      assert.equal(handshake.query.q, '1');
      assert.equal(handshake.secure, false);
      assert.equal(handshake.xdomain, false);
      assert.equal(socket.conn.remoteAddress, '::ffff:127.0.0.1');
    });

    it('joins repeated headers the way Node does', async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      const opened = once(ctx.io.engine, 'connection');
      const response = rawResponse(
        ctx.port,
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n' +
          'Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
          'X-Twice: a\r\nX-Twice: b\r\nCookie: c=1\r\nCookie: d=2\r\n\r\n',
      );
      const [conn] = await opened;
      assert.match(await response, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.equal(conn.request.headers['x-twice'], 'a, b');
      assert.equal(conn.request.headers.cookie, 'c=1; d=2');
    });

    it('answers refused WebSocket handshakes as the reference does', async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      const upgrade =
        'Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
      const unknownSid = await rawResponse(ctx.port, `GET /socket.io/?EIO=4&transport=websocket&sid=nope HTTP/1.1\r\n${upgrade}`);
      assert.match(unknownSid, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(unknownSid, /Session ID unknown$/);
      // The protocol is checked once the WebSocket is accepted: a 101, then the refusal.
      const eio3 = await rawResponse(ctx.port, `GET /socket.io/?EIO=3&transport=websocket HTTP/1.1\r\n${upgrade}`);
      assert.match(eio3, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(eio3, /\r\n\r\nHTTP\/1\.1 400 Bad Request\r\n[^]*Unsupported protocol version$/);
      const badKey = await rawResponse(
        ctx.port,
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n' +
          'Connection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      assert.match(badKey, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(badKey, /Missing or invalid Sec-WebSocket-Key header$/);
    });

    it('still runs engine middlewares, allowRequest, generateId and header hooks on WebSocket handshakes', async (t) => {
      const seen = [];
      const ctx = await startServer(impl, {
        allowRequest: (req, callback) => {
          seen.push('allowRequest');
          callback(null, req.headers['x-allowed'] === 'yes');
        },
      });
      t.after(() => ctx.close());
      ctx.io.engine.use((req, res, next) => {
        seen.push('middleware');
        next();
      });
      let ids = 0;
      ctx.io.engine.generateId = () => `chosen-${++ids}`;
      ctx.io.engine.on('initial_headers', (headers) => {
        headers['x-initial'] = 'yes';
      });
      const errors = [];
      ctx.io.engine.on('connection_error', (error) => errors.push(error.message));
      const refused = ctx.client('/', { ...websocket, extraHeaders: { 'x-allowed': 'no' } });
      await once(refused, 'connect_error');
      assert.deepEqual(errors, ['Forbidden']);
      const response = await rawResponse(
        ctx.port,
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n' +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          'Sec-WebSocket-Version: 13\r\nX-Allowed: yes\r\n\r\n',
      );
      assert.match(response, /\r\nx-initial: yes\r\n/i);
      const { socket } = await pair(ctx, { ...websocket, extraHeaders: { 'x-allowed': 'yes' } });
      assert.match(socket.conn.id, /^chosen-\d+$/);
      assert.ok(seen.includes('allowRequest'));
      assert.ok(seen.indexOf('middleware') < seen.indexOf('allowRequest'));
    });

    it('lets connection and upgrade listeners on httpServer see every connection', async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      let connections = 0;
      ctx.io.httpServer.on('connection', () => connections++);
      await pair(ctx, websocket);
      assert.equal(connections, 1);
      const served = await fetch(`${ctx.url}/socket.io/?EIO=4&transport=polling`);
      assert.equal(served.status, 200);
      assert.ok(connections >= 2);
    });

    it('serves polling, upgrades, the client bundle and other paths', async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      for (const transports of [['polling'], ['polling', 'websocket']]) {
        const { client, socket } = await pair(ctx, { transports });
        socket.on('echo', (data, ack) => ack(data));
        assert.equal(await client.emitWithAck('echo', transports.join()), transports.join());
      }
      const bundle = await fetch(`${ctx.url}/socket.io/socket.io.js`);
      assert.equal(bundle.status, 200);
      assert.match(bundle.headers.get('content-type'), /javascript/);
      const other = await fetch(`${ctx.url}/elsewhere`);
      assert.equal(other.status, 404);
    });

    it('serves a handshake whose head is too big to peek at (a 6 KB cookie)', async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      const cookie = 'k='.padEnd(6000, 'v');
      const connected = once(ctx.io, 'connection');
      ctx.client('/', { ...websocket, extraHeaders: { cookie } });
      const [socket] = await connected;
      assert.equal(socket.handshake.headers.cookie, cookie);
    });

    it('keeps the process alive while listening, and lets it exit once closed', async () => {
      const script = `
        const { Server } = require(${JSON.stringify(impl.name === 'sio-rs' ? require.resolve('..') : require.resolve('socket.io'))});
        const io = new Server(0);
        io.httpServer.on('listening', () => {
          setTimeout(() => { console.log('still here'); io.close(); }, 200);
        });
      `;
      const { execFileSync } = require('node:child_process');
      const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10000 });
      assert.equal(output.trim(), 'still here');
    });
  });
}

