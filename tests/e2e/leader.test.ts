// The leader view (/leader, issue 9) in headless Chromium against a real stack: a leader signs in;
// the five indicator cards render (a value or an explicit "暂无数据"); the view drills down from the
// city to one grid through the rankings (and one level by a click on the map) and back up by the
// breadcrumb, the scope kept in the URL; the CSV export downloads a file whose ranking rows equal
// the table shown; a supervision order (督办) issued on an overdue dispute in two clicks is listed;
// the daily report renders; no page error, no request to another host. Screenshots at city and
// grid level are saved to tests/e2e/screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../server/store/keys.js';
import { keepToOrigin, launchBrowser, signInWall } from '../helpers/browser.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient } from '../helpers/requests.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';
const tree = demoTree();
const grids = tree.idsAt('grid');
const HOT = [grids[300]!, grids[390]!, grids[480]!];
/** the grid the drill-down ends in, and its chain city → grid */
const TARGET = HOT[0]!;
const CHAIN = [...tree.chain(TARGET)].reverse();

let s: Stack;
let browser: Browser;
let page: Page;
const errors: string[] = [];
let outside = 0;

const iso = (ms: number) => new Date(ms).toISOString();
const at = (n: number) => {
  const c = gridCenter(n);
  return { lat: c.lat, lon: c.lon };
};
const view = () => page.locator('[data-testid=leader-view]');
const rows = () => page.locator('[data-testid=rankings-table] tbody tr');

/** Waits until the view shows `scope` at `level` with its rankings loaded. */
async function expectScope(level: string, scope?: string): Promise<void> {
  await expect.poll(() => view().getAttribute('data-level'), { timeout: 15_000 }).toBe(level);
  if (scope) await expect.poll(() => view().getAttribute('data-scope')).toBe(scope);
  const panel = page.locator('[data-testid=leader-rankings]');
  // the rankings of this scope, not the previous one's still shown while the new ones load
  await expect
    .poll(async () => `${await panel.getAttribute('data-state')} ${await panel.getAttribute('aria-busy')} ${await panel.getAttribute('data-for')}`, { timeout: 15_000 })
    .toBe(`ready false ${await view().getAttribute('data-scope')}`);
}

