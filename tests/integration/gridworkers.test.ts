// Grid workers (issue 6): GET /gridworkers counts `gridworker.report` facts per worker over 30 days,
// shows only workers in the caller's scopes, and premise history names the grid's worker.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rosterOf } from '../../server/geo/roster.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { ingestOk } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let duty: Client;
let dutyDistrict: Client;
const tree = demoTree();
const roster = rosterOf(tree);
const a = gridCenter(40);
const worker = roster.workerForGrid(a.gridId)!;
// another grid of the same worker, and a grid of another district
const sibling = gridCenter(tree.idsAt('grid').indexOf(worker.grids.find((g) => g !== a.gridId)!));
const districtOf = (gridId: string) => tree.chain(gridId).at(-2)!;
const far = gridCenter(tree.idsAt('grid').findIndex((g) => districtOf(g) !== districtOf(a.gridId)));
const farWorker = roster.workerForGrid(far.gridId)!;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const report = (kind: string, loc: { lat: number; lon: number }, time?: string) =>
  ce('gridworker.report', { kind, location: { lat: loc.lat, lon: loc.lon }, summary: '巡查' }, time ? { time } : {});

beforeAll(async () => {
  s = await startStack();
  duty = await as(s, 'duty');
  dutyDistrict = await as(s, `duty-${districtOf(a.gridId)}`);
  await ingestOk(s, [
    report('visit', a), report('visit', sibling), report('hazard', a), report('dispute_lead', sibling),
    report('visit', a, ago(40)), // outside the 30-day window
    report('visit', far),
    ce('gridworker.report', { kind: 'hazard', summary: 'no location' }),
    ce('incident.reported', { incidentId: 'GW-INC', category: 'theft', priority: 3, location: { lat: a.lat, lon: a.lon } }),
  ]);
});
afterAll(async () => { await s?.stop(); });

it('counts each worker\'s reports of the last 30 days per kind, with the latest report time', async () => {
  const r = await duty.get('/gridworkers');
  expect(r.status).toBe(200);
  expect(typeof r.body.asOfSeq).toBe('string');
  expect(r.body.items).toHaveLength(roster.workers.length);
  const mine = r.body.items.find((w: any) => w.id === worker.id);
  expect(mine).toMatchObject({ name: worker.name, grids: worker.grids, communityId: worker.communityId, reports30d: { visit: 2, hazard: 1, dispute_lead: 1 } });
  expect(Date.now() - Date.parse(mine.lastReportAt)).toBeLessThan(60_000);
  expect(r.body.items.find((w: any) => w.id === farWorker.id).reports30d).toEqual({ visit: 1, hazard: 0, dispute_lead: 0 });
  const idle = r.body.items.find((w: any) => w.id !== worker.id && w.id !== farWorker.id);
  expect(idle).toMatchObject({ reports30d: { visit: 0, hazard: 0, dispute_lead: 0 }, lastReportAt: null });
});

it('shows a district duty officer only the workers of their district; scope= narrows further', async () => {
  const r = await dutyDistrict.get('/gridworkers');
  expect(r.status).toBe(200);
  const ids = r.body.items.map((w: any) => w.id);
  expect(ids).toContain(worker.id);
  expect(ids).not.toContain(farWorker.id);
  for (const w of r.body.items) for (const g of w.grids) expect(districtOf(g)).toBe(districtOf(a.gridId));
  expect(ids).toEqual(roster.workers.filter((w) => districtOf(w.grids[0]!) === districtOf(a.gridId)).map((w) => w.id));
  const one = await dutyDistrict.get(`/gridworkers?scope=${worker.communityId}`);
  expect(one.body.items.every((w: any) => w.communityId === worker.communityId)).toBe(true);
  expect((await dutyDistrict.get(`/gridworkers?scope=${districtOf(far.gridId)}`)).status).toBe(404);
});

it('names the grid\'s worker in the premise history', async () => {
  const r = await duty.get('/incidents/GW-INC/premise');
  expect(r.status).toBe(200);
  expect(r.body.gridWorker).toEqual({ id: worker.id, name: worker.name });
});
