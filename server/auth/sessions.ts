import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from '../store/keys.js';

export const SESSION_COOKIE = 'pingan_sid';
export const IDLE_SECONDS = 30 * 60;
export const ABSOLUTE_SECONDS = 12 * 3600;

export interface Session {
  userId: string;
  username: string;
  createdAt: number;
}

/** Server-side session: a random id in an HttpOnly cookie, the state in Redis with an idle expiry. */
export async function createSession(redis: Redis, user: { id: string; username: string }): Promise<string> {
  const sid = randomBytes(32).toString('base64url');
  const s: Session = { userId: user.id, username: user.username, createdAt: Date.now() };
  await redis.multi()
    .set(keys.session(sid), JSON.stringify(s), 'EX', IDLE_SECONDS)
    .sadd(keys.userSessions(user.id), sid)
    .exec();
  return sid;
}

/** The live session for an id, renewing its idle timer; null when expired or past its absolute lifetime. */
export async function touchSession(redis: Redis, sid: string): Promise<Session | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(sid)) return null;
  const j = await redis.get(keys.session(sid));
  if (!j) return null;
  const s = JSON.parse(j) as Session;
  if (Date.now() - s.createdAt > ABSOLUTE_SECONDS * 1000) {
    await destroySession(redis, sid, s.userId);
    return null;
  }
  await redis.expire(keys.session(sid), IDLE_SECONDS);
  return s;
}

export async function destroySession(redis: Redis, sid: string, userId: string): Promise<void> {
  await redis.multi().del(keys.session(sid)).srem(keys.userSessions(userId), sid).exec();
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}
