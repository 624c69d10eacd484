// Building blocks of the OpenAPI document (server/http/openapi.ts and openapi-admin.ts).
import { z } from 'zod';

export type Json = Record<string, unknown>;

export const schema = (s: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as Json;
  return rest;
};
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const body = (name: string, description = 'OK') => ({ description, content: { 'application/json': { schema: ref(name) } } });
export const error = (description: string) => body('Error', description);
export const jsonBody = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });

/** Query parameters of an object schema, each with its JSON schema. */
export function queryParams(s: z.ZodObject): Json[] {
  const js = schema(s) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: p }));
}

/** 401 (no session), 403 (the permission is missing: `details.permission`), 503 (Redis down). */
export const authErrors = { 401: error('Not signed in'), 403: error('Permission missing (forbidden) or a cookie write from a foreign Origin (csrf)'), 503: error('Redis unavailable') };

export const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 128 } };
export const idempotencyParam = {
  name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 },
  description: 'A repeat by the same user within 24 h returns the first answer unchanged (header Idempotent-Replayed: true) and appends nothing; '
    + 'the same key with a different request answers 422 idempotency_conflict.',
};
