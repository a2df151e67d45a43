'use strict';

// Server pings: timeouts detected for clients that stop answering, over both transports.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startEngine, waitEvent, request, pollingHandshake, delay } = require('./support/helpers');

describe('engine heartbeat', () => {
  let ctx;
  before(async () => {
    ctx = await startEngine({ pingInterval: 100, pingTimeout: 150 });
  });
  after(() => ctx.close());

  it('pings a polling client and times it out when it stops answering', async () => {
    const { sid } = await pollingHandshake(ctx.url);
    const target = `${ctx.url}/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const closed = waitEvent(ctx.engine.clients[sid], 'close');
    const started = Date.now();
    assert.equal((await request(target)).body, '2');
    await request(target, { method: 'POST', body: '3' });
    assert.equal((await request(target)).body, '2');
    const [reason] = await closed;
    assert.equal(reason, 'ping timeout');
    assert.ok(Date.now() - started >= 200 + 150 - 20);
  });

  it('times out a WebSocket client that stops answering pings', async () => {
    const connected = waitEvent(ctx.engine, 'connection');
    const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/engine.io/?EIO=4&transport=websocket`);
    const frames = [];
    ws.on('message', (data) => frames.push(data.toString()));
    // Listened for from the start: the client may see the connection end before the
    // server's 'close' event reaches this thread.
    const clientClosed = waitEvent(ws, 'close');
    const [socket] = await connected;
    const [reason] = await waitEvent(socket, 'close');
    assert.equal(reason, 'ping timeout');
    assert.equal(frames[1], '2');
    await clientClosed;
  });

  it('keeps a WebSocket client that answers every ping', async () => {
    const connected = waitEvent(ctx.engine, 'connection');
    const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/engine.io/?EIO=4&transport=websocket`);
    let pings = 0;
    ws.on('message', (data) => {
      if (data.toString() === '2') {
        pings++;
        ws.send('3');
      }
    });
    const [socket] = await connected;
    let closed = false;
    socket.on('close', () => (closed = true));
    await delay(1000);
    assert.equal(closed, false);
    assert.ok(pings >= 6, `${pings} pings`);
    ws.close();
    assert.equal((await waitEvent(socket, 'close'))[0], 'transport close');
  });
});
