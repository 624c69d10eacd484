// OpenAPI paths of the audit trail (GET /audit, GET /audit/verify), spread into server/http/openapi.ts.
import { z } from 'zod';
import { auditPageSchema, auditQuerySchema, auditRecordSchema } from '../../shared/api.js';
import { authErrors, body, error, queryParams, schema, type Json } from '../http/openapi-kit.js';

/** Answer of GET /audit/verify (VerifyResult in verify.ts). */
export const auditVerifySchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  brokenAt: z.string().optional(),
  reason: z.string().optional(),
  start: z.enum(['genesis', 'trimmed']).optional(),
  firstId: z.string().optional(),
  lastId: z.string().optional(),
  head: z.string().optional(),
});

export const auditSchemas = (): Json => ({
  AuditRecord: schema(auditRecordSchema), AuditPage: schema(auditPageSchema), AuditVerification: schema(auditVerifySchema),
});

const needs = 'Permission `audit.read` (admins and auditors).';

export const auditPaths = (): Json => ({
  '/audit': {
    get: {
      summary: 'The audit trail, newest first; `cursor` is the last id of the previous page', description: needs,
      parameters: queryParams(auditQuerySchema), responses: { 200: body('AuditPage'), 400: error('Invalid limit or cursor'), ...authErrors },
    },
  },
  '/audit/verify': {
    get: {
      summary: 'Verify the hash chain of the retained records (audited as audit.verify)', description: needs,
      responses: { 200: body('AuditVerification'), ...authErrors },
    },
  },
});
