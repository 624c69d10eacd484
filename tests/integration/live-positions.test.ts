// Live positions (DESIGN §5): `positions {units: [{unitId, lat, lon, speed, heading, status, at}]}`,
// at most one fix per unit per second (the newest wins), visible in the unit's owning
// jurisdiction and in the one where it is now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LivePosition } from '../../shared/live.js';
import { gridCenter } from '../helpers/geo.js';
import { until, type Recorder } from '../helpers/live-client.js';
import { D2, D3, D4, connected, gridOf, ingestAll, sleep } from '../helpers/live-data.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let city: Recorder;
let dutyD2: Recorder;
let dutyD3: Recorder;
beforeAll(async () => {
  s = await startStack();
  city = await connected(s.url, await s.login('coordinator'));
  dutyD2 = await connected(s.url, await s.login(`duty-${D2}`));
  dutyD3 = await connected(s.url, await s.login(`duty-${D3}`));
});
afterAll(async () => {
  for (const c of [city, dutyD2, dutyD3]) c?.close();
  await s?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();
const register = (unitId: string, district: string, k = 0) =>
  ce('unit.registered', { unitId, callsign: `巡-${unitId}`, kind: 'car', homeGrid: gridCenter(gridOf(district, k)).gridId }, { source: 'test/roster' });
/** A fix at the centre of the k-th grid of `district`, nudged north by `dLat`. */
function fix(unitId: string, district: string, atMs: number, dLat = 0, extra: Record<string, unknown> = {}) {
  const c = gridCenter(gridOf(district, 3));
  return ce('unit.position', { unitId, lat: c.lat + dLat, lon: c.lon, speed: 8, heading: 90, ...extra }, { source: 'test/gps', time: iso(atMs) });
}
const fixesOf = (c: Recorder, unitId: string): LivePosition[] => c.positions.flatMap((f) => f.units).filter((u) => u.unitId === unitId);
const unitsSeen = (c: Recorder, prefix: string) => new Set(c.positions.flatMap((f) => f.units).map((u) => u.unitId).filter((id) => id.startsWith(prefix)));

describe('positions frames', () => {
  it('carries {unitId, lat, lon, speed, heading, status, at} for a registered unit, with its current status', async () => {
    await ingestAll(s.url, [register('PS-1', D2)]);
    const t = Date.now() - 5000;
    await ingestAll(s.url, [fix('PS-1', D2, t, 0.0001, { speed: 12.5, heading: 270 })]);
    await until(() => fixesOf(city, 'PS-1').length > 0, 10_000, 'a positions frame');
    const c = gridCenter(gridOf(D2, 3));
    expect(fixesOf(city, 'PS-1')).toEqual([{ unitId: 'PS-1', lat: c.lat + 0.0001, lon: c.lon, speed: 12.5, heading: 270, status: 'available', at: iso(t) }]);

    // a status change reaches the next frame; a fix without speed and heading carries nulls
    await ingestAll(s.url, [ce('unit.status', { unitId: 'PS-1', status: 'busy' }, { source: 'test/terminal' })]);
    await sleep(1100);
    await ingestAll(s.url, [ce('unit.position', { unitId: 'PS-1', lat: c.lat, lon: c.lon }, { source: 'test/gps', time: iso(t + 1000) })]);
    await until(() => fixesOf(city, 'PS-1').length > 1, 10_000, 'the second frame');
    expect(fixesOf(city, 'PS-1')[1]).toEqual({ unitId: 'PS-1', lat: c.lat, lon: c.lon, speed: null, heading: null, status: 'busy', at: iso(t + 1000) });
  });

  it('sends at most one fix per unit per second, and the newest one eventually', async () => {
    await ingestAll(s.url, [register('PS-2', D2)]);
    await sleep(300);
    const t = Date.now() - 2000;
    const started = Date.now();
    // spread over ~0.9 s, so several 250 ms flushes pass while they come in
    for (let i = 0; i < 10; i++) {
      await sleep(Math.max(0, started + i * 90 - Date.now()));
      await ingestAll(s.url, [fix('PS-2', D2, t + i * 100, i * 0.0001)]);
    }
    const window = Date.now() - started;
    await until(() => fixesOf(city, 'PS-2').some((f) => f.at === iso(t + 900)), 10_000, 'the newest fix');
    await sleep(1500); // anything else would show by now
    const got = fixesOf(city, 'PS-2');
    // ten fixes within `window` ms: one at once, then one per second at most
    expect(got.length).toBeLessThanOrEqual(1 + Math.ceil(window / 1000));
    expect(got.length).toBeLessThan(10);
    expect(got[got.length - 1]).toMatchObject({ at: iso(t + 900), lat: gridCenter(gridOf(D2, 3)).lat + 0.0009 });
    // never an older fix after a newer one
    const times = got.map((f) => Date.parse(f.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('ignores a fix older than the unit’s newest', async () => {
    await ingestAll(s.url, [register('PS-3', D2)]);
    const t = Date.now() - 10_000;
    await ingestAll(s.url, [fix('PS-3', D2, t)]);
    await until(() => fixesOf(city, 'PS-3').length === 1, 10_000, 'the first fix');
    await sleep(1100);
    await ingestAll(s.url, [fix('PS-3', D2, t - 5000, 0.001)]);
    await sleep(1500);
    expect(fixesOf(city, 'PS-3').map((f) => f.at)).toEqual([iso(t)]);
  });
});

describe('positions scope', () => {
  it('a district sees units homed in it and units now inside it, not others', async () => {
    await ingestAll(s.url, [
      register('PV-home2-in2', D2, 1), register('PV-home2-in3', D2, 2), register('PV-home3-in2', D3, 1),
      register('PV-home3-in3', D3, 2), register('PV-home4-in4', D4, 1), register('PV-home4-in3', D4, 2),
    ]);
    await sleep(300);
    const t = Date.now() - 3000;
    await ingestAll(s.url, [
      fix('PV-home2-in2', D2, t), fix('PV-home2-in3', D3, t), fix('PV-home3-in2', D2, t),
      fix('PV-home3-in3', D3, t), fix('PV-home4-in4', D4, t), fix('PV-home4-in3', D3, t),
    ]);
    await until(() => unitsSeen(city, 'PV-').size === 6, 10_000, 'the city-wide client to see all six units');
    await sleep(1000);
    expect(unitsSeen(dutyD2, 'PV-')).toEqual(new Set(['PV-home2-in2', 'PV-home2-in3', 'PV-home3-in2']));
    expect(unitsSeen(dutyD3, 'PV-')).toEqual(new Set(['PV-home2-in3', 'PV-home3-in2', 'PV-home3-in3', 'PV-home4-in3']));
  });
});
