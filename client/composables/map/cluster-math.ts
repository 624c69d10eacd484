// Pure helpers of the live map's clustering and unit canvas: no Leaflet, no DOM, so that the unit
// tests (node) run them. Screen positions are Leaflet's: Web Mercator, 256 px tiles.
import { OPEN_INCIDENT_STATUSES } from '../../../shared/constants.js';
import { slaDue, slaTargetSeconds } from '../../../shared/sla.js';
import type { Incident } from '../../../shared/objects.js';

/** Incidents are clustered above this many open, located ones (DESIGN §9)… */
export const CLUSTER_ABOVE = 1000;
/** …and drawn one by one again below this many (a margin, so that the mode does not flap). */
export const UNCLUSTER_BELOW = 900;

/** Whether the incidents are to be clustered, given how many there are and the current mode. */
export const shouldCluster = (n: number, clustering: boolean) => (clustering ? n >= UNCLUSTER_BELOW : n > CLUSTER_ABOVE);

/** An incident as the cluster worker holds it. */
export interface ClusterPoint {
  id: string;
  lat: number;
  lon: number;
  /** priority 1..4 */
  p: number;
  /** past its SLA before arrival */
  o: boolean;
}

/** A cluster or a single incident in the worker's answer. */
export type ClusterItem =
  | { kind: 'cluster'; clusterId: number; lat: number; lon: number; count: number; /** counts of priorities 1..4 */ byPriority: [number, number, number, number]; overdue: number }
  | { kind: 'point'; id: string; lat: number; lon: number };

/** Main thread → worker. */
export type ToWorker =
  | { type: 'load'; points: ClusterPoint[] }
  | { type: 'query'; seq: number; bbox: [number, number, number, number]; zoom: number }
  | { type: 'expand'; seq: number; clusterId: number };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'clusters'; seq: number; items: ClusterItem[] }
  | { type: 'expand'; seq: number; zoom: number | null };

/** States before arrival, in which the SLA clock runs. */
const PRE_ARRIVAL: readonly string[] = ['new', 'dispatched', 'en_route'];

/** Open, not yet arrived, and past the SLA target. */
export function isOverdue(i: Incident, now: number): boolean {
  return OPEN_INCIDENT_STATUSES.includes(i.status) && PRE_ARRIVAL.includes(i.status) && now > slaDue(i);
}

/** Where an incident stands against its SLA: `ok`, `late` (three quarters of the target gone) or `overdue`; null once a unit arrived. */
export type SlaState = 'ok' | 'late' | 'overdue';
export function slaState(i: Incident, now: number): SlaState | null {
  if (!OPEN_INCIDENT_STATUSES.includes(i.status) || !PRE_ARRIVAL.includes(i.status)) return null;
  const due = slaDue(i);
  if (now > due) return 'overdue';
  const start = due - slaTargetSeconds(i.priority, i.areaType) * 1000;
  return now - start >= 0.75 * (due - start) ? 'late' : 'ok';
}

export interface DonutSegment {
  priority: 1 | 2 | 3 | 4;
  /** radians, clockwise from `start` */
  from: number;
  to: number;
}

/**
 * The ring of a cluster split by priority share: one arc per priority present, priority 1 first,
 * clockwise from 12 o'clock (canvas angles: −π/2); the arcs cover the full circle.
 */
export function donutSegments(byPriority: readonly number[], start = -Math.PI / 2): DonutSegment[] {
  const total = byPriority.slice(0, 4).reduce((s, n) => s + Math.max(0, n), 0);
  const out: DonutSegment[] = [];
  if (total <= 0) return out;
  let at = start;
  for (let k = 0; k < 4; k++) {
    const n = Math.max(0, byPriority[k] ?? 0);
    if (n === 0) continue;
    const to = at + (n / total) * Math.PI * 2;
    out.push({ priority: (k + 1) as 1 | 2 | 3 | 4, from: at, to });
    at = to;
  }
  // no gap from rounding
  out[out.length - 1]!.to = start + Math.PI * 2;
  return out;
}

/** A cluster's outer radius in px: grows with the log of its count, 15 to 28. */
export const clusterRadius = (count: number) => Math.min(28, 15 + Math.log10(Math.max(1, count)) * 4.5);

/** The count as drawn in the middle of a donut: 999, 1.2k, 12k. */
export function countLabel(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(Math.floor(n / 100) / 10).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.floor(n / 1000)}k`;
}

/** Leaflet's (EPSG:3857) projected pixel position at a zoom: [x, y] from the world's top left. */
export function projectPx(lat: number, lon: number, zoom: number): [number, number] {
  const scale = 256 * 2 ** zoom;
  const maxLat = 85.0511287798;
  const s = Math.sin((Math.max(-maxLat, Math.min(maxLat, lat)) * Math.PI) / 180);
  const x = ((lon + 180) / 360) * scale;
  const y = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale;
  return [x, y];
}

/** Whether a point (screen px) with a drawing radius touches a w×h viewport widened by `margin`. */
export const inView = (x: number, y: number, w: number, h: number, r = 0, margin = 0) =>
  x + r >= -margin && y + r >= -margin && x - r <= w + margin && y - r <= h + margin;

/**
 * A grid of buckets over screen positions, for hit tests without Leaflet's per-path events: add
 * every drawn object once a frame, then ask for the nearest within a radius.
 */
export class HitGrid {
  private readonly buckets = new Map<number, number[]>();
  private xs: number[] = [];
  private ys: number[] = [];

  constructor(readonly cell = 32) {}

  get size(): number {
    return this.xs.length;
  }

  clear(): void {
    this.buckets.clear();
    this.xs = [];
    this.ys = [];
  }

  private key(cx: number, cy: number): number {
    // screens are far below 2^15 cells across; negative cells (off-screen margins) shift up
    return (cx + 32768) * 65536 + (cy + 32768);
  }

  /** Adds an object at (x, y); answers its index, in the order of adding. */
  add(x: number, y: number): number {
    const i = this.xs.length;
    this.xs.push(x);
    this.ys.push(y);
    const k = this.key(Math.floor(x / this.cell), Math.floor(y / this.cell));
    const b = this.buckets.get(k);
    if (b) b.push(i);
    else this.buckets.set(k, [i]);
    return i;
  }

  /** The index of the object nearest (x, y) within `r` px; of the last added on a tie (drawn on top); −1 when none. */
  nearest(x: number, y: number, r: number): number {
    let best = -1;
    let bestD = r * r;
    const c = this.cell;
    for (let cx = Math.floor((x - r) / c); cx <= Math.floor((x + r) / c); cx++) {
      for (let cy = Math.floor((y - r) / c); cy <= Math.floor((y + r) / c); cy++) {
        const b = this.buckets.get(this.key(cx, cy));
        if (!b) continue;
        for (const i of b) {
          const dx = this.xs[i]! - x;
          const dy = this.ys[i]! - y;
          const d = dx * dx + dy * dy;
          if (d < bestD || (d === bestD && i > best)) {
            best = i;
            bestD = d;
          }
        }
      }
    }
    return best;
  }
}
