import { Router, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { loginRequestSchema } from '../../shared/api.js';
import { currentUser, requireSession } from '../auth/middleware.js';
import { dummyHash, verifyPassword } from '../auth/passwords.js';
import { createSession, destroySession, IDLE_SECONDS, readCookie, SESSION_COOKIE } from '../auth/sessions.js';
import { getUser, toPublic } from '../auth/users.js';
import { ApiError, parse } from './errors.js';

export interface AuthDeps {
  redis: Redis;
  cookieSecure: 'auto' | 'true' | 'false';
}

function secure(req: Request, mode: AuthDeps['cookieSecure']): boolean {
  return mode === 'true' || (mode === 'auto' && req.secure);
}

function setCookie(req: Request, res: Response, mode: AuthDeps['cookieSecure'], value: string, maxAge: number): void {
  res.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/', secure: secure(req, mode), maxAge: maxAge * 1000 });
}

/** POST /auth/login, POST /auth/logout, GET /me. */
export function authRoutes(deps: AuthDeps): Router {
  const r = Router();
  r.post('/auth/login', parse(loginRequestSchema, 'body', 'login'), async (req, res) => {
    const { username, password } = res.locals.login as { username: string; password: string };
    const user = await getUser(deps.redis, username);
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    if (!user || !ok || user.disabled) throw new ApiError(401, 'invalid_credentials', 'wrong username or password');
    const sid = await createSession(deps.redis, user);
    setCookie(req, res, deps.cookieSecure, sid, IDLE_SECONDS);
    res.json({ user: toPublic(user) });
  });
  r.post('/auth/logout', async (req, res) => {
    const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (sid) {
      const j = await deps.redis.get(`sess:${sid}`);
      if (j) await destroySession(deps.redis, sid, (JSON.parse(j) as { userId: string }).userId);
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  r.get('/me', requireSession(deps.redis), (_req, res) => {
    res.json({ user: currentUser(res) });
  });
  return r;
}
