'use strict';

// A reconnection storm: 5,000 real socket.io-client clients (default transports and
// backoff) are connected, the server is killed and started again on the same port, and
// every client must get back in. Server on core 0, clients on core 1; socket.io and
// sio-rs interleaved.
//
// Usage: node bench/storm.js [--clients N] [--reps N]

const { fork } = require('node:child_process');
const path = require('node:path');
const { option, startServer, median, format } = require('./harness');

const clients = Number(option('--clients', 5000));
const reps = Number(option('--reps', 3));

function nextMessage(child, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the clients did not report in time')), ms);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function storm(impl, port) {
  let server = await startServer(impl, port);
  const crowd = fork(path.join(__dirname, 'storm-clients.js'), [`http://127.0.0.1:${port}`, clients], {
    execPath: 'taskset',
    execArgv: ['-c', '1', process.execPath],
  });
  try {
    await nextMessage(crowd, 300_000);
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    server = await startServer(impl, port);
    const report = await nextMessage(crowd, 120_000);
    const times = report.times.sort((a, b) => a - b);
    return {
      back: report.back,
      stranded: report.stranded,
      p50_s: percentile(times, 50) / 1000,
      p99_s: percentile(times, 99) / 1000,
      max_s: times.at(-1) / 1000,
    };
  } finally {
    crowd.kill();
    server.kill('SIGKILL');
  }
}

async function main() {
  const results = { 'socket.io': [], 'sio-rs': [] };
  let port = 4700;
  for (let rep = 1; rep <= reps; rep++) {
    const order = rep % 2 ? ['socket.io', 'sio-rs'] : ['sio-rs', 'socket.io'];
    for (const impl of order) {
      const result = await storm(impl, port++);
      results[impl].push(result);
      console.error(`rep ${rep} ${impl}: ${JSON.stringify(result)}`);
    }
  }
  console.log(`Reconnection storm: ${clients} clients, ${reps} repetitions, medians.`);
  console.log('| metric | socket.io 4.8.4 | sio-rs |');
  console.log('|---|---|---|');
  for (const metric of ['back', 'stranded', 'p50_s', 'p99_s', 'max_s']) {
    const [reference, ours] = ['socket.io', 'sio-rs'].map((impl) => median(results[impl].map((r) => r[metric])));
    console.log(`| ${metric} | ${format(reference)} | ${format(ours)} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
