// /admin/users: create, list, change, passwords, force logout, unlock — every action audited; force
// logout, disabling and role or scope changes reach the user's sockets on every instance; kiosk
// sessions, idle and absolute timeouts checked on the session records.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/runtime.js';
import { adminUserSchema } from '../../shared/api.js';
import { as, cookieOf, clientFor, liveSocket, login, type Client } from '../helpers/auth.js';
import { demoTree } from '../helpers/geo.js';
import { until } from '../helpers/live-client.js';
import { D2, D3 } from '../helpers/live-data.js';
import { durableClient } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

const PASSWORD = 'first-password-1';
const CITY = demoTree().cityId;
let s: Stack;
let r: Redis;
let admin: Client;
let extra: RunningServer;
const sockets: { socket: { close(): void } }[] = [];

const newUser = (username: string, over: Record<string, unknown> = {}) =>
  admin.post('/admin/users', { username, displayName: `名 ${username}`, roles: ['duty_officer'], scopes: [CITY], password: PASSWORD, ...over });
const auditOf = async (action: string) => ((await r.xrange('audit', '-', '+')) as [string, string[]][])
  .map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!)).filter((x: any) => x.action === action);
const live = async (url: string, cookie: string) => {
  const l = await liveSocket(url, { cookie });
  sockets.push(l);
  expect(l.errors).toEqual([]);
  return l;
};

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  admin = await as(s, 'admin');
  extra = await s.startExtraServer();
});
afterAll(async () => {
  for (const l of sockets) l.socket.close();
  r?.disconnect();
  await s?.stop();
});

