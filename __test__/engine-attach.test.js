'use strict';

// How the engine sits in a Node HTTP server: routing, foreign upgrades, TLS, headers,
// CORS, cookies, custom ids, and letting the process exit after close.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const https = require('node:https');
const http = require('node:http');
const net = require('node:net');
const { spawn } = require('node:child_process');
const { Socket } = require('engine.io-client');
const WebSocket = require('ws');
const selfsigned = require('selfsigned');
const eio = require('../engine');
const sio = require('..');
const { startEngine, listening, waitEvent, waitEvents, request, pollingHandshake, delay } = require('./support/helpers');

describe('attaching to an http.Server', () => {
  it('leaves other routes to the application', async () => {
    const ctx = await startEngine();
    assert.equal((await request(`${ctx.url}/other?x=1`)).body, 'app:/other?x=1');
    // A pure prefix match on "/engine.io/": without the slash the app answers.
    assert.equal((await request(`${ctx.url}/engine.io?EIO=4&transport=polling`)).body, 'app:/engine.io?EIO=4&transport=polling');
    const nested = await request(`${ctx.url}/engine.io/default/?EIO=4&transport=polling`);
    assert.equal(nested.status, 200);
    assert.ok(nested.body.startsWith('0{"sid":'));
    await ctx.close();
  });

  it('matches without the trailing slash when addTrailingSlash is false', async () => {
    const ctx = await startEngine({ addTrailingSlash: false });
    const res = await request(`${ctx.url}/engine.io?EIO=4&transport=polling`);
    assert.ok(res.body.startsWith('0{"sid":'));
    await ctx.close();
  });

  it('keeps serving the app while WebSocket sessions are open', async () => {
    const ctx = await startEngine();
    const clients = Array.from({ length: 20 }, () => new Socket(ctx.url, { transports: ['websocket'] }));
    await Promise.all(clients.map((client) => waitEvent(client, 'open')));
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => request(`${ctx.url}/page/${i}`)));
    assert.deepEqual(answers.map((res) => res.body), answers.map((_, i) => `app:/page/${i}`));
    clients.forEach((client) => client.close());
    await ctx.close();
  });

  it('ends foreign upgrades nobody answered after destroyUpgradeTimeout', async () => {
    const ctx = await startEngine({ destroyUpgradeTimeout: 300 });
    const socket = net.connect(ctx.port, '127.0.0.1');
    socket.write('GET /other HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    const started = Date.now();
    socket.resume();
    await waitEvent(socket, 'close');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 280 && elapsed < 2000, `closed after ${elapsed} ms`);
    await ctx.close();
  });

  it('leaves foreign upgrades to another WebSocket server', async () => {
    const server = http.createServer();
    const ctx = await listening(server, eio.attach(server, { destroyUpgradeTimeout: 100 }));
    const other = new WebSocket.Server({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('from other'));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/other`);
    const [message] = await waitEvent(ws, 'message');
    assert.equal(message.toString(), 'from other');
    await delay(300);
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
    await ctx.close();
  });

  it('serves engine.io-client over https (bridged TLS sockets)', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { days: 1, keySize: 2048 });
    const server = https.createServer({ key: pems.private, cert: pems.cert });
    const engine = eio.attach(server, {});
    const ctx = await listening(server, engine, 'https');
    engine.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
    for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']]) {
      const client = new Socket(ctx.url, { transports, rejectUnauthorized: false });
      await waitEvent(client, 'open');
      if (transports.length === 2) await waitEvent(client, 'upgrade');
      const big = 'x'.repeat(100_000);
      client.send(big);
      client.send(Buffer.from([1, 2, 3]));
      const [[echo], [binary]] = await waitEvents(client, 'message', 2);
      assert.equal(echo, big);
      assert.deepEqual(Buffer.from(binary), Buffer.from([1, 2, 3]));
      assert.equal(client.transport.name, transports.at(-1));
      client.close();
    }
    await ctx.close();
  });

  it('fires initial_headers and headers on polling and WebSocket handshakes', async () => {
    const ctx = await startEngine();
    const seen = [];
    ctx.engine.on('initial_headers', (headers) => {
      seen.push('initial');
      headers['x-initial'] = 'yes';
    });
    ctx.engine.on('headers', (headers) => {
      seen.push('headers');
      headers['x-every'] = 'yes';
    });
    const { res, sid } = await pollingHandshake(ctx.url);
    assert.equal(res.headers['x-initial'], 'yes');
    assert.equal(res.headers['x-every'], 'yes');
    const poll = request(`${ctx.url}/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    ctx.engine.clients[sid].send('hi');
    const second = await poll;
    assert.equal(second.headers['x-initial'], undefined);
    assert.equal(second.headers['x-every'], 'yes');
    const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/engine.io/?EIO=4&transport=websocket`);
    const [upgrade] = await waitEvent(ws, 'upgrade');
    assert.equal(upgrade.headers['x-initial'], 'yes');
    assert.equal(upgrade.headers['x-every'], 'yes');
    assert.deepEqual(seen, ['initial', 'headers', 'headers', 'initial', 'headers']);
    ws.close();
    await ctx.close();
  });

  it('answers CORS preflights and adds the headers', async () => {
    const ctx = await startEngine({ cors: { origin: 'http://example.com', credentials: true } });
    const target = `${ctx.url}/engine.io/?EIO=4&transport=polling`;
    const preflight = await request(target, {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'http://example.com');
    assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
    const handshake = await request(target, { headers: { Origin: 'http://example.com' } });
    assert.equal(handshake.status, 200);
    assert.equal(handshake.headers['access-control-allow-origin'], 'http://example.com');
    await ctx.close();
  });

  it('sets the session cookie on the polling handshake only', async () => {
    const ctx = await startEngine({ cookie: true });
    const { res, sid } = await pollingHandshake(ctx.url);
    assert.deepEqual(res.headers['set-cookie'], [`io=${sid}; Path=/; HttpOnly; SameSite=Lax`]);
    const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/engine.io/?EIO=4&transport=websocket`);
    const [upgrade] = await waitEvent(ws, 'upgrade');
    assert.equal(upgrade.headers['set-cookie'], undefined);
    ws.close();
    await ctx.close();
    const custom = await startEngine({ cookie: { name: 'sticky', httpOnly: false, path: '/x' } });
    const second = await pollingHandshake(custom.url);
    assert.deepEqual(second.res.headers['set-cookie'], [`sticky=${second.sid}; Path=/x; SameSite=Lax`]);
    await custom.close();
  });

  it('uses generateId, sync or async, and refuses when it fails', async () => {
    const ctx = await startEngine();
    let next = 0;
    ctx.engine.generateId = () => (next++ % 2 ? Promise.resolve(`async-${next}`) : `sync-${next}`);
    assert.equal((await pollingHandshake(ctx.url)).sid, 'sync-1');
    assert.equal((await pollingHandshake(ctx.url)).sid, 'async-2');
    const connected = waitEvent(ctx.engine, 'connection');
    const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/engine.io/?EIO=4&transport=websocket`);
    assert.equal((await connected)[0].id, 'sync-3');
    // As in the reference, `connection` comes before the client has its handshake.
    await waitEvent(ws, 'open');
    ws.close();
    ctx.engine.generateId = () => Promise.reject(new Error('no id'));
    const res = await request(`${ctx.url}/engine.io/?EIO=4&transport=polling`);
    assert.deepEqual(JSON.parse(res.body), { code: 3, message: 'Bad request' });
    await ctx.close();
  });

  it('keeps the first request on the session', async () => {
    const ctx = await startEngine();
    const connected = waitEvent(ctx.engine, 'connection');
    const client = new Socket(ctx.url, { transports: ['websocket'], query: { token: 'abc' } });
    const [socket] = await connected;
    assert.equal(socket.request._query.token, 'abc');
    assert.equal(socket.request.headers.upgrade, 'websocket');
    assert.equal(socket.remoteAddress, '127.0.0.1');
    assert.equal(socket.protocol, 4);
    client.close();
    await ctx.close();
  });

  it('serves Engine.IO under /socket.io/ behind require("sio-rs")(httpServer)', async () => {
    const server = http.createServer();
    const io = sio(server);
    const ctx = await listening(server, io.engine);
    for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']]) {
      const client = new Socket(ctx.url, { path: '/socket.io/', transports });
      await waitEvent(client, 'open');
      client.close();
    }
    await io.close();
  });
});

describe('process lifetime', () => {
  it('lets node exit once the server is closed', async () => {
    const script = `
      const http = require('node:http');
      const { Socket } = require('engine.io-client');
      const sio = require(${JSON.stringify(require.resolve('..'))});
      const server = http.createServer();
      const io = sio(server);
      server.listen(0, '127.0.0.1', () => {
        const url = 'http://127.0.0.1:' + server.address().port;
        const clients = [['websocket'], ['polling'], ['polling', 'websocket']].map(
          (transports) => new Socket(url, { path: '/socket.io/', transports }));
        let open = 0;
        for (const client of clients) client.on('open', () => {
          if (++open === clients.length) setTimeout(() => io.close(() => console.log('closed')), 200);
        });
      });
    `;
    const child = spawn(process.execPath, ['-e', script], { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await waitEvent(child, 'exit', 15_000);
    clearTimeout(timer);
    assert.equal(signal, null, 'node did not exit by itself');
    assert.equal(code, 0);
    assert.equal(output.trim(), 'closed');
  });
});
