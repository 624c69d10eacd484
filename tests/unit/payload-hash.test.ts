import { describe, expect, it } from 'vitest';
import { payloadHash, stableStringify } from '../../server/ingest/payload-hash.js';

const event = {
  specversion: '1.0', id: 'e1', source: 's', type: 'incident.reported', time: '2025-03-01T08:00:00Z',
  data: { incidentId: 'i1', category: 'theft', priority: 2, location: { lat: 30.5, lon: 114.3 }, tags: ['a', 'b'] },
};

describe('payloadHash', () => {
  it('ignores key order at every depth', () => {
    const reordered = {
      data: { tags: ['a', 'b'], location: { lon: 114.3, lat: 30.5 }, priority: 2, category: 'theft', incidentId: 'i1' },
      time: '2025-03-01T08:00:00Z', type: 'incident.reported', source: 's', id: 'e1', specversion: '1.0',
    };
    expect(payloadHash(reordered)).toBe(payloadHash(event));
    expect(payloadHash(JSON.parse(JSON.stringify(event)))).toBe(payloadHash(event));
  });

  it('array order matters', () => {
    expect(payloadHash({ ...event, data: { ...event.data, tags: ['b', 'a'] } })).not.toBe(payloadHash(event));
    expect(payloadHash([1, 2])).not.toBe(payloadHash([2, 1]));
  });

  it('any nested change changes the hash', () => {
    expect(payloadHash({ ...event, data: { ...event.data, location: { lat: 30.5, lon: 114.30001 } } })).not.toBe(payloadHash(event));
    expect(payloadHash({ ...event, data: { ...event.data, extra: null } })).not.toBe(payloadHash(event));
    expect(payloadHash({ ...event, time: undefined })).not.toBe(payloadHash(event));
    expect(payloadHash({ a: { b: { c: 1 } } })).not.toBe(payloadHash({ a: { b: { c: '1' } } }));
  });

  it('is a stable, URL-safe string', () => {
    expect(payloadHash(event)).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(payloadHash(event)).toBe(payloadHash(event));
  });
});

describe('stableStringify', () => {
  it('sorts keys, keeps arrays, drops undefined object values like JSON', () => {
    expect(stableStringify({ b: 1, a: [3, { d: 1, c: 2 }], u: undefined })).toBe('{"a":[3,{"c":2,"d":1}],"b":1}');
    expect(stableStringify([undefined, null])).toBe('[null,null]');
    expect(stableStringify('x')).toBe('"x"');
    expect(stableStringify(null)).toBe('null');
    expect(stableStringify({ 'a"b': 1 })).toBe('{"a\\"b":1}');
  });

  it('agrees with JSON.parse of its output', () => {
    const v = { z: [1, { y: 'é', x: [true, false] }], a: -0.5 };
    expect(JSON.parse(stableStringify(v))).toEqual(v);
  });
});
