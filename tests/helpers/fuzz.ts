// Arbitraries for the property-based fuzz tests (fast-check): hostile JSON for the login and ingest
// bodies. Values that JSON.stringify cannot write (raw number text like `-0` or `1e309`, nesting
// 30,000 levels deep, the current time) are markers that bodyText() writes as text.
import fc from 'fast-check';
import { EVENT_TYPES, isEventType, type EventType } from '../../shared/events.js';

/** Stands for a fresh id: bodyText() replaces every occurrence with a unique one. */
export const NEW_ID = '@new-id@';

/** JSON text written as is (printed by its label in counterexamples). */
export class Raw {
  constructor(readonly text: string, readonly label: string) {}
  [fc.toStringMethod](): string {
    return `Raw(${this.label})`;
  }
}

/** The time of writing plus an offset, as an ISO string. */
export class At {
  constructor(readonly offsetMs: number) {}
  [fc.toStringMethod](): string {
    return `At(now${this.offsetMs >= 0 ? '+' : ''}${this.offsetMs}ms)`;
  }
}

/** JSON text of a value with its markers written out; undefined for a top-level undefined. */
export function bodyText(v: unknown, fresh: () => string): string | undefined {
  const raws: string[] = [];
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof Raw) return `@raw:${raws.push(x.text) - 1}@`;
    if (x instanceof At) return new Date(Date.now() + x.offsetMs).toISOString();
    return x === NEW_ID ? fresh() : x;
  });
  return text?.replace(/"@raw:(\d+)@"/g, (_m, i: string) => raws[Number(i)]!);
}

