'use strict';

// `new Server(port)`: Rust listens on the port itself and serves WebSocket handshakes to
// the engine's path and the long-polling requests of open sessions without Node's HTTP
// server. A connection is handed over at any other request (a polling handshake, an
// error, the client bundle, other paths), unread, as if `httpServer` had accepted it,
// and so is every connection while a JS hook must see each request. `httpServer` is a
// real `http.Server` that reports the Rust listener as its own.

const http = require('node:http');
const net = require('node:net');

// Listeners on these events must see every request: while any is present, Node serves all.
const ENGINE_HOOK_EVENTS = new Set(['headers', 'initial_headers', 'connection_error']);
const SERVER_HOOK_EVENTS = new Set(['upgrade', 'connection']);

function listenInRust(engine, server, port, path) {
  // The listeners the server has before the app adds any: http's own `connection`
  // listener and the engine's `upgrade` one.
  const baseline = {
    upgrade: server.listenerCount('upgrade'),
    connection: server.listenerCount('connection'),
    request: server.listenerCount('request'),
  };
  const hooksPresent = () =>
    engine.middlewares.length > 0 ||
    Boolean(engine.opts.allowRequest) ||
    Boolean(engine.opts.cookie) ||
    engine._choosesIds ||
    [...ENGINE_HOOK_EVENTS].some((event) => engine.listenerCount(event) > 0) ||
    [...SERVER_HOOK_EVENTS].some((event) => server.listenerCount(event) > baseline[event]);

  // Whether Rust may serve WebSocket handshakes, and polling requests: not while Node
  // would pass them to `request` listeners, nor with another keep-alive timeout than the
  // default one Rust applies.
  const defaultKeepAlive = server.keepAliveTimeout;
  const lanes = (addingRequestListener = false) => {
    const websocket = !hooksPresent();
    const polling =
      websocket &&
      !addingRequestListener &&
      server.listenerCount('request') === baseline.request &&
      server.keepAliveTimeout === defaultKeepAlive;
    return [websocket, polling];
  };

  let address;
  try {
    address = engine.native.listen(port, path, ...lanes());
  } catch (error) {
    process.nextTick(() => server.emit('error', listenError(error.message, port)));
    return;
  }
  const updateLanes = () => engine.native.setLanes(...lanes());
  engine._onHooksChanged = updateLanes;
  // `request` listeners only keep polling requests from Rust, and only the server's.
  const onNewListener = (events, watchesRequests) => (event) => {
    // Before the listener is added: only ever turns lanes off, so no request slips by.
    if (events.has(event)) engine.native.setLanes(false, false);
    else if (watchesRequests && event === 'request') engine.native.setLanes(...lanes(true));
  };
  const onRemoveListener = (events, watchesRequests) => (event) => {
    if (events.has(event) || (watchesRequests && event === 'request')) updateLanes();
  };
  let keepAliveTimeout = server.keepAliveTimeout;
  Object.defineProperty(server, 'keepAliveTimeout', {
    configurable: true,
    enumerable: true,
    get: () => keepAliveTimeout,
    set: (value) => {
      keepAliveTimeout = value;
      updateLanes();
    },
  });
  engine.on('newListener', onNewListener(ENGINE_HOOK_EVENTS, false));
  engine.on('removeListener', onRemoveListener(ENGINE_HOOK_EVENTS, false));
  server.on('newListener', onNewListener(SERVER_HOOK_EVENTS, true));
  server.on('removeListener', onRemoveListener(SERVER_HOOK_EVENTS, true));

  // Nothing of Node's listens, so something must keep the event loop alive meanwhile.
  let keepAlive = setInterval(() => {}, 0x7fffffff);
  engine._handOff = (fd) => handOff(server, fd);
  server.address = () => address;
  Object.defineProperty(server, 'listening', { configurable: true, get: () => keepAlive !== null });
  server.ref = function () {
    keepAlive?.ref();
    return this;
  };
  server.unref = function () {
    keepAlive?.unref();
    return this;
  };
  // `net.Server` emits `close` once it has no handle and no connection left; its handle
  // is the Rust listener here.
  server._emitCloseIfDrained = function () {
    if (keepAlive === null) net.Server.prototype._emitCloseIfDrained.call(this);
  };
  server.close = function (callback) {
    const wasListening = keepAlive !== null;
    if (wasListening) {
      engine.native.closeListener();
      // Idle connections end first, while the listener still counts as open: without a
      // handle, net emits `close` whenever the last connection ends, and once more when
      // its own close finds none left.
      this.closeIdleConnections();
      clearInterval(keepAlive);
      keepAlive = null;
    }
    // http's own close: idle connections, timers, then `close` once none is left.
    http.Server.prototype.close.call(this);
    if (callback) this.once('close', wasListening ? callback : () => callback(notRunning()));
    return this;
  };
  process.nextTick(() => server.emit('listening'));
}

/** Gives `server` a connection Rust accepted, the way `net.Server` gives it its own. */
function handOff(server, fd) {
  let socket;
  try {
    socket = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: server.allowHalfOpen });
  } catch {
    return;
  }
  server._connections++;
  socket.server = server;
  socket._server = server;
  server.emit('connection', socket);
}

/** The error Node's `listen` emits, from the code Rust reports. */
function listenError(code, port) {
  const messages = { EADDRINUSE: 'address already in use', EACCES: 'permission denied' };
  const error = new Error(`listen ${code}: ${messages[code] ?? 'invalid argument'} :::${port}`);
  Object.assign(error, { code, syscall: 'listen', address: '::', port });
  return error;
}

function notRunning() {
  const error = new Error('Server is not running.');
  error.code = 'ERR_SERVER_NOT_RUNNING';
  return error;
}

module.exports = { listenInRust };
