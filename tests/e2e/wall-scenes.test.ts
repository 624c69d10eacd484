// The wall screen's unattended behaviours (DESIGN §9) in headless Chromium against a real stack:
// scene rotation (`?cycle=`) through the city, every district and the hotspots, with the map and the
// panels following each scene (a district scene shows that district's numbers); the manual scene
// controls (pause, previous, next, wrap-around); the alert ticker, a critical alert taking the
// front, and an acknowledgement made from the wall; the red banner while the server reports itself
// degraded (its durable Redis killed: the log tail stops), clearing alone once Redis is back; and
// the reload on a new server build (another server process, BUILD_ID set, on the same port).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../server/store/keys.js';
import { freePort, keepToOrigin, launchBrowser, signInWall } from '../helpers/browser.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient } from '../helpers/requests.js';
import { ce, DEMO_PASSWORD, INGEST_KEY, startStack, type Stack } from '../helpers/stack.js';

/** The shortest cycle the wall allows (parseCycle clamps to 5..3600 s). */
const CYCLE_S = 5;

interface Snap { t: number; scene: string; scope: string; zoom: number; note: string; disputes: string }
interface Segment { key: string; scene: string; scope: string; start: number; last: Snap }

const tree = demoTree();
const grids = tree.idsAt('grid');
const districts = tree.idsAt('district');
const nameOf = (id: string) => tree.get(id)!.name;
/** the districts in the order the wall rotates through them: by name (Chinese collation), then id */
const order = [...districts].sort((a, b) => nameOf(a).localeCompare(nameOf(b), 'zh-CN') || (a < b ? -1 : 1));
const gridsOf = (d: string) => grids.map((g, i) => ({ g, i })).filter(({ g }) => tree.chain(g).includes(d)).map(({ i }) => i);
// district A: three disputes (one overdue) and the hot cells; district B: one dispute
const A = districts[2]!;
const B = districts[5]!;
const gA = gridsOf(A);
const gB = gridsOf(B);
const at = (n: number) => {
  const c = gridCenter(n);
  return { lat: c.lat, lon: c.lon };
};
const iso = (ms: number) => new Date(ms).toISOString();

let s: Stack;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let port = 0;
let dutyCookie = '';
let child: ChildProcess | null = null;
const errors: string[] = [];
let outside = 0;
let loads = 0;

const wall = () => page.locator('.wall');
const banner = () => page.locator('.wall [data-testid=conn-banner]');
const scope = () => wall().getAttribute('data-scope');
const sceneKind = () => wall().getAttribute('data-scene');
const disputesKpi = () => page.locator('[data-testid=panel-kpis] [data-kpi=disputes] .wall-kpi-value').textContent();
const kpiNote = () => page.locator('[data-testid=panel-kpis] .wall-panel-note').textContent();
const sceneLabel = () => page.locator('[data-testid=wall-scene] > span').textContent();
const tickerItem = (id: string) => page.locator(`[data-testid=wall-ticker-list] li[data-id="${id}"]`);

/** The scene changes the recorder saw, grouped: one segment per scene shown, with its last snapshot. */
async function segments(): Promise<Segment[]> {
  const snaps = await page.evaluate(() => (window as unknown as { __wallSnaps: Snap[] }).__wallSnaps);
  const out: Segment[] = [];
  for (const x of snaps) {
    const key = `${x.scene}|${x.scope}`;
    const cur = out[out.length - 1];
    if (cur && cur.key === key) cur.last = x;
    else out.push({ key, scene: x.scene, scope: x.scope, start: x.t, last: x });
  }
  return out;
}

/** Clicks a scene control and waits for the scene counter to move. */
async function step(control: 'next' | 'prev'): Promise<void> {
  const before = await sceneLabel();
  await page.click(control === 'next' ? '[data-testid=scene-next]' : '.wall-scene-ctl button:first-child');
  await expect.poll(sceneLabel, { timeout: 5000 }).not.toBe(before);
}

