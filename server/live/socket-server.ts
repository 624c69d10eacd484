import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { PublicUser } from '../../shared/api.js';
import { LIVE, type ClientToServerEvents, type HandshakeAuth, type Hello, type ServerToClientEvents } from '../../shared/live.js';
import { roleOf } from '../audit/events.js';
import type { Audit } from '../audit/types.js';
import { tokenUser, type CredentialStore } from '../auth/credentials.js';
import { userForSession, type Via } from '../auth/middleware.js';
import { allowed } from '../auth/permissions-middleware.js';
import { readCookie, SESSION_COOKIE, sessionRoom, touchSession } from '../auth/sessions.js';
import { isRedisDown } from '../http/errors.js';
import type { Logger } from '../logger.js';
import { LiveHub } from './hub.js';
import type { LogTail } from './log-tail.js';
import { attachPresence } from './presence.js';
import { resume, resyncReason } from './resume.js';
import { deliveryRoom } from './rooms.js';

type IO = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
interface SocketData {
  user: PublicUser;
  /** the session of a browser; null for a machine token */
  sid: string | null;
}

export interface LiveDeps {
  redis: Redis;
  adapterRedis: Redis;
  tail: LogTail;
  logEpoch: string;
  version: string;
  allowedOrigins: readonly string[];
  log: Logger;
  degraded(): string[];
  audit: Audit;
  /** machine tokens (`auth.token`) */
  credentials: CredentialStore;
  /** demo mode: demo accounts may connect */
  demo: boolean;
}

/** The origin this request was made to (Host header, TLS or a trusted proxy's protocol). */
function ownOrigin(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (!host) return null;
  const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim()
    ?? ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  return `${proto}://${host}`;
}

/** Upgrade allowed only from our own origin or ALLOWED_ORIGINS; no Origin is left to the token check. */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  const own = ownOrigin(req);
  const alt = own?.replace(/^http:/, 'https:');
  return origin === own || origin === alt;
}

/** The Socket.IO stream every instance (and `npm run users`, to disconnect sockets) shares. */
export const ADAPTER_OPTIONS = { streamName: 'socket.io', maxLen: 10_000 } as const;

/** The handshake's address as the audit trail shows it (IPv4-mapped IPv6 as IPv4, like clientAddress). */
const socketAddress = (a: string) => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a);

class LiveAuthError extends Error {
  readonly data: { code: string };
  constructor(code: 'unauthorized' | 'unavailable' | 'forbidden', message: string) {
    super(message);
    this.data = { code };
  }
}

/** Attaches Socket.IO (WebSocket only) to the HTTP server: handshake, hello, resume, delivery. */
export function attachLive(http: HttpServer, d: LiveDeps): { io: IO; hub: LiveHub; close(): Promise<void> } {
  const io: IO = new Server(http, {
    path: LIVE.path,
    transports: ['websocket'],
    serveClient: false,
    pingInterval: LIVE.pingIntervalMs,
    pingTimeout: LIVE.pingTimeoutMs,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, cb) => cb(originAllowed(req, d.allowedOrigins) ? null : 'forbidden_origin', originAllowed(req, d.allowedOrigins)),
    // control operations (revocation, presence) cross instances; log frames never do
    adapter: createAdapter(d.adapterRedis, ADAPTER_OPTIONS),
  });
  const hub = new LiveHub(io, d.tail, d.degraded);
  hub.start();
  // who views which object: rooms across instances through the adapter, never the log
  const presence = attachPresence(io, { redis: d.redis, log: d.log });

  io.use(async (socket, next) => {
    try {
      const auth = (socket.handshake.auth ?? {}) as HandshakeAuth;
      let user: PublicUser | null;
      let sid: string | null = null;
      let via: Via;
      if (auth.token !== undefined) {
        const c = typeof auth.token === 'string' ? await d.credentials.resolve(auth.token, 'token') : null;
        if (!c) return next(new LiveAuthError('unauthorized', 'unknown or revoked token'));
        user = tokenUser(c);
        via = 'token';
      } else {
        // a browser always sends Origin; a client without one is a machine and must bring a token
        if (socket.handshake.headers.origin === undefined) return next(new LiveAuthError('unauthorized', 'a handshake without Origin needs a token'));
        sid = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
        user = await userForSession(d.redis, sid, d.demo);
        if (!user) return next(new LiveAuthError('unauthorized', 'sign in first'));
        via = 'session';
      }
      // the live feed is a read like any other: auditors (audit.read only) get nothing here
      if (!allowed(user, via, 'read')) {
        await d.audit.record({
          user: user.username, role: roleOf(user.roles), action: 'access', object: 'live', result: 'denied',
          address: socketAddress(socket.handshake.address), details: { permission: 'read' },
        });
        return next(new LiveAuthError('forbidden', 'this account may not read the live feed'));
      }
      socket.data.user = user;
      socket.data.sid = sid;
      next();
    } catch (err) {
      next(isRedisDown(err) ? new LiveAuthError('unavailable', 'the store is unavailable; retry') : (err as Error));
    }
  });

  io.on('connection', (socket) => void onConnection(socket));

  async function onConnection(socket: Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>): Promise<void> {
    const { user, sid } = socket.data;
    presence.track(socket);
    const room = deliveryRoom(user);
    // control rooms: revocation reaches every socket of the user (or token), or of one session
    void socket.join(`user:${user.id}`);
    if (sid !== null) {
      void socket.join(sessionRoom(sid));
      renewSessionOnActivity(socket, sid);
    }
    const hello: Hello = { user, scopes: user.scopes, logEpoch: d.logEpoch, headSeq: hub.headSeq, serverTime: new Date().toISOString(), version: d.version };
    socket.emit('hello', hello);
    const auth = (socket.handshake.auth ?? {}) as HandshakeAuth;
    if (auth.lastSeq === undefined) {
      void socket.join(room);
      return;
    }
    try {
      const reason = (await resyncReason({ redis: d.redis, hub, logEpoch: d.logEpoch }, auth.lastSeq, auth.logEpoch))
        ?? (await resume({ redis: d.redis, hub, logEpoch: d.logEpoch }, socket, room, auth.lastSeq));
      if (reason) {
        socket.emit('resync', { reason });
        socket.disconnect(true);
      }
    } catch (err) {
      d.log.warn('resume failed; the client will retry', (err as Error).message);
      socket.disconnect(true);
    }
  }

  /** Socket activity renews the session's idle timer (at most once a minute). */
  function renewSessionOnActivity(socket: Socket, sid: string): void {
    let last = Date.now();
    socket.conn.on('packet', () => {
      const now = Date.now();
      if (now - last < 60_000) return;
      last = now;
      touchSession(d.redis, sid).then((s) => {
        if (!s) socket.disconnect(true);
      }, () => undefined);
    });
  }

  return {
    io, hub,
    async close() {
      hub.stop();
      presence.stop();
      io.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
    },
  };
}
