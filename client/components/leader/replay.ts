// Situation replay (issue 9): its clock (speeds, advancing, the window's start typed in the display
// zone) and the reading of a window from GET /log pages. The fold of entries is replay-fold.ts.
import type { Entry } from '../../../shared/objects.js';
import { entryAt } from './replay-fold.js';

export const REPLAY_SPEEDS = [1, 5, 10, 30, 60] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
/** The next replay instant after `dtMs` of wall time at `speed`, clamped to the window's end. */
export const advance = (t: number, dtMs: number, speed: number, to: number) => Math.min(to, t + dtMs * speed);

/** Keeps the entries of [from, to) from pages read with `after=<from ISO>`; answers true when the window is complete. */
export function takeWindow(out: Entry[], page: readonly Entry[], to: number): boolean {
  for (const e of page) {
    if (entryAt(e) >= to) return true;
    out.push(e);
  }
  return false;
}

/** The seconds of a replay instant into its window, as mm:ss or h:mm:ss. */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** Milliseconds a zone is ahead of UTC at an instant. */
function zoneOffset(ms: number, timeZone: string): number {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(ms).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(ms / 1000) * 1000;
}

/** An instant as a datetime-local value (`YYYY-MM-DDTHH:mm`) in the display zone. */
export function toZonedInput(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffset(ms, timeZone)).toISOString().slice(0, 16);
}

/** A datetime-local value read in the display zone (not the browser's); NaN when it is not one. */
export function fromZonedInput(s: string, timeZone: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s)) return Number.NaN;
  const asUtc = Date.parse(`${s}:00Z`);
  const guess = asUtc - zoneOffset(asUtc, timeZone);
  return asUtc - zoneOffset(guess, timeZone);
}
