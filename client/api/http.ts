import type { ErrorBody } from '../../shared/api.js';

/** An API error with the server's stable code. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
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
    throw new HttpError(res.status, e?.code ?? 'http_error', e?.message ?? res.statusText);
  }
  return body as T;
}
