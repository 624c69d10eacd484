// Ingest keys and machine tokens issued by admins: scoped to types and sources (an event outside
// them is rejected alone with `forbidden`, 403 when all are), stored hashed, rotatable, revocable
// (other instances within the 5 s cache); machine tokens on the live socket with their scopes;
// INGEST_KEYS keep working.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_TTL_MS } from '../../server/auth/credentials.js';
import type { RunningServer } from '../../server/runtime.js';
import { credentialSchema, issuedCredentialSchema } from '../../shared/api.js';
import { as, liveSocket, type Client } from '../helpers/auth.js';
import { until } from '../helpers/live-client.js';
import { D2, D3, incidentIn } from '../helpers/live-data.js';
import { call, durableClient, reportAt, sleep } from '../helpers/requests.js';
import { ce, ingestTo, INGEST_KEY, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let admin: Client;
let extra: RunningServer;
const open: { close(): void }[] = [];

const issue = async (body: Record<string, unknown>) => {
  const res = await admin.post('/admin/keys', body);
  expect(res.status, res.text).toBe(201);
  return issuedCredentialSchema.parse(res.body);
};
const post = (secret: string, events: unknown[], url = s.url) => ingestTo(url, events, { authorization: `Bearer ${secret}` });
const from = (source: string, ev: Record<string, unknown>) => ({ ...ev, source });

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  admin = await as(s, 'admin');
  extra = await s.startExtraServer();
});
afterAll(async () => {
  for (const o of open) o.close();
  r?.disconnect();
  await s?.stop();
});

