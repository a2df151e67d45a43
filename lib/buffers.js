'use strict';

/** True for the binary values Socket.IO and Engine.IO carry as bytes. */
function isBinary(value) {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/** A Buffer over the same bytes as `value` (a Buffer, ArrayBuffer or ArrayBufferView). */
function toBuffer(value) {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

module.exports = { isBinary, toBuffer };
