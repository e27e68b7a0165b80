// Preloaded (--import) into the generated service for the benchmark's "request metrics off" row: counting
// and timing requests become no-ops; everything else runs as in production.
import { createRequire } from 'node:module';

const promClient = createRequire(`${process.cwd()}/package.json`)('prom-client');
promClient.Counter.prototype.inc = () => {};
promClient.Histogram.prototype.observe = () => {};
