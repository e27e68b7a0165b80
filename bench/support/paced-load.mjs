// Open-loop load at an even pace: request i is due at start + i/RATE, whether or not earlier ones have
// answered (autocannon's -R sends bursts). Latency is measured from the due time, so a stalled server is
// not hidden by a generator that waits for it. Prints one JSON line.
// node paced-load.mjs URL RATE SECONDS
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, rate, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const total = Math.round(rate * seconds);
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const latencies = [];
let sent = 0;
let finished = 0;
let errors = 0;
let start = 0;

function fire(index) {
  const due = start + (index * 1000) / rate;
  const done = ok => {
    if (ok) latencies.push(performance.now() - due);
    else errors++;
    if (++finished === total) report();
  };
  http
    .get(url, { agent }, res => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
    })
    .on('error', () => done(false));
}

function tick() {
  const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
  while (sent < due) fire(sent++);
  if (sent < total) setTimeout(tick, Math.max(0, start + (sent * 1000) / rate - performance.now()));
}

function report() {
  latencies.sort((a, b) => a - b);
  const at = q => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  console.log(JSON.stringify({ requests: total, errors, p50: at(0.5), p99: at(0.99), max: at(1) }));
  agent.destroy();
}

start = performance.now();
tick();
