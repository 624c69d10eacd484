// Deadlines as the console words them (DESIGN §8): disputes and supervision orders run in working
// days of the holiday calendar (with make-up workdays, the same data file the server reads);
// petitions in calendar days. Pure functions; `now` is the server-corrected clock.
import calendarFile from '../../../data/cn-working-calendar.json';
import type { CaseKind } from '../../../shared/governance.js';

const MS_MIN = 60_000;
const MS_HOUR = 3_600_000;
const MS_DAY = 86_400_000;
/** No count runs further than this (a wrong year in a deadline must not spin). */
const MAX_DAYS = 800;

export interface WorkingCalendar {
  timeZone: string;
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

export const CALENDAR: WorkingCalendar = {
  timeZone: calendarFile.timeZone,
  holidays: new Set(calendarFile.holidays),
  workdays: new Set(calendarFile.workdays),
};

const dateFmt = new Map<string, Intl.DateTimeFormat>();
/** The local date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(ms: number, timeZone = CALENDAR.timeZone): string {
  let f = dateFmt.get(timeZone);
  if (!f) dateFmt.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(ms);
}

const nextDate = (date: string) => new Date(Date.parse(`${date}T12:00:00Z`) + MS_DAY).toISOString().slice(0, 10);

/** A make-up workday, or a weekday that is not a holiday. */
export function isWorkingDay(date: string, cal = CALENDAR): boolean {
  if (cal.workdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** Working days d with from < d ≤ to (local dates). */
export function workingDaysBetween(from: string, to: string, cal = CALENDAR): number {
  let n = 0;
  let d = from;
  for (let i = 0; i < MAX_DAYS && d < to; i++) {
    d = nextDate(d);
    if (isWorkingDay(d, cal)) n++;
  }
  return n;
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
export function endOfLocalDay(date: string, timeZone = CALENDAR.timeZone): number {
  const next = Date.parse(`${date}T00:00:00Z`) + MS_DAY;
  return next - offsetMs(next, timeZone);
}

/** The local date `n` working days after `fromMs`'s date (the day itself does not count, as the server counts). */
export function addWorkingDays(fromMs: number, n: number, cal = CALENDAR): string {
  let date = localDate(fromMs, cal.timeZone);
  for (let left = n, i = 0; left > 0 && i < MAX_DAYS; i++) {
    date = nextDate(date);
    if (isWorkingDay(date, cal)) left--;
  }
  return date;
}

/** Working days for disputes and supervision orders, calendar days for petitions (60 days by regulation). */
export const deadlineMode = (kind: CaseKind): 'working' | 'calendar' => (kind === 'petition' ? 'calendar' : 'working');

export type CountdownUnit = 'wd' | 'd' | 'h' | 'm';
export interface Countdown {
  overdue: boolean;
  unit: CountdownUnit;
  n: number;
  /** milliseconds left (negative when overdue) */
  ms: number;
}

/**
 * What is left before a deadline, in the largest unit that is at least one: whole working days
 * after today up to the deadline's day ("剩余 3 个工作日"), calendar days for petitions, then hours
 * and minutes on the last day. Overdue the same way, in hours for the first day ("超期 5 小时").
 */
export function countdown(deadlineIso: string, now: number, mode: 'working' | 'calendar', cal = CALENDAR): Countdown | null {
  const due = Date.parse(deadlineIso);
  if (!Number.isFinite(due)) return null;
  const ms = due - now;
  const overdue = ms < 0;
  const span = Math.abs(ms);
  // a deadline at the end of a day is the instant the next day starts: it belongs to the day before
  const dueDate = localDate(due - 1, cal.timeZone);
  const today = localDate(now, cal.timeZone);
  if (!overdue && mode === 'working') {
    const wd = workingDaysBetween(today, dueDate, cal);
    if (wd >= 1) return { overdue, unit: 'wd', n: wd, ms };
  }
  if (overdue && span >= MS_DAY && mode === 'working') {
    const wd = workingDaysBetween(dueDate, today, cal);
    if (wd >= 1) return { overdue, unit: 'wd', n: wd, ms };
  }
  if (span >= MS_DAY) return { overdue, unit: 'd', n: Math.floor(span / MS_DAY), ms };
  if (span >= MS_HOUR) return { overdue, unit: 'h', n: Math.floor(span / MS_HOUR), ms };
  return { overdue, unit: 'm', n: Math.max(1, Math.floor(span / MS_MIN)), ms };
}

/** The i18n key of a countdown (`gov.due.left.wd`, `gov.due.over.h`, …). */
export const countdownKey = (c: Countdown) => `gov.due.${c.overdue ? 'over' : 'left'}.${c.unit}`;

/** True when a case's deadline has passed. */
export const isOverdue = (deadline: string | null, now: number) => deadline !== null && Date.parse(deadline) < now;

/** A deadline as `YYYY-MM-DD hh:mm` in the display zone; the end of a day reads `… 24:00` of that day, not `00:00` of the next. */
export function formatDeadline(iso: string, timeZone = CALENDAR.timeZone): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  if (p.hour === '00' && p.minute === '00' && ms % 60_000 === 0) return `${localDate(ms - 1, timeZone)} 24:00`;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
