import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { fieldErrors } from '../../shared/validation.js';
import type { Logger } from '../logger.js';

/** An error with a stable code that the error middleware turns into a response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const unavailable = (what = 'the store') =>
  new ApiError(503, 'unavailable', `${what} is unavailable; retry shortly`, undefined, { 'Retry-After': '1' });

/** Redis command-connection failures surface as 503, never as a 500 or a hang. */
export function isRedisDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return /Stream isn't writeable|enableOfflineQueue|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET|MaxRetriesPerRequest|LOADING|READONLY|CLUSTERDOWN|MASTERDOWN|Reached the max retries/i
    .test(err.message) || err.name === 'MaxRetriesPerRequestError';
}

/** Validation failure naming every bad field. */
export function validationError(issues: readonly z.core.$ZodIssue[], prefix: string): ApiError {
  const errors = fieldErrors(issues, prefix);
  return new ApiError(400, 'invalid_request', errors.map((e) => e.message).join('; '), { errors });
}

/** Parses `schema` from a request part into res.locals[key] (Express 5's req.query is a getter). */
export function parse<S extends z.ZodType>(schema: S, part: 'query' | 'body' | 'params', key: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const r = schema.safeParse(req[part] ?? {}, { reportInput: true });
    if (!r.success) return next(validationError(r.error.issues, part === 'body' ? '' : part));
    res.locals[key] = r.data;
    next();
  };
}

/** The one error middleware: stable codes out, unknown errors logged and answered generically. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (isRedisDown(err)) e = unavailable();
    else if ((err as { type?: string }).type === 'entity.too.large') e = new ApiError(413, 'payload_too_large', 'request body exceeds 1 MiB');
    else if ((err as { type?: string }).type === 'entity.parse.failed') e = new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    else {
      log.error('unhandled error', err);
      e = new ApiError(500, 'internal', 'internal error');
    }
    if (res.headersSent) return;
    for (const [h, v] of Object.entries(e.headers)) res.setHeader(h, v);
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } });
  };
}
