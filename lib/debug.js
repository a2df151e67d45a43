'use strict';

// The `debug` loggers, one per namespace (`socket.io:socket`, `engine:ws`...), shared by
// the facade's lines and those Rust writes.

const createDebug = require('debug');

const loggers = new Map();

/**
 * What a namespace that does not print logs to: nothing, at the cost of a call. The `debug`
 * package's own loggers gather their arguments into an array first, which on the paths
 * every packet takes was a few percent of the throughput.
 */
const silent = Object.assign(() => {}, { enabled: false });

/**
 * The logger of `namespace`, decided once: `DEBUG` as the process started (or as
 * `debug.enable()` left it before sio-rs was loaded).
 */
function logger(namespace) {
  let log = loggers.get(namespace);
  if (!log) {
    log = createDebug.enabled(namespace) ? createDebug(namespace) : silent;
    loggers.set(namespace, log);
  }
  return log;
}

/** Those of `namespaces` that print now (`DEBUG`). */
function enabledNamespaces(namespaces) {
  return namespaces.filter((namespace) => createDebug.enabled(namespace));
}

module.exports = { logger, enabledNamespaces };
