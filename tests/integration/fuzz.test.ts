// Property-based fuzzing (fast-check) of the ingest and login bodies against a real server
// (DESIGN §4, §11): arbitrary JSON, CloudEvent-shaped objects with fields of random types and
// lengths, huge strings, deep nesting, unicode, odd numbers, batches mixing valid and invalid
// events, wrong content types and encodings, invalid JSON text. Every answer is a structured error
// or a 202 of the documented shape — never a 500, never a hang — the server stays up, and nothing
// is stored for what was rejected (the log grows by exactly the accepted facts; no object, dedupe
// record or session exists that an accepted request did not create).
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../server/store/keys.js';
import { errorBodySchema, ingestResponseSchema } from '../../shared/api.js';
import { anythingAsJson, anyValue, bodyText, ingestBody, NEW_ID, Raw, weirdString, type EventEnv } from '../helpers/fuzz.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient } from '../helpers/requests.js';
import { ce, DEMO_PASSWORD, INGEST_KEY, startStack, type Stack } from '../helpers/stack.js';

const SEED = 4_242;
const TIMEOUT_MS = 10_000;
const INGEST_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json', 'application/json; charset=utf-8'];

let s: Stack;
let r: Redis;
let env: EventEnv;
let run = 0;
let ids = 0;
const fresh = () => `FZ-${run}-${++ids}`;
/** what was accepted, to check the store against at the end */
const created = { incidents: new Set<string>(['FZ-BASE']), units: new Set<string>(['FZ-UNIT']), sessions: 0 };

