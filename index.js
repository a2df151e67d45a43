'use strict';

const { Server } = require('./lib/server');
const { Namespace } = require('./lib/namespace');
const { Socket } = require('./lib/socket');

/** `require('sio-rs')(srv, opts)`, like `require('socket.io')(srv, opts)`. */
function createServer(srv, opts) {
  return new Server(srv, opts);
}

module.exports = createServer;
module.exports.Server = Server;
module.exports.Namespace = Namespace;
module.exports.Socket = Socket;
