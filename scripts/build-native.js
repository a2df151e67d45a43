'use strict';

// Builds the addon with cargo alone, no devDependency: `npm run build`, the install hook's
// source fallback and `npm run package` all come here. The cdylib cargo writes is renamed
// into the package's folder as `sio-rs.<platform>.node`, where lib/native.js looks first.
//
//   node scripts/build-native.js [--debug]

const { spawnSync } = require('node:child_process');
const { copyFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const { binaryName } = require('../lib/platform');

const root = join(__dirname, '..');
const LIBRARY_FILE = /\.(so|dylib|dll)$/;

/** Whether `cargo` can be run from PATH. */
function hasCargo() {
  const probe = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * Runs `cargo build` on the addon and puts the library at the package's root.
 * @param {{ release?: boolean, targetDir?: string }} options
 * @returns {string} the path of the `.node` file written
 */
function buildNative({ release = true, targetDir } = {}) {
  const args = ['build', '--lib', '--locked', '--message-format=json-render-diagnostics'];
  if (release) args.push('--release');
  if (targetDir) args.push('--target-dir', targetDir);
  const env = { ...process.env };
  // An explicit RUSTFLAGS replaces .cargo/config.toml's, which carry this cfg.
  if (env.RUSTFLAGS) env.RUSTFLAGS += ' --cfg tokio_unstable';
  const cargo = spawnSync('cargo', args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  if (cargo.error) throw cargo.error;
  if (cargo.status !== 0) throw new Error(`cargo build failed (exit code ${cargo.status})`);
  const library = builtLibrary(cargo.stdout);
  const destination = join(root, binaryName());
  // Copied beside, then renamed over: a process that has the old binary mapped keeps it.
  const staging = `${destination}.${process.pid}.tmp`;
  copyFileSync(library, staging);
  renameSync(staging, destination);
  return destination;
}

/** The cdylib among the artifacts cargo reported on stdout. */
function builtLibrary(cargoMessages) {
  for (const line of cargoMessages.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line);
    if (message.reason !== 'compiler-artifact' || !message.target.kind.includes('cdylib')) continue;
    const library = message.filenames.find((file) => LIBRARY_FILE.test(file));
    if (library) return library;
  }
  throw new Error('cargo build reported no cdylib');
}

module.exports = { buildNative, hasCargo };

if (require.main === module) {
  const release = !process.argv.includes('--debug');
  console.log(`sio-rs: built ${buildNative({ release })}`);
}
