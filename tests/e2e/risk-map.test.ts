// Risk colouring on the live map (issue 7) in headless Chromium against a real stack and a worker:
// incident reports and disputes make the worker append `indicator.updated`; the duty officer turns
// on the crime colouring and the cells fill (snapshot, then live), the hover card explains a cell,
// the choice survives a reload, and the instability colouring shows the disputes' cells.
import { mkdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { launchBrowser } from '../helpers/browser.js';
import { gridCenter } from '../helpers/geo.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';

let s: Stack;
let browser: Browser;
let worker: WorkerHandle | null = null;
let page: Page;
let archiveDir = '';
const errors: string[] = [];

const at = (n: number) => {
  const c = gridCenter(n);
  return { lat: c.lat, lon: c.lon };
};
/** `count` reports in the n-th grid, a little apart (identical coordinates would be one place) */
const reports = (n: number, count: number, prefix: string) =>
  Array.from({ length: count }, (_, k) => {
    const c = at(n);
    return ce('incident.reported', {
      incidentId: `${prefix}-${n}-${k}`, category: 'theft', priority: 3, location: { lat: c.lat + k * 0.00005, lon: c.lon + k * 0.00005 }, address: `解放路 ${n} 号`,
    });
  });

const map = () => page.locator('[data-testid=live-map]');
const cells = async () => Number(await map().getAttribute('data-risk-cells'));
let cookie = '';
/** the grid rows the server has now */
const serverRows = async () => ((await s.get('/indicators?level=grid', cookie)).body?.items?.length ?? 0) as number;

beforeAll(async () => {
  [s, browser] = await Promise.all([startStack(), launchBrowser()]);
  archiveDir = mkdtempSync(join(tmpdir(), 'pingan-risk-'));
  const config = parseConfig({ REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: archiveDir, DEMO: '1', LOG_LEVEL: 'silent' });
  worker = await startWorker(config, {
    workerId: 'risk-e2e', log: () => undefined,
    timers: { ackTimeoutMs: 600_000, escalateAfterMs: 600_000 },
    // a full pass every few seconds ranks the cells (crime classes) soon after the reports
    risk: { fullPassEveryMs: 3000 },
  });
  // a hot spot, a few warmer cells and single reports; disputes for the instability score
  const batch = [
    ...reports(300, 8, 'RSK'), ...reports(301, 5, 'RSK'), ...reports(330, 3, 'RSK'),
    ...[600, 620, 640, 660, 680, 700, 720, 740].flatMap((n) => reports(n, 1, 'RSK')),
  ];
  const res = await s.ingest(batch);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const disputes = await s.ingest([
    ce('dispute.registered', { disputeId: 'RSK-D1', kind: 'neighbour', parties: ['张某', '李某'], location: at(900), summary: '噪音扰民', deadline: new Date(Date.now() - 2 * 86_400_000).toISOString() }),
    ce('dispute.registered', { disputeId: 'RSK-D2', kind: 'neighbour', parties: ['张某', '王某'], location: at(900), summary: '占用楼道' }),
    ce('petition.filed', { petitionId: 'RSK-P1', petitioner: 'pk-1', subject: '违建', location: at(910) }),
  ]);
  expect(disputes.status, JSON.stringify(disputes.body)).toBe(202);
  mkdirSync(SHOTS, { recursive: true });
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${s.url}/map`);
  await page.fill('input[name=username]', 'duty');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/map');
});
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await s?.stop();
  if (archiveDir) rmSync(archiveDir, { recursive: true, force: true });
});

describe('risk colouring of the live map (headless Chromium)', () => {
  it('starts without colouring and does not ask for the indicators until a colouring is chosen', async () => {
    await expect.poll(() => map().getAttribute('data-ready')).toBe('true');
    expect(await map().getAttribute('data-risk-mode')).toBe('none');
    expect(await cells()).toBe(0);
    expect(await page.locator('[data-testid=risk-mode-none]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid=risk-legend]').count()).toBe(0);
  });

  it('the worker has computed indicators: GET /indicators answers rows', async () => {
    cookie = await s.login('duty');
    await expect.poll(serverRows, { timeout: 30_000, interval: 500 }).toBeGreaterThan(10);
    // the full pass has ranked them
    await expect.poll(async () => (await s.get('/indicators?level=grid', cookie)).body.items.filter((r: { crimeClass: string | null }) => r.crimeClass !== null).length,
      { timeout: 30_000, interval: 500 }).toBeGreaterThan(0);
  });

  it('colours the grids by crime class, with a legend, once the crime colouring is chosen', async () => {
    const loaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/indicators');
    await page.click('[data-testid=risk-mode-crime]');
    expect((await loaded).status()).toBe(200);
    expect(await map().getAttribute('data-risk-mode')).toBe('crime');
    await expect.poll(cells, { timeout: 10_000 }).toBeGreaterThan(10);
    // every row the server has is a filled cell (snapshot, then live entries)
    await expect.poll(async () => (await cells()) - (await serverRows()), { timeout: 10_000 }).toBe(0);
    expect(await page.locator('[data-testid=risk-mode-crime]').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('[data-testid=risk-legend] li').count()).toBe(5);
    expect(await page.locator('[data-testid=risk-state]').getAttribute('data-state')).toBe('ready');
    // the risk canvas has ink on it
    const inked = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('.leaflet-pg-risk-pane canvas');
      if (!c) return 0;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4 * 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(20);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}/risk-map.png` });
    // city-wide the incident markers sit on their (small) cells: a look at the fills alone, close up
    await page.evaluate(() => document.querySelector<HTMLElement>('.leaflet-pg-live-pane')!.style.setProperty('visibility', 'hidden'));
    const box = (await map().boundingBox())!;
    await page.screenshot({ path: `${SHOTS}/risk-map-cells.png`, clip: { x: box.x + box.width * 0.25, y: box.y + box.height * 0.2, width: box.width * 0.5, height: box.height * 0.6 } });
    await page.evaluate(() => document.querySelector<HTMLElement>('.leaflet-pg-live-pane')!.style.removeProperty('visibility'));
  });

  it('follows live indicator entries: a report in a new grid fills one more cell without a reload', async () => {
    const before = await cells();
    let refetched = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/indicators') refetched++;
    });
    const rowsBefore = await serverRows();
    expect(before).toBe(rowsBefore);
    const res = await s.ingest(reports(1000, 2, 'RSK-LIVE'));
    expect(res.status).toBe(202);
    await expect.poll(cells, { timeout: 15_000 }).toBeGreaterThan(before);
    await expect.poll(async () => (await cells()) - (await serverRows()), { timeout: 10_000 }).toBe(0);
    expect(refetched).toBe(0);
  });

  it('a hover over a cell shows its name, both scores, the class, the terms and the drivers', async () => {
    // fly to the newest report through the incident list, then point next to its marker, inside its cell
    await page.locator('[data-testid=incident-list] li[data-id="RSK-LIVE-1000-1"] button').click();
    await expect.poll(() => map().getAttribute('data-zoom'), { timeout: 5000 }).toMatch(/^1[5-6]/);
    await page.waitForTimeout(1200);
    const box = (await map().boundingBox())!;
    const card = page.locator('.risk-tip');
    // the report need not lie mid-cell: rest the pointer just off its marker, on the side still inside the cell
    for (const [dx, dy] of [[16, 16], [-16, 16], [16, -16], [-16, -16], [20, 0], [-20, 0], [0, 20], [0, -20]] as const) {
      await page.mouse.move(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy, { steps: 2 });
      await page.waitForTimeout(200);
      if ((await card.count()) === 1) break;
    }
    await expect.poll(() => card.count(), { timeout: 5000 }).toBe(1);
    const text = (await card.textContent()) ?? '';
    const v = String.raw`<?\d+\.\d+`;
    expect(text).toMatch(new RegExp(`治安风险 ${v}（预计次日警情）· (极高|高|较高|一般|未排名)`));
    expect(text).toMatch(new RegExp(`不稳定风险 ${v} 分`));
    expect(text).toMatch(new RegExp(`长期水平 ${v} · 近90天 ${v} · 同星期 ${v} · 邻近 ${v}`));
    expect(text).toMatch(/近两年报警\s2\s起/);
    expect(text).toMatch(/依据事件 \d+ 项/);
    // the card stays while the pointer rests (live entries refresh it in place); past its fade-in
    await page.waitForTimeout(1500);
    expect(await card.count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/risk-map-tip.png` });
  });

  it('remembers the choice across a reload, and colours by instability on the instability toggle', async () => {
    await page.reload();
    await expect.poll(() => map().getAttribute('data-ready')).toBe('true');
    expect(await map().getAttribute('data-risk-mode')).toBe('crime');
    await expect.poll(cells, { timeout: 10_000 }).toBeGreaterThan(10);
    await page.click('[data-testid=risk-mode-instability]');
    expect(await map().getAttribute('data-risk-mode')).toBe('instability');
    expect(await page.locator('[data-testid=risk-legend] li').count()).toBe(4);
    // every cell with a value is filled in either mode (normal included); the legend says how many
    await expect.poll(cells).toBeGreaterThan(10);
    expect(await page.locator('[data-testid=risk-state]').textContent()).toMatch(/已着色网格 \d+ 个/);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}/risk-map-instability.png` });
    // in English too
    await page.click('.lang button:has-text("EN")');
    await expect.poll(() => page.locator('[data-testid=risk-mode-instability]').textContent()).toMatch(/Instability/);
    expect(await page.locator('[data-testid=risk-legend]').locator('..').locator('h3').first().textContent()).toBe('Instability risk');
    await page.screenshot({ path: `${SHOTS}/risk-map-en.png` });
    await page.click('.lang button:has-text("中文")');
    await page.click('[data-testid=risk-mode-none]');
    await expect.poll(cells).toBe(0);
    expect(errors).toEqual([]);
  });
});