beforeAll(async () => {
  port = await freePort();
  [s, browser] = await Promise.all([startStack({ PORT: String(port) }), launchBrowser()]);
  const now = Date.now();
  const reg = (id: string, n: number, deadline?: number) => ce('dispute.registered', {
    disputeId: id, kind: 'neighbour', parties: ['张某', '李某'], location: at(n), summary: '噪音扰民',
    ...(deadline !== undefined ? { deadline: iso(deadline) } : {}),
  });
  const res = await s.ingest([
    reg('WS-A1', gA[10]!, now - 86_400_000), reg('WS-A2', gA[20]!), reg('WS-A3', gA[30]!), reg('WS-B1', gB[10]!),
    ...[0, 1, 2].map((k) => ce('incident.reported', { incidentId: `WS-I${k}`, category: 'theft', priority: 3, location: at(gA[12 + k * 9]!) })),
  ]);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  // the risk roll-up as the worker writes it: three hot cells of district A make the hotspots scene
  const r = durableClient(s);
  const hot = [gA[40]!, gA[41]!, gA[60]!].map((i) => grids[i]!);
  const cell = (id: string, crimeRisk: number) =>
    `0-1 ${JSON.stringify({ id, crimeRisk, instabilityRisk: 1, drivers: [], crimeClass: 'high', instabilityClass: 'normal', terms: {}, at: iso(now) })}`;
  await r.hset(keys.riskIndicators, ...hot.flatMap((g, k) => [g, cell(g, 3 - k)]));
  await r.zadd(keys.riskTop, ...hot.flatMap((g, k) => [3 - k, g]));
  r.disconnect();

  // the server's numbers the wall must show: 4 disputes (1 overdue) city-wide, 3/1 in A, 1/0 in B
  dutyCookie = await s.login('duty');
  const kpis = async (sc?: string) => (await s.get(`/stats?metric=wall${sc ? `&scope=${sc}` : ''}`, dutyCookie)).body.kpis;
  expect(await kpis()).toMatchObject({ disputesOpen: 4, disputesOverdue: 1 });
  expect(await kpis(A)).toMatchObject({ disputesOpen: 3, disputesOverdue: 1 });
  expect(await kpis(B)).toMatchObject({ disputesOpen: 1, disputesOverdue: 0 });

  ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('load', () => loads++);
  await keepToOrigin(page, new URL(s.url).host, () => outside++);
  await signInWall(page, s.url, `/wall?cycle=${CYCLE_S}`);
  // login brings the wall back with its settings
  expect(new URL(page.url()).searchParams.get('cycle')).toBe(String(CYCLE_S));
  await page.waitForSelector('.wall [data-testid=live-map][data-ready=true]', { timeout: 20_000 });

  // a recorder of what the wall shows, snapshot on every change of scene, map zoom or KPI panel
  await page.evaluate(() => {
    const snaps: Snap[] = [];
    (window as unknown as { __wallSnaps: Snap[] }).__wallSnaps = snaps;
    const root = document.querySelector('.wall')!;
    const map = root.querySelector('[data-testid=live-map]')!;
    const kpis = root.querySelector('[data-testid=panel-kpis]')!;
    const snap = () => snaps.push({
      t: Date.now(),
      scene: root.getAttribute('data-scene') ?? '',
      scope: root.getAttribute('data-scope') ?? '',
      zoom: Number(map.getAttribute('data-zoom')),
      note: kpis.querySelector('.wall-panel-note')?.textContent ?? '',
      disputes: kpis.querySelector('[data-kpi=disputes] .wall-kpi-value')?.textContent ?? '',
    });
    snap();
    const mo = new MutationObserver(snap);
    mo.observe(root, { attributes: true, attributeFilter: ['data-scene', 'data-scope'] });
    mo.observe(map, { attributes: true, attributeFilter: ['data-zoom'] });
    mo.observe(kpis, { subtree: true, childList: true, characterData: true });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await s?.stop();
});

describe('wall scenes, ticker, banner and reload (headless Chromium)', () => {
  it(`rotates city → each district → hotspots every ${CYCLE_S} s, the map and the panels following the scene`, async () => {
    // a whole turn: the city, 7 districts, the hotspots, and back to the city
    const turn = districts.length + 2;
    await expect.poll(async () => {
      const seg = await segments();
      const h = seg.findIndex((x) => x.scene === 'hotspots');
      return h >= 0 && seg.length > h + 1;
    }, { timeout: (turn + 3) * CYCLE_S * 1000, interval: 1000 }).toBe(true);

    const seg = await segments();
    expect(seg.map((x) => x.key)).toEqual(['city|', ...order.map((d) => `district|${d}`), 'hotspots|', 'city|']);
    expect(await sceneLabel()).toMatch(new RegExp(`/${turn}$`));
    // each scene held for the cycle (the wall checks once a second)
    for (let i = 2; i < seg.length; i++) {
      const held = seg[i]!.start - seg[i - 1]!.start;
      expect(held, `${seg[i - 1]!.key} held`).toBeGreaterThanOrEqual(CYCLE_S * 1000 - 600);
      expect(held, `${seg[i - 1]!.key} held`).toBeLessThan(CYCLE_S * 1000 + 6000);
    }
    // what each scene showed by its end: the map framed it, the panels were about it
    const city = seg[0]!.last;
    expect(city).toMatchObject({ note: '全市数据', disputes: '4/1' });
    expect(city.zoom).toBeGreaterThan(0);
    for (const x of seg.slice(1, 1 + districts.length)) {
      const want = x.scope === A ? '3/1' : x.scope === B ? '1/0' : '0/0';
      expect(x.last, x.key).toMatchObject({ note: nameOf(x.scope), disputes: want });
      expect(x.last.zoom, `${x.key} zoom`).toBeGreaterThan(city.zoom);
    }
    const hotspots = seg[1 + districts.length]!.last;
    expect(hotspots).toMatchObject({ note: '全市数据', disputes: '4/1' });
    // the three hot cells lie in one district: framed closer than that district
    const zoomA = seg.find((x) => x.scope === A)!.last.zoom;
    expect(hotspots.zoom).toBeGreaterThan(zoomA);
  }, 120_000);

  it('pauses by hand, steps through the scenes with ◀ ▶ (wrapping around), and resumes', async () => {
    const pause = page.locator('[data-testid=scene-pause]');
    await pause.click();
    expect(await pause.getAttribute('aria-pressed')).toBe('true');
    expect(await pause.textContent()).toContain('已暂停轮播');
    // kept as the time it began: it holds across reloads for 30 minutes, then the rotation resumes by itself
    const pausedAt = Number(await page.evaluate(() => localStorage.getItem('pingan.wall.paused')));
    expect(Math.abs(Date.now() - pausedAt)).toBeLessThan(60_000);
    // paused: nothing moves for two whole cycles (a negative, so it takes a wait)
    const before = (await segments()).length;
    await page.waitForTimeout(2 * CYCLE_S * 1000 + 1000);
    expect((await segments()).length).toBe(before);

    // ▶ to district A: its numbers and its name on the panels
    for (let i = 0; i < order.length + 2 && (await scope()) !== A; i++) await step('next');
    expect(await scope()).toBe(A);
    expect(await sceneLabel()).toBe(`场景 ${order.indexOf(A) + 2}/${order.length + 2}`);
    await expect.poll(disputesKpi, { timeout: 10_000 }).toBe('3/1');
    expect(await kpiNote()).toBe(nameOf(A));
    expect(await page.locator('[data-testid=wall-scene] b').textContent()).toBe(nameOf(A));
    // ◀ goes back one district
    await step('prev');
    expect(await scope()).toBe(order[order.indexOf(A) - 1]);
    await expect.poll(disputesKpi, { timeout: 10_000 }).toBe(order[order.indexOf(A) - 1] === B ? '1/0' : '0/0');
    // ▶ on to B
    for (let i = 0; i < order.length + 2 && (await scope()) !== B; i++) await step('next');
    await expect.poll(disputesKpi, { timeout: 10_000 }).toBe('1/0');
    expect(await kpiNote()).toBe(nameOf(B));
    // ▶ past the last scene wraps to the city; ◀ from the city wraps to the hotspots
    for (let i = 0; i < order.length + 2 && (await sceneKind()) !== 'city'; i++) await step('next');
    expect(await scope()).toBe('');
    await expect.poll(disputesKpi, { timeout: 10_000 }).toBe('4/1');
    await step('prev');
    expect(await sceneKind()).toBe('hotspots');
    expect(await sceneLabel()).toBe(`场景 ${order.length + 2}/${order.length + 2}`);
    await step('next');
    expect(await sceneKind()).toBe('city');

    // resume: the rotation moves on by itself within a cycle or so
    await pause.click();
    expect(await pause.getAttribute('aria-pressed')).toBe('false');
    expect(await pause.textContent()).toContain(`每 ${CYCLE_S} 秒轮播`);
    await expect.poll(sceneKind, { timeout: (CYCLE_S + 4) * 1000 }).toBe('district');
    expect(await scope()).toBe(order[0]);
    // and pause again for the rest of the file, on the city
    await pause.click();
    await step('prev');
    expect(await sceneKind()).toBe('city');
  }, 90_000);

  it('shows raised alerts in the ticker; a critical one takes the front; one acknowledged from the wall is acknowledged on the server', async () => {
    const scopeA = grids[gA[5]!]!;
    const res = await s.ingest([
      ce('alert.raised', { alertId: 'WS-AW', kind: 'spike', severity: 'warning', scope: scopeA, evidence: { count: 9, baseline: 2 } }, { source: 'worker/alerts' }),
      ce('alert.raised', { alertId: 'WS-AC', kind: 'coverage_gap', severity: 'critical', scope: scopeA }, { source: 'worker/alerts' }),
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(202);

    // the critical alert takes the front; dismissed by hand
    const card = page.locator('[data-testid=wall-takeover]');
    await expect.poll(() => card.getAttribute('data-id'), { timeout: 10_000 }).toBe('WS-AC');
    expect(await card.getAttribute('data-kind')).toBe('alert');
    expect(await card.textContent()).toMatch(/严重预警[\s\S]*关闭/);
    await card.locator('footer button').click();
    await expect.poll(() => card.count(), { timeout: 5000 }).toBe(0);

    // both in the ticker, open, newest first, severity as shape and word
    const list = page.locator('[data-testid=wall-ticker-list]');
    await expect.poll(() => list.getAttribute('data-count'), { timeout: 10_000 }).toBe('2');
    expect(await tickerItem('WS-AW').getAttribute('data-state')).toBe('open');
    expect(await tickerItem('WS-AW').getAttribute('data-severity')).toBe('warning');
    expect(await tickerItem('WS-AW').locator('.wsev').textContent()).toMatch(/◆/);
    expect(await tickerItem('WS-AC').locator('.wsev').textContent()).toMatch(/▲/);
    expect(await tickerItem('WS-AW').locator('.subj').textContent()).toContain(nameOf(scopeA));
    expect(await page.locator('[data-testid=panel-ticker] h2').textContent()).toContain('2');

    // acknowledge the warning from the wall
    const post = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/alerts/WS-AW/acknowledge');
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/alerts/WS-AW/acknowledge');
    await tickerItem('WS-AW').locator('[data-testid=wall-ack]').click();
    expect((await post).postDataJSON()).toMatchObject({ expectedVersion: expect.any(Number) });
    expect((await answer).status()).toBe(200);
    await expect.poll(() => tickerItem('WS-AW').getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
    expect(await tickerItem('WS-AW').locator('.acked').textContent()).toBe('已确认');
    expect(await tickerItem('WS-AW').locator('[data-testid=wall-ack]').count()).toBe(0);
    // the other stays open, with its button
    expect(await tickerItem('WS-AC').getAttribute('data-state')).toBe('open');
    expect(await tickerItem('WS-AC').locator('[data-testid=wall-ack]').count()).toBe(1);

    // the server says so too
    const acked = await s.get('/alerts?state=acknowledged', dutyCookie);
    expect(acked.status).toBe(200);
    expect(acked.body.items.find((a: { id: string }) => a.id === 'WS-AW')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'duty' });
    const open = await s.get('/alerts?state=open', dutyCookie);
    expect(open.body.items.map((a: { id: string }) => a.id)).toEqual(['WS-AC']);
  }, 60_000);

  it('shows the red degraded banner with the reason while the log store is down, and clears it alone when it is back', async () => {
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    expect(await banner().isVisible()).toBe(false);
    await page.evaluate(() => {
      (window as unknown as { __wallMark: string }).__wallMark = 'before-outage';
    });
    await s.redis.kill();
    try {
      // the connection stays up; the server's heartbeats say it is degraded
      await expect.poll(() => banner().getAttribute('data-state'), { timeout: 30_000 }).toBe('degraded');
      expect(await banner().isVisible()).toBe(true);
      expect(await banner().textContent()).toMatch(/服务降级运行：事件存储不可达/);
      const bg = await banner().evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(bg).toBe('rgb(196, 43, 49)');
      expect(await page.locator('[data-testid=wall-conn]').getAttribute('data-state')).toBe('degraded');
    } finally {
      await s.redis.restart();
    }
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 30_000 }).toBe('live');
    expect(await banner().isVisible()).toBe(false);
    expect(await page.locator('[data-testid=wall-conn]').getAttribute('data-state')).toBe('connected');
    // the statistics come back too (they failed while the store was down)
    await expect.poll(() => page.locator('[data-testid=wall-failing]').count(), { timeout: 20_000 }).toBe(0);
    // no reload, no touch: the same page
    expect(await page.evaluate(() => (window as unknown as { __wallMark?: string }).__wallMark)).toBe('before-outage');
    // and the live feed flows again: a new alert reaches the ticker
    await expect.poll(async () => (await s.ingest([
      ce('alert.raised', { alertId: 'WS-AFTER', kind: 'spike', severity: 'info', scope: grids[gB[3]!]! }, { source: 'worker/alerts' }),
    ])).status, { timeout: 20_000 }).toBe(202);
    await expect.poll(() => tickerItem('WS-AFTER').count(), { timeout: 15_000 }).toBe(1);
  }, 120_000);

  it('reloads itself once when a server of another build answers, and carries on', async () => {
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    await page.evaluate(() => {
      (window as unknown as { __wallMark: string }).__wallMark = 'old-build';
    });
    const loadsBefore = loads;
    await s.server.close();
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 15_000 }).toMatch(/reconnecting|offline/);
    // the next build on the same address: another process, BUILD_ID set
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: {
        ...process.env, BUILD_ID: 'wall-scenes-next', REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, PORT: String(port),
        HOST: '127.0.0.1', DATA_DIR: s.dataDir, DEMO: '1', DEMO_PASSWORD, INGEST_KEYS: INGEST_KEY, LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 30_000 }).toMatch(/listening on .*\(version [^)]*\+wall-scenes-next\)/);

    // the page reloads (the mark is gone), signed in still, on the wall with its settings
    await expect.poll(async () => {
      try {
        return await page.evaluate(() => (window as unknown as { __wallMark?: string }).__wallMark ?? 'reloaded');
      } catch {
        return 'navigating';
      }
    }, { timeout: 30_000 }).toBe('reloaded');
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe('/wall');
    expect(new URL(page.url()).searchParams.get('cycle')).toBe(String(CYCLE_S));
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    await expect.poll(() => page.locator('[data-testid=wall-ticker-list]').getAttribute('data-count'), { timeout: 15_000 }).toBe('3');
    // once only: the new build's hello does not reload it again (a heartbeat or two later, still the same page)
    await page.evaluate(() => {
      (window as unknown as { __wallMark: string }).__wallMark = 'new-build';
    });
    const frameAt = await page.locator('[data-testid=panel-ticker]').getAttribute('data-as-of');
    await expect.poll(() => page.locator('[data-testid=panel-ticker]').getAttribute('data-as-of'), { timeout: 15_000 }).not.toBe(frameAt);
    expect(await page.evaluate(() => (window as unknown as { __wallMark?: string }).__wallMark)).toBe('new-build');
    expect(loads - loadsBefore).toBe(1);

    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    await s.restartServer();
    expect(outside).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
