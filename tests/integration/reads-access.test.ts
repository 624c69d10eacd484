// Who sees what: district scopes, reporter masking, GET /log paging, GET /jurisdictions,
// 401 without a session, and the self-descriptions (/openapi.json, /metrics).
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { compareSeq, seqTimeMs } from '../../shared/seq.js';
import { demoTree } from '../helpers/geo.js';
import { call, durableClient, ingestOk, reportAt, streamEntries, walkLog } from '../helpers/requests.js';
import { ce, INGEST_KEY, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
const cookies: Record<string, string> = {};
const [D2, D3] = demoTree().idsAt('district') as [string, string];
const dutyD2 = `duty-${D2}`;
const REPORTER = { name: '张三丰', phone: '13812345678', idNumber: '110101199003071234' };
const MASKED = { name: '张**', phone: '138****5678', idNumber: '110***********1234' };

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  for (const u of ['admin', 'coordinator', 'duty', 'leader', dutyD2]) cookies[u] = await s.login(u);
  // D2 (grids 0..190) and D3 (grids 191..378) of the demo city
  await ingestOk(s, [
    reportAt('A-D2', 10, { reporter: REPORTER }), reportAt('A-D3', 210, { reporter: REPORTER }),
    ...Array.from({ length: 40 }, (_, i) => reportAt(`B-${i}`, i % 2 ? 20 + i : 220 + i)),
  ]);
  await ingestOk(s, [ce('incident.updated', { incidentId: 'A-D2', summary: 'again' }), ce('unit.registered', { unitId: 'U-1', homeGrid: demoTree().idsAt('grid')[5] })]);
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

describe('district scope', () => {
  it('shows a district duty officer only the incidents of their district', async () => {
    expect(D2).toBe('990102');
    const mine = await s.get('/incidents?limit=500', cookies[dutyD2]!);
    expect(mine.status).toBe(200);
    const got = mine.body.items.map((i: any) => i.id);
    expect(got).toContain('A-D2');
    expect(got).not.toContain('A-D3');
    expect(got).toHaveLength(21);
    for (const i of mine.body.items) expect(i.jurisdiction).toContain(D2);
    expect((await s.get('/incidents/A-D2', cookies[dutyD2]!)).status).toBe(200);
  });

  it('answers 404 for another district, its incidents and a scope above the user\'s', async () => {
    const other = await s.get('/incidents/A-D3', cookies[dutyD2]!);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    expect((await s.get(`/incidents?scope=${D3}`, cookies[dutyD2]!)).status).toBe(404);
    expect((await s.get(`/incidents?scope=${demoTree().cityId}`, cookies[dutyD2]!)).status).toBe(404);
    const street = demoTree().chain(demoTree().idsAt('grid')[10]!)[2]!;
    const inStreet = await s.get(`/incidents?scope=${street}`, cookies[dutyD2]!);
    expect(inStreet.status).toBe(200);
    expect(inStreet.body.items.map((i: any) => i.id)).toContain('A-D2');
  });
});

describe('reporter masking', () => {
  const check = (body: any, full: boolean) => {
    const want = full ? REPORTER : MASKED;
    const text = JSON.stringify(body);
    if (full) expect(text).toContain(REPORTER.phone);
    else for (const v of Object.values(REPORTER)) expect(text).not.toContain(v);
    return want;
  };
  for (const [user, full] of [['admin', true], ['coordinator', true], ['duty', false], ['leader', false], [dutyD2, false]] as const) {
    it(`${full ? 'shows' : 'masks'} reporter data for ${user}`, async () => {
      const c = cookies[user]!;
      const listed = await s.get('/incidents?scope=990102&limit=500', c);
      const item = listed.body.items.find((i: any) => i.id === 'A-D2');
      expect(item.reporter).toEqual(check(listed.body, full));
      const one = await s.get('/incidents/A-D2', c);
      expect(one.body.reporter).toEqual(check(one.body, full));
      expect(one.body.timeline[0].data.reporter).toEqual(check(one.body, full));
      const log = await s.get('/log?limit=500', c);
      const entry = log.body.items.find((e: any) => e.data.incidentId === 'A-D2' && e.type === 'incident.reported');
      expect(entry.data.reporter).toEqual(check(log.body, full));
    });
  }
});

describe('GET /log', () => {
  it('pages through every entry exactly once, in log order', async () => {
    const stream = (await streamEntries(r)).map((e) => e.seq);
    expect(stream.length).toBeGreaterThan(40);
    const { items, pages } = await walkLog(s, cookies.admin!, 7);
    expect(items.map((e) => e.seq)).toEqual(stream);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(stream.length / 7));
    for (const e of items) for (const a of e.affects) expect(Number.isInteger(a.version)).toBe(true);
    const huge = await s.get('/log?limit=100000', cookies.admin!);
    expect(huge.status).toBe(200);
    expect(huge.body.items).toHaveLength(stream.length);
  });

  it('reads after a seq (strictly) and after an ISO time (inclusive of that millisecond)', async () => {
    const stream = (await streamEntries(r)).map((e) => e.seq);
    const k = 20;
    const bySeq = await s.get(`/log?after=${stream[k]}&limit=5`, cookies.admin!);
    expect(bySeq.body.items.map((e: any) => e.seq)).toEqual(stream.slice(k + 1, k + 6));
    expect(bySeq.body.nextAfter).toBe(stream[k + 5]);
    const ms = seqTimeMs(stream[k]!);
    const first = stream.findIndex((q) => seqTimeMs(q) >= ms);
    const byTime = await s.get(`/log?after=${encodeURIComponent(new Date(ms).toISOString())}&limit=3`, cookies.admin!);
    expect(byTime.body.items.map((e: any) => e.seq)).toEqual(stream.slice(first, first + 3));
    const last = stream.at(-1)!;
    const end = await s.get(`/log?after=${last}`, cookies.admin!);
    expect(end.body).toEqual({ items: [], nextAfter: last });
    const bad = await s.get('/log?after=not-a-time', cookies.admin!);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('query.after');
  });

  it('shows a district duty officer only the entries of their district, across pages', async () => {
    const want = (await streamEntries(r)).filter((e) => e.jurisdiction.includes(D2)).map((e) => e.seq);
    expect(want.length).toBeGreaterThan(10);
    const { items } = await walkLog(s, cookies[dutyD2]!, 5);
    expect(items.map((e) => e.seq)).toEqual(want);
    for (let i = 1; i < items.length; i++) expect(compareSeq(items[i - 1].seq, items[i].seq)).toBeLessThan(0);
  });
});

