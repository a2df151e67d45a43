'use strict';

// Long-polling on `new Server(port)`, over raw keep-alive connections, against socket.io
// and sio-rs alike: sio-rs's listener answers a session's GETs and POSTs itself, and the
// bytes, the hooks that see them and the session's fate must be the reference's.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { once } = require('node:events');
const zlib = require('node:zlib');
const { implementations, startServer } = require('./support/sio');

/** A keep-alive connection sending one request at a time and reading whole responses. */
function connection(port) {
  const socket = net.connect(port, '127.0.0.1');
  let buffered = '';
  let waiting = null;
  const tryResolve = () => {
    if (!waiting) return;
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = buffered.slice(0, end);
    const rest = buffered.slice(end + 4);
    const length = /\r\nContent-Length: (\d+)/i.exec(head);
    let size;
    if (length) size = Number(length[1]);
    else if (/\r\nTransfer-Encoding: chunked/i.test(head)) {
      const last = rest.indexOf('0\r\n\r\n');
      if (last === -1) return;
      size = last + 5;
    } else size = 0;
    if (rest.length < size) return;
    buffered = rest.slice(size);
    const resolve = waiting;
    waiting = null;
    resolve({ head, body: rest.slice(0, size) });
  };
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    buffered += chunk;
    tryResolve();
  });
  const closed = once(socket, 'close');
  return {
    socket,
    closed,
    send(method, sid, body = '', extraHeaders = []) {
      const headers = [`Host: 127.0.0.1`, ...extraHeaders];
      if (method === 'POST') headers.push('Content-Type: text/plain;charset=UTF-8', `Content-Length: ${body.length}`);
      socket.write(`${method} /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${body}`);
      return new Promise((resolve) => {
        waiting = resolve;
        tryResolve();
      });
    },
  };
}

