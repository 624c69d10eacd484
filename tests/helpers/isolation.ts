// Traffic and checks for the jurisdiction-isolation test (tests/integration/isolation.test.ts).
// Every object id names the district it is born in (`ISO-<district>-<name>`), so a check can tell
// from an id alone whose it is; two incidents move between the districts A and B mid-way.
import type { LivePosition } from '../../shared/live.js';
import type { Entry } from '../../shared/objects.js';
import { compareSeq } from '../../shared/seq.js';
import { demoTree, gridCenter } from './geo.js';
import { gridOf } from './live-data.js';
import { ce } from './stack.js';

const tree = demoTree();
/** The two districts under test, and a third one whose traffic neither may see. */
export const [A, B, C] = tree.idsAt('district') as [string, string, string];
export const CITY = tree.cityId;
export const other = (d: string) => (d === A ? B : A);

export const idIn = (district: string, name: string) => `ISO-${district}-${name}`;
/** The district (or the city) an object was born in. */
export const homeOf = (id: string) => /^ISO-(\d+)-/.exec(id)?.[1] ?? null;

const point = (district: string, k: number) => {
  const c = gridCenter(gridOf(district, k));
  return { lat: c.lat, lon: c.lon };
};
const gridId = (district: string, k: number) => tree.idsAt('grid')[gridOf(district, k)]!;

/** The district a point lies in (inside a grid), or null. */
export function districtAt(p: { lat: number; lon: number }): string | null {
  return tree.locate(p.lat, p.lon, 0)?.chain.find((id) => tree.get(id)?.level === 'district') ?? null;
}

/** An incident that `incident.updated` moves from one district to the other at a tick; the test fills in when. */
export interface Move {
  id: string;
  from: string;
  to: string;
  tick: number;
  seq?: string;
  /** wall-clock bounds of the ingest request that moved it */
  startedAt?: number;
  endedAt?: number;
}
export const MOVES: Move[] = [
  { id: idIn(A, 'mover'), from: A, to: B, tick: 55 },
  { id: idIn(B, 'mover'), from: B, to: A, tick: 80 },
];

export const moveEvent = (m: Move) => ce('incident.updated', { incidentId: m.id, location: point(m.to, 5), summary: 'moved' });

/** The district(s) an object belongs to at `seq`: a moving incident belongs to both at its move entry. */
export function ownersAt(id: string, seq: string): (string | null)[] {
  const m = MOVES.find((x) => x.id === id);
  if (!m) return [homeOf(id)];
  const c = m.seq === undefined ? -1 : compareSeq(seq, m.seq);
  return c < 0 ? [m.from] : c > 0 ? [m.to] : [m.from, m.to];
}

const units = (d: string) => [0, 1, 2].map((k) => idIn(d, `u${k}`));
/** The crossing unit: homed in A, it drives into B and back every ten ticks. */
export const CROSSER = idIn(A, 'x');

/** Before the traffic: units homed in A, B and C, the crossing unit, and the two incidents that will move. */
export function setupEvents(): unknown[] {
  return [
    ...[A, B, C].flatMap((d) => units(d).map((u, k) => ce('unit.registered', { unitId: u, callsign: u, kind: 'car', homeGrid: gridId(d, k * 5) }))),
    ce('unit.registered', { unitId: CROSSER, callsign: 'X', kind: 'car', homeGrid: gridId(A, 1) }),
    ...MOVES.map((m) => ce('incident.reported', { incidentId: m.id, category: 'fight', priority: 2, location: point(m.from, 3) })),
  ];
}

