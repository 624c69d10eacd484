import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudEventSchema, EVENT_DATA_SCHEMAS } from '../../shared/events.js';
import { readLines } from '../../server/sim/read-lines.js';
import {
  csvColumns, csvRecordEvent, itemEvent, parseCsvDate, parseCsvLine, parseCsvRecord, type ReplayItem,
  ReplayLineParser, ReplaySchedule, replayTag, restamp,
} from '../../server/sim/replay-source.js';

const CSV = [
  'date,loc_cat,longitude,latitude,district',
  '2010-01-01 00:05,residence,-87.6277,41.7922,2',
  '2010-01-01 00:12,street,-87.6683,41.7513,6',
  '',
  '2010-01-01 01:12,"parking lot, garage",,,6',
  'not a date,street,-87.6,41.7,1',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'replay-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function parseFile(path: string): Promise<(ReplayItem | { error: string })[]> {
  const parser = new ReplayLineParser();
  const out: (ReplayItem | { error: string })[] = [];
  for await (const line of await readLines(path)) {
    const item = parser.parse(line);
    if (item) out.push(item);
  }
  return out;
}

describe('CSV parsing', () => {
  it('splits lines with quoted fields', () => {
    expect(parseCsvLine('a,"b, c","d ""e"""\r')).toEqual(['a', 'b, c', 'd "e"']);
    expect(parseCsvLine('1,,3')).toEqual(['1', '', '3']);
  });

  it('finds columns by header name in any order, or reports a data row', () => {
    expect(csvColumns(['date', 'loc_cat', 'longitude', 'latitude', 'district'])).toEqual({ date: 0, locCat: 1, longitude: 2, latitude: 3, district: 4 });
    expect(csvColumns(['\ufeffDate', 'Longitude', 'Latitude'])).toEqual({ date: 0, longitude: 1, latitude: 2 });
    expect(csvColumns(['2010-01-01 00:05', '-87.6', '41.7'])).toBeUndefined();
  });

  it('reads dates as a zone-less clock and refuses impossible ones', () => {
    expect(parseCsvDate('2010-01-01 00:05')).toBe(Date.UTC(2010, 0, 1, 0, 5));
    expect(parseCsvDate('2019-12-31T23:54:30')).toBe(Date.UTC(2019, 11, 31, 23, 54, 30));
    expect(parseCsvDate('2010-02-30 00:00')).toBeUndefined();
    expect(parseCsvDate('2010-01-01')).toBeUndefined();
  });

  it('keeps rows without coordinates as unlocated records', () => {
    const cols = { date: 0, longitude: 1, latitude: 2 };
    const rec = parseCsvRecord(['2010-01-01 00:05', '', ''], cols, 7);
    expect(rec).toEqual({ row: 7, originalMs: Date.UTC(2010, 0, 1, 0, 5), originalTime: '2010-01-01 00:05' });
    expect(parseCsvRecord(['x', '1', '2'], cols, 8)).toEqual({ error: 'row 8: unreadable date "x"' });
  });

  it('reads plain and gzipped files alike, numbering data rows from 1', async () => {
    writeFileSync(join(dir, 'a.csv'), CSV);
    writeFileSync(join(dir, 'a.csv.gz'), gzipSync(CSV));
    const plain = await parseFile(join(dir, 'a.csv'));
    const gz = await parseFile(join(dir, 'a.csv.gz'));
    expect(gz).toEqual(plain);
    expect(plain).toHaveLength(4);
    expect(plain[0]).toMatchObject({ kind: 'csv', rec: { row: 1, location: { lat: 41.7922, lon: -87.6277 }, locCat: 'residence', district: '2' } });
    expect(plain[2]).toMatchObject({ kind: 'csv', rec: { row: 3, locCat: 'parking lot, garage' } });
    expect(plain[2]).not.toHaveProperty('rec.location');
    expect(plain[3]).toEqual({ error: 'row 4: unreadable date "not a date"' });
  });

  it('takes headerless CSV in the documented column order', () => {
    const parser = new ReplayLineParser();
    const item = parser.parse('2010-01-01 00:05,-87.6277,41.7922,street,2');
    expect(item).toMatchObject({ kind: 'csv', rec: { row: 1, location: { lat: 41.7922, lon: -87.6277 }, locCat: 'street', district: '2' } });
  });

  it.skipIf(!existsSync('/work/shared/data/chicago_aggravated_assaults.csv.gz'))('reads the real Chicago extract', async () => {
    const parser = new ReplayLineParser();
    const items: ReplayItem[] = [];
    for await (const line of await readLines('/work/shared/data/chicago_aggravated_assaults.csv.gz')) {
      const item = parser.parse(line);
      if (item && !('error' in item)) items.push(item);
      if (items.length >= 200) break;
    }
    expect(items).toHaveLength(200);
    expect(items[0]).toMatchObject({ kind: 'csv', rec: { row: 1, originalTime: '2010-01-01 00:05', locCat: 'residence', district: '2' } });
  });
});

