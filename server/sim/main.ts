/**
 * `npm run simulate`: a synthetic city feeding the server through its public HTTP API, like
 * any external system would.
 */
import { fetchJurisdictions, IngestAborted, IngestClient, IngestError } from './client.js';
import { simGridsFromCollection } from './grids.js';
import { abortableSleep } from './http-retry.js';
import { SimModel } from './model.js';
import { parseSimConfig } from './config.js';

const TICK_MS = 1000;
const SUMMARY_MS = 30_000;

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

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
  const collection = await fetchJurisdictions(config.target, config.readToken, { signal: controller.signal });
  const grids = simGridsFromCollection(collection);
  if (grids.length === 0) {
    console.error('[sim] the server has no grid-level jurisdictions to simulate in');
    return 1;
  }
  const start = Date.now();
  const model = new SimModel({ grids, seed: config.seed, speed: config.speed, units: config.units, startMs: start });
  console.log(`[sim] ${grids.length} grids, run ${model.runId}, hotspots ${[...model.hotspots].join(',')}`);
  const client = new IngestClient({ target: config.target, key: config.key, signal: controller.signal });

  const summary = () => {
    const s = client.stats;
    const m = model.stats();
    console.log(
      `[sim] ${clock(Date.now())} sent=${s.sent} accepted=${s.accepted} duplicates=${s.duplicates} rejected=${s.rejected} ` +
        `retries=${s.retries} | open incidents=${m.openIncidents} waiting=${m.waitingIncidents} ` +
        `busy units=${m.busyUnits}/${config.units} open disputes=${m.openDisputes}`,
    );
  };
  let last = start;
  let nextTick = start;
  let nextSummary = start + SUMMARY_MS;
  while (!controller.signal.aborted) {
    const now = Date.now();
    const events = model.step(now, now - last);
    last = now;
    try {
      if (events.length > 0) await client.send(events);
    } catch (err) {
      if (err instanceof IngestAborted) {
        console.log(`[sim] stopped while retrying; ${err.unsent} events not delivered`);
        break;
      }
      throw err;
    }
    if (Date.now() >= nextSummary) {
      summary();
      nextSummary += SUMMARY_MS * Math.max(1, Math.ceil((Date.now() - nextSummary) / SUMMARY_MS));
    }
    // Fixed-rate ticks; after a long stall, resume from now rather than firing a burst.
    nextTick = Math.max(nextTick + TICK_MS, Date.now());
    await abortableSleep(nextTick - Date.now(), controller.signal);
  }
  summary();
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
