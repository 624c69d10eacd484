import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { PublicUser } from '../../shared/api.js';
import { ApiError } from '../http/errors.js';
import { readCookie, SESSION_COOKIE, touchSession } from './sessions.js';
import { getUser, toPublic } from './users.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares a bearer token against configured keys in constant time per key. */
export function matchKey(token: string, keyDigests: readonly Buffer[]): boolean {
  const d = digest(token);
  let ok = false;
  for (const k of keyDigests) ok = timingSafeEqual(d, k) || ok;
  return ok;
}

export const digestKeys = (ks: readonly string[]) => ks.map(digest);

export function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1] ?? null;
}

/** The signed-in user for this request, or null. */
export async function sessionUser(redis: Redis, req: Request): Promise<{ user: PublicUser; sid: string } | null> {
  const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!sid) return null;
  const s = await touchSession(redis, sid);
  if (!s) return null;
  const u = await getUser(redis, s.username);
  if (!u || u.disabled || u.id !== s.userId) return null;
  return { user: toPublic(u), sid };
}

/** Requires a session; puts the user on res.locals.user. */
export function requireSession(redis: Redis) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const s = await sessionUser(redis, req);
      if (!s) return next(new ApiError(401, 'unauthorized', 'sign in first'));
      res.locals.user = s.user;
      res.locals.sid = s.sid;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The user that requireSession stored. */
export const currentUser = (res: Response) => res.locals.user as PublicUser;