beforeAll(async () => {
  s = await startStack({ INGEST_RATE_REQUESTS: '100000' });
  r = durableClient(s);
  const grids = demoTree().idsAt('grid');
  env = {
    location: (k) => { const c = gridCenter(k % grids.length); return { lat: c.lat, lon: c.lon }; },
    grid: (k) => grids[k % grids.length]!, incident: 'FZ-BASE', unit: 'FZ-UNIT', district: demoTree().idsAt('district')[0]!,
    dispute: 'FZ-DISP', petition: 'FZ-PET', supervision: 'FZ-SUP',
  };
  const seed = [
    ce('incident.reported', { incidentId: 'FZ-BASE', category: 'theft', priority: 2, location: env.location(0) }), ce('unit.registered', { unitId: 'FZ-UNIT', homeGrid: env.grid(3) }),
    ce('dispute.registered', { disputeId: 'FZ-DISP', kind: 'neighbour', parties: ['a', 'b'], location: env.location(1) }),
    ce('petition.filed', { petitionId: 'FZ-PET', petitioner: 'pk-fz', location: env.location(2) }),
    ce('supervision.issued', { supervisionId: 'FZ-SUP', caseRef: 'FZ-DISP', instruction: 'i' }),
  ];
  expect((await s.ingest(seed)).status).toBe(202);
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

interface Answer { status: number; body: any; text: string; headers: Headers }

/** A POST with a deadline: a hang fails the property instead of the file. */
async function post(path: string, body: string | Uint8Array<ArrayBuffer> | undefined, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${s.url}/api/v1${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  let parsed: unknown = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* checked below */ }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Answers seen per status and error code, per property (each property checks it reached what it aimed at). */
let seen = new Map<string, number>();
const tally = (a: Answer) => {
  const k = `${a.status} ${a.body?.error?.code ?? ''}`.trim();
  seen.set(k, (seen.get(k) ?? 0) + 1);
};
const count = (k: string) => seen.get(k) ?? 0;

/** A documented answer: 2xx of the given statuses, or a structured error; never a 5xx. */
function structured(a: Answer, allowed: number[]): void {
  tally(a);
  expect(allowed, `status ${a.status}: ${a.text.slice(0, 300)}`).toContain(a.status);
  expect(a.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  if (a.status >= 300) {
    expect(errorBodySchema.safeParse(a.body).success, a.text.slice(0, 300)).toBe(true);
    expect(a.body.error.code).toMatch(/^[a-z_]+$/);
    expect(a.body.error.message.length).toBeGreaterThan(0);
    if (a.status === 429) expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
  }
}

function fieldErrorsOk(rejected: { errors: { path: string; code: string; message: string }[] }[]): void {
  for (const x of rejected) {
    expect(x.errors.length).toBeGreaterThan(0);
    for (const e of x.errors) for (const f of [e.path, e.code, e.message]) expect(f.length).toBeGreaterThan(0);
  }
}

const INGEST_STATUSES = [202, 400, 401, 403, 413, 415];

/**
 * Sends one ingest request and checks the answer and the store: the log grows by the accepted
 * facts; a rejected event with a fresh id left no dedupe record and, for a fresh incident, no object.
 */
async function ingestChecked(text: string | undefined, headers: Record<string, string>, raw: Uint8Array<ArrayBuffer> | string | undefined = text): Promise<void> {
  const before = await r.xlen(keys.log);
  const a = await post('/events', raw, headers);
  structured(a, INGEST_STATUSES);
  const grown = (await r.xlen(keys.log)) - before;
  let events: unknown[] | null = null;
  try { const b: unknown = text === undefined ? null : JSON.parse(text); events = Array.isArray(b) ? b : [b]; } catch { /* not JSON: nothing can be stored */ }
  if (a.status !== 202) {
    expect(grown).toBe(0);
    if (a.status === 400 && a.body.error.code === 'invalid_events') fieldErrorsOk(a.body.error.details.rejected);
  } else {
    expect(ingestResponseSchema.safeParse(a.body).success, a.text.slice(0, 300)).toBe(true);
    const { accepted, duplicates, rejected } = a.body as { accepted: { id: string; seq: string | null }[]; duplicates: unknown[]; rejected: { index: number; errors: any[] }[] };
    expect(accepted.length + duplicates.length).toBeGreaterThan(0);
    expect(accepted.length + duplicates.length + rejected.length).toBe(events!.length);
    fieldErrorsOk(rejected);
    expect(grown).toBe(accepted.filter((x) => x.seq !== null).length);
  }
  if (!events) return;
  const rejectedAt = new Set<number>(a.status === 202 ? a.body.rejected.map((x: { index: number }) => x.index) : events.map((_, i) => i));
  const acceptedSeq = new Map<string, string | null>(a.status === 202 ? a.body.accepted.map((x: { id: string; seq: string | null }) => [x.id, x.seq]) : []);
  for (const [i, ev] of events.entries()) {
    const e = ev as { id?: unknown; source?: unknown; type?: unknown; data?: { incidentId?: unknown; unitId?: unknown } } | null;
    const isFresh = (v: unknown): v is string => typeof v === 'string' && v.startsWith(`FZ-${run}-`);
    if (!e || typeof e !== 'object') continue;
    if (rejectedAt.has(i)) {
      if (isFresh(e.id) && typeof e.source === 'string') expect(await r.exists(keys.dedupe(e.source, e.id)), `dedupe of rejected ${e.id}`).toBe(0);
      if (isFresh(e.data?.incidentId)) expect(await r.exists(keys.object('incident', e.data.incidentId)), `rejected ${e.data.incidentId}`).toBe(0);
      if (isFresh(e.data?.unitId)) expect(await r.exists(keys.object('unit', e.data.unitId))).toBe(0);
      continue;
    }
    // accepted or duplicate: a fresh id cannot be a duplicate
    if (isFresh(e.id)) expect(acceptedSeq.get(e.id) === null).toBe(e.type === 'unit.position');
    if (e.type === 'incident.reported' && typeof e.data?.incidentId === 'string') created.incidents.add(e.data.incidentId);
    if (e.type === 'unit.registered' && typeof e.data?.unitId === 'string') created.units.add(e.data.unitId);
  }
}

async function assertProperty<T>(arb: fc.Arbitrary<T>, numRuns: number, body: (v: T) => Promise<void>): Promise<void> {
  seen = new Map();
  await fc.assert(fc.asyncProperty(arb, async (v) => { run += 1; await body(v); }), { seed: SEED, numRuns });
}

/** The property reached each of these answers at least `min` times (it is not vacuous). */
function reached(min: number, ...answers: string[]): void {
  for (const k of answers) expect(count(k), `${k} in ${JSON.stringify([...seen])}`).toBeGreaterThanOrEqual(min);
}

/** The server is still up and answering. */
async function healthy(): Promise<void> {
  const h = await fetch(`${s.url}/api/v1/health`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  expect(h.status).toBe(200);
}

const auth = { authorization: `Bearer ${INGEST_KEY}` };

describe('POST /events under fuzzing', () => {
  it('arbitrary JSON values (fc.jsonValue, fc.anything as JSON, weird values) in every accepted content type', async () => {
    await assertProperty(fc.tuple(fc.oneof(fc.jsonValue(), anythingAsJson, anyValue), fc.constantFrom(...INGEST_TYPES)), 300, async ([v, type]) => {
      const text = bodyText(v, fresh);
      await ingestChecked(text, { ...auth, 'content-type': type });
    });
    reached(250, '400 invalid_events');
    await healthy();
  }, 60_000);

  it('CloudEvent-shaped objects and batches mixing valid and invalid events', async () => {
    let accepted = 0;
    await assertProperty(fc.tuple(ingestBody(env), fc.constantFrom(...INGEST_TYPES)), 400, async ([v, type]) => {
      const before = await r.xlen(keys.log);
      await ingestChecked(bodyText(v, fresh), { ...auth, 'content-type': type });
      accepted += (await r.xlen(keys.log)) - before;
    });
    // the fuzzing got past validation into the reducer and the store, not only into the 400s
    expect(accepted).toBeGreaterThan(300);
    reached(150, '202');
    reached(50, '400 invalid_events');
    reached(1, '413 payload_too_large');
    await healthy();
  }, 60_000);

  it('wrong content types, encodings, keys and invalid JSON text', async () => {
    const valid = () => JSON.stringify([{ specversion: '1.0', id: NEW_ID, source: 'fuzz/raw', type: 'incident.reported', data: { incidentId: NEW_ID, category: 'theft', priority: 1, location: env.location(7) } }]);
    const text = fc.oneof(
      fc.constant('VALID'), fc.string({ unit: 'binary', maxLength: 60 }), weirdString,
      fc.constantFrom('', '{', '[', '[1,', '{"a":}', 'nul', 'tru', '\ufeff[]', '[] []', '{"specversion":"1.0",}', '/* c */ []', 'NaN', '[Infinity]', '"\\ud800"', '{"a":1e999}'),
      fc.nat(400).map((n) => `TRUNC:${n}`),
    );
    const type = fc.constantFrom(...INGEST_TYPES, 'text/plain', '', 'application/xml', 'application/json; charset=latin1', 'application/json; charset=utf-16',
      'application/cloudevents+json; charset=koi8-r', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', 'application/json;;;');
    const encoding = fc.constantFrom(undefined, undefined, undefined, 'identity', 'gzip', 'gzip-real', 'deflate', 'br', 'x-unknown', 'gzip, gzip');
    const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(`Bearer ${INGEST_KEY}`, `bearer  ${INGEST_KEY}`) },
      fc.constantFrom(undefined, 'Bearer wrong-key', `Basic ${INGEST_KEY}`, 'Bearer', `Bearer ${INGEST_KEY} x`));
    await assertProperty(fc.record({ text, type, encoding, key, ce: fc.boolean() }), 300, async (p) => {
      const body = p.text === 'VALID' ? bodyText(JSON.parse(valid()), fresh)! : p.text.startsWith('TRUNC:') ? bodyText(JSON.parse(valid()), fresh)!.slice(0, Number(p.text.slice(6)) % 150) : p.text;
      const headers: Record<string, string> = {};
      if (p.key !== undefined) headers.authorization = p.key;
      if (p.type) headers['content-type'] = p.type;
      if (p.ce) headers['ce-specversion'] = '1.0';
      if (p.encoding) headers['content-encoding'] = p.encoding === 'gzip-real' ? 'gzip' : p.encoding;
      await ingestChecked(body, headers, p.encoding === 'gzip-real' ? new Uint8Array(gzipSync(body)) : body);
    });
    reached(5, '202', '400 invalid_body', '400 invalid_json', '401 unauthorized', '415 unsupported_media_type');
    await healthy();
  }, 60_000);
});

describe('POST /auth/login under fuzzing', () => {
  it('arbitrary and login-shaped bodies, content types and origins: structured answers, sessions only for right passwords', async () => {
    const fields = {
      username: fc.oneof(weirdString, fc.constantFrom('duty', 'leader', 'nobody', 'duty ', 'DUTY', '管理员')),
      password: fc.oneof(weirdString, fc.constant(DEMO_PASSWORD), fc.string({ minLength: 1, maxLength: 1024 })),
      kiosk: fc.oneof({ weight: 3, arbitrary: fc.boolean() }, anyValue),
      extra: anyValue,
    };
    const shaped = fc.oneof({ weight: 3, arbitrary: fc.record(fields, { requiredKeys: ['username', 'password'] }) }, fc.record(fields, { requiredKeys: [] }));
    const body = fc.oneof({ weight: 6, arbitrary: shaped }, fc.jsonValue(), anythingAsJson, anyValue, fc.constantFrom('{', '{"username":', '{"username":"duty","password":1e999}', `"${'x'.repeat(70_000)}"`).map((t) => new Raw(t, t.slice(0, 40))));
    const type = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
      fc.constantFrom('text/plain', '', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/cloudevents+json'));
    const origin = fc.constantFrom(undefined, 'SELF', 'http://evil.example', 'null');
    const encoding = fc.constantFrom(undefined, undefined, undefined, undefined, 'gzip', 'x-unknown');
    let ok = 0;
    await assertProperty(fc.record({ body, type, origin, encoding }), 300, async (p) => {
      const text = bodyText(p.body, fresh);
      // a fresh address each run: the per-address flood limit (10/s) and throttling stay out of the way
      const headers: Record<string, string> = { 'x-forwarded-for': `10.${(run >> 16) & 255}.${(run >> 8) & 255}.${run & 255}` };
      if (p.type) headers['content-type'] = p.type;
      if (p.origin) headers.origin = p.origin === 'SELF' ? s.url : p.origin;
      if (p.encoding) headers['content-encoding'] = p.encoding;
      const a = await post('/auth/login', text, headers);
      structured(a, [200, 400, 401, 403, 413, 415, 429]);
      if (a.status === 200) {
        ok += 1;
        expect(a.body.user.username).toBe((p.body as { username: string }).username);
        expect(a.headers.get('set-cookie')).toMatch(/^pingan_sid=.+HttpOnly.*SameSite=Strict/i);
      } else {
        expect(a.headers.get('set-cookie')).toBeNull();
      }
    });
    created.sessions += ok;
    reached(3, '200');
    reached(30, '401 invalid_credentials');
    reached(10, '400 invalid_request', '400 invalid_json', '400 invalid_body', '413 payload_too_large', '415 unsupported_media_type');
    await healthy();
  }, 60_000);
});

describe('the store after fuzzing', () => {
  /** Every key matching `pattern` on the test's own Redis (SCAN is fine here, never in product code). */
  async function scanAll(pattern: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      out.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return out;
  }

  it('holds exactly what was accepted: one dedupe record per log entry, objects only for accepted reports, sessions only for successful logins', async () => {
    expect(await scanAll('dd:*')).toHaveLength(await r.xlen(keys.log));
    for (const k of await scanAll('obj:incident:*')) expect(created.incidents.has(k.slice('obj:incident:'.length)), k).toBe(true);
    for (const k of await scanAll('obj:unit:*')) expect(created.units.has(k.slice('obj:unit:'.length)), k).toBe(true);
    expect(await scanAll('sess:*')).toHaveLength(created.sessions);
  });
});
