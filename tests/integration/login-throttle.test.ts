// Login throttling (DESIGN §11): growing delays per (account, address) from the 5th consecutive
// failure — 429 with Retry-After even for the right password — an account-wide lock only after
// 20 failures across addresses, lifted by an admin; every attempt audited with its address;
// meanwhile the same account from another address and other accounts sign in normally.
// Addresses come from X-Forwarded-For, which the app trusts from loopback proxies only.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, login, type Client } from '../helpers/auth.js';
import { demoTree } from '../helpers/geo.js';
import { durableClient, sleep } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

const PASSWORD = 'night-duty-password-1';
const WRONG = 'guessed-password-xx';
let s: Stack;
let r: Redis;
let admin: Client;

async function account(username: string): Promise<void> {
  const res = await admin.post('/admin/users', { username, displayName: username, roles: ['duty_officer'], scopes: [demoTree().cityId], password: PASSWORD });
  expect(res.status).toBe(201);
}

/** Audit records of login attempts on `username`, oldest first. */
async function loginRecords(username: string) {
  const entries = (await r.xrange('audit', '-', '+')) as [string, string[]][];
  return entries.map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!))
    .filter((x: any) => x.action === 'auth.login' && x.user === username) as { result: string; address: string; details?: any }[];
}

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  admin = await as(s, 'admin');
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

describe('per (account, address)', () => {
  it('lets 4 failures pass, then delays 1 s, 2 s, … answering 429 Retry-After even to the right password', async () => {
    await account('night-duty');
    const A = '203.0.113.7';
    for (let i = 1; i <= 5; i++) expect((await login(s, 'night-duty', WRONG, { address: A })).status, `failure ${i}`).toBe(401);
    const held = await login(s, 'night-duty', PASSWORD, { address: A });
    expect(held.status).toBe(429);
    expect(held.body.error.code).toBe('throttled');
    expect(held.headers.get('retry-after')).toBe('1');
    expect(held.headers.get('set-cookie')).toBeNull();

    // the same account from the duty room's address, and another account, are untouched
    const B = '198.51.100.20';
    expect((await login(s, 'night-duty', PASSWORD, { address: B })).status).toBe(200);
    expect((await login(s, 'leader', undefined, { address: A })).status).toBe(200);

    await sleep(1100);
    expect((await login(s, 'night-duty', WRONG, { address: A })).status).toBe(401); // the 6th failure: 2 s
    const longer = await login(s, 'night-duty', PASSWORD, { address: A });
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('2');
    await sleep(2100);
    expect((await login(s, 'night-duty', PASSWORD, { address: A })).status).toBe(200);
    // a success starts the count again
    expect((await login(s, 'night-duty', WRONG, { address: A })).status).toBe(401);
    expect((await login(s, 'night-duty', PASSWORD, { address: A })).status).toBe(200);

    const recs = await loginRecords('night-duty');
    expect(recs.map((x) => `${x.result}@${x.address}`)).toEqual([
      ...Array(5).fill(`failure@${A}`), `denied@${A}`, `success@${B}`, `failure@${A}`, `denied@${A}`, `success@${A}`, `failure@${A}`, `success@${A}`,
    ]);
    expect(recs[5]!.details).toMatchObject({ reason: 'throttled', retryAfter: 1 });
    expect(JSON.stringify(recs)).not.toContain(WRONG);
  });

  it('lets no parallel attempt slip past the delay', async () => {
    await account('parallel');
    const C = '203.0.113.9';
    for (let i = 0; i < 4; i++) expect((await login(s, 'parallel', WRONG, { address: C })).status).toBe(401);
    const burst = await Promise.all(Array.from({ length: 8 }, () => login(s, 'parallel', WRONG, { address: C })));
    const statuses = burst.map((b) => b.status).sort();
    expect(statuses).toEqual([401, 429, 429, 429, 429, 429, 429, 429]);
  });

  it('limits login requests per address before any password is checked (429 rate_limited)', async () => {
    const D = '203.0.113.11';
    const burst = await Promise.all(Array.from({ length: 25 }, () => login(s, 'nobody', '', { address: D })));
    const limited = burst.filter((b) => b.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body.error.code).toBe('rate_limited');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(burst.filter((b) => b.status === 400).length).toBeGreaterThan(0); // the rest reached validation
  });
});

describe('account-wide lock', () => {
  const addresses = (n: number) => Array.from({ length: n }, (_, i) => `192.0.2.${i + 1}`);

  it('is not reached by 19 failures across addresses: the officer still signs in', async () => {
    await account('duty-night');
    let n = 0;
    for (const a of addresses(5)) {
      for (let i = 0; i < 4 && n < 19; i++, n++) expect((await login(s, 'duty-night', WRONG, { address: a })).status).toBe(401);
    }
    expect((await login(s, 'duty-night', PASSWORD, { address: '198.51.100.1' })).status).toBe(200);
    expect((await admin.get('/admin/users')).body.items.find((u: any) => u.username === 'duty-night').locked).toBe(false);
  });

  it('locks after 20 failures across addresses — even the right password gets 403 account_locked — until an admin unlocks', async () => {
    await account('lock-me');
    for (const a of addresses(5)) for (let i = 0; i < 4; i++) expect((await login(s, 'lock-me', WRONG, { address: a })).status).toBe(401);
    const locked = await login(s, 'lock-me', PASSWORD, { address: '198.51.100.2' });
    expect(locked.status).toBe(403);
    expect(locked.body.error.code).toBe('account_locked');
    expect(locked.headers.get('set-cookie')).toBeNull();
    expect((await admin.get('/admin/users')).body.items.find((u: any) => u.username === 'lock-me').locked).toBe(true);
    // another account signs in meanwhile, from one of the attacker's addresses too
    expect((await login(s, 'coordinator', undefined, { address: '192.0.2.1' })).status).toBe(200);

    const recs = await loginRecords('lock-me');
    expect(recs).toHaveLength(21);
    expect(recs.slice(0, 20).every((x) => x.result === 'failure')).toBe(true);
    expect(recs[19]!.details).toMatchObject({ accountFailures: 20, locked: true });
    expect(recs[20]).toMatchObject({ result: 'denied', address: '198.51.100.2', details: { reason: 'locked' } });

    expect((await admin.post('/admin/users/lock-me/unlock')).status).toBe(204);
    expect((await login(s, 'lock-me', PASSWORD, { address: '198.51.100.2' })).status).toBe(200);
    expect((await admin.get('/admin/users')).body.items.find((u: any) => u.username === 'lock-me').locked).toBe(false);
    const unlocks = ((await r.xrange('audit', '-', '+')) as [string, string[]][]).map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!))
      .filter((x: any) => x.action === 'users.unlock');
    expect(unlocks).toEqual([expect.objectContaining({ user: 'admin', object: 'user:lock-me', result: 'success', details: { wasLocked: true } })]);
  });

  it('counts unknown usernames the same way (no difference to observe)', async () => {
    for (const a of addresses(5)) for (let i = 0; i < 4; i++) await login(s, 'ghost-user', WRONG, { address: `10.9.${a.split('.')[3]}.1` });
    const res = await login(s, 'ghost-user', WRONG, { address: '10.10.10.10' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('account_locked');
    expect(await r.ttl('login:lock:ghost-user')).toBeGreaterThan(0); // not forever: nobody could unlock it
    expect(await r.ttl('login:lock:lock-me')).toBe(-2);
  });
});
