'use strict';

// npm's install hook. Nothing to do when a binary loads: the prebuilt per-platform package
// (an optional dependency) or one built before. Otherwise build from source with cargo,
// or say in one message what would make the install work.

const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { buildNative, hasCargo } = require('./build-native');
const { platformSuffix, platformsOf } = require('../lib/platform');
const { optionalDependencies } = require('../package.json');

const root = join(__dirname, '..');

function loads() {
  try {
    require('../lib/native');
    return true;
  } catch {
    return false;
  }
}

function main() {
  if (loads()) return;
  const platform = platformSuffix();
  if (!hasCargo()) {
    console.error(
      `sio-rs: no prebuilt binary for ${platform} and no Rust toolchain to build one. ` +
        `Install on a platform with a prebuilt binary (${platformsOf(Object.keys(optionalDependencies)).join(', ')}), ` +
        'or install Rust (https://rustup.rs, so that cargo is on PATH) and run npm install again.',
    );
    process.exit(1);
  }
  console.log(
    `sio-rs: no prebuilt binary for ${platform}; building the native addon from source ` +
      'with cargo (release mode, usually 1 to 5 minutes)...',
  );
  // In a checkout, target/ is the developer's cache; in an app's node_modules, the build's
  // few hundred MB go to a temporary folder, removed once the addon is copied out.
  const isCheckout = existsSync(join(root, '.git'));
  const targetDir = isCheckout || process.env.CARGO_TARGET_DIR ? undefined : mkdtempSync(join(tmpdir(), 'sio-rs-build-'));
  try {
    buildNative({ release: true, targetDir });
  } catch (error) {
    console.error(`sio-rs: building the native addon failed: ${error.message}`);
    process.exitCode = 1;
    return;
  } finally {
    if (targetDir) rmSync(targetDir, { recursive: true, force: true });
  }
  if (!loads()) {
    console.error('sio-rs: the native addon was built but does not load.');
    process.exit(1);
  }
  console.log('sio-rs: native addon built.');
}

main();
