// Clustered incidents on the live map (DESIGN §9) in headless Chromium against a real stack:
// above ~1,000 open incidents the map draws supercluster donuts (computed in a Web Worker, under
// the real CSP), a click on one zooms in, a single incident and a unit still show their hover
// cards, and the wall shows 5,000 incidents clustered (screenshot). No page error.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPx } from '../../client/composables/map/cluster-math.js';
import { launchBrowser, signInWall } from '../helpers/browser.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';
const INCIDENTS = 5000;

let s: Stack;
let browser: Browser;
let page: Page;
const errors: string[] = [];
/** the lone incident, away from the crowd, and a unit ~130 m north of it */
const lone = gridCenter(900);
const UNIT_DLAT = 0.0012;

beforeAll(async () => {
  [s, browser] = await Promise.all([startStack({ INGEST_RATE_REQUESTS: '1000000', INGEST_RATE_EVENTS: '100000000' }), launchBrowser()]);
  const grids = demoTree().idsAt('grid').length;
  let seed = 3;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const cats = ['theft', 'fight', 'fraud', 'traffic'];
  const bulk = Array.from({ length: INCIDENTS - 1 }, (_, k) => {
    // grids 0..299 only: grid 900 keeps the lone incident alone
    const c = gridCenter(Math.floor(rand() * Math.min(300, grids)));
    return ce('incident.reported', {
      incidentId: `MCL-${k}`, category: cats[k % cats.length], priority: 1 + (k % 4),
      location: { lat: c.lat + (rand() - 0.5) * 0.003, lon: c.lon + (rand() - 0.5) * 0.003 }, address: '解放路 100 号',
    });
  });
  for (let i = 0; i < bulk.length; i += 500) expect((await s.ingest(bulk.slice(i, i + 500))).status).toBe(202);
  expect((await s.ingest([ce('unit.registered', { unitId: 'MCL-U', callsign: '巡-孤', kind: 'car', homeGrid: lone.gridId })])).status).toBe(202);
  expect((await s.ingest([ce('unit.position', { unitId: 'MCL-U', lat: lone.lat + UNIT_DLAT, lon: lone.lon, speed: 0, heading: 90 })])).status).toBe(202);
  expect((await s.ingest([ce('incident.reported', { incidentId: 'MCL-ONE', category: 'robbery', priority: 1, location: { lat: lone.lat, lon: lone.lon }, address: '孤山路 1 号' })])).status).toBe(202);
  mkdirSync(SHOTS, { recursive: true });
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${s.url}/map`);
  await page.fill('input[name=username]', 'duty');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

const map = () => page.locator('[data-testid=live-map]');
const num = async (attr: string) => Number(await map().getAttribute(attr));

describe('clustered incidents on the live map (headless Chromium)', () => {
  it('clusters 5,000 incidents into donuts, counting incidents as incidents', async () => {
    await expect.poll(() => map().getAttribute('data-ready'), { timeout: 30_000 }).toBe('true');
    await expect.poll(() => num('data-incidents'), { timeout: 60_000 }).toBe(INCIDENTS);
    await expect.poll(() => num('data-clusters'), { timeout: 10_000 }).toBeGreaterThan(0);
    // far fewer marks than incidents
    expect(await num('data-clusters')).toBeLessThan(INCIDENTS / 5);
    expect(await num('data-units')).toBe(1);
    // the incidents' canvas has ink
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${SHOTS}/map-clusters.png` });
  });

  it('zooms into a cluster on a click', async () => {
    const z0 = await num('data-zoom');
    const at = (await map().getAttribute('data-cluster-at'))!;
    expect(at).toMatch(/^-?\d+,-?\d+$/);
    const [x, y] = at.split(',').map(Number) as [number, number];
    const box = (await map().boundingBox())!;
    await page.mouse.click(box.x + x, box.y + y);
    await expect.poll(() => num('data-zoom'), { timeout: 5000 }).toBeGreaterThan(z0);
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${SHOTS}/map-cluster-zoomed.png` });
  });

  it('still shows the hover cards of a single incident and of a unit', async () => {
    await page.locator('[data-testid=incident-list] li[data-id=MCL-ONE] button').click();
    await expect.poll(() => page.locator('.map-tip').textContent()).toContain('MCL-ONE');
    await expect.poll(() => map().getAttribute('data-zoom'), { timeout: 5000 }).toMatch(/^1[5-6]/);
    await page.waitForTimeout(1200); // the fly ends; the clusters of the view come back
    const zoom = await num('data-zoom');
    const box = (await map().boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    // the unit: north of the incident by UNIT_DLAT, in screen pixels at this zoom
    const dy = projectPx(lone.lat, lone.lon, zoom)[1] - projectPx(lone.lat + UNIT_DLAT, lone.lon, zoom)[1];
    expect(dy).toBeGreaterThan(20);
    // Leaflet's canvas drops mousemoves closer than 32 ms apart: each poll moves the pointer again
    let jiggle = 0;
    const hoverAt = async (x: number, y: number) => {
      await page.mouse.move(x + (jiggle++ % 2), y, { steps: 2 });
      await page.waitForTimeout(80);
      return (await page.locator('.map-tip').allTextContents()).join(' ');
    };
    await page.mouse.move(cx + 200, cy + 200, { steps: 2 });
    await expect.poll(() => hoverAt(cx, cy - dy), { timeout: 10_000 }).toContain('巡-孤');
    expect(await page.locator('[data-testid=live-map]').evaluate((el) => el.classList.contains('pg-unit-hover'))).toBe(true);
    await expect.poll(() => hoverAt(cx, cy), { timeout: 10_000 }).toContain('MCL-ONE');
    expect(await page.locator('.map-tip').textContent()).toContain('孤山路 1 号');
    await page.screenshot({ path: `${SHOTS}/map-cluster-hover.png` });
    // off the marker: the card goes
    await page.mouse.move(cx + 300, cy + 250, { steps: 3 });
    await expect.poll(() => page.locator('.map-tip').count(), { timeout: 5000 }).toBe(0);
  });

  it('shows the 5,000 incidents clustered on the wall', async () => {
    const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    wall.on('pageerror', (e) => errors.push(e.message));
    await signInWall(wall, s.url);
    const wmap = wall.locator('.wall [data-testid=live-map]');
    await expect.poll(() => wmap.getAttribute('data-ready'), { timeout: 30_000 }).toBe('true');
    await expect.poll(async () => Number(await wmap.getAttribute('data-incidents')), { timeout: 60_000 }).toBe(INCIDENTS);
    await expect.poll(async () => Number(await wmap.getAttribute('data-clusters')), { timeout: 10_000 }).toBeGreaterThan(0);
    await wall.waitForTimeout(2500);
    await wall.screenshot({ path: `${SHOTS}/wall-clusters.png` });
    await wall.close();
  });

  it('had no page errors', () => {
    expect(errors).toEqual([]);
  });
});
