'use strict';

// The `debug` loggers, one per namespace (`socket.io:socket`, `engine:ws`...), shared by
// the facade's lines and those Rust writes.

const createDebug = require('debug');

const loggers = new Map();

/** The logger of `namespace`. */
function logger(namespace) {
  let log = loggers.get(namespace);
  if (!log) loggers.set(namespace, (log = createDebug(namespace)));
  return log;
}

/** Those of `namespaces` that print now (`DEBUG`). */
function enabledNamespaces(namespaces) {
  return namespaces.filter((namespace) => createDebug.enabled(namespace));
}

module.exports = { logger, enabledNamespaces };
