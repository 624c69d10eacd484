// The wall screen (/wall, issue 8) in headless Chromium against a real stack and an in-process
// worker: seeded incidents with lifecycle facts, units with positions and disputes; every panel
// shows data at 1920×1080 and at 3840×2160 (screenshots saved); no request leaves the origin and
// no page error happens; a live priority-1 report takes the front and goes; a handover recorded
// from the wall is shown; a server restart shows the banner, which clears, and the data catches up.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { keys } from '../../server/store/keys.js';
import { as } from '../helpers/auth.js';
import { freePort, keepToOrigin, launchBrowser, signInWall } from '../helpers/browser.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient } from '../helpers/requests.js';
import { ce, ingestTo, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';
const PANELS = ['panel-kpis', 'panel-hourly', 'panel-categories', 'panel-district', 'panel-response', 'panel-funnel', 'panel-coverage', 'panel-ticker'];

let s: Stack;
let browser: Browser;
let worker: WorkerHandle | null = null;
let page: Page;
let archiveDir = '';
const errors: string[] = [];
let outside = 0;

const iso = (ms: number) => new Date(ms).toISOString();
const at = (n: number) => {
  const c = gridCenter(n);
  return { lat: c.lat, lon: c.lon };
};
const ev = (type: string, data: Record<string, unknown>, time: number) => ({ ...ce(type, data), time: iso(time) });
const panel = (id: string) => page.locator(`[data-testid=${id}]`);
const banner = () => page.locator('.wall [data-testid=conn-banner]');
const kpi = (id: string) => page.locator(`[data-kpi=${id}] .wall-kpi-value`);

beforeAll(async () => {
  [s, browser] = await Promise.all([freePort().then((port) => startStack({ PORT: String(port) })), launchBrowser()]);
  archiveDir = mkdtempSync(join(tmpdir(), 'pingan-wall-'));
  const config = parseConfig({ REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: archiveDir, DEMO: '1', LOG_LEVEL: 'silent' });
  worker = await startWorker(config, {
    workerId: 'wall-e2e', log: () => undefined,
    timers: { ackTimeoutMs: 600_000, escalateAfterMs: 600_000 },
    risk: { fullPassEveryMs: 3000 },
  });

  const admin = await as(s, 'admin');
  const key = await admin.post('/admin/keys', { kind: 'ingest', name: 'wall e2e dispatch', types: ['incident.dispatched'], sources: ['*'] });
  expect(key.status, key.text).toBe(201);
  const now = Date.now();
  const T0 = now - 100_000;
  const cats = ['theft', 'theft', 'fraud', 'assault', 'theft', 'fight', 'fraud', 'hazard'];
  const ok = async (p: Promise<{ status: number; body: unknown }>) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(202);
  };
  await ok(s.ingest([
    ...cats.map((category, k) => ev('incident.reported', {
      incidentId: `WL-${k}`, category, priority: k === 0 ? 1 : 2 + (k % 3), location: at(300 + k * 90), address: `建设路 ${k + 1} 号`,
    }, T0)),
    ...['WL-U1', 'WL-U2', 'WL-U3', 'WL-U4'].map((unitId, k) => ce('unit.registered', { unitId, callsign: `巡${k + 1}`, kind: 'car', homeGrid: gridCenter(300 + k * 90).gridId })),
    ce('dispute.registered', { disputeId: 'WL-D1', kind: 'neighbour', parties: ['张某', '李某'], location: at(900), summary: '噪音扰民', deadline: iso(now - 86_400_000) }),
    ce('dispute.registered', { disputeId: 'WL-D2', kind: 'neighbour', parties: ['王某', '赵某'], location: at(905), summary: '占用楼道' }),
  ]));
  await ok(s.ingest(['WL-U1', 'WL-U2', 'WL-U3', 'WL-U4'].map((unitId, k) => ce('unit.position', { unitId, ...at(300 + k * 90), speed: 3, heading: k * 90 }))));
  await ok(ingestTo(s.url, [0, 1, 2, 3].map((k) => ev('incident.dispatched', { incidentId: `WL-${k}`, unitIds: [] }, T0 + 10_000 + k * 5000)),
    { authorization: `Bearer ${key.body.secret}` }));
  await ok(s.ingest([
    ev('incident.arrived', { incidentId: 'WL-0' }, T0 + 60_000),
    ev('incident.arrived', { incidentId: 'WL-1' }, T0 + 90_000),
    ev('incident.arrived', { incidentId: 'WL-2' }, T0 + 95_000),
  ]));
  // the risk roll-up and the top cells with patrol presence, as the workers write them
  const r = durableClient(s);
  const tree = demoTree();
  const grids = tree.idsAt('grid');
  const hot = [grids[300]!, grids[390]!, grids[480]!];
  const cell = (id: string, crimeRisk: number) =>
    `0-1 ${JSON.stringify({ id, crimeRisk, instabilityRisk: 1, drivers: [], crimeClass: 'high', instabilityClass: 'normal', terms: {}, at: iso(now) })}`;
  await r.hset(keys.riskIndicators, ...hot.flatMap((g, k) => [g, cell(g, 3 - k)]));
  await r.zadd(keys.riskTop, ...hot.flatMap((g, k) => [3 - k, g]));
  for (let i = 0; i < 12; i++) await r.zadd(keys.patrolPresence(hot[0]!), now - (i + 1) * 60_000, `${now - (i + 1) * 60_000}:WL-U1`);
  r.disconnect();

  mkdirSync(SHOTS, { recursive: true });
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await keepToOrigin(page, new URL(s.url).host, () => outside++);
  await signInWall(page, s.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await s?.stop();
  if (archiveDir) rmSync(archiveDir, { recursive: true, force: true });
});

describe('the wall screen (headless Chromium)', () => {
  it('shows every panel with data at 1920×1080 and at 3840×2160, as of a time', async () => {
    await expect.poll(() => page.locator('.wall [data-testid=live-map]').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
    for (const id of PANELS) {
      await expect.poll(() => panel(id).getAttribute('data-state'), { timeout: 30_000, message: id }).toBe('ready');
      expect(await panel(id).locator('[data-testid=as-of]').textContent()).toMatch(/截至 \d\d:\d\d:\d\d/);
    }
    expect(Number(await kpi('today').textContent())).toBeGreaterThanOrEqual(8);
    await expect.poll(() => page.locator('.wall [data-testid=live-map]').getAttribute('data-incidents')).not.toBe('0');
    expect(await page.locator('[data-testid=duty-officer]').textContent()).not.toBe('');
    // no text under 14 px at 1080p
    const smallest = await page.evaluate(() => {
      let min = 99;
      for (const el of document.querySelectorAll<HTMLElement>('.wall *')) {
        if (!el.childNodes.length || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim())) continue;
        if (el.closest('.leaflet-container') || el.offsetParent === null) continue;
        min = Math.min(min, parseFloat(getComputedStyle(el).fontSize));
      }
      return min;
    });
    expect(smallest).toBeGreaterThanOrEqual(14);
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${SHOTS}/wall-1080.png` });

    await page.setViewportSize({ width: 3840, height: 2160 });
    // the same layout scaled: the wall's root size doubles (16 px → 32 px)
    await expect.poll(async () => Math.round(parseFloat(await page.evaluate(() => getComputedStyle(document.querySelector('.wall')!).fontSize)))).toBe(32);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${SHOTS}/wall-2160.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(500);
  });

  it('a live priority-1 report takes the front, then the screen returns', async () => {
    const enable = page.locator('[data-testid=enable-sound]');
    if (await enable.count()) await enable.click();
    await expect.poll(() => enable.count()).toBe(0);
    const res = await s.ingest([ce('incident.reported', { incidentId: 'WL-P1', category: 'robbery', priority: 1, location: at(700), address: '人民路 88 号', summary: '持刀抢劫' })]);
    expect(res.status).toBe(202);
    const card = page.locator('[data-testid=wall-takeover]');
    await expect.poll(() => card.getAttribute('data-id'), { timeout: 10_000 }).toBe('WL-P1');
    expect(await card.textContent()).toMatch(/新一级警情[\s\S]*人民路 88 号/);
    await page.screenshot({ path: `${SHOTS}/wall-takeover.png` });
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(0);
  });

  it('records a handover from the wall and shows it', async () => {
    await page.click('[data-testid=wall-duty]');
    const dialog = page.locator('[data-testid=wall-handover]');
    await expect.poll(() => dialog.count()).toBe(1);
    await page.fill('[data-testid=handover-form] input[name=to]', 'coordinator');
    await page.fill('[data-testid=handover-form] textarea[name=notes]', '夜班注意 WL-0 回访');
    await page.fill('[data-testid=handover-form] textarea[name=openItems]', 'WL-0 待回访报警人');
    await page.click('[data-testid=handover-form] button[type=submit]');
    await expect.poll(() => page.locator('[data-testid=handover-notes]').textContent(), { timeout: 10_000 }).toBe('夜班注意 WL-0 回访');
    expect(await page.locator('[data-testid=handover-latest]').textContent()).toMatch(/duty → coordinator[\s\S]*WL-0/);
    await page.click('.modal .icon-btn');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('shows the banner while the server restarts, clears it and catches up', async () => {
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    const before = Number(await kpi('today').textContent());
    await s.server.close();
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 10_000 }).toMatch(/reconnecting|offline/);
    expect(await banner().isVisible()).toBe(true);
    await s.restartServer();
    await s.ingest([ce('incident.reported', { incidentId: 'WL-GAP', category: 'fire', priority: 3, location: at(1100) })]);
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    expect(await banner().isVisible()).toBe(false);
    await expect.poll(async () => Number(await kpi('today').textContent()), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(outside).toBe(0);
    expect(errors).toEqual([]);
  });
});
