// Property-based fuzzing of validateEvent (server/ingest/validate.ts): whatever a producer sends, it
// answers — never throws — and every error names a path, a code and a message. A fact it accepts
// can be hashed for dedupe and written as JSON (what the pipeline does with it next).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadHash } from '../../server/ingest/payload-hash.js';
import { MAX_NESTING, validateEvent, type Validated } from '../../server/ingest/validate.js';
import { EVENT_TYPES } from '../../shared/events.js';
import { anyValue, bodyText, cloudEvent, ingestBody, nestedText, PLAIN_ENV } from '../helpers/fuzz.js';

const SEED = 20_250_301;
const NOW = Date.now();
let n = 0;
const fresh = () => `FZ-${++n}`;

/** The value a server would see after parsing the JSON text of `v` (parsed inside the property: a counterexample prints as markers, not 30,000 brackets). */
const parsed = (v: unknown): unknown => {
  const text = bodyText(v, fresh);
  return text === undefined ? undefined : JSON.parse(text);
};

/** The invariants of one answer of validateEvent for `raw`. */
function check(raw: unknown, v: Validated): void {
  if (v.ok) {
    expect(EVENT_TYPES).toContain(v.event.type);
    expect(v.event.id).toBe((raw as { id: unknown }).id);
    expect(typeof v.event.source).toBe('string');
    expect(typeof v.event.data).toBe('object');
    // the next steps of the pipeline for a fact: the dedupe hash and the stored JSON (a position
    // only gives its fix fields to telemetry: neither hashed nor stored)
    if (v.event.type === 'unit.position') return;
    expect(payloadHash(raw)).toMatch(/^[\w-]{27}$/);
    expect(typeof JSON.stringify(v.event)).toBe('string');
    return;
  }
  expect(v.errors.length).toBeGreaterThan(0);
  for (const e of v.errors) {
    for (const field of [e.path, e.code, e.message]) {
      expect(typeof field).toBe('string');
      expect(field.length).toBeGreaterThan(0);
    }
  }
  const id = (raw as { id?: unknown } | null | undefined)?.id;
  expect(v.id).toBe(typeof id === 'string' ? id : null);
}

const run = (arb: fc.Arbitrary<unknown>, numRuns: number, prepare: (v: unknown) => unknown = parsed) =>
  fc.assert(fc.property(arb, (value) => {
    const raw = prepare(value);
    let v: Validated | undefined;
    expect(() => (v = validateEvent(raw, NOW))).not.toThrow();
    check(raw, v!);
    // the same input, the same answer
    const again = validateEvent(raw, NOW);
    expect(again.ok).toBe(v!.ok);
    if (!again.ok && !v!.ok) expect(again.errors).toEqual(v!.errors);
  }), { seed: SEED, numRuns });

describe('validateEvent under fuzzing', () => {
  it('any JavaScript value (fc.anything with boxed values, null prototypes, maps, typed arrays, dates, sparse arrays)', () => {
    run(fc.anything({
      maxDepth: 4, withBoxedValues: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true,
      withDate: true, withSparseArray: true, withObjectString: true,
    }), 1000, (v) => v);
  });

  it('any JSON value, as parsed from its text', () => {
    run(fc.oneof(fc.jsonValue(), anyValue), 1000);
  });

  it('CloudEvent-shaped objects with random field types, lengths, unicode, numbers and nesting', () => {
    run(cloudEvent(PLAIN_ENV), 1500);
  });

  it('the elements of whole batches, one by one', () => {
    fc.assert(fc.property(ingestBody(PLAIN_ENV), (value) => {
      const body = parsed(value);
      for (const raw of Array.isArray(body) ? body : [body]) check(raw, validateEvent(raw, NOW));
    }), { seed: SEED, numRuns: 300 });
  });

  it(`refuses a fact nested deeper than ${MAX_NESTING} levels with too_deep (the dedupe hash would overflow the stack), at any depth`, () => {
    const report = (extra: string) => JSON.parse(`{"specversion":"1.0","id":"d","source":"s","type":"incident.reported","data":{"incidentId":"i","category":"theft","priority":1,"extra":${extra}}}`);
    // the event is level 1, data level 2, so data.extra's innermost array is at level depth + 2
    expect(validateEvent(report(nestedText(MAX_NESTING - 2, true)), NOW).ok).toBe(true);
    for (const depth of [MAX_NESTING - 1, 5000, 200_000]) {
      for (const arrays of [true, false]) {
        const v = validateEvent(report(nestedText(depth, arrays)), NOW);
        expect(v).toMatchObject({ ok: false, id: 'd', errors: [{ path: 'data', code: 'too_deep' }] });
      }
    }
  });

  it('accepts a fair share of the generated events (the fuzzing reaches past the envelope)', () => {
    const sample = fc.sample(cloudEvent(PLAIN_ENV).map(parsed), { seed: SEED, numRuns: 500 });
    const ok = sample.filter((raw) => validateEvent(raw, NOW).ok).length;
    expect(ok).toBeGreaterThan(100);
    expect(ok).toBeLessThan(480);
  });
});
