'use strict';

const { EventEmitter } = require('node:events');
const { Socket } = require('./socket');
const { Adapter } = require('./adapter');
const { BroadcastOperator } = require('./broadcast-operator');
const { SERVER_RESERVED_EVENTS } = require('./reserved');
const { runMiddlewares } = require('./middleware');
const debug = require('./debug').logger('socket.io:namespace');

/**
 * A namespace: its middlewares and connection listeners live here; its sockets' rooms
 * and broadcasts are served by Rust.
 */
class Namespace extends EventEmitter {
  constructor(server, name) {
    super();
    this.name = name;
    this.server = server;
    this.sockets = new Map();
    this._preConnectSockets = new Map();
    this._outgoingSockets = new Set();
    this._fns = [];
    this._ids = 0;
    this._initAdapter();
    server._registerNamespace(this);
  }

  _initAdapter() {
    this.adapter = new Adapter(this);
  }

  use(fn) {
    this._fns.push(fn);
    return this;
  }

  to(room) {
    return new BroadcastOperator(this).to(room);
  }

  in(room) {
    return new BroadcastOperator(this).in(room);
  }

  except(room) {
    return new BroadcastOperator(this).except(room);
  }

  emit(ev, ...args) {
    return new BroadcastOperator(this).emit(ev, ...args);
  }

  send(...args) {
    this.emit('message', ...args);
    return this;
  }

  write(...args) {
    return this.send(...args);
  }

  serverSideEmit(ev, ...args) {
    if (SERVER_RESERVED_EVENTS.has(ev)) throw new Error(`"${String(ev)}" is a reserved event name`);
    args.unshift(ev);
    this.adapter.serverSideEmit(args);
    return true;
  }

  serverSideEmitWithAck(ev, ...args) {
    return new Promise((resolve, reject) => {
      args.push((err, responses) => (err ? reject(err) : resolve(responses)));
      this.serverSideEmit(ev, ...args);
    });
  }

  /** @deprecated use fetchSockets() */
  allSockets() {
    return new BroadcastOperator(this).allSockets();
  }

  compress(compress) {
    return new BroadcastOperator(this).compress(compress);
  }

  get volatile() {
    return new BroadcastOperator(this).volatile;
  }

  get local() {
    return new BroadcastOperator(this).local;
  }

  timeout(timeout) {
    return new BroadcastOperator(this).timeout(timeout);
  }

  fetchSockets() {
    return new BroadcastOperator(this).fetchSockets();
  }

  socketsJoin(room) {
    return new BroadcastOperator(this).socketsJoin(room);
  }

  socketsLeave(room) {
    return new BroadcastOperator(this).socketsLeave(room);
  }

  disconnectSockets(close = false) {
    return new BroadcastOperator(this).disconnectSockets(close);
  }

  /** The namespaces a broadcast from here reaches. */
  _broadcastNamespaces() {
    return [this];
  }

  _hasOutgoingListeners() {
    return this._outgoingSockets.size > 0;
  }

  /** A client asks to join: run the middlewares, then let it in or turn it away. */
  _add(client, handle, id, auth) {
    debug('adding socket to nsp %s', this.name);
    const socket = new Socket(this, client, handle, id, auth);
    this._preConnectSockets.set(id, socket);
    this.server._socketsByHandle.set(handle, socket);
    runMiddlewares(this._fns, [socket], (err) => {
      process.nextTick(() => {
        if (socket._closedBeforeConnect) {
          return debug('next called after client was closed - ignoring socket');
        }
        if (err) {
          debug('middleware error, sending CONNECT_ERROR packet to the client');
          this.server.engine.native.refuse(handle, JSON.stringify({ message: err.message, data: err.data }));
          this.server.engine._queued();
          return this._forget(socket);
        }
        this._doConnect(socket);
      });
    });
    return socket;
  }

  _doConnect(socket) {
    this._preConnectSockets.delete(socket.id);
    this.server.engine._queued();
    if (!this.server.engine.native.accept(socket._handle)) return this._abandon(socket);
    this.sockets.set(socket.id, socket);
    socket.client._add(socket);
    socket._onconnect();
    this.emitReserved('connect', socket);
    this.emitReserved('connection', socket);
  }

  /**
   * The connection of a socket still in the middlewares went away: it is forgotten now,
   * not when (or if) the middlewares finish.
   */
  _abandon(socket) {
    socket._closedBeforeConnect = true;
    this._forget(socket);
    this.server.engine.native.release(socket._handle);
  }

  /** Drops a socket that never connected. */
  _forget(socket) {
    this._preConnectSockets.delete(socket.id);
    this.server._socketsByHandle.delete(socket._handle);
    this._onForgotten();
  }

  /** A socket that never connected was dropped (child namespaces clean up here). */
  _onForgotten() {}

  /** The connected socket of this namespace with `handle`, if any. */
  _connectedSocket(handle) {
    const socket = this.server._socketsByHandle.get(handle);
    return socket?.nsp === this && socket.connected ? socket : undefined;
  }

  _remove(socket) {
    this.sockets.delete(socket.id);
    this._outgoingSockets.delete(socket);
    this.server._socketsByHandle.delete(socket._handle);
  }
}

// `emit` broadcasts; listeners are notified through EventEmitter's own emit.
Namespace.prototype.emitReserved = EventEmitter.prototype.emit;

module.exports = { Namespace };
