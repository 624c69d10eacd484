// Default deadlines per stage (DESIGN §8), used when a fact or command names none: disputes and
// supervision orders in working days of the holiday calendar; petitions in calendar days, as
// the Regulations on Letters and Visits (信访工作条例) set them (60 days to settle a petition).
import type { CaseKind } from '../../shared/governance.js';
import { addWorkingDays, loadCalendar, type WorkingCalendar } from './calendar.js';

export const DISPUTE_WORKING_DAYS: Record<string, number> = {
  registered: 2, // first mediation starts within two working days of registration
  mediating: 10,
  assessed: 3,
  routed: 15,
};
export const SUPERVISION_WORKING_DAYS = 5;
export const PETITION_DAYS = 60;

export type DeadlineFor = (kind: CaseKind, stage: string, fromIso: string) => string | null;

export function deadlines(cal: WorkingCalendar): DeadlineFor {
  return (kind, stage, fromIso) => {
    const from = Date.parse(fromIso);
    if (kind === 'dispute') {
      const n = DISPUTE_WORKING_DAYS[stage];
      return n === undefined ? null : new Date(addWorkingDays(from, n, cal)).toISOString();
    }
    if (kind === 'supervision') return stage === 'issued' ? new Date(addWorkingDays(from, SUPERVISION_WORKING_DAYS, cal)).toISOString() : null;
    return stage === 'filed' ? new Date(from + PETITION_DAYS * 86_400_000).toISOString() : null;
  };
}

let standard: DeadlineFor | null = null;
/** Deadlines on the bundled calendar, loaded once. */
export function standardDeadlines(): DeadlineFor {
  return (standard ??= deadlines(loadCalendar()));
}
