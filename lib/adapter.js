'use strict';

const { EventEmitter } = require('node:events');

/**
 * `nsp.adapter`: the in-memory adapter's interface over the room index kept in Rust.
 * `rooms` and `sids` are snapshots built on access.
 */
class Adapter extends EventEmitter {
  constructor(nsp) {
    super();
    this.nsp = nsp;
  }

  get _native() {
    return this.nsp.server.engine?.native;
  }

  _id(handle) {
    return this.nsp.server._socketsByHandle.get(handle)?.id;
  }

  /** Room → ids of its members. */
  get rooms() {
    const rooms = new Map();
    for (const { room, sockets } of this._native?.namespaceRooms(this.nsp.name) ?? []) {
      rooms.set(room, new Set(sockets.map((handle) => this._id(handle)).filter(Boolean)));
    }
    return rooms;
  }

  /** Socket id → its rooms. */
  get sids() {
    const sids = new Map();
    for (const [room, ids] of this.rooms) {
      for (const id of ids) {
        if (!sids.has(id)) sids.set(id, new Set());
        sids.get(id).add(room);
      }
    }
    return sids;
  }

  init() {}

  close() {}

  serverCount() {
    return Promise.resolve(1);
  }

  _socket(id) {
    return this.nsp.sockets.get(id) || this.nsp._preConnectSockets.get(id);
  }

  addAll(id, rooms) {
    this._socket(id)?.join([...rooms]);
  }

  del(id, room) {
    this._socket(id)?.leave(room);
  }

  delAll(id) {
    const socket = this._socket(id);
    if (socket) for (const room of socket.rooms) socket.leave(room);
  }

  socketRooms(id) {
    return this._socket(id)?.rooms;
  }

  sockets(rooms) {
    return this.nsp.in([...rooms]).allSockets();
  }

  fetchSockets(opts) {
    return this.nsp.in([...opts.rooms]).except([...(opts.except ?? [])]).fetchSockets();
  }

  addSockets(opts, rooms) {
    this.nsp.in([...opts.rooms]).except([...(opts.except ?? [])]).socketsJoin(rooms);
  }

  delSockets(opts, rooms) {
    for (const room of rooms) this.nsp.in([...opts.rooms]).except([...(opts.except ?? [])]).socketsLeave(room);
  }

  disconnectSockets(opts, close) {
    this.nsp.in([...opts.rooms]).except([...(opts.except ?? [])]).disconnectSockets(close);
  }

  serverSideEmit() {
    console.warn('this adapter does not support the serverSideEmit() functionality');
  }
}

module.exports = { Adapter };
