'use strict';

// Loads the Rust addon: SIO_RS_NATIVE_PATH if set, else the binary built from source in
// this package's folder (a checkout, or the install hook's fallback), else the prebuilt
// per-platform package (npm/), which npm installs as an optional dependency.

const { join } = require('node:path');
const { existsSync } = require('node:fs');
const { binaryName, binaryPackage, platformSuffix } = require('./platform');

function load() {
  const override = process.env.SIO_RS_NATIVE_PATH;
  if (override) return require(override);
  const local = join(__dirname, '..', binaryName());
  if (existsSync(local)) return require(local);
  try {
    return require(binaryPackage());
  } catch (error) {
    throw new Error(
      `sio-rs: no native binary for ${platformSuffix()} (${binaryPackage()} is not installed ` +
        `or does not load: ${error.message}). Reinstall sio-rs with a Rust toolchain (cargo) ` +
        'on PATH to build it from source.',
    );
  }
}

module.exports = load();
