'use strict';

// Every refusal of the reference, over raw HTTP, raw upgrades and raw WebSockets.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const WebSocket = require('ws');
const { startEngine, waitEvent, waitUntil, request, pollingHandshake, delay } = require('./support/helpers');

const PATH = '/engine.io/';

/** Sends a raw HTTP upgrade request; resolves with everything the server wrote. */
function rawUpgrade(port, target, headers = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const lines = [
      `GET ${target} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const chunks = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 2000);
  });
}

function wsUrl(ctx, query) {
  return `ws://127.0.0.1:${ctx.port}${PATH}?${query}`;
}

describe('engine request errors', () => {
  let ctx;
  const connectionErrors = [];
  before(async () => {
    ctx = await startEngine({
      maxHttpBufferSize: 100,
      allowRequest: (req, callback) => {
        const denied = Boolean(req.headers['x-deny']);
        callback(denied ? 'denied by test' : null, !denied);
      },
    });
    ctx.engine.on('connection_error', (error) => connectionErrors.push(error));
  });
  after(() => ctx.close());

  const cases = [
    ['missing transport', 'GET', '?EIO=4', 400, 0, 'Transport unknown'],
    ['unknown transport', 'GET', '?EIO=4&transport=abc', 400, 0, 'Transport unknown'],
    ['missing protocol version', 'GET', '?transport=polling', 400, 5, 'Unsupported protocol version'],
    ['protocol v3', 'GET', '?EIO=3&transport=polling', 400, 5, 'Unsupported protocol version'],
    ['handshake by POST', 'POST', '?EIO=4&transport=polling', 400, 2, 'Bad handshake method'],
    ['handshake by PUT', 'PUT', '?EIO=4&transport=polling', 400, 2, 'Bad handshake method'],
    ['unknown session', 'GET', '?EIO=4&transport=polling&sid=nope', 400, 1, 'Session ID unknown'],
    ['websocket without upgrade', 'GET', '?EIO=4&transport=websocket', 400, 3, 'Bad request'],
  ];
  for (const [name, method, query, status, code, message] of cases) {
    it(`refuses ${name} with code ${code}`, async () => {
      const before = connectionErrors.length;
      const res = await request(`${ctx.url}${PATH}${query}`, { method });
      assert.equal(res.status, status);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(res.body), { code, message });
      assert.equal(connectionErrors.length, before + 1);
      assert.equal(connectionErrors.at(-1).code, code);
      assert.equal(connectionErrors.at(-1).message, message);
    });
  }

  it('answers 403 with the allowRequest message', async () => {
    const res = await request(`${ctx.url}${PATH}?EIO=4&transport=polling`, { headers: { 'x-deny': '1' } });
    assert.equal(res.status, 403);
    assert.deepEqual(JSON.parse(res.body), { code: 4, message: 'denied by test' });
  });

  it('refuses a websocket request on a polling session without upgrade', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const res = await request(`${ctx.url}${PATH}?EIO=4&transport=websocket&sid=${sid}`);
    assert.deepEqual(JSON.parse(res.body), { code: 3, message: 'Bad request' });
  });

  it('answers 500 to other methods on a session', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const res = await request(`${ctx.url}${PATH}?EIO=4&transport=polling&sid=${sid}`, { method: 'PUT' });
    assert.equal(res.status, 500);
  });

  it('answers 413 over maxHttpBufferSize and keeps the session', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const target = `${ctx.url}${PATH}?EIO=4&transport=polling&sid=${sid}`;
    const big = await request(target, { method: 'POST', body: `4${'x'.repeat(200)}` });
    assert.equal(big.status, 413);
    const small = await request(target, { method: 'POST', body: '4ok' });
    assert.equal(small.status, 200);
    assert.equal(small.body, 'ok');
    assert.equal(small.headers['content-type'], 'text/html');
    assert.equal(small.headers['cache-control'], 'no-store');
  });

  it('refuses binary POST bodies and closes the session', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const target = `${ctx.url}${PATH}?EIO=4&transport=polling&sid=${sid}`;
    const res = await request(target, {
      method: 'POST',
      body: '4hi',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(res.status, 400);
    const after = await request(target);
    assert.deepEqual(JSON.parse(after.body), { code: 1, message: 'Session ID unknown' });
  });

  it('answers an overlapping GET with 400 and closes the session', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const target = `${ctx.url}${PATH}?EIO=4&transport=polling&sid=${sid}`;
    const closed = new Promise((resolve) => {
      const socket = ctx.engine.clients[sid];
      socket.once('close', resolve);
    });
    const first = request(target);
    await delay(50);
    const second = await request(target);
    assert.equal(second.status, 400);
    assert.equal((await first).body, '1');
    assert.equal(await closed, 'transport error');
    const third = await request(target);
    assert.equal(JSON.parse(third.body).code, 1);
  });

  it('closes the session on an invalid packet (parse error)', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const socket = ctx.engine.clients[sid];
    const closed = waitEvent(socket, 'close');
    await request(`${ctx.url}${PATH}?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: 'x' });
    assert.deepEqual(await closed, ['parse error', undefined]);
  });

  it('closes the session on a ping from the client (transport error)', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const closed = waitEvent(ctx.engine.clients[sid], 'close');
    await request(`${ctx.url}${PATH}?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: '2' });
    assert.equal((await closed)[0], 'transport error');
  });

  it('closes the session when a parked GET is cancelled', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const closed = waitEvent(ctx.engine.clients[sid], 'close');
    const socket = net.connect(ctx.port, '127.0.0.1');
    socket.write(`GET ${PATH}?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await delay(100);
    socket.destroy();
    assert.equal((await closed)[0], 'transport error');
  });

  it('answers refused upgrades with a raw 400', async () => {
    const unknown = await rawUpgrade(ctx.port, `${PATH}?EIO=4&transport=websocket&sid=nope`);
    assert.equal(
      unknown,
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\nContent-Length: 18\r\n\r\nSession ID unknown',
    );
    const transport = await rawUpgrade(ctx.port, `${PATH}?EIO=4&transport=nope`);
    assert.ok(transport.endsWith('\r\n\r\nTransport unknown'));
    const version = await rawUpgrade(ctx.port, `${PATH}?EIO=3&transport=websocket`);
    // As the reference: the 101 first, then the refusal (it checks the protocol after `ws`).
    assert.match(version, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.ok(version.endsWith('\r\n\r\nHTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\nContent-Length: 28\r\n\r\nUnsupported protocol version'));
    const denied = await rawUpgrade(ctx.port, `${PATH}?EIO=4&transport=websocket`, { 'x-deny': '1' });
    assert.ok(denied.endsWith('\r\n\r\ndenied by test'));
  });

  it('refuses invalid WebSocket handshakes like ws does', async () => {
    const socket = net.connect(ctx.port, '127.0.0.1');
    socket.write(
      `GET ${PATH}?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n` +
        'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n',
    );
    const chunks = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    await waitEvent(socket, 'close');
    const response = Buffer.concat(chunks).toString();
    assert.ok(response.startsWith('HTTP/1.1 400 Bad Request\r\n'));
    assert.ok(response.endsWith('Missing or invalid Sec-WebSocket-Key header'));
    // Nothing is kept for a handshake that never opened a session.
    await waitUntil(() => ctx.engine._pendingRequests.size === 0);
  });

  it('closes a WebSocket over maxHttpBufferSize with 1009', async () => {
    const connected = waitEvent(ctx.engine, 'connection');
    const ws = new WebSocket(wsUrl(ctx, 'EIO=4&transport=websocket'));
    await waitEvent(ws, 'open');
    const [socket] = await connected;
    const serverClosed = waitEvent(socket, 'close');
    const clientClosed = waitEvent(ws, 'close');
    ws.send(`4${'x'.repeat(200)}`);
    assert.equal((await clientClosed)[0], 1009);
    assert.equal((await serverClosed)[0], 'transport error');
  });

  it('closes a WebSocket session on a parse error or a client ping', async () => {
    for (const [frame, reason] of [['x', 'parse error'], ['2', 'transport error']]) {
      const connected = waitEvent(ctx.engine, 'connection');
      const ws = new WebSocket(wsUrl(ctx, 'EIO=4&transport=websocket'));
      const opened = waitEvent(ws, 'message');
      const [socket] = await connected;
      await opened;
      const closed = waitEvent(socket, 'close');
      ws.send(frame);
      assert.equal((await closed)[0], reason);
      ws.terminate();
    }
  });

  it('refuses polling on a session that upgraded', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const upgraded = waitEvent(ctx.engine.clients[sid], 'upgrade');
    const ws = new WebSocket(wsUrl(ctx, `EIO=4&transport=websocket&sid=${sid}`));
    await waitEvent(ws, 'open');
    ws.send('2probe');
    assert.equal((await waitEvent(ws, 'message'))[0].toString(), '3probe');
    ws.send('5');
    await upgraded;
    const res = await request(`${ctx.url}${PATH}?EIO=4&transport=polling&sid=${sid}`);
    assert.deepEqual(JSON.parse(res.body), { code: 3, message: 'Bad request' });
    const second = new WebSocket(wsUrl(ctx, `EIO=4&transport=websocket&sid=${sid}`));
    await waitEvent(second, 'close');
    ws.close();
  });

  it('refuses requests a middleware fails', async () => {
    const failing = await startEngine();
    failing.engine.use((req, res, next) => next(new Error('nope')));
    const res = await request(`${failing.url}${PATH}?EIO=4&transport=polling`);
    assert.deepEqual(JSON.parse(res.body), { code: 3, message: 'Bad request' });
    const upgrade = await rawUpgrade(failing.port, `${PATH}?EIO=4&transport=websocket`);
    assert.ok(upgrade.endsWith('\r\n\r\nBad request'));
    await failing.close();
  });
});
