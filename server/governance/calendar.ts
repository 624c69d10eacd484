// Working days (DESIGN §8): governance deadlines count working days of a holiday calendar that
// lists days off and make-up workdays (调休) as data (data/cn-working-calendar.json). Pure
// functions over a calendar value; loading the file is the only I/O, done once.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const calendarFileSchema = z.object({ timeZone: z.string(), holidays: z.array(day), workdays: z.array(day) });

export interface WorkingCalendar {
  timeZone: string;
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

export const DEFAULT_CALENDAR_FILE = fileURLToPath(new URL('../../data/cn-working-calendar.json', import.meta.url));

export function loadCalendar(file = DEFAULT_CALENDAR_FILE): WorkingCalendar {
  const raw = calendarFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return { timeZone: raw.timeZone, holidays: new Set(raw.holidays), workdays: new Set(raw.workdays) };
}

const MS_DAY = 86_400_000;

/** The local date (YYYY-MM-DD) of an instant in the calendar's time zone. */
export function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** Whether a local date is a working day: a make-up workday, or a weekday that is not a holiday. */
export function isWorkingDay(date: string, cal: WorkingCalendar): boolean {
  if (cal.workdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function offsetMs(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(ms).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant a local date ends (midnight at the start of the next local day). */
export function endOfLocalDay(date: string, timeZone: string): number {
  const nextUtcMidnight = Date.parse(`${date}T00:00:00Z`) + MS_DAY;
  return nextUtcMidnight - offsetMs(nextUtcMidnight, timeZone);
}

/**
 * The deadline `n` working days after `from`: the end of the n-th working day counted from the
 * day after `from`'s local date (the day of receipt does not count, as in administrative practice).
 */
export function addWorkingDays(fromMs: number, n: number, cal: WorkingCalendar): number {
  let date = localDate(fromMs, cal.timeZone);
  let left = n;
  while (left > 0) {
    date = new Date(Date.parse(`${date}T12:00:00Z`) + MS_DAY).toISOString().slice(0, 10);
    if (isWorkingDay(date, cal)) left--;
  }
  return endOfLocalDay(date, cal.timeZone);
}
