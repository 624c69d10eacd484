// Pure pieces of the incident commands (DESIGN §4): the CloudEvent a command appends, ids derived
// from an Idempotency-Key, and how a strict reducer's refusal becomes an HTTP error.
import { createHash, randomUUID } from 'node:crypto';
import type { EventType, ValidEvent } from '../../shared/events.js';
import type { FieldError } from '../../shared/validation.js';
import type { Refusal } from '../../shared/incidents/types.js';
import { stableStringify } from '../ingest/payload-hash.js';
import { ApiError } from './errors.js';

/** The source of every entry a person appends from the console. */
export const consoleSource = (username: string) => `console/${username}`;

/** A uuid (v4 layout) from a hash: the same user and Idempotency-Key give the same event id. */
export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\n');
  const b = h.digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The event id of a command: derived from the Idempotency-Key when there is one, else random. */
export const commandEventId = (username: string, idempotencyKey: string | null) =>
  idempotencyKey === null ? randomUUID() : derivedUuid('command', username, idempotencyKey);

/** An incident id for manual entry: `M-` and 12 hex digits of the event id (deterministic under an Idempotency-Key). */
export const newIncidentId = (eventId: string) => `M-${eventId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;

/** A validated event built by the server itself (its data already passed the request schema). */
export function commandEvent<T extends EventType>(type: T, id: string, username: string, data: Record<string, unknown>, now: Date): ValidEvent {
  // drop undefined fields: the stored entry and its dedupe hash see exactly what was said
  const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  return { specversion: '1.0', id, source: consoleSource(username), type, time: now.toISOString(), data: clean as ValidEvent['data'], extensions: {} };
}

/** Hash of what a request asked for: the same Idempotency-Key with another request is refused. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(stableStringify(body ?? null)).digest('base64url');
}

/** Refusals that describe the object's state (409); every other refusal names a bad field (400). */
const STATE_CODES = new Set(['invalid_transition', 'unit_unavailable', 'invalid_release', 'incident_exists']);

/** The HTTP error of a strict refusal; paths lose the event's `data.` prefix (they name request fields). */
export function refusalError(r: Refusal): ApiError {
  const path = r.path.replace(/^data\./, '');
  if (STATE_CODES.has(r.code)) return new ApiError(409, r.code, r.message, { ...(r.details ?? {}), path });
  return fieldError(path, r.code, r.message);
}

/** 400 naming one field. */
export function fieldError(path: string, code: string, message: string): ApiError {
  const errors: FieldError[] = [{ path, code, message: `${path}: ${message}` }];
  return new ApiError(400, 'invalid_request', errors[0]!.message, { errors });
}

/** 409 version_conflict: the object's current version (and which object moved, when it was another one). */
export function versionConflict(current: number, other?: { kind: string; id: string; version: number }): ApiError {
  const msg = other
    ? `${other.kind} ${other.id} changed meanwhile (now version ${other.version}); reload and retry`
    : `the incident is at version ${current}; reload and retry`;
  return new ApiError(409, 'version_conflict', msg, { current, ...(other ? { conflict: other } : {}) });
}
