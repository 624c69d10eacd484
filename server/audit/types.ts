import type { AuditRecord } from '../../shared/api.js';

/** What happened, by whom, from where: one audit record before it is chained. */
export interface AuditEvent {
  user: string | null;
  role: string | null;
  action: string;
  object: string | null;
  result: 'success' | 'failure' | 'denied';
  address: string | null;
  details?: Record<string, unknown>;
}

/** The append-only audit trail (DESIGN §11). `record` never throws: a failed append is logged. */
export interface Audit {
  record(e: AuditEvent): Promise<void>;
}

/**
 * An audit trail that can also refuse: `recordOrThrow` resolves with the stored record and
 * rejects when it could not be stored, for actions that must not happen unaudited (admin changes).
 */
export interface StrictAudit extends Audit {
  recordOrThrow(e: AuditEvent): Promise<AuditRecord>;
}
