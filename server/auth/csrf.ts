// CSRF defence for cookie-authenticated writes (DESIGN §11): SameSite=Strict on the cookie, plus
// this check that the request comes from a page of our own origin (or one of ALLOWED_ORIGINS).
// Browsers send Origin on every cross-origin request and on same-origin POST/PATCH/DELETE;
// Referer is the fallback for the few that strip Origin.
import type { Request } from 'express';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isWrite = (req: Request) => !SAFE.has(req.method);

/** The origin the request claims to come from, or null. `Origin: null` (sandboxed, file:) stays "null" and matches nothing. */
export function claimedOrigin(req: Request): string | null {
  const o = req.headers.origin;
  if (o !== undefined) return o;
  const ref = req.headers.referer;
  if (!ref) return null;
  try {
    return new URL(ref).origin;
  } catch {
    return null;
  }
}

/** The origin this request was made to (Host header; the protocol as a trusted proxy reports it). */
export function ownOrigin(req: Request): string | null {
  const host = req.get('host');
  return host ? `${req.protocol}://${host}` : null;
}

/** True when a write may proceed: its origin is ours (either scheme, for TLS ended at a proxy) or allowed. */
export function originAllowedFor(req: Request, allowed: readonly string[]): boolean {
  const o = claimedOrigin(req);
  if (o === null) return false;
  if (allowed.includes(o)) return true;
  const own = ownOrigin(req);
  return own !== null && (o === own || o === own.replace(/^http:/, 'https:'));
}
