// Entry point: configuration first (a bad one exits 1 with every problem listed), then the service.
import { ConfigError, loadConfig, type Config } from './config.ts';
import { start } from './start.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${JSON.stringify({ level: 'error', message: error.message, problems: error.problems })}\n`);
  process.exit(1);
}

await start(config);
