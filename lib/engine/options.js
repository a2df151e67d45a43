'use strict';

// Engine options: the reference's defaults (those the engine applies are Rust's), and
// what the Rust engine is told.

const { engineDefaults } = require('./native-constants');

const defaults = Object.freeze({
  pingTimeout: engineDefaults.pingTimeout,
  pingInterval: engineDefaults.pingInterval,
  upgradeTimeout: engineDefaults.upgradeTimeout,
  maxHttpBufferSize: engineDefaults.maxHttpBufferSize,
  // Not in the reference, which buffers without limit: bytes queued for one connection
  // above which `emit()` returns false (until `drain`), and at which it is disconnected.
  outboundHighWaterMark: engineDefaults.outboundHighWaterMark,
  maxOutboundBufferSize: engineDefaults.maxOutboundBufferSize,
  transports: engineDefaults.transports,
  allowUpgrades: engineDefaults.allowUpgrades,
  httpCompression: { threshold: engineDefaults.httpCompression.threshold },
  cors: false,
  allowEIO3: false,
});

const cookieDefaults = Object.freeze({ name: 'io', path: '/', httpOnly: true, sameSite: 'lax' });

function normalizeOptions(opts) {
  const normalized = Object.assign({}, defaults, opts);
  if (opts.cookie) normalized.cookie = Object.assign({}, cookieDefaults, opts.cookie);
  if (opts.allowEIO3) {
    throw new Error('sio-rs: allowEIO3 (Engine.IO v3 / Socket.IO v2 clients) is not supported');
  }
  if (opts.perMessageDeflate) {
    throw new Error('sio-rs: perMessageDeflate is not supported (WebSocket compression is off)');
  }
  if (opts.wsEngine) {
    throw new Error('sio-rs: wsEngine cannot be replaced: WebSockets are served by the Rust engine');
  }
  for (const transport of normalized.transports) {
    if (transport !== 'polling' && transport !== 'websocket') {
      throw new Error(`sio-rs: unsupported transport "${transport}"`);
    }
  }
  return normalized;
}

function nativeOptions(opts) {
  const initial = opts.initialPacket;
  return {
    pingInterval: opts.pingInterval,
    pingTimeout: opts.pingTimeout,
    upgradeTimeout: opts.upgradeTimeout,
    maxHttpBufferSize: opts.maxHttpBufferSize,
    outboundHighWaterMark: opts.outboundHighWaterMark,
    maxOutboundBufferSize: opts.maxOutboundBufferSize,
    transports: opts.transports,
    allowUpgrades: opts.allowUpgrades !== false,
    initialPacket:
      initial == null ? undefined : Buffer.isBuffer(initial) ? initial : String(initial),
    httpCompression: nativeCompression(opts.httpCompression),
  };
}

// zlib's default level; the only zlib option Rust applies to the polling answers it
// compresses itself (with any other, Node writes compressible answers).
const DEFAULT_LEVEL = engineDefaults.httpCompression.level;

/** `httpCompression` for Rust: no `level` when zlib options Rust does not apply are set. */
function nativeCompression(compression) {
  if (!compression) return undefined;
  const { threshold = defaults.httpCompression.threshold, level = DEFAULT_LEVEL, ...others } = compression;
  const appliesInRust =
    Object.keys(others).length === 0 &&
    Number.isFinite(threshold) &&
    Number.isInteger(level) &&
    level >= -1 &&
    level <= 9;
  if (!appliesInRust) return { threshold: 0 };
  return { threshold: Math.max(0, threshold), level: level === -1 ? DEFAULT_LEVEL : level };
}

module.exports = { normalizeOptions, nativeOptions };
