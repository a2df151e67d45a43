'use strict';

const { Server } = require('./lib/server');

/** `require('sio-rs')(srv, opts)`, like `require('socket.io')(srv, opts)`. */
function createServer(srv, opts) {
  return new Server(srv, opts);
}

module.exports = createServer;
module.exports.Server = Server;
