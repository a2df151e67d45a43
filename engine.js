'use strict';

// The engine-level entry, shaped like the `engine.io` package: Engine.IO sessions served
// by the Rust engine, without the Socket.IO layer.

const http = require('node:http');
const { Engine } = require('./lib/engine/server');
const { EngineSocket } = require('./lib/engine/socket');

/** Attaches a new engine to `server` (default path `/engine.io`). */
function attach(server, options = {}) {
  const engine = new Engine(options);
  engine.attach(server, options);
  return engine;
}

/** Creates an HTTP server listening on `port` that answers 501 to non-engine requests. */
function listen(port, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  const server = http.createServer((req, res) => {
    res.writeHead(501);
    res.end('Not Implemented');
  });
  const engine = attach(server, options);
  engine.httpServer = server;
  server.listen(port, callback);
  return engine;
}

module.exports = { Server: Engine, Socket: EngineSocket, attach, listen, protocol: 4 };
