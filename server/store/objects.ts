import type { Redis } from 'ioredis';

/**
 * Fields of many hashes in one command: each command of a pipeline costs the client far more
 * than the server, so reads of hundreds of objects (units for a recommendation, cases for the
 * indicators) go through this script. ARGV: the field names; answers fields × keys, flat.
 */
const HMGET_MANY = `
local out = {}
local n = #ARGV
for i, k in ipairs(KEYS) do
  local vals = redis.call('HMGET', k, unpack(ARGV))
  for f = 1, n do out[(i - 1) * n + f] = vals[f] end
end
return out`;
/** From this many keys on, one script call instead of a pipeline. */
const MANY = 16;
/** Keys per script call, so one call never blocks Redis for long. */
const CHUNK = 2000;

/** HMGET of the same fields on many keys, in key order; absent hashes answer nulls. */
export async function hmgetMany(redis: Redis, hashKeys: readonly string[], fields: readonly string[]): Promise<(string | null)[][]> {
  if (hashKeys.length < MANY) {
    const p = redis.pipeline();
    for (const k of hashKeys) p.hmget(k, ...fields);
    const replies = (await p.exec()) ?? [];
    return hashKeys.map((_, i) => {
      const [err, val] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return val as (string | null)[];
    });
  }
  const out: (string | null)[][] = [];
  for (let i = 0; i < hashKeys.length; i += CHUNK) {
    const chunk = hashKeys.slice(i, i + CHUNK);
    const flat = (await redis.eval(HMGET_MANY, chunk.length, ...chunk, ...fields)) as (string | null)[];
    for (let k = 0; k < chunk.length; k++) out.push(fields.map((_, f) => flat[k * fields.length + f] ?? null));
  }
  return out;
}

/** Reads object hashes {v, j, s} in one round trip; absent objects map to null. */
export async function readObjects<T extends object>(redis: Redis, objectKeys: readonly string[]): Promise<Map<string, T | null>> {
  const out = new Map<string, T | null>();
  if (objectKeys.length === 0) return out;
  const rows = await hmgetMany(redis, objectKeys, ['j', 's']);
  objectKeys.forEach((k, i) => {
    const [j, s] = rows[i]!;
    out.set(k, j === null || j === undefined ? null : ({ ...JSON.parse(j), updatedSeq: s ?? undefined } as T));
  });
  return out;
}

/** Reads one object, or null. */
export async function readObject<T extends object>(redis: Redis, key: string): Promise<T | null> {
  return (await readObjects<T>(redis, [key])).get(key) ?? null;
}
