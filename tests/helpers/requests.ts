// Small request helpers for the integration tests of the read API (on top of stack.ts).
import { Redis } from 'ioredis';
import { gridCenter } from './geo.js';
import { ce, type Stack } from './stack.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RawAnswer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
  /** wall time of the request in ms */
  ms: number;
}

/** Any request under /api/v1, with an optional session cookie; the body is parsed when it is JSON. */
export async function call(s: Stack, path: string, opts: { cookie?: string; method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const started = performance.now();
  const res = await fetch(`${s.url}/api/v1${path}`, {
    method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body, text, headers: res.headers, ms };
}

/** A direct client of the stack's durable Redis (for checks the API does not expose). */
export function durableClient(s: Stack): Redis {
  const r = new Redis(s.redis.url, { maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  return r;
}

/** `incident.reported` at the centre of the n-th grid of the demo city. */
export function reportAt(incidentId: string, grid: number, extra: Record<string, unknown> = {}) {
  const c = gridCenter(grid);
  return ce('incident.reported', { incidentId, category: 'theft', priority: 2, location: { lat: c.lat, lon: c.lon }, ...extra });
}

/** Ingests and insists on 202 with every event accepted; returns the seqs. */
export async function ingestOk(s: Stack, events: unknown[]): Promise<(string | null)[]> {
  const res = await s.ingest(events);
  if (res.status !== 202 || res.body.accepted.length !== events.length) {
    throw new Error(`ingest: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  return res.body.accepted.map((a: { seq: string | null }) => a.seq);
}

/** Walks GET /log from the start through `nextAfter` until it stops moving; returns every item and the page count. */
export async function walkLog(s: Stack, cookie: string, limit: number, start = '0-0'): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let after = start;
  for (let pages = 1; pages < 10_000; pages++) {
    const res = await s.get(`/log?after=${encodeURIComponent(after)}&limit=${limit}`, cookie);
    if (res.status !== 200) throw new Error(`GET /log: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    if (res.body.nextAfter === null || res.body.nextAfter === after) return { items, pages };
    after = res.body.nextAfter;
  }
  throw new Error('GET /log never stopped');
}

/** Every seq of the stream `log`, straight from Redis, with the entry's jurisdiction. */
export async function streamEntries(r: Redis): Promise<{ seq: string; jurisdiction: string[] }[]> {
  const out: { seq: string; jurisdiction: string[] }[] = [];
  let start = '-';
  for (;;) {
    const page = (await r.xrange('log', start, '+', 'COUNT', 1000)) as [string, string[]][];
    for (const [seq, fields] of page) out.push({ seq, jurisdiction: (JSON.parse(fields[1]!) as { jurisdiction: string[] }).jurisdiction });
    if (page.length < 1000) return out;
    start = `(${page[page.length - 1]![0]}`;
  }
}

/** Polls `probe` until it answers something truthy (returned), or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