/** `depth` arrays (or objects) around a 0, as text. */
export const nestedText = (depth: number, arrays: boolean) =>
  arrays ? `${'['.repeat(depth)}0${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;

export const deep = fc.tuple(fc.oneof(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 80, max: 30_000 })), fc.boolean())
  .map(([d, arrays]) => new Raw(nestedText(d, arrays), `${arrays ? 'arrays' : 'objects'} nested ${d} deep`));

export const rawNumber = fc.constantFrom('-0', '-0.0', '1e308', '1e309', '-1e309', '18446744073709551616', '1E+2', '0.1e-400', '123456789012345678901234567890', '5e-324')
  .map((t) => new Raw(t, t));

export const weirdNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 64, -(2 ** 64), 2 ** 53 + 2, 5e-324, 0.1, 1.5, 0, -1, 4, 5, 91, 181),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  rawNumber,
);

const hugeString = fc.tuple(fc.constantFrom('x', '界', '😀', '"', '\\', '\u0000'), fc.integer({ min: 1000, max: 300_000 }))
  .map(([c, n]) => c.repeat(n));

export const weirdString = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', 'x\udfffx', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '1.0', '0-0',
      'incident.reported', '😀', '平安网格', '\u202e', 'a'.repeat(129), 'a'.repeat(257), '../../etc/passwd', '%00', '${x}', '2020-02-30T00:00:00Z'),
  },
  { weight: 1, arbitrary: hugeString },
);

/** Any JSON-ish value, weird ones often. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: weirdString },
  { weight: 2, arbitrary: weirdNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deep },
);

/** `fc.anything()` as the JSON a client would send for it (undefined: an empty body). */
export const anythingAsJson = fc.anything({ maxDepth: 4 }).map((v) => v as unknown);

/** Where valid-looking events point: a location and grid by number, an existing incident and unit, a district. */
export interface EventEnv {
  location(k: number): { lat: number; lon: number };
  grid(k: number): string;
  incident: string;
  unit: string;
  district: string;
  /** an existing dispute, petition and supervision order (their later stages need one) */
  dispute: string;
  petition: string;
  supervision: string;
}

/** Data that passes the schema of `type` (and mostly the reducer, given env). */
export function baseData(type: EventType, env: EventEnv, k: number): Record<string, unknown> {
  const loc = env.location(k);
  if (type === 'incident.reported') return { incidentId: NEW_ID, category: 'theft', priority: 1 + (k % 4), location: loc, summary: 'fuzz' };
  if (type === 'incident.updated') return { incidentId: env.incident, priority: 1 + (k % 4), summary: 'updated' };
  if (type === 'incident.linked') return { incidentId: NEW_ID, duplicateOf: env.incident };
  if (type.startsWith('incident.')) return { incidentId: env.incident, note: 'n', by: 'fuzz' };
  if (type === 'unit.registered') return { unitId: NEW_ID, callsign: 'FZ', kind: 'car', homeGrid: env.grid(k) };
  if (type === 'unit.position') return { unitId: env.unit, lat: loc.lat, lon: loc.lon, speed: 3, heading: 90 };
  if (type === 'unit.status') return { unitId: env.unit, status: 'available' };
  if (type === 'patrol.checkin') return { unitId: env.unit, location: loc, dwellSeconds: 60 };
  if (type === 'dispute.registered') return { disputeId: NEW_ID, kind: 'neighbour', parties: ['a', 'b'], location: loc };
  if (type.startsWith('dispute.')) return { disputeId: env.dispute, reason: 'fuzz', outcome: 'o' };
  if (type === 'petition.filed') return { petitionId: NEW_ID, subject: 's', location: loc };
  if (type.startsWith('petition.')) return { petitionId: env.petition, answer: 'a' };
  if (type === 'supervision.issued') return { supervisionId: NEW_ID, caseRef: env.incident, level: 'district' };
  if (type.startsWith('supervision.')) return { supervisionId: env.supervision, answer: 'a' };
  if (type === 'feedback.received') return { caseRef: env.incident, satisfaction: 4 };
  if (type === 'gridworker.report') return { kind: 'hazard', location: loc };
  if (type === 'duty.handover') return { shift: 'night', from: 'a', to: 'b' };
  if (type === 'indicator.updated') return { district: env.district, cells: [{ id: env.grid(k), crimeRisk: 0.5, instabilityRisk: 0.1, drivers: [] }] };
  return { alertId: NEW_ID, kind: 'spike', severity: 'warning', scope: env.district };
}

const FIELDS = ['incidentId', 'unitId', 'disputeId', 'caseRef', 'location', 'lat', 'lon', 'priority', 'category', 'status', 'cells', 'parties',
  'kind', 'homeGrid', 'unitIds', 'reporter', 'deadline', 'level', 'district', 'duplicateOf', 'speed', 'satisfaction'];
const mutation = fc.tuple(fc.boolean(), fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELDS) }, weirdString), anyValue);

/** A field that is mostly `good`, sometimes anything, sometimes absent. */
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 16, arbitrary: good }, { weight: 1, arbitrary: anyValue }, { weight: 1, arbitrary: fc.constant(undefined) });
/** Absent mostly, sometimes one of `arb`. */
const rarely = <T>(arb: fc.Arbitrary<T>, weight = 1) => fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight, arbitrary: arb });

/** Objects shaped like CloudEvents: valid ones, and ones with fields of random types and lengths. */
export function cloudEvent(env: EventEnv): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    specversion: mostly(fc.constant('1.0')),
    id: mostly(fc.constant(NEW_ID)),
    source: mostly(fc.constantFrom('fuzz/a', 'fuzz/b')),
    type: mostly(fc.constantFrom(...EVENT_TYPES)),
    time: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(new At(0), new At(-3_600_000), new At(-400 * 86_400_000)) },
      { weight: 1, arbitrary: fc.constant(new At(3_600_000)) }, { weight: 1, arbitrary: anyValue }, { weight: 4, arbitrary: fc.constant(undefined) }),
    subject: rarely(fc.oneof(weirdString, anyValue)),
    extension: rarely(fc.tuple(weirdString, anyValue), 2),
    k: fc.nat(10_000),
    mutations: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
    otherData: rarely(fc.oneof(anyValue, fc.dictionary(weirdString, anyValue, { maxKeys: 5 }))),
  }).map(({ extension, k, mutations, otherData, ...envelope }) => {
    const type = typeof envelope.type === 'string' && isEventType(envelope.type) ? envelope.type : 'alert.raised';
    let data: unknown = otherData;
    if (data === undefined) {
      const d = baseData(type, env, k);
      for (const [del, key, value] of mutations) {
        if (del) delete d[key];
        else d[key] = value;
      }
      data = d;
    }
    const ev: Record<string, unknown> = { ...envelope, data };
    if (extension) ev[extension[0]] = extension[1];
    return ev;
  });
}

/** A batch (array) or a single event; now and then a non-event among them. */
export function ingestBody(env: EventEnv): fc.Arbitrary<unknown> {
  const item = fc.oneof({ weight: 8, arbitrary: cloudEvent(env) }, { weight: 1, arbitrary: anyValue });
  return fc.oneof({ weight: 4, arbitrary: fc.array(item, { maxLength: 25 }) }, { weight: 1, arbitrary: cloudEvent(env) });
}

/** A fixed environment for the unit-level fuzzing (validation only: nothing is placed in a tree). */
export const PLAIN_ENV: EventEnv = {
  location: (k) => ({ lat: 30 + (k % 100) / 1000, lon: 114 + (k % 100) / 1000 }),
  grid: (k) => `g${k % 10}`,
  incident: 'inc-1',
  unit: 'u-1',
  district: 'd1',
  dispute: 'dsp-1',
  petition: 'pet-1',
  supervision: 'sup-1',
};
