// Dispatch recommendations (DESIGN §7): a pure ranking of candidate units for one incident, no I/O.
// Available units with the required skills are ranked by ETA = great-circle distance × a road
// factor ÷ a speed per unit kind. Workload (dispatches in the last hours), fair rotation (minutes
// idle) and the home grid move a unit's score by at most ±20 % of its ETA:
// score = eta × (1 + adjustment), adjustment clamped to [-0.2, 0.2]. Units without a fix younger
// than 5 minutes are listed apart, unranked. Ties break by unitId, so the answer is deterministic.

/** A short, translatable reason code with its values. */
export type Reason =
  | { code: 'eta'; seconds: number }
  | { code: 'distance'; meters: number }
  | { code: 'workload'; dispatches: number; hours: number }
  | { code: 'rotation'; minutesIdle: number }
  | { code: 'home_grid' }
  | { code: 'stale_fix'; ageSeconds: number | null }
  | { code: 'not_located' };

export interface RecommendIncident {
  location: { lat: number; lon: number } | null;
  gridId: string | null;
}

export interface Candidate {
  unitId: string;
  callsign: string;
  kind: string;
  status: string;
  skills: readonly string[];
  homeGrid: string | null;
  /** the freshest known fix (`at` is an ISO time), or null */
  fix: { lat: number; lon: number; at: string } | null;
  /** dispatches within the workload window (default 0) */
  recentDispatches?: number;
  /** minutes since the unit last finished or was dispatched; null or absent: unknown (no rotation term) */
  minutesIdle?: number | null;
}

export interface RecommendOptions {
  /** the clock, in ms since the epoch (the function never reads it itself) */
  now: number;
  /** every one of these skills is needed; a unit lacking one is left out entirely */
  requiredSkills?: readonly string[];
  /** road distance ÷ great-circle distance (default 1.3) */
  roadFactor?: number;
  /** km/h per unit kind (default: car 30 urban, bike 15, foot 5, community_patrol 5) */
  speedsKmh?: Readonly<Record<string, number>>;
  /** km/h for kinds missing from the table (default 10) */
  defaultSpeedKmh?: number;
  /** a fix older than this is stale (default 5 minutes) */
  staleAfterMs?: number;
  /** the workload window named in the reason (default 8 h; the caller counts the dispatches) */
  workloadHours?: number;
  /** adjustment per recent dispatch (default +0.05, so four dispatches reach the bound) */
  perDispatch?: number;
  /** minutes idle for the full rotation bonus (default 120 → -0.2) */
  rotationFullMinutes?: number;
  /** adjustment when the incident lies in the unit's home grid (default -0.05) */
  homeGridBonus?: number;
  /** the bound of the adjustment either way (default 0.2, as DESIGN §7 asks; never more) */
  maxAdjustment?: number;
  /** at most this many ranked items (default: all) */
  limit?: number;
}

export interface Recommendation {
  unitId: string;
  callsign: string;
  kind: string;
  etaSeconds: number;
  distanceMeters: number;
  score: number;
  reasons: Reason[];
}

export interface Unranked {
  unitId: string;
  callsign: string;
  kind: string;
  reasons: Reason[];
}

export interface RecommendResult {
  items: Recommendation[];
  unranked: Unranked[];
}

export const DEFAULT_SPEEDS_KMH: Readonly<Record<string, number>> = { car: 30, bike: 15, foot: 5, community_patrol: 5 };
export const DEFAULT_SPEED_KMH = 10;
export const DEFAULT_ROAD_FACTOR = 1.3;
export const STALE_FIX_MS = 5 * 60_000;
const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in meters (haversine). */
export function greatCircleMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

const byId = (a: { unitId: string }, b: { unitId: string }) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0);
const positive = (x: number | undefined, dflt: number) => (x !== undefined && Number.isFinite(x) && x > 0 ? x : dflt);

