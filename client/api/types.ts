// Answer and request types of the REST API, inferred from the shared zod schemas. Type-only
// imports keep zod out of the browser bundle.
import type { z } from 'zod';
import type {
  adminUserSchema,
  auditPageSchema,
  auditRecordSchema,
  createCredentialSchema,
  createUserSchema,
  credentialSchema,
  incidentDetailSchema,
  incidentListSchema,
  issuedCredentialSchema,
  loginRequestSchema,
  loginResponseSchema,
  unitListSchema,
  updateUserSchema,
} from '../../shared/api.js';

export type IncidentList = z.infer<typeof incidentListSchema>;
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;
export type UnitList = z.infer<typeof unitListSchema>;
export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export type AdminUser = z.infer<typeof adminUserSchema>;
export type CreateUser = z.infer<typeof createUserSchema>;
export type UpdateUser = z.infer<typeof updateUserSchema>;
export type Credential = z.infer<typeof credentialSchema>;
export type CreateCredential = z.infer<typeof createCredentialSchema>;
export type IssuedCredential = z.infer<typeof issuedCredentialSchema>;
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type AuditPage = z.infer<typeof auditPageSchema>;

/** Answer of GET /audit/verify (no shared schema yet). */
export interface AuditVerification {
  ok: boolean;
  /** records checked */
  checked: number;
  /** the id (or position) of the first record whose hash does not match, when broken */
  brokenAt?: string | number | null;
  reason?: string | null;
}
