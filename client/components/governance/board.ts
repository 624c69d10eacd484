// The governance board's rules (pure): which column a case sits in, the console's filters and
// the order of the cards — overdue first (longest overdue on top), then the nearest deadline.
import { DISPUTE_KINDS } from '../../../shared/catalogue.js';
import { isOpenStage, type CaseKind } from '../../../shared/governance.js';
import { LEVELS, type Level } from '../../../shared/jurisdiction.js';
import type { CaseObject } from '../../api/governance.js';
import { isOverdue } from './deadline.js';

export interface BoardColumn {
  id: string;
  kind: CaseKind;
  /** the stages shown, as sections when more than one */
  stages: readonly string[];
}

/** The "4+2" dispute stages up to resolution, then petitions and supervision orders. */
export const COLUMNS: readonly BoardColumn[] = [
  { id: 'registered', kind: 'dispute', stages: ['registered'] },
  { id: 'mediating', kind: 'dispute', stages: ['mediating'] },
  { id: 'assessed', kind: 'dispute', stages: ['assessed'] },
  { id: 'routed', kind: 'dispute', stages: ['routed'] },
  { id: 'resolved', kind: 'dispute', stages: ['resolved'] },
  { id: 'petitions', kind: 'petition', stages: ['filed', 'answered'] },
  { id: 'supervisions', kind: 'supervision', stages: ['issued', 'answered'] },
];

export interface BoardFilter {
  /** `responsible`: my queue — cases whose responsible jurisdiction lies in my scope; `located`: every case located in it */
  view: 'located' | 'responsible';
  overdueOnly: boolean;
  /** a DISPUTE_KINDS code, or '' for all */
  category: string;
}

export interface FilterContext {
  now: number;
  /** true when a jurisdiction is one of the user's scopes or lies under one */
  inMyScope(jurisdictionId: string): boolean;
  /** the category of the dispute a supervision order is on, or null */
  categoryOf(caseRef: string): string | null;
}

export const DEFAULT_FILTER: BoardFilter = { view: 'located', overdueOnly: false, category: '' };

/** True when a case is open and past its deadline. */
export const caseOverdue = (c: CaseObject, now: number) => isOpenStage(c.kind, c.stage) && isOverdue(c.deadline, now);

/** Whether a case shows on the board under the filter (closed cases never do). */
export function matches(c: CaseObject, f: BoardFilter, ctx: FilterContext): boolean {
  if (c.stage === 'closed') return false;
  if (f.view === 'responsible' && !ctx.inMyScope(c.responsibleJurisdiction)) return false;
  if (f.overdueOnly && !caseOverdue(c, ctx.now)) return false;
  if (f.category) {
    if (c.kind === 'dispute') return c.category === f.category;
    if (c.kind === 'supervision') return ctx.categoryOf(c.caseRef) === f.category;
    return false;
  }
  return true;
}

/** Card order: overdue first (the longest overdue on top), then the nearest deadline, then the oldest. */
export function byUrgency(a: CaseObject, b: CaseObject): number {
  const due = (c: CaseObject) => (c.deadline && isOpenStage(c.kind, c.stage) ? Date.parse(c.deadline) : Infinity);
  const [da, db] = [due(a), due(b)];
  if (da !== db) return da < db ? -1 : 1;
  return Date.parse(b.stageSince) - Date.parse(a.stageSince) || a.id.localeCompare(b.id);
}

/** Cards per column and section, filtered and ordered. */
export function boardOf(cases: Iterable<CaseObject>, f: BoardFilter, ctx: FilterContext): Map<string, CaseObject[]> {
  const out = new Map<string, CaseObject[]>();
  for (const col of COLUMNS) for (const s of col.stages) out.set(`${col.kind}:${s}`, []);
  for (const c of cases) {
    if (!matches(c, f, ctx)) continue;
    out.get(`${c.kind}:${c.stage}`)?.push(c);
  }
  for (const list of out.values()) list.sort(byUrgency);
  return out;
}

/**
 * Whether `id` is one of `scopes` or lies under one, walking up the tree by `parentOf`. Escalation
 * only moves responsibility up a case's own chain, so "my queue" is always part of what I see.
 */
export function underScopes(id: string, scopes: readonly string[], parentOf: (id: string) => string | null | undefined): boolean {
  let cur: string | null | undefined = id;
  for (let i = 0; cur && i < LEVELS.length + 1; i++) {
    if (scopes.includes(cur)) return true;
    cur = parentOf(cur);
  }
  return false;
}

/** The next level up, for the escalate button's label; null at the city. */
export function levelUp(level: Level): Level | null {
  const i = LEVELS.indexOf(level);
  return i > 0 ? LEVELS[i - 1]! : null;
}

const lang = (locale: string): 'zh' | 'en' => (locale.startsWith('zh') ? 'zh' : 'en');
/** A dispute kind's catalogue name (unknown codes as they are). */
export const disputeKindName = (code: string, locale: string) => DISPUTE_KINDS[code]?.[lang(locale)] ?? code;
/** Catalogue codes for the kind filter, in catalogue order. */
export const DISPUTE_KIND_CODES = Object.keys(DISPUTE_KINDS);
