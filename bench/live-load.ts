// Load shared by bench/live.ts and its child processes: events, an open-loop pacer, POST.
import { performance } from 'node:perf_hooks';
import { loadJurisdictions } from '../server/geo/tree.js';

export const INGEST_KEY = 'bench-live-key-0123456789abcdef';
export const UNITS = 2000;

/** One clock for every process of the bench (the parent calibrates the children's offsets). */
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let tree: ReturnType<typeof loadJurisdictions> | null = null;
let centers: { lat: number; lon: number }[] | null = null;

export function jurisdictions() {
  tree ??= loadJurisdictions();
  return tree;
}

/** Centres of the first 200 grids, where the bench puts incidents and units. */
function gridCenters(): { lat: number; lon: number }[] {
  if (centers) return centers;
  const t = jurisdictions();
  centers = t.idsAt('grid').slice(0, 200).map((gridId) => {
    const f = t.collection.features.find((x) => x.properties.id === gridId)!;
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0]! : f.geometry.coordinates[0]![0]!;
    const pts = ring.slice(0, -1);
    return { lon: pts.reduce((s, p) => s + p[0]!, 0) / pts.length, lat: pts.reduce((s, p) => s + p[1]!, 0) / pts.length };
  });
  return centers;
}

let n = 0;
/** A fresh `incident.reported` with a unique id `<tag>-<pid>-<n>`. */
export function incident(tag: string) {
  n += 1;
  const c = gridCenters();
  return {
    specversion: '1.0', id: `${tag}-${process.pid}-${n}`, source: `bench/${tag}`, type: 'incident.reported', time: new Date().toISOString(),
    data: { incidentId: `${tag}-I${process.pid}-${n}`, category: 'theft', priority: 1 + (n % 4), location: c[n % c.length], address: '中山路 100 号', summary: '报警人称电动车被盗' },
  };
}
export type Incident = ReturnType<typeof incident>;

/** A `unit.position` for unit `U<unit>` at `atMs`. */
export function fix(k: number, unit: number, atMs: number) {
  const c = gridCenters()[unit % 200]!;
  return { specversion: '1.0', id: `p-${process.pid}-${k}`, source: 'bench/gps', type: 'unit.position', time: new Date(atMs).toISOString(), data: { unitId: `U${unit}`, lat: c.lat, lon: c.lon, speed: 8, heading: 90 } };
}

export function unitRoster() {
  const grids = jurisdictions().idsAt('grid');
  return Array.from({ length: UNITS }, (_, i) => ({
    specversion: '1.0', id: `reg-${i}`, source: 'bench/roster', type: 'unit.registered', data: { unitId: `U${i}`, kind: 'car', homeGrid: grids[i % grids.length] },
  }));
}

export interface IngestAnswer {
  accepted: { id: string; seq: string | null }[];
}

/** POST /api/v1/events with the bench's ingest key; throws unless 202. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<IngestAnswer> {
  const res = await fetch(`${url}/api/v1/events`, {
    method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${INGEST_KEY}`, ...headers }, body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as IngestAnswer;
}

export interface Paced {
  sent: number;
  /** ticks not sent because `cap` requests were in flight */
  skipped: number;
  errors: string[];
}

/**
 * Calls `fn(i)` every `everyMs` for `ms`, open loop: a tick late by more than a period is
 * dropped (never bunched), and a tick with `cap` calls in flight is skipped.
 */
export async function pace(everyMs: number, ms: number, cap: number, fn: (i: number) => Promise<void>, stop?: () => boolean): Promise<Paced> {
  let i = 0;
  let inFlight = 0;
  let skipped = 0;
  const errors: string[] = [];
  const t0 = now();
  for (let tick = 0; ; tick++) {
    const due = t0 + tick * everyMs;
    if (due - t0 >= ms || stop?.()) break;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    else if (wait < -everyMs) continue;
    if (inFlight >= cap) {
      skipped += 1;
      continue;
    }
    inFlight += 1;
    fn(i++).catch((e: Error) => { if (errors.length < 5) errors.push(e.message); }).finally(() => { inFlight -= 1; });
  }
  while (inFlight > 0) await sleep(5);
  return { sent: i, skipped, errors };
}