describe('GET /jurisdictions', () => {
  it('is a FeatureCollection of every level with {id, level, parentId, name, areaType}', async () => {
    const res = await call(s, '/jurisdictions', { cookie: cookies.duty });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(res.body.type).toBe('FeatureCollection');
    const props = res.body.features.map((f: any) => f.properties);
    const byId = new Map(props.map((p: any) => [p.id, p]));
    const levels = ['city', 'district', 'street', 'community', 'grid'];
    expect(new Set(props.map((p: any) => p.level))).toEqual(new Set(levels));
    expect(props.filter((p: any) => p.level === 'grid')).toHaveLength(demoTree().idsAt('grid').length);
    for (const f of res.body.features) {
      expect(f.type).toBe('Feature');
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
      const p = f.properties;
      expect(Object.keys(p).sort()).toEqual(['areaType', 'id', 'level', 'name', 'parentId']);
      expect(['urban', 'suburban', 'rural']).toContain(p.areaType);
      expect(typeof p.name).toBe('string');
      if (p.level === 'city') expect(p.parentId).toBeNull();
      else expect((byId.get(p.parentId) as any)?.level).toBe(levels[levels.indexOf(p.level) - 1]);
    }
  });

  it('needs a session or the ingest key', async () => {
    expect((await call(s, '/jurisdictions')).status).toBe(401);
    expect((await call(s, '/jurisdictions', { headers: { authorization: 'Bearer wrong-key' } })).status).toBe(401);
    const feeder = await call(s, '/jurisdictions', { headers: { authorization: `Bearer ${INGEST_KEY}` } });
    expect(feeder.status).toBe(200);
    expect(feeder.body.features.length).toBeGreaterThan(1000);
  });
});

describe('authentication and self-description', () => {
  it('answers 401 without a session everywhere but /health and /openapi.json', async () => {
    for (const path of ['/incidents', '/incidents/A-D2', '/units', '/units/U-1/trail', '/log', '/metrics', '/me']) {
      for (const cookie of [undefined, 'pingan_sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
        const res = await call(s, path, { cookie });
        expect(res.status, `${path} ${cookie ?? ''}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
    expect((await call(s, '/health')).status).toBe(200);
    expect((await call(s, '/openapi.json')).status).toBe(200);
  });

  it('gives every object in a response an integer version', async () => {
    const incidents = await s.get('/incidents?limit=500', cookies.admin!);
    const units = await s.get('/units', cookies.admin!);
    const one = await s.get('/incidents/A-D2', cookies.admin!);
    const objects = [...incidents.body.items, ...units.body.items, one.body];
    expect(objects.length).toBe(44);
    for (const o of objects) expect(Number.isInteger(o.version) && o.version >= 1, JSON.stringify(o)).toBe(true);
    expect(one.body.version).toBe(2);
  });

  it('serves an OpenAPI 3 document with a path for every route the server implements', async () => {
    const res = await call(s, '/openapi.json');
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    // every route of the Express app, found by walking its routers
    const app = createApp(s.server.deps) as any; // the same app, built from the running server's deps
    const routes: string[] = [];
    const walk = (stack: any[], inApi: boolean) => {
      for (const layer of stack) {
        if (layer.route && inApi) for (const m of Object.keys(layer.route.methods)) routes.push(`${m} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
        if (layer.handle?.stack) walk(layer.handle.stack, true);
      }
    };
    walk(app.router.stack, false);
    expect(routes.length).toBeGreaterThanOrEqual(13);
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      expect(doc.paths[path]?.[method], route).toBeTruthy();
    }
    // every operation answers something, and every $ref resolves
    const ops = Object.entries(doc.paths).flatMap(([, item]: [string, any]) => Object.values(item));
    for (const op of ops as any[]) expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
    const refs = [...res.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas[ref], ref).toBeTruthy();
    const params = doc.paths['/incidents'].get.parameters.map((p: any) => p.name).sort();
    expect(params).toEqual(['bbox', 'cursor', 'limit', 'scope', 'since', 'status']);
  });

  it('serves Prometheus text with the ingest counter', async () => {
    const res = await call(s, '/metrics', { cookie: cookies.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE pingan_ingest_events_total counter');
    const m = /^pingan_ingest_events_total\{result="accepted"\} (\d+)$/m.exec(res.text);
    expect(Number(m?.[1])).toBe(44);
  });
});
