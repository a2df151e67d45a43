'use strict';

// Faults: handlers that throw don't break the server, and io.close() under traffic
// lets the process exit. Each server runs in a child process; against socket.io too.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { fork, spawn } = require('node:child_process');
const { join } = require('node:path');
const { io: connect } = require('socket.io-client');
const { waitEvent, waitUntil } = require('./support/helpers');

const servers = [
  { name: 'sio-rs', module: join(__dirname, '..') },
  { name: 'socket.io', module: 'socket.io' },
];

for (const { name, module } of servers) {
  describe(`${name}: faults`, () => {
    let app;
    let url;
    const uncaught = [];
    const clients = [];
    before(async () => {
      app = fork(join(__dirname, 'support', 'throwing-app.js'), [module]);
      app.on('message', (message) => message.uncaught && uncaught.push(message.uncaught));
      const [{ port }] = await waitEvent(app, 'message');
      url = `http://127.0.0.1:${port}`;
    });
    after(() => {
      for (const client of clients) client.disconnect();
      app.kill();
    });

    function client(auth = {}, transports = ['websocket']) {
      const socket = connect(url, { forceNew: true, reconnection: false, transports, auth });
      clients.push(socket);
      return socket;
    }

    async function stillServing() {
      const bystander = client({}, ['polling', 'websocket']);
      assert.equal(await bystander.timeout(3000).emitWithAck('echo', 'fine'), 'fine');
      bystander.disconnect();
    }

    async function threw(message) {
      await waitUntil(() => uncaught.includes(message));
      await stillServing();
    }

    it('survives an event handler that throws, and keeps that client', async () => {
      const socket = client();
      await waitEvent(socket, 'connect');
      socket.emit('boom');
      await threw('handler threw');
      assert.equal(await socket.timeout(3000).emitWithAck('echo', 'after'), 'after');
    });

    it('survives a connection listener that throws', async () => {
      const socket = client({ throwIn: 'connection' });
      await waitEvent(socket, 'connect');
      await threw('connection threw');
      assert.equal(await socket.timeout(3000).emitWithAck('echo', 'after'), 'after');
    });

    it('survives an ack callback that throws', async () => {
      const socket = client({ throwIn: 'ack' });
      socket.on('ask', (ack) => ack());
      await waitEvent(socket, 'connect');
      await threw('ack threw');
      assert.equal(await socket.timeout(3000).emitWithAck('echo', 'after'), 'after');
    });

    it('survives a socket middleware that throws', async () => {
      const socket = client();
      await waitEvent(socket, 'connect');
      socket.emit('guarded');
      await threw('socket middleware threw');
    });

    it('survives a namespace middleware that throws', async () => {
      const socket = client({ throwIn: 'middleware' });
      await threw('middleware threw');
      socket.disconnect();
    });

    it('forgets the clients once they leave', async () => {
      for (const socket of clients) socket.disconnect();
      const deadline = Date.now() + 5000;
      let held;
      do {
        app.send('held');
        [{ held }] = await waitEvent(app, 'message');
      } while (held.sessions > 0 && Date.now() < deadline);
      assert.deepEqual(held, { sessions: 0, sockets: 0 });
    });
  });

  it(`${name}: io.close() under traffic closes everything and the process exits`, async () => {
    const child = spawn(process.execPath, [join(__dirname, 'support', 'close-under-load.js'), module], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = await waitEvent(child, 'exit', 20_000);
    clearTimeout(timer);
    assert.deepEqual([code, signal], [0, null]);
    const stats = JSON.parse(output);
    assert.ok(stats.acks > 0 && stats.broadcasts > 0, output);
    assert.equal(stats.disconnected, 40);
  });
}
