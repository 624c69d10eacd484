import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so a resend with reordered keys hashes the same. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

/** Hash of what a producer sent: a resend of (source, id) with another payload is an id_conflict. */
export function payloadHash(raw: unknown): string {
  return createHash('sha1').update(stableStringify(raw)).digest('base64url');
}
