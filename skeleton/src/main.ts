// Entry point, in start-up order: config, telemetry (before anything it instruments is loaded),
// logger and metrics, the app, the server and its shutdown.
import { ConfigError, loadConfig, type Config } from './config.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${JSON.stringify({ level: 'error', message: error.message, problems: error.problems })}\n`);
  process.exit(1);
}

const stopTelemetry = config.otlpEndpoint
  ? await (await import('./telemetry.ts')).startTelemetry(config)
  : async () => {};

const { start } = await import('./start.ts');
await start(config, stopTelemetry);