describe('events', () => {
  const now = Date.UTC(2025, 5, 1, 12, 0, 0);

  it('turns a CSV record into a valid incident.reported stamped with now', () => {
    const rec = parseCsvRecord(['2010-01-01 00:05', '-87.6277', '41.7922', 'street', '2'], { date: 0, longitude: 1, latitude: 2, locCat: 3, district: 4 }, 12);
    if ('error' in rec) throw new Error(rec.error);
    const e = csvRecordEvent(rec, { tag: 'chicago', source: 'replay/chicago', nowMs: now });
    expect(cloudEventSchema.safeParse(e).success).toBe(true);
    expect(EVENT_DATA_SCHEMAS['incident.reported'].safeParse(e.data).success).toBe(true);
    expect(e).toMatchObject({
      specversion: '1.0', id: 'chicago-12', source: 'replay/chicago', type: 'incident.reported', time: '2025-06-01T12:00:00.000Z',
      data: { incidentId: 'chicago-12', category: 'assault', priority: 2, location: { lat: 41.7922, lon: -87.6277 }, originalTime: '2010-01-01 00:05' },
    });
    // Same row, same ids: a resend is recognised by the server as a duplicate.
    expect(csvRecordEvent(rec, { tag: 'chicago', source: 'replay/chicago', nowMs: now + 5000 }).id).toBe(e.id);
  });

  it('restamps NDJSON events, keeping the original time in data', () => {
    const parser = new ReplayLineParser();
    const line = JSON.stringify({ specversion: '1.0', id: 'x1', source: 'cad', type: 'incident.reported', time: '2024-01-01T08:00:00Z', data: { incidentId: 'I1', category: 'theft', priority: 3 } });
    const item = parser.parse(line);
    if (!item || 'error' in item || item.kind !== 'event') throw new Error('expected an event item');
    expect(item.originalMs).toBe(Date.parse('2024-01-01T08:00:00Z'));
    const e = itemEvent(item, { tag: 't', source: 'replay/t', nowMs: now, overrideSource: false });
    expect(e).toMatchObject({ id: 'x1', source: 'cad', time: '2025-06-01T12:00:00.000Z', data: { incidentId: 'I1', originalTime: '2024-01-01T08:00:00Z' } });
    expect(restamp(item.event, now, 'replay/other').source).toBe('replay/other');
    expect(parser.parse('{not json')).toEqual({ error: 'line 2: not JSON' });
    expect(parser.parse('{"id":"x"}')).toEqual({ error: 'line 3: not a CloudEvent (needs id, type, data)' });
  });

  it('derives an id-safe tag from the file name', () => {
    expect(replayTag('/work/shared/data/chicago_aggravated_assaults.csv.gz')).toBe('chicago_aggravated_assaults');
    expect(replayTag('C:\\data\\my file (1).ndjson')).toBe('my_file_1_');
  });
});

describe('ReplaySchedule', () => {
  it('keeps relative timing divided by the speed', () => {
    const s = new ReplaySchedule(60);
    const t0 = Date.UTC(2010, 0, 1, 0, 5);
    expect(s.dueAt(t0)).toBe(0);
    expect(s.dueAt(t0 + 7 * 60_000)).toBe(7_000);
    expect(s.dueAt(t0 + 60 * 60_000)).toBe(60_000);
  });

  it('never goes backwards and sends untimed records with the previous one', () => {
    const s = new ReplaySchedule(2);
    expect(s.dueAt(10_000)).toBe(0);
    expect(s.dueAt(30_000)).toBe(10_000);
    expect(s.dueAt(20_000)).toBe(10_000);
    expect(s.dueAt(undefined)).toBe(10_000);
    expect(() => new ReplaySchedule(0)).toThrow();
  });
});
