'use strict';

// `DEBUG=socket.io:*,engine*`: a connection's life prints the reference's lines under its
// namespaces, in every attach mode, and the same lines with socket.io; without `DEBUG`
// nothing prints. The server runs in a child process (support/debug-app.js), the client
// here.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const WebSocket = require('ws');
const { io: connectClient } = require('socket.io-client');
const { implementations } = require('./support/sio');
const { delay } = require('./support/helpers');

const APP = path.join(__dirname, 'support', 'debug-app.js');
const ID = '[\\w-]{20}';

/** Starts the app with `env` (DEBUG...) added to a clean environment. */
async function startApp(implementation, mode, env) {
  const { DEBUG, DEBUG_COLORS, ...base } = process.env;
  const child = spawn(process.execPath, [APP, implementation, mode], {
    env: { ...base, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const [line] = await once(readline.createInterface({ input: child.stdout }), 'line');
  const scheme = mode === 'https' ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${JSON.parse(line).port}`,
    /** Closes the app and returns what it printed on stderr, line by line. */
    async stop() {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
      return stderr.split('\n').filter(Boolean);
    },
  };
}

/** A connection's life: connect, an acked emit, a second namespace, heartbeats, goodbye. */
async function connectionLife(url, transports) {
  const client = connectClient(url, { transports, forceNew: true, reconnection: false, rejectUnauthorized: false });
  await once(client, 'connect');
  assert.equal(await client.emitWithAck('hello', 'x'), 'ok');
  const admin = client.io.socket('/admin');
  await once(admin, 'connect');
  // pingInterval is 100 ms: a ping and its pong at least.
  await delay(250);
  admin.disconnect();
  await delay(50);
  client.disconnect();
  await delay(100);
}

/** The status of a GET to `url` (any certificate). */
function statusOf(url) {
  const client = url.startsWith('https') ? https : http;
  return new Promise((resolve, reject) => {
    client
      .get(url, { rejectUnauthorized: false }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
      .on('error', reject);
  });
}

/** Requests for a session that does not exist: a polling GET and a WebSocket upgrade. */
async function unknownSid(url) {
  const query = '/socket.io/?EIO=4&transport=polling&sid=nope';
  assert.equal(await statusOf(url + query), 400);
  const ws = new WebSocket(`${url.replace('http', 'ws')}${query.replace('polling', 'websocket')}`, {
    rejectUnauthorized: false,
  });
  const [error] = await once(ws, 'error');
  assert.match(error.message, /400/);
}

/** Each line (`namespace message`, after the timestamp) that `expected` names, in order. */
function assertInOrder(lines, expected) {
  const messages = lines.map((line) => line.replace(/^\S+Z /, ''));
  let from = 0;
  for (const wanted of expected) {
    const matches = (line) => (wanted instanceof RegExp ? wanted.test(line) : line === wanted);
    const index = messages.findIndex((line, i) => i >= from && matches(line));
    assert.ok(index !== -1, `missing, after line ${from}: ${wanted}\n${messages.join('\n')}`);
    from = index + 1;
  }
}

/**
 * The reference's lines for `connectionLife` then `unknownSid`: each list in order (the
 * lists interleave as the transports' timing has it).
 */
function lifeLines(upgrades) {
  const connection = [
    'socket.io:server initializing namespace /',
    /^socket\.io:server creating engine\.io instance with opts \{.*"pingInterval":100/,
    'socket.io:server initializing namespace /admin',
    new RegExp(`^engine handshaking client "${ID}"$`),
    /^engine:socket sending packet "open" \(\{"sid":/,
    new RegExp(`^socket\\.io:server incoming connection with id ${ID}$`),
    'engine:socket received packet message',
    'socket.io:client connecting to namespace /',
    'socket.io:namespace adding socket to nsp /',
    'socket.io:socket socket connected - writing packet',
    new RegExp(`^socket\\.io:socket join room ${ID}$`),
    new RegExp(`^engine:socket sending packet "message" \\(0\\{"sid":"${ID}"\\}\\)$`),
    /^engine:(ws|polling) received "420\["hello","x"\]"$/,
    'socket.io:socket got packet {"type":2,"nsp":"/","id":0,"data":["hello","x"]}',
    'socket.io:socket emitting event ["hello","x"]',
    'socket.io:socket attaching ack callback to event',
    'socket.io:socket dispatching an event ["hello","x",null]',
    'socket.io:socket join room room1',
    'socket.io:socket sending ack ["ok"]',
    'engine:socket sending packet "message" (30["ok"])',
    'socket.io:client connecting to namespace /admin',
    'socket.io:namespace adding socket to nsp /admin',
    'socket.io:socket got packet {"type":1,"nsp":"/admin"}',
    'socket.io:socket got disconnect packet',
    'socket.io:socket closing socket - reason client namespace disconnect',
    'socket.io:socket got packet {"type":1,"nsp":"/"}',
    'socket.io:socket got disconnect packet',
    'socket.io:socket closing socket - reason client namespace disconnect',
    'engine:socket readyState updated from open to closed',
    // A ping written as the client leaves can end it with a transport error.
    /^socket\.io:client client close with reason transport (close|error)$/,
    'engine unknown sid "nope"',
    'engine unknown sid "nope"',
  ];
  const heartbeat = [
    'engine:socket writing ping packet - expecting pong within 200ms',
    'engine:socket sending packet "ping" (undefined)',
    /^engine:(ws|polling) received "3"$/,
    'engine:socket got pong',
  ];
  if (!upgrades) return [connection, heartbeat];
  const polling = [
    'engine:polling setting request',
    /^engine:polling writing "0\{"sid":/,
    'engine setting new request for existing client',
    'engine:polling received "40"',
  ];
  const upgrade = [
    'engine upgrading existing transport',
    'engine:socket might upgrade socket transport from "polling" to "websocket"',
    'engine:ws received "2probe"',
    'engine:socket got probe ping packet, sending pong',
    'engine:ws received "5"',
    'engine:socket got upgrade packet - upgrading',
  ];
  return [connection, heartbeat, polling, upgrade];
}

const DEBUG_ON = { DEBUG: 'socket.io:*,engine*', DEBUG_COLORS: '0' };
const runs = [
  { mode: 'port', transports: ['websocket'] },
  { mode: 'port', transports: ['polling', 'websocket'] },
  { mode: 'http', transports: ['polling', 'websocket'] },
  { mode: 'https', transports: ['polling', 'websocket'] },
];

for (const { name } of implementations) {
  describe(`debug logs (${name})`, () => {
    for (const { mode, transports } of runs) {
      it(`print a connection's life (${mode}, ${transports.join(' then ')})`, async () => {
        const app = await startApp(name, mode, DEBUG_ON);
        await connectionLife(app.url, transports);
        await unknownSid(app.url);
        const lines = await app.stop();
        for (const expected of lifeLines(transports.length > 1)) assertInOrder(lines, expected);
      });
    }

    it('print only the namespaces DEBUG names', async () => {
      const app = await startApp(name, 'port', { DEBUG: 'socket.io:socket', DEBUG_COLORS: '0' });
      await connectionLife(app.url, ['websocket']);
      const lines = await app.stop();
      assertInOrder(lines, ['socket.io:socket got disconnect packet']);
      const namespaces = new Set(lines.map((line) => line.split(' ')[1]));
      assert.deepEqual([...namespaces], ['socket.io:socket']);
    });

    it('print nothing without DEBUG', async () => {
      for (const mode of ['port', 'http']) {
        const app = await startApp(name, mode, {});
        await connectionLife(app.url, ['polling', 'websocket']);
        await unknownSid(app.url);
        assert.deepEqual(await app.stop(), []);
      }
    });
  });
}

describe('debug logs (sio-rs only)', () => {
  it('print the refusals Rust writes, with their status and message', async () => {
    const app = await startApp('sio-rs', 'port', DEBUG_ON);
    await unknownSid(app.url);
    const socket = net.connect(new URL(app.url).port, '127.0.0.1');
    socket.end(
      'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n' +
        'Upgrade: websocket\r\nSec-WebSocket-Version: 12\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    let response = '';
    socket.setEncoding('utf8').on('data', (chunk) => (response += chunk));
    await once(socket, 'close');
    assert.match(response, /^HTTP\/1\.1 400 /);
    assertInOrder(await app.stop(), [
      'engine unknown sid "nope"',
      'engine request refused with 400: Session ID unknown',
      'engine request refused with 400: Missing or invalid Sec-WebSocket-Version header',
    ]);
  });
});
