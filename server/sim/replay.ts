/**
 * `npm run replay -- <file> [--speed N] [--source S] [--limit N]`: replays recorded events
 * (NDJSON of CloudEvents) or incident records (CSV, optionally gzipped) through the public
 * ingest API, keeping their relative timing divided by the speed.
 */
import { IngestAborted, IngestClient, IngestError } from './client.js';
import { parseSimConfig } from './config.js';
import { abortableSleep } from './http-retry.js';
import { readLines } from './read-lines.js';
import { itemEvent, itemTime, type ReplayItem, ReplayLineParser, ReplaySchedule, replayTag } from './replay-source.js';

const USAGE = 'usage: npm run replay -- <file.ndjson|file.csv[.gz]> [--speed N (default 60)] [--source S] [--limit N]';
/** Records due within this window go in one request. */
const BATCH_WINDOW_MS = 250;
const MAX_PENDING = 1000;

interface Args {
  file: string;
  speed: number;
  source?: string;
  limit: number;
}

function parseArgs(argv: string[]): Args | string {
  let file: string | undefined;
  let speed = 60;
  let source: string | undefined;
  let limit = Infinity;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = () => argv[++i] ?? '';
    if (a === '--speed') speed = Number(value());
    else if (a === '--source') source = value();
    else if (a === '--limit') limit = Number(value());
    else if (a.startsWith('--')) return `unknown option ${a}`;
    else if (file === undefined) file = a;
    else return `unexpected argument ${a}`;
  }
  if (!file) return 'missing <file>';
  if (!(speed > 0) || !Number.isFinite(speed)) return '--speed must be a positive number';
  if (!(limit > 0)) return '--limit must be a positive number';
  if (source !== undefined && source.trim() === '') return '--source must not be empty';
  return { file, speed, limit, ...(source ? { source } : {}) };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(`[replay] ${args}\n${USAGE}`);
    return 1;
  }
  const { config, errors } = parseSimConfig(process.env);
  if (!config) {
    for (const e of errors) console.error(`[replay] ${e}`);
    return 1;
  }
  const controller = new AbortController();
  const stop = (signal: string) => {
    if (controller.signal.aborted) process.exit(1);
    console.log(`[replay] ${signal}: finishing the request in flight, then exiting`);
    controller.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const tag = replayTag(args.file);
  const source = args.source ?? `replay/${tag}`;
  const client = new IngestClient({ target: config.target, key: config.key, signal: controller.signal, log: (l) => console.log(l) });
  const schedule = new ReplaySchedule(args.speed);
  const counts = { read: 0, skipped: 0 };
  let position = '';
  const summary = () => {
    const s = client.stats;
    console.log(`[replay] read=${counts.read} skipped=${counts.skipped} sent=${s.sent} accepted=${s.accepted} ` +
      `duplicates=${s.duplicates} rejected=${s.rejected} retries=${s.retries} at ${position || '-'}`);
  };
  let pending: ReplayItem[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const nowMs = Date.now();
    const events = pending.map((item) => itemEvent(item, { tag, source, nowMs, overrideSource: args.source !== undefined }));
    pending = [];
    await client.send(events);
  };

  const started = Date.now();
  // A timer, not a check in the loop: the loop may sleep for long gaps in the data.
  const ticker = setInterval(summary, 30_000);
  ticker.unref();
  const parser = new ReplayLineParser();
  console.log(`[replay] ${args.file} at speed ${args.speed} as ${source} to ${config.target}`);
  try {
    for await (const line of await readLines(args.file)) {
      if (controller.signal.aborted || counts.read >= args.limit) break;
      const item = parser.parse(line);
      if (!item) continue;
      if ('error' in item) {
        if (counts.skipped++ < 10) console.log(`[replay] skipped ${item.error}`);
        continue;
      }
      counts.read++;
      position = itemTime(item) ?? position;
      const due = started + schedule.dueAt(item.originalMs);
      if (due > Date.now() + BATCH_WINDOW_MS || pending.length >= MAX_PENDING) {
        await flush();
        await abortableSleep(due - Date.now(), controller.signal);
        if (controller.signal.aborted) break;
      }
      pending.push(item);
    }
    if (!controller.signal.aborted) await flush();
  } catch (err) {
    if (!(err instanceof IngestAborted)) throw err;
    console.log(`[replay] stopped while retrying; ${err.unsent} events not delivered`);
  } finally {
    clearInterval(ticker);
  }
  summary();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    // Expected failures (bad key, missing file) get one line; anything else keeps its stack.
    const expected = err instanceof IngestError || (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string');
    console.error(expected && err instanceof Error ? `[replay] ${err.message}` : err);
    process.exit(1);
  },
);
