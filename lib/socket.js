'use strict';

const { EventEmitter } = require('node:events');
const codec = require('./codec');
const { BroadcastOperator } = require('./broadcast-operator');
const { RESERVED_EVENTS, timeoutError } = require('./reserved');
const { runMiddlewares } = require('./middleware');
const { emitEvent, emitSoon, closeGroup } = require('./deferred-events');
// The packet types the debug line of a received packet names.
const packetTypes = require('./native').packetTypes();
const debug = require('./debug').logger('socket.io:socket');

const noop = () => {};
// Until a modifier (volatile, timeout, compress) is used: a shared, frozen empty set.
const NO_FLAGS = Object.freeze({});

/**
 * A client's membership in one namespace. Rooms, framing and delivery live in Rust; this
 * object carries the application's side: listeners, middlewares, acks and data.
 */
class Socket extends EventEmitter {
  constructor(nsp, client, handle, id, auth) {
    super();
    this.nsp = nsp;
    this.server = nsp.server;
    this.adapter = nsp.adapter;
    this.client = client;
    this.id = id;
    // Built when first read: most apps never look, and it holds the request's headers.
    this._handshake = undefined;
    this._auth = auth;
    this._issued = Date.now();
    this._data = undefined;
    this.connected = false;
    this.recovered = false;
    // Created on first use: most sockets never wait for an ack or have a middleware.
    this._acks = undefined;
    this._fns = undefined;
    this.flags = NO_FLAGS;
    this._handle = handle;
    this._anyListeners = undefined;
    this._anyOutgoingListeners = undefined;
    this._closedBeforeConnect = false;
    this.on('error', noop);
  }

  get handshake() {
    return (this._handshake ??= buildHandshake(this.client, this._auth, this._issued));
  }

  set handshake(value) {
    this._handshake = value;
  }

  get conn() {
    return this.client.conn;
  }

  get data() {
    return (this._data ??= {});
  }

  set data(value) {
    this._data = value;
  }

  /** Ack callbacks by packet id. */
  get acks() {
    return (this._acks ??= new Map());
  }

  get request() {
    return this.client.request;
  }

  get disconnected() {
    return !this.connected;
  }

  get rooms() {
    return new Set(this._native.socketRooms(this._handle));
  }

  get _native() {
    return this.server.engine.native;
  }

  emit(ev, ...args) {
    if (RESERVED_EVENTS.has(ev)) throw new Error(`"${String(ev)}" is a reserved event name`);
    const data = [ev, ...args];
    const flags = this.flags;
    this.flags = NO_FLAGS;
    let id = null;
    if (typeof data[data.length - 1] === 'function') {
      id = this.nsp._ids++;
      debug('emitting packet with ack id %d', id);
      this._registerAckCallback(id, data.pop(), flags);
    }
    this._notifyOutgoingListeners(data);
    const { json, attachments } = codec.encode(data);
    this._packetCreated(id, json, flags);
    const writable = this._native.emit(this._handle, false, id, json, attachments, Boolean(flags.volatile));
    this.server.engine._queued();
    // False while the connection's queue is above its high-water mark: wait for 'drain'.
    return writable;
  }

  emitWithAck(ev, ...args) {
    const withErr = this.flags.timeout !== undefined;
    return new Promise((resolve, reject) => {
      args.push((arg1, arg2) => {
        if (withErr) return arg1 ? reject(arg1) : resolve(arg2);
        resolve(arg1);
      });
      this.emit(ev, ...args);
    });
  }

  send(...args) {
    this.emit('message', ...args);
    return this;
  }

  write(...args) {
    return this.send(...args);
  }

  _registerAckCallback(id, ack, flags) {
    const timeout = flags.timeout;
    if (timeout === undefined) {
      this.acks.set(id, ack);
      return;
    }
    const timer = setTimeout(() => {
      debug('event with ack id %d has timed out after %d ms', id, timeout);
      this.acks.delete(id);
      ack.call(this, timeoutError());
    }, timeout);
    this.acks.set(id, (...args) => {
      clearTimeout(timer);
      ack.apply(this, [null, ...args]);
    });
  }

  // Broadcast modifiers: a new operator that leaves this socket out.

  to(room) {
    return this._operator().to(room);
  }

  in(room) {
    return this._operator().in(room);
  }

  except(room) {
    return this._operator().except(room);
  }

  get broadcast() {
    return this._operator();
  }

  get local() {
    return this._operator().local;
  }

  _operator() {
    const flags = this.flags;
    this.flags = NO_FLAGS;
    return new BroadcastOperator(this.nsp, new Set(), new Set([this.id]), flags);
  }

  compress(compress) {
    this.flags = { ...this.flags, compress };
    return this;
  }

  get volatile() {
    this.flags = { ...this.flags, volatile: true };
    return this;
  }

  timeout(timeout) {
    this.flags = { ...this.flags, timeout };
    return this;
  }

  join(rooms) {
    debug('join room %s', rooms);
    const list = Array.isArray(rooms) ? rooms : [rooms];
    this._native.join(this._handle, list.map(String));
  }

  leave(room) {
    debug('leave room %s', room);
    this._native.leave(this._handle, String(room));
  }

  /** Leaves every room, its own included. */
  leaveAll() {
    for (const room of this.rooms) this.leave(room);
  }

  /** Disconnects this socket; with `close`, the whole underlying connection. */
  disconnect(close = false) {
    if (!this.connected) return this;
    if (close) {
      this.client._disconnect();
      return this;
    }
    this._native.disconnect(this._handle, true);
    this.server.engine._queued();
    this._onclose('server namespace disconnect');
    return this;
  }

