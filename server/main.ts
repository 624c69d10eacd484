import { NoAdminError } from './auth/first-admin.js';
import { ConfigError, parseConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './runtime.js';

/** `npm run serve`: one HTTP + Socket.IO server process. */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL, 'server');
  let running;
  try {
    running = await startServer(config, { log, requireAdmin: !config.DEMO });
  } catch (err) {
    if (err instanceof NoAdminError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  log.info(`listening on ${running.url} (version ${running.deps.version})`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`server failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
