'use strict';

// Application payloads <-> the JSON text and binary attachments Rust frames. Binary
// values (Buffer, ArrayBuffer, any ArrayBufferView) become placeholders
// `{"_placeholder":true,"num":i}`, as socket.io-parser does.

const { isBinary, toBuffer } = require('./buffers');

/** socket.io-parser's `hasBinary`: looks through arrays, objects and `toJSON()`. */
function hasBinary(value, toJSON) {
  if (!value || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasBinary(value[i])) return true;
    return false;
  }
  if (isBinary(value)) return true;
  if (typeof value.toJSON === 'function' && !toJSON) return hasBinary(value.toJSON(), true);
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key) && hasBinary(value[key])) return true;
  }
  return false;
}

function deconstruct(value, attachments) {
  if (!value) return value;
  if (isBinary(value)) {
    attachments.push(toBuffer(value));
    return { _placeholder: true, num: attachments.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => deconstruct(item, attachments));
  if (typeof value === 'object' && !(value instanceof Date)) {
    const copy = {};
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key)) {
        copy[key] = deconstruct(value[key], attachments);
      }
    }
    return copy;
  }
  return value;
}

/** Encodes an event's arguments (or an ack's) as JSON text plus attachments. */
function encode(data) {
  if (!hasBinary(data)) return { json: JSON.stringify(data), attachments: null };
  return encodeBinary(data);
}

/** `encode` for data known to hold binary values. */
function encodeBinary(data) {
  const attachments = [];
  const json = JSON.stringify(deconstruct(data, attachments));
  return { json, attachments };
}

function reconstruct(value, attachments) {
  if (!value || typeof value !== 'object') return value;
  if (value._placeholder === true) return attachments[value.num];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reconstruct(value[i], attachments);
  } else {
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key)) {
        value[key] = reconstruct(value[key], attachments);
      }
    }
  }
  return value;
}

/** A received payload's values with its attachments in place of their placeholders. */
function revive(data, attachments) {
  return attachments.length ? reconstruct(data, attachments) : data;
}

module.exports = { encode, encodeBinary, revive, hasBinary };
