'use strict';

// One regression per class of socket.io advisory (see the project's research notes):
// each attack gets the reference's answer for the one client that sent it, and a
// bystander connected all along is still served. Runs against socket.io and sio-rs.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const WebSocket = require('ws');
const { implementations, startServer, pair } = require('./support/sio');
const { waitEvent, waitUntil, request } = require('./support/helpers');

const WS_HEADERS =
  'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

const placeholder = (num) => JSON.stringify({ _placeholder: true, num });

/**
 * Packets a client may write that the server must refuse, as Socket.IO packets (the engine
 * adds the message type `4` itself): [what, the error the socket hears, text, ...binary].
 */
const invalidPackets = [
  ['an object as event name (CVE-2023-32695)', 'invalid payload', '2[{"a":1}]'],
  ['an empty event', 'invalid payload', '2[]'],
  ['a null event name', 'invalid payload', '2[null]'],
  ['the reserved name "connect"', 'invalid payload', '2["connect"]'],
  ['the reserved name "connect_error"', 'invalid payload', '2["connect_error"]'],
  ['the reserved name "disconnecting"', 'invalid payload', '2["disconnecting"]'],
  ['the reserved name "newListener"', 'invalid payload', '2["newListener"]'],
  ['an unterminated payload', 'invalid payload', '2["ev"'],
  ['an unknown packet type', 'unknown packet type 9', '9'],
  ['a non-numeric placeholder (CVE-2022-2421)', 'illegal attachments', `51-["ev",${placeholder('splice')}]`, Buffer.from([1])],
  ['an out-of-range placeholder', 'illegal attachments', `51-["ev",${placeholder(5)}]`, Buffer.from([1])],
  ['a negative placeholder', 'illegal attachments', `51-["ev",${placeholder(-1)}]`, Buffer.from([1])],
  ['a binary event announcing no attachment', 'Illegal attachments', '50-["ev"]'],
  ['a binary event with an empty attachment count', 'Illegal attachments', '5-["ev"]'],
  ['a fractional attachment count', 'Illegal attachments', '51.5-["ev"]'],
  ['more than 10 attachments (CVE-2026-33151)', 'too many attachments', '511-["ev"]'],
];

/** Writes `head` on a raw connection; resolves with the first line of the answer. */
function rawRequest(port, head) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
      if (received.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(received.split('\r\n')[0]));
    socket.write(head);
  });
}

