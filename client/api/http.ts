import type { ErrorBody } from '../../shared/api.js';
import type { FieldError } from '../../shared/validation.js';

/** An API error with the server's stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
    /** the error's `details` (validation: `{ errors: [{path, code, message}] }`) */
    readonly details: unknown = undefined,
  ) {
    super(message);
  }

  /** The field errors of a 400 validation answer (empty otherwise). */
  get fieldErrors(): FieldError[] {
    const errors = (this.details as { errors?: unknown } | null | undefined)?.errors;
    return Array.isArray(errors) ? (errors as FieldError[]).filter((e) => typeof e?.path === 'string') : [];
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called when a signed-in request answers 401 (the session expired or was revoked). */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn;
}

/** JSON request to /api/v1 with the session cookie. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    credentials: 'same-origin',
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const e = (body as ErrorBody | null)?.error;
    // login and /me answer 401 as part of their normal flow; elsewhere it means the session is gone
    if (res.status === 401 && !path.startsWith('/auth/') && path !== '/me') onUnauthorized?.();
    const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
    throw new HttpError(res.status, e?.code ?? 'http_error', e?.message ?? res.statusText, Number.isFinite(retryAfter) ? retryAfter : null, e?.details);
  }
  return body as T;
}

/** True for errors worth retrying later (network, 5xx, 429), false for answers that will not change. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof HttpError)) return true;
  return err.status >= 500 || err.status === 429;
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