/** Ranks the candidates for the incident (see the file comment). */
export function recommendUnits(incident: RecommendIncident, candidates: readonly Candidate[], opts: RecommendOptions): RecommendResult {
  const required = opts.requiredSkills ?? [];
  const roadFactor = positive(opts.roadFactor, DEFAULT_ROAD_FACTOR);
  const speeds = opts.speedsKmh ?? DEFAULT_SPEEDS_KMH;
  const defaultSpeed = positive(opts.defaultSpeedKmh, DEFAULT_SPEED_KMH);
  const staleAfter = opts.staleAfterMs ?? STALE_FIX_MS;
  const hours = opts.workloadHours ?? 8;
  const perDispatch = opts.perDispatch ?? 0.05;
  const fullMinutes = positive(opts.rotationFullMinutes, 120);
  const homeBonus = opts.homeGridBonus ?? 0.05;
  const bound = Math.min(0.2, Math.max(0, opts.maxAdjustment ?? 0.2));

  // scored first, reasons and answer objects only for the units returned
  const scored: { c: Candidate; eta: number; meters: number; rawScore: number; home: boolean; idle: number; dispatches: number }[] = [];
  const unranked: Unranked[] = [];
  for (const c of candidates) {
    if (c.status !== 'available') continue;
    if (required.length && !required.every((s) => c.skills.includes(s))) continue;
    const home = incident.gridId !== null && c.homeGrid === incident.gridId;
    const at = c.fix ? Date.parse(c.fix.at) : NaN;
    const ageMs = Number.isNaN(at) ? null : Math.max(0, opts.now - at);
    if (ageMs === null || ageMs > staleAfter || !incident.location) {
      const why: Reason = ageMs === null || ageMs > staleAfter
        ? { code: 'stale_fix', ageSeconds: ageMs === null ? null : Math.round(ageMs / 1000) }
        : { code: 'not_located' };
      unranked.push({ unitId: c.unitId, callsign: c.callsign, kind: c.kind, reasons: home ? [why, { code: 'home_grid' }] : [why] });
      continue;
    }
    const meters = greatCircleMeters(c.fix!, incident.location);
    const eta = (meters * roadFactor) / (positive(speeds[c.kind], defaultSpeed) / 3.6);
    const dispatches = Math.max(0, c.recentDispatches ?? 0);
    const idle = Math.floor(c.minutesIdle ?? 0); // whole minutes: a unit free for seconds gets no rotation term
    let adjustment = dispatches * perDispatch;
    if (idle >= 1) adjustment -= bound * Math.min(1, idle / fullMinutes);
    if (home) adjustment -= homeBonus;
    adjustment = Math.min(bound, Math.max(-bound, adjustment));
    scored.push({ c, eta, meters, rawScore: eta * (1 + adjustment), home, idle, dispatches });
  }
  scored.sort((a, b) => a.rawScore - b.rawScore || byId(a.c, b.c));
  unranked.sort(byId);
  const top = opts.limit === undefined ? scored : scored.slice(0, Math.max(0, opts.limit));
  const items = top.map(({ c, eta, meters, rawScore, home, idle, dispatches }): Recommendation => {
    const reasons: Reason[] = [{ code: 'eta', seconds: Math.round(eta) }, { code: 'distance', meters: Math.round(meters) }];
    if (dispatches > 0) reasons.push({ code: 'workload', dispatches, hours });
    if (idle >= 1) reasons.push({ code: 'rotation', minutesIdle: idle });
    if (home) reasons.push({ code: 'home_grid' });
    return { unitId: c.unitId, callsign: c.callsign, kind: c.kind, etaSeconds: Math.round(eta), distanceMeters: Math.round(meters), score: Math.round(rawScore), reasons };
  });
  return { items, unranked };
}

/**
 * The lowest score any unit farther than `radiusM` from the incident can have: the fastest kind
 * on the straight line, with the largest bonus. A search that widens its radius until its
 * `limit`-th score is below this has ranked exactly as if it had read every unit.
 */
export function scoreFloorBeyond(radiusM: number, opts: Pick<RecommendOptions, 'roadFactor' | 'speedsKmh' | 'defaultSpeedKmh' | 'maxAdjustment'> = {}): number {
  const roadFactor = positive(opts.roadFactor, DEFAULT_ROAD_FACTOR);
  const speeds = Object.values(opts.speedsKmh ?? DEFAULT_SPEEDS_KMH).filter((v) => Number.isFinite(v) && v > 0);
  const fastest = Math.max(positive(opts.defaultSpeedKmh, DEFAULT_SPEED_KMH), ...speeds) / 3.6;
  const bound = Math.min(0.2, Math.max(0, opts.maxAdjustment ?? 0.2));
  return ((radiusM * roadFactor) / fastest) * (1 - bound);
}

/** A unit as a ranking candidate: its freshest fix, and minutes idle from `statusSince` while available. */
export function candidateOf(u: {
  id: string; callsign: string; kind: string; status: string; skills: readonly string[]; homeGrid: string | null;
  statusSince: string; lastFix: { lat: number; lon: number; at: string } | null;
}, now: number): Candidate {
  const since = Date.parse(u.statusSince);
  return {
    unitId: u.id, callsign: u.callsign, kind: u.kind, status: u.status, skills: u.skills, homeGrid: u.homeGrid,
    fix: u.lastFix ? { lat: u.lastFix.lat, lon: u.lastFix.lon, at: u.lastFix.at } : null,
    // dispatches in the last hours are not counted yet (no per-unit dispatch index)
    recentDispatches: 0,
    minutesIdle: Number.isNaN(since) ? null : Math.max(0, (now - since) / 60_000),
  };
}
