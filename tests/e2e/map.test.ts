import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchBrowser } from '../helpers/browser.js';
import { gridCenter } from '../helpers/geo.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';

let s: Stack;
let browser: Browser;
let page: Page;
beforeAll(async () => {
  [s, browser] = await Promise.all([freePort().then((port) => startStack({ PORT: String(port) })), launchBrowser()]);
  const incidents = [1, 2, 3, 4].map((p, k) => {
    const c = gridCenter(200 + k * 300);
    return ce('incident.reported', { incidentId: `MAP-${p}`, category: 'theft', priority: p, location: { lat: c.lat, lon: c.lon }, address: `中山路 ${p} 号` });
  });
  const units = [0, 1, 2].map((k) => ({ unitId: `MAP-U${k}`, c: gridCenter(400 + k * 250) }));
  expect((await s.ingest(incidents)).status).toBe(202);
  expect((await s.ingest(units.map((u, k) => ce('unit.registered', { unitId: u.unitId, callsign: `巡${k + 1}`, kind: 'car', homeGrid: u.c.gridId })))).status).toBe(202);
  expect((await s.ingest(units.map((u, k) => ce('unit.position', { unitId: u.unitId, lat: u.c.lat, lon: u.c.lon, speed: 5, heading: k * 120 })))).status).toBe(202);
  mkdirSync(SHOTS, { recursive: true });
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${s.url}/map`);
  await page.fill('input[name=username]', 'duty');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

const map = () => page.locator('[data-testid=live-map]');
const banner = () => page.locator('.conn-banner');

describe('live map (headless Chromium)', () => {
  it('draws the jurisdictions as the base map, and the snapshot of incidents and units', async () => {
    await expect.poll(() => map().getAttribute('data-ready')).toBe('true');
    // 7 districts filled, 30 streets, 150 communities, outlines: grids come only from zoom 14
    expect(Number(await map().getAttribute('data-layers'))).toBeGreaterThan(180);
    // the base canvas really has ink on it
    const inked = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('.leaflet-pg-base-pane canvas');
      if (!c) return 0;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4 * 16) if (d[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    await expect.poll(() => map().getAttribute('data-incidents')).toBe('4');
    await expect.poll(() => map().getAttribute('data-units')).toBe('3');
    await expect.poll(() => page.locator('[data-testid=incident-list] li').count()).toBe(4);
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    expect(await banner().isHidden()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/map.png` });
  });

  it('shows an incident reported while the page is open, in the list and on the map', async () => {
    const c = gridCenter(900);
    await s.ingest([ce('incident.reported', { incidentId: 'MAP-LIVE', category: 'robbery', priority: 1, location: { lat: c.lat, lon: c.lon }, address: '建设大道 1 号' })]);
    const item = page.locator('[data-testid=incident-list] li[data-id=MAP-LIVE]');
    await expect.poll(() => item.count(), { timeout: 5000 }).toBe(1);
    expect(await page.locator('[data-testid=incident-list] li').first().getAttribute('data-id')).toBe('MAP-LIVE');
    await expect.poll(() => map().getAttribute('data-incidents')).toBe('5');
    // its marker exists: choosing it in the list flies there and opens its card
    await item.locator('button').click();
    await expect.poll(() => page.locator('.map-tip').textContent()).toContain('MAP-LIVE');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `${SHOTS}/map-focus.png` });
    // closed: it leaves the map and stays in the list as ended
    await s.ingest([ce('incident.closed', { incidentId: 'MAP-LIVE' })]);
    await expect.poll(() => item.getAttribute('class'), { timeout: 5000 }).toContain('ended');
    await expect.poll(() => map().getAttribute('data-incidents')).toBe('4');
  });

  it('switches to English and remembers it', async () => {
    await page.click('.lang button:has-text("EN")');
    await expect.poll(() => page.locator('.panel-title h2').textContent()).toBe('Latest incidents');
    await page.reload();
    await expect.poll(() => page.locator('.panel-title h2').textContent()).toBe('Latest incidents');
    await expect.poll(() => map().getAttribute('data-ready')).toBe('true');
    await page.screenshot({ path: `${SHOTS}/map-en.png` });
    await page.click('.lang button:has-text("中文")');
    await expect.poll(() => page.locator('.panel-title h2').textContent()).toBe('最新警情');
  });

  it('shows the banner while the server is away, then resumes without losing entries', async () => {
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    await s.server.close();
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 10_000 }).toMatch(/reconnecting|offline/);
    expect(await banner().textContent()).toMatch(/数据截至 \d\d:\d\d:\d\d/);
    await page.screenshot({ path: `${SHOTS}/map-disconnected.png` });
    await s.restartServer();
    const c = gridCenter(1200);
    await s.ingest([ce('incident.reported', { incidentId: 'MAP-GAP', category: 'fire', priority: 2, location: { lat: c.lat, lon: c.lon } })]);
    await expect.poll(() => banner().getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    await expect.poll(() => page.locator('[data-testid=incident-list] li[data-id=MAP-GAP]').count(), { timeout: 5000 }).toBe(1);
  });
});
