// Reliability: /health, sessions, the durable Redis crashing under a running server (503 fast,
// no crash, nothing acknowledged lost), a clean restart of the whole stack, and a shutdown
// while Redis is down.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, durableClient, reportAt, sleep, walkLog } from '../helpers/requests.js';
import { DEMO_PASSWORD, INGEST_KEY, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let admin: string;
beforeAll(async () => {
  s = await startStack();
  admin = await s.login('admin');
});
afterAll(async () => {
  // a server whose close() hangs (see the last test) must not keep its Redis servers running
  await Promise.race([s?.stop(), sleep(5000)]);
  await Promise.all([s?.redis.stop(), s?.telemetry.stop()]).catch(() => undefined);
  rmSync(s.dataDir, { recursive: true, force: true });
});

/** Runs fn with a short-lived client of the durable Redis. */
async function withRedis<T>(fn: (r: ReturnType<typeof durableClient>) => Promise<T>): Promise<T> {
  const r = durableClient(s);
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/** Retries until `ok` or the deadline; returns the last answer. */
async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null as T);
    if ((v !== null && ok(v)) || Date.now() > deadline) return v;
    await sleep(200);
  }
}

const login = (username: string, password: string) => call(s, '/auth/login', { method: 'POST', body: { username, password } });

describe('GET /health', () => {
  it('is 200 ok with a workers field as soon as the server has started, with no worker running', async () => {
    const res = await call(s, '/health'); // a fresh server on a quiet log
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', redis: { ready: true }, telemetry: { ready: true }, workers: { alive: 0, lastSeenAt: null } });
    expect(typeof res.body.version).toBe('string');
  });

  it('counts workers by recent heartbeat, and never turns degraded for want of them', async () => {
    expect((await until(() => call(s, '/health'), (h) => h.status === 200)).status).toBe(200);
    const now = Date.now();
    await withRedis((r) => r.zadd('workers:heartbeat', now, 'w-live', now - 60_000, 'w-stale'));
    const res = await call(s, '/health');
    expect(res.status).toBe(200);
    expect(res.body.workers).toEqual({ alive: 1, lastSeenAt: new Date(now).toISOString() });
    await withRedis((r) => r.del('workers:heartbeat'));
    expect((await call(s, '/health')).body).toMatchObject({ status: 'ok', workers: { alive: 0 } });
  });
});

describe('sessions', () => {
  it('refuses a wrong password or an unknown user with 401 invalid_credentials and no cookie', async () => {
    for (const [u, p] of [['admin', 'wrong-password'], ['nobody-here', DEMO_PASSWORD]] as const) {
      const res = await login(u, p);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_credentials');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('sets an HttpOnly SameSite=Strict session cookie on login', async () => {
    const res = await login('coordinator', DEMO_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'coordinator', roles: ['coordinator'] });
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|argon2/);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^pingan_sid=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
  });

  it('invalidates the session on logout, and only that one', async () => {
    const a = await s.login('leader');
    const b = await s.login('leader');
    expect((await s.get('/me', a)).body.user.username).toBe('leader');
    const out = await call(s, '/auth/logout', { method: 'POST', cookie: a, headers: { origin: s.url } });
    expect(out.status).toBe(204);
    const me = await s.get('/me', a);
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('unauthorized');
    expect((await s.get('/incidents', a)).status).toBe(401);
    expect((await s.get('/me', b)).status).toBe(200);
  });
});

describe('the durable Redis crashes', () => {
  const accepted: { incidentId: string; seq: string }[] = [];

  it('answers 503 with Retry-After within 1 s, keeps running, and loses nothing acknowledged', async () => {
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 10 }, (_, i) => reportAt(`K-${b}-${i}`, 40 + b * 10 + i));
      const res = await s.ingest(batch);
      expect(res.status).toBe(202);
      res.body.accepted.forEach((a: any, i: number) => accepted.push({ incidentId: `K-${b}-${i}`, seq: a.seq }));
    }
    expect(accepted).toHaveLength(50);

    await s.redis.kill();
    const post = await call(s, '/events', {
      method: 'POST', body: [reportAt('K-lost', 5)],
      headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${INGEST_KEY}` },
    });
    expect(post.status).toBe(503);
    expect(post.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(post.ms).toBeLessThan(1000);
    const list = await call(s, '/incidents', { cookie: admin });
    expect(list.status).toBe(503);
    expect(list.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(list.ms).toBeLessThan(1000);
    const health = await call(s, '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', redis: { ready: false }, telemetry: { ready: true } });
    expect(health.ms).toBeLessThan(1500);

    // still serving (no crash, no hang) a little later
    await sleep(1500);
    for (const path of ['/incidents/K-0-0', '/log', '/units']) {
      const res = await call(s, path, { cookie: admin });
      expect(res.status, path).toBe(503);
      expect(res.ms).toBeLessThan(1000);
    }

    await s.redis.restart();
    const again = await until(() => s.ingest([reportAt('K-after', 6)]), (r) => r.status === 202);
    expect(again.status).toBe(202);
    expect(again.body.accepted).toHaveLength(1);
    // the server's log tail reconnects and catches up
    const caught = await until(() => call(s, '/health'), (h) => h.body?.tail?.headSeq === again.body.accepted[0].seq);
    expect(caught.body).toMatchObject({ status: 'ok', tail: { live: true, headSeq: again.body.accepted[0].seq } });
    for (const { incidentId } of accepted) {
      const res = await s.get(`/incidents/${incidentId}`, admin);
      expect(res.status, incidentId).toBe(200);
      expect(res.body.version).toBe(1);
    }
    const seqs = new Set((await walkLog(s, admin, 500)).items.map((e) => e.seq));
    for (const { seq } of accepted) expect(seqs.has(seq)).toBe(true);
    expect((await s.get('/incidents/K-lost', admin)).status).toBe(404);
  });
});

describe('a restart of the whole stack', () => {
  it('keeps incidents, the log, its epoch and sessions', async () => {
    const before = await withRedis(async (r) => ({ epoch: await r.get('log:epoch'), length: await r.xlen('log') }));
    expect(before.epoch).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    const log = (await walkLog(s, admin, 100)).items.map((e) => e.seq);
    expect(log.length).toBe(before.length);
    const incident = (await s.get('/incidents/K-4-9', admin)).body;

    await s.server.close();
    await s.redis.restart(); // clean SHUTDOWN, then the AOF is reloaded
    await s.restartServer();

    const after = await withRedis(async (r) => ({ epoch: await r.get('log:epoch'), length: await r.xlen('log') }));
    expect(after).toEqual(before);
    expect((await walkLog(s, admin, 100)).items.map((e) => e.seq)).toEqual(log);
    const again = await s.get('/incidents/K-4-9', admin);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...incident, asOfSeq: again.body.asOfSeq });
    expect(again.body.asOfSeq).toBe(log.at(-1));
    const list = await s.get('/incidents?limit=500', admin);
    expect(list.body.items).toHaveLength(51);
    const health = await until(() => call(s, '/health'), (h) => h.status === 200);
    expect(health.body).toMatchObject({ status: 'ok', workers: { alive: 0 } });
  });
});

describe('shutting down while the durable Redis is down', () => {
  it('closes the server within a few seconds', async () => {
    await s.redis.kill();
    await sleep(500); // the log tail is now between reconnect attempts
    const closed = await Promise.race([s.server.close().then(() => true), sleep(5000).then(() => false)]);
    expect(closed).toBe(true);
  });
});