  use(fn) {
    (this._fns ??= []).push(fn);
    return this;
  }

  onAny(listener) {
    (this._anyListeners ??= []).push(listener);
    return this;
  }

  prependAny(listener) {
    (this._anyListeners ??= []).unshift(listener);
    return this;
  }

  offAny(listener) {
    removeListener(this, '_anyListeners', listener);
    return this;
  }

  listenersAny() {
    return this._anyListeners || [];
  }

  onAnyOutgoing(listener) {
    (this._anyOutgoingListeners ??= []).push(listener);
    this.nsp._outgoingSockets.add(this);
    return this;
  }

  prependAnyOutgoing(listener) {
    (this._anyOutgoingListeners ??= []).unshift(listener);
    this.nsp._outgoingSockets.add(this);
    return this;
  }

  offAnyOutgoing(listener) {
    removeListener(this, '_anyOutgoingListeners', listener);
    if (!this._anyOutgoingListeners?.length) this.nsp._outgoingSockets.delete(this);
    return this;
  }

  listenersAnyOutgoing() {
    return this._anyOutgoingListeners || [];
  }

  /** Runs the `onAnyOutgoing` listeners for a packet leaving to this socket. */
  notifyOutgoingListeners(packet) {
    this._notifyOutgoingListeners(packet.data);
  }

  _notifyOutgoingListeners(data) {
    if (!this._anyOutgoingListeners?.length) return;
    for (const listener of this._anyOutgoingListeners.slice()) listener.apply(this, data);
  }

  /** The engine's `packetCreate` event for an outgoing EVENT, when someone listens. */
  _packetCreated(id, json, flags) {
    if (!this.server.engine._packetCreateListeners) return;
    const nsp = this.nsp.name === '/' ? '' : `${this.nsp.name},`;
    this.conn.emit('packetCreate', {
      type: 'message',
      data: `2${nsp}${id ?? ''}${json}`,
      options: { compress: flags.compress !== false },
    });
  }

  /** Accepted: Rust has joined it to its own room and queued the CONNECT reply. */
  _onconnect() {
    debug('socket connected - writing packet');
    this.connected = true;
    debug('join room %s', this.id);
  }

  /** An EVENT or ACK from the client. */
  _onpacket(isAck, id, args) {
    if (!this.connected) return;
    if (debug.enabled) this._debugReceived(isAck, id, args);
    if (isAck) return this._onack(id, args);
    // Rust left the last slot of an event that wants an ack for its callback.
    if (id !== null) {
      debug('attaching ack callback to event');
      args[args.length - 1] = this._ack(id);
    }
    if (this._anyListeners?.length) {
      closeGroup();
      for (const listener of this._anyListeners.slice()) listener.apply(this, args);
    }
    this._dispatch(args);
  }

  /**
   * The lines of a received EVENT or ACK, with the packet as the reference's decoder
   * gives it (a binary one as a plain one, its buffers in place).
   */
  _debugReceived(isAck, id, args) {
    const data = id === null || isAck ? args : args.slice(0, -1);
    const type = isAck ? packetTypes.ack : packetTypes.event;
    debug('got packet %j', { type, nsp: this.nsp.name, id: id ?? undefined, data });
    if (!isAck) debug('emitting event %j', data);
  }

  _ack(id) {
    let sent = false;
    return (...args) => {
      if (sent) return;
      sent = true;
      debug('sending ack %j', args);
      const engine = this.server.engine;
      if (!codec.hasBinary(args)) return engine._queueAck(this._handle, id, JSON.stringify(args));
      const { json, attachments } = codec.encodeBinary(args);
      engine._queueAck(this._handle, id, json, attachments);
    };
  }

  _onack(id, args) {
    const ack = this._acks?.get(id);
    if (typeof ack !== 'function') return debug('bad ack %s', id);
    debug('calling ack %s with %j', id, args);
    this._acks.delete(id);
    ack.apply(this, args);
  }

  _dispatch(event) {
    debug('dispatching an event %j', event);
    if (!this._fns?.length) return emitSoon(this, event);
    closeGroup();
    runMiddlewares(this._fns, [event], (err) => {
      process.nextTick(() => {
        if (err) return this._onerror(err);
        emitEvent(this, event);
      });
    });
  }

  _onerror(err) {
    this.emitReserved('error', err);
  }

  /** Ends this socket: `disconnecting` (rooms still visible), leave all, `disconnect`. */
  _onclose(reason, description) {
    if (!this.connected) return this;
    debug('closing socket - reason %s', reason);
    this.emitReserved('disconnecting', reason, description);
    this._native.release(this._handle);
    this.nsp._remove(this);
    this.client._remove(this);
    this.connected = false;
    this.emitReserved('disconnect', reason, description);
  }

  emitReserved(ev, ...args) {
    return EventEmitter.prototype.emit.call(this, ev, ...args);
  }
}

function removeListener(socket, field, listener) {
  const listeners = socket[field];
  if (!listeners) return;
  if (!listener) {
    listeners.length = 0;
    return;
  }
  const index = listeners.indexOf(listener);
  if (index !== -1) listeners.splice(index, 1);
}

function buildHandshake(client, auth, issued) {
  const request = client.request;
  const headers = request?.headers || {};
  return {
    headers,
    time: new Date(issued) + '',
    address: client.conn.remoteAddress,
    xdomain: Boolean(headers.origin),
    secure: !request || Boolean(request.connection?.encrypted),
    issued,
    url: request?.url,
    query: request?._query || {},
    auth,
  };
}

module.exports = { Socket };