/** A minimal CSV reader (quoted fields, CRLF). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r') continue;
    else if (ch === '\n') {
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) out.push([...row, cell]);
  return out;
}

beforeAll(async () => {
  [s, browser] = await Promise.all([startStack(), launchBrowser()]);
  const now = Date.now();
  const overdueAt = grids.indexOf(TARGET);
  const res = await s.ingest([
    ce('dispute.registered', { disputeId: 'LD-D1', kind: 'neighbour', parties: ['张某', '李某'], location: at(overdueAt), summary: '楼道堆物引发邻里纠纷', deadline: iso(now - 2 * 86_400_000) }),
    ce('dispute.registered', { disputeId: 'LD-D2', kind: 'consumer', parties: ['消费者', '某商场'], location: at(905), summary: '预付卡退费', deadline: iso(now + 20 * 86_400_000) }),
    ce('incident.reported', { incidentId: 'LD-I1', category: 'theft', priority: 2, location: at(overdueAt), address: '建设路 1 号' }),
  ]);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  // the risk roll-up as the worker writes it: three hot cells
  const r = durableClient(s);
  const cell = (id: string, crimeRisk: number) =>
    `0-1 ${JSON.stringify({ id, crimeRisk, instabilityRisk: crimeRisk / 2, drivers: ['LD-I1'], crimeClass: 'high', instabilityClass: 'normal', terms: {}, at: iso(now) })}`;
  await r.hset(keys.riskIndicators, ...HOT.flatMap((g, k) => [g, cell(g, 3 - k)]));
  await r.zadd(keys.riskTop, ...HOT.flatMap((g, k) => [3 - k, g]));
  r.disconnect();

  mkdirSync(SHOTS, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await keepToOrigin(page, new URL(s.url).host, () => outside++);
  await page.goto(`${s.url}/leader`);
  await page.fill('input[name=username]', 'leader');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/leader');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('the leader view (headless Chromium)', () => {
  it('shows the five indicators against their targets, each with a value or an explicit no-data', async () => {
    await expectScope('city', CHAIN[0]);
    await expect.poll(() => page.locator('[data-testid=leader-indicators]').getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    const cards = page.locator('[data-indicator]');
    expect(await cards.count()).toBe(5);
    for (const c of await cards.all()) {
      const value = (await c.locator('[data-testid=indicator-value]').textContent())!.trim();
      const state = await c.getAttribute('data-state');
      if (state === 'none') expect(value).toBe('暂无数据');
      else expect(value).toMatch(/^\d+(\.\d+)?%?$/);
      expect(await c.locator('[data-testid=indicator-state]').textContent()).toMatch(/达标|未达标|无数据/);
    }
    expect(await page.locator('[data-indicator=repeatRate]').textContent()).toContain('≤');
    // the windows and the trend follow a click
    await page.click('[data-window="7"]');
    // the window is kept in the URL
    await expect.poll(() => new URL(page.url()).searchParams.get('window')).toBe('7');
    expect(await page.locator('[data-window="7"]').getAttribute('aria-checked')).toBe('true');
    await page.click('[data-indicator=satisfaction]');
    await expect.poll(() => page.locator('[data-indicator=satisfaction]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.ld-trend h3').textContent()).toContain('群众满意度');
    await expect.poll(() => page.locator('[data-testid=leader-map]').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => page.locator('[data-testid=leader-map]').getAttribute('data-risk-cells'), { timeout: 15_000 }).not.toBe('0');
    await expect.poll(() => page.locator('[data-testid=overdue-case][data-case="dispute:LD-D1"]').count(), { timeout: 15_000 }).toBe(1);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${SHOTS}/leader-city.png` });
  });

  it('exports a CSV whose ranking rows equal the table shown', async () => {
    await expectScope('city');
    const shown = await rows().evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 6).map((td) => td.textContent!.replace('›', '').trim())));
    expect(shown.length).toBeGreaterThan(1);
    const downloading = page.waitForEvent('download');
    await page.click('[data-testid=export-csv]');
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^leader-.*-crime-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const table = parseCsv(text.slice(1));
    const header = table.findIndex((r) => r[0] === '名次');
    expect(header).toBeGreaterThan(0);
    const csvRows = table.slice(header + 1).filter((r) => r.length > 1).map((r) => r.slice(0, 6));
    expect(csvRows).toEqual(shown);
    // the indicator section: five rows, no invented values
    const indHeader = table.findIndex((r) => r[0] === '指标');
    expect(table.slice(indHeader + 1, indHeader + 6).map((r) => r.length)).toEqual([5, 5, 5, 5, 5]);
  });

  it('drills down by a click on the map, and back up by the breadcrumb', async () => {
    await expectScope('city');
    const box = (await page.locator('[data-testid=leader-map]').boundingBox())!;
    // the map frames the city: its middle lies in one of the districts
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expectScope('district');
    expect(new URL(page.url()).searchParams.get('scope')).toBe(await view().getAttribute('data-scope'));
    await page.locator('[data-testid=breadcrumb] button[data-level=city]').click();
    await expectScope('city', CHAIN[0]);
  });

  it('drills down from the city to one grid through the rankings and back up by the breadcrumb', async () => {
    await expectScope('city');
    for (const [i, level] of (['district', 'street', 'community', 'grid'] as const).entries()) {
      const id = CHAIN[i + 1]!;
      await page.locator(`[data-testid=ranking-row][data-id="${id}"]`).click();
      await expectScope(level, id);
      expect(new URL(page.url()).searchParams.get('scope')).toBe(id);
      expect(await page.locator('[data-testid=breadcrumb] [data-level]').count()).toBe(i + 2);
    }
    // the grid's own row with its drivers; every panel follows the scope
    expect(await rows().count()).toBe(1);
    expect(await rows().first().getAttribute('data-id')).toBe(TARGET);
    await expect.poll(() => page.locator('[data-testid=overdue-case][data-case="dispute:LD-D1"]').count(), { timeout: 15_000 }).toBe(1);
    // a reload keeps the scope
    await page.reload();
    await expectScope('grid', TARGET);
    await page.waitForTimeout(1800);
    await page.screenshot({ path: `${SHOTS}/leader-grid.png` });
    // back up one level, then to the city
    await page.locator(`[data-testid=breadcrumb] button[data-id="${CHAIN[2]}"]`).click();
    await expectScope('street', CHAIN[2]);
    await page.locator('[data-testid=breadcrumb] button[data-level=city]').click();
    await expectScope('city', CHAIN[0]);
    expect(new URL(page.url()).searchParams.get('scope')).toBeNull();
  });

  it('issues a supervision order on an overdue case in two clicks and lists it; the wall shows it at once', async () => {
    // the duty officer's wall, open beside the leader's desk
    const wallContext = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const wall = await wallContext.newPage();
    wall.on('pageerror', (e) => errors.push(`wall: ${e.message}`));
    await signInWall(wall, s.url);
    const wallCount = () => wall.locator('[data-testid=wall-supervision]').getAttribute('data-count');
    await expect.poll(wallCount, { timeout: 15_000 }).toBe('0');

    await expectScope('city');
    const item = page.locator('[data-testid=overdue-case][data-case="dispute:LD-D1"]');
    await item.locator('[data-action=supervise]').click();
    const form = item.locator('[data-testid=sup-form]');
    expect(await form.locator('input[name=deadline]').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await form.locator('textarea[name=instruction]').inputValue()).toContain('LD-D1');
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/supervisions');
    await form.locator('[data-testid=sup-confirm]').click();
    const res = await answered;
    expect(res.status(), await res.text()).toBe(201);
    await expect.poll(() => page.locator('[data-testid=supervision-order][data-case-ref="LD-D1"]').count(), { timeout: 5000 }).toBe(1);
    expect(await page.locator('[data-testid=supervision-order][data-case-ref="LD-D1"]').getAttribute('data-stage')).toBe('issued');
    await expect.poll(() => item.locator('[data-testid=supervised]').count()).toBe(1);
    expect(await page.locator('[data-testid=sup-notice]').textContent()).toContain('LD-D1');
    // live on the wall, without a reload
    await expect.poll(wallCount, { timeout: 10_000 }).toBe('1');
    await wallContext.close();
  });

  it('opens the printable daily report of the scope', async () => {
    await page.click('[data-testid=daily-report]');
    await page.waitForURL((u) => u.pathname === '/leader/report');
    await expect.poll(() => page.locator('[data-testid=daily-report-page]').getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
    expect(Number(await page.locator('[data-testid=report-incidents]').textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=report-csv]').getAttribute('href')).toContain('format=csv');
    // another day: kept in the URL, read again; the day before the seeded facts had none of them
    const today = await page.locator('input[name=report-date]').inputValue();
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.locator('input[name=report-date]').fill(yesterday);
    await expect.poll(() => new URL(page.url()).searchParams.get('date')).toBe(yesterday);
    await expect.poll(() => page.locator('[data-testid=daily-report-page]').getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
    expect(await page.locator('.ld-paper h1').textContent()).toContain(yesterday);
    expect(Number(await page.locator('[data-testid=report-incidents]').textContent())).toBe(0);
    expect(await page.locator('[data-testid=report-csv]').getAttribute('href')).toContain(`date=${yesterday}`);
    await page.locator('input[name=report-date]').fill(today);
    await expect.poll(() => page.locator('[data-testid=report-incidents]').textContent(), { timeout: 10_000 }).not.toBe('0');
    await page.screenshot({ path: `${SHOTS}/leader-report.png` });
    await page.goBack();
    await expectScope('city');
  });

  it('fits a tablet in portrait: one column, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 1024, height: 1366 });
    await expectScope('city');
    await page.waitForTimeout(800);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    const a = (await page.locator('[data-testid=leader-indicators]').boundingBox())!;
    const c = (await page.locator('[data-testid=leader-rankings]').boundingBox())!;
    expect(c.y).toBeGreaterThan(a.y + a.height - 1);
    await page.screenshot({ path: `${SHOTS}/leader-tablet.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
  });

  it('replays a known log window through the live stores with known counts on the map and the chart, ignoring live frames, and returns to live', async () => {
    await expectScope('city');
    const map = page.locator('[data-testid=leader-map]');
    await expect.poll(() => map.getAttribute('data-incidents'), { timeout: 10_000 }).not.toBe('0');
    const liveBefore = Number(await map.getAttribute('data-incidents'));
    await page.click('[data-testid=replay-toggle]');
    const replay = page.locator('[data-testid=leader-replay]');
    // a window from 10 minutes ago (typed in Asia/Shanghai, UTC+8, the display zone) for 15 minutes: everything this test seeded
    const from = new Date(Date.now() - 10 * 60_000 + 8 * 3_600_000).toISOString().slice(0, 16);
    await replay.locator('input[name=replay-from]').fill(from);
    await replay.locator('select[name=replay-length]').selectOption('15');
    await page.click('[data-testid=replay-load]');
    await expect.poll(() => replay.getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    expect(Number(await replay.getAttribute('data-entries'))).toBeGreaterThan(0);
    expect(await map.getAttribute('data-replaying')).toBe('true');
    const count = async (id: string) => Number(await replay.locator(`[data-count=${id}] b`).textContent());
    const chart = async () => JSON.parse((await replay.locator('[data-testid=replay-chart]').getAttribute('data-series'))!) as { reported: number[]; open: (number | null)[] };
    // at the window's start nothing has happened yet: the live map's incidents are gone
    expect(await count('reported')).toBe(0);
    await expect.poll(() => map.getAttribute('data-incidents'), { timeout: 5000 }).toBe('0');
    expect((await chart()).reported).toEqual([0, 0, 0, 0]);
    const seekTo = (end: 'min' | 'max') =>
      replay.locator('[data-testid=replay-seek]').evaluate((el: HTMLInputElement, which) => {
        el.value = which === 'max' ? el.max : el.min;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }, end);
    // seek to the end: the seeded facts, counted from the log, on the counters, the chart and the map
    await seekTo('max');
    await expect.poll(() => count('reported')).toBe(1);
    expect(await count('cases')).toBe(2);
    expect(await count('supervisions')).toBe(1);
    expect(await count('open')).toBe(1);
    // LD-I1 (priority 2) is the one incident reported in the window
    const end = await chart();
    expect(end.reported).toEqual([0, 1, 0, 0]);
    expect(end.open.at(-1)).toBe(1);
    await expect.poll(() => map.getAttribute('data-incidents'), { timeout: 5000 }).toBe('1');
    // play from the start at ×60: the replay clock moves, pause stops it
    await seekTo('min');
    const start = Date.parse((await replay.getAttribute('data-at'))!);
    await page.click('[data-speed="60"]');
    await page.click('[data-testid=replay-play]');
    await page.waitForTimeout(1200);
    await page.click('[data-testid=replay-play]');
    const paused = Date.parse((await replay.getAttribute('data-at'))!);
    expect(paused - start).toBeGreaterThanOrEqual(30_000);
    await page.waitForTimeout(500);
    expect(Date.parse((await replay.getAttribute('data-at'))!)).toBe(paused);
    // a live report during the replay changes neither the replay nor the map
    await seekTo('max');
    await expect.poll(() => map.getAttribute('data-incidents'), { timeout: 5000 }).toBe('1');
    const res = await s.ingest([ce('incident.reported', { incidentId: 'LD-I9', category: 'fight', priority: 1, location: at(grids.indexOf(TARGET)) })]);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await page.waitForTimeout(1500);
    expect(await map.getAttribute('data-incidents')).toBe('1');
    expect(await count('reported')).toBe(1);
    await page.screenshot({ path: `${SHOTS}/leader-replay.png` });
    // leaving the replay: back to live, no reload, with the report made meanwhile
    const marker = await page.evaluate(() => ((window as unknown as { __ldMark: number }).__ldMark = 42));
    await page.click('[data-testid=replay-exit]');
    expect(await replay.count()).toBe(0);
    expect(await map.getAttribute('data-replaying')).toBe('false');
    await expect.poll(() => map.getAttribute('data-incidents'), { timeout: 10_000 }).toBe(String(liveBefore + 1));
    expect(await page.evaluate(() => (window as unknown as { __ldMark?: number }).__ldMark)).toBe(marker);
  });

  it('had no page error and sent nothing to another host', () => {
    expect(errors).toEqual([]);
    expect(outside).toBe(0);
  });
});
