// The commit's part in risk indicators (DESIGN §8): the inputs of the per-cell jobs are indexes
// written with the facts they come from, and an `indicator.updated` entry stores its cells'
// latest values in the same commit, so readers never see one without the other. Located patrol
// check-ins are indexed per cell for the coverage-gap alert. Pure.
import type { GovCase } from '../../shared/governance.js';
import type { Incident } from '../../shared/objects.js';
import { cellIndicatorSchema, CRIME_RISK_CATEGORIES, instabilityClass, type CellIndicator } from '../../shared/risk.js';
import { refuse, type Refusal } from '../../shared/incidents/types.js';
import type { Op } from '../store/commit.js';
import { keys } from '../store/keys.js';

/** The cell an incident counts in for crime risk, or null: a crime category, located, not a duplicate or cancelled. */
function crimeCell(i: Incident | null): string | null {
  if (!i || !i.gridId || i.duplicateOf || i.status === 'cancelled') return null;
  return CRIME_RISK_CATEGORIES.includes(i.category) ? i.gridId : null;
}

export function riskIncidentOps(before: Incident | null, after: Incident): Op[] {
  const was = crimeCell(before);
  const now = crimeCell(after);
  if (was === now) return [];
  const ops: Op[] = [];
  if (was) ops.push({ op: 'ZR', key: keys.riskCrime(was), member: after.id });
  if (now) {
    ops.push({ op: 'ZA', key: keys.riskCrime(now), score: Date.parse(after.reportedAt), member: after.id });
    ops.push({ op: 'SA', key: keys.riskCells, member: now });
  }
  return ops;
}

const caseCell = (c: GovCase | null) => (c && (c.kind === 'dispute' || c.kind === 'petition') && c.gridId ? c.gridId : null);

export function riskCaseOps(before: GovCase | null, after: GovCase): Op[] {
  const was = caseCell(before);
  const now = caseCell(after);
  if (was === now) return [];
  const member = `${after.kind}:${after.id}`;
  const ops: Op[] = [];
  if (was) ops.push({ op: 'ZR', key: keys.riskCases(was), member });
  if (now) {
    ops.push({ op: 'ZA', key: keys.riskCases(now), score: Date.parse(after.openedAt), member });
    ops.push({ op: 'SA', key: keys.riskCells, member: now });
  }
  return ops;
}

/**
 * DESIGN §3 asks only `{id, crimeRisk, instabilityRisk, drivers}` of each cell; our workers add
 * classes, terms and the time. What is there must be right: refuses the first bad field.
 */
const contractCell = cellIndicatorSchema.partial({ crimeClass: true, instabilityClass: true, terms: true, at: true });

export function validIndicatorCells(data: unknown): Refusal | null {
  const cells = (data as { cells?: unknown[] }).cells ?? [];
  for (const [i, cell] of cells.entries()) {
    const r = contractCell.safeParse(cell);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      return refuse('invalid_indicator', issue.message, `data.cells[${i}]${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`);
    }
  }
  return null;
}

const NO_TERMS: CellIndicator['terms'] = {
  crime: { longTerm: 0, recent: 0, weekday: 0, neighbours: 0, events: 0 },
  instability: { open: 0, overdue: 0, escalated: 0, repeat: 0, becameIncident: 0, cases: 0 },
};

/** Stores each cell whole: what a producer left out gets its neutral value (no class, no terms, the entry's time). */
export function riskIndicatorOps(data: Record<string, unknown>, time: string): Op[] {
  const cells = (data.cells ?? []) as (Partial<CellIndicator> & Pick<CellIndicator, 'id' | 'crimeRisk' | 'instabilityRisk' | 'drivers'>)[];
  return cells.map((c) => {
    const whole: CellIndicator = {
      ...c,
      crimeClass: c.crimeClass ?? null,
      instabilityClass: c.instabilityClass ?? instabilityClass(c.instabilityRisk),
      terms: c.terms ?? NO_TERMS,
      at: c.at ?? time,
    };
    return { op: 'HF', key: keys.riskIndicators, field: c.id, json: JSON.stringify(whole) };
  });
}

/** A located `patrol.checkin` is indexed in its cell with its dwell, for coverage gaps. */
export function patrolCheckinOps(eventId: string, time: string, gridId: string, data: Record<string, unknown>): Op[] {
  const dwell = typeof data.dwellSeconds === 'number' ? Math.round(data.dwellSeconds * 1000) : '';
  return [{ op: 'ZA', key: keys.patrolCheckins(gridId), score: Date.parse(time), member: `${eventId}|${dwell}` }];
}