describe('CRUD', () => {
  it('creates a user (201), lists it, refuses duplicates (409) and unknown scopes or roles (400 naming the field)', async () => {
    const res = await newUser('crud-1', { roles: ['coordinator', 'leader'], scopes: [D2, D3] });
    expect(res.status).toBe(201);
    const u = adminUserSchema.parse(res.body.user);
    expect(u).toMatchObject({ username: 'crud-1', displayName: '名 crud-1', roles: ['coordinator', 'leader'], scopes: [D2, D3], disabled: false, locked: false });
    expect(Date.parse(u.createdAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(res.text).not.toMatch(/passwordHash|argon2|first-password/);
    const listed = (await admin.get('/admin/users')).body.items;
    expect(listed.find((x: any) => x.username === 'crud-1')).toEqual(u);
    for (const x of listed) adminUserSchema.parse(x);
    expect(listed.some((x: any) => 'passwordHash' in x)).toBe(false);

    expect((await newUser('crud-1')).status).toBe(409);
    const badScope = await newUser('crud-2', { scopes: [D2, 'no-such-place'] });
    expect(badScope.status).toBe(400);
    expect(badScope.body.error.details.errors).toEqual([expect.objectContaining({ path: 'scopes.1', code: 'unknown_jurisdiction' })]);
    const bad = await newUser('x', { roles: ['superuser'], password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors.map((e: any) => e.path).sort()).toEqual(['password', 'roles.0', 'username']);
    expect((await admin.patch('/admin/users/crud-1', { scopes: ['nowhere'] })).body.error.details.errors[0].path).toBe('scopes.0');
    expect((await admin.patch('/admin/users/nobody-here', { displayName: 'x' })).status).toBe(404);
  });

  it('changes a display name, sets a password (old sessions end), disables and enables', async () => {
    await newUser('crud-3');
    const user = await as(s, 'crud-3', { password: PASSWORD });
    const patched = await admin.patch('/admin/users/crud-3', { displayName: '新名字' });
    expect(patched.status).toBe(200);
    expect(patched.body.user.displayName).toBe('新名字');
    expect((await user.get('/me')).body.user.displayName).toBe('新名字');

    expect((await admin.post('/admin/users/crud-3/password', { password: 'second-password-2' })).status).toBe(204);
    expect((await user.get('/me')).status).toBe(401);
    expect((await login(s, 'crud-3', PASSWORD)).status).toBe(401);
    const again = await as(s, 'crud-3', { password: 'second-password-2' });

    expect((await admin.patch('/admin/users/crud-3', { disabled: true })).body.user.disabled).toBe(true);
    expect((await again.get('/me')).status).toBe(401);
    expect((await login(s, 'crud-3', 'second-password-2')).status).toBe(401);
    expect((await admin.patch('/admin/users/crud-3', { disabled: false })).status).toBe(200);
    expect((await login(s, 'crud-3', 'second-password-2')).status).toBe(200);
  });

  it('refuses to leave no enabled administrator (409 last_admin)', async () => {
    const res = await admin.patch('/admin/users/admin', { roles: ['leader'] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('last_admin');
    expect((await admin.patch('/admin/users/admin', { disabled: true })).status).toBe(409);
    await newUser('admin-2', { roles: ['admin'] });
    const second = await as(s, 'admin-2', { password: PASSWORD });
    expect((await second.patch('/admin/users/admin-2', { roles: ['admin', 'leader'] })).status).toBe(200);
  });

  it('audits every action with the admin, the object and the result, never a password', async () => {
    const creates = await auditOf('users.create');
    expect(creates.find((x: any) => x.object === 'user:crud-1')).toMatchObject({ user: 'admin', role: 'admin', result: 'success', address: '127.0.0.1' });
    expect(creates.filter((x: any) => x.object === 'user:crud-1').map((x: any) => x.result)).toEqual(['success', 'failure']);
    expect((await auditOf('users.password')).map((x: any) => [x.object, x.result])).toContainEqual(['user:crud-3', 'success']);
    expect((await auditOf('users.update')).some((x: any) => x.object === 'user:crud-3' && x.details.changed.disabled === true)).toBe(true);
    expect((await auditOf('users.update')).some((x: any) => x.object === 'user:admin' && x.result === 'failure' && x.details.code === 'last_admin')).toBe(true);
    const all = JSON.stringify(await r.xrange('audit', '-', '+'));
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('second-password-2');
  });
});

describe('revocation reaches every instance', () => {
  it('force logout ends every session and disconnects the user\'s sockets on two instances within 5 s', async () => {
    await newUser('fl-user');
    const one = await as(s, 'fl-user', { password: PASSWORD });
    const two = await as(s, 'fl-user', { password: PASSWORD });
    const bystander = await as(s, 'duty');
    const here = await live(s.url, one.cookie);
    const there = await live(extra.url, two.cookie);
    const other = await live(extra.url, bystander.cookie);
    const started = Date.now();
    expect((await admin.post('/admin/users/fl-user/logout')).status).toBe(204);
    await until(() => !here.socket.connected && !there.socket.connected, 5000, 'both sockets to go');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(there.disconnects).toEqual(['io server disconnect']);
    expect((await one.get('/me')).status).toBe(401);
    expect((await two.get('/me')).status).toBe(401);
    expect(await r.scard(`user:sessions:${one.user.id}`)).toBe(0);
    expect(other.socket.connected).toBe(true);
    expect((await bystander.get('/me')).status).toBe(200);
    const again = await liveSocket(extra.url, { cookie: one.cookie });
    expect(again.errors.map((e) => e.code)).toEqual(['unauthorized']);
  });

  it('disabling disconnects at once too', async () => {
    await newUser('dis-user');
    const u = await as(s, 'dis-user', { password: PASSWORD });
    const sock = await live(extra.url, u.cookie);
    expect((await admin.patch('/admin/users/dis-user', { disabled: true })).status).toBe(200);
    await until(() => !sock.socket.connected, 5000, 'the socket to go');
  });

  it('a change of scopes or roles disconnects; the new handshake carries them (and the session stays)', async () => {
    await newUser('scope-user', { scopes: [D2] });
    const u = await as(s, 'scope-user', { password: PASSWORD });
    const sock = await live(extra.url, u.cookie);
    expect(sock.hello.scopes).toEqual([D2]);
    expect((await admin.patch('/admin/users/scope-user', { scopes: [D3] })).status).toBe(200);
    await until(() => !sock.socket.connected, 5000, 'the socket to go');
    const next = await live(extra.url, u.cookie);
    expect(next.hello.scopes).toEqual([D3]);
    expect((await u.get('/me')).body.user.scopes).toEqual([D3]);
    // the same display name is no reason to reconnect
    expect((await admin.patch('/admin/users/scope-user', { displayName: 'x', scopes: [D3] })).status).toBe(200);
    expect((await admin.patch('/admin/users/scope-user', { roles: ['coordinator'] })).status).toBe(200);
    await until(() => !next.socket.connected, 5000, 'the socket to go after a role change');
    expect((await live(s.url, u.cookie)).hello.user.roles).toEqual(['coordinator']);
  });

  it('a user\'s own logout ends that session only and disconnects its sockets', async () => {
    const a = await as(s, 'leader');
    const b = await as(s, 'leader');
    const sa = await live(extra.url, a.cookie);
    const sb = await live(extra.url, b.cookie);
    expect((await a.post('/auth/logout')).status).toBe(204);
    await until(() => !sa.socket.connected, 5000, 'the logged-out socket to go');
    expect(sb.socket.connected).toBe(true);
    expect((await b.get('/me')).status).toBe(200);
  });
});

describe('sessions', () => {
  const record = async (cookie: string) => JSON.parse((await r.get(`sess:${cookie.split('=')[1]}`))!);

  it('kiosk sessions: duty officers and leaders only; no idle timeout, 30 days absolute', async () => {
    for (const u of ['coordinator', 'admin', 'auditor']) {
      const res = await login(s, u, undefined, { kiosk: true });
      expect(res.status, u).toBe(403);
      expect(res.body.error.code).toBe('kiosk_not_allowed');
    }
    const res = await login(s, 'duty', undefined, { kiosk: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/Max-Age=2592000/);
    const cookie = cookieOf(res)!;
    const sid = cookie.split('=')[1]!;
    const rec = await record(cookie);
    expect(rec.kiosk).toBe(true);
    expect(rec.expiresAt - rec.createdAt).toBe(30 * 24 * 3600 * 1000);
    expect(await r.ttl(`sess:${sid}`)).toBeGreaterThan(29 * 24 * 3600);
    // idle for longer than 30 minutes: still signed in, and a request does not shorten it to 30 minutes
    await r.set(`sess:${sid}`, JSON.stringify({ ...rec, createdAt: rec.createdAt - 31 * 60_000 }), 'KEEPTTL');
    const kiosk = clientFor(s, cookie);
    expect((await kiosk.get('/incidents')).status).toBe(200);
    expect(await r.ttl(`sess:${sid}`)).toBeGreaterThan(29 * 24 * 3600);
    expect((await liveSocket(s.url, { cookie })).hello.user.username).toBe('duty');
    // and it too ends at its absolute end
    await r.set(`sess:${sid}`, JSON.stringify({ ...rec, expiresAt: Date.now() - 1 }), 'KEEPTTL');
    expect((await kiosk.get('/me')).status).toBe(401);
    expect(await r.exists(`sess:${sid}`)).toBe(0);
  });

  it('ordinary sessions: 30 minutes idle (renewed by use), 12 hours absolute', async () => {
    const c = await as(s, 'coordinator');
    const sid = c.cookie.split('=')[1]!;
    const rec = await record(c.cookie);
    expect(rec.kiosk).toBeUndefined();
    expect(rec.expiresAt - rec.createdAt).toBe(12 * 3600 * 1000);
    expect(await r.ttl(`sess:${sid}`)).toBeLessThanOrEqual(1800);
    await r.expire(`sess:${sid}`, 5);
    expect((await c.get('/me')).status).toBe(200);
    expect(await r.ttl(`sess:${sid}`)).toBeGreaterThan(1790);
    await r.set(`sess:${sid}`, JSON.stringify({ ...rec, expiresAt: Date.now() - 1 }), 'KEEPTTL');
    expect((await c.get('/me')).status).toBe(401);
    // records written before expiresAt existed end 12 h after their creation
    const d = await as(s, 'coordinator');
    const old = await record(d.cookie);
    delete old.expiresAt;
    await r.set(`sess:${d.cookie.split('=')[1]}`, JSON.stringify({ ...old, createdAt: Date.now() - 12 * 3600_000 - 1000 }), 'KEEPTTL');
    expect((await d.get('/me')).status).toBe(401);
  });
});
