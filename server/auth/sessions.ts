import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Role } from '../../shared/api.js';
import { keys } from '../store/keys.js';

export const SESSION_COOKIE = 'pingan_sid';
export const IDLE_SECONDS = 30 * 60;
export const ABSOLUTE_SECONDS = 12 * 3600;
/** A wall screen stays signed in for weeks: no idle timeout, this absolute lifetime. */
export const KIOSK_ABSOLUTE_SECONDS = 30 * 24 * 3600;
/** Roles whose every member may hold a kiosk session: a wall screen only shows. */
export const KIOSK_ROLES: readonly Role[] = ['duty_officer', 'leader'];

export const mayUseKiosk = (roles: readonly Role[]) => roles.length > 0 && roles.every((r) => KIOSK_ROLES.includes(r));

export interface Session {
  userId: string;
  username: string;
  createdAt: number;
  /** absolute end (ms); records without it end ABSOLUTE_SECONDS after createdAt */
  expiresAt?: number;
  kiosk?: boolean;
}

const SID_RE = /^[A-Za-z0-9_-]{43}$/;
const endOf = (s: Session) => s.expiresAt ?? s.createdAt + ABSOLUTE_SECONDS * 1000;

/** The cookie lifetime: the server enforces idleness, so the cookie lives as long as the session may. */
export const lifetimeSeconds = (kiosk: boolean) => (kiosk ? KIOSK_ABSOLUTE_SECONDS : ABSOLUTE_SECONDS);

/** Server-side session: a random id in an HttpOnly cookie, the state in Redis with an idle expiry. */
export async function createSession(redis: Redis, user: { id: string; username: string }, opts: { kiosk?: boolean; now?: number } = {}): Promise<string> {
  const now = opts.now ?? Date.now();
  const kiosk = opts.kiosk === true;
  const sid = randomBytes(32).toString('base64url');
  const s: Session = { userId: user.id, username: user.username, createdAt: now, expiresAt: now + lifetimeSeconds(kiosk) * 1000, ...(kiosk ? { kiosk } : {}) };
  await pruneUserSessions(redis, user.id);
  await redis.multi()
    .set(keys.session(sid), JSON.stringify(s), 'EX', kiosk ? KIOSK_ABSOLUTE_SECONDS : IDLE_SECONDS)
    .sadd(keys.userSessions(user.id), sid)
    // the set outlives every session in it; pruning drops ids whose session expired
    .expire(keys.userSessions(user.id), KIOSK_ABSOLUTE_SECONDS)
    .exec();
  return sid;
}

/** The session for an id without renewing it. */
export async function peekSession(redis: Redis, sid: string): Promise<Session | null> {
  if (!SID_RE.test(sid)) return null;
  const j = await redis.get(keys.session(sid));
  return j ? (JSON.parse(j) as Session) : null;
}

/** The live session for an id, renewing its idle timer; null when expired or past its absolute lifetime. */
export async function touchSession(redis: Redis, sid: string, now = Date.now()): Promise<Session | null> {
  const s = await peekSession(redis, sid);
  if (!s) return null;
  const left = endOf(s) - now;
  if (left <= 0) {
    await destroySession(redis, sid, s.userId);
    return null;
  }
  // a kiosk session has no idle timeout: its key already expires at its absolute end
  if (!s.kiosk) await redis.expire(keys.session(sid), Math.min(IDLE_SECONDS, Math.ceil(left / 1000)));
  return s;
}

export async function destroySession(redis: Redis, sid: string, userId: string): Promise<void> {
  await redis.multi().del(keys.session(sid)).srem(keys.userSessions(userId), sid).exec();
}

/** Ends every session of a user at once (force logout, disabling, a new password); returns how many. */
export async function destroyUserSessions(redis: Redis, userId: string): Promise<number> {
  const sids = await redis.smembers(keys.userSessions(userId));
  const m = redis.multi();
  for (const sid of sids) m.del(keys.session(sid));
  const res = (await m.del(keys.userSessions(userId)).exec()) ?? [];
  return res.slice(0, sids.length).filter(([, n]) => Number(n) > 0).length;
}

/** Drops ids of expired sessions from a user's set, so it does not grow with every login. */
async function pruneUserSessions(redis: Redis, userId: string): Promise<void> {
  const sids = await redis.smembers(keys.userSessions(userId));
  if (sids.length === 0) return;
  const p = redis.pipeline();
  for (const sid of sids) p.exists(keys.session(sid));
  const res = (await p.exec()) ?? [];
  const dead = sids.filter((_, i) => Number(res[i]?.[1] ?? 0) === 0);
  if (dead.length > 0) await redis.srem(keys.userSessions(userId), ...dead);
}

/** The Socket.IO room of one session's sockets (a digest: room names cross instances through Redis). */
export const sessionRoom = (sid: string) => `session:${createHash('sha256').update(sid).digest('base64url').slice(0, 22)}`;

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null; // a malformed escape is no session
      }
    }
  }
  return null;
}
