import type { Redis } from 'ioredis';

/** Reads object hashes {v, j, s} in one round trip; absent objects map to null. */
export async function readObjects<T extends object>(redis: Redis, objectKeys: readonly string[]): Promise<Map<string, T | null>> {
  const out = new Map<string, T | null>();
  if (objectKeys.length === 0) return out;
  const p = redis.pipeline();
  for (const k of objectKeys) p.hmget(k, 'j', 's');
  const replies = await p.exec();
  objectKeys.forEach((k, i) => {
    const [err, val] = replies?.[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    const [j, s] = val as [string | null, string | null];
    out.set(k, j === null ? null : ({ ...JSON.parse(j), updatedSeq: s ?? undefined } as T));
  });
  return out;
}

/** Reads one object, or null. */
export async function readObject<T extends object>(redis: Redis, key: string): Promise<T | null> {
  return (await readObjects<T>(redis, [key])).get(key) ?? null;
}
