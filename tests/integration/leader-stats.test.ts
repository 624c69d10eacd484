// The leader view's server half (issue 9) on a real stack: incidents with lifecycle facts, disputes
// and petitions through resolution, feedback and a coverage run are counted by the commit (and the
// worker's coverage job) into the daily counters; GET /stats?metric=leader answers the exact rates
// against the targets; its Redis work is the same for a log of 100 and of 1,000 entries (INFO
// commandstats before and after the request); rankings and the daily report (JSON and CSV) follow
// the scope; a district duty officer sees only their district; PUT /targets is validated and
// needs settings.manage.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COVERAGE_RULE } from '../../server/alerts/coverage-rules.js';
import { createCoverageJobs } from '../../server/jobs/coverage-jobs.js';
import { keys } from '../../server/store/keys.js';
import type { ScriptedRedis } from '../../server/store/scripts.js';
import type { PositionStore } from '../../server/telemetry/positions.js';
import { dailyReportSchema, DEFAULT_TARGETS, leaderStatsSchema, rankingsSchema, targetsResponseSchema, type LeaderStats } from '../../shared/leader.js';
import { slaTargetSeconds } from '../../shared/sla.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient, ingestOk, sleep } from '../helpers/requests.js';
import { ce, ingestTo, startStack, type Stack } from '../helpers/stack.js';

const H = 3_600_000;
const DAY = 86_400_000;
const tree = demoTree();
const grids = tree.idsAt('grid');
const [DA, DB] = tree.idsAt('district') as [string, string];
const gridsIn = (d: string) => grids.filter((g) => tree.chain(g).includes(d));
const gA = gridsIn(DA);
const gB = gridsIn(DB)[0]!;
const loc = (g: string) => { const c = gridCenter(grids.indexOf(g)); return { lat: c.lat, lon: c.lon }; };
const iso = (ms: number) => new Date(ms).toISOString();

