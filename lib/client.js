'use strict';

const { AcceptedRequest } = require('./engine/accepted-request');
const debug = require('./debug').logger('socket.io:client');

/**
 * One Engine.IO connection as Socket.IO sees it (`socket.client`): the sockets it opened,
 * one per namespace.
 */
class Client {
  constructor(server, conn) {
    this.server = server;
    this.conn = conn;
    this.id = conn.id;
    this.nsps = new Map();
  }

  /** Its sockets by id (derived: a client rarely has more than one). */
  get sockets() {
    return new Map([...this.nsps.values()].map((socket) => [socket.id, socket]));
  }

  /** The handshake's `http.IncomingMessage` (built on first read when Rust served it). */
  get request() {
    const request = this.conn.request;
    return request instanceof AcceptedRequest ? request.toIncomingMessage() : request;
  }

  /** The socket `handle` (id `id`) asks to join namespace `name`. */
  _connect(handle, id, name, auth) {
    const known = this.server._nsps.get(name);
    if (known) {
      debug('connecting to namespace %s', name);
      return known._add(this, handle, id, auth);
    }
    this.server._checkNamespace(name, auth, (nsp) => {
      if (nsp) return nsp._add(this, handle, id, auth);
      debug('creation of namespace %s was denied', name);
      const engine = this.server.engine;
      engine.native.refuse(handle, JSON.stringify({ message: 'Invalid namespace' }));
      engine._queued();
    });
  }

  _add(socket) {
    this.nsps.set(socket.nsp.name, socket);
  }

  _remove(socket) {
    this.nsps.delete(socket.nsp.name);
  }

  /** The connection took what was queued for it: its sockets may emit again. */
  _onDrain() {
    for (const socket of this.nsps.values()) socket.emitReserved('drain');
  }

  /** Disconnects every socket of this client, then closes the connection. */
  _disconnect() {
    for (const socket of [...this.nsps.values()]) socket.disconnect();
    this.nsps.clear();
    this.close();
  }

  /** Closes the connection; its sockets disconnect with "forced server close". */
  close() {
    if (this.conn.readyState !== 'open') return;
    this.server.engine.native.closeClient(this.conn.handle, 'forced server close');
  }
}

module.exports = { Client };
