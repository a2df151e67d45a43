'use strict';

// Hostile WebSocket input: each attack costs only the connection that sent it.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Socket } = require('engine.io-client');
const { startEngine, waitEvent, waitUntil } = require('./support/helpers');
const { rawWebSocket, frame } = require('./support/raw-websocket');

describe('hostile WebSocket input', () => {
  let ctx;
  const received = [];
  before(async () => {
    ctx = await startEngine({ maxHttpBufferSize: 10_000 });
    ctx.engine.on('connection', (socket) => socket.on('message', (data) => received.push(data)));
  });
  after(() => ctx.close());

  async function stillServing() {
    const client = new Socket(ctx.url, { transports: ['websocket'] });
    await waitEvent(client, 'open');
    client.close();
  }

  it('reassembles thousands of tiny fragments, within the size limit', async () => {
    const socket = await rawWebSocket(ctx.port);
    const text = `4${'x'.repeat(2999)}`;
    const frames = [...text].map((char, i) => frame(i === 0 ? 0x1 : 0x0, char, i === text.length - 1));
    socket.write(Buffer.concat(frames));
    await waitUntil(() => received.includes('x'.repeat(2999)));
    socket.destroy();
    await stillServing();
  });

  it('closes a connection whose fragments exceed the limit', async () => {
    const socket = await rawWebSocket(ctx.port);
    const chunk = 'y'.repeat(1000);
    const frames = Array.from({ length: 20 }, (_, i) => frame(i === 0 ? 0x1 : 0x0, chunk, false));
    socket.write(Buffer.concat(frames));
    socket.resume();
    await waitEvent(socket, 'close');
    await stillServing();
  });

  it('survives connections reset in the middle of a frame', async () => {
    for (let i = 0; i < 20; i++) {
      const socket = await rawWebSocket(ctx.port);
      const whole = frame(0x1, '4half a message');
      socket.write(whole.subarray(0, 8));
      socket.resetAndDestroy();
    }
    await waitUntil(() => ctx.engine.clientsCount === 0);
    await stillServing();
  });

  it('closes on reserved bits and unknown opcodes', async () => {
    for (const bad of [Buffer.from([0xf1, 0x80, 0, 0, 0, 0]), Buffer.from([0x83, 0x80, 0, 0, 0, 0])]) {
      const socket = await rawWebSocket(ctx.port);
      socket.write(bad);
      socket.resume();
      await waitEvent(socket, 'close');
    }
    await stillServing();
  });
});
