'use strict';

const { Namespace } = require('./namespace');
const debug = require('./debug').logger('socket.io:parent-namespace');

let count = 0;

/**
 * The namespace `io.of(regex | fn)` returns: it matches namespace names and creates a
 * child namespace for each; broadcasts reach every child.
 */
class ParentNamespace extends Namespace {
  constructor(server) {
    super(server, `/_${count++}`);
    this.children = new Set();
  }

  emit(ev, ...args) {
    for (const nsp of this.children) nsp.emit(ev, ...args);
    return true;
  }

  _broadcastNamespaces() {
    return [...this.children];
  }

  /** Creates the child for `name`, with this parent's middlewares and listeners. */
  createChild(name) {
    debug('creating child namespace %s', name);
    const namespace = new Namespace(this.server, name);
    namespace._fns = this._fns.slice(0);
    for (const event of ['connect', 'connection']) {
      for (const listener of this.listeners(event)) namespace.on(event, listener);
    }
    this.children.add(namespace);
    if (this.server._opts.cleanupEmptyChildNamespaces) {
      const remove = namespace._remove.bind(namespace);
      const cleanup = () => {
        if (namespace.sockets.size || namespace._preConnectSockets.size) return;
        debug('closing child namespace %s', name);
        namespace.adapter.close();
        this.server._removeNamespace(namespace);
        this.children.delete(namespace);
      };
      namespace._remove = (socket) => {
        remove(socket);
        cleanup();
      };
      namespace._onForgotten = cleanup;
    }
    this.server._nsps.set(name, namespace);
    this.server.sockets.emitReserved('new_namespace', namespace);
    return namespace;
  }

  fetchSockets() {
    throw new Error('fetchSockets() is not supported on parent namespaces');
  }
}

module.exports = { ParentNamespace };
