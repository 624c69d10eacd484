/** Retry plumbing shared by the feeders' HTTP calls. */

/** A definite failure that retrying cannot fix (bad key, forbidden, unsupported type). */
export class IngestError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
    this.name = 'IngestError';
  }
}

/** Shutdown interrupted the retries; `unsent` events (from the failed batch on) were not delivered. */
export class IngestAborted extends Error {
  constructor(readonly unsent: number) {
    super(`aborted with ${unsent} events unsent`);
    this.name = 'IngestAborted';
  }
}

/** Exponential backoff from 500 ms, capped, with jitter so feeders do not retry in lockstep. */
export function backoffMs(attempt: number, maxMs: number): number {
  const base = Math.min(maxMs, 500 * 2 ** Math.min(attempt, 20));
  return Math.round(Math.min(maxMs, base * (0.8 + 0.4 * Math.random())));
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. Capped at 5 minutes. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const cap = 300_000;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.min(cap, Math.max(100, Number(header) * 1000));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.min(cap, Math.max(100, at - Date.now()));
}

/** Waits `ms`, returning early when the signal aborts (callers check the signal next). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
