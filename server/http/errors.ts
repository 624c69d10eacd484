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

const sizeText = (bytes: unknown) =>
  typeof bytes !== 'number' ? 'the limit' : bytes % 1_048_576 === 0 ? `${bytes / 1_048_576} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;

/**
 * The request body could not be read (body-parser's errors: http-errors with a 4xx status the
 * client caused — a bad charset, a Content-Encoding that is unknown or does not match the bytes,
 * too large, not JSON): a structured 4xx, never a 500. Null for any other error.
 */
function bodyError(err: unknown): ApiError | null {
  const x = err as { type?: unknown; status?: unknown; expose?: unknown; limit?: unknown } | null;
  if (!x || typeof x.status !== 'number' || x.status < 400 || x.status > 499 || x.expose !== true) return null;
  switch (x.type) {
    case 'entity.too.large': return new ApiError(413, 'payload_too_large', `request body exceeds ${sizeText(x.limit)}`);
    case 'entity.parse.failed': return new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    case 'charset.unsupported': return new ApiError(415, 'unsupported_media_type', 'request body must be JSON in UTF-8');
    case 'encoding.unsupported': return new ApiError(415, 'unsupported_media_type', 'unsupported Content-Encoding (gzip, deflate, br or identity)');
    // e.g. a Content-Encoding the bytes are not in (zlib's error, wrapped as a 400)
    default: return x.status === 400 ? new ApiError(400, 'invalid_body', 'request body could not be read (does Content-Encoding match it?)') : null;
  }
}

/** The one error middleware: stable codes out, unknown errors logged and answered generically. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (isRedisDown(err)) e = unavailable();
    else if (bodyError(err)) e = bodyError(err)!;
    else {
      log.error('unhandled error', err);
      e = new ApiError(500, 'internal', 'internal error');
    }
    if (res.headersSent) return;
    for (const [h, v] of Object.entries(e.headers)) res.setHeader(h, v);
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } });
  };
}
