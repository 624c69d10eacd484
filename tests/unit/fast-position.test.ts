import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloudEventSchema, EVENT_DATA_SCHEMAS } from '../../shared/events.js';
import { fastPosition } from '../../server/ingest/fast-position.js';

const NOW = Date.parse('2026-03-01T08:00:00Z');
const zodAccepts = (raw: unknown) => {
  const env = cloudEventSchema.safeParse(raw);
  if (!env.success || env.data.type !== 'unit.position') return false;
  if (env.data.time !== undefined && Date.parse(env.data.time) > NOW + 300_000) return false;
  return EVENT_DATA_SCHEMAS['unit.position'].safeParse(env.data.data).success;
};

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const position = fc.record({
  specversion: fc.constantFrom('1.0', '1.0', '0.3', 1),
  id: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
  source: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('')),
  type: fc.constantFrom('unit.position', 'unit.position', 'unit.status'),
  time: maybe(fc.oneof(fc.date({ min: new Date('2026-01-01'), max: new Date('2026-04-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.string(), fc.constant('2026-03-01T08:00:00+08:00'))),
  data: fc.oneof(
    fc.record({
      unitId: fc.oneof(fc.string({ maxLength: 140 }), fc.integer()),
      lat: fc.oneof(fc.double({ min: -100, max: 100, noNaN: true }), fc.constant('30.5')),
      lon: fc.double({ min: -200, max: 200, noNaN: true }),
      speed: maybe(fc.double({ min: -10, max: 300, noNaN: true })),
      heading: maybe(fc.oneof(fc.double({ min: -10, max: 400, noNaN: true }), fc.constant(null))),
      accuracy: maybe(fc.double({ min: -5, max: 50, noNaN: true })),
    }, { requiredKeys: [] }),
    fc.constant(null), fc.array(fc.integer()),
  ),
}, { requiredKeys: ['specversion', 'type', 'data'] });

const wellFormed = fc.record({
  specversion: fc.constant('1.0'),
  id: fc.string({ minLength: 1, maxLength: 40 }),
  source: fc.string({ minLength: 1, maxLength: 20 }),
  type: fc.constant('unit.position'),
  time: maybe(fc.date({ min: new Date('2026-02-01'), max: new Date('2026-03-01T08:04:00Z'), noInvalidDate: true }).map((d) => d.toISOString())),
  data: fc.record({
    unitId: fc.string({ minLength: 1, maxLength: 128 }),
    lat: fc.double({ min: -90, max: 90, noNaN: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true }),
    speed: maybe(fc.double({ min: 0, max: 200, noNaN: true })),
    heading: maybe(fc.double({ min: 0, max: 360, noNaN: true })),
  }, { requiredKeys: ['unitId', 'lat', 'lon'] }),
});

describe('fastPosition', () => {
  it('accepts exactly what the zod schemas accept (or defers to them)', () => {
    let taken = 0;
    fc.assert(fc.property(fc.oneof(wellFormed, position), (raw) => {
      const fast = fastPosition(raw, NOW, 300_000);
      // the fast path may defer (null) but never accepts what zod refuses
      if (fast) {
        taken += 1;
        expect(zodAccepts(raw)).toBe(true);
      }
    }), { numRuns: 3000, seed: 42 });
    // and the property is not vacuous: well-formed fixes do take the fast path
    expect(taken).toBeGreaterThan(20);
  });

  it('takes the common well-formed fix, keeping extensions and the producer data object', () => {
    const data = { unitId: 'U1', lat: 30.6, lon: 114.3, speed: 8, heading: 90, extra: [] };
    const ev = fastPosition({ specversion: '1.0', id: 'p1', source: 'gps', type: 'unit.position', time: '2026-03-01T07:59:59Z', data, trace: 'x' }, NOW, 300_000);
    expect(ev).toMatchObject({ id: 'p1', type: 'unit.position', extensions: { trace: 'x' } });
    expect(ev!.data).toBe(data);
  });
});
