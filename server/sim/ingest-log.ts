import type { IngestResponse } from '../../shared/api.js';
import type { CloudEvent } from '../../shared/events.js';

type Rejection = IngestResponse['rejected'][number];
type Warning = IngestResponse['warnings'][number];

/** Full lines for the first few of each kind, then one line per this many. */
const FULL_LINES = 5;
const THEN_EVERY = 100;

/**
 * Logging for the ingest client that stays readable when something goes systematically
 * wrong: a rejection or warning code seen thousands of times is logged a few times in full,
 * then counted.
 */
export class IngestLog {
  private readonly seen = new Map<string, number>();

  constructor(private readonly out: (line: string) => void) {}

  rejected(event: CloudEvent | undefined, r: Rejection): void {
    const code = r.errors[0]?.code ?? 'rejected';
    const n = this.bump(`rejected:${code}`);
    if (n > FULL_LINES && n % THEN_EVERY !== 0) return;
    const errors = r.errors.map((e) => `${e.path} ${e.code}: ${e.message}`).join('; ');
    const what = event ? `${event.type} ${event.source} ${event.id}` : `#${r.index} ${r.id ?? ''}`;
    this.out(`[ingest] rejected ${what}: ${errors}${n > FULL_LINES ? ` (${n} rejections with code ${code} so far)` : ''}`);
  }

  warning(w: Warning): void {
    const n = this.bump(`warning:${w.code}`);
    if (n > FULL_LINES && n % THEN_EVERY !== 0) return;
    this.out(`[ingest] warning ${w.code} for ${w.id}: ${w.message}${n > FULL_LINES ? ` (${n} so far)` : ''}`);
  }

  /** Logs the first retry of a streak and then at powers of two, so an outage is visible but quiet. */
  retry(failure: string, waitMs: number, attempt: number, events: number): void {
    if ((attempt & (attempt - 1)) !== 0) return;
    this.out(`[ingest] ${failure}; resending ${events} events in ${(waitMs / 1000).toFixed(1)} s (attempt ${attempt})`);
  }

  private bump(key: string): number {
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n;
  }
}
