// Data and checks shared by the live-protocol integration tests (on top of stack.ts and live-client.ts).
import type { Redis } from 'ioredis';
import { compareSeq } from '../../shared/seq.js';
import type { Entry } from '../../shared/objects.js';
import { demoTree, gridCenter } from './geo.js';
import { connectLive, until, type Recorder } from './live-client.js';
import { ce, ingestTo } from './stack.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Districts of the demo city used by the scope tests. */
export const D2 = '990102';
export const D3 = '990103';
export const D4 = '990104';

/** Index (for gridCenter) of the k-th grid of a district. */
export function gridOf(district: string, k = 0): number {
  const tree = demoTree();
  const grids = tree.idsAt('grid');
  const inside = grids.flatMap((g, i) => (tree.chain(g).includes(district) ? [i] : []));
  if (inside.length === 0) throw new Error(`no grid in ${district}`);
  return inside[k % inside.length]!;
}

/** `incident.reported` in the k-th grid of `district`. */
export function incidentIn(incidentId: string, district: string, k = 0, extra: Record<string, unknown> = {}) {
  const c = gridCenter(gridOf(district, k));
  return ce('incident.reported', { incidentId, category: 'theft', priority: 3, location: { lat: c.lat, lon: c.lon }, ...extra });
}

/** Ingests on the server at `url`, retrying 429/503; insists on every event accepted; returns the seqs. */
export async function ingestAll(url: string, events: unknown[]): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const res = await ingestTo(url, events);
    if ((res.status === 429 || res.status === 503) && attempt < 50) {
      await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
      continue;
    }
    if (res.status !== 202 || res.body.accepted.length !== events.length) {
      throw new Error(`ingest: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    }
    return res.body.accepted.map((a: { seq: string }) => a.seq);
  }
}

/** Seqs (and jurisdictions) of the log strictly after `after` (null: from the start), straight from Redis. */
export async function logAfter(r: Redis, after: string | null): Promise<{ seq: string; jurisdiction: string[] }[]> {
  const out: { seq: string; jurisdiction: string[] }[] = [];
  let start = after === null ? '-' : `(${after}`;
  for (;;) {
    const page = (await r.xrange('log', start, '+', 'COUNT', 1000)) as [string, string[]][];
    for (const [seq, fields] of page) {
      const json = fields[fields.indexOf('e') + 1]!;
      out.push({ seq, jurisdiction: (JSON.parse(json) as { jurisdiction: string[] }).jurisdiction });
    }
    if (page.length < 1000) return out;
    start = `(${page[page.length - 1]![0]}`;
  }
}

/** The id of the log's last entry, or null. */
export async function logHead(r: Redis): Promise<string | null> {
  const last = (await r.xrevrange('log', '+', '-', 'COUNT', 1)) as [string, string[]][];
  return last[0]?.[0] ?? null;
}

/** Seqs a recorder received, in arrival order. */
export const seqsOf = (c: Recorder) => c.entries().map((e) => e.seq);

/** True when every seq of `want` was received. */
export function hasAll(c: Recorder, want: readonly string[]): boolean {
  const got = new Set(seqsOf(c));
  return want.every((q) => got.has(q));
}

/** Every received entry once and in strictly increasing seq order (compareSeq). */
export function strictlyIncreasing(seqs: readonly string[]): boolean {
  for (let i = 1; i < seqs.length; i++) if (compareSeq(seqs[i - 1]!, seqs[i]!) >= 0) return false;
  return true;
}

/** Connects and waits for `hello`. */
export async function connected(url: string, cookie: string, opts: Parameters<typeof connectLive>[2] = {}): Promise<Recorder> {
  const c = connectLive(url, cookie, opts);
  await until(() => c.hello !== null || c.errors.length > 0, 15_000, 'hello');
  if (!c.hello) throw new Error(`handshake failed: ${JSON.stringify(c.errors)}`);
  return c;
}

/** Records the disconnect reasons a client sees. */
export function disconnects(c: Recorder): string[] {
  const out: string[] = [];
  c.socket.on('disconnect', (reason) => out.push(reason));
  return out;
}

/** The entries of `c` whose data.incidentId starts with `prefix`. */
export const withPrefix = (c: Recorder, prefix: string): Entry[] =>
  c.entries().filter((e) => String((e.data as { incidentId?: unknown }).incidentId ?? '').startsWith(prefix));
