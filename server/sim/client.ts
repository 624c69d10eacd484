import type { IngestResponse } from '../../shared/api.js';
import type { CloudEvent } from '../../shared/events.js';
import { type JurisdictionCollection, type JurisdictionFeature, jurisdictionFeatureSchema } from '../../shared/jurisdiction.js';
import { abortableSleep, backoffMs, IngestAborted, IngestError, retryAfterMs } from './http-retry.js';
import { IngestLog } from './ingest-log.js';

export { IngestAborted, IngestError } from './http-retry.js';

/** The server's limits (DESIGN §4): 1,000 events and 1 MiB per request. */
export const MAX_BATCH_EVENTS = 1000;
const MAX_BATCH_BYTES = 900 * 1024;
/** Answers that mean "not now": resent with the same events until they pass. */
const TRANSIENT = new Set([429, 502, 503, 504]);
/** Other 5xx answers are retried this many times before the batch is reported as rejected. */
const SERVER_ERROR_RETRIES = 5;

export interface IngestStats {
  requests: number;
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  warnings: number;
  retries: number;
}

export interface ClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 */
  target: string;
  key: string;
  /** Aborts waits between retries (shutdown); a request already sent is allowed to finish. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

type Answer = IngestResponse;
const empty = (): Answer => ({ accepted: [], duplicates: [], rejected: [], warnings: [] });

/**
 * Posts CloudEvents batches to POST /api/v1/events. Transient failures (network, 429,
 * 502–504) are retried with the very same events for as long as it takes: the server
 * deduplicates by (source, id), so a resend can never double-count.
 */
export class IngestClient {
  readonly stats: IngestStats = { requests: 0, sent: 0, accepted: 0, duplicates: 0, rejected: 0, warnings: 0, retries: 0 };
  private readonly url: string;
  private readonly fetchImpl: typeof fetch;
  private readonly log: IngestLog;

  constructor(private readonly opts: ClientOptions) {
    this.url = `${opts.target.replace(/\/+$/, '')}/api/v1/events`;
    this.fetchImpl = opts.fetch ?? fetch;
    this.log = new IngestLog(opts.log ?? ((line) => console.log(line)));
  }

  /** Sends the events in order (split as needed) and merges the answers; indexes refer to `events`. */
  async send(events: readonly CloudEvent[]): Promise<Answer> {
    const out = empty();
    const bodies = events.map((e) => JSON.stringify(e));
    let start = 0;
    while (start < events.length) {
      let end = start;
      let bytes = 2;
      while (end < events.length && end - start < MAX_BATCH_EVENTS) {
        const size = (bodies[end]?.length ?? 0) * 3 + 1; // worst case UTF-8 for CJK text
        if (end > start && bytes + size > MAX_BATCH_BYTES) break;
        bytes += size;
        end++;
      }
      this.merge(out, await this.post(events, bodies, start, end), start);
      start = end;
    }
    return out;
  }

  private merge(into: Answer, part: Answer, offset: number): void {
    into.accepted.push(...part.accepted);
    into.duplicates.push(...part.duplicates);
    into.rejected.push(...part.rejected.map((r) => ({ ...r, index: r.index + offset })));
    into.warnings.push(...part.warnings.map((w) => ({ ...w, index: w.index + offset })));
  }

