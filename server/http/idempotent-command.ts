// One command route shape for every strict command (incidents, alerts, cases): permission, then
// replay of a stored answer for a repeated Idempotency-Key (422 when the key was used for another
// request), run, store the answer (24 h, per user and key; never a 400 or 5xx: a retry may
// succeed), and audit (`action` on `<kind>:<id>`, successes and refusals alike).
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Permission } from '../../shared/permissions.js';
import { audit } from '../auth/audit-context.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { IDEMPOTENCY_TTL_SECONDS, keys } from '../store/keys.js';
import { commandEventId, fieldError, requestHash } from './command-kit.js';
import { ApiError } from './errors.js';

/** A command's answer, as stored under its Idempotency-Key. */
export interface Answer {
  status: number;
  body: unknown;
}

const MAX_KEY = 255;

/** The Idempotency-Key header, or null; 400 when it is empty or too long. */
export function idempotencyKey(req: Request): string | null {
  const k = req.get('idempotency-key');
  if (k === undefined) return null;
  if (k.length === 0 || k.length > MAX_KEY) throw fieldError('headers.idempotency-key', 'invalid', `1 to ${MAX_KEY} characters`);
  return k;
}

export const idemConflict = () => new ApiError(422, 'idempotency_conflict', 'this Idempotency-Key was used for a different request');

/**
 * One case command route: permission, then replay of a stored answer for a repeated
 * Idempotency-Key, run, store the answer (24 h, per user and key; never a 400 or 5xx), audit
 * (`action` on `<kind>:<id>`, successes and refusals alike).
 */
export function idempotentCommand(
  redis: Redis, permission: Permission, action: string, kind: string,
  run: (req: Request, res: Response, eventId: string) => Promise<Answer>,
) {
  return [requirePermission(permission), async (req: Request, res: Response) => {
    const user = currentUser(res);
    const object = req.params.id ? `${kind}:${String(req.params.id).slice(0, 128)}` : kind;
    let answer: Answer;
    try {
      const key = idempotencyKey(req);
      const hash = requestHash(req.method, req.originalUrl.split('?')[0]!, req.body);
      const storeKey = key === null ? null : keys.idempotency(user.username, key);
      if (storeKey) {
        const prior = await redis.get(storeKey);
        if (prior) {
          const p = JSON.parse(prior) as Answer & { hash: string };
          if (p.hash !== hash) throw idemConflict();
          res.setHeader('Idempotent-Replayed', 'true');
          return void res.status(p.status).json(p.body);
        }
      }
      try {
        answer = await run(req, res, commandEventId(user.username, key));
      } catch (err) {
        // a validation error is not an answer to remember (the request never ran); a state or scope one is
        if (!(err instanceof ApiError) || err.status >= 500 || err.status === 400 || err.code === 'idempotency_conflict') throw err;
        answer = { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } } };
      }
      if (storeKey) await redis.set(storeKey, JSON.stringify({ hash, ...answer }), 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX');
    } catch (err) {
      if (err instanceof ApiError) await audit(req, res, { action, object, result: 'failure', details: { status: err.status, code: err.code } });
      throw err;
    }
    const ok = answer.status < 300;
    const b = answer.body as { seq?: string; id?: string; error?: { code: string } };
    await audit(req, res, {
      action, object: ok && b.id ? `${kind}:${b.id}` : object, result: ok ? 'success' : 'failure',
      details: ok ? { seq: b.seq } : { status: answer.status, code: b.error?.code },
    });
    res.status(answer.status).json(answer.body);
  }] as const;
}

