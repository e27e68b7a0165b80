// A local HTTP server that answers like the Kubernetes API for one pod, and a kubeconfig pointing at it,
// so tests go through the real @kubernetes/client-node.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** pod: the pod; huge-pod: the pod with 20 MB of annotations, streamed; garbage: 200 with a body that is not JSON;
 * down: every connection is dropped as soon as a request arrives; one-per-connection: the pod, but a second
 * request on a kept-alive connection finds it dropped, as when a server's idle timeout races the client. */
export type FakeMode =
  'pod' | 'forbidden' | 'hang' | 'huge-error' | 'huge-pod' | 'garbage' | 'down' | 'one-per-connection';

export const UPSTREAM_COOKIE = 'upstream-session-c00kie';

export interface FakeKubernetes {
  kubeconfig: string;
  /** Every request path the fake received, with its Authorization header. */
  requests: { path: string; authorization: string | undefined }[];
  /** TCP connections the fake accepted. */
  connections: number;
  mode: FakeMode;
  close(): Promise<void>;
}

export const TOKEN = 'fake-service-account-token';

export function podJson(namespace: string, name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: '7f1c3c1e-2b0a-4d8e-9a51-3c1f0e6b2a11',
      creationTimestamp: '2026-11-20T10:00:00Z',
      labels: { 'app.kubernetes.io/name': 'ab', 'pod-template-hash': '5d8f7b9c6d' },
    },
    spec: {
      nodeName: 'worker-3',
      serviceAccountName: 'ab',
      containers: [{ name: 'ab', image: 'docker.io/acme/ab:1.2.3', ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
    },
    status: {
      phase: 'Running',
      podIP: '10.42.3.17',
      startTime: '2026-11-20T10:00:01Z',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export async function startFakeKubernetes(mode: FakeMode = 'pod'): Promise<FakeKubernetes> {
  const hanging = new Set<http.ServerResponse>();
  const served = new WeakSet<object>();
  const fake = { requests: [], connections: 0, mode } as unknown as FakeKubernetes;
  const server = http.createServer((req, res) => {
    fake.requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/?]+)/.exec(req.url ?? '');
    if (fake.mode === 'one-per-connection' && served.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    served.add(req.socket);
    if (fake.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (fake.mode === 'hang') {
      hanging.add(res);
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    if (fake.mode === 'huge-error') {
      res.statusCode = 500;
      res.setHeader('Set-Cookie', `session=${UPSTREAM_COOKIE}`);
      res.end(JSON.stringify({ kind: 'Status', message: 'x'.repeat(2_000_000) }));
      return;
    }
    if (fake.mode === 'garbage') {
      res.end('<html>502 Bad Gateway</html>');
      return;
    }
    if (fake.mode === 'huge-pod' && match) {
      streamHugePod(res, match[1] ?? '', match[2] ?? '');
      return;
    }
    if (fake.mode === 'forbidden' || !match) {
      res.statusCode = 403;
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }));
      return;
    }
    res.end(JSON.stringify(podJson(match[1] ?? '', match[2] ?? '')));
  });
  server.on('connection', () => {
    fake.connections++;
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.kubeconfig = writeKubeconfig(`http://127.0.0.1:${port}`);
  fake.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
    fs.rmSync(path.dirname(fake.kubeconfig), { recursive: true, force: true });
  };
  return fake;
}

/** A valid pod whose annotations make it 20 MB, sent in 1 MB chunks without a Content-Length. */
function streamHugePod(res: http.ServerResponse, namespace: string, name: string) {
  const [head, tail] = JSON.stringify(podJson(namespace, name)).split('"uid"');
  const chunk = 'x'.repeat(1_000_000);
  res.write(`${head ?? ''}"annotations":{"big":"`);
  let sent = 0;
  const more = () => {
    while (sent < 20 && !res.destroyed) {
      sent++;
      if (!res.write(chunk)) {
        res.once('drain', more);
        return;
      }
    }
    if (!res.destroyed) res.end(`"},"uid"${tail ?? ''}`);
  };
  more();
}

/** A kubeconfig for an API server that is not there: every connection is refused. */
export async function refusedKubeconfig(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return writeKubeconfig(`http://127.0.0.1:${port}`);
}

function writeKubeconfig(server: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
  const file = path.join(dir, 'config');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake', user: { token: TOKEN } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
    'current-context': 'fake',
  };
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}
