'use strict';

// Names and errors the reference fixes.

/** Event names the application may not emit (they are Socket.IO's own events). */
const RESERVED_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

/** Names `serverSideEmit` refuses. */
const SERVER_RESERVED_EVENTS = new Set(['connect', 'connection', 'new_namespace']);

function timeoutError() {
  return new Error('operation has timed out');
}

module.exports = { RESERVED_EVENTS, SERVER_RESERVED_EVENTS, timeoutError };
