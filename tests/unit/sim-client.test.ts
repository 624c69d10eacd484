import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../shared/events.js';
import { fetchJurisdictions, IngestAborted, IngestClient, IngestError } from '../../server/sim/client.js';

interface Call {
  url: string;
  headers: Record<string, string>;
  body: CloudEvent[];
}

/** A scripted fetch: each call takes the next answer (a Response, or an Error to throw). */
function fakeFetch(answers: ((call: Call) => Response | Error)[]) {
  const calls: Call[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: Call = {
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: init?.body ? (JSON.parse(String(init.body)) as CloudEvent[]) : [],
    };
    calls.push(call);
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    const a = next(call);
    if (a instanceof Error) throw a;
    return a;
  };
  return { calls, fetch: impl as typeof fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const acceptAll = (call: Call) => json(202, { accepted: call.body.map((e, i) => ({ id: e.id, seq: `1-${i}` })), duplicates: [], rejected: [], warnings: [] });

function events(n: number): CloudEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    specversion: '1.0', id: `e${i}`, source: 'sim/test', type: 'unit.status', time: '2025-01-01T00:00:00.000Z', data: { unitId: 'U001', status: 'available' },
  }));
}

describe('IngestClient', () => {
  it('posts a CloudEvents batch with the key, and resends the same events after 503 Retry-After', async () => {
    const f = fakeFetch([() => json(503, { error: { code: 'unavailable', message: 'redis down' } }, { 'retry-after': '0' }), acceptAll]);
    const lines: string[] = [];
    const client = new IngestClient({ target: 'http://sim.test/', key: 'k1', fetch: f.fetch, log: (l) => lines.push(l) });
    const answer = await client.send(events(3));
    expect(answer.accepted.map((a) => a.id)).toEqual(['e0', 'e1', 'e2']);
    expect(f.calls).toHaveLength(2);
    expect(f.calls[0]!.url).toBe('http://sim.test/api/v1/events');
    expect(f.calls[0]!.headers).toMatchObject({ authorization: 'Bearer k1', 'content-type': 'application/cloudevents-batch+json' });
    expect(f.calls[1]!.body).toEqual(f.calls[0]!.body);
    expect(client.stats).toMatchObject({ sent: 3, accepted: 3, retries: 1 });
    expect(lines.join('\n')).toMatch(/HTTP 503; resending 3 events/);
  });

  it('retries network errors and 429 until the server answers', async () => {
    const f = fakeFetch([
      () => new TypeError('fetch failed'),
      () => json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '0' }),
      acceptAll,
    ]);
    const client = new IngestClient({ target: 'http://sim.test', key: 'k', fetch: f.fetch, log: () => undefined, maxBackoffMs: 20 });
    await client.send(events(1));
    expect(f.calls).toHaveLength(3);
    expect(client.stats.retries).toBe(2);
  });

  it('splits more than 1,000 events in order and maps rejected indexes back', async () => {
    const f = fakeFetch([(call) => json(202, {
      accepted: call.body.slice(1).map((e) => ({ id: e.id, seq: '1-1' })),
      duplicates: [],
      rejected: [{ index: 0, id: call.body[0]!.id, errors: [{ path: 'data.unitId', code: 'unknown_unit', message: 'no such unit' }] }],
      warnings: [],
    })]);
    const lines: string[] = [];
    const client = new IngestClient({ target: 'http://sim.test', key: 'k', fetch: f.fetch, log: (l) => lines.push(l) });
    const answer = await client.send(events(2500));
    expect(f.calls.map((c) => c.body.length)).toEqual([1000, 1000, 500]);
    expect(f.calls.flatMap((c) => c.body.map((e) => e.id))).toEqual(events(2500).map((e) => e.id));
    expect(answer.rejected.map((r) => r.index)).toEqual([0, 1000, 2000]);
    expect(answer.accepted).toHaveLength(2497);
    expect(lines.filter((l) => l.includes('rejected unit.status'))).toHaveLength(3);
  });

  it('returns the rejections of a 400 invalid_events without retrying', async () => {
    const rejected = [{ index: 0, id: 'e0', errors: [{ path: 'data.status', code: 'invalid_value', message: 'bad' }] }];
    const f = fakeFetch([() => json(400, { error: { code: 'invalid_events', message: 'nothing acceptable', details: { rejected } } })]);
    const client = new IngestClient({ target: 'http://sim.test', key: 'k', fetch: f.fetch, log: () => undefined });
    const answer = await client.send(events(1));
    expect(answer.rejected).toEqual(rejected);
    expect(f.calls).toHaveLength(1);
    expect(client.stats.rejected).toBe(1);
  });

  it('gives up on a batch after repeated 500s, reporting it as rejected', async () => {
    const f = fakeFetch([() => json(500, { error: { code: 'internal', message: 'boom' } })]);
    const client = new IngestClient({ target: 'http://sim.test', key: 'k', fetch: f.fetch, log: () => undefined, maxBackoffMs: 5 });
    const answer = await client.send(events(2));
    expect(f.calls).toHaveLength(6);
    expect(answer.rejected.map((r) => [r.index, r.errors[0]!.code])).toEqual([[0, 'http_500'], [1, 'http_500']]);
  });

  it('fails on 401 with the server message', async () => {
    const f = fakeFetch([() => json(401, { error: { code: 'unauthorized', message: 'unknown ingest key' } })]);
    const client = new IngestClient({ target: 'http://sim.test', key: 'bad', fetch: f.fetch, log: () => undefined });
    await expect(client.send(events(1))).rejects.toThrow(IngestError);
  });

  it('stops retrying when aborted, reporting what was not delivered', async () => {
    const controller = new AbortController();
    const f = fakeFetch([() => {
      controller.abort();
      return json(503, {}, { 'retry-after': '30' });
    }]);
    const client = new IngestClient({ target: 'http://sim.test', key: 'k', fetch: f.fetch, log: () => undefined, signal: controller.signal });
    await expect(client.send(events(4))).rejects.toBeInstanceOf(IngestAborted);
    expect(f.calls).toHaveLength(1);
  });
});

describe('fetchJurisdictions', () => {
  const grid = {
    type: 'Feature',
    properties: { id: 'G1', level: 'grid', parentId: 'M1', name: '一网格', areaType: 'urban' },
    geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
  };

  it('waits for the server and skips features that do not match the schema', async () => {
    const f = fakeFetch([() => new TypeError('fetch failed'), () => json(503, {}), () => json(200, { type: 'FeatureCollection', features: [grid, { type: 'Feature' }] })]);
    const lines: string[] = [];
    const fc = await fetchJurisdictions('http://sim.test', 'k', { fetch: f.fetch, log: (l) => lines.push(l), maxBackoffMs: 10 });
    expect(fc.features.map((x) => x.properties.id)).toEqual(['G1']);
    expect(f.calls[0]!.url).toBe('http://sim.test/api/v1/jurisdictions');
    expect(f.calls[0]!.headers.authorization).toBe('Bearer k');
    expect(lines.some((l) => l.includes('skipped 1'))).toBe(true);
  });

  it('does not retry a refused key', async () => {
    const f = fakeFetch([() => json(403, { error: { code: 'forbidden', message: 'no' } })]);
    await expect(fetchJurisdictions('http://sim.test', 'k', { fetch: f.fetch, log: () => undefined })).rejects.toThrow(/403/);
  });
});