describe('scoped ingest keys', () => {
  it('accepts the key\'s types from its sources, rejects the rest one by one, 403 when all are', async () => {
    const { key, secret } = await issue({ kind: 'ingest', name: '110 gateway', types: ['incident.reported', 'incident.updated'], sources: ['sim/*', '110/linjiang'] });
    expect(secret).toMatch(/^pgk_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ kind: 'ingest', types: ['incident.reported', 'incident.updated'], sources: ['sim/*', '110/linjiang'], role: null, revoked: false, lastUsedAt: null });

    const ok = await post(secret, [from('sim/110', reportAt('CK-1', 10)), from('110/linjiang', reportAt('CK-2', 11))]);
    expect(ok.status).toBe(202);
    expect(ok.body.accepted).toHaveLength(2);

    const mixed = await post(secret, [
      from('sim/x', reportAt('CK-3', 12)),
      from('sim/x', ce('unit.registered', { unitId: 'U-CK' })), // type not granted
      from('110/other', reportAt('CK-4', 13)), // source not granted (exact match only)
      from('simulator', reportAt('CK-5', 14)), // `sim/*` is a prefix with the slash
    ]);
    expect(mixed.status).toBe(202);
    expect(mixed.body.accepted.map((a: any) => a.id)).toHaveLength(1);
    expect(mixed.body.rejected.map((x: any) => [x.index, x.errors[0].code])).toEqual([[1, 'forbidden'], [2, 'forbidden'], [3, 'forbidden']]);

    const none = await post(secret, [from('other/1', reportAt('CK-6', 15))]);
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('forbidden');
    expect((await s.get('/incidents/CK-6', admin.cookie)).status).toBe(404); // nothing stored

    const listed = (await admin.get('/admin/keys')).body.items.find((k: any) => k.id === key.id);
    expect(credentialSchema.parse(listed).lastUsedAt).not.toBeNull();
  });

  it('`*` is every type but the restricted ones; incident.dispatched only when listed by name', async () => {
    const star = await issue({ kind: 'ingest', name: 'star', types: ['*'], sources: ['*'] });
    const named = await issue({ kind: 'ingest', name: 'dispatch', types: ['incident.dispatched'], sources: ['*'] });
    expect((await post(star.secret, [reportAt('CK-7', 16)])).status).toBe(202);
    const dispatch = ce('incident.dispatched', { incidentId: 'CK-7', unitIds: [] });
    const byStar = await post(star.secret, [dispatch]);
    expect(byStar.status).toBe(403);
    const byName = await post(named.secret, [dispatch]);
    expect(byName.body.rejected?.[0]?.errors?.[0]?.code ?? null).not.toBe('forbidden');
    expect(byName.status).not.toBe(403);
  });

  it('keeps INGEST_KEYS working (every unrestricted type, any source)', async () => {
    expect((await s.ingest([from('anything/at-all', reportAt('CK-8', 17))])).status).toBe(202);
    expect((await s.ingest([ce('incident.dispatched', { incidentId: 'CK-8', unitIds: [] })])).status).toBe(403);
  });

  it('refuses unknown secrets (401), a token as an ingest key, and bad grants (400 naming the field)', async () => {
    expect((await post('pgk_' + 'A'.repeat(43), [reportAt('CK-9', 18)])).status).toBe(401);
    const token = await issue({ kind: 'token', name: 'not for ingest', role: 'duty_officer', scopes: [D2] });
    expect((await post(token.secret, [reportAt('CK-9', 18)])).status).toBe(401);
    const bad = await admin.post('/admin/keys', { kind: 'ingest', name: 'bad', types: ['incident.reported', 'incident.teleported'], sources: ['a*b'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors.map((e: any) => e.path)).toEqual(['types.1', 'sources.0']);
    const badScope = await admin.post('/admin/keys', { kind: 'token', name: 'bad', role: 'leader', scopes: ['atlantis'] });
    expect(badScope.body.error.details.errors[0]).toMatchObject({ path: 'scopes.0', code: 'unknown_jurisdiction' });
  });

  it('stores only the SHA-256 of a secret and never answers it again', async () => {
    const { key, secret } = await issue({ kind: 'ingest', name: 'hashed', types: ['*'], sources: ['*'] });
    const stored = await r.get(`cred:${key.id}`);
    expect(stored).not.toContain(secret);
    expect(stored).toContain(createHash('sha256').update(secret).digest('hex'));
    const list = (await admin.get('/admin/keys')).text;
    expect(list).not.toContain(secret);
    expect(list).not.toMatch(/digest/);
  });
});

describe('rotation and revocation', () => {
  it('rotates: the new secret works, the old one stops (at once on this instance, within the cache TTL elsewhere)', async () => {
    const { key, secret } = await issue({ kind: 'ingest', name: 'rotating', types: ['*'], sources: ['*'] });
    expect((await post(secret, [reportAt('CK-10', 19)], extra.url)).status).toBe(202); // cached on the other instance
    const rotated = await admin.post(`/admin/keys/${key.id}/rotate`);
    expect(rotated.status).toBe(200);
    const next = issuedCredentialSchema.parse(rotated.body);
    expect(next.secret).not.toBe(secret);
    expect(next.key.rotatedAt).not.toBeNull();
    expect((await post(secret, [reportAt('CK-11', 20)])).status).toBe(401);
    expect((await post(next.secret, [reportAt('CK-11', 20)])).status).toBe(202);
    const started = Date.now();
    for (;;) {
      if ((await post(secret, [reportAt('CK-12', 21)], extra.url)).status === 401) break;
      expect(Date.now() - started).toBeLessThan(CACHE_TTL_MS + 1000);
      await sleep(200);
    }
  });

  it('revokes (204): refused here at once and on the other instance within the cache TTL; a revoked key cannot be rotated', async () => {
    const { key, secret } = await issue({ kind: 'ingest', name: 'revoked', types: ['*'], sources: ['*'] });
    expect((await post(secret, [reportAt('CK-13', 22)], extra.url)).status).toBe(202);
    const started = Date.now();
    expect((await admin.del(`/admin/keys/${key.id}`)).status).toBe(204);
    expect((await post(secret, [reportAt('CK-14', 23)])).status).toBe(401);
    for (;;) {
      if ((await post(secret, [reportAt('CK-14', 23)], extra.url)).status === 401) break;
      expect(Date.now() - started).toBeLessThan(CACHE_TTL_MS + 1000);
      await sleep(200);
    }
    expect((await admin.get('/admin/keys')).body.items.find((k: any) => k.id === key.id).revoked).toBe(true);
    expect((await admin.del(`/admin/keys/${key.id}`)).status).toBe(204);
    expect((await admin.post(`/admin/keys/${key.id}/rotate`)).status).toBe(409);
    expect((await admin.del('/admin/keys/no-such-key')).status).toBe(404);
    const actions = ((await r.xrange('audit', '-', '+')) as [string, string[]][]).map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!))
      .filter((x: any) => x.object === `key:${key.id}`).map((x: any) => `${x.action}:${x.result}`);
    expect(actions).toEqual(['keys.create:success', 'keys.revoke:success', 'keys.revoke:success', 'keys.rotate:failure']);
  });
});

