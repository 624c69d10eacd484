// CSRF defence (DESIGN §11): SameSite=Strict plus an Origin check on cookie-authenticated writes —
// no Origin (nor Referer) or a foreign one answers 403 `csrf` (audited); our own origin and
// ALLOWED_ORIGINS pass; bearer-authenticated ingest and cookie-less login need none.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { call, durableClient, reportAt } from '../helpers/requests.js';
import { DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const CONSOLE = 'https://console.example';
let s: Stack;
let r: Redis;
let admin: Client;
beforeAll(async () => {
  s = await startStack({ ALLOWED_ORIGINS: CONSOLE });
  r = durableClient(s);
  admin = await as(s, 'admin');
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

const unlock = (headers: Record<string, string>, cookie = admin.cookie) => call(s, '/admin/users/duty/unlock', { method: 'POST', cookie, headers });

describe('cookie-authenticated writes', () => {
  it('refuse a missing or foreign Origin with 403 csrf, and audit it', async () => {
    const cases: Record<string, string>[] = [{}, { origin: 'https://evil.example' }, { origin: 'null' }, { origin: s.url.replace('127.0.0.1', 'localhost') }, { referer: 'https://evil.example/page' }];
    for (const headers of cases) {
      const res = await unlock(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error.code).toBe('csrf');
    }
    const recs = ((await r.xrange('audit', '-', '+')) as [string, string[]][]).map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!)).filter((x: any) => x.action === 'csrf');
    expect(recs.length).toBe(5);
    expect(recs[1]).toMatchObject({ user: 'admin', result: 'denied', details: { origin: 'https://evil.example' } });
    expect(recs.some((x: any) => x.action === 'users.unlock')).toBe(false);
  });

  it('pass with our own Origin, an ALLOWED_ORIGINS one, or (without Origin) our own Referer', async () => {
    expect((await unlock({ origin: s.url })).status).toBe(204);
    expect((await unlock({ origin: CONSOLE })).status).toBe(204);
    expect((await unlock({ referer: `${s.url}/admin` })).status).toBe(204);
  });

  it('logout too: without Origin the session survives', async () => {
    const c = await as(s, 'leader');
    expect((await call(s, '/auth/logout', { method: 'POST', cookie: c.cookie })).status).toBe(403);
    expect((await c.get('/me')).status).toBe(200);
    expect((await c.post('/auth/logout')).status).toBe(204);
    expect((await c.get('/me')).status).toBe(401);
  });

  it('reads need no Origin; bearer ingest and cookie-less login are exempt', async () => {
    expect((await call(s, '/me', { cookie: admin.cookie })).status).toBe(200);
    expect((await s.ingest([reportAt('CSRF-1', 3)])).status).toBe(202);
    const login = await call(s, '/auth/login', { method: 'POST', body: { username: 'duty', password: DEMO_PASSWORD } });
    expect(login.status).toBe(200);
  });

  it('keeps the security headers and CSP of DESIGN §9', async () => {
    const res = await call(s, '/health');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
