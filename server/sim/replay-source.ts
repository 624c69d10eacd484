/**
 * The pure half of `npm run replay`: turning lines of a CSV or NDJSON file into CloudEvents
 * and deciding when each is due. No I/O here, so it is all unit-testable.
 */
import type { CloudEvent } from '../../shared/events.js';
import type { Location } from '../../shared/jurisdiction.js';

/** Splits one CSV line; handles quoted fields with "" escapes (RFC 4180, single line). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur.replace(/\r$/, ''));
  return out;
}

export interface CsvColumns {
  date: number;
  longitude: number;
  latitude: number;
  locCat?: number;
  district?: number;
}

/** Positions when the file has no header row, in the order the replay documents. */
export const DEFAULT_COLUMNS: CsvColumns = { date: 0, longitude: 1, latitude: 2, locCat: 3, district: 4 };

/** Column positions from a header row, or undefined when the row is data (no `date` column). */
export function csvColumns(header: readonly string[]): CsvColumns | undefined {
  const names = header.map((h) => h.trim().toLowerCase().replace(/^\ufeff/, ''));
  const find = (...aliases: string[]) => {
    const i = names.findIndex((n) => aliases.includes(n));
    return i >= 0 ? i : undefined;
  };
  const date = find('date', 'datetime', 'time');
  const longitude = find('longitude', 'lon', 'lng', 'x');
  const latitude = find('latitude', 'lat', 'y');
  if (date === undefined || longitude === undefined || latitude === undefined) return undefined;
  const locCat = find('loc_cat', 'location_category');
  const district = find('district');
  return { date, longitude, latitude, ...(locCat !== undefined ? { locCat } : {}), ...(district !== undefined ? { district } : {}) };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * `YYYY-MM-DD HH:MM[:SS]` as milliseconds on a zone-less clock. Only differences between
 * rows matter for the schedule, so the data's own time zone never has to be known.
 */
export function parseCsvDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : undefined;
}

/** One CSV record ready to become an event once its time comes. */
export interface CsvRecord {
  row: number;
  originalMs: number;
  originalTime: string;
  location?: Location;
  locCat?: string;
  district?: string;
}

/** Parses data row `row` (1-based, header excluded); a row without a readable date is an error. */
export function parseCsvRecord(cells: readonly string[], cols: CsvColumns, row: number): CsvRecord | { error: string } {
  const originalTime = (cells[cols.date] ?? '').trim();
  const originalMs = parseCsvDate(originalTime);
  if (originalMs === undefined) return { error: `row ${row}: unreadable date "${originalTime}"` };
  const lon = Number((cells[cols.longitude] ?? '').trim() || NaN);
  const lat = Number((cells[cols.latitude] ?? '').trim() || NaN);
  // Rows without usable coordinates still happened: they are replayed as unlocated incidents.
  const located = Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0);
  const locCat = cols.locCat !== undefined ? cells[cols.locCat]?.trim() : undefined;
  const district = cols.district !== undefined ? cells[cols.district]?.trim() : undefined;
  return {
    row,
    originalMs,
    originalTime,
    ...(located ? { location: { lat, lon } } : {}),
    ...(locCat ? { locCat } : {}),
    ...(district ? { district } : {}),
  };
}

/** A short id-safe tag from a file name: `chicago_aggravated_assaults.csv.gz` → `chicago_aggravated_assaults`. */
export function replayTag(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? 'replay';
  const stem = base.replace(/\.gz$/i, '').replace(/\.(csv|ndjson|jsonl|json)$/i, '');
  return stem.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'replay';
}

export interface CsvEventOptions {
  /** Prefix of event and incident ids (the replay tag). */
  tag: string;
  source: string;
  nowMs: number;
}

/** The `incident.reported` for a CSV record, stamped with the replay's now. */
export function csvRecordEvent(rec: CsvRecord, opts: CsvEventOptions): CloudEvent {
  const id = `${opts.tag}-${rec.row}`;
  return {
    specversion: '1.0',
    id,
    source: opts.source,
    type: 'incident.reported',
    time: new Date(opts.nowMs).toISOString(),
    data: {
      incidentId: id,
      category: 'assault',
      priority: 2,
      ...(rec.location ? { location: rec.location } : {}),
      channel: 'replay',
      summary: `Replayed record ${rec.row} of ${opts.tag}${rec.locCat ? ` (${rec.locCat})` : ''}`,
      originalTime: rec.originalTime,
      ...(rec.locCat ? { locCat: rec.locCat } : {}),
      ...(rec.district ? { sourceDistrict: rec.district } : {}),
    },
  };
}

