// Closed objects leave the live projections after 7 days and stay readable by id (DESIGN §2).
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLOSED_KEPT_MS, pruneClosed } from '../../server/jobs/prune-processor.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree } from '../helpers/geo.js';
import { durableClient, ingestOk, reportAt } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let duty: Client;
beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  duty = await as(s, 'duty');
  await ingestOk(s, [reportAt('P-OPEN', 20), reportAt('P-CLOSED', 21), reportAt('P-CANCELLED', 22)]);
  await ingestOk(s, [ce('incident.closed', { incidentId: 'P-CLOSED' }), ce('incident.cancelled', { incidentId: 'P-CANCELLED' })]);
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

const listed = async (status: string) => (await duty.get(`/incidents?status=${status}`)).body.items.map((i: any) => i.id);

it('keeps closed incidents listed for 7 days, then only by id', async () => {
  // within 7 days nothing moves
  expect((await pruneClosed(r, demoTree(), Date.now() + CLOSED_KEPT_MS - 60_000)).removed).toBe(0);
  expect(await listed('closed,cancelled')).toEqual(expect.arrayContaining(['P-CLOSED', 'P-CANCELLED']));

  const result = await pruneClosed(r, demoTree(), Date.now() + CLOSED_KEPT_MS + 60_000);
  // each closed incident sat in the index of every level of its chain (grid .. city)
  expect(result.removed).toBe(2 * 5);
  expect(await listed('closed,cancelled')).toEqual([]);
  expect(await listed('new')).toContain('P-OPEN');
  const byId = await duty.get('/incidents/P-CLOSED');
  expect(byId.status).toBe(200);
  expect(byId.body.status).toBe('closed');
});
