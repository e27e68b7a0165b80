// A stand-in OTLP/HTTP trace collector for the benchmark: accepts every export and counts the bytes.
// node otlp-sink.mjs PORT; prints "ready" once listening, and its byte count on SIGTERM.
import http from 'node:http';

let bytes = 0;
let exports = 0;
const server = http.createServer((req, res) => {
  req.on('data', chunk => (bytes += chunk.length));
  req.on('end', () => {
    exports++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ exports, bytes }));
  process.exit(0);
});
