'use strict';

// Runs every benchmark scenario against socket.io, sio-rs and socketioxide (the Rust-native
// reference), interleaved, several times, and prints medians with the ratios of sio-rs to
// the other two. The server gets core 0, the load generator core 1 (taskset); server CPU
// comes from /proc/<pid>/stat.
//
// Usage: node bench/run.js [--reps N] [--only scenario,...] [--servers a,b] [--quick]
// `--servers` may add `floor` (bench/loadgen/src/bin/sio-floor.rs): the least a server can
// do in broadcast-1, which shows what the kernel alone costs on this machine.

const { spawn, execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { args, option, startServer, cpuSeconds, rssKiB, machineCpuSeconds, median, format } = require('./harness');

const loadgen = path.join(__dirname, 'loadgen', 'target', 'release', 'sio-loadgen');
const socketioxide = path.join(__dirname, 'socketioxide', 'target', 'release', 'sio-bench-socketioxide');
const floor = path.join(__dirname, 'loadgen', 'target', 'release', 'sio-floor');
const known = ['socket.io', 'sio-rs', 'socketioxide', 'floor'];
const servers = option('--servers', 'socket.io,sio-rs,socketioxide')
  .split(',')
  .filter(Boolean);
for (const impl of servers) {
  if (!known.includes(impl)) throw new Error(`unknown server ${impl}: expected some of ${known.join(', ')}`);
}
const quick = args.includes('--quick');
const reps = Number(option('--reps', quick ? 1 : 5));
const only = option('--only', '')
  .split(',')
  .filter(Boolean);

// A run during which other processes, or other guests of the hypervisor (steal time), used
// more CPU than this (a share of one core) is redone, at most `MAX_REDOS` times.
const MAX_OTHER_CPU = 0.1;
const MAX_REDOS = 2;

const seconds = quick ? { warmup: 1, duration: 2, hold: 5 } : { warmup: 2, duration: 5, hold: 60 };
const scenarios = [
  { name: 'echo-1', args: ['--scenario', 'echo', '--clients', 50, '--inflight', 1], metrics: ['acks_per_s', 'p50_ms', 'p99_ms', 'p999_ms'] },
  { name: 'echo-32', args: ['--scenario', 'echo', '--clients', 50, '--inflight', 32], metrics: ['acks_per_s', 'p50_ms', 'p99_ms', 'p999_ms'] },
  { name: 'echo-binary', args: ['--scenario', 'echo', '--clients', 50, '--inflight', 32, '--binary'], metrics: ['acks_per_s', 'p99_ms'] },
  // The same over HTTP long-polling: a GET always parked, emits batched into POSTs.
  { name: 'echo-polling', args: ['--scenario', 'echo', '--transport', 'polling', '--clients', 50, '--inflight', 32], metrics: ['acks_per_s', 'p50_ms', 'p99_ms', 'p999_ms'] },
  // One round in flight runs the servers' JS path only ~300 times a second, so V8 goes on
  // compiling it (on the server's core) for ~10 s: a longer warm-up measures the steady state.
  // The floor server runs this one only: with one frame per member per round, no server
  // has anything to coalesce, so the floor's writes are the fewest any server can make.
  { name: 'broadcast-1', args: ['--scenario', 'broadcast', '--clients', 1000, '--inflight', 1], metrics: ['deliveries_per_s', 'p50_ms', 'p99_ms'], warmup: 15, floor: true },
  { name: 'broadcast-16', args: ['--scenario', 'broadcast', '--clients', 1000, '--inflight', 16], metrics: ['deliveries_per_s', 'p50_ms', 'p99_ms'] },
  { name: 'connect', args: ['--scenario', 'connect', '--clients', quick ? 2000 : 10000, '--inflight', 64], metrics: ['conn_per_s', 'p50_ms', 'p99_ms', 'rss_kib_per_conn', 'dropped'], hold: true },
  // As many idle connections as the file-descriptor limit allows (20,000 here).
  { name: 'idle', args: ['--scenario', 'connect', '--clients', quick ? 5000 : 19500, '--inflight', 64], metrics: ['connected', 'rss_kib_per_conn', 'dropped', 'failed'], hold: true },
].filter((s) => !only.length || only.includes(s.name));

/** Runs the load generator; `onLine` gets each line it prints before its result. */
function runLoadgen(scenario, port, onLine) {
  return new Promise((resolve, reject) => {
    const argv = [
      '-c', '1', loadgen,
      ...scenario.args.map(String),
      '--url', `ws://127.0.0.1:${port}/socket.io/`,
      '--warmup', String(quick ? seconds.warmup : (scenario.warmup ?? seconds.warmup)),
      '--duration', String(seconds.duration),
      '--hold', String(seconds.hold),
    ];
    const child = spawn('taskset', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    let last = '';
    child.stdout.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.startsWith('{')) last = line;
        else onLine(line);
      }
    });
    // 'close', not 'exit': the last line may still be unread when the process exits.
    child.on('close', () => {
      if (pending.startsWith('{')) last = pending;
      try {
        const result = JSON.parse(last);
        if (result.error) return reject(new Error(result.error));
        resolve(result);
      } catch (error) {
        reject(new Error(`load generator output: ${last}`));
      }
    });
  });
}

