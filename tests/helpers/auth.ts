// Signed-in clients for the access-control tests (on top of stack.ts and requests.ts): a browser
// sends its Origin on writes, so these do too unless told otherwise.
import { io } from 'socket.io-client';
import type { LiveSocket } from './live-client.js';
import { until } from './live-client.js';
import { call, type RawAnswer } from './requests.js';
import { DEMO_PASSWORD, type Stack } from './stack.js';

export interface Client {
  username: string;
  cookie: string;
  user: any;
  get(path: string): Promise<RawAnswer>;
  post(path: string, body?: unknown): Promise<RawAnswer>;
  patch(path: string, body: unknown): Promise<RawAnswer>;
  del(path: string): Promise<RawAnswer>;
  send(method: string, path: string, body?: unknown): Promise<RawAnswer>;
}

/** POST /auth/login; `address` is sent as X-Forwarded-For (the app trusts loopback proxies). */
export function login(s: Stack, username: string, password = DEMO_PASSWORD, opts: { kiosk?: boolean; address?: string } = {}): Promise<RawAnswer> {
  return call(s, '/auth/login', {
    method: 'POST', body: { username, password, ...(opts.kiosk === undefined ? {} : { kiosk: opts.kiosk }) },
    headers: opts.address ? { 'x-forwarded-for': opts.address } : {},
  });
}

export const cookieOf = (res: RawAnswer) => res.headers.get('set-cookie')?.split(';')[0] ?? null;

/** A client with this session cookie; writes carry the server's own Origin. */
export function clientFor(s: Stack, cookie: string, username = '?', user: any = null): Client {
  const send = (method: string, path: string, body?: unknown) => call(s, path, { method, cookie, body, headers: method === 'GET' ? {} : { origin: s.url } });
  return {
    username, cookie, user, send,
    get: (p) => send('GET', p),
    post: (p, b) => send('POST', p, b),
    patch: (p, b) => send('PATCH', p, b),
    del: (p) => send('DELETE', p),
  };
}

/** Logs a user in (the demo password unless given) and returns a client. */
export async function as(s: Stack, username: string, opts: { password?: string; kiosk?: boolean } = {}): Promise<Client> {
  const res = await login(s, username, opts.password, { kiosk: opts.kiosk });
  const cookie = cookieOf(res);
  if (res.status !== 200 || !cookie) throw new Error(`login ${username}: ${res.status} ${res.text.slice(0, 200)}`);
  return clientFor(s, cookie, username, res.body.user);
}

/** A socket.io-client; resolves once it said hello or failed; `disconnects` counts server-side disconnects. */
export async function liveSocket(url: string, opts: { cookie?: string; token?: string; origin?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin !== null) headers.origin = opts.origin ?? url;
  const state = { hello: null as any, errors: [] as { message: string; code?: string }[], disconnects: [] as string[], socket: null as unknown as LiveSocket };
  state.socket = io(url, {
    path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: headers,
    auth: opts.token ? { token: opts.token } : {},
  });
  state.socket.on('hello', (h) => (state.hello = h));
  state.socket.on('connect_error', (e) => state.errors.push({ message: e.message, code: (e as { data?: { code?: string } }).data?.code }));
  state.socket.on('disconnect', (reason) => state.disconnects.push(reason));
  await until(() => state.hello !== null || state.errors.length > 0, 15_000, 'the handshake');
  return state;
}
