'use strict';

// Loads the Rust addon: the binary built in this checkout (`napi build --platform`),
// or the per-platform package published from npm/.

const { join } = require('node:path');
const { existsSync } = require('node:fs');

function platformSuffix() {
  const { platform, arch } = process;
  if (platform !== 'linux') return `${platform}-${arch}`;
  const glibc = process.report?.getReport()?.header?.glibcVersionRuntime;
  return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
}

function load() {
  const suffix = platformSuffix();
  const override = process.env.SIO_RS_NATIVE_PATH;
  if (override) return require(override);
  const local = join(__dirname, '..', `sio-rs.${suffix}.node`);
  if (existsSync(local)) return require(local);
  try {
    return require(`sio-rs-${suffix}`);
  } catch (error) {
    throw new Error(
      `sio-rs: no native binary for ${suffix}. Run "npm install" with a Rust toolchain ` +
        `installed to build it (cause: ${error.message})`,
    );
  }
}

module.exports = load();
