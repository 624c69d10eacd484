import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type { PublicUser } from '../../shared/api.js';
import { ApiError } from '../http/errors.js';
import { audit } from './audit-context.js';
import { tokenUser, type CredentialStore } from './credentials.js';
import { isWrite, originAllowedFor } from './csrf.js';
import { readCookie, SESSION_COOKIE, touchSession } from './sessions.js';
import { getUser, toPublic, usable } from './users.js';

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

/** How the request's actor proved who they are. */
export type Via = 'session' | 'token';

/** The signed-in user for a session id, or null: the session must be live and its user usable in this mode. */
export async function userForSession(redis: Redis, sid: string | null, demo: boolean): Promise<PublicUser | null> {
  if (!sid) return null;
  const s = await touchSession(redis, sid);
  if (!s) return null;
  const u = await getUser(redis, s.username);
  if (!u || u.id !== s.userId || !usable(u, demo)) return null;
  return toPublic(u);
}

export interface AuthenticateDeps {
  redis: Redis;
  credentials: CredentialStore;
  allowedOrigins: readonly string[];
  demo: boolean;
}

/**
 * Step 1 of every protected route (DESIGN §4: 401 before 403): a session cookie, or a machine
 * token as Bearer on reads. Cookie-authenticated writes must come from an allowed origin (403 csrf).
 * Puts the actor on res.locals.user and how on res.locals.via.
 */
export function authenticate(d: AuthenticateDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
      const user = await userForSession(d.redis, sid, d.demo);
      if (user) {
        res.locals.user = user;
        res.locals.sid = sid;
        res.locals.via = 'session' satisfies Via;
        if (isWrite(req) && !originAllowedFor(req, d.allowedOrigins)) {
          await audit(req, res, { action: 'csrf', object: `${req.method} ${req.path}`, result: 'denied', details: { origin: req.headers.origin ?? null } });
          return next(new ApiError(403, 'csrf', 'a signed-in write must come from this application (Origin header)'));
        }
        return next();
      }
      const token = bearer(req);
      // machine tokens read (snapshots, the tree, metrics); writes are for people and ingest keys
      const c = token && !isWrite(req) ? await d.credentials.resolve(token, 'token') : null;
      if (c) {
        res.locals.user = tokenUser(c);
        res.locals.via = 'token' satisfies Via;
        return next();
      }
      next(new ApiError(401, 'unauthorized', 'sign in first'));
    } catch (err) {
      next(err);
    }
  };
}

/** The actor that authenticate stored. */
export const currentUser = (res: Response) => res.locals.user as PublicUser;
export const currentVia = (res: Response) => res.locals.via as Via | undefined;
