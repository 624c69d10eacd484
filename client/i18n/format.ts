// Every displayed time is in the command center's zone (DESIGN §1: TIME_ZONE, default Asia/Shanghai).
import { DEFAULT_TIME_ZONE } from '../../shared/constants.js';

export const DISPLAY_TIME_ZONE = DEFAULT_TIME_ZONE;

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: DISPLAY_TIME_ZONE, hourCycle: 'h23', ...opts });
    cache.set(key, f);
  }
  return f;
}

/** hh:mm:ss */
export function formatTime(t: number | string, locale: string): string {
  return fmt(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(t));
}

/** The date with the weekday, as the top bar shows it. */
export function formatDate(t: number, locale: string): string {
  return fmt(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(new Date(t));
}

/** The whole seconds between `at` and `now` (never negative: clocks of feeders drift). */
export function ageSeconds(at: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(at)) / 1000));
}

/** The i18n key and count for an age: "12 秒前", "3 分钟前". */
export function ageKey(seconds: number): { key: 'age.seconds' | 'age.minutes' | 'age.hours'; n: number } {
  if (seconds < 60) return { key: 'age.seconds', n: seconds };
  if (seconds < 3600) return { key: 'age.minutes', n: Math.floor(seconds / 60) };
  return { key: 'age.hours', n: Math.floor(seconds / 3600) };
}

/** `YYYY-MM-DD hh:mm:ss` in the display zone, the same in every language (tables, the audit trail). */
export function formatDateTime(t: number | string, locale = 'en'): string {
  const parts = fmt(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(t));
  const p = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? '';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}:${p('second')}`;
}
