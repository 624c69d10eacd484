// Count spikes (DESIGN §8), in two halves.
//
// Counting — a `count` timer job per incident report (entry-jobs.ts, id `count.<seq>`): one Lua
// script adds the entry's seq to the district-hour's seen set and, only when it was not there,
// increments the hour's field in the series hash; so a job retried, or an entry delivered again
// (a rewound consumer group, a job id added again after its record was removed), counts once.
//   spikecount:<district>:<category>   hash: hour start (ms, UTC) → reports in that hour
//   spikecount:seen:<district>:<hour>  set of the seqs counted for that hour, expires after 70 days
//   spikecount:series                  zset: series ([district, category] as JSON) → first hour counted
// Bounded: when a series hash passes 2 × 9 weeks of fields, the same script drops the fields more
// than 9 weeks older than the hour being counted, so a hash never holds more than ~3,000 fields.
//
// Evaluating — the `spikes` maintenance job, hourly at minute 10 (UTC): for the hour that closed
// last, every series reads its 8-week window and that hour, asks evaluateHour (spike.ts) through
// spike-rules.ts, raises one `spike` alert per series (id from district, category and hour; one
// open per subject `spike:<district>:<category>`), and clears an open one when a later hour is
// quiet. A run that is missed is not made good: that hour is not evaluated.
import type { Alert, AlertOpenMarker } from '../../shared/objects.js';
import { evaluateHour, type SpikeOptions } from '../alerts/spike.js';
import {
  closedHourAt, decideSpike, HOUR_MS, seriesWindow, SPIKE_KEEP_HOURS, SPIKE_KIND, spikeSubject, windowFields, type CountJobData,
} from '../alerts/spike-rules.js';
import { keys } from '../store/keys.js';
import { readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import type { WriteFact } from './fact-writer.js';

/** Seen sets outlive the 8-week window plus late deliveries. */
export const SPIKE_SEEN_TTL_SECONDS = 70 * 24 * 3600;
/** A series hash is trimmed when it holds more fields than this. */
const TRIM_ABOVE_FIELDS = 2 * SPIKE_KEEP_HOURS;

// KEYS: seen set, series hash, series index; ARGV: member, hour field, seen TTL (s), series id, trim-below hour, trim-above fields
const COUNT_LUA = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('ZADD', KEYS[3], 'LT', ARGV[2], ARGV[4])
if redis.call('HLEN', KEYS[2]) > tonumber(ARGV[6]) then
  local below = tonumber(ARGV[5])
  for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
    local t = tonumber(f)
    if t == nil or t < below then redis.call('HDEL', KEYS[2], f) end
  end
end
return 1
`;

export const seriesId = (district: string, category: string): string => JSON.stringify([district, category]);

/** Counts one report once: 1 when counted now, 0 when it had been counted before. */
export async function countReport(redis: ScriptedRedis, d: CountJobData): Promise<number> {
  const r = await redis.eval(
    COUNT_LUA, 3,
    keys.spikeSeen(d.district, d.hourStart), keys.spikeCounts(d.district, d.category), keys.spikeSeries,
    d.member, String(d.hourStart), SPIKE_SEEN_TTL_SECONDS, seriesId(d.district, d.category),
    String(d.hourStart - SPIKE_KEEP_HOURS * HOUR_MS), TRIM_ABOVE_FIELDS,
  );
  return Number(r);
}

export interface SpikeDeps {
  redis: ScriptedRedis;
  write: WriteFact;
  /** detector options (defaults: spike.ts) */
  options?: Partial<SpikeOptions>;
  now?: () => number;
}

export interface SpikeRun { hourStart: string; checked: number; raised: number; cleared: number }

const iso = (ms: number) => new Date(ms).toISOString();
const BY = 'worker/spikes';
const CHUNK = 50;

export function createSpikeJobs(deps: SpikeDeps) {
  const { redis, write } = deps;
  const now = deps.now ?? Date.now;

  async function openAlerts(subjects: readonly string[]): Promise<(Alert | null)[]> {
    const markerKeys = subjects.map((s) => keys.alertOpen(SPIKE_KIND, s));
    const markers = await readObjects<AlertOpenMarker>(redis, markerKeys);
    const ids = markerKeys.map((k) => markers.get(k)?.id ?? null);
    const alerts = await readObjects<Alert>(redis, ids.filter((x): x is string => x !== null).map((id) => keys.object('alert', id)));
    return ids.map((id) => (id ? alerts.get(keys.object('alert', id)) ?? null : null));
  }

  /** Evaluates the hour that closed last (at `now`) for every series. */
  async function spikes(): Promise<SpikeRun> {
    const t = now();
    const hour = closedHourAt(t);
    const raw = await redis.zrange(keys.spikeSeries, 0, -1, 'WITHSCORES');
    const series: { district: string; category: string; first: number }[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const [district, category] = JSON.parse(raw[i]!) as [string, string];
      series.push({ district, category, first: Number(raw[i + 1]) });
    }
    const fields = windowFields(hour);
    let raised = 0;
    let cleared = 0;
    for (let c = 0; c < series.length; c += CHUNK) {
      const batch = series.slice(c, c + CHUNK);
      const p = redis.pipeline();
      for (const s of batch) p.hmget(keys.spikeCounts(s.district, s.category), ...fields);
      const rows = (await p.exec()) ?? [];
      const open = await openAlerts(batch.map((s) => spikeSubject(s.district, s.category)));
      for (const [i, s] of batch.entries()) {
        const [err, values] = rows[i] ?? [null, null];
        if (err) throw err;
        const { history, observed } = seriesWindow((values ?? []) as (string | null)[], hour, s.first);
        const v = decideSpike(s.district, s.category, hour, observed, evaluateHour(history, observed, deps.options), open[i] ?? null);
        if (v.kind === 'raise') {
          const r = await write('alert.raised', `raise.${v.alertId}`, iso(hour + HOUR_MS), {
            alertId: v.alertId, kind: SPIKE_KIND, severity: v.severity, scope: s.district,
            subject: spikeSubject(s.district, s.category), evidence: v.evidence,
          });
          if (r.kind === 'accepted') raised++;
        } else if (v.kind === 'clear') {
          const r = await write('alert.cleared', `clear.${v.alertId}`, iso(t), { alertId: v.alertId, by: BY, reason: 'cause_gone' });
          if (r.kind === 'accepted') cleared++;
        }
      }
    }
    return { hourStart: iso(hour), checked: series.length, raised, cleared };
  }

  return { spikes };
}
