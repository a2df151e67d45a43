'use strict';

const http = require('node:http');
const { EventEmitter } = require('node:events');
const { Engine } = require('./engine/server');

/**
 * The Socket.IO server. The Engine.IO layer runs in Rust; the Socket.IO layer is being
 * built on top of it.
 */
class Server extends EventEmitter {
  constructor(srv, opts = {}) {
    super();
    if (typeof srv === 'object' && srv !== null && typeof srv.listen !== 'function') {
      opts = srv;
      srv = undefined;
    }
    this._opts = opts;
    this._path = (opts.path || '/socket.io').replace(/\/$/, '');
    this.engine = undefined;
    this.httpServer = undefined;
    if (srv != null) this.attach(srv, opts);
  }

  path(value) {
    if (value === undefined) return this._path;
    this._path = value.replace(/\/$/, '');
    return this;
  }

  /** Attaches to an HTTP server, or creates one listening on a port. */
  attach(srv, opts = {}) {
    if (typeof srv === 'function') {
      throw new Error(
        'You are trying to attach socket.io to an express request handler function. Please pass a http.Server instance.',
      );
    }
    if (Number(srv) == srv) {
      const port = Number(srv);
      srv = http.createServer((req, res) => {
        res.writeHead(404);
        res.end();
      });
      srv.listen(port);
    }
    const options = Object.assign({}, opts, this._opts);
    options.path = options.path || this._path;
    this.httpServer = srv;
    this.engine = new Engine(options);
    this.engine.attach(srv, options);
    this.eio = this.engine;
    return this;
  }

  listen(srv, opts) {
    return this.attach(srv, opts);
  }

  /** Closes every connection, then the HTTP server. */
  close(callback) {
    return new Promise((resolve) => {
      this.engine?.close();
      if (!this.httpServer) {
        callback?.();
        return resolve();
      }
      this.httpServer.close((error) => {
        callback?.(error);
        resolve();
      });
    });
  }
}

module.exports = { Server };
