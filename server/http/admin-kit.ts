// Shared by the admin routes: validation that throws 400 naming the field, and audited actions
// (every admin action lands on the audit trail, successes and refusals alike, before the answer).
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { FieldError } from '../../shared/validation.js';
import { audit, auditOrThrow } from '../auth/audit-context.js';
import type { JurisdictionTree } from '../geo/types.js';
import { ApiError, validationError } from './errors.js';

/** Parses a request part or throws 400 naming every bad field. */
export function check<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  const r = schema.safeParse(value ?? {}, { reportInput: true });
  if (!r.success) throw validationError(r.error.issues, prefix);
  return r.data;
}

/** 400 when any of the field errors is present. */
export function fail(errors: FieldError[]): void {
  if (errors.length > 0) throw new ApiError(400, 'invalid_request', errors.map((e) => e.message).join('; '), { errors });
}

/** Scopes must be ids of the jurisdiction tree (a typo would silently hide everything from the user). */
export function scopeErrors(tree: JurisdictionTree, scopes: readonly string[] | undefined, path = 'scopes'): FieldError[] {
  return (scopes ?? []).flatMap((id, i) => tree.get(id)
    ? []
    : [{ path: `${path}.${i}`, code: 'unknown_jurisdiction', message: `${path}.${i}: no jurisdiction has the id "${id}"` }]);
}

export interface Outcome {
  status: number;
  body?: unknown;
}

/** A checked admin action: what the audit record says about it (never a password or secret), and doing it. */
export interface Plan {
  /** the object, when only the check knows it (a new key's id) */
  object?: string;
  details?: Record<string, unknown>;
  run(): Promise<Outcome>;
}

/**
 * An admin route: `prepare` validates and looks up (its refusals are audited as failures), the
 * action is recorded, and only then done — an admin change must not happen unaudited, so an
 * audit trail that cannot be written refuses the change (503). A change that fails after being
 * recorded gets a second record saying so.
 */
export function act(action: string, object: (req: Request) => string | null, prepare: (req: Request, res: Response) => Promise<Plan>) {
  return async (req: Request, res: Response) => {
    let plan: Plan;
    try {
      plan = await prepare(req, res);
    } catch (err) {
      if (err instanceof ApiError) {
        await audit(req, res, { action, object: object(req), result: 'failure', details: { status: err.status, code: err.code } });
      }
      throw err;
    }
    const target = plan.object ?? object(req);
    await auditOrThrow(req, res, { action, object: target, result: 'success', ...(plan.details ? { details: plan.details } : {}) });
    let out: Outcome;
    try {
      out = await plan.run();
    } catch (err) {
      await audit(req, res, { action, object: target, result: 'failure', details: { reason: 'not_applied', message: (err as Error).message } });
      throw err;
    }
    if (out.body === undefined) res.status(out.status).end();
    else res.status(out.status).json(out.body);
  };
}
