import {
  CLOUDEVENT_ATTRIBUTES, cloudEventSchema, EVENT_DATA_SCHEMAS, isEventType, type ValidEvent,
} from '../../shared/events.js';
import { fieldErrors, type FieldError } from '../../shared/validation.js';
import { fastPosition } from './fast-position.js';

/** Events may not be more than 5 minutes in the future (DESIGN §3). */
export const MAX_FUTURE_MS = 5 * 60_000;

/**
 * Objects and arrays nested deeper than this (the event itself is level 1) are refused: the dedupe
 * hash, the stored JSON and every delivery recurse through them, and a few thousand levels (a few
 * kB of brackets) overflow the stack.
 */
export const MAX_NESTING = 32;

export type Validated = { ok: true; event: ValidEvent } | { ok: false; id: string | null; errors: FieldError[] };

/** Validates one structured-mode CloudEvent against the envelope and its type's data schema. */
export function validateEvent(raw: unknown, receivedAtMs: number): Validated {
  const fast = fastPosition(raw, receivedAtMs, MAX_FUTURE_MS);
  if (fast) return { ok: true, event: fast };
  const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : null;
  const env = cloudEventSchema.safeParse(raw, { reportInput: true });
  if (!env.success) return { ok: false, id, errors: fieldErrors(env.error.issues) };
  const e = env.data;
  if (!isEventType(e.type)) {
    return { ok: false, id, errors: [{ path: 'type', code: 'unknown_type', message: `type: "${e.type}" is not an event type of the catalogue` }] };
  }
  const data = EVENT_DATA_SCHEMAS[e.type].safeParse(e.data, { reportInput: true });
  if (!data.success) return { ok: false, id, errors: fieldErrors(data.error.issues, 'data') };
  const deep = tooDeep(e);
  if (deep !== null) {
    return { ok: false, id, errors: [{ path: deep, code: 'too_deep', message: `${deep}: objects and arrays nested more than ${MAX_NESTING} levels deep` }] };
  }
  if (e.time !== undefined && Date.parse(e.time) > receivedAtMs + MAX_FUTURE_MS) {
    return { ok: false, id, errors: [{ path: 'time', code: 'time_in_future', message: 'time: more than 5 minutes in the future' }] };
  }
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!CLOUDEVENT_ATTRIBUTES.has(k)) extensions[k] = v;
  const event: ValidEvent = {
    specversion: '1.0', id: e.id, source: e.source, type: e.type,
    // the producer's own object, not zod's output: key order and unknown fields stay byte for byte
    time: e.time, subject: e.subject, data: e.data as ValidEvent['data'], extensions,
  };
  return { ok: true, event };
}

/** The attribute (`data`, an extension) holding something nested deeper than MAX_NESTING, or null; iterative, so any depth is safe. */
function tooDeep(event: Record<string, unknown>): string | null {
  for (const [attr, value] of Object.entries(event)) {
    const stack: [unknown, number][] = [[value, 2]];
    while (stack.length) {
      const [v, level] = stack.pop()!;
      if (v === null || typeof v !== 'object') continue;
      if (level > MAX_NESTING) return attr === '' ? '(root)' : attr;
      for (const x of Object.values(v)) stack.push([x, level + 1]);
    }
  }
  return null;
}
