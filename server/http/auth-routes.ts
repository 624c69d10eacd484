import { Router, type NextFunction, type Request, type Response } from 'express';
import { loginRequestSchema } from '../../shared/api.js';
import { auditLogout, clientAddress, loginEvent } from '../audit/events.js';
import type { Audit } from '../audit/types.js';
import { audit } from '../auth/audit-context.js';
import { originAllowedFor } from '../auth/csrf.js';
import { authenticate, currentUser, type AuthenticateDeps } from '../auth/middleware.js';
import { dummyHash, verifyPassword } from '../auth/passwords.js';
import { createSession, destroySession, lifetimeSeconds, mayUseKiosk, peekSession, readCookie, SESSION_COOKIE } from '../auth/sessions.js';
import { beginAttempt, loginFailed, loginSucceeded } from '../auth/throttle.js';
import { getUser, toPublic, usable } from '../auth/users.js';
import type { LiveControl } from '../live/control.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { ApiError, parse } from './errors.js';
import { AddressRateLimiter } from './rate-limit.js';

export interface AuthDeps extends AuthenticateDeps {
  redis: ScriptedRedis;
  audit: Audit;
  cookieSecure: 'auto' | 'true' | 'false';
  control: LiveControl;
  /** login requests per second and address (before any password is checked) */
  loginRatePerAddress?: number;
}

function setCookie(req: Request, res: Response, mode: AuthDeps['cookieSecure'], value: string, maxAgeSeconds: number): void {
  const secure = mode === 'true' || (mode === 'auto' && req.secure);
  res.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge: maxAgeSeconds * 1000 });
}

/** Floods are refused before argon2 runs; only the first refusal per address and second is audited. */
function loginRateLimit(perSecond: number) {
  const limiter = new AddressRateLimiter(perSecond);
  const lastAudited = new Map<string, number>();
  return async (req: Request, res: Response, next: NextFunction) => {
    const address = req.ip ?? 'unknown';
    const r = limiter.check(address);
    if (r.ok) return next();
    const now = Date.now();
    if (now - (lastAudited.get(address) ?? 0) >= 1000) {
      if (lastAudited.size > 10_000) lastAudited.clear();
      lastAudited.set(address, now);
      const tried = (req.body as { username?: unknown } | undefined)?.username;
      const username = typeof tried === 'string' ? tried.slice(0, 128) : null;
      await audit(req, res, { action: 'auth.login', object: username, result: 'denied', as: username === null ? null : { username, roles: [] }, details: { reason: 'rate_limited' } });
    }
    next(new ApiError(429, 'rate_limited', 'too many login requests from this address', undefined, { 'Retry-After': String(r.retryAfterSeconds) }));
  };
}

/** POST /auth/login, POST /auth/logout, GET /me. */
export function authRoutes(deps: AuthDeps): Router {
  const r = Router();
  const { redis } = deps;

  r.post('/auth/login', loginRateLimit(deps.loginRatePerAddress ?? 10), parse(loginRequestSchema, 'body', 'login'), async (req, res) => {
    const { username, password, kiosk } = res.locals.login as { username: string; password: string; kiosk?: boolean };
    const address = clientAddress(req) ?? 'unknown';
    const user = await getUser(redis, username);
    const record = (result: 'success' | 'failure' | 'denied', details: Record<string, unknown> = {}) =>
      deps.audit.record(loginEvent(req, username, user, result, details));

    const decision = await beginAttempt(redis, username, address);
    if (decision.kind === 'locked') {
      await record('denied', { reason: 'locked' });
      throw new ApiError(403, 'account_locked', 'this account is locked after too many failed logins; an administrator can unlock it');
    }
    if (decision.kind === 'wait') {
      await record('denied', { reason: 'throttled', retryAfter: decision.retryAfterSeconds });
      throw new ApiError(429, 'throttled', 'too many failed logins; wait before trying again', { retryAfter: decision.retryAfterSeconds },
        { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    if (!user || !ok) {
      const { accountFailures, locked } = await loginFailed(redis, username, user !== null);
      await record('failure', { attempt: decision.attempt, accountFailures, ...(locked ? { locked } : {}) });
      throw new ApiError(401, 'invalid_credentials', 'wrong username or password');
    }
    if (!usable(user, deps.demo)) {
      // the right password for an account that may not sign in: denied, and answered like a wrong one
      await record('denied', { reason: user.disabled ? 'disabled' : 'demo_account' });
      throw new ApiError(401, 'invalid_credentials', 'wrong username or password');
    }
    await loginSucceeded(redis, username, address);
    if (kiosk && !mayUseKiosk(user.roles)) {
      await record('denied', { reason: 'kiosk_not_allowed' });
      throw new ApiError(403, 'kiosk_not_allowed', 'kiosk sessions are for duty officers and leaders only');
    }
    const sid = await createSession(redis, user, { kiosk: kiosk === true });
    await record('success', kiosk ? { kiosk: true } : {});
    setCookie(req, res, deps.cookieSecure, sid, lifetimeSeconds(kiosk === true));
    res.json({ user: toPublic(user) });
  });

  r.post('/auth/logout', async (req, res) => {
    const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
    const s = sid ? await peekSession(redis, sid) : null;
    if (sid && s) {
      // a forged cross-site logout is a nuisance rather than a breach, but the rule is one rule
      if (!originAllowedFor(req, deps.allowedOrigins)) {
        const as = { username: s.username, roles: (await getUser(redis, s.username))?.roles ?? [] };
        await audit(req, res, { action: 'csrf', object: 'POST /auth/logout', result: 'denied', as });
        throw new ApiError(403, 'csrf', 'a signed-in write must come from this application (Origin header)');
      }
      await destroySession(redis, sid, s.userId);
      await deps.control.disconnectSession(sid);
      await auditLogout(deps.audit, redis, req, JSON.stringify(s));
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  // who am I: any signed-in actor, whatever their permissions (auditors too)
  r.get('/me', authenticate(deps), (_req, res) => {
    res.json({ user: currentUser(res) });
  });
  return r;
}
