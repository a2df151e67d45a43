'use strict';

const http = require('node:http');
const { EventEmitter } = require('node:events');
const { Engine } = require('./engine/server');
const { EventKind, readConnect, readPacketId, readPacketArgs, readAttachments, readReason } = require('./engine/events');
const { Namespace } = require('./namespace');
const { ParentNamespace } = require('./parent-namespace');
const { Client } = require('./client');
const { attachServe } = require('./serve-client');
const codec = require('./codec');
const { closeGroup } = require('./deferred-events');
const { Adapter } = require('./adapter');
const debug = require('./debug').logger('socket.io:server');

/** Options this implementation does not offer yet: refused rather than ignored. */
const UNSUPPORTED_OPTIONS = {
  connectionStateRecovery: 'connection state recovery',
  parser: 'a custom parser',
};

/**
 * The Socket.IO server. Namespaces, sockets, rooms and fan-out run in Rust; the
 * application's handlers, middlewares and acks run here.
 */
class Server extends EventEmitter {
  constructor(srv, opts = {}) {
    super();
    if (typeof srv === 'object' && srv !== null && typeof srv.listen !== 'function') {
      opts = srv;
      srv = undefined;
    }
    for (const [option, feature] of Object.entries(UNSUPPORTED_OPTIONS)) {
      if (opts[option]) throw new Error(`sio-rs: ${feature} (the "${option}" option) is not supported yet`);
    }
    this._opts = opts;
    this._nsps = new Map();
    this.parentNsps = new Map();
    this._parentNamespacesFromRegExp = new Map();
    this._socketsByHandle = new Map();
    this.engine = undefined;
    this.httpServer = undefined;
    this.path(opts.path || '/socket.io');
    this.connectTimeout(opts.connectTimeout || 45000);
    this.serveClient(opts.serveClient !== false);
    this.adapter(opts.adapter);
    opts.cleanupEmptyChildNamespaces = Boolean(opts.cleanupEmptyChildNamespaces);
    if (opts.cors) this._cors = require('cors')(opts.cors);
    this.sockets = this.of('/');
    if (srv != null) this.attach(srv, opts);
  }

  serveClient(value) {
    if (value === undefined) return this._serveClient;
    this._serveClient = value;
    return this;
  }

  path(value) {
    if (value === undefined) return this._path;
    this._path = value.replace(/\/$/, '');
    return this;
  }

  connectTimeout(value) {
    if (value === undefined) return this._connectTimeout;
    this._connectTimeout = value;
    return this;
  }

  adapter(value) {
    if (value === undefined) return Adapter;
    throw new Error('sio-rs: custom adapters are not supported yet (rooms live in the Rust adapter)');
  }

  /** Attaches to an HTTP server, or creates one listening on `port`. */
  attach(srv, opts = {}) {
    if (typeof srv === 'function') {
      throw new Error(
        'You are trying to attach socket.io to an express request handler function. Please pass a http.Server instance.',
      );
    }
    let port;
    if (Number(srv) == srv) {
      port = Number(srv);
      debug('creating http server and binding to %d', port);
      srv = http.createServer((req, res) => {
        res.writeHead(404);
        res.end();
      });
    }
    const options = Object.assign(opts, this._opts);
    options.path = options.path || this._path;
    this._initEngine(srv, options);
    // Rust listens itself; `srv` stands for its listener (lib/engine/listener.js).
    if (port !== undefined) this.engine.listen(srv, port, options);
    return this;
  }

  listen(srv, opts) {
    return this.attach(srv, opts);
  }

  _initEngine(srv, options) {
    debug('creating engine.io instance with opts %j', options);
    const engine = new Engine(options, { connectTimeout: this._connectTimeout });
    engine.attach(srv, options);
    if (this._serveClient) {
      debug('attaching client serving req handler');
      attachServe(srv, `${this._path}/`, this._cors);
    }
    this.bind(engine);
    this.httpServer = srv;
  }

  /** Uses `engine` (a sio-rs engine) for this server's connections. */
  bind(engine) {
    this.engine = engine;
    this.eio = engine;
    engine._socketio = this;
    engine.on('connection', (conn) => this._onconnection(conn));
    for (const nsp of this._nsps.values()) engine.native.registerNamespace(nsp.name);
    engine.native.setDynamicNamespaces(this.parentNsps.size > 0);
    return this;
  }

  _onconnection(conn) {
    debug('incoming connection with id %s', conn.id);
    conn._client = new Client(this, conn);
    conn.on('drain', onConnectionDrain);
  }

  of(name, fn) {
    if (typeof name === 'function' || name instanceof RegExp) {
      const parent = new ParentNamespace(this);
      debug('initializing parent namespace %s', parent.name);
      if (typeof name === 'function') {
        this.parentNsps.set(name, parent);
      } else {
        this.parentNsps.set((nsp, auth, next) => next(null, name.test(nsp)), parent);
        this._parentNamespacesFromRegExp.set(name, parent);
      }
      this.engine?.native.setDynamicNamespaces(true);
      if (fn) parent.on('connect', fn);
      return parent;
    }
    if (String(name)[0] !== '/') name = '/' + name;
    let nsp = this._nsps.get(name);
    if (!nsp) {
      for (const [regex, parent] of this._parentNamespacesFromRegExp) {
        if (regex.test(name)) {
          debug('attaching namespace %s to parent namespace %s', name, regex);
          nsp = parent.createChild(name);
          break;
        }
      }
    }
    if (!nsp) {
      debug('initializing namespace %s', name);
      nsp = new Namespace(this, name);
      this._nsps.set(name, nsp);
      if (name !== '/') this.sockets.emitReserved('new_namespace', nsp);
    }
    if (fn) nsp.on('connect', fn);
    return nsp;
  }