  /** Posts events[start, end) until the server gives a definite answer. */
  private async post(events: readonly CloudEvent[], bodies: string[], start: number, end: number): Promise<Answer> {
    const body = `[${bodies.slice(start, end).join(',')}]`;
    for (let attempt = 0; ; attempt++) {
      if (this.opts.signal?.aborted) throw new IngestAborted(events.length - start);
      let res: Response | undefined;
      let failure: string;
      try {
        this.stats.requests++;
        res = await this.fetchImpl(this.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.opts.key}`, 'content-type': 'application/cloudevents-batch+json' },
          body,
          signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
        });
        failure = `HTTP ${res.status}`;
      } catch (err) {
        failure = err instanceof Error ? `${err.name}: ${err.cause instanceof Error ? err.cause.message : err.message}` : String(err);
      }
      if (res) {
        const done = await this.handle(res, events, bodies, start, end, attempt);
        if (done) return done;
      }
      const wait = (res && retryAfterMs(res.headers.get('retry-after'))) ?? backoffMs(attempt, this.opts.maxBackoffMs ?? 10_000);
      this.stats.retries++;
      this.log.retry(failure, wait, attempt + 1, end - start);
      await abortableSleep(wait, this.opts.signal);
    }
  }

  /** A definite answer, or undefined when the request should be retried. */
  private async handle(res: Response, events: readonly CloudEvent[], bodies: string[], start: number, end: number, attempt: number): Promise<Answer | undefined> {
    const slice = events.slice(start, end);
    if (res.status === 200 || res.status === 202) {
      const answer = normalise(await res.json().catch(() => ({})));
      this.count(slice.length, answer, slice);
      return answer;
    }
    if (TRANSIENT.has(res.status) || (res.status >= 500 && attempt < SERVER_ERROR_RETRIES)) {
      await res.body?.cancel().catch(() => undefined);
      return undefined;
    }
    const err = await errorBody(res);
    if (res.status >= 500) {
      // A persistent 500 is a server bug tied to this batch; retrying forever would stall the feed.
      const errors = [{ path: '(root)', code: `http_${res.status}`, message: `${err.code}: ${err.message}` }];
      const answer = { ...empty(), rejected: slice.map((e, index) => ({ index, id: e.id, errors })) };
      this.count(slice.length, answer, slice);
      return answer;
    }
    if (res.status === 400 && err.code === 'invalid_events') {
      const answer = { ...empty(), rejected: normalise({ rejected: rejectedOf(err.details) }).rejected };
      this.count(slice.length, answer, slice);
      return answer;
    }
    if (res.status === 413 && end - start > 1) {
      // Over the byte limit despite our estimate: halve until it fits.
      const mid = start + Math.floor((end - start) / 2);
      const out = empty();
      this.merge(out, await this.post(events, bodies, start, mid), 0);
      this.merge(out, await this.post(events, bodies, mid, end), mid - start);
      return out;
    }
    if (res.status === 413) {
      const answer = { ...empty(), rejected: [{ index: 0, id: slice[0]?.id ?? null, errors: [{ path: '(root)', code: 'too_large', message: err.message }] }] };
      this.count(1, answer, slice);
      return answer;
    }
    throw new IngestError(`POST ${this.url} answered ${res.status} ${err.code}: ${err.message}`, res.status, err.code);
  }

  private count(sent: number, answer: Answer, slice: readonly CloudEvent[]): void {
    this.stats.sent += sent;
    this.stats.accepted += answer.accepted.length;
    this.stats.duplicates += answer.duplicates.length;
    this.stats.rejected += answer.rejected.length;
    this.stats.warnings += answer.warnings.length;
    for (const r of answer.rejected) this.log.rejected(slice[r.index], r);
    for (const w of answer.warnings) this.log.warning(w);
  }
}

/** Reads the answer leniently: a missing list is an empty list. */
function normalise(raw: unknown): Answer {
  const o = (raw ?? {}) as Record<string, unknown>;
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  return {
    accepted: list(o.accepted),
    duplicates: list(o.duplicates),
    rejected: list<Answer['rejected'][number]>(o.rejected).map((r) => ({ ...r, errors: list(r.errors) })),
    warnings: list(o.warnings),
  };
}

function rejectedOf(details: unknown): unknown {
  return details && typeof details === 'object' ? (details as { rejected?: unknown }).rejected : undefined;
}

async function errorBody(res: Response): Promise<{ code: string; message: string; details: unknown }> {
  const raw = (await res.json().catch(() => ({}))) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  return {
    code: typeof raw.error?.code === 'string' ? raw.error.code : `http_${res.status}`,
    message: typeof raw.error?.message === 'string' ? raw.error.message : res.statusText,
    details: raw.error?.details,
  };
}

export interface FetchJurisdictionsOptions {
  signal?: AbortSignal;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  maxBackoffMs?: number;
}

/**
 * GET /api/v1/jurisdictions, retried until the server answers (it may start after the
 * feeder). 401/403 are not retried: a wrong key will not fix itself. Features that do not
 * match the shared schema are skipped rather than failing the whole feeder.
 */
export async function fetchJurisdictions(target: string, key: string, opts: FetchJurisdictionsOptions = {}): Promise<JurisdictionCollection> {
  const url = `${target.replace(/\/+$/, '')}/api/v1/jurisdictions`;
  const log = opts.log ?? ((line: string) => console.log(line));
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw new IngestAborted(0);
    let failure: string;
    try {
      const res = await (opts.fetch ?? fetch)(url, {
        headers: { authorization: `Bearer ${key}`, accept: 'application/geo+json, application/json' },
        signal: AbortSignal.timeout(30_000),
      });
      if (res.ok) {
        const body = (await res.json()) as { features?: unknown };
        const features: JurisdictionFeature[] = [];
        let skipped = 0;
        for (const f of Array.isArray(body.features) ? body.features : []) {
          const parsed = jurisdictionFeatureSchema.safeParse(f);
          if (parsed.success) features.push(parsed.data);
          else skipped++;
        }
        if (skipped > 0) log(`[sim] skipped ${skipped} jurisdiction features that do not match the schema`);
        return { type: 'FeatureCollection', features };
      }
      const err = await errorBody(res);
      if (res.status === 401 || res.status === 403) {
        throw new IngestError(`GET ${url} answered ${res.status} ${err.code}: ${err.message}`, res.status, err.code);
      }
      failure = `HTTP ${res.status} ${err.code}`;
    } catch (e) {
      if (e instanceof IngestError) throw e;
      failure = e instanceof Error ? `${e.name}: ${e.cause instanceof Error ? e.cause.message : e.message}` : String(e);
    }
    const wait = backoffMs(attempt, opts.maxBackoffMs ?? 10_000);
    if (attempt === 0 || (attempt & (attempt - 1)) === 0) log(`[sim] waiting for ${url} (${failure}); retrying in ${(wait / 1000).toFixed(1)} s`);
    await abortableSleep(wait, opts.signal);
  }
}