/** Starts a Rust server binary pinned to core 0 like the others; resolves once it listens. */
function startBinary(binary, port) {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', binary, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${path.basename(binary)} exited with ${code}`)));
  });
}

const binaries = { socketioxide, floor };

/**
 * Times a fixed piece of work on the server's core for `duration` seconds, a few times a
 * second (the load generator's `probe`): the median CPU time it took, in µs. A larger
 * figure means a slower host for that run, which neither steal time nor other processes show.
 */
function probeServerCore(duration) {
  return new Promise((resolve) => {
    execFile('taskset', ['-c', '0', loadgen, '--scenario', 'probe', '--duration', String(duration)], (error, stdout) => {
      try {
        resolve(error ? NaN : JSON.parse(stdout).probe_us);
      } catch {
        resolve(NaN);
      }
    });
  });
}

async function measure(impl, scenario, port) {
  const server = binaries[impl] ? await startBinary(binaries[impl], port) : await startServer(impl, port);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const baseline = rssKiB(server.pid);
  const cpuBefore = cpuSeconds(server.pid);
  const machineBefore = machineCpuSeconds();
  const started = Date.now();
  let heldRss = null;
  // The server's CPU where the load generator measures (echo, broadcast).
  let windowStart = NaN;
  let windowCpu = NaN;
  let probe = null;
  const result = await runLoadgen(scenario, port, (line) => {
    const hold = /^HOLD (\d+)$/.exec(line);
    // Sample memory near the end of the hold, pings flowing.
    if (hold) {
      const connected = Number(hold[1]);
      setTimeout(() => {
        heldRss = (rssKiB(server.pid) - baseline) / connected;
      }, Math.max(0, seconds.hold - 2) * 1000);
    }
    if (line === 'WINDOW start') {
      windowStart = cpuSeconds(server.pid);
      probe = probeServerCore(seconds.duration);
    }
    if (line === 'WINDOW end') windowCpu = cpuSeconds(server.pid) - windowStart;
  });
  const wall = (Date.now() - started) / 1000;
  const serverCpu = cpuSeconds(server.pid) - cpuBefore;
  const loadgenCpu = result.loadgen_cpu_s;
  const loadgenWindowCpu = result.loadgen_window_cpu_s;
  delete result.loadgen_cpu_s;
  delete result.loadgen_window_cpu_s;
  const machineAfter = machineCpuSeconds();
  const othersCpu = Math.max(0, machineAfter.busy - machineBefore.busy - serverCpu - loadgenCpu);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  if (heldRss !== null) result.rss_kib_per_conn = heldRss;
  if (probe) result.server_core_probe_us = await probe;
  // Per operation: within the measured window where there is one, else over the run.
  const perOp = (cpu) => (result.ops ? (cpu * 1e6) / result.ops : NaN);
  result.server_cpu_us_per_op = perOp(Number.isNaN(windowCpu) ? serverCpu : windowCpu);
  if (loadgenWindowCpu !== undefined) result.loadgen_cpu_us_per_op = perOp(loadgenWindowCpu);
  result.server_cpu_share = serverCpu / wall;
  result.loadgen_cpu_share = loadgenCpu / wall;
  // Every other process on the machine: what disturbs a run.
  result.other_cpu_share = othersCpu / wall;
  result.steal_cpu_share = (machineAfter.stolen - machineBefore.stolen) / wall;
  return result;
}

