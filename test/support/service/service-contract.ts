// What the chart and the service agree on. The chart checks read it; the service's own tests can too.
export const SERVICE_CONTRACT = {
  port: 8080,
  livenessPath: '/api/v1/healthz',
  readinessPath: '/api/v1/readyz',
  startupPath: '/api/v1/healthz',
  metricsPath: '/metrics',
  /** Environment variables the chart always sets, and the Downward API field each one carries. */
  downwardApi: {
    POD_NAME: 'metadata.name',
    POD_NAMESPACE: 'metadata.namespace',
    NODE_NAME: 'spec.nodeName',
    POD_IP: 'status.podIP',
  },
  plainEnv: ['PORT', 'APP_VERSION', 'LOG_LEVEL', 'SHUTDOWN_DELAY_SECONDS', 'SHUTDOWN_TIMEOUT_SECONDS'],
  /** Set only when tracing.endpoint is. */
  tracingEnv: 'OTEL_EXPORTER_OTLP_ENDPOINT',
} as const;
