'use strict';

// WebSocket upgrades: Rust answers the handshake and runs the connection. A plain TCP
// socket is handed over (Rust takes a duplicate of its file descriptor); any other
// socket (TLS, no descriptor) is bridged: JS moves its bytes, Rust does the rest.

const debug = require('../debug').logger('engine');

const kResponseHeaders = Symbol('responseHeaders');
const UNSUPPORTED_PROTOCOL_VERSION = 5;
const kWriteBlocked = Symbol('writeBlocked');

function canAdopt(socket) {
  const handle = socket._handle;
  return (
    !socket.encrypted &&
    process.platform !== 'win32' &&
    typeof handle?.fd === 'number' &&
    handle.fd >= 0 &&
    typeof handle.readStop === 'function'
  );
}

function handleUpgrade(engine, req, socket, head) {
  const adoptable = canAdopt(socket);
  // Stop Node from reading frames that belong to Rust, before anything asynchronous.
  if (adoptable) socket._handle.readStop();
  else socket.pause();
  const res = new UpgradeResponse(req, socket);
  const refuse = (code, context) => {
    engine._connectionError(req, code, context);
    abortUpgrade(socket, context?.message || engine.constructor.errorMessages[code]);
  };
  engine._applyMiddlewares(req, res, (err) => {
    if (err) return refuse(3, { name: 'MIDDLEWARE_FAILURE' });
    // Middlewares such as express-session set their headers when writeHead() is called.
    res.writeHead();
    const verdict = engine.native.verify(req.method, req.url, req.headers.origin ?? null, true);
    if (verdict.errorCode != null) return refuse(verdict.errorCode);
    if (!verdict.handshake) return accept(engine, req, socket, head, adoptable, null);
    engine._admit(req, verdict, (code, context) => {
      if (code === UNSUPPORTED_PROTOCOL_VERSION) {
        // The reference refuses it only once `ws` has written its 101: Rust does both.
        engine._connectionError(req, code, context);
        return accept(engine, req, socket, head, adoptable, null);
      }
      if (code !== undefined) return refuse(code, context);
      engine._newSessionId(req, (error, id) => {
        if (error) return refuse(3, { name: 'ID_GENERATION_ERROR', error });
        accept(engine, req, socket, head, adoptable, id);
      });
    });
  });
}

function accept(engine, req, socket, head, adoptable, sid) {
  if (socket.destroyed) return;
  const headers = req[kResponseHeaders] || {};
  delete req[kResponseHeaders];
  engine._emitHeaders(headers, req);
  debug('writing headers: %j', headers);
  const request = {
    method: req.method,
    url: req.url,
    upgrade: req.headers.upgrade,
    key: req.headers['sec-websocket-key'],
    version: req.headers['sec-websocket-version'],
    extraHeaders: formatHeaders(headers),
    sid: sid ?? undefined,
  };
  const buffered = socket.readableLength ? socket.read() : null;
  const bytes = buffered ? Buffer.concat([head, buffered]) : head;
  let handle;
  if (adoptable) {
    // Read while the socket still has its handle.
    const addresses = socketAddresses(socket);
    handle = engine.native.adoptWebSocket(socket._handle.fd, request, bytes);
    // Closes Node's descriptor only; `end()` would shut the shared connection down.
    socket.destroy();
    // The request outlives the handshake (`socket.request`): keep the addresses, not the
    // destroyed socket with its buffers and listeners (about 1 KiB per connection).
    req.socket = req.client = addresses;
  } else {
    handle = bridge(engine, socket, request, bytes);
  }
  if (!req._query.sid) engine._pendingRequests.set(handle, req);
}

/** What is left of a socket handed over to Rust: its addresses, as `net.Socket` names them. */
function socketAddresses(socket) {
  const { remoteAddress, remotePort, remoteFamily, localAddress, localPort } = socket;
  return { remoteAddress, remotePort, remoteFamily, localAddress, localPort, encrypted: false, destroyed: true };
}

function bridge(engine, socket, request, head) {
  const { bridge: id, handle } = engine.native.bridgeWebSocket(request, head);
  engine._bridges.set(id, socket);
  socket.on('data', (chunk) => {
    if (!engine.native.bridgeFeed(id, chunk)) socket.pause();
  });
  const end = () => engine.native.bridgeEnd(id);
  socket.on('end', end);
  socket.on('close', () => {
    end();
    engine._bridges.delete(id);
  });
  socket.on('error', () => {});
  socket.resume();
  return handle;
}

/**
 * Writes what Rust sent for a bridged socket. While the socket's buffer is over its
 * high-water mark Rust holds its writes, so a client that stops reading fills the
 * session's bounded queue instead of Node's memory.
 */
function writeToBridge(engine, id, data) {
  const socket = engine._bridges.get(id);
  if (!socket || socket.write(data) || socket[kWriteBlocked]) return;
  socket[kWriteBlocked] = true;
  engine.native.bridgeWriteBlocked(id, true);
  socket.once('drain', () => {
    socket[kWriteBlocked] = false;
    engine.native.bridgeWriteBlocked(id, false);
  });
}

function formatHeaders(headers) {
  let text = '';
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const line = `${name}: ${item}`;
      if (!/[\r\n]/.test(line)) text += `${line}\r\n`;
    }
  }
  return text;
}

/** The reference's raw 400 on a refused upgrade. */
function abortUpgrade(socket, message) {
  socket.on('error', () => {});
  if (socket.writable) {
    socket.write(
      'HTTP/1.1 400 Bad Request\r\n' +
        'Connection: close\r\n' +
        'Content-type: text/html\r\n' +
        `Content-Length: ${Buffer.byteLength(message)}\r\n` +
        '\r\n' +
        message,
    );
  }
  socket.destroy();
}

/**
 * The `res` that engine middlewares see on an upgrade: headers they set go into the 101
 * response; ending it refuses the upgrade.
 */
class UpgradeResponse {
  constructor(req, socket) {
    this.req = req;
    this.socket = socket;
    req[kResponseHeaders] = {};
  }

  setHeader(name, value) {
    this.req[kResponseHeaders][name] = value;
  }

  getHeader(name) {
    return this.req[kResponseHeaders][name];
  }

  removeHeader(name) {
    delete this.req[kResponseHeaders][name];
  }

  write() {}

  writeHead() {}

  end() {
    this.socket.destroy();
  }
}

module.exports = { handleUpgrade, writeToBridge };
