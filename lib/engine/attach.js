'use strict';

// Hooks an engine into a Node HTTP server the way the reference's `attach` does:
// engine requests (a pure prefix match on the path) go to the engine, every other
// request to the listeners the server had; foreign upgrades are ended after a timeout
// unless another listener answered them.

const debug = require('../debug').logger('engine');

function computePath(options) {
  let path = (options.path || '/engine.io').replace(/\/$/, '');
  if (options.addTrailingSlash !== false) path += '/';
  return path;
}

function attach(engine, server, options) {
  const path = computePath(options);
  const destroyUpgradeTimeout = options.destroyUpgradeTimeout || 1000;
  const matches = (req) => path === req.url.slice(0, path.length);

  const listeners = server.listeners('request').slice(0);
  server.removeAllListeners('request');
  server.on('close', () => engine.close());
  server.on('request', (req, res) => {
    if (matches(req)) {
      debug('intercepting request for path "%s"', path);
      return engine.handleRequest(req, res);
    }
    for (const listener of listeners) listener.call(server, req, res);
  });

  if (!engine.opts.transports.includes('websocket')) return;
  server.on('upgrade', (req, socket, head) => {
    if (matches(req)) return engine.handleUpgrade(req, socket, head);
    if (options.destroyUpgrade === false) return;
    setTimeout(() => {
      if (socket.writable && socket.bytesWritten <= 0) {
        socket.on('error', () => {});
        socket.end();
      }
    }, destroyUpgradeTimeout);
  });
}

module.exports = { attach, computePath };
