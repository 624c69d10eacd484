/**
 * `npm run simulate`: a synthetic city feeding the server through its public HTTP API, like
 * any external system would — with an ingest key (SIM_INGEST_KEY) and, for its unit
 * terminals, a machine token (SIM_TOKEN) of its own.
 */
import { IngestAborted, IngestError } from './client.js';
import { parseSimConfig } from './config.js';
import { Simulator } from './run.js';

async function main(): Promise<number> {
  const { config, errors } = parseSimConfig(process.env);
  if (!config) {
    for (const e of errors) console.error(`[sim] ${e}`);
    return 1;
  }
  const controller = new AbortController();
  const stop = (signal: string) => {
    if (controller.signal.aborted) {
      console.error(`[sim] second ${signal}: exiting now`);
      process.exit(1);
    }
    console.log(`[sim] ${signal}: finishing the request in flight, then exiting`);
    controller.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  console.log(`[sim] target ${config.target}, seed ${config.seed}, speed ${config.speed}, ${config.units} units`);
  let sim: Simulator;
  try {
    sim = await Simulator.create({ config, signal: controller.signal });
  } catch (err) {
    if (err instanceof IngestAborted || err instanceof IngestError) throw err;
    console.error(`[sim] ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  await sim.run();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Idle keep-alive sockets must not hold the process open.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    // Stopped while still waiting for the server: nothing was sent, a clean exit.
    if (err instanceof IngestAborted) process.exit(0);
    console.error(err instanceof IngestError ? `[sim] ${err.message}` : err);
    process.exit(1);
  },
);
