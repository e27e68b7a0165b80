// A corpus of malformed requests over raw sockets, as scanners and broken clients send them: each is answered
// with one 4xx in the JSON error shape, or the connection is closed; never a stack trace, never a second
// (smuggled) answer, and the service keeps serving.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { request } from './test-support/process.ts';
import { startService, type TestService } from './test-support/service.ts';

let service: TestService;
before(async () => {
  service = await startService({});
});
after(() => service.close());

const H = 'Host: x\r\n';
const SMUGGLED = 'GET /api/v1/details HTTP/1.1\r\nHost: x\r\n\r\n';

// [what it is, the status expected, the bytes sent]
const CORPUS: [string, number, string][] = [
  ['a request line that is not one', 400, 'HELLO\r\n\r\n'],
  // Node's parser reads a request line without a version as HTTP/0.9 and the route answers it: harmless.
  ['no HTTP version', 200, 'GET /api/v1/healthz\r\n\r\n'],
  ['an unknown HTTP version', 400, `GET /api/v1/healthz HTTP/9.9\r\n${H}\r\n`],
  ['the HTTP/2 preface', 400, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['a lower-case method', 400, `get /api/v1/healthz HTTP/1.1\r\n${H}\r\n`],
  ['a control character in the method', 400, `GE\x01T /api/v1/healthz HTTP/1.1\r\n${H}\r\n`],
  ['a space in the path', 400, `GET /api/ v1/healthz HTTP/1.1\r\n${H}\r\n`],
  ['a NUL in the path', 400, `GET /api/v1/\0healthz HTTP/1.1\r\n${H}\r\n`],
  ['a path that is not a path', 400, `GET api/v1/healthz HTTP/1.1\r\n${H}\r\n`],
  ['broken percent-encoding', 404, `GET /api/v1/%zz%E0%A4%A HTTP/1.1\r\n${H}\r\n`],
  ['an overlong UTF-8 slash', 404, `GET /api/v1/%C0%AFhealthz HTTP/1.1\r\n${H}\r\n`],
  ['a path of 64 KB', 431, `GET /${'a'.repeat(65_536)} HTTP/1.1\r\n${H}\r\n`],
  ['a header without a colon', 400, `GET /api/v1/healthz HTTP/1.1\r\n${H}Broken header\r\n\r\n`],
  ['a space before the colon', 400, `GET /api/v1/healthz HTTP/1.1\r\nHost : x\r\n\r\n`],
  ['an obsolete folded header', 400, `GET /api/v1/healthz HTTP/1.1\r\n${H}X-A: 1\r\n folded\r\n\r\n`],
  ['a CR inside a header value', 400, `GET /api/v1/healthz HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`],
  ['a header of 64 KB', 431, `GET /api/v1/healthz HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(65_536)}\r\n\r\n`],
  ['10,000 headers', 431, `GET /api/v1/healthz HTTP/1.1\r\n${H}${'X-A: 1\r\n'.repeat(10_000)}\r\n`],
  ['a negative Content-Length', 400, `POST /api/v1/healthz HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`],
  [
    'two Content-Lengths that differ',
    400,
    `POST /api/v1/healthz HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
  ],
  [
    'Content-Length with Transfer-Encoding, smuggling a request',
    400,
    `POST /api/v1/healthz HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'an obfuscated Transfer-Encoding, smuggling a request',
    400,
    `POST /api/v1/healthz HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'chunked, then identity',
    400,
    `POST /api/v1/healthz HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
  ],
  [
    'a chunk size that is not hex',
    400,
    `POST /api/v1/healthz HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n`,
  ],
  [
    'a body of 1 MB on a GET route',
    405,
    `POST /api/v1/healthz HTTP/1.1\r\n${H}Content-Length: 1048576\r\n\r\n${'a'.repeat(1_048_576)}`,
  ],
  [
    'a body declared far larger than sent',
    405,
    `POST /api/v1/healthz HTTP/1.1\r\n${H}Content-Length: 99999999999\r\n\r\nabc`,
  ],
  ['an unknown method with a body', 400, `BREW /api/v1/healthz HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`],
];

/** Sends the bytes, half-closes, and returns whatever comes back before the server closes (a reset is a close). */
function exchange(bytes: string): Promise<string> {
  return new Promise(resolve => {
    const socket = net.connect(service.port, '127.0.0.1', () => {
      socket.end(bytes, 'latin1');
    });
    let response = '';
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve(response);
    });
  });
}

for (const [name, expected, bytes] of CORPUS) {
  test(`${name}: ${String(expected)}`, async () => {
    const response = await exchange(bytes);
    // Exactly one answer: none smuggled in after it, none added to one already sent.
    assert.deepEqual(response.match(/HTTP\/1\.1 \d{3} /g), [`HTTP/1.1 ${String(expected)} `]);
    const [head = '', body = ''] = response.split('\r\n\r\n');
    assert.match(head, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
    assert.doesNotMatch(body, /\n\s+at |Error:/);
    if (expected >= 400) {
      const json = JSON.parse(body) as Record<string, unknown>;
      assert.partialDeepStrictEqual(json, { status: expected });
      assert.equal(typeof json.error, 'string');
      assert.equal(typeof json.message, 'string');
    }
  });
}

test('a request without a body keeps its connection; one whose body no route read closes it', async () => {
  const agent = new http.Agent({ keepAlive: true });
  const kept = await request(service.port, '/api/v1/healthz', agent);
  assert.equal(kept.headers.connection, 'keep-alive');
  agent.destroy();
  const refused = await exchange(`POST /api/v1/healthz HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`);
  assert.match(refused, /^HTTP\/1\.1 405 [\s\S]*\r\nConnection: close\r\n/);
});

test('after the corpus, the service still serves and counted no 5xx', async () => {
  assert.equal((await fetch(`${service.url}/api/v1/healthz`)).status, 200);
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(metrics, /http_requests_total\{[^}]*status="400"/);
  assert.doesNotMatch(metrics, /http_requests_total\{[^}]*status="5\d\d"/);
});
