// What the HTTP layer records, built in one place so that the routes need a line each:
// login attempts, logouts, and reads of reporters' personal data.
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { PublicUser, Role } from '../../shared/api.js';
import { can } from '../../shared/permissions.js';
import { keys } from '../store/keys.js';
import type { Audit, AuditEvent } from './types.js';

type Result = AuditEvent['result'];

/** The client's address as Express resolved it (trust proxy), IPv4-mapped IPv6 shown as IPv4. */
export function clientAddress(req: Request): string | null {
  const a = req.ip ?? req.socket.remoteAddress ?? null;
  return a?.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** A user's roles as the record's `role` (comma-separated when several), or null. */
export const roleOf = (roles: readonly Role[] | undefined): string | null => (roles && roles.length > 0 ? roles.join(',') : null);

/** The acting user of a request with a session (requireSession put it on res.locals.user). */
export function actor(res: Response): Pick<AuditEvent, 'user' | 'role' | 'address'> {
  const u = res.locals.user as PublicUser | undefined;
  return { user: u?.username ?? null, role: roleOf(u?.roles), address: clientAddress(res.req) };
}

/** The outcome of a login attempt: wrong or unknown credentials fail; a disabled account is denied. */
export function loginResult(account: { disabled: boolean } | null, passwordOk: boolean): Result {
  if (!account || !passwordOk) return 'failure';
  return account.disabled ? 'denied' : 'success';
}

/**
 * One login attempt: the username tried (never the password), the account's roles when it
 * exists, the address. `details.reason` says why it failed or was denied; throttling and
 * lockout pass their own (`throttled`, `locked`) with result `denied`.
 */
export function loginEvent(
  req: Request,
  username: string,
  account: { roles: readonly Role[]; disabled: boolean } | null,
  result: Result,
  details: Record<string, unknown> = {},
): AuditEvent {
  const reason = result === 'failure' ? (account ? 'wrong_password' : 'unknown_user') : result === 'denied' && account?.disabled ? 'disabled' : undefined;
  const d = { ...(reason ? { reason } : {}), ...details };
  return {
    user: username, role: roleOf(account?.roles), action: 'auth.login', object: username, result,
    address: clientAddress(req), ...(Object.keys(d).length > 0 ? { details: d } : {}),
  };
}

/** Records a logout of the session whose stored JSON is `sessionJson`; never throws. */
export async function auditLogout(audit: Audit, redis: Redis, req: Request, sessionJson: string): Promise<void> {
  let username: string | null = null;
  let role: string | null = null;
  try {
    username = (JSON.parse(sessionJson) as { username?: string }).username ?? null;
    const u = username === null ? null : await redis.get(keys.user(username));
    role = u ? roleOf((JSON.parse(u) as { roles?: Role[] }).roles) : null;
  } catch {
    /* a record with what is known beats none */
  }
  await audit.record({ user: username, role, action: 'auth.logout', object: username, result: 'success', address: clientAddress(req) });
}

const hasReporter = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && Object.values(v).some((x) => typeof x === 'string' && x.length > 0);

/**
 * Ids of the incidents whose reporter data is in these answer items: incidents (`reporter`)
 * or log entries (`data.reporter`, `data.incidentId`). Each id once, in order.
 */
export function reporterIncidentIds(items: readonly unknown[]): string[] {
  const ids = new Set<string>();
  for (const it of items) {
    if (typeof it !== 'object' || it === null) continue;
    const o = it as { id?: unknown; reporter?: unknown; data?: { reporter?: unknown; incidentId?: unknown } };
    if (hasReporter(o.reporter) && typeof o.id === 'string') ids.add(o.id);
    else if (hasReporter(o.data?.reporter) && typeof o.data?.incidentId === 'string') ids.add(o.data.incidentId);
  }
  return [...ids];
}

/**
 * Records one `reporter.read` for a request whose answer carries unmasked reporter data
 * (the user holds `reporter.read`): object = the incident ids, comma-separated. Nothing when
 * the data was masked or absent. Never throws.
 */
export async function auditReporterRead(audit: Audit, res: Response, items: readonly unknown[]): Promise<void> {
  const u = res.locals.user as PublicUser | undefined;
  if (!u || !can(u.roles, 'reporter.read')) return;
  const ids = reporterIncidentIds(items);
  if (ids.length === 0) return;
  await audit.record({
    ...actor(res), action: 'reporter.read', object: ids.join(','), result: 'success',
    details: { count: ids.length, path: res.req.originalUrl.slice(0, 512) },
  });
}
