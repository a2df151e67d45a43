'use strict';

// A WebSocket client written by hand, for what real clients never do: send malformed
// frames, or stop reading.

const net = require('node:net');
const tls = require('node:tls');
const crypto = require('node:crypto');
const { waitEvent } = require('./helpers');

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/**
 * A raw WebSocket connection to `path` (over TLS with `secure`, any certificate), after
 * the 101 and the Engine.IO open packet.
 */
async function rawWebSocket(port, path = '/engine.io/', { secure = false } = {}) {
  const socket = secure
    ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
    : net.connect(port, '127.0.0.1');
  // The server may reset a connection it refuses while the attack is still being sent.
  socket.on('error', () => {});
  socket.write(
    `GET ${path}?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n` +
      `Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n\r\n`,
  );
  let received = Buffer.alloc(0);
  while (!received.includes('0{"sid"')) {
    const [chunk] = await waitEvent(socket, 'data');
    received = Buffer.concat([received, chunk]);
  }
  return socket;
}

/** One masked client frame. */
function frame(opcode, payload, fin = true) {
  const mask = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
  const length =
    body.length < 126
      ? Buffer.from([0x80 | body.length])
      : Buffer.from([0x80 | 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), length, mask, body]);
}

module.exports = { rawWebSocket, frame };
