'use strict';

// What the benchmark scripts share: options, the pinned server, /proc readings, medians.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};

const CLK_TCK = 100;
const PAGE = 4096;

function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function rssKiB(pid) {
  const statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return (Number(statm[1]) * PAGE) / 1024;
}

/**
 * The machine's CPU time from /proc/stat: `busy`, what every process ran (the two under
 * test included), and `stolen`, what the hypervisor gave to other guests while ours waited.
 */
function machineCpuSeconds() {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { busy: (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]) / CLK_TCK, stolen: cpu[7] / CLK_TCK };
}

/** Starts `bench/server.js` on `impl`, pinned to core 0; resolves once it listens. */
function startServer(impl, port) {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', process.execPath, path.join(__dirname, 'server.js'), impl, String(port)], {
      cwd: root,
      env: { ...process.env, SIO_RS_WORKER_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${impl} server exited with ${code}`)));
  });
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function format(value) {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

module.exports = { args, option, startServer, cpuSeconds, rssKiB, machineCpuSeconds, median, format };
