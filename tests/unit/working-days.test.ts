// Working days (server/governance/calendar.ts) and default stage deadlines (deadlines.ts): the
// bundled calendar's holidays and make-up workdays (调休), weekends, and the end of the local
// day in Asia/Shanghai (UTC+8, no daylight saving).
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays, endOfLocalDay, isWorkingDay, loadCalendar, localDate, type WorkingCalendar,
} from '../../server/governance/calendar.js';
import {
  deadlines, DISPUTE_WORKING_DAYS, PETITION_DAYS, standardDeadlines, SUPERVISION_WORKING_DAYS,
} from '../../server/governance/deadlines.js';

const cal = loadCalendar();
const TZ = 'Asia/Shanghai';
/** An instant given as a local time in Shanghai. */
const local = (s: string) => Date.parse(`${s}+08:00`);
/** The end of a local date in Shanghai, as ISO. */
const eod = (date: string) => new Date(Date.parse(`${date}T00:00:00+08:00`) + 86_400_000).toISOString();
const add = (from: string, n: number, c: WorkingCalendar = cal) => new Date(addWorkingDays(local(from), n, c)).toISOString();

describe('the bundled calendar', () => {
  it('is in Asia/Shanghai and lists the 2026 Spring Festival and National Day 2025 with their make-up workdays', () => {
    expect(cal.timeZone).toBe(TZ);
    for (let d = 15; d <= 23; d++) expect(cal.holidays.has(`2026-02-${d}`)).toBe(true);
    for (let d = 1; d <= 8; d++) expect(cal.holidays.has(`2025-10-0${d}`)).toBe(true);
    for (const w of ['2026-02-14', '2026-02-28', '2025-09-28', '2025-10-11']) expect(cal.workdays.has(w), w).toBe(true);
  });

  it('says which days are worked', () => {
    expect(isWorkingDay('2026-02-13', cal)).toBe(true); // Friday
    expect(isWorkingDay('2026-02-14', cal)).toBe(true); // Saturday, make-up workday
    expect(isWorkingDay('2026-02-16', cal)).toBe(false); // Monday, Spring Festival
    expect(isWorkingDay('2026-02-21', cal)).toBe(false); // Saturday inside the holiday
    expect(isWorkingDay('2026-02-24', cal)).toBe(true); // Tuesday, first day back
    expect(isWorkingDay('2026-02-28', cal)).toBe(true); // Saturday, make-up workday
    expect(isWorkingDay('2026-03-01', cal)).toBe(false); // Sunday
    expect(isWorkingDay('2025-09-27', cal)).toBe(false); // Saturday
    expect(isWorkingDay('2025-09-28', cal)).toBe(true); // Sunday, make-up workday
    expect(isWorkingDay('2025-10-11', cal)).toBe(true); // Saturday, make-up workday
  });
});

