// A worker process for tests that kill one mid-job: timer jobs whose id starts with
// HANG_PREFIX never finish here (it prints "HUNG <id>" and waits), so the test can SIGKILL it
// while it holds the job's lock.
import { parseConfig } from '../../server/config.js';
import { startWorker } from '../../server/jobs/worker-runtime.js';
import { demoTree } from './geo.js';

const prefix = process.env.HANG_PREFIX ?? '\u0000';
const config = parseConfig(process.env);
await startWorker(config, {
  tree: demoTree(),
  log: () => undefined,
  timers: { ackTimeoutMs: Number(process.env.ACK_MS ?? 1000), escalateAfterMs: 60_000 },
  lockDurationMs: Number(process.env.LOCK_MS ?? 2000),
  // the stalled check is shared by all workers of a queue (a key with this TTL): keep it short
  stalledIntervalMs: 500,
  beforeJob: async (_name, jobId) => {
    if (!jobId.startsWith(prefix)) return;
    console.log(`HUNG ${jobId}`);
    await new Promise(() => undefined);
  },
});
console.log('READY');
