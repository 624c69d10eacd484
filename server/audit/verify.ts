// Verifies the audit hash chain: walks the retained records oldest first (XRANGE in chunks)
// and checks that each record's prevHash is the SHA-256 of the previous record's stored JSON,
// and that `audit:head` is the hash of the last one. A record forged into the stream, one
// removed with XDEL, one edited in place, or records cut off the end all break a link.
// The first retained record is trusted as the start (older ones may have been trimmed).
import type { Redis } from 'ioredis';
import { keys } from '../store/keys.js';
import { GENESIS, parseRecord, sha256Hex, storedJson } from './chain.js';

export interface VerifyResult {
  ok: boolean;
  /** records checked */
  checked: number;
  /** id of the first record where the chain breaks (the record after a gap, the forged one, or the last one when the head disagrees) */
  brokenAt?: string;
  reason?: string;
  /** `genesis`: the chain starts at its first record ever; `trimmed`: older records left by retention */
  start?: 'genesis' | 'trimmed';
  firstId?: string;
  lastId?: string;
  /** the head hash verified; note it down elsewhere to detect a wholesale rewrite later */
  head?: string;
}

type StreamEntry = [id: string, fields: string[]];

/** Checks the chain up to the last record at the time of the call (later appends are not looked at). */
export async function verifyChain(redis: Redis, opts: { chunk?: number } = {}): Promise<VerifyResult> {
  const chunk = Math.max(1, opts.chunk ?? 1000);
  // the head and the last record read atomically, so concurrent appends cannot fake a mismatch
  const snap = await redis.multi().get(keys.auditHead).xrevrange(keys.audit, '+', '-', 'COUNT', 1).exec();
  if (!snap || snap.some(([err]) => err)) throw new Error('audit verify: could not read the chain head');
  const head = snap[0]![1] as string | null;
  const last = (snap[1]![1] as StreamEntry[])[0];
  if (!last) {
    return head === null || head === GENESIS
      ? { ok: true, checked: 0 }
      : { ok: false, checked: 0, reason: 'the chain head is set but the audit stream is empty (records were removed)' };
  }
  const lastId = last[0];
  const result: VerifyResult = { ok: true, checked: 0, lastId };
  let prevHash: string | null = null; // hash of the previous record's stored JSON
  let after = '-';
  for (;;) {
    const start: string = after === '-' ? '-' : `(${after}`;
    const entries = (await redis.xrange(keys.audit, start, lastId, 'COUNT', chunk)) as StreamEntry[];
    for (const [id, fields] of entries) {
      const json = storedJson(fields);
      const rec = json === null ? null : parseRecord(id, json);
      if (json === null || rec === null) return broken(result, id, 'the stored record is not a well-formed audit record');
      if (prevHash === null) {
        result.firstId = id;
        result.start = rec.prevHash === GENESIS ? 'genesis' : 'trimmed';
      } else if (rec.prevHash !== prevHash) {
        return broken(result, id, 'prevHash does not match the previous record: a record before it was removed, inserted or changed');
      }
      prevHash = sha256Hex(json);
      result.checked += 1;
    }
    if (entries.length < chunk) break;
    after = entries[entries.length - 1]![0];
    if (after === lastId) break;
  }
  if (prevHash === null || prevHash !== head) return broken(result, lastId, 'the chain head does not match the last record: records were removed from the end or the last one changed');
  result.head = prevHash;
  return result;
}

function broken(r: VerifyResult, id: string, reason: string): VerifyResult {
  return { ...r, ok: false, brokenAt: id, reason };
}