describe('the leader view (server)', () => {
  let s: Stack;
  let r: Redis;
  let admin: Client;
  let leader: Client;
  let dutyA: Client;
  let dispatchSecret: string;
  let now: number;
  let T0: number;
  let today: string;

  const ev = (type: string, data: Record<string, unknown>, time: number) => ({ ...ce(type, data), time: iso(time) });
  const leaderStats = async (c: Client, scope?: string): Promise<LeaderStats> => {
    const res = await c.get(`/stats?metric=leader${scope ? `&scope=${scope}` : ''}`);
    expect(res.status, res.text).toBe(200);
    return leaderStatsSchema.parse(res.body);
  };
  const ind = (st: LeaderStats, id: string) => st.indicators.find((i) => i.id === id)!;

  /** Pretends the incident was reported `ms` earlier (its SLA clock started then): rewrites the stored object in place. */
  async function backdate(incidentId: string, ms: number) {
    const key = keys.object('incident', incidentId);
    const obj = JSON.parse((await r.hget(key, 'j'))!);
    for (const f of ['reportedAt', 'receivedAt', 'statusSince']) obj[f] = iso(Date.parse(obj[f]) - ms);
    await r.hset(key, 'j', JSON.stringify(obj));
  }

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    [admin, leader, dutyA] = await Promise.all([as(s, 'admin'), as(s, 'leader'), as(s, `duty-${DA}`)]);
    const key = await admin.post('/admin/keys', { kind: 'ingest', name: 'leader dispatch', types: ['incident.dispatched'], sources: ['*'] });
    expect(key.status, key.text).toBe(201);
    dispatchSecret = key.body.secret;

    now = Date.now();
    // the local day (Asia/Shanghai, UTC+8) must not turn during the test
    const dayStart = Math.floor((now + 8 * H) / DAY) * DAY - 8 * H;
    today = iso(dayStart + 8 * H).slice(0, 10);
    T0 = now - 100_000;
    if (T0 < dayStart + 60_000 || now > dayStart + DAY - 10 * 60_000) throw new Error('too close to local midnight for this test; run it again in 10 minutes');
    expect(gA.length).toBeGreaterThanOrEqual(4);

    // incidents: DA — L-1 arrives on time, L-2 late (its clock backdated 20 minutes), L-3 never; DB — L-4 on time
    await ingestOk(s, [
      ev('incident.reported', { incidentId: 'L-1', category: 'theft', priority: 1, location: loc(gA[0]!) }, T0),
      ev('incident.reported', { incidentId: 'L-2', category: 'fraud', priority: 1, location: loc(gA[1]!) }, T0),
      ev('incident.reported', { incidentId: 'L-3', category: 'theft', priority: 3, location: loc(gA[2]!) }, T0),
      ev('incident.reported', { incidentId: 'L-4', category: 'assault', priority: 2, location: loc(gB) }, T0),
    ]);
    await backdate('L-2', 20 * 60_000);
    const dispatched = await ingestTo(s.url, [
      ev('incident.dispatched', { incidentId: 'L-1', unitIds: [] }, T0 + 10_000),
      ev('incident.dispatched', { incidentId: 'L-2', unitIds: [] }, T0 + 10_000),
    ], { authorization: `Bearer ${dispatchSecret}` });
    expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(202);
    await ingestOk(s, [
      ev('incident.arrived', { incidentId: 'L-1' }, T0 + 60_000),
      ev('incident.arrived', { incidentId: 'L-2' }, T0 + 60_000),
      ev('incident.arrived', { incidentId: 'L-4' }, T0 + 90_000), // a forward jump from new: a dispatch and an arrival
      // a second arrival of the same incident counts nothing
      ev('incident.arrived', { incidentId: 'L-1', unitIds: [] }, T0 + 70_000),
      // disputes and a petition in DA, each in its own grid; LD-2 shares a party with LD-1 (a repeat)
      ev('dispute.registered', { disputeId: 'LD-1', kind: 'neighbour', parties: ['张三'], location: loc(gA[0]!) }, now - 50_000),
      ev('dispute.registered', { disputeId: 'LD-2', kind: 'neighbour', parties: ['张三', '李四'], location: loc(gA[1]!) }, now - 40_000),
      ev('dispute.registered', { disputeId: 'LD-3', kind: 'neighbour', parties: ['王五'], location: loc(gA[2]!), deadline: iso(now - H) }, now - 40_000),
      ev('petition.filed', { petitionId: 'LP-1', petitioner: 'pk-1', location: loc(gA[3]!) }, now - 40_000),
      // LD-1 resolved on time (default deadline ahead), LD-3 resolved after its deadline, LP-1 answered on time; LD-2 stays open
      ce('dispute.resolved', { disputeId: 'LD-1', outcome: 'settled' }),
      ce('dispute.resolved', { disputeId: 'LD-3', outcome: 'settled late' }),
      ce('petition.answered', { petitionId: 'LP-1', answer: 'answered' }),
      // an overdue open dispute in DB
      ce('dispute.registered', { disputeId: 'LD-9', kind: 'neighbour', parties: ['赵六'], location: loc(gB), deadline: iso(now - DAY) }),
      // feedback: 5 and 4 on cases, 3 on an incident, one without a rating
      ce('feedback.received', { caseRef: 'LD-1', satisfaction: 5 }),
      ce('feedback.received', { caseRef: 'LP-1', satisfaction: 4 }),
      ce('feedback.received', { caseRef: 'L-1', satisfaction: 3 }),
      ce('feedback.received', { caseRef: 'LD-2', comment: 'no rating' }),
      // a supervision order on the open dispute, and an alert
      ce('supervision.issued', { supervisionId: 'LS-1', caseRef: 'LD-2', deadline: iso(now + DAY), instruction: '督办' }),
      ce('alert.raised', { alertId: 'LA-1', kind: 'spike', severity: 'warning', scope: DA }),
    ]);
    const handover = await (await as(s, `duty-${DA}`)).post('/duty/handover', { shift: 'day', to: 'duty', notes: '平安无事' });
    expect(handover.status, handover.text).toBe(201);

    // risk indicators of two cells in DA (what the risk worker writes) and a coverage run of the
    // worker's job over them: gA[0] patrolled for 12 minutes, gA[1] not at all
    const cell = (id: string, crimeRisk: number, instabilityRisk: number) =>
      `0-1 ${JSON.stringify({ id, crimeRisk, instabilityRisk, drivers: ['L-1'], crimeClass: 'high', instabilityClass: 'normal', terms: {}, at: iso(now) })}`;
    await r.hset(keys.riskIndicators, gA[0]!, cell(gA[0]!, 2.5, 1), gA[1]!, cell(gA[1]!, 1.5, 3), gB, cell(gB, 0.5, 0));
    await r.zadd(keys.riskTop, 2.5, gA[0]!, 1.5, gA[1]!);
    await r.set(keys.patrolWatchedSince, now - 3 * H);
    for (let i = 0; i < 12; i++) await r.zadd(keys.patrolPresence(gA[0]!), now - (i + 1) * 60_000, `${now - (i + 1) * 60_000}:LU-1`);
    const jobs = createCoverageJobs({
      redis: r as unknown as ScriptedRedis, tree, rule: DEFAULT_COVERAGE_RULE, now: () => now,
      positions: { latest: async () => new Map() } as unknown as PositionStore,
      write: async () => ({ kind: 'accepted', seq: '0-1' }),
    });
    await jobs.coverage();
    await jobs.coverage(); // the same sampling slot: counted once
  }, 60_000);

  afterAll(async () => {
    r?.disconnect();
    await s?.stop();
  });

  it('answers the exact rates of the city against the default targets', async () => {
    const st = await leaderStats(leader);
    expect(st).toMatchObject({ metric: 'leader', scope: tree.cityId, day: today, timeZone: 'Asia/Shanghai' });
    expect(st.indicators.map((i) => i.id)).toEqual(['onTimeArrival', 'onTimeResolution', 'repeatRate', 'coverage', 'satisfaction']);
    // arrivals: L-1 (60 s), L-2 (late: 20 min + 60 s), L-4 (90 s) → 2 of 3
    expect(slaTargetSeconds(1, tree.get(gA[1]!)?.areaType)).toBeLessThan(20 * 60);
    const arrival = ind(st, 'onTimeArrival');
    for (const w of [arrival.d7, arrival.d30, arrival.d90]) expect(w).toEqual({ value: 0.6667, count: 3, meets: false });
    expect(arrival.target).toBe(DEFAULT_TARGETS.onTimeArrival);
    expect(arrival.series.at(-1)).toBe(0.6667);
    expect(arrival.series.slice(0, -1).every((x) => x === null)).toBe(true);
    // resolutions with a deadline: LD-1 and LP-1 on time, LD-3 late → 2 of 3
    expect(ind(st, 'onTimeResolution').d30).toEqual({ value: 0.6667, count: 3, meets: false });
    // opened: LD-1, LD-2 (repeats LD-1 by a party), LD-3, LP-1, LD-9 → 1 of 5
    expect(ind(st, 'repeatRate')).toMatchObject({ direction: 'max', target: 0.1, d7: { value: 0.2, count: 5, meets: false } });
    // one coverage run: 2 top cells judged, 1 covered
    expect(ind(st, 'coverage').d7).toEqual({ value: 0.5, count: 2, meets: false });
    // ratings 5, 4, 3
    expect(ind(st, 'satisfaction').d90).toEqual({ value: 4, count: 3, meets: true });
    expect(st.counts.incidents.at(-1)).toBe(4);
    expect(st.counts.arrivals.at(-1)).toBe(3);
    expect(st.counts.casesOpened.at(-1)).toBe(5);
    expect(st.counts.casesResolved.at(-1)).toBe(3);
    expect(st.repeatTruncated).toBe(false);
  });

  it('follows the scope: a district duty officer sees their district only; another district is 404', async () => {
    const mine = await leaderStats(dutyA);
    expect(mine.scope).toBe(DA);
    expect(ind(mine, 'onTimeArrival').d7).toEqual({ value: 0.5, count: 2, meets: false });
    expect(ind(mine, 'repeatRate').d7).toEqual({ value: 0.25, count: 4, meets: false });
    expect(mine.counts.incidents.at(-1)).toBe(3);
    expect((await leaderStats(leader, DB)).counts.incidents.at(-1)).toBe(1);
    for (const path of [`/stats?metric=leader&scope=${DB}`, `/stats?metric=rankings&scope=${DB}`, `/reports/daily?scope=${DB}`, '/stats?metric=leader&scope=nowhere']) {
      const res = await dutyA.get(path);
      expect(res.status, path).toBe(404);
    }
  });

  it('does the same Redis work for a log of 100 and of 1,000 entries', async () => {
    const logLength = async () => r.xlen('log');
    const pad = async (to: number) => {
      const n = to - (await logLength());
      for (let i = 0; i < n; i += 500) {
        await ingestOk(s, Array.from({ length: Math.min(500, n - i) }, (_, k) => ce('incident.reported', {
          incidentId: `PAD-${to}-${i + k}`, category: 'theft', priority: 4, location: loc(grids[(i + k) % grids.length]!),
        })));
      }
      expect(await logLength()).toBe(to);
    };
    /** Commands the server ran for one GET /stats?metric=leader (INFO commandstats before and after; the INFO itself excluded). */
    const work = async () => {
      const calls = async () => {
        const info = await r.info('commandstats');
        return [...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].filter((m) => m[1] !== 'info').reduce((a, m) => a + Number(m[2]), 0);
      };
      await sleep(300); // the log tail catches up with the ingest first
      const before = await calls();
      const st = await leaderStats(leader);
      const after = await calls();
      return { commands: after - before, incidents: st.counts.incidents.at(-1)! };
    };
    await pad(100);
    const small = await work();
    await pad(1000);
    const large = await work();
    expect(large.incidents - small.incidents).toBe(900);
    // the log tail's blocking read may add a command or two; the counters' work is the same
    expect(Math.abs(large.commands - small.commands)).toBeLessThanOrEqual(3);
    expect(small.commands).toBeGreaterThan(91);
  }, 120_000);

  it('ranks the districts and the grids of a district, with drivers and overdue cases', async () => {
    const res = await leader.get('/stats?metric=rankings&by=crime');
    expect(res.status, res.text).toBe(200);
    const rk = rankingsSchema.parse(res.body);
    expect(rk).toMatchObject({ metric: 'rankings', level: 'district', by: 'crime', total: tree.idsAt('district').length });
    expect(rk.items[0]).toMatchObject({ rank: 1, id: DA, crimeRisk: 4, instabilityRisk: 4, hotCells: 2, overdue: 0 });
    expect(rk.items[0]!.drivers).toEqual([gA[0], gA[1]]);
    expect(rk.items[1]).toMatchObject({ rank: 2, id: DB, crimeRisk: 0.5, overdue: 1, overdueCases: ['dispute:LD-9'] });
    const byOverdue = rankingsSchema.parse((await leader.get('/stats?metric=rankings&by=overdue&limit=1')).body);
    expect(byOverdue.items).toHaveLength(1);
    expect(byOverdue.items[0]).toMatchObject({ id: DB, rank: 1, overdue: 1 });
    const gridsOfA = rankingsSchema.parse((await dutyA.get(`/stats?metric=rankings&level=grid&by=instability&scope=${DA}`)).body);
    expect(gridsOfA.items.slice(0, 2).map((x) => [x.id, x.rank, x.instabilityRisk])).toEqual([[gA[1], 1, 3], [gA[0], 2, 1]]);
    expect(gridsOfA.items[2]).toMatchObject({ rank: null, crimeRisk: null });
    const bad = await leader.get('/stats?metric=rankings&level=city');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('query.level');
  });

  it('keeps targets: defaults, admins change them (audited), others may not, validation names the field', async () => {
    const first = targetsResponseSchema.parse((await leader.get('/targets')).body);
    expect(first).toEqual({ targets: DEFAULT_TARGETS, defaults: DEFAULT_TARGETS, updatedAt: null, updatedBy: null });
    expect((await leader.send('PUT', '/targets', { coverage: 0.5 })).status).toBe(403);
    const bad = await admin.send('PUT', '/targets', { onTimeArrival: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors.map((e: { path: string }) => e.path)).toEqual(['onTimeArrival']);
    const unknown = await admin.send('PUT', '/targets', { coverag: 0.5 });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('coverag');
    const set = await admin.send('PUT', '/targets', { coverage: 0.5, satisfaction: 4.5 });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ targets: { ...DEFAULT_TARGETS, coverage: 0.5, satisfaction: 4.5 }, updatedBy: 'admin' });
    const [entry] = (await r.xrevrange('audit', '+', '-', 'COUNT', 1)) as [string, string[]][];
    expect(JSON.parse(entry![1][entry![1].indexOf('r') + 1]!)).toMatchObject({ action: 'settings.targets', result: 'success', user: 'admin' });
    const st = await leaderStats(leader);
    expect(ind(st, 'coverage')).toMatchObject({ target: 0.5, d7: { value: 0.5, meets: true } });
    expect(ind(st, 'satisfaction')).toMatchObject({ target: 4.5, d7: { value: 4, meets: false } });
  });

  it('writes the daily report of a district as JSON', async () => {
    const res = await dutyA.get(`/reports/daily?scope=${DA}&date=${today}`);
    expect(res.status, res.text).toBe(200);
    const rep = dailyReportSchema.parse(res.body);
    expect(rep).toMatchObject({ scope: DA, date: today, timeZone: 'Asia/Shanghai' });
    // the PAD incidents of the previous test are in the city, some in DA: count DA's own here
    const padInA = (await r.xrange('log', '-', '+')).map(([, f]) => JSON.parse(f[1]!)).filter((e) => e.type === 'incident.reported' && e.jurisdiction.includes(DA)).length;
    expect(rep.incidents.total).toBe(padInA);
    expect(rep.incidents.byCategory.find((c) => c.category === 'fraud')).toEqual({ category: 'fraud', count: 1 });
    expect(rep.incidents.byPriority.map((p) => p.priority)).toEqual([1, 2, 3, 4]);
    expect(rep.incidents.byPriority[0]).toEqual({ priority: 1, count: 2 });
    expect(rep.response).toMatchObject({ dispatches: 2, arrivals: 2, arrivalsOnTime: 1, onTimeRate: 0.5, medianDispatchSeconds: (10 + 20 * 60 + 10) / 2 });
    expect(rep.response.medianArrivalSeconds).toBe((60 + 20 * 60 + 60) / 2);
    expect(rep.cases).toEqual({ disputesOpened: 3, disputesResolved: 2, petitionsOpened: 1, petitionsAnswered: 1, resolvedOnTime: 2, onTimeRate: 0.6667, overdueNow: 0 });
    expect(rep.supervision).toEqual({ issued: 1, answered: 0 });
    expect(rep.alerts).toEqual({ total: 1, byKind: [{ kind: 'spike', count: 1 }] });
    expect(rep.feedback).toEqual({ ratings: 3, satisfaction: 4 });
    expect(rep.coverage).toEqual({ samples: 2, rate: 0.5 });
    expect(rep.topRiskCells.map((c) => c.id)).toEqual([gA[0], gA[1]]);
    expect(rep.handovers).toHaveLength(1);
    expect(rep.handovers[0]).toMatchObject({ from: `duty-${DA}`, notes: '平安无事', scope: DA });
    // another day: nothing counted, nothing invented
    const yesterday = dailyReportSchema.parse((await dutyA.get(`/reports/daily?date=${iso(Date.parse(`${today}T12:00:00Z`) - DAY).slice(0, 10)}`)).body);
    expect(yesterday.incidents.total).toBe(0);
    expect(yesterday.response.onTimeRate).toBeNull();
    expect(yesterday.handovers).toEqual([]);
    const bad = await dutyA.get('/reports/daily?date=2025-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('query.date');
  });

  it('writes the daily report as CSV with a BOM, sections and header rows', async () => {
    const res = await fetch(`${s.url}/api/v1/reports/daily?scope=${DA}&date=${today}&format=csv`, { headers: { cookie: dutyA.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="daily-report-${DA}-${today}.csv"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe('日报 Daily report');
    expect(lines[1]).toBe('scope,name,date,timeZone,from,to,generatedAt,asOfSeq');
    expect(lines).toContain('警情 Incidents by category');
    expect(lines).toContain('category,count');
    expect(lines).toContain('fraud,1');
    expect(lines).toContain('dispatches,arrivals,arrivalsOnTime,onTimeRate,medianDispatchSeconds,medianArrivalSeconds');
    expect(lines).toContain('disputesOpened,disputesResolved,petitionsOpened,petitionsAnswered,resolvedOnTime,onTimeRate,overdueNow');
    expect(lines).toContain('3,2,1,1,2,0.6667,0');
    expect(lines).toContain('交接班 Handovers');
    expect(lines.some((l) => l.includes('平安无事'))).toBe(true);
  });
});
