// The one place where permissions are enforced on HTTP (DESIGN §11): every protected route names
// its permission with requirePermission, after authenticate and before validation (DESIGN §4).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PublicUser } from '../../shared/api.js';
import { can, type Permission } from '../../shared/permissions.js';
import { ApiError } from '../http/errors.js';
import { audit } from './audit-context.js';
import type { Via } from './middleware.js';

/**
 * Permissions a machine token never carries, whatever its role: managing people, keys and the
 * audit trail needs a person's session (a long-lived secret in a config file must not).
 */
export const PERSON_ONLY: readonly Permission[] = ['users.manage', 'keys.manage', 'audit.read'];

/** True when this actor, signed in this way, holds the permission. */
export function allowed(user: Pick<PublicUser, 'roles'>, via: Via | undefined, p: Permission): boolean {
  if (via === 'token' && PERSON_ONLY.includes(p)) return false;
  return can(user.roles, p);
}

/** A middleware that also says which permission it checks (the authorization matrix test reads it). */
export type PermissionGuard = RequestHandler & { readonly permission: Permission };

/** 403 `forbidden` (audited as denied) unless the signed-in actor holds `p`; 401 if nobody is. */
export function requirePermission(p: Permission): PermissionGuard {
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user as PublicUser | undefined;
    // fail closed: a route mounted before authenticate must not become public
    if (!user) return next(new ApiError(401, 'unauthorized', 'sign in first'));
    if (allowed(user, res.locals.via as Via | undefined, p)) return next();
    await audit(req, res, { action: 'access', object: `${req.method} ${req.baseUrl}${req.path}`, result: 'denied', details: { permission: p } });
    next(new ApiError(403, 'forbidden', `this needs the permission ${p}`, { permission: p }));
  };
  return Object.assign(guard, { permission: p });
}
