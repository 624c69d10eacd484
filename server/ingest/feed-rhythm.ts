// The rhythm of each ingest source (DESIGN §8 silent feeds): after a batch, per distinct source
// with an event accepted (or recognised as a duplicate: the source is alive), the time of the
// batch and an exponentially weighted mean of the gaps between batches (alpha 0.1), with the
// number of gaps seen, in `feed:<source>`; `feeds` indexes the sources by last time. One
// round trip (a pipeline of one small script per source), atomic per source across servers.
// The same arithmetic as observeBatch in server/alerts/feed-rules.ts.
import type { Redis } from 'ioredis';
import { FEED_GAP_ALPHA } from '../alerts/feed-rules.js';
import { keys } from '../store/keys.js';

const OBSERVE = `
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'last', 'gap', 'n')
local last = tonumber(h[1])
if last == nil then
  redis.call('HSET', KEYS[1], 'last', ARGV[1], 'n', 0)
elseif now >= last then
  local g = now - last
  local gap = tonumber(h[2])
  if gap == nil then gap = g else gap = gap + tonumber(ARGV[2]) * (g - gap) end
  redis.call('HSET', KEYS[1], 'last', ARGV[1], 'gap', tostring(gap), 'n', (tonumber(h[3]) or 0) + 1)
else
  return 0
end
redis.call('ZADD', KEYS[2], now, ARGV[3])
return 1
`;

/** The sources of the events of a batch that were not rejected, each once. */
export function heardSources(raw: readonly unknown[], rejectedIndexes: Iterable<number>): string[] {
  const rejected = new Set(rejectedIndexes);
  const out = new Set<string>();
  raw.forEach((e, i) => {
    if (rejected.has(i) || !e || typeof e !== 'object') return;
    const source = (e as { source?: unknown }).source;
    if (typeof source === 'string' && source) out.add(source);
  });
  return [...out];
}

/** Records one batch heard from each source at `nowMs`. */
export async function noteFeeds(redis: Redis, sources: readonly string[], nowMs = Date.now()): Promise<void> {
  if (sources.length === 0) return;
  const p = redis.pipeline();
  for (const s of sources) p.eval(OBSERVE, 2, keys.feed(s), keys.feeds, nowMs, FEED_GAP_ALPHA, s);
  const replies = (await p.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
}
