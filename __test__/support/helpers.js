'use strict';

// Shared test support: servers on 127.0.0.1 with an ephemeral port, raw HTTP helpers.

const http = require('node:http');
const { once } = require('node:events');
const eio = require('../../engine');

function defaultApp(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(`app:${req.url}`);
}

/** An http.Server with a Rust engine attached, listening on 127.0.0.1. */
async function startEngine(options = {}, app = defaultApp) {
  const server = http.createServer(app);
  const engine = eio.attach(server, options);
  return listening(server, engine);
}

async function listening(server, engine, scheme = 'http') {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    server,
    engine,
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    async close() {
      engine.close();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Resolves with the arguments of the first `event` of `emitter`, or rejects after `ms`. */
function waitEvent(emitter, event, ms = 5000) {
  return waitEvents(emitter, event, 1, ms).then(([args]) => args);
}

/**
 * Resolves with the arguments of the next `count` `event`s of `emitter`, or rejects after
 * `ms`. One listener sees them all: events emitted in one callback (two frames in one
 * read) would otherwise pass a second `waitEvent` by before it listens.
 */
function waitEvents(emitter, event, count, ms = 5000) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const onEvent = (...args) => {
      seen.push(args);
      if (seen.length < count) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve(seen);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`timed out waiting for "${event}" (${seen.length} of ${count})`));
    }, ms);
    emitter.on(event, onEvent);
  });
}

/** Polls `predicate` until it holds, or rejects after `ms`. */
async function waitUntil(predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await delay(10);
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A plain HTTP request; resolves with status, headers and the body as text. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens an Engine.IO polling session by hand; returns its sid and open packet. */
async function pollingHandshake(url, path = '/engine.io/') {
  const res = await request(`${url}${path}?EIO=4&transport=polling`);
  const open = JSON.parse(res.body.split('\x1e')[0].slice(1));
  return { sid: open.sid, open, res };
}

module.exports = { startEngine, listening, waitEvent, waitEvents, waitUntil, delay, request, pollingHandshake };