/** One tick of mixed traffic: incidents and their lifecycle, disputes, units, positions, indicators; C and city-level noise. */
export function tickEvents(t: number): unknown[] {
  const ev: unknown[] = [];
  for (const d of [A, B]) {
    const u = units(d)[t % 3]!;
    ev.push(ce('incident.reported', { incidentId: idIn(d, `i${t}`), category: 'theft', priority: 1 + (t % 4), location: point(d, t) }));
    if (t >= 3) ev.push(ce('incident.arrived', { incidentId: idIn(d, `i${t - 3}`), unitIds: [u] }));
    if (t >= 6) ev.push(ce('incident.resolved', { incidentId: idIn(d, `i${t - 6}`) }));
    if (t >= 9) ev.push(ce('incident.closed', { incidentId: idIn(d, `i${t - 9}`) }));
    if (t % 3 === 0) ev.push(ce('dispute.registered', { disputeId: idIn(d, `d${t}`), kind: 'neighbour', parties: ['a', 'b'], location: point(d, t + 1) }));
    if (t % 3 === 1 && t > 3) ev.push(ce('dispute.mediated', { disputeId: idIn(d, `d${t - 1}`), location: point(d, t) }));
    if (t % 4 === 2) ev.push(ce('unit.status', { unitId: units(d)[(t + 1) % 3]!, status: 'busy' }));
    if (t % 7 === 0) ev.push(ce('unit.registered', { unitId: u, callsign: `${u}-${t}` }));
    if (t === 30) ev.push(ce('unit.registered', { unitId: idIn(d, 'late'), kind: 'foot', homeGrid: gridId(d, 9) }));
    if (t % 10 === 5) ev.push(ce('indicator.updated', { district: d, cells: [{ id: gridId(d, t), crimeRisk: 0.3, instabilityRisk: 0.1, drivers: [] }] }));
    units(d).forEach((unit, k) => ev.push(ce('unit.position', { unitId: unit, ...point(d, t + k * 11), speed: 5, heading: 90 })));
  }
  for (const m of MOVES) {
    if (t % 4 === 1) ev.push(ce('incident.updated', { incidentId: m.id, summary: `tick ${t}` }));
    if (t % 4 === 3) ev.push(ce('incident.acknowledged', { incidentId: m.id }));
  }
  ev.push(ce('unit.position', { unitId: CROSSER, ...point(Math.floor(t / 10) % 2 ? B : A, t), speed: 9 }));
  ev.push(ce('incident.reported', { incidentId: idIn(C, `i${t}`), category: 'theft', priority: 2, location: point(C, t) }));
  ev.push(ce('unit.position', { unitId: units(C)[0]!, ...point(C, t), speed: 3 }));
  if (t % 5 === 0) {
    ev.push(ce('incident.reported', { incidentId: idIn(CITY, `i${t}`), category: 'theft', priority: 3 })); // not yet located: the city's
    ev.push(ce('gridworker.report', { kind: 'hazard', summary: 'no location' }));
  }
  return ev;
}

/** Ids of the other district's objects worth asking for by id at tick t. */
export function foreignIds(d: string, t: number): { incidents: string[]; units: string[] } {
  const o = other(d);
  const incidents = [0, 1, 7].map((k) => idIn(o, `i${Math.max(0, t - k)}`));
  return { incidents, units: [...units(o).slice(0, 2), ...(d === B ? [CROSSER] : [])] };
}

/** Why a log entry must not reach `viewer`, if it must not: the entry's chain, the objects it names, its location. */
export function entryProblems(viewer: string, e: Entry): string[] {
  const out: string[] = [];
  const what = `${viewer} got ${e.seq} ${e.type}`;
  const move = MOVES.find((m) => m.seq === e.seq);
  if (!e.jurisdiction.includes(viewer)) out.push(`${what}: jurisdiction ${e.jurisdiction.join('>')}`);
  const foreign = e.jurisdiction.filter((j) => j !== viewer && tree.get(j)?.level === 'district');
  // only a move entry names two districts: the union of the old and new chains, with movedFrom
  if (foreign.length && !(move && e.movedFrom?.includes(move.from))) out.push(`${what}: names ${foreign.join(',')}`);
  const d = e.data as Record<string, unknown>;
  const named = [d.incidentId, d.unitId, d.disputeId, ...(Array.isArray(d.unitIds) ? d.unitIds : []), ...e.affects.map((a) => a.id)];
  for (const id of named) {
    if (typeof id === 'string' && !ownersAt(id, e.seq).includes(viewer)) out.push(`${what}: ${id} is ${ownersAt(id, e.seq).join('+')}'s`);
  }
  const loc = d.location as { lat: number; lon: number } | undefined;
  if (loc && districtAt(loc) !== viewer && districtAt(loc) !== move?.to) out.push(`${what}: located in ${districtAt(loc)}`);
  if (typeof d.district === 'string' && d.district !== viewer) out.push(`${what}: district ${d.district}`);
  return out;
}

/** A unit is visible in its home district and in the one where it is now (DESIGN §5). */
export function positionProblems(viewer: string, p: LivePosition): string[] {
  const home = homeOf(p.unitId);
  const here = districtAt(p);
  return home === viewer || here === viewer ? [] : [`${viewer} got a fix of ${p.unitId} (home ${home}) in ${here}`];
}

/**
 * What a request made between startedAt and endedAt may answer about a moving incident: before
 * the move only its old district sees it, after the move only the new one; during it, either.
 */
export function moverVisibility(viewer: string, m: Move, startedAt: number, endedAt: number): 'visible' | 'hidden' | 'either' {
  if (endedAt < m.startedAt!) return viewer === m.from ? 'visible' : 'hidden';
  if (startedAt > m.endedAt!) return viewer === m.to ? 'visible' : 'hidden';
  return 'either';
}
