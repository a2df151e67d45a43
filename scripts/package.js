'use strict';

// `npm run package`: writes the tarballs that would be published into dist/ (or --out DIR):
// the main package and this platform's binary package, with the addon built in release mode.
// The versions of the main package, its optionalDependencies and npm/*/package.json must be
// one and the same.
//
//   node scripts/package.js [--out DIR]

const { execFileSync } = require('node:child_process');
const { cpSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { buildNative } = require('./build-native');
const { binaryName, binaryPackage, platformSuffix } = require('../lib/platform');

const root = join(__dirname, '..');

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Throws unless every package of the release carries the main package's version. */
function checkVersions() {
  const main = readJson(join(root, 'package.json'));
  const mismatches = [];
  for (const [name, version] of Object.entries(main.optionalDependencies)) {
    if (version !== main.version) mismatches.push(`optionalDependencies.${name} is ${version}`);
  }
  for (const dir of readdirSync(join(root, 'npm'))) {
    const platformPackage = readJson(join(root, 'npm', dir, 'package.json'));
    if (platformPackage.version !== main.version) mismatches.push(`npm/${dir} is ${platformPackage.version}`);
    if (!(platformPackage.name in main.optionalDependencies)) mismatches.push(`${platformPackage.name} is not an optional dependency`);
  }
  if (mismatches.length) throw new Error(`versions differ from ${main.version}: ${mismatches.join('; ')}`);
}

/** `npm pack` of `dir` into `out`; returns the tarball's path. */
function pack(dir, out) {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
  return join(out, JSON.parse(output)[0].filename);
}

function packagePlatform(out) {
  const template = join(root, 'npm', platformSuffix());
  if (!existsSync(template)) throw new Error(`no binary package for ${platformSuffix()} under npm/`);
  const staging = mkdtempSync(join(tmpdir(), 'sio-rs-package-'));
  try {
    cpSync(template, staging, { recursive: true });
    copyFileSync(buildNative({ release: true }), join(staging, binaryName()));
    return pack(staging, out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function main() {
  const outFlag = process.argv.indexOf('--out');
  const out = resolve(outFlag === -1 ? join(root, 'dist') : process.argv[outFlag + 1]);
  checkVersions();
  mkdirSync(out, { recursive: true });
  console.log(`${binaryPackage()}: ${packagePlatform(out)}`);
  console.log(`sio-rs: ${pack(root, out)}`);
}

main();
