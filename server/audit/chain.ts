// Pure parts of the audit hash chain: the stored JSON of a record, its SHA-256, linking a batch
// of records onto a head, and reading a stored record back. No Redis here.
import { createHash } from 'node:crypto';
import { auditRecordSchema, type AuditRecord } from '../../shared/api.js';
import type { AuditEvent } from './types.js';

/** prevHash of the very first record of a chain. */
export const GENESIS = '0'.repeat(64);

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** An event with the time it happened (UTC ISO), waiting to be chained. */
export interface PendingRecord {
  e: AuditEvent;
  time: string;
}

/**
 * The stored JSON of one record: the record without its id (the stream id is the id), in a
 * fixed field order. The next record's prevHash is the SHA-256 of exactly this text.
 */
export function recordJson(e: AuditEvent, time: string, prevHash: string): string {
  return JSON.stringify(recordBody(e, time, prevHash));
}

/** The record without its id, fields in their stored order. */
export function recordBody(e: AuditEvent, time: string, prevHash: string): Omit<AuditRecord, 'id'> {
  const r: Omit<AuditRecord, 'id'> = {
    time, user: e.user ?? null, role: e.role ?? null, action: e.action, object: e.object ?? null,
    result: e.result, address: e.address ?? null, prevHash,
  };
  if (e.details !== undefined) r.details = e.details;
  return r;
}

/** Records linked onto a head: their stored JSON, each one's prevHash, and the new head. */
export interface Chained {
  jsons: string[];
  prevHashes: string[];
  head: string;
}

/** Links records onto `head`, oldest first: each prevHash is the hash of the one before. */
export function chainRecords(head: string, items: readonly PendingRecord[]): Chained {
  const jsons: string[] = [];
  const prevHashes: string[] = [];
  let prev = head;
  for (const { e, time } of items) {
    const json = recordJson(e, time, prev);
    jsons.push(json);
    prevHashes.push(prev);
    prev = sha256Hex(json);
  }
  return { jsons, prevHashes, head: prev };
}

const storedSchema = auditRecordSchema.omit({ id: true });

/** A stored record with its id, or null when the text is not a well-formed record. */
export function parseRecord(id: string, json: string): AuditRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  const r = storedSchema.safeParse(v);
  return r.success ? { id, ...r.data } : null;
}

/** The record JSON (field `r`) of a stream entry's flat field list, or null. */
export function storedJson(fields: readonly string[]): string | null {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'r') return fields[i + 1]!;
  return null;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
/** True for a Redis stream id such as `1700000000000-0` (the audit cursor). */
export const isStreamId = (s: string): boolean => STREAM_ID.test(s);
