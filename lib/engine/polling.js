'use strict';

// HTTP long-polling: Node keeps the requests, Rust decides every answer. A GET with
// nothing to send parks here until Rust sends its payload through the event queue.

const zlib = require('node:zlib');
const accepts = require('accepts');
const debug = require('../debug').logger('engine:polling');
const { engineDefaults } = require('./native-constants');

const compressors = { gzip: zlib.gzip, deflate: zlib.deflate };

function handlePolling(engine, handle, req, res) {
  if (req.method === 'GET') return onPoll(engine, handle, req, res);
  if (req.method === 'POST') return onPost(engine, handle, req, res);
  res.writeHead(500);
  res.end();
}

function onPoll(engine, handle, req, res) {
  const { outcome, payload } = engine.native.poll(handle);
  switch (outcome) {
    case 'reply':
      return writePolling(engine, req, res, payload);
    case 'parked':
      engine._parked.set(handle, { req, res });
      res.on('close', () => {
        if (engine._parked.get(handle)?.res !== res) return;
        engine._parked.delete(handle);
        engine.native.pollAborted(handle);
      });
      return;
    case 'overlap':
      res.writeHead(400);
      return res.end();
    default:
      return engine._refuseRequest(req, res, 1);
  }
}

function onPost(engine, handle, req, res) {
  const binary = req.headers['content-type'] === 'application/octet-stream';
  const begun = engine.native.postBegin(handle, binary);
  if (begun === 'gone') return engine._refuseRequest(req, res, 1);
  if (begun !== 'ok') {
    res.writeHead(400);
    return res.end();
  }
  let finished = false;
  const finish = () => {
    finished = true;
    req.removeListener('data', onData);
  };
  const onData = (chunk) => {
    if (engine.native.postChunk(handle, chunk) === 'ok') return;
    finish();
    res.writeHead(413).end();
  };
  req.on('data', onData);
  req.on('end', () => {
    if (finished) return;
    finish();
    engine.native.postEnd(handle);
    // What the packets caused (connect requests, events) is handled before the next
    // request can arrive, as in a single-threaded server.
    engine._drain();
    const headers = { 'Content-Type': 'text/html', 'Content-Length': '2' };
    res.writeHead(200, responseHeaders(engine, req, headers));
    res.end('ok');
  });
  req.on('close', () => {
    if (finished) return;
    finish();
    engine.native.postAborted(handle);
  });
}

/** Rust answered a parked GET. */
function answerParked(engine, handle, payload) {
  const parked = engine._parked.get(handle);
  if (!parked) return;
  engine._parked.delete(handle);
  writePolling(engine, parked.req, parked.res, payload);
}

/**
 * Writes a polling payload, compressed as the reference's `httpCompression` says: then,
 * as the reference pipes a zlib stream, chunked and without a length.
 */
function writePolling(engine, req, res, payload, sid) {
  const headers = { 'Content-Type': 'text/plain; charset=UTF-8' };
  const compression = engine.opts.httpCompression;
  const encoding =
    compression && Buffer.byteLength(payload) >= (compression.threshold ?? engineDefaults.httpCompression.threshold)
      ? accepts(req).encodings(['gzip', 'deflate'])
      : false;
  if (!encoding) {
    headers['Content-Length'] = String(Buffer.byteLength(payload));
    res.writeHead(200, responseHeaders(engine, req, headers, sid));
    return res.end(payload);
  }
  debug('compressing');
  headers['Content-Encoding'] = encoding;
  res.writeHead(200, responseHeaders(engine, req, headers, sid));
  compressors[encoding](payload, compression, (error, body) => res.end(error ? undefined : body));
}

/** The reference's polling response headers, and its `initial_headers`/`headers` events. */
function responseHeaders(engine, req, headers, sid) {
  const ua = req.headers['user-agent'];
  if (ua && (ua.includes(';MSIE') || ua.includes('Trident/'))) headers['X-XSS-Protection'] = '0';
  headers['cache-control'] = 'no-store';
  engine._emitHeaders(headers, req, sid);
  return headers;
}

function abortRequest(res, code, message) {
  res.writeHead(code === 4 ? 403 : 400, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ code, message }));
}

module.exports = { handlePolling, answerParked, writePolling, abortRequest };
