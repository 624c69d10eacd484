import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ce, startStack, INGEST_KEY, type Stack } from '../helpers/stack.js';
import { demoTree, farOutside, gridCenter } from '../helpers/geo.js';

let s: Stack;
let cookie: string;
beforeAll(async () => {
  s = await startStack();
  cookie = await s.login('admin');
});
afterAll(async () => s?.stop());

const here = () => ({ lat: gridCenter(3).lat, lon: gridCenter(3).lon });
const report = (incidentId: string, extra: Record<string, unknown> = {}) =>
  ce('incident.reported', { incidentId, category: 'theft', priority: 2, location: here(), address: '中山路1号', ...extra });

async function logLength(): Promise<number> {
  const { Redis } = await import('ioredis');
  const r = new Redis(s.redis.url);
  const n = await r.xlen('log');
  r.disconnect();
  return n;
}

describe('POST /events', () => {
  it('stores an incident with its effect, jurisdiction chain and timeline', async () => {
    const ev = report('INC-1');
    const res = await s.ingest([ev]);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toEqual([{ id: ev.id, seq: expect.stringMatching(/^\d+-\d+$/) }]);
    const seq = res.body.accepted[0].seq;
    const inc = await s.get('/incidents/INC-1', cookie);
    expect(inc.status).toBe(200);
    expect(inc.body).toMatchObject({ id: 'INC-1', version: 1, status: 'new', category: 'theft', priority: 2, gridId: gridCenter(3).gridId });
    expect(inc.body.jurisdiction).toEqual(demoTree().chain(gridCenter(3).gridId));
    expect(inc.body.timeline).toHaveLength(1);
    expect(inc.body.timeline[0]).toMatchObject({ seq, id: ev.id, type: 'incident.reported', affects: [{ kind: 'incident', id: 'INC-1', version: 1 }] });
    const log = await s.get(`/log?after=0-0&limit=500`, cookie);
    const entry = log.body.items.find((e: any) => e.seq === seq);
    expect(Object.keys(entry).slice(0, 8)).toEqual(['seq', 'id', 'source', 'type', 'time', 'receivedAt', 'jurisdiction', 'affects']);
  });

  it('answers a resend as duplicate with the original seq, and a changed payload as id_conflict', async () => {
    const ev = report('INC-2');
    const first = await s.ingest([ev]);
    const again = await s.ingest([ev]);
    expect(again.status).toBe(202);
    expect(again.body.duplicates).toEqual([{ id: ev.id, seq: first.body.accepted[0].seq }]);
    expect(again.body.accepted).toEqual([]);
    const changed = await s.ingest([{ ...ev, data: { ...ev.data, priority: 1 } }]);
    expect(changed.status).toBe(400);
    expect(changed.body.error.code).toBe('invalid_events');
    expect(changed.body.error.details.rejected[0].errors[0].code).toBe('id_conflict');
    const inc = await s.get('/incidents/INC-2', cookie);
    expect(inc.body.priority).toBe(2);
    expect(inc.body.version).toBe(1);
  });

  it('treats a resend inside one batch as a duplicate of the first', async () => {
    const ev = report('INC-2b');
    const res = await s.ingest([ev, ev]);
    expect(res.body.accepted).toHaveLength(1);
    expect(res.body.duplicates).toEqual([{ id: ev.id, seq: res.body.accepted[0].seq }]);
  });

  it('stores the valid events of a mixed batch, lists the invalid ones, and nothing else', async () => {
    const before = await logLength();
    const good = report('INC-3');
    const res = await s.ingest([
      good,
      ce('incident.reported', { category: 'theft', priority: 2 }),
      ce('no.such.type', {}),
      { ...report('INC-3x'), specversion: '0.3' },
      ce('incident.reported', { incidentId: 'INC-3y', category: 'theft', priority: 9 }),
    ]);
    expect(res.status).toBe(202);
    expect(res.body.accepted.map((a: any) => a.id)).toEqual([good.id]);
    const byIndex = Object.fromEntries(res.body.rejected.map((r: any) => [r.index, r.errors[0]]));
    expect(byIndex[1]).toMatchObject({ path: 'data.incidentId', code: 'required' });
    expect(byIndex[2]).toMatchObject({ path: 'type', code: 'unknown_type' });
    expect(byIndex[3]).toMatchObject({ path: 'specversion' });
    expect(byIndex[4]).toMatchObject({ path: 'data.priority', code: 'too_big' });
    expect(await logLength()).toBe(before + 1);
    expect((await s.get('/incidents/INC-3y', cookie)).status).toBe(404);
  });

  it('answers 400 invalid_events when nothing is acceptable', async () => {
    const res = await s.ingest([ce('incident.reported', { incidentId: 'x' })]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_events');
    expect(res.body.error.details.rejected[0].errors.map((e: any) => e.path).sort()).toEqual(['data.category', 'data.priority']);
  });

  it('refuses unknown keys with 401, wrong media types with 415, oversize requests with 413', async () => {
    const body = JSON.stringify([report('INC-4')]);
    const post = (headers: Record<string, string>, b = body) => fetch(`${s.url}/api/v1/events`, { method: 'POST', headers, body: b });
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401);
    expect((await post({ 'content-type': 'application/json', authorization: 'Bearer nope' })).status).toBe(401);
    const r415 = await post({ 'content-type': 'text/plain', authorization: `Bearer ${INGEST_KEY}` });
    expect(r415.status).toBe(415);
    expect((await r415.json()).error.code).toBe('unsupported_media_type');
    const bin = await post({ 'content-type': 'application/octet-stream', 'ce-id': '1', authorization: `Bearer ${INGEST_KEY}` });
    expect(bin.status).toBe(415);
    const many = Array.from({ length: 1001 }, (_, i) => report(`INC-M${i}`));
    const r413 = await s.ingest(many);
    expect(r413.status).toBe(413);
    const huge = await s.ingest([report('INC-H', { summary: 'x'.repeat(1_100_000) })]);
    expect(huge.status).toBe(413);
    expect((await s.get('/incidents/INC-M0', cookie)).status).toBe(404);
  });

  it('accepts application/json and a single structured event', async () => {
    const ev = report('INC-5');
    const res = await s.ingest(ev, { 'content-type': 'application/cloudevents+json' });
    expect(res.status).toBe(202);
    expect(res.body.accepted[0].id).toBe(ev.id);
  });

  it('answers 403 when every event is outside the key\'s types', async () => {
    await s.ingest([report('INC-6')]);
    const res = await s.ingest([ce('incident.dispatched', { incidentId: 'INC-6', unitIds: [] })]);
    expect(res.status).toBe(403);
    expect(res.body.error.details.rejected[0].errors[0].code).toBe('forbidden');
  });

  it('rejects times more than 5 minutes ahead and defaults a missing time to receivedAt', async () => {
    const future = report('INC-7', {});
    future.time = new Date(Date.now() + 10 * 60_000).toISOString();
    const noTime: Record<string, unknown> = report('INC-8');
    delete noTime.time;
    const res = await s.ingest([future, noTime]);
    expect(res.body.rejected[0]).toMatchObject({ index: 0, errors: [{ path: 'time', code: 'time_in_future' }] });
    const inc = await s.get('/incidents/INC-8', cookie);
    expect(inc.body.timeline[0].time).toBe(inc.body.timeline[0].receivedAt);
  });

  it('maps unknown categories to other with a warning', async () => {
    const ev = report('INC-9', { category: 'noise_complaint' });
    const res = await s.ingest([ev]);
    expect(res.body.warnings).toEqual([expect.objectContaining({ index: 0, id: ev.id, code: 'unknown_category' })]);
    const inc = await s.get('/incidents/INC-9', cookie);
    expect(inc.body.category).toBe('other');
    expect(inc.body.categoryReported).toBe('noise_complaint');
  });

  it('snaps locations just outside the area to the nearest grid and rejects far ones', async () => {
    const tree = demoTree();
    const c = gridCenter(0);
    // walk south from a grid until outside, then 300 m more
    let lat = c.lat;
    while (tree.locate(lat, c.lon, 0)) lat -= 0.0005;
    const near = report('INC-10', { location: { lat: lat - 0.003, lon: c.lon } });
    const far = report('INC-11', { location: farOutside() });
    const res = await s.ingest([near, far]);
    expect(res.body.accepted.map((a: any) => a.id)).toEqual([near.id]);
    expect(res.body.rejected[0].errors[0]).toMatchObject({ path: 'data.location', code: 'location_out_of_area' });
    const inc = await s.get('/incidents/INC-10', cookie);
    expect(inc.body.outOfArea).toBe(true);
    expect(inc.body.timeline[0].outOfArea).toBe(true);
  });

  it('applies forward jumps, records stale facts without applying them, refuses unknown incidents', async () => {
    await s.ingest([report('INC-12')]);
    const arrived = await s.ingest([ce('incident.arrived', { incidentId: 'INC-12' })]);
    expect(arrived.status).toBe(202);
    let inc = (await s.get('/incidents/INC-12', cookie)).body;
    expect(inc).toMatchObject({ status: 'on_scene', version: 2 });
    const late = await s.ingest([ce('incident.en_route', { incidentId: 'INC-12' })]);
    expect(late.status).toBe(202);
    inc = (await s.get('/incidents/INC-12', cookie)).body;
    expect(inc).toMatchObject({ status: 'on_scene', version: 2 });
    expect(inc.timeline.map((e: any) => e.type)).toEqual(['incident.reported', 'incident.arrived', 'incident.en_route']);
    expect(inc.timeline[2]).toMatchObject({ stale: true, affects: [] });
    const unknown = await s.ingest([ce('incident.resolved', { incidentId: 'NOPE' })]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.rejected[0].errors[0]).toMatchObject({ code: 'unknown_incident', path: 'data.incidentId' });
    const other = await s.ingest([{ ...report('INC-12'), source: 'test/12345' }]);
    expect(other.body.error.details.rejected[0].errors[0].code).toBe('incident_exists');
  });

  it('round-trips cjson-hostile payloads byte for byte', async () => {
    const data = { incidentId: 'INC-13', category: 'fraud', priority: 3, tags: [], meta: {}, big: 18014398509481984, nested: { list: [[], [1, 2]] }, summary: '电信诈骗，涉案金额 12,000 元 🚨' };
    const ev = ce('incident.reported', data, { traceparent: '00-abc-01', dept: [] });
    const res = await s.ingest(JSON.stringify([ev]));
    expect(res.status).toBe(202);
    const { Redis } = await import('ioredis');
    const r = new Redis(s.redis.url);
    const seq = res.body.accepted[0].seq;
    const [[, fields]] = (await r.xrange("log", seq, seq)) as [[string, string[]]];
    r.disconnect();
    const raw = fields![1]!;
    expect(raw).toContain(`"data":${JSON.stringify(data)}`);
    expect(raw).toContain('"big":18014398509481984');
    expect(raw).toContain('"tags":[]');
    expect(raw).toContain('"extensions":{"traceparent":"00-abc-01","dept":[]}');
    const inc = await s.get('/incidents/INC-13', cookie);
    expect(inc.body.timeline[0].data).toEqual(data);
  });

  it('loses no update under 20 concurrent writers to one object', async () => {
    await s.ingest([report('INC-14')]);
    const writers = Array.from({ length: 20 }, (_, i) =>
      s.ingest([ce('incident.updated', { incidentId: 'INC-14', summary: `writer ${i}` })]));
    const results = await Promise.all(writers);
    expect(results.every((r) => r.status === 202 && r.body.accepted.length === 1)).toBe(true);
    const inc = (await s.get('/incidents/INC-14', cookie)).body;
    expect(inc.version).toBe(21);
    const versions = inc.timeline.slice(1).map((e: any) => e.affects[0].version).sort((a: number, b: number) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  });
});
