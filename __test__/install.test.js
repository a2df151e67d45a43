'use strict';

// sio-rs as an app installs it: the tarballs `npm run package` writes, installed with
// `npm install --omit=dev` into a fresh folder, then a small app and a real socket.io-client.
// Prebuilt: the platform package present and cargo off PATH, so nothing can compile.
// Source: no platform package, so the install hook builds with cargo alone.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { once } = require('node:events');
const { tmpdir } = require('node:os');
const { delimiter, join } = require('node:path');
const { io: connect } = require('socket.io-client');
const { request, waitEvent } = require('./support/helpers');
const { binaryName, binaryPackage, platformSuffix } = require('../lib/platform');
const { version } = require('../package.json');

const root = join(__dirname, '..');
const haveBinaryPackage = existsSync(join(root, 'npm', platformSuffix()));
const INSTALL_TIMEOUT_MS = 8 * 60 * 1000;

/** PATH without the folders that hold cargo: node and npm stay reachable. */
function pathWithoutCargo() {
  return process.env.PATH.split(delimiter)
    .filter((dir) => dir && !existsSync(join(dir, 'cargo')))
    .join(delimiter);
}

function makeApp(scratch, name) {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  copyFileSync(join(__dirname, 'support', 'consumer-app.js'), join(dir, 'server.js'));
  return dir;
}

/** `npm install` of `tarballs` in `dir`; returns its status, output and duration. */
function npmInstall(dir, tarballs, { omit = [], path = process.env.PATH } = {}) {
  const args = ['install', '--no-audit', '--no-fund', '--foreground-scripts', '--omit=dev'];
  for (const kind of omit) args.push(`--omit=${kind}`);
  const started = process.hrtime.bigint();
  const result = spawnSync('npm', [...args, ...tarballs], {
    cwd: dir,
    env: { ...process.env, PATH: path },
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { status: result.status, output: `${result.stdout}${result.stderr}`, seconds };
}

/** Starts the app in `dir`, checks its route and a socket.io round trip, then stops it. */
async function roundTrip(dir) {
  const app = spawn(process.execPath, ['server.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  const client = { socket: null };
  try {
    const [line] = await waitEvent(app.stdout, 'data', 10_000);
    const url = `http://127.0.0.1:${Number(String(line).trim())}`;

    const health = await request(`${url}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body.toString(), 'app ok');

    client.socket = connect(url, { reconnection: false });
    await waitEvent(client.socket, 'connect');
    assert.equal(await client.socket.timeout(5000).emitWithAck('join', 'lobby'), 'joined lobby');
    const news = waitEvent(client.socket, 'news');
    client.socket.emit('shout', 'lobby', 'hello room');
    assert.deepEqual(await news, ['hello room']);
  } finally {
    client.socket?.close();
    app.kill();
    await once(app, 'exit');
  }
}

describe('installing the packed tarballs into a fresh app', { timeout: 2 * INSTALL_TIMEOUT_MS }, () => {
  let scratch;
  let mainTarball;
  let binaryTarball;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'sio-rs-install-'));
    const dist = join(scratch, 'dist');
    execFileSync(process.execPath, [join(root, 'scripts', 'package.js'), '--out', dist], { stdio: ['ignore', 'ignore', 'inherit'] });
    mainTarball = join(dist, `sio-rs-${version}.tgz`);
    binaryTarball = join(dist, `${binaryPackage()}-${version}.tgz`);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('uses the prebuilt binary package, with no cargo on PATH', { skip: !haveBinaryPackage && `no npm/${platformSuffix()}` }, async (t) => {
    const dir = makeApp(scratch, 'prebuilt-app');
    const install = npmInstall(dir, [mainTarball, binaryTarball], { path: pathWithoutCargo() });
    assert.equal(install.status, 0, install.output);
    t.diagnostic(`prebuilt install: ${install.seconds.toFixed(1)} s`);
    assert.doesNotMatch(install.output, /building the native addon/);
    assert.ok(existsSync(join(dir, 'node_modules', binaryPackage(), binaryName())));
    assert.ok(!existsSync(join(dir, 'node_modules', 'sio-rs', binaryName())), 'nothing was compiled');
    await roundTrip(dir);
  });

  it('builds from source with cargo alone when no binary package is installed', async (t) => {
    const dir = makeApp(scratch, 'source-app');
    const install = npmInstall(dir, [mainTarball], { omit: ['optional'] });
    assert.equal(install.status, 0, install.output);
    t.diagnostic(`source install: ${install.seconds.toFixed(1)} s`);
    assert.match(install.output, /building the native addon from source with cargo \(release mode/);
    assert.ok(!existsSync(join(dir, 'node_modules', binaryPackage())));
    assert.ok(existsSync(join(dir, 'node_modules', 'sio-rs', binaryName())));
    assert.ok(!existsSync(join(dir, 'node_modules', 'sio-rs', 'target')), 'the build folder is removed');
    await roundTrip(dir);
  });

  it('names both remedies when there is neither a binary nor cargo', () => {
    const dir = makeApp(scratch, 'stuck-app');
    const install = npmInstall(dir, [mainTarball], { omit: ['optional'], path: pathWithoutCargo() });
    assert.notEqual(install.status, 0);
    assert.match(install.output, /no prebuilt binary for \S+ and no Rust toolchain to build one/);
    assert.match(install.output, /platform with a prebuilt binary \([^)]*linux-x64-gnu/);
    assert.match(install.output, /install Rust/);
  });
});
