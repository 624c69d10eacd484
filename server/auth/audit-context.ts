import type { Express, Request, Response } from 'express';
import type { PublicUser } from '../../shared/api.js';
import { clientAddress, roleOf } from '../audit/events.js';
import type { AuditEvent, StrictAudit } from '../audit/types.js';

/** The audit trail lives on app.locals, so every middleware can record without threading it through. */
export function setAudit(app: Express, audit: StrictAudit): void {
  app.locals.audit = audit;
}

export function auditOf(req: Request): StrictAudit {
  return req.app.locals.audit as StrictAudit;
}

type Actor = Pick<PublicUser, 'username' | 'roles'> | null;
export type ActorEvent = Omit<AuditEvent, 'user' | 'role' | 'address'> & { as?: Actor };

/** The record of what the request's actor (res.locals.user, or `as`) did, from the request's address. */
export function eventOf(req: Request, res: Response, e: ActorEvent): AuditEvent {
  const { as, ...rest } = e;
  const user = as === undefined ? ((res.locals.user as PublicUser | undefined) ?? null) : as;
  return { ...rest, user: user?.username ?? null, role: roleOf(user?.roles), address: clientAddress(req) };
}

/** Records an event; never throws (an audit outage must not fail a read or a refusal). */
export function audit(req: Request, res: Response, e: ActorEvent): Promise<void> {
  return auditOf(req).record(eventOf(req, res, e));
}

/** Records an event or throws: for changes that must not happen unaudited. */
export async function auditOrThrow(req: Request, res: Response, e: ActorEvent): Promise<void> {
  await auditOf(req).recordOrThrow(eventOf(req, res, e));
}
