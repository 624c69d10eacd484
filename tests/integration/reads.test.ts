// GET /incidents and GET /incidents/:id against a real server and Redis: order, asOfSeq,
// filters (status, scope, bbox, since), limit clamping and cursor pagination.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSeq } from '../../shared/seq.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient, ingestOk, reportAt, sleep, streamEntries } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let admin: string;
beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  admin = await s.login('admin');
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

const ids = (items: any[]) => items.map((i) => i.id);
const list = async (query: string, cookie = admin) => {
  const res = await s.get(`/incidents?${query}`, cookie);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: any[]; nextCursor: string | null; asOfSeq: string | null };
};
const gridId = (n: number) => gridCenter(n).gridId;
const D = { d4: '990104', d5: '990105', d6: '990106', d7: '990107', d8: '990108' };

describe('GET /incidents', () => {
  it('lists newest first by last change, each object with an integer version', async () => {
    await ingestOk(s, [reportAt('O-1', 710)]);
    await sleep(5);
    await ingestOk(s, [reportAt('O-2', 711)]);
    await sleep(5);
    await ingestOk(s, [reportAt('O-3', 712)]);
    await sleep(5);
    await ingestOk(s, [ce('incident.updated', { incidentId: 'O-1', summary: 'changed last' })]);
    const page = await list(`scope=${D.d6}`);
    expect(ids(page.items)).toEqual(['O-1', 'O-3', 'O-2']);
    expect(page.items.map((i) => i.version)).toEqual([2, 1, 1]);
    for (const i of page.items) expect(Number.isInteger(i.version)).toBe(true);
    expect(page.nextCursor).toBeNull();
  });

  it('carries asOfSeq: the log head, read before the objects', async () => {
    const quiet = await list('');
    const head = (await r.xrevrange('log', '+', '-', 'COUNT', 1))[0]![0];
    expect(quiet.asOfSeq).toBe(head);
    for (const i of quiet.items) expect(compareSeq(i.updatedSeq, quiet.asOfSeq!)).toBeLessThanOrEqual(0);

    // under concurrent writes: every entry at or before asOfSeq must be reflected in the snapshot
    await ingestOk(s, [reportAt('C-1', 420)]);
    const writer = (async () => {
      for (let k = 0; k < 25; k++) await ingestOk(s, [ce('incident.updated', { incidentId: 'C-1', summary: `w${k}` })]);
    })();
    const snaps: { asOfSeq: string; version: number }[] = [];
    const reader = (async () => {
      for (let k = 0; k < 25; k++) {
        const [one, many] = await Promise.all([s.get('/incidents/C-1', admin), list(`scope=${gridId(420)}`)]);
        snaps.push({ asOfSeq: one.body.asOfSeq, version: one.body.version });
        snaps.push({ asOfSeq: many.asOfSeq!, version: many.items[0].version });
      }
    })();
    await Promise.all([writer, reader]);
    const timeline = (await s.get('/incidents/C-1', admin)).body.timeline as any[];
    expect(timeline).toHaveLength(26);
    for (const snap of snaps) {
      const seen = timeline.filter((e) => compareSeq(e.seq, snap.asOfSeq) <= 0).at(-1);
      expect(snap.version).toBeGreaterThanOrEqual(seen.affects[0].version);
    }
  });

  it('filters by a comma-separated status list and names query.status when a status is unknown', async () => {
    await ingestOk(s, [reportAt('ST-1', 600), reportAt('ST-2', 600), reportAt('ST-3', 600)]);
    await ingestOk(s, [ce('incident.arrived', { incidentId: 'ST-2' }), ce('incident.resolved', { incidentId: 'ST-3' })]);
    const scope = `scope=${gridId(600)}`;
    expect(ids((await list(`${scope}&status=new,on_scene`)).items).sort()).toEqual(['ST-1', 'ST-2']);
    expect(ids((await list(`${scope}&status=resolved`)).items)).toEqual(['ST-3']);
    expect(ids((await list(`${scope}&status=closed,cancelled`)).items)).toEqual([]);
    expect(ids((await list(scope)).items).sort()).toEqual(['ST-1', 'ST-2', 'ST-3']);
    for (const q of ['status=bogus', 'status=new,bogus']) {
      const bad = await s.get(`/incidents?${q}`, admin);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
      expect(bad.body.error.details.errors.map((e: any) => e.path)).toEqual(['query.status']);
    }
  });

  it('filters by scope; an unknown scope is 404', async () => {
    await ingestOk(s, [reportAt('SC-2', 10), reportAt('SC-3', 210)]);
    const d2 = await list('scope=990102');
    expect(ids(d2.items)).toContain('SC-2');
    expect(ids(d2.items)).not.toContain('SC-3');
    for (const i of d2.items) expect(i.jurisdiction).toContain('990102');
    expect(ids((await list('scope=990103')).items)).toContain('SC-3');
    for (const bad of ['nope', '990199', gridId(10) + '9']) {
      const res = await s.get(`/incidents?scope=${bad}`, admin);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('filters by bbox; a malformed bbox is 400 naming query.bbox', async () => {
    await ingestOk(s, [reportAt('BB-1', 400)]);
    const c = gridCenter(400);
    const bbox = [c.lon - 0.0005, c.lat - 0.0005, c.lon + 0.0005, c.lat + 0.0005].join(',');
    expect(ids((await list(`bbox=${bbox}`)).items)).toEqual(['BB-1']);
    const east = [c.lon + 0.0001, c.lat - 0.0005, c.lon + 0.0005, c.lat + 0.0005].join(',');
    expect((await list(`bbox=${east}`)).items).toEqual([]);
    for (const bad of ['a,b,c,d', '1,2,3', `${c.lon + 1},${c.lat},${c.lon},${c.lat + 1}`]) {
      const res = await s.get(`/incidents?bbox=${encodeURIComponent(bad)}`, admin);
      expect(res.status).toBe(400);
      expect(res.body.error.details.errors.map((e: any) => e.path)).toEqual(['query.bbox']);
    }
  });

  it('filters by since, as a seq (strictly after) and as an ISO time', async () => {
    const [x1, x2] = await ingestOk(s, [reportAt('SN-1', 650), reportAt('SN-2', 651)]);
    await sleep(20);
    const between = new Date().toISOString();
    await sleep(20);
    await ingestOk(s, [reportAt('SN-3', 652), reportAt('SN-4', 653)]);
    expect(ids((await list(`since=${x2}`)).items).sort()).toEqual(['SN-3', 'SN-4']);
    expect(ids((await list(`since=${x1}`)).items).sort()).toEqual(['SN-2', 'SN-3', 'SN-4']);
    expect(ids((await list(`since=${encodeURIComponent(between)}`)).items).sort()).toEqual(['SN-3', 'SN-4']);
    const bad = await s.get('/incidents?since=yesterday-ish', admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('query.since');
  });

  it('pages with a cursor over 250 incidents committed in the same millisecond', async () => {
    const tree = demoTree();
    const all = Array.from({ length: 250 }, (_, i) => reportAt(`PG-${String(i).padStart(3, '0')}`, 1190 + i));
    await ingestOk(s, all);
    const whole = await list(`scope=${D.d8}&limit=500`);
    expect(whole.items).toHaveLength(250);
    expect(new Set(whole.items.map((i) => i.updatedAt)).size).toBe(1); // the tie is real
    expect(whole.nextCursor).toBeNull();
    for (const i of whole.items) expect(tree.chain(i.gridId)).toContain(D.d8);

    const walk = async () => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`scope=${D.d8}&limit=40${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...ids(page.items));
        sizes.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor !== null && sizes.length < 20);
      return { seen, sizes, cursor };
    };
    const first = await walk();
    expect(first.cursor).toBeNull();
    expect(first.sizes).toEqual([40, 40, 40, 40, 40, 40, 10]);
    expect(new Set(first.seen).size).toBe(250);
    expect(first.seen).toEqual(ids(whole.items));
    expect((await walk()).seen).toEqual(first.seen);
  });

  it('clamps a limit above 500 instead of refusing it', async () => {
    await ingestOk(s, Array.from({ length: 300 }, (_, i) => reportAt(`CL-${i}`, 928 + (i % 262))));
    for (const limit of [501, 100000]) {
      const page = await list(`limit=${limit}`);
      expect(page.items).toHaveLength(500);
      expect(page.nextCursor).not.toBeNull();
    }
    const bad = await s.get('/incidents?cursor=not-a-cursor', admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('query.cursor');
    const forged = Buffer.from('{"a":1}').toString('base64url');
    expect((await s.get(`/incidents?cursor=${forged}`, admin)).status).toBe(400);
  });

  it('pages through every bbox match even when a page holds few of them', async () => {
    // BB-1 is older than the 550 incidents just ingested elsewhere; a small page must still reach it
    const c = gridCenter(400);
    const bbox = [c.lon - 0.0005, c.lat - 0.0005, c.lon + 0.0005, c.lat + 0.0005].join(',');
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 600; pages++) {
      const page = await list(`bbox=${bbox}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(['BB-1']);
  });
});

describe('GET /incidents/:id', () => {
  it('answers the incident with its version, timeline and asOfSeq', async () => {
    const res = await s.get('/incidents/O-1', admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'O-1', version: 2, status: 'new', summary: 'changed last', gridId: gridId(710) });
    expect(res.body.asOfSeq).toMatch(/^\d+-\d+$/);
    expect(res.body.timeline.map((e: any) => [e.type, e.affects])).toEqual([
      ['incident.reported', [{ kind: 'incident', id: 'O-1', version: 1 }]],
      ['incident.updated', [{ kind: 'incident', id: 'O-1', version: 2 }]],
    ]);
    expect(res.body.updatedSeq).toBe(res.body.timeline[1].seq);
    const head = (await r.xrevrange('log', '+', '-', 'COUNT', 1))[0]![0];
    expect(res.body.asOfSeq).toBe(head);
    const all = await streamEntries(r);
    expect(all.map((e) => e.seq)).toContain(res.body.timeline[0].seq);
  });

  it('answers 404 with {error: {code, message}} for an unknown incident', async () => {
    const res = await s.get('/incidents/NO-SUCH-INCIDENT', admin);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect(res.body.error.message).toContain('NO-SUCH-INCIDENT');
  });
});
