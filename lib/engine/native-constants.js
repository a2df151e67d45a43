'use strict';

// What the Rust side defines for both sides of the boundary (src/node/boundary.rs), read
// once: event kinds and the batch layout, the engine's error codes and messages, and the
// defaults of the options the engine applies.

const native = require('../native');

const { eventKinds, batchLayout, errors, defaults } = native.boundary();

const byName = (named) => Object.freeze(Object.fromEntries(named.map(({ name, code }) => [name, code])));

module.exports = Object.freeze({
  EventKind: byName(eventKinds),
  batchLayout: Object.freeze(batchLayout),
  errors: byName(errors),
  errorMessages: Object.freeze(Object.fromEntries(errors.map(({ code, message }) => [code, message]))),
  engineDefaults: Object.freeze(defaults),
});
