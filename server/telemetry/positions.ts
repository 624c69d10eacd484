import type { EventData } from '../../shared/events.js';
import type { Fix } from '../../shared/objects.js';
import { keys, telemetryKeys } from '../store/keys.js';
import { hmgetMany } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';

export interface PositionFix {
  unitId: string;
  atMs: number;
  lat: number;
  lon: number;
  speed: number | null;
  heading: number | null;
  accuracy: number | null;
}

/** Builds a fix from `unit.position` data and the entry time. */
export function toFix(data: EventData<'unit.position'>, atMs: number): PositionFix {
  return { unitId: data.unitId, atMs, lat: data.lat, lon: data.lon, speed: data.speed ?? null, heading: data.heading ?? null, accuracy: data.accuracy ?? null };
}

/** Pub/sub channel on the telemetry Redis carrying applied fixes. */
export const POSITIONS_CHANNEL = 'positions';
/** A fix as published: [unitId, atMs, lat, lon, speed, heading]. */
export type PublishedFix = [string, number, number, number, number | null, number | null];

const num = (s: string | null | undefined) => (s === null || s === undefined || s === '' ? null : Number(s));

/** Parses a telemetry or durable fix hash (at, lat, lon, speed, heading). */
export function parseFix(h: (string | null)[]): Fix | null {
  const [at, lat, lon, speed, heading] = h;
  if (!at || !lat || !lon) return null;
  return { at: new Date(Number(at)).toISOString(), lat: Number(lat), lon: Number(lon), speed: num(speed), heading: num(heading) };
}

/**
 * Positions are not facts: they go to the volatile telemetry Redis (newest fix wins, geo index,
 * 10-minute trail) and reach the durable store at most every 30 s per unit.
 */
export class PositionStore {
  private readonly known = new Set<string>();

  constructor(private readonly telemetry: ScriptedRedis, private readonly durable: ScriptedRedis) {}

  /** Marks units known (e.g. registered in the same batch) so their fixes skip the lookup. */
  remember(unitIds: Iterable<string>): void {
    for (const u of unitIds) this.known.add(u);
  }

  /** Stores fixes; answers per fix whether the unit is known. Older fixes are ignored silently. */
  async accept(fixes: readonly PositionFix[], nowMs = Date.now()): Promise<('ok' | 'unknown_unit')[]> {
    await this.lookup(fixes.map((f) => f.unitId));
    const ok = fixes.filter((f) => this.known.has(f.unitId));
    if (ok.length) {
      const argv: (string | number)[] = [nowMs, ok.length];
      for (const f of ok) argv.push(f.unitId, f.atMs, f.lat, f.lon, f.speed ?? '', f.heading ?? '', f.accuracy ?? '');
      const applied = (await this.telemetry.pinganPositions(...argv)) as number[];
      const fresh = ok.filter((_, i) => applied[i]! >= 1);
      // every server instance relays these to its own sockets (volatile, coalesced)
      if (fresh.length) await this.telemetry.publish(POSITIONS_CHANNEL, JSON.stringify(fresh.map((f) => [f.unitId, f.atMs, f.lat, f.lon, f.speed, f.heading])));
      const due = ok.filter((_, i) => applied[i] === 2);
      if (due.length) {
        const p = this.durable.pipeline() as unknown as ScriptedRedis;
        for (const f of due) void p.pinganFix(keys.unitFix(f.unitId), f.atMs, f.lat, f.lon, f.speed ?? '', f.heading ?? '');
        await (p as unknown as { exec(): Promise<unknown> }).exec();
      }
    }
    return fixes.map((f) => (this.known.has(f.unitId) ? 'ok' : 'unknown_unit'));
  }

  private async lookup(unitIds: string[]): Promise<void> {
    const missing = [...new Set(unitIds.filter((u) => !this.known.has(u)))];
    if (missing.length === 0) return;
    const p = this.durable.pipeline();
    for (const u of missing) p.exists(keys.object('unit', u));
    const replies = (await p.exec()) ?? [];
    missing.forEach((u, i) => {
      const [err, n] = replies[i] ?? [null, 0];
      if (err) throw err;
      if (n === 1) this.known.add(u);
    });
  }

  /**
   * Latest fixes of units: the telemetry store's; the durable copy (written from the same
   * stream at most every 30 s, so never newer) only for units the telemetry store has lost.
   */
  async latest(unitIds: readonly string[]): Promise<Map<string, Fix | null>> {
    const out = new Map<string, Fix | null>();
    if (unitIds.length === 0) return out;
    const fields = ['at', 'lat', 'lon', 'speed', 'heading'];
    const tr = await hmgetMany(this.telemetry, unitIds.map((u) => telemetryKeys.position(u)), fields);
    const missing: string[] = [];
    unitIds.forEach((u, i) => {
      const t = parseFix(tr[i]!);
      out.set(u, t);
      if (!t) missing.push(u);
    });
    if (missing.length) {
      const dr = await hmgetMany(this.durable, missing.map((u) => keys.unitFix(u)), fields);
      missing.forEach((u, i) => out.set(u, parseFix(dr[i]!)));
    }
    return out;
  }

  /** Units whose last fix lies within `radiusM` of a point, nearest first. */
  async near(loc: { lat: number; lon: number }, radiusM: number): Promise<string[]> {
    return (await this.telemetry.call('GEOSEARCH', telemetryKeys.unitsGeo, 'FROMLONLAT', loc.lon, loc.lat, 'BYRADIUS', radiusM, 'm', 'ASC')) as string[];
  }

  /** The time (ms) of each unit's latest fix in the telemetry store, null when it has none. */
  async fixTimes(unitIds: readonly string[]): Promise<(number | null)[]> {
    const out: (number | null)[] = [];
    for (let i = 0; i < unitIds.length; i += 2000) {
      const chunk = unitIds.slice(i, i + 2000);
      if (chunk.length === 0) break;
      const scores = (await this.telemetry.call('ZMSCORE', telemetryKeys.fixTimes, ...chunk)) as (string | null)[];
      for (const sc of scores) out.push(sc === null ? null : Number(sc));
    }
    return out;
  }

  /** The trail of the last 10 minutes, oldest first. */
  async trail(unitId: string, nowMs = Date.now()): Promise<Fix[]> {
    const members = await this.telemetry.zrangebyscore(telemetryKeys.trail(unitId), nowMs - 600_000, '+inf');
    return members.map((m) => {
      const [at, lat, lon, speed, heading] = m.split(',');
      return parseFix([at ?? null, lat ?? null, lon ?? null, speed ?? null, heading ?? null])!;
    });
  }
}
