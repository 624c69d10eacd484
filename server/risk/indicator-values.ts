/**
 * From scores to the indicators the log carries (DESIGN §8): rounding, rank classes, what
 * counts as a change, and the content-derived CloudEvent ids. Pure.
 */
import { createHash } from 'node:crypto';
import { CRIME_CLASS_SHARES, instabilityClass, type CellIndicator, type CrimeTerms, type InstabilityTerms, type RiskClass } from '../../shared/risk.js';

const MAX_DRIVERS = 10;
const CRIME_DRIVERS = 5;
/** expected reports per day: 4 decimals (a cell's daily rate moves ~0.1% a day as history decays) */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
/** instability points: 1 decimal (ages add points continuously) */
const round1 = (x: number) => Math.round(x * 10) / 10;

export interface CellInputs {
  id: string;
  crimeRisk: number;
  crimeTerms: CrimeTerms;
  /** the cell's own reports, newest first */
  recentIncidents: readonly string[];
  instabilityRisk: number;
  instabilityTerms: InstabilityTerms;
  /** case ids, the largest contribution first */
  caseDrivers: readonly string[];
}

export function toIndicator(x: CellInputs, crimeClass: RiskClass | null, at: string): CellIndicator {
  const crime = x.recentIncidents.slice(0, CRIME_DRIVERS);
  const drivers = [...crime, ...x.caseDrivers.slice(0, MAX_DRIVERS - crime.length)];
  const t = x.crimeTerms;
  const i = x.instabilityTerms;
  const instabilityRisk = round1(x.instabilityRisk);
  return {
    id: x.id,
    crimeRisk: round4(x.crimeRisk),
    instabilityRisk,
    drivers,
    crimeClass,
    instabilityClass: instabilityClass(instabilityRisk),
    terms: {
      crime: { longTerm: round4(t.longTerm), recent: round4(t.recent), weekday: round4(t.weekday), neighbours: round4(t.neighbours), events: t.events },
      instability: { open: round1(i.open), overdue: round1(i.overdue), escalated: round1(i.escalated), repeat: round1(i.repeat), becameIncident: round1(i.becameIncident), cases: i.cases },
    },
    at,
  };
}

/** Whether a new indicator says something the stored one does not (values, classes or drivers). */
export function changed(prev: CellIndicator | null, next: CellIndicator): boolean {
  if (!prev) return next.crimeRisk > 0 || next.instabilityRisk > 0;
  return prev.crimeRisk !== next.crimeRisk || prev.instabilityRisk !== next.instabilityRisk
    || prev.crimeClass !== next.crimeClass || prev.instabilityClass !== next.instabilityClass
    || prev.drivers.length !== next.drivers.length || prev.drivers.some((d, k) => d !== next.drivers[k]);
}

/**
 * Crime rank classes by position among the cells with a positive score (CRIME_CLASS_SHARES);
 * equal scores share the class of the first of them, so a tie never splits across a class edge.
 */
export function crimeClasses(scores: ReadonlyMap<string, number>): Map<string, RiskClass> {
  const ranked = [...scores.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const n = ranked.length;
  const out = new Map<string, RiskClass>();
  for (const [id, v] of scores) if (!(v > 0)) out.set(id, 'normal');
  let cls: RiskClass = 'normal';
  let prev = NaN;
  ranked.forEach(([id, v], k) => {
    if (v !== prev) {
      const share = (k + 1) / n;
      cls = share <= CRIME_CLASS_SHARES.very_high ? 'very_high' : share <= CRIME_CLASS_SHARES.high ? 'high' : share <= CRIME_CLASS_SHARES.elevated ? 'elevated' : 'normal';
      // the top cell is always at least `very_high` when there are fewer than 100 ranked
      if (k === 0) cls = 'very_high';
      prev = v;
    }
    out.set(id, cls);
  });
  return out;
}

/**
 * `indicator:<district>:<sha1>` over the cells' values and the stored entries they replace:
 * a retried job sends the same id (a duplicate, not a second entry), while a value that
 * returns to an earlier one after a change gets a new id.
 */
export function indicatorEventId(district: string, cells: readonly CellIndicator[], replaces: readonly (string | null)[]): string {
  const h = createHash('sha1');
  cells.forEach((c, k) => {
    h.update(JSON.stringify([c.id, c.crimeRisk, c.instabilityRisk, c.crimeClass, c.instabilityClass, c.drivers, replaces[k] ?? null]));
    h.update('\n');
  });
  return `indicator:${district}:${h.digest('hex')}`;
}

/** A stored `<seq> <json>` value, split. */
export function parseStored(raw: string | null | undefined): { seq: string; cell: CellIndicator } | null {
  if (!raw) return null;
  const space = raw.indexOf(' ');
  if (space < 0) return null;
  return { seq: raw.slice(0, space), cell: JSON.parse(raw.slice(space + 1)) as CellIndicator };
}
