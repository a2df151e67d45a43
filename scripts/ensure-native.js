'use strict';

// npm's install hook: keep a native binary that loads, or build one with cargo.

const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');

function loads() {
  try {
    require(join(root, 'lib', 'native.js'));
    return true;
  } catch {
    return false;
  }
}

if (!loads()) {
  try {
    execFileSync('cargo', ['--version'], { stdio: 'ignore' });
  } catch {
    console.error('sio-rs: no prebuilt binary for this platform and no cargo to build one.');
    process.exit(1);
  }
  console.log('sio-rs: building the native addon (cargo, release mode)...');
  const napi = join(root, 'node_modules', '.bin', 'napi');
  execFileSync(napi, ['build', '--platform', '--release', '--no-js', '--dts', 'native.d.ts'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!loads()) {
    console.error('sio-rs: the native addon was built but does not load.');
    process.exit(1);
  }
  console.log('sio-rs: native addon built.');
}