  _registerNamespace(nsp) {
    if (!(nsp instanceof ParentNamespace)) this.engine?.native.registerNamespace(nsp.name);
  }

  _removeNamespace(nsp) {
    this._nsps.delete(nsp.name);
    this.engine?.native.removeNamespace(nsp.name);
  }

  /** Tries the dynamic namespaces for `name`; `done(namespace | false)`. */
  _checkNamespace(name, auth, done) {
    const matchers = this.parentNsps.keys();
    const next = () => {
      const matcher = matchers.next();
      if (matcher.done) return done(false);
      matcher.value(name, auth, (err, allow) => {
        if (err || !allow) return next();
        const existing = this._nsps.get(name);
        if (existing) {
          debug('dynamic namespace %s already exists', name);
          return done(existing);
        }
        const created = this.parentNsps.get(matcher.value).createChild(name);
        debug('dynamic namespace %s was created', name);
        done(created);
      });
    };
    next();
  }

  /** Socket.IO events from Rust. */
  _onSocketEvent(kind, handle, data, start, end) {
    switch (kind) {
      case EventKind.SOCKET_CONNECT:
        return this._onConnectRequest(handle, readConnect(data, start, end));
      case EventKind.SOCKET_EVENT:
      case EventKind.SOCKET_ACK: {
        const socket = this._socketsByHandle.get(handle);
        if (!socket) return;
        const id = readPacketId(data, start);
        const args = codec.revive(readPacketArgs(data, start), readAttachments(data, start));
        const isAck = kind === EventKind.SOCKET_ACK;
        // A socket still connecting (its connect is on the next tick) gets the packet
        // after it; a connected one now, as the reference delivers each message.
        if (socket.connected) return socket._onpacket(isAck, id, args);
        closeGroup();
        process.nextTick(() => socket._onpacket(isAck, id, args));
        return;
      }
      case EventKind.SOCKET_DISCONNECT: {
        const socket = this._socketsByHandle.get(handle);
        if (!socket) return;
        if (!socket.connected) socket.nsp._abandon(socket);
        else socket._onclose(...readReason(data, start, end));
        return;
      }
      case EventKind.SOCKET_ERROR:
        return this._socketsByHandle.get(handle)?._onerror(new Error(data.toString('utf8', start, end)));
    }
  }

  _onConnectRequest(handle, { engineHandle, id, nsp, auth }) {
    const client = this.engine._sockets.get(engineHandle)?._client;
    if (!client) return this.engine.native.release(handle);
    client._connect(handle, id, nsp, auth ? JSON.parse(auth) : {});
  }

  /** Closes every socket and the engine, then the HTTP server. */
  close(fn) {
    for (const nsp of this._nsps.values()) {
      for (const socket of [...nsp.sockets.values()]) {
        this.engine?.native.disconnect(socket._handle, false);
        socket._onclose('server shutting down');
      }
      nsp.adapter.close();
    }
    this.engine?.close();
    return new Promise((resolve) => {
      if (!this.httpServer) {
        fn?.();
        return resolve();
      }
      this.httpServer.close((err) => {
        fn?.(err);
        if (err) debug('server was not running');
        resolve();
      });
    });
  }

  use(fn) {
    this.sockets.use(fn);
    return this;
  }

  to(room) {
    return this.sockets.to(room);
  }

  in(room) {
    return this.sockets.in(room);
  }

  except(room) {
    return this.sockets.except(room);
  }

  send(...args) {
    this.sockets.emit('message', ...args);
    return this;
  }

  write(...args) {
    return this.send(...args);
  }

  serverSideEmit(ev, ...args) {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  serverSideEmitWithAck(ev, ...args) {
    return this.sockets.serverSideEmitWithAck(ev, ...args);
  }

  /** @deprecated use fetchSockets() */
  allSockets() {
    return this.sockets.allSockets();
  }

  compress(compress) {
    return this.sockets.compress(compress);
  }

  get volatile() {
    return this.sockets.volatile;
  }

  get local() {
    return this.sockets.local;
  }

  timeout(timeout) {
    return this.sockets.timeout(timeout);
  }

  fetchSockets() {
    return this.sockets.fetchSockets();
  }

  socketsJoin(room) {
    return this.sockets.socketsJoin(room);
  }

  socketsLeave(room) {
    return this.sockets.socketsLeave(room);
  }

  disconnectSockets(close = false) {
    return this.sockets.disconnectSockets(close);
  }
}

// Like the reference, EventEmitter methods act on the main namespace: `io.on("connection")`,
// `io.emit(...)`, `io.listeners(...)`.
for (const method of Object.keys(EventEmitter.prototype)) {
  if (typeof EventEmitter.prototype[method] !== 'function') continue;
  Server.prototype[method] = function (...args) {
    return this.sockets[method](...args);
  };
}

/** A connection took what was queued for it (`this`: the engine socket). */
function onConnectionDrain() {
  this._client._onDrain();
}

module.exports = { Server };