describe('local days in Asia/Shanghai', () => {
  it('takes the local date of an instant, not the UTC one', () => {
    expect(localDate(Date.parse('2025-03-06T15:59:59Z'), TZ)).toBe('2025-03-06');
    expect(localDate(Date.parse('2025-03-06T16:00:00Z'), TZ)).toBe('2025-03-07');
  });

  it('ends a local day at the next local midnight (16:00 UTC)', () => {
    expect(new Date(endOfLocalDay('2026-02-14', TZ)).toISOString()).toBe('2026-02-14T16:00:00.000Z');
    expect(new Date(endOfLocalDay('2025-12-31', TZ)).toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });
});

describe('addWorkingDays', () => {
  it('does not count the day of receipt; 0 days is the end of that local day', () => {
    expect(add('2025-03-05T10:00:00', 0)).toBe(eod('2025-03-05'));
    expect(add('2025-03-05T10:00:00', 1)).toBe(eod('2025-03-06'));
  });

  it('skips weekends', () => {
    expect(add('2025-03-07T09:00:00', 1)).toBe(eod('2025-03-10')); // Friday → Monday
    expect(add('2025-03-08T09:00:00', 1)).toBe(eod('2025-03-10')); // Saturday → Monday
    expect(add('2025-03-07T09:00:00', 5)).toBe(eod('2025-03-14'));
  });

  it('counts from the local date: 01:00 on Friday in Shanghai is still Thursday in UTC', () => {
    const fridayEarly = Date.parse('2025-03-06T17:00:00Z'); // 2025-03-07 01:00 local
    expect(new Date(addWorkingDays(fridayEarly, 1, cal)).toISOString()).toBe(eod('2025-03-10'));
    const thursdayLate = Date.parse('2025-03-06T15:00:00Z'); // 2025-03-06 23:00 local
    expect(new Date(addWorkingDays(thursdayLate, 1, cal)).toISOString()).toBe(eod('2025-03-07'));
  });

  it('crosses the 2026 Spring Festival (15–23 Feb off, Saturdays 14 and 28 Feb worked)', () => {
    expect(add('2026-02-12T10:00:00', 1)).toBe(eod('2026-02-13'));
    expect(add('2026-02-12T10:00:00', 2)).toBe(eod('2026-02-14')); // the make-up Saturday counts
    expect(add('2026-02-12T10:00:00', 3)).toBe(eod('2026-02-24')); // nine days off skipped
    expect(add('2026-02-14T09:00:00', 1)).toBe(eod('2026-02-24')); // received on the make-up Saturday
    expect(add('2026-02-17T11:00:00', 1)).toBe(eod('2026-02-24')); // received during the holiday
    expect(add('2026-02-27T16:00:00', 1)).toBe(eod('2026-02-28')); // the second make-up Saturday
    expect(add('2026-02-27T16:00:00', 2)).toBe(eod('2026-03-02'));
    expect(add('2026-02-13T10:00:00', 10)).toBe(eod('2026-03-05'));
  });

  it('crosses National Day 2025 (1–8 Oct off, Sunday 28 Sep and Saturday 11 Oct worked)', () => {
    expect(add('2025-09-26T10:00:00', 1)).toBe(eod('2025-09-28'));
    expect(add('2025-09-26T10:00:00', 2)).toBe(eod('2025-09-29'));
    expect(add('2025-09-26T10:00:00', 3)).toBe(eod('2025-09-30'));
    expect(add('2025-09-26T10:00:00', 4)).toBe(eod('2025-10-09'));
    expect(add('2025-09-26T10:00:00', 6)).toBe(eod('2025-10-11'));
    expect(add('2025-09-26T10:00:00', 7)).toBe(eod('2025-10-13'));
  });

  it('takes the calendar as data: without holidays the same days are plain weekdays', () => {
    const plain: WorkingCalendar = { timeZone: TZ, holidays: new Set(), workdays: new Set() };
    expect(add('2026-02-12T10:00:00', 3, plain)).toBe(eod('2026-02-17'));
    expect(add('2025-09-26T10:00:00', 1, plain)).toBe(eod('2025-09-29'));
  });
});

describe('default stage deadlines', () => {
  const d = deadlines(cal);

  it('has the documented day counts', () => {
    expect(DISPUTE_WORKING_DAYS).toEqual({ registered: 2, mediating: 10, assessed: 3, routed: 15 });
    expect(SUPERVISION_WORKING_DAYS).toBe(5);
    expect(PETITION_DAYS).toBe(60);
  });

  it('counts disputes in working days, stage by stage; finished stages have none', () => {
    const from = new Date(local('2026-02-12T10:00:00')).toISOString();
    expect(d('dispute', 'registered', from)).toBe(eod('2026-02-14'));
    expect(d('dispute', 'assessed', from)).toBe(eod('2026-02-24'));
    expect(d('dispute', 'mediating', new Date(local('2026-02-13T10:00:00')).toISOString())).toBe(eod('2026-03-05'));
    for (const stage of ['registered', 'mediating', 'assessed', 'routed'] as const) {
      expect(d('dispute', stage, from)).toBe(new Date(addWorkingDays(Date.parse(from), DISPUTE_WORKING_DAYS[stage]!, cal)).toISOString());
    }
    expect(d('dispute', 'resolved', from)).toBeNull();
    expect(d('dispute', 'closed', from)).toBeNull();
  });

  it('gives supervision orders five working days and petitions sixty calendar days', () => {
    expect(d('supervision', 'issued', new Date(local('2025-09-29T09:00:00')).toISOString())).toBe(eod('2025-10-13'));
    expect(d('supervision', 'answered', '2025-09-29T01:00:00.000Z')).toBeNull();
    expect(d('petition', 'filed', '2025-03-01T08:00:00.000Z')).toBe('2025-04-30T08:00:00.000Z');
    expect(d('petition', 'answered', '2025-03-01T08:00:00.000Z')).toBeNull();
  });

  it('uses the bundled calendar by default', () => {
    const from = new Date(local('2025-09-26T10:00:00')).toISOString();
    expect(standardDeadlines()('dispute', 'registered', from)).toBe(d('dispute', 'registered', from));
    expect(standardDeadlines()('dispute', 'registered', from)).toBe(eod('2025-09-29'));
  });
});
