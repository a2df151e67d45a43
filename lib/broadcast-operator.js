'use strict';

const codec = require('./codec');
const { RESERVED_EVENTS, timeoutError } = require('./reserved');
const debug = require('./debug').logger('socket.io:broadcast-operator');

/**
 * An immutable broadcast target: rooms, excluded rooms and flags. `emit` is one call
 * into Rust, which resolves the sockets and fans the encoded packet out.
 */
class BroadcastOperator {
  constructor(nsp, rooms = new Set(), exceptRooms = new Set(), flags = {}) {
    this.nsp = nsp;
    this.adapter = nsp.adapter;
    this.rooms = rooms;
    this.exceptRooms = exceptRooms;
    this.flags = flags;
  }

  to(room) {
    const rooms = new Set(this.rooms);
    for (const r of toList(room)) rooms.add(r);
    return new BroadcastOperator(this.nsp, rooms, this.exceptRooms, this.flags);
  }

  in(room) {
    return this.to(room);
  }

  except(room) {
    const exceptRooms = new Set(this.exceptRooms);
    for (const r of toList(room)) exceptRooms.add(r);
    return new BroadcastOperator(this.nsp, this.rooms, exceptRooms, this.flags);
  }

  compress(compress) {
    return this._withFlag('compress', compress);
  }

  get volatile() {
    return this._withFlag('volatile', true);
  }

  get local() {
    return this._withFlag('local', true);
  }

  timeout(timeout) {
    return this._withFlag('timeout', timeout);
  }

  _withFlag(name, value) {
    return new BroadcastOperator(this.nsp, this.rooms, this.exceptRooms, { ...this.flags, [name]: value });
  }

  emit(ev, ...args) {
    if (RESERVED_EVENTS.has(ev)) throw new Error(`"${String(ev)}" is a reserved event name`);
    const data = [ev, ...args];
    if (typeof data[data.length - 1] !== 'function') {
      this._send(data, null);
      return true;
    }
    this._emitWithAck(data, data.pop());
    return true;
  }

  emitWithAck(ev, ...args) {
    return new Promise((resolve, reject) => {
      args.push((err, responses) => {
        if (err) {
          err.responses = responses;
          return reject(err);
        }
        resolve(responses);
      });
      this.emit(ev, ...args);
    });
  }

  /** One packet id for every recipient; the callback gets all responses, or the
   * timeout error with those that came. */
  _emitWithAck(data, ack) {
    const responses = [];
    let done = false;
    let expected = Infinity;
    const id = this.nsp._ids++;
    const sockets = [];
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const socket of sockets) socket.acks.delete(id);
      ack.apply(this, [err, responses]);
    };
    // Without timeout() the reference arms setTimeout(fn, undefined): about 1 ms.
    const timer = setTimeout(() => {
      debug('operation has timed out');
      finish(timeoutError());
    }, this.flags.timeout);
    const check = () => {
      // One server: this one.
      debug('responses: servers: %d / %d ; clients: %d / %d', 1, 1, responses.length, expected);
      if (responses.length === expected) finish(null);
    };
    const delivered = this._send(data, id, (socket) => {
      sockets.push(socket);
      socket.acks.set(id, (response) => {
        responses.push(response);
        check();
      });
    });
    expected = delivered;
    check();
  }

  /** Sends to every target namespace; `onTarget` sees each recipient socket first. */
  _send(data, id, onTarget) {
    const { json, attachments } = codec.encode(data);
    const native = this.nsp.server.engine?.native;
    if (!native) return 0;
    const rooms = [...this.rooms].map(String);
    const except = [...this.exceptRooms].map(String);
    const volatile = Boolean(this.flags.volatile);
    this.nsp.server.engine._queued();
    let count = 0;
    for (const nsp of this.nsp._broadcastNamespaces()) {
      if (onTarget || nsp._hasOutgoingListeners() || this.nsp.server.engine._packetCreateListeners) {
        const handles = native.targets(nsp.name, rooms, except);
        for (const handle of handles) {
          const socket = nsp._connectedSocket(handle);
          if (!socket) continue;
          onTarget?.(socket);
          socket._notifyOutgoingListeners(data);
          socket._packetCreated(id, json, this.flags);
        }
        count += native.emitTo(handles, id, json, attachments, volatile);
      } else {
        count += native.broadcast(nsp.name, rooms, except, id, json, attachments, volatile);
      }
    }
    return count;
  }

  fetchSockets() {
    return Promise.resolve(this._matching());
  }

  socketsJoin(room) {
    for (const socket of this._matching()) socket.join(room);
  }

  socketsLeave(room) {
    for (const socket of this._matching()) socket.leave(room);
  }

  disconnectSockets(close = false) {
    for (const socket of this._matching()) socket.disconnect(close);
  }

  allSockets() {
    return Promise.resolve(new Set(this._matching().map((socket) => socket.id)));
  }

  _matching() {
    const native = this.nsp.server.engine?.native;
    if (!native) return [];
    const rooms = [...this.rooms].map(String);
    const except = [...this.exceptRooms].map(String);
    return this.nsp._broadcastNamespaces().flatMap((nsp) =>
      native
        .targets(nsp.name, rooms, except)
        .map((handle) => nsp._connectedSocket(handle))
        .filter(Boolean),
    );
  }
}

function toList(room) {
  return Array.isArray(room) ? room : [room];
}

module.exports = { BroadcastOperator };
