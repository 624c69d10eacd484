import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { PublicUser } from '../../shared/api.js';
import { LIVE, type ClientToServerEvents, type HandshakeAuth, type Hello, type ServerToClientEvents } from '../../shared/live.js';
import { readCookie, SESSION_COOKIE, touchSession } from '../auth/sessions.js';
import { getUser, toPublic } from '../auth/users.js';
import { isRedisDown } from '../http/errors.js';
import type { Logger } from '../logger.js';
import { LiveHub } from './hub.js';
import type { LogTail } from './log-tail.js';
import { resume, resyncReason } from './resume.js';
import { deliveryRoom } from './rooms.js';

type IO = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
interface SocketData {
  user: PublicUser;
  sid: string;
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

class LiveAuthError extends Error {
  readonly data: { code: string };
  constructor(code: 'unauthorized' | 'unavailable', message: string) {
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
    adapter: createAdapter(d.adapterRedis, { streamName: 'socket.io', maxLen: 10_000 }),
  });
  const hub = new LiveHub(io, d.tail, d.degraded);
  hub.start();

  io.use(async (socket, next) => {
    try {
      const auth = (socket.handshake.auth ?? {}) as HandshakeAuth;
      if (auth.token !== undefined) return next(new LiveAuthError('unauthorized', 'machine tokens are not enabled yet'));
      if (socket.handshake.headers.origin === undefined) return next(new LiveAuthError('unauthorized', 'a handshake without Origin needs a token'));
      const sid = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      const s = sid ? await touchSession(d.redis, sid) : null;
      const u = s ? await getUser(d.redis, s.username) : null;
      if (!sid || !s || !u || u.disabled || u.id !== s.userId) return next(new LiveAuthError('unauthorized', 'sign in first'));
      socket.data.user = toPublic(u);
      socket.data.sid = sid;
      next();
    } catch (err) {
      next(isRedisDown(err) ? new LiveAuthError('unavailable', 'the store is unavailable; retry') : (err as Error));
    }
  });

  io.on('connection', (socket) => void onConnection(socket));

  async function onConnection(socket: Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>): Promise<void> {
    const { user, sid } = socket.data;
    const room = deliveryRoom(user);
    void socket.join(`user:${user.id}`);
    renewSessionOnActivity(socket, sid);
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
      io.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
    },
  };
}
