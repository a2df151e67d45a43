'use strict';

// Serves the browser client bundles of the pinned socket.io-client package under the
// server's path, with the reference's headers, ETag, 304 and compression.

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const accepts = require('accepts');
const debug = require('./debug').logger('socket.io:server');

const clientPackage = require.resolve('socket.io-client/package.json');
const dist = path.join(path.dirname(clientPackage), 'dist');
const files = new Set(
  ['socket.io', 'socket.io.min', 'socket.io.msgpack.min', 'socket.io.esm.min'].flatMap((name) => [
    `${name}.js`,
    `${name}.js.map`,
  ]),
);
// socket.io tags the bundles with its own version, which is its client's: here the
// client's, so a browser's cached bundle stays valid across the switch.
const version = require(clientPackage).version;
const compressors = { br: zlib.createBrotliCompress, gzip: zlib.createGzip, deflate: zlib.createDeflate };

/** The bundle file `req.url` asks for under `prefix` (e.g. "/socket.io/"), if any. */
function requestedFile(req, prefix) {
  if (!req.url.startsWith(prefix)) return null;
  const name = req.url.slice(prefix.length).split('?')[0];
  return files.has(name) ? name : null;
}

function serveFile(req, res, file) {
  const etag = `"${version}"`;
  const type = file.endsWith('.map') ? 'map' : 'source';
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && (ifNoneMatch === etag || ifNoneMatch === `W/${etag}`)) {
    debug('serve client %s 304', type);
    res.writeHead(304);
    return res.end();
  }
  debug('serve client %s', type);
  res.setHeader('Cache-Control', 'public, max-age=0');
  res.setHeader('Content-Type', `application/${type === 'map' ? 'json' : 'javascript'}; charset=utf-8`);
  res.setHeader('ETag', etag);
  const encoding = accepts(req).encodings(['br', 'gzip', 'deflate']);
  const stream = fs.createReadStream(path.join(dist, file));
  stream.on('error', () => res.destroy());
  if (!encoding) {
    res.writeHead(200);
    return stream.pipe(res);
  }
  res.setHeader('Content-Encoding', encoding);
  res.writeHead(200);
  stream.pipe(compressors[encoding]()).pipe(res);
}

/** Wraps the server's request listeners: bundle files first, then everything else. */
function attachServe(server, prefix, cors) {
  const listeners = server.listeners('request').slice(0);
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const file = requestedFile(req, prefix);
    if (!file) {
      for (const listener of listeners) listener.call(server, req, res);
      return;
    }
    if (cors) cors(req, res, () => serveFile(req, res, file));
    else serveFile(req, res, file);
  });
}

module.exports = { attachServe };