/** An NDJSON line as a CloudEvent-shaped object, or an error; `originalMs` from its `time`. */
export function parseNdjsonLine(line: string, lineNo: number): { event: CloudEvent; originalMs: number | undefined } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { error: `line ${lineNo}: not JSON` };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: `line ${lineNo}: not a JSON object` };
  const event = raw as CloudEvent;
  if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.data !== 'object' || event.data === null) {
    return { error: `line ${lineNo}: not a CloudEvent (needs id, type, data)` };
  }
  const t = typeof event.time === 'string' ? Date.parse(event.time) : NaN;
  return { event, originalMs: Number.isNaN(t) ? undefined : t };
}

/**
 * A recorded event re-stamped for now: the server refuses times more than 5 minutes ahead and
 * SLA clocks start at `time`, so the original time travels in data.originalTime.
 */
export function restamp(event: CloudEvent, nowMs: number, source?: string): CloudEvent {
  return {
    ...event,
    specversion: '1.0',
    ...(source ? { source } : {}),
    time: new Date(nowMs).toISOString(),
    data: { ...event.data, ...(event.time ? { originalTime: event.time } : {}) },
  };
}

/**
 * When each record is due, in ms after the replay started: original gaps divided by the
 * speed. Never decreasing, so a file slightly out of order is sent at once, not rewound;
 * records without a time go with the one before.
 */
export class ReplaySchedule {
  private first: number | undefined;
  private last = 0;

  constructor(readonly speed: number) {
    if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`);
  }

  dueAt(originalMs: number | undefined): number {
    if (originalMs === undefined) return this.last;
    this.first ??= originalMs;
    this.last = Math.max(this.last, (originalMs - this.first) / this.speed);
    return this.last;
  }
}

/** A record waiting for its time; CSV rows become events only when sent (time = now). */
export type ReplayItem =
  | { kind: 'csv'; rec: CsvRecord; originalMs: number }
  | { kind: 'event'; event: CloudEvent; originalMs: number | undefined };

/**
 * Line-by-line reader of a replay file: guesses the format from the first line (`{` means
 * NDJSON) and takes a CSV header when there is one. Returns undefined for lines that carry
 * no record (blank, header).
 */
export class ReplayLineParser {
  format: 'csv' | 'ndjson' | undefined;
  private cols: CsvColumns = DEFAULT_COLUMNS;
  private lineNo = 0;
  private row = 0;

  parse(line: string): ReplayItem | { error: string } | undefined {
    this.lineNo++;
    if (line.trim() === '') return undefined;
    if (!this.format) {
      this.format = line.trimStart().startsWith('{') ? 'ndjson' : 'csv';
      const header = this.format === 'csv' ? csvColumns(parseCsvLine(line)) : undefined;
      if (header) {
        this.cols = header;
        return undefined;
      }
    }
    if (this.format === 'ndjson') {
      const parsed = parseNdjsonLine(line, this.lineNo);
      return 'error' in parsed ? parsed : { kind: 'event', ...parsed };
    }
    const rec = parseCsvRecord(parseCsvLine(line), this.cols, ++this.row);
    return 'error' in rec ? rec : { kind: 'csv', rec, originalMs: rec.originalMs };
  }
}

/** The event to send for an item now; `source` overrides the recorded source of NDJSON events. */
export function itemEvent(item: ReplayItem, opts: { tag: string; source: string; nowMs: number; overrideSource: boolean }): CloudEvent {
  return item.kind === 'csv'
    ? csvRecordEvent(item.rec, opts)
    : restamp(item.event, opts.nowMs, opts.overrideSource ? opts.source : undefined);
}

/** Where the replay stands in the original timeline, for progress lines. */
export function itemTime(item: ReplayItem): string | undefined {
  return item.kind === 'csv' ? item.rec.originalTime : item.event.time;
}