describe('machine tokens', () => {
  it('authenticate the live socket without Origin, with their role and scopes; revocation disconnects on another instance', async () => {
    const { key, secret } = await issue({ kind: 'token', name: 'terminal-7', role: 'duty_officer', scopes: [D2] });
    expect(secret).toMatch(/^pgt_/);
    const sock = await liveSocket(extra.url, { token: secret, origin: null });
    open.push(sock.socket);
    expect(sock.errors).toEqual([]);
    expect(sock.hello.user).toEqual({ id: `token:${key.id}`, username: 'terminal-7', displayName: 'terminal-7', roles: ['duty_officer'], scopes: [D2] });
    const got: any[] = [];
    sock.socket.on('events', (f: any) => got.push(...f.events));
    const REPORTER = { name: '李四', phone: '13912345678' };
    await ingestTo(s.url, [incidentIn('TK-D2', D2, 0, { reporter: REPORTER }), incidentIn('TK-D3', D3)]);
    await until(() => got.some((e) => e.data.incidentId === 'TK-D2'), 10_000, 'the D2 entry');
    await sleep(300);
    expect(got.map((e) => e.data.incidentId)).not.toContain('TK-D3');
    expect(JSON.stringify(got)).not.toContain(REPORTER.phone); // a duty officer's token sees reporters masked

    expect((await call(s, '/incidents/TK-D2', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    expect((await call(s, '/incidents/TK-D3', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(404);
    expect((await call(s, '/jurisdictions', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);

    expect((await admin.del(`/admin/keys/${key.id}`)).status).toBe(204);
    await until(() => !sock.socket.connected, 5000, 'the token\'s socket to go');
    const again = await liveSocket(s.url, { token: secret, origin: null });
    expect(again.errors.map((e) => e.code)).toEqual(['unauthorized']);
  });

  it('refuses unknown tokens, ingest keys as tokens, and handshakes without Origin or token', async () => {
    const ingest = await issue({ kind: 'ingest', name: 'not a token', types: ['*'], sources: ['*'] });
    for (const token of ['pgt_' + 'B'.repeat(43), ingest.secret, INGEST_KEY]) {
      const l = await liveSocket(s.url, { token, origin: null });
      expect(l.errors.map((e) => e.code), token.slice(0, 4)).toEqual(['unauthorized']);
    }
    expect((await liveSocket(s.url, { origin: null })).errors.map((e) => e.code)).toEqual(['unauthorized']);
    const auditorToken = await issue({ kind: 'token', name: 'auditor-token', role: 'auditor', scopes: [D2] });
    expect((await liveSocket(s.url, { token: auditorToken.secret, origin: null })).errors.map((e) => e.code)).toEqual(['forbidden']);
  });

  it('GET /jurisdictions accepts issued ingest keys and INGEST_KEYS as Bearer', async () => {
    const ingest = await issue({ kind: 'ingest', name: 'feeder', types: ['*'], sources: ['*'] });
    for (const k of [ingest.secret, INGEST_KEY]) expect((await call(s, '/jurisdictions', { headers: { authorization: `Bearer ${k}` } })).status).toBe(200);
    expect((await call(s, '/jurisdictions', { headers: { authorization: 'Bearer pgk_nope' } })).status).toBe(401);
  });
});
