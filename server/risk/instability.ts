/**
 * Instability risk of a grid cell (DESIGN §8): where disputes and petitions build up before they
 * escalate. Cell level only — a score on a place, never on a person. Pure.
 *
 * Over the cell's disputes and petitions that are open, or were opened in the last 90 days:
 *   open          Σ_open  level · age,  level = dispute risk high 4 · medium 2 · low 1 · not assessed 1.5,
 *                                          petition 2;
 *                                  age = 1 + min(days open, 60) / 30  (1 → 3 over two months)
 *   overdue       3 per open case past its deadline
 *   escalated     1.5 per escalation of an open case (at most 3 counted per case)
 *   repeat        2 per open case with another case in the cell opened within 90 days of it,
 *                 or sharing a party (a dispute's parties, a petition's petitioner key)
 *   becameIncident 3 per dispute opened in the last 90 days that became a police incident
 *   instabilityRisk = open + overdue + escalated + repeat + becameIncident
 * Classes: shared/risk.ts INSTABILITY_THRESHOLDS (elevated ≥ 2, high ≥ 6, very high ≥ 12): one
 * fresh unassessed dispute is normal; a high-risk dispute, or an overdue one, is at least elevated.
 */
import { isOpenStage, type Dispute, type Petition } from '../../shared/governance.js';
import type { InstabilityTerms } from '../../shared/risk.js';
import { DAY_MS } from './cell-score.js';

export type RiskCase = Dispute | Petition;

export const REPEAT_WINDOW_DAYS = 90;
const LEVEL = { high: 4, medium: 2, low: 1 } as const;
const UNASSESSED = 1.5;
const PETITION = 2;
const OVERDUE = 3;
const PER_ESCALATION = 1.5;
const MAX_ESCALATIONS = 3;
const REPEAT = 2;
const BECAME_INCIDENT = 3;
const AGE_CAP_DAYS = 60;

export interface InstabilityResult {
  score: number;
  terms: InstabilityTerms;
  /** case ids, the largest contribution first */
  drivers: string[];
}

const levelOf = (c: RiskCase) => (c.kind === 'petition' ? PETITION : c.risk ? LEVEL[c.risk] : UNASSESSED);
const partiesOf = (c: RiskCase): string[] => (c.kind === 'dispute' ? c.parties : c.petitioner ? [c.petitioner] : []);

/** Whether a case still weighs on the cell at `now`: open, or opened within the repeat window. */
export function caseCounts(c: RiskCase, now: number): boolean {
  return isOpenStage(c.kind, c.stage) || now - Date.parse(c.openedAt) < REPEAT_WINDOW_DAYS * DAY_MS;
}

export function instabilityOf(cases: readonly RiskCase[], now: number): InstabilityResult {
  const terms: InstabilityTerms = { open: 0, overdue: 0, escalated: 0, repeat: 0, becameIncident: 0, cases: 0 };
  const weight = new Map<string, number>();
  const add = (id: string, w: number) => weight.set(id, (weight.get(id) ?? 0) + w);
  const window = REPEAT_WINDOW_DAYS * DAY_MS;
  const relevant = cases.filter((c) => caseCounts(c, now));
  for (const c of relevant) {
    const opened = Date.parse(c.openedAt);
    if (c.kind === 'dispute' && c.incidentIds.length > 0 && now - opened < window) {
      terms.becameIncident += BECAME_INCIDENT;
      add(c.id, BECAME_INCIDENT);
    }
    if (!isOpenStage(c.kind, c.stage)) continue;
    terms.cases++;
    const ageDays = Math.max(0, now - opened) / DAY_MS;
    const open = levelOf(c) * (1 + Math.min(ageDays, AGE_CAP_DAYS) / 30);
    terms.open += open;
    add(c.id, open);
    if (c.deadline && Date.parse(c.deadline) < now) {
      terms.overdue += OVERDUE;
      add(c.id, OVERDUE);
    }
    if (c.escalations > 0) {
      const e = PER_ESCALATION * Math.min(c.escalations, MAX_ESCALATIONS);
      terms.escalated += e;
      add(c.id, e);
    }
    const parties = new Set(partiesOf(c));
    const repeated = relevant.some((o) => o.id !== c.id
      && (Math.abs(Date.parse(o.openedAt) - opened) < window || partiesOf(o).some((p) => parties.has(p))));
    if (repeated) {
      terms.repeat += REPEAT;
      add(c.id, REPEAT);
    }
  }
  const score = terms.open + terms.overdue + terms.escalated + terms.repeat + terms.becameIncident;
  const drivers = [...weight.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
  return { score, terms, drivers };
}
