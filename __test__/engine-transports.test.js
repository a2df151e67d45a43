'use strict';

// The real engine.io-client against the Rust engine, over every transport mode.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Socket } = require('engine.io-client');
const { startEngine, waitEvent, waitUntil, delay } = require('./support/helpers');

const modes = {
  'websocket only': { transports: ['websocket'], expected: 'websocket' },
  'polling only': { transports: ['polling'], expected: 'polling' },
  'polling then upgrade': { transports: ['polling', 'websocket'], expected: 'websocket' },
};

describe('engine transports with engine.io-client', () => {
  let ctx;
  before(async () => {
    ctx = await startEngine({ pingInterval: 200, pingTimeout: 300 });
    ctx.engine.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  });
  after(() => ctx.close());

  for (const [mode, { transports, expected }] of Object.entries(modes)) {
    it(`echoes text and binary (${mode})`, async () => {
      const connected = waitEvent(ctx.engine, 'connection');
      const client = new Socket(ctx.url, { transports });
      await waitEvent(client, 'open');
      const [serverSocket] = await connected;
      assert.equal(serverSocket.transport.name, transports[0]);
      assert.match(serverSocket.id, /^[\w-]{20}$/);
      if (expected !== transports[0]) await waitEvent(serverSocket, 'upgrade');
      const received = [];
      client.on('message', (data) => received.push(data));
      client.send('héllo ✓');
      client.send(Buffer.from([0, 1, 2, 255]));
      while (received.length < 2) await waitEvent(client, 'message');
      assert.deepEqual(received[0], 'héllo ✓');
      assert.deepEqual(Buffer.from(received[1]), Buffer.from([0, 1, 2, 255]));
      assert.equal(client.transport.name, expected);
      assert.equal(serverSocket.transport.name, expected);
      const closed = waitEvent(serverSocket, 'close');
      client.close();
      const [reason] = await closed;
      assert.equal(reason, 'transport close');
    });
  }

  it('keeps sessions alive across many heartbeats', async () => {
    for (const transports of [['websocket'], ['polling']]) {
      const client = new Socket(ctx.url, { transports });
      await waitEvent(client, 'open');
      let pings = 0;
      client.on('ping', () => pings++);
      await delay(1200);
      assert.ok(pings >= 4, `only ${pings} pings over ${transports}`);
      assert.equal(client.readyState, 'open');
      client.close();
    }
  });

  it('announces the options in the open packet', async () => {
    const client = new Socket(ctx.url, { transports: ['polling'] });
    const [handshake] = await waitEvent(client, 'handshake');
    assert.deepEqual(Object.keys(handshake), ['sid', 'upgrades', 'pingInterval', 'pingTimeout', 'maxPayload']);
    assert.equal(handshake.pingInterval, 200);
    assert.equal(handshake.pingTimeout, 300);
    assert.equal(handshake.maxPayload, 1e6);
    assert.deepEqual(handshake.upgrades, ['websocket']);
    client.close();
  });

  it('counts clients and closes them all', async () => {
    await waitUntil(() => ctx.engine.clientsCount === 0);
    const clients = [new Socket(ctx.url, { transports: ['websocket'] }), new Socket(ctx.url, { transports: ['polling'] })];
    await Promise.all(clients.map((client) => waitEvent(client, 'open')));
    // The client may read its open packet before the server's thread hears of the session.
    await waitUntil(() => ctx.engine.clientsCount === 2);
    assert.equal(Object.keys(ctx.engine.clients).length, 2);
    const closes = clients.map((client) => waitEvent(client, 'close'));
    const reasons = Object.values(ctx.engine.clients).map((socket) => waitEvent(socket, 'close'));
    ctx.engine.close();
    assert.deepEqual((await Promise.all(reasons)).map(([reason]) => reason), ['forced close', 'forced close']);
    await Promise.all(closes);
    assert.equal(ctx.engine.clientsCount, 0);
  });

  it('closes a session from the server after flushing it', async () => {
    for (const transports of [['websocket'], ['polling']]) {
      const connected = waitEvent(ctx.engine, 'connection');
      const client = new Socket(ctx.url, { transports });
      const opened = waitEvent(client, 'open');
      const [serverSocket] = await connected;
      await opened;
      const got = waitEvent(client, 'message');
      const serverClosed = waitEvent(serverSocket, 'close');
      const clientClosed = waitEvent(client, 'close');
      serverSocket.send('last words');
      serverSocket.close();
      assert.deepEqual(await got, ['last words']);
      const [reason] = await serverClosed;
      assert.equal(reason, 'forced close');
      await clientClosed;
    }
  });
});

describe('engine options', () => {
  it('sends initialPacket after the open packet', async () => {
    const ctx = await startEngine({ initialPacket: 'welcome' });
    const client = new Socket(ctx.url, { transports: ['websocket'] });
    const [data] = await waitEvent(client, 'message');
    assert.equal(data, 'welcome');
    client.close();
    await ctx.close();
  });

  it('announces no upgrade when allowUpgrades is false', async () => {
    const ctx = await startEngine({ allowUpgrades: false });
    const client = new Socket(ctx.url);
    const [handshake] = await waitEvent(client, 'handshake');
    assert.deepEqual(handshake.upgrades, []);
    await delay(100);
    assert.equal(client.transport.name, 'polling');
    client.close();
    await ctx.close();
  });

  it('serves websocket only when polling is disabled', async () => {
    const ctx = await startEngine({ transports: ['websocket'] });
    const client = new Socket(ctx.url, { transports: ['websocket'] });
    await waitEvent(client, 'open');
    client.close();
    const failing = new Socket(ctx.url, { transports: ['polling'] });
    const [error] = await waitEvent(failing, 'error');
    assert.equal(error.message, 'xhr poll error');
    failing.close();
    await ctx.close();
  });
});
