import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, VARIABLES } from './config.ts';

describe('loadConfig', () => {
  test('defaults: the rendered app name and environment, port 8080, info logs, 5 s drain, 15 s timeout', () => {
    const config = loadConfig({});
    assert.partialDeepStrictEqual(config, {
      appName: '${{ values.app_name }}',
      appEnv: '${{ values.app_env }}',
      port: 8080,
      logLevel: 'info',
      logProbes: false,
      shutdownDelayMs: 5000,
      shutdownTimeoutMs: 15_000,
      podInfoCacheMs: 60_000,
      podInfoTimeoutMs: 2000,
      otlpEndpoint: undefined,
      inCluster: false,
    });
    assert.match(config.appVersion, /^\d+\.\d+\.\d+/);
  });

  test('the environment overrides, Downward API variables included', () => {
    const config = loadConfig({
      APP_NAME: 'other',
      APP_ENV: 'prod',
      APP_VERSION: 'sha-abc',
      PORT: '9000',
      LOG_LEVEL: 'DEBUG',
      POD_NAME: 'p',
      POD_NAMESPACE: 'ns',
      NODE_NAME: 'n',
      POD_IP: '10.0.0.1',
      SHUTDOWN_DELAY_SECONDS: '0',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
    });
    assert.partialDeepStrictEqual(config, {
      appName: 'other',
      appEnv: 'prod',
      appVersion: 'sha-abc',
      port: 9000,
      logLevel: 'debug',
      pod: { name: 'p', namespace: 'ns', nodeName: 'n', ip: '10.0.0.1' },
      shutdownDelayMs: 0,
      inCluster: true,
    });
  });

  test('reads every variable of VARIABLES, and no other', () => {
    const read = new Set<string | symbol>();
    const env = new Proxy<NodeJS.ProcessEnv>(
      {},
      {
        get: (_, name) => {
          read.add(name);
          return undefined;
        },
      },
    );
    loadConfig(env);
    assert.deepEqual([...read].map(String).sort(), Object.keys(VARIABLES).sort());
  });

  test('bad values fail together, each named with what was given', () => {
    const load = () =>
      loadConfig({ PORT: 'http', LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_SECONDS: '-1', OTEL_EXPORTER_OTLP_ENDPOINT: 'x' });
    assert.throws(load, (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'PORT must be an integer from 0 to 65535, got "http"',
        'LOG_LEVEL must be one of error, warn, info, debug, got "loud"',
        'SHUTDOWN_TIMEOUT_SECONDS must be an integer from 1 to 600, got "-1"',
        'OTEL_EXPORTER_OTLP_ENDPOINT must be a URL, got "x"',
      ]);
      return true;
    });
  });
});