/** `measure`, again while others took more than `MAX_OTHER_CPU` of a core. */
async function measureUndisturbed(impl, scenario, nextPort) {
  for (let attempt = 1; ; attempt++) {
    const result = await measure(impl, scenario, nextPort());
    const disturbed = result.other_cpu_share > MAX_OTHER_CPU || result.steal_cpu_share > MAX_OTHER_CPU;
    if (!disturbed || attempt > MAX_REDOS) return result;
    console.error(
      `${scenario.name} ${impl}: other processes used ${format(result.other_cpu_share)} of a core, other guests ${format(result.steal_cpu_share)}, redoing`,
    );
  }
}

async function main() {
  // Cargo rebuilds only what changed, so a stale binary never runs. The benchmark's own
  // crates build with tokio as released: an empty RUSTFLAGS replaces the `tokio_unstable`
  // cfg that the addon's .cargo/config.toml sets for every crate below it.
  const build = (crate) =>
    execFileSync('cargo', ['build', '--release', '--quiet'], {
      cwd: path.join(__dirname, crate),
      stdio: 'inherit',
      env: { ...process.env, RUSTFLAGS: '' },
    });
  build('loadgen');
  if (servers.includes('socketioxide')) build('socketioxide');
  const results = {};
  let port = 4300;
  for (let rep = 1; rep <= reps; rep++) {
    for (const scenario of scenarios) {
      // Alternate which server goes first, so drift in the machine's load is shared.
      const order = rep % 2 ? servers : [...servers].reverse();
      for (const impl of order.filter((impl) => impl !== 'floor' || scenario.floor)) {
        const result = await measureUndisturbed(impl, scenario, () => port++);
        ((results[scenario.name] ??= {})[impl] ??= []).push(result);
        console.error(`rep ${rep} ${scenario.name} ${impl}: ${JSON.stringify(result)}`);
      }
    }
  }
  // Columns in a fixed order whatever the order of --servers; a ratio only where both ran.
  const titles = { 'socket.io': 'socket.io 4.8.4', 'sio-rs': 'sio-rs', socketioxide: `socketioxide ${socketioxideVersion()}`, floor: 'floor' };
  const columns = known.filter((impl) => servers.includes(impl));
  const ratios = ['socket.io', 'socketioxide'].filter((other) => servers.includes('sio-rs') && servers.includes(other));
  // What the floor reaches against socket.io: the best ratio any server could show here.
  const floorRatio = servers.includes('floor') && servers.includes('socket.io');
  const rows = [];
  for (const scenario of scenarios) {
    for (const metric of [...scenario.metrics, 'server_cpu_us_per_op', 'loadgen_cpu_us_per_op', 'loadgen_cpu_share', 'other_cpu_share', 'steal_cpu_share', 'server_core_probe_us']) {
      if (!results[scenario.name][columns[0]].some((r) => metric in r)) continue;
      const value = {};
      for (const impl of columns) value[impl] = median((results[scenario.name][impl] ?? []).map((r) => r[metric]));
      // The shares of the load generator and of others, and the core's speed, describe the run: no ratio.
      const describesRun = metric.endsWith('_share') || metric === 'server_core_probe_us';
      const ratio = (other) => (describesRun ? NaN : value['sio-rs'] / value[other]);
      const cells = [...columns.map((impl) => value[impl]), ...ratios.map(ratio)];
      if (floorRatio) cells.push(describesRun ? NaN : value.floor / value['socket.io']);
      rows.push(`| ${scenario.name} | ${metric} | ${cells.map(format).join(' | ')} |`);
    }
  }
  const header = ['scenario', 'metric', ...columns.map((impl) => titles[impl]), ...ratios.map((other) => `sio-rs / ${other}`)];
  if (floorRatio) header.push('floor / socket.io');
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}; ${reps} repetitions, medians; server on core 0, load generator on core 1.\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---|').join('')}`);
  for (const row of rows) console.log(row);
}

/** The socketioxide version the app was built with, from its Cargo.lock. */
function socketioxideVersion() {
  const lock = fs.readFileSync(path.join(__dirname, 'socketioxide', 'Cargo.lock'), 'utf8');
  return /name = "socketioxide"\nversion = "([^"]+)"/.exec(lock)?.[1] ?? '';
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
