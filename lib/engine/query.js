'use strict';

/** A request's query as the reference reads it (`URLSearchParams`, the last value wins). */
function parseQuery(url) {
  return Object.fromEntries(new URL(url, 'https://socket.io').searchParams.entries());
}

module.exports = { parseQuery };
