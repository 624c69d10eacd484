// The audit trail on a whole server: a scripted scenario leaves exactly the expected records,
// concurrent appends keep one valid chain, GET /audit pages newest first for admins and
// auditors only, GET /audit/verify, and the retention floor. Tampering: audit-tamper.test.ts.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditVerifySchema } from '../../server/audit/openapi.js';
import { RedisAudit, verifyChain } from '../../server/audit/trail.js';
import { ConfigError, parseConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { commandConnection } from '../../server/redis/connections.js';
import type { ScriptedRedis } from '../../server/store/scripts.js';
import { auditPageSchema, auditRecordSchema, type AuditRecord } from '../../shared/api.js';
import { compareSeq } from '../../shared/seq.js';
import { call, durableClient, ingestOk, reportAt } from '../helpers/requests.js';
import { DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
const cookies: Record<string, string> = {};
const REPORTER = { name: '张三丰', phone: '13812345678', idNumber: '110101199003071234' };
const WRONG = 'wrong-password-42';

/** Every record after `after` (a stream id), oldest first, straight from Redis. */
async function recordsAfter(after = '0-0'): Promise<AuditRecord[]> {
  const entries = (await r.xrange('audit', `(${after}`, '+')) as [string, string[]][];
  return entries.map(([id, f]) => auditRecordSchema.parse({ id, ...JSON.parse(f[f.indexOf('r') + 1]!) }));
}
const lastId = async () => ((await r.xrevrange('audit', '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0';

const post = (path: string, body: unknown, cookie?: string) =>
  call(s, path, { method: 'POST', body, cookie, headers: { origin: s.url } });

async function loginAs(username: string, password: string) {
  const res = await post('/auth/login', { username, password });
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null };
}

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  for (const u of ['admin', 'auditor', 'duty']) cookies[u] = await s.login(u);
  await ingestOk(s, [reportAt('AU-1', 10, { reporter: REPORTER }), reportAt('AU-2', 20, { reporter: { phone: '13900000000' } }), reportAt('AU-3', 30)]);
  // a disabled account with the demo password: its login is denied, not failed
  const leader = JSON.parse((await r.get('user:leader'))!) as Record<string, unknown>;
  await r.set('user:leader-off', JSON.stringify({ ...leader, id: 'leader-off-id', username: 'leader-off', disabled: true }));
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

describe('what is recorded', () => {
  it('records a scripted scenario exactly, in order, with results and the address, never a password', async () => {
    const before = await lastId();
    expect((await loginAs('coordinator', WRONG)).status).toBe(401);
    expect((await loginAs('nobody-here', WRONG)).status).toBe(401);
    expect((await loginAs('leader-off', DEMO_PASSWORD)).status).toBe(401);
    const { status, cookie } = await loginAs('coordinator', DEMO_PASSWORD);
    expect(status).toBe(200);
    const one = await s.get('/incidents/AU-1', cookie!);
    expect(one.body.reporter).toEqual(REPORTER);
    const list = await s.get('/incidents?limit=500', cookie!);
    expect(list.body.items).toHaveLength(3);
    expect((await s.get('/incidents/AU-3', cookie!)).status).toBe(200); // no reporter data: nothing to record
    const masked = await s.get('/incidents/AU-1', cookies.duty!); // masked for a duty officer: nothing to record
    expect(masked.body.reporter.phone).toBe('138****5678');
    expect((await post('/auth/logout', {}, cookie!)).status).toBe(204);

    const recs = await recordsAfter(before);
    expect(recs.map((x) => [x.action, x.user, x.role, x.result, x.object])).toEqual([
      ['auth.login', 'coordinator', 'coordinator', 'failure', 'coordinator'],
      ['auth.login', 'nobody-here', null, 'failure', 'nobody-here'],
      ['auth.login', 'leader-off', 'leader', 'denied', 'leader-off'],
      ['auth.login', 'coordinator', 'coordinator', 'success', 'coordinator'],
      ['reporter.read', 'coordinator', 'coordinator', 'success', 'AU-1'],
      ['reporter.read', 'coordinator', 'coordinator', 'success', expect.any(String)],
      ['auth.logout', 'coordinator', 'coordinator', 'success', 'coordinator'],
    ]);
    expect(recs.map((x) => x.details?.reason)).toEqual(['wrong_password', 'unknown_user', 'disabled', undefined, undefined, undefined, undefined]);
    expect(recs[5]!.object!.split(',').sort()).toEqual(['AU-1', 'AU-2']); // one record for the whole list
    expect(recs[5]!.details).toMatchObject({ count: 2 });
    for (const x of recs) {
      expect(x.address).toBe('127.0.0.1');
      expect(Date.parse(x.time)).toBeGreaterThan(Date.now() - 60_000);
      expect(x.time.endsWith('Z')).toBe(true);
    }
    const all = JSON.stringify(await recordsAfter());
    expect(all).not.toContain(WRONG);
    expect(all).not.toContain(DEMO_PASSWORD);
    expect(all).not.toContain(REPORTER.phone); // records name incidents, never the personal data itself
  });

  it('records an unmasked reporter read from GET /log once per request', async () => {
    const before = await lastId();
    const c = await s.login('coordinator');
    const log = await s.get('/log?limit=500', c);
    expect(log.status).toBe(200);
    const reads = (await recordsAfter(before)).filter((x) => x.action === 'reporter.read');
    expect(reads).toHaveLength(1);
    expect(reads[0]!.object!.split(',').sort()).toEqual(['AU-1', 'AU-2']);
    await s.get('/log?limit=500', cookies.duty!);
    expect((await recordsAfter(before)).filter((x) => x.action === 'reporter.read')).toHaveLength(1);
  });
});

describe('the chain under concurrency', () => {
  it('keeps one valid chain through 50 concurrent appends from 5 writers', async () => {
    const conns: ScriptedRedis[] = Array.from({ length: 5 }, () => commandConnection(s.redis.url, 'audit-test'));
    try {
      await Promise.all(conns.map((c) => new Promise<void>((res) => (c.status === 'ready' ? res() : c.once('ready', () => res())))));
      const writers = conns.map((c) => new RedisAudit(c, { retentionDays: 180, log: createLogger('silent') }));
      const before = await lastId();
      const stored = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        writers[i % 5]!.recordOrThrow({ user: 'load', role: null, action: 'test.append', object: `n-${i}`, result: 'success', address: null })));
      const recs = await recordsAfter(before);
      expect(recs).toHaveLength(50);
      expect(new Set(recs.map((x) => x.object)).size).toBe(50);
      expect(stored.map((x) => x.id).sort(compareSeq)).toEqual(recs.map((x) => x.id));
      const everyPrev = (await recordsAfter()).map((x) => x.prevHash);
      expect(new Set(everyPrev).size).toBe(everyPrev.length); // no two records link to the same one
      const v = await verifyChain(r);
      expect(v).toMatchObject({ ok: true, checked: everyPrev.length, start: 'genesis' });
      expect(v.head).toBe(await r.get('audit:head'));
      expect(writers.reduce((n, w) => n + w.conflicts, 0)).toBeGreaterThan(0); // the writers did race
    } finally {
      for (const c of conns) c.disconnect();
    }
  });
});

describe('GET /audit and GET /audit/verify', () => {
  it('answers 403 forbidden for roles without audit.read, before validating the query', async () => {
    const coordinator = await s.login('coordinator');
    for (const c of [cookies.duty!, coordinator]) {
      for (const path of ['/audit', '/audit/verify', '/audit?limit=abc']) {
        const res = await s.get(path, c);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    expect((await s.get('/audit', '')).status).toBe(401);
  });

  it('answers admins and auditors; 400 for a bad limit or cursor', async () => {
    for (const u of ['admin', 'auditor']) {
      const res = await s.get('/audit', cookies[u]!);
      expect(res.status).toBe(200);
      auditPageSchema.parse(res.body);
      expect(res.body.items.length).toBeGreaterThan(0);
    }
    expect((await s.get('/audit?limit=abc', cookies.admin!)).status).toBe(400);
    const bad = await s.get('/audit?cursor=not-an-id', cookies.auditor!);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect((await s.get('/audit?limit=100000', cookies.admin!)).status).toBe(200); // clamped, never an error
  });

  it('pages newest first through nextCursor without gaps or repeats', async () => {
    const all = ((await r.xrevrange('audit', '+', '-')) as [string, string[]][]).map(([id]) => id);
    expect(all.length).toBeGreaterThan(60);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const res = await s.get(`/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`, cookies.auditor!);
      expect(res.status).toBe(200);
      const page = auditPageSchema.parse(res.body);
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((x) => x.id));
      if (page.nextCursor === null) break;
      expect(page.nextCursor).toBe(page.items[page.items.length - 1]!.id);
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all);
    for (let i = 1; i < seen.length; i++) expect(compareSeq(seen[i - 1]!, seen[i]!)).toBe(1);
    const newest = auditPageSchema.parse((await s.get('/audit?limit=1', cookies.admin!)).body).items[0]!;
    expect(newest.id).toBe(all[0]);
    expect(Object.keys(newest)).toEqual(expect.arrayContaining(['id', 'time', 'user', 'role', 'action', 'object', 'result', 'address', 'prevHash']));
  });

  it('verifies the chain for admins and auditors, and records that it did', async () => {
    const before = await lastId();
    const n = await r.xlen('audit');
    const res = await s.get('/audit/verify', cookies.auditor!);
    expect(res.status).toBe(200);
    expect(auditVerifySchema.parse(res.body)).toMatchObject({ ok: true, checked: n, start: 'genesis', lastId: before, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const recs = await recordsAfter(before);
    expect(recs.map((x) => [x.action, x.user, x.role, x.result])).toEqual([['audit.verify', 'auditor', 'auditor', 'success']]);
    expect(recs[0]!.details).toMatchObject({ ok: true });
    expect((await s.get('/audit/verify', cookies.admin!)).body.ok).toBe(true);
  });
});

describe('retention', () => {
  const env = { REDIS_URL: 'redis://127.0.0.1:6390' };

  it('defaults to 180 days and refuses anything shorter, naming the variable', () => {
    expect(parseConfig(env).AUDIT_RETENTION_DAYS).toBe(180);
    expect(parseConfig({ ...env, AUDIT_RETENTION_DAYS: '365' }).AUDIT_RETENTION_DAYS).toBe(365);
    for (const bad of ['179', '0', '-5', 'half-a-year']) {
      let err: unknown;
      try {
        parseConfig({ ...env, AUDIT_RETENTION_DAYS: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.some((p) => p.startsWith('AUDIT_RETENTION_DAYS:'))).toBe(true);
    }
  });
});
