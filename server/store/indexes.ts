import { isOpenStage, type GovCase } from '../../shared/governance.js';
import type { Alert, Incident, Unit } from '../../shared/objects.js';
import { isOpen } from '../../shared/incidents/lifecycle.js';
import type { Op } from './commit.js';
import { keys } from './keys.js';

/** One index membership of an object. */
type Membership =
  | { type: 'z'; key: string; score: number; member: string }
  | { type: 'geo'; key: string; lon: number; lat: number; member: string };

/**
 * Indexes an incident belongs to: per (jurisdiction, status) by last change, open ones per
 * (jurisdiction, priority) unless linked as a duplicate, open ones by place, located ones in the
 * month's premise set.
 */
export function incidentMemberships(i: Incident): Membership[] {
  const score = Date.parse(i.updatedAt);
  const out: Membership[] = i.jurisdiction.map((j) => ({ type: 'z', key: keys.incidentsByStatus(j, i.status), score, member: i.id }));
  if (isOpen(i.status) && !i.duplicateOf) {
    for (const j of i.jurisdiction) out.push({ type: 'z', key: keys.incidentsOpenByPriority(j, i.priority), score: Date.parse(i.reportedAt), member: i.id });
  }
  if (isOpen(i.status)) {
    if (i.location) out.push({ type: 'geo', key: keys.incidentsOpenGeo, lon: i.location.lon, lat: i.location.lat, member: i.id });
    else out.push({ type: 'z', key: keys.incidentsUnlocated, score: Date.parse(i.reportedAt), member: i.id });
  }
  // premise history: every located incident, open or not, by the month it was reported
  if (i.location) out.push({ type: 'geo', key: keys.premiseGeo('incident', i.reportedAt.slice(0, 7)), lon: i.location.lon, lat: i.location.lat, member: i.id });
  return out;
}

/** Indexes a unit belongs to: its owning jurisdiction chain. */
export function unitMemberships(u: Unit): Membership[] {
  return u.jurisdiction.map((j) => ({ type: 'z', key: keys.unitsIn(j), score: 0, member: u.id }));
}

/** Indexes an alert belongs to: per (jurisdiction, state) by last change. */
export function alertMemberships(a: Alert): Membership[] {
  const score = Date.parse(a.updatedAt);
  return a.jurisdiction.map((j) => ({ type: 'z', key: keys.alertsByState(j, a.state), score, member: a.id }));
}

/** Indexes a governance case belongs to: where it lies (per stage), who must act (open ones, by deadline), and its petitioner or case. */
export function caseMemberships(c: GovCase): Membership[] {
  const updated = Date.parse(c.updatedAt);
  const opened = Date.parse(c.openedAt);
  const out: Membership[] = c.jurisdiction.map((j) => ({ type: 'z', key: keys.casesByStage(c.kind, j, c.stage), score: updated, member: c.id }));
  if (isOpenStage(c.kind, c.stage)) {
    out.push({ type: 'z', key: keys.casesResponsible(c.kind, c.responsibleJurisdiction), score: c.deadline ? Date.parse(c.deadline) : opened, member: c.id });
  }
  if (c.kind === 'dispute' && c.location) out.push({ type: 'geo', key: keys.premiseGeo('dispute', c.openedAt.slice(0, 7)), lon: c.location.lon, lat: c.location.lat, member: c.id });
  if (c.kind === 'petition' && c.petitioner) out.push({ type: 'z', key: keys.petitionerPetitions(c.petitioner), score: opened, member: c.id });
  if (c.kind === 'supervision') out.push({ type: 'z', key: keys.supervisionsOf(c.caseRef), score: opened, member: c.id });
  return out;
}

/** Ops that move an object from its old memberships to its new ones. */
export function indexOps(before: Membership[], after: Membership[]): Op[] {
  const keep = new Set(after.map((m) => m.key));
  const ops: Op[] = [];
  for (const m of before) if (!keep.has(m.key)) ops.push({ op: 'ZR', key: m.key, member: m.member });
  const had = new Map(before.map((m) => [m.key, m]));
  for (const m of after) {
    const old = had.get(m.key);
    if (m.type === 'z') {
      if (old?.type !== 'z' || old.score !== m.score) ops.push({ op: 'ZA', key: m.key, score: m.score, member: m.member });
    } else if (old?.type !== 'geo' || old.lon !== m.lon || old.lat !== m.lat) {
      ops.push({ op: 'GA', key: m.key, lon: m.lon, lat: m.lat, member: m.member });
    }
  }
  return ops;
}