for (const impl of implementations) {
  describe(`${impl.name}: hostile clients`, () => {
    let ctx;
    let bystander;
    before(async () => {
      ctx = await startServer(impl, { pingInterval: 300, pingTimeout: 200, upgradeTimeout: 300 });
      ctx.io.on('connection', (socket) => socket.on('echo', (data, ack) => ack(data)));
      ({ client: bystander } = await pair(ctx, { transports: ['websocket'] }));
    });
    after(() => ctx.close());

    async function bystanderServed() {
      assert.equal(await bystander.timeout(2000).emitWithAck('echo', 'still here'), 'still here');
    }

    for (const [what, message, text, ...attachments] of invalidPackets) {
      it(`closes the connection that sends ${what}`, async () => {
        const { client, socket } = await pair(ctx, { transports: ['websocket'] });
        const errors = [];
        socket.on('error', (error) => errors.push(error.message));
        const events = [];
        socket.onAny((event) => events.push(event));
        const gone = waitEvent(socket, 'disconnect');
        client.io.engine.write(text);
        for (const attachment of attachments) client.io.engine.write(attachment);
        assert.equal((await gone)[0], 'forced close');
        assert.deepEqual(errors, [message]);
        assert.deepEqual(events, []);
        await bystanderServed();
      });
    }

    it('takes numeric event names, as the parser does', async () => {
      const { client, socket } = await pair(ctx, { transports: ['websocket'] });
      const received = waitEvent(socket, 1);
      client.io.engine.write('2[1,"x"]');
      assert.deepEqual(await received, ['x']);
      client.disconnect();
    });

    it('gives undefined for a placeholder with a fractional index in range', async () => {
      const { client, socket } = await pair(ctx, { transports: ['websocket'] });
      const received = waitEvent(socket, 'ev');
      client.io.engine.write(`51-["ev",${placeholder(0.5)},${placeholder(0)}]`);
      client.io.engine.write(Buffer.from([7]));
      const [fraction, buffer] = await received;
      assert.equal(fraction, undefined);
      assert.deepEqual([...Buffer.from(buffer)], [7]);
      client.disconnect();
    });

    it('survives an "error" event with no error listener (CVE-2024-38355)', async () => {
      const { client } = await pair(ctx, { transports: ['websocket'] });
      client.io.engine.write('2["error","boom"]');
      assert.equal(await client.timeout(2000).emitWithAck('echo', 'after'), 'after');
      assert.ok(client.connected);
      await bystanderServed();
      client.disconnect();
    });

    it('accepts exactly 10 attachments', async () => {
      const { client } = await pair(ctx, { transports: ['websocket'] });
      const buffers = Array.from({ length: 10 }, (_, i) => Buffer.from([i]));
      const echoed = await client.timeout(2000).emitWithAck('echo', buffers);
      assert.deepEqual(echoed.map((buffer) => Buffer.from(buffer)[0]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      client.disconnect();
    });

    it('closes a WebSocket that sends more than maxHttpBufferSize', async () => {
      const { client, socket } = await pair(ctx, { transports: ['websocket'] });
      const gone = waitEvent(socket, 'disconnect');
      const clientGone = waitEvent(client, 'disconnect');
      client.emit('huge', 'x'.repeat(2e6));
      const [reason, description] = await gone;
      assert.equal(reason, 'transport error');
      assert.equal(description.message, 'RangeError: Max payload size exceeded');
      assert.equal(description.type, 'TransportError');
      assert.equal((await clientGone)[0], 'transport close');
      await bystanderServed();
    });

    it('refuses a polling body over maxHttpBufferSize', async () => {
      const { client, socket } = await pair(ctx, { transports: ['polling'] });
      const gone = waitEvent(socket, 'disconnect');
      const clientGone = waitEvent(client, 'disconnect');
      client.emit('huge', 'x'.repeat(2e6));
      // The client drops its transport on the 413; the server notices by its heartbeat.
      assert.equal((await clientGone)[0], 'transport error');
      assert.equal((await gone)[0], 'transport close');
      await bystanderServed();
    });

    it('answers a request with thousands of headers (CVE-2024-37890)', async () => {
      const small = 'a:\r\n'.repeat(3000);
      const polling = `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n${small}\r\n`;
      assert.equal(await rawRequest(ctx.port, polling), 'HTTP/1.1 200 OK');
      const upgrade = `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n${WS_HEADERS}${small}\r\n`;
      assert.equal(await rawRequest(ctx.port, upgrade), 'HTTP/1.1 101 Switching Protocols');
      // Node refuses past its header limit; still one client's problem only.
      const large = Array.from({ length: 3000 }, (_, i) => `x-header-${i}: value\r\n`).join('');
      const refused = `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n${large}\r\n`;
      assert.equal(await rawRequest(ctx.port, refused), 'HTTP/1.1 431 Request Header Fields Too Large');
      await bystanderServed();
    });

    it('closes a polling session whose POST is reset mid-body (CVE-2022-41940)', async () => {
      const res = await request(`${ctx.url}/socket.io/?EIO=4&transport=polling`);
      const { sid } = JSON.parse(res.body.slice(1));
      const closed = waitEvent(ctx.io.engine.clients[sid], 'close');
      const socket = net.connect(ctx.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(
        `POST /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n` +
          'Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 1000\r\n\r\n40',
      );
      await waitUntil(() => socket.bytesWritten > 0);
      socket.resetAndDestroy();
      assert.equal((await closed)[0], 'transport error');
      await bystanderServed();
    });

    it('survives connections reset in the middle of a request head', async () => {
      for (let i = 0; i < 20; i++) {
        const socket = net.connect(ctx.port, '127.0.0.1');
        socket.on('error', () => {});
        socket.write(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nConnec`);
        await waitUntil(() => socket.bytesWritten > 0);
        socket.resetAndDestroy();
      }
      await bystanderServed();
    });

    it('forgets sessions whose upgrade never completes', async () => {
      const probes = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const res = await request(`${ctx.url}/socket.io/?EIO=4&transport=polling`);
          const { sid } = JSON.parse(res.body.slice(1));
          const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
          ws.on('open', () => ws.send('2probe'));
          const [answer] = await waitEvent(ws, 'message');
          assert.equal(String(answer), '3probe');
          // Never sends "5": the server gives up after upgradeTimeout.
          await waitEvent(ws, 'close');
        }),
      );
      assert.equal(probes.length, 50);
      // Nor do they poll: the heartbeat closes them, and only the bystander is left.
      await waitUntil(() => ctx.io.engine.clientsCount === 1);
      await bystanderServed();
    });
  });
}
