// `npm run worker`: one worker process. Everything but process signals is in startWorker.
import { ConfigError, parseConfig, type Config } from './config.js';
import { startWorker } from './jobs/worker-runtime.js';

const stamp = () => new Date().toISOString();

let config: Readonly<Config>;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

const handle = await startWorker(config).catch((err: unknown) => {
  console.error(`${stamp()} worker error: cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  console.log(`${stamp()} worker info: ${signal}, finishing active jobs`);
  handle.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`${stamp()} worker error: close failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
