// The live handshake (DESIGN §5): the upgrade is refused for foreign origins; sessions are checked
// in middleware whose connect_error carries data.code: `unauthorized` (no or dead session, no
// Origin without a token) or `unavailable` (the store is down).
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLive, until, type LiveSocket, type Recorder } from '../helpers/live-client.js';
import { D2, connected, hasAll, incidentIn, ingestAll, sleep } from '../helpers/live-data.js';
import { call } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CONSOLE = 'http://console.example';
let s: Stack;
let coordinator: string;
const open: { close(): void }[] = [];
beforeAll(async () => {
  s = await startStack({ ALLOWED_ORIGINS: `${CONSOLE},http://other.example` });
  coordinator = await s.login('coordinator');
});
afterAll(async () => {
  for (const c of open) c.close();
  await s?.stop();
});

/** Connects and waits until the handshake either said hello or failed. */
async function attempt(cookie: string, opts: Parameters<typeof connectLive>[2] = {}): Promise<Recorder> {
  const c = connectLive(s.url, cookie, opts);
  open.push(c);
  await until(() => c.hello !== null || c.errors.length > 0, 15_000, 'the handshake');
  await sleep(200); // a late hello would show now
  return c;
}

/** A socket.io-client without an Origin header (as a machine client would connect). */
async function withoutOrigin(headers: Record<string, string>, auth: Record<string, string> = {}) {
  const errors: { message: string; code?: string }[] = [];
  let hello = false;
  const socket: LiveSocket = io(s.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: headers, auth });
  open.push(socket);
  socket.on('hello', () => (hello = true));
  socket.on('connect_error', (e) => errors.push({ message: e.message, code: (e as { data?: { code?: string } }).data?.code }));
  await until(() => hello || errors.length > 0, 15_000, 'the handshake');
  return { hello, errors };
}

describe('Origin', () => {
  it('refuses the upgrade from a foreign Origin, before any session check', async () => {
    for (const origin of ['http://evil.example', s.url.replace('127.0.0.1', 'localhost'), `${s.url}.evil.example`]) {
      const c = await attempt(coordinator, { origin });
      expect(c.hello).toBeNull();
      expect(c.socket.connected).toBe(false);
      expect(c.errors).toHaveLength(1);
      expect(c.errors[0]!.code).toBeUndefined(); // refused at the WebSocket upgrade, not by the middleware
    }
  });

  it('accepts the server’s own origin and every origin of ALLOWED_ORIGINS', async () => {
    for (const origin of [s.url, CONSOLE, 'http://other.example']) {
      const c = await attempt(coordinator, { origin });
      expect(c.errors).toEqual([]);
      expect(c.hello?.user.username).toBe('coordinator');
    }
  });
});

describe('session', () => {
  it('no cookie, an unknown session or a mangled cookie: connect_error unauthorized', async () => {
    for (const cookie of ['', 'pingan_sid=not-a-session', `${coordinator}x`, 'other=1']) {
      const c = await attempt(cookie);
      expect(c.hello).toBeNull();
      expect(c.errors.map((e) => e.code)).toEqual(['unauthorized']);
    }
  });

  it('without Origin and without a token: unauthorized, even with a valid session cookie', async () => {
    expect(await withoutOrigin({})).toMatchObject({ hello: false, errors: [{ code: 'unauthorized' }] });
    expect(await withoutOrigin({ cookie: coordinator })).toMatchObject({ hello: false, errors: [{ code: 'unauthorized' }] });
  });

  it('a session ended by logout can no longer connect; a valid one connects and receives entries', async () => {
    const cookie = await s.login('leader');
    const c = await connected(s.url, cookie);
    open.push(c);
    const seqs = await ingestAll(s.url, [incidentIn('SC-1', D2)]);
    await until(() => hasAll(c, seqs), 10_000, 'an entry');
    expect((await call(s, '/auth/logout', { method: 'POST', cookie, headers: { origin: s.url } })).status).toBeLessThan(300);
    const after = await attempt(cookie);
    expect(after.hello).toBeNull();
    expect(after.errors.map((e) => e.code)).toEqual(['unauthorized']);
  });
});

describe('store down', () => {
  it('answers unavailable while Redis is down, flags heartbeats degraded, and connects again once it is back', async () => {
    const c = await connected(s.url, coordinator);
    open.push(c);
    await s.redis.kill();
    try {
      await until(() => s.server.deps.redis.status !== 'ready', 10_000, 'the command connection to notice');
      const down = await attempt(coordinator);
      expect(down.hello).toBeNull();
      expect(down.errors.map((e) => e.code)).toEqual(['unavailable']);
      // a connected client learns from the heartbeats that the feed is dead, not quiet
      await until(() => c.frames.some((f) => f.degraded?.includes('store_unavailable')), 30_000, 'a degraded heartbeat');
      expect(c.socket.connected).toBe(true);
    } finally {
      await s.redis.restart();
    }
    await until(() => s.server.deps.redis.status === 'ready', 20_000, 'the command connection to reconnect');
    const back = await attempt(coordinator);
    expect(back.errors).toEqual([]);
    expect(back.hello?.user.username).toBe('coordinator');
    const n = c.frames.length;
    await until(() => c.frames.length > n && c.frames[c.frames.length - 1]!.degraded === undefined, 30_000, 'a healthy heartbeat');
  }, 90_000);
});