/** Opens a polling session with a request of its own; resolves with its sid. */
async function handshake(port) {
  const body = await new Promise((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', path: '/socket.io/?EIO=4&transport=polling', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  return JSON.parse(body.slice(1)).sid;
}

/** The bytes of a chunked body. */
function dechunk(body) {
  const parts = [];
  for (let at = 0; ; ) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = parseInt(body.slice(at, lineEnd), 16);
    if (size === 0) return Buffer.from(parts.join(''), 'latin1');
    parts.push(body.slice(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** A response head with its `Date` value masked. */
function masked(head) {
  return head.replace(/\r\nDate: [^\r]+/, '\r\nDate: *');
}

/**
 * A server and a polling session opened by a request of its own, then a fresh keep-alive
 * connection on which the session's namespace CONNECT was posted.
 */
async function connectedSession(t, impl, { opts = {}, setup = () => {} } = {}) {
  const ctx = await startServer(impl, opts);
  t.after(() => ctx.close());
  setup(ctx);
  const sid = await handshake(ctx.port);
  // The handshake's connection (Node's in both servers) is closed by now.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const nodeConnections = ctx.io.httpServer._connections;
  const conn = connection(ctx.port);
  t.after(() => conn.socket.destroy());
  const connected = once(ctx.io, 'connection');
  const posted = await conn.send('POST', sid, '40');
  const [socket] = await connected;
  return { ctx, sid, conn, posted, socket, nodeConnections };
}

for (const impl of implementations) {
  describe(`${impl.name}: long-polling on new Server(port)`, () => {
    it("answers a session's POST and GET on one keep-alive connection with Node's bytes", async (t) => {
      const { ctx, sid, conn, posted, socket, nodeConnections } = await connectedSession(t, impl);
      assert.equal(
        masked(posted.head),
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\ncache-control: no-store\r\n' +
          'Date: *\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5',
      );
      assert.equal(posted.body, 'ok');
      const polled = await conn.send('GET', sid);
      const payload = `40{"sid":"${socket.id}"}`;
      assert.equal(
        masked(polled.head),
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: ${payload.length}\r\n` +
          'cache-control: no-store\r\nDate: *\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5',
      );
      assert.equal(polled.body, payload);
      // sio-rs answered both in Rust: Node's HTTP server never got this connection.
      if (impl.name === 'sio-rs') assert.equal(ctx.io.httpServer._connections, nodeConnections);
    });

    it('answers a parked GET when the server emits, and takes events from POSTs', async (t) => {
      const { ctx, sid, conn: poster, socket } = await connectedSession(t, impl);
      const poller = connection(ctx.port);
      t.after(() => poller.socket.destroy());
      await poller.send('GET', sid);
      const parked = poller.send('GET', sid);
      const received = once(socket, 'greet');
      await poster.send('POST', sid, '42["greet","from the client"]\x1e42["greet","again"]');
      assert.deepEqual(await received, ['from the client']);
      socket.emit('hi', { n: 1 });
      const { body } = await parked;
      assert.equal(body, '42["hi",{"n":1}]');
    });

    it('ends the session when the client closes its parked GET', async (t) => {
      const { ctx, sid, socket } = await connectedSession(t, impl);
      const poller = connection(ctx.port);
      await poller.send('GET', sid);
      poller.send('GET', sid);
      // Once the GET is parked (the server has nothing to send), the client gives up.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const disconnected = once(socket, 'disconnect');
      poller.socket.destroy();
      assert.equal((await disconnected)[0], 'transport error');
    });

    it("lets the HTTP server's request listeners see a session's polling requests", async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      const sid = await handshake(ctx.port);
      const seen = [];
      const listener = (req) => seen.push(`${req.method} ${req.url}`);
      ctx.io.httpServer.on('request', listener);
      const first = connection(ctx.port);
      t.after(() => first.socket.destroy());
      const connected = once(ctx.io, 'connection');
      assert.equal((await first.send('POST', sid, '40')).body, 'ok');
      assert.deepEqual(seen, [`POST /socket.io/?EIO=4&transport=polling&sid=${sid}`]);
      await connected;
      ctx.io.httpServer.removeListener('request', listener);
      const second = connection(ctx.port);
      t.after(() => second.socket.destroy());
      assert.match((await second.send('GET', sid)).body, /^40\{"sid":"/);
      assert.equal(seen.length, 1);
    });

    it("keeps the HTTP server's keep-alive timeout when the app sets one", async (t) => {
      const setup = (ctx) => (ctx.io.httpServer.keepAliveTimeout = 65000);
      const { posted } = await connectedSession(t, impl, { setup });
      assert.match(posted.head, /\r\nKeep-Alive: timeout=65$/);
    });

    it('compresses a large answer as httpCompression says, and only then', async (t) => {
      // With a `request` listener, sio-rs leaves polling to Node: both ways are checked.
      for (const [encoding, inflate, listener] of [
        ['gzip', zlib.gunzipSync, false],
        ['deflate', zlib.inflateSync, false],
        ['gzip', zlib.gunzipSync, true],
      ]) {
        const setup = (ctx) => listener && ctx.io.httpServer.on('request', () => {});
        const { ctx, sid, conn, socket, nodeConnections } = await connectedSession(t, impl, { setup });
        const accept = [`Accept-Encoding: ${encoding}`];
        // The connect reply is below the threshold: sent as it is.
        const small = await conn.send('GET', sid, '', accept);
        assert.doesNotMatch(small.head, /Content-Encoding/);
        const text = 'x'.repeat(2000);
        const answer = conn.send('GET', sid, '', accept);
        socket.emit('big', text);
        const { head, body } = await answer;
        // As the reference pipes a zlib stream: chunked, no length.
        assert.equal(
          masked(head),
          `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Encoding: ${encoding}\r\n` +
            'cache-control: no-store\r\nDate: *\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n' +
            'Transfer-Encoding: chunked',
        );
        assert.equal(inflate(dechunk(body)).toString(), `42["big","${text}"]`);
        if (impl.name === 'sio-rs' && !listener) assert.equal(ctx.io.httpServer._connections, nodeConnections);
      }
    });

    it('sends large answers as they are with httpCompression off', async (t) => {
      const { sid, conn, socket } = await connectedSession(t, impl, { opts: { httpCompression: false } });
      await conn.send('GET', sid);
      const answer = conn.send('GET', sid, '', ['Accept-Encoding: gzip']);
      socket.emit('big', 'y'.repeat(2000));
      const { head, body } = await answer;
      assert.doesNotMatch(head, /Content-Encoding/);
      assert.equal(body, `42["big","${'y'.repeat(2000)}"]`);
    });

    it('refuses an unknown session on a fresh connection as the reference does', async (t) => {
      const ctx = await startServer(impl);
      t.after(() => ctx.close());
      const conn = connection(ctx.port);
      t.after(() => conn.socket.destroy());
      const refused = await conn.send('GET', 'not-a-session');
      assert.match(refused.head, /^HTTP\/1\.1 400 Bad Request\r\nContent-Type: application\/json\r\n/);
      assert.match(refused.body, /\{"code":1,"message":"Session ID unknown"\}/);
    });
  });
}
