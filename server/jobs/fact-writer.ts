// How workers append facts: one CloudEvent through the same validation, reducer and commit path
// as ingest, from a `worker/...` source, with an id derived from what caused it. A retried job
// sends the same event again and gets "duplicate" — one entry, however often the job ran.
import type { EventType } from '../../shared/events.js';
import { ingestBatch, type Grant, type IngestDeps } from '../ingest/pipeline.js';

/** Refusals that mean "already done" or "no longer applies", not a failure to retry. */
const SETTLED = new Set(['alert_open', 'alert_exists', 'id_conflict', 'invalid_transition', 'unknown_alert']);

export type FactOutcome =
  | { kind: 'accepted'; seq: string }
  | { kind: 'duplicate'; seq: string }
  | { kind: 'settled'; code: string; message: string };

export type WriteFact = (type: EventType, id: string, time: string, data: Record<string, unknown>) => Promise<FactOutcome>;

const WORKER: Grant = { allows: () => true };

export function factWriter(deps: IngestDeps, source: string): WriteFact {
  return async (type, id, time, data) => {
    const r = await ingestBatch(deps, [{ specversion: '1.0', id, source, type, time, data }], WORKER);
    const accepted = r.accepted[0];
    if (accepted?.seq) return { kind: 'accepted', seq: accepted.seq };
    const dup = r.duplicates[0];
    if (dup) return { kind: 'duplicate', seq: dup.seq };
    const err = r.rejected[0]?.errors[0];
    if (err && SETTLED.has(err.code)) return { kind: 'settled', code: err.code, message: err.message };
    throw new Error(`${type} ${id} refused: ${err ? `${err.code} at ${err.path}: ${err.message}` : 'no answer'}`);
  };
}
