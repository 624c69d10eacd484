// The dispatch console (/dispatch) in headless Chromium against a real stack: a call taken from the
// keyboard and placed on the console map, the top recommendation dispatched with Enter and seen on
// a duty officer's live map, a conflicting dispatch, an acknowledgement timeout with its one-key
// follow-up, release, alert acknowledgement, the shortcut overlay and the read-only duty view.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { launchBrowser } from '../helpers/browser.js';
import { gridCenter } from '../helpers/geo.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';
const UNITS = ['DSP-U1', 'DSP-U2', 'DSP-U3', 'DSP-U4'];
/** north offsets (degrees of latitude) from the call: about 220 m, 670 m, 1.3 km, 2.2 km */
const OFFSETS = [0.002, 0.006, -0.012, 0.02];
const CALLSIGN = (k: number) => `巡${k + 1}`;

let s: Stack;
let browser: Browser;
let coordPage: Page;
let dutyPage: Page;
let coord: Client;
/** the call taken in the browser, and where it was placed */
let callId = '';
let at = { lat: 0, lon: 0 };
const timings: Record<string, number> = {};

async function signIn(page: Page, path: string, username: string): Promise<void> {
  await page.goto(`${s.url}${path}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === path);
}

const details = () => coordPage.locator('[data-testid=incident-details]');
const notice = () => coordPage.locator('[data-testid=dispatch-notice]');
const topRec = () => coordPage.locator('[data-testid=recommendations] .recs-list:not(.unranked) li').first();
const positionsAt = (lat: number, lon: number) =>
  UNITS.map((unitId, k) => ce('unit.position', { unitId, lat: lat + OFFSETS[k]!, lon, speed: 0, heading: 0 }));

beforeAll(async () => {
  [s, browser] = await Promise.all([startStack(), launchBrowser()]);
  const home = gridCenter(300);
  expect((await s.ingest(UNITS.map((unitId, k) => ce('unit.registered', { unitId, callsign: CALLSIGN(k), kind: 'car', homeGrid: home.gridId })))).status).toBe(202);
  expect((await s.ingest(positionsAt(home.lat, home.lon))).status).toBe(202);
  // a queue to work in: located calls of several priorities, one waiting for a location
  const others = [[2, 'fight', 500], [3, 'dispute', 700], [4, 'hazard', 900], [1, 'fire', 1100]] as const;
  expect((await s.ingest([
    ...others.map(([priority, category, n], k) => {
      const c = gridCenter(n);
      return ce('incident.reported', { incidentId: `DSP-Q${k}`, category, priority, location: { lat: c.lat, lon: c.lon }, address: `解放路 ${k + 10} 号`, channel: '110' });
    }),
    ce('incident.reported', { incidentId: 'DSP-NOLOC', category: 'missing_person', priority: 2, address: '报警人无法说清具体位置', channel: '110' }),
  ])).status).toBe(202);
  coord = await as(s, 'coordinator');
  mkdirSync(SHOTS, { recursive: true });
  const [c1, c2] = await Promise.all([browser.newContext({ viewport: { width: 1920, height: 1080 } }), browser.newContext({ viewport: { width: 1920, height: 1080 } })]);
  [coordPage, dutyPage] = await Promise.all([c1.newPage(), c2.newPage()]);
  coordPage.on('pageerror', (e) => console.log('coordinator page error:', e.message));
  await Promise.all([signIn(coordPage, '/dispatch', 'coordinator'), signIn(dutyPage, '/map', 'duty')]);
});

afterAll(async () => {
  if (Object.keys(timings).length) console.log('dispatch → duty map (ms from the dispatch answer):', JSON.stringify(timings));
  await browser?.close();
  await s?.stop();
});

describe('dispatch console (headless Chromium)', () => {
  it('takes a call from the keyboard and places it with a click on the console map', async () => {
    await expect.poll(() => coordPage.locator('[data-testid=console-map]').getAttribute('data-ready')).toBe('true');
    await expect.poll(() => coordPage.locator('[data-testid=dispatch-queue] li[data-id]').count()).toBe(4);
    await expect.poll(() => coordPage.locator('[data-testid=unlocated-queue] li[data-id=DSP-NOLOC]').count()).toBe(1);
    // the queue is ordered by priority: the P1 fire first
    expect(await coordPage.locator('[data-testid=dispatch-queue] li[data-id]').first().getAttribute('data-id')).toBe('DSP-Q3');

    await coordPage.keyboard.press('n');
    expect(await coordPage.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('category');
    for (let k = 0; k < 3; k++) await coordPage.keyboard.press('ArrowDown');
    expect(await coordPage.locator('select[name=category]').inputValue()).toBe('robbery');
    await coordPage.keyboard.press('Tab');
    await coordPage.keyboard.type('1');
    expect(await coordPage.locator('select[name=priority]').inputValue()).toBe('1');
    await coordPage.keyboard.press('Tab'); // channel: 110 stays
    await coordPage.keyboard.press('Tab');
    await coordPage.keyboard.type('李女士');
    await coordPage.keyboard.press('Tab');
    await coordPage.keyboard.type('人民路 88 号 便利店门口');
    await coordPage.keyboard.press('Tab');
    await coordPage.keyboard.type('13800000000');
    await coordPage.keyboard.press('Tab');
    await coordPage.keyboard.type('两名男子抢走手提包，向东逃跑');
    expect(await coordPage.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('summary');

    const box = (await coordPage.locator('[data-testid=console-map]').boundingBox())!;
    await coordPage.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const loc = coordPage.locator('[data-testid=call-location]');
    await expect.poll(() => loc.getAttribute('data-set')).toBe('true');
    at = { lat: Number(await loc.getAttribute('data-lat')), lon: Number(await loc.getAttribute('data-lon')) };
    expect(Number.isFinite(at.lat) && at.lat !== 0).toBe(true);
    // the patrol cars report fresh fixes around the caller
    expect((await s.ingest(positionsAt(at.lat, at.lon))).status).toBe(202);
    await coordPage.screenshot({ path: `${SHOTS}/dispatch-call.png` });

    await coordPage.focus('textarea[name=summary]');
    const created = coordPage.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/incidents'));
    await coordPage.keyboard.press('Control+Enter');
    const res = await created;
    expect(res.status()).toBe(201);
    callId = ((await res.json()) as { id: string }).id;
    await expect.poll(() => details().getAttribute('data-id')).toBe(callId);
    expect(await details().getAttribute('data-status')).toBe('new');
    expect(await notice().getAttribute('data-tone')).toBe('ok');
    // the form is clear for the next call and the new incident joins the queue at the top (P1, the longest wait first)
    expect(await coordPage.locator('select[name=category]').inputValue()).toBe('');
    await expect.poll(() => coordPage.locator(`[data-testid=dispatch-queue] li[data-id="${callId}"]`).count()).toBe(1);
    const stored = await coord.get(`/incidents/${callId}`);
    expect(stored.body).toMatchObject({ category: 'robbery', priority: 1, channel: '110', address: '人民路 88 号 便利店门口', reporter: { name: '李女士', phone: '13800000000' } });
    expect(stored.body.location.lat).toBeCloseTo(at.lat, 5);
    // the premise history names the grid's responsible grid worker (网格员)
    const worker = (await coord.get(`/incidents/${callId}/premise`)).body.gridWorker;
    expect(worker?.name).toBeTruthy();
    const named = coordPage.locator('[data-testid=premise-gridworker]');
    await expect.poll(() => named.count(), { timeout: 5000 }).toBe(1);
    expect(await named.textContent()).toBe(`责任网格员：${worker.name}`);
  });

  it('dispatches the top recommendation with Enter; a duty officer’s live map shows it (the delay is reported)', async () => {
    await expect.poll(() => topRec().getAttribute('data-unit'), { timeout: 10_000 }).toBe('DSP-U1');
    await expect.poll(() => coordPage.locator('[data-testid=recommendations] .recs-list:not(.unranked) li').count()).toBe(4);
    expect(await topRec().textContent()).toMatch(/巡1/);

    // the duty officer's map holds the new call and four available units before
    const dutyItem = dutyPage.locator(`[data-testid=incident-list] li[data-id="${callId}"]`);
    const available = dutyPage.locator('.hud .kpi:nth-child(4) b');
    await expect.poll(() => dutyItem.locator('.status').getAttribute('data-status'), { timeout: 5000 }).toBe('new');
    await expect.poll(() => available.textContent(), { timeout: 5000 }).toBe('4');

    const answered = coordPage.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/incidents/${callId}/dispatch`));
    await coordPage.keyboard.press('Enter');
    const res = await answered;
    const t0 = Date.now();
    expect(res.status()).toBe(200);
    expect(res.request().headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await res.json()) as { unitIds: string[] }).unitIds).toEqual(['DSP-U1']);

    // functional deadline 5 s; the time is recorded
    await dutyPage.waitForFunction((id) => document.querySelector(`[data-testid=incident-list] li[data-id="${id}"] .status`)?.getAttribute('data-status') === 'dispatched',
      callId, { timeout: 5000, polling: 20 });
    timings.incidentStatus = Date.now() - t0;
    await dutyPage.waitForFunction(() => document.querySelector('.hud .kpi:nth-child(4) b')?.textContent === '3', undefined, { timeout: 5000, polling: 20 });
    timings.unitStatus = Date.now() - t0;
    // the issue asks for "within a second": measured and reported here, asserted only as the
    // generous functional deadline above (the machine is shared; timings are never asserted)
    console.log(`dispatch seen on the second browser: incident ${timings.incidentStatus} ms, unit ${timings.unitStatus} ms`);

    await expect.poll(() => details().getAttribute('data-status')).toBe('dispatched');
    await expect.poll(() => coordPage.locator('[data-testid=attached-units] li[data-unit=DSP-U1]').count()).toBe(1);
    expect(await notice().getAttribute('data-tone')).toBe('ok');
    // the dispatched unit leaves the recommendations
    await expect.poll(() => topRec().getAttribute('data-unit')).toBe('DSP-U2');
    await coordPage.screenshot({ path: `${SHOTS}/dispatch-console.png` });
    await dutyPage.screenshot({ path: `${SHOTS}/dispatch-duty-map.png` });
  });

  it('shows a conflicting dispatch (the unit was dispatched meanwhile) with the state as it is now', async () => {
    const [b, c] = await Promise.all([
      coord.post('/incidents', { incidentId: 'DSP-B', category: 'theft', priority: 2, location: { lat: at.lat + 0.003, lon: at.lon }, address: '人民路 120 号' }),
      coord.post('/incidents', { incidentId: 'DSP-C', category: 'fight', priority: 3, location: { lat: at.lat - 0.004, lon: at.lon }, address: '人民路 40 号' }),
    ]);
    expect([b.status, c.status]).toEqual([201, 201]);
    const item = coordPage.locator('[data-testid=dispatch-queue] li[data-id=DSP-B] button');
    await expect.poll(() => item.count()).toBe(1);
    await item.click();
    await expect.poll(() => details().getAttribute('data-id')).toBe('DSP-B');
    await expect.poll(() => topRec().getAttribute('data-unit')).toBe('DSP-U2');

    // another coordinator sends the same unit elsewhere while this dispatch is on its way
    let raced = 0;
    let routed = false;
    await coordPage.route('**/api/v1/incidents/DSP-B/dispatch', async (route) => {
      routed = true;
      try {
        raced = (await coord.post('/incidents/DSP-C/dispatch', { unitIds: ['DSP-U2'], expectedVersion: 1 })).status;
      } finally {
        await route.continue();
      }
    });
    const answered = coordPage.waitForResponse((r) => r.url().endsWith('/incidents/DSP-B/dispatch'), { timeout: 10_000 });
    // the row was chosen with the mouse: the keyboard acts on the page, not on a focused button
    expect(await coordPage.evaluate(() => document.activeElement?.tagName)).toBe('BODY');
    await coordPage.keyboard.press('Enter');
    const res = await answered.catch(async (err: unknown) => {
      throw new Error(`no answer to the dispatch (routed: ${routed}, notice: ${await notice().textContent().catch(() => null)}): ${String(err)}`);
    });
    expect(res.status()).toBe(409);
    expect(raced).toBe(200);
    await coordPage.unroute('**/api/v1/incidents/DSP-B/dispatch');

    await expect.poll(() => notice().getAttribute('data-tone')).toBe('conflict');
    const text = (await notice().textContent()) ?? '';
    expect(text).toContain('巡2');
    expect(text).toContain('已派'); // the unit's status now, and the incident's: 待派
    expect(text).toContain('待派');
    expect(await details().getAttribute('data-status')).toBe('new');
    // the recommendations were re-read: the unit that went elsewhere is gone
    await expect.poll(() => topRec().getAttribute('data-unit')).toBe('DSP-U3');
    await coordPage.screenshot({ path: `${SHOTS}/dispatch-conflict.png` });
  });

  it('offers the next unit of an acknowledgement timeout on one key, releases with R and acknowledges with A', async () => {
    const inc = (await coord.get(`/incidents/${callId}`)).body;
    const alert = ce('alert.raised', {
      alertId: `ack-${callId}`, kind: 'ack_timeout', severity: 'critical', scope: inc.gridId,
      subject: `incident:${callId}`,
      evidence: { incidentId: callId, unitId: 'DSP-U1', dispatchedAt: inc.statusSince, next: { unitId: 'DSP-U3', callsign: '巡3', etaSeconds: 190 } },
    }, { source: 'worker/alerts' });
    expect((await s.ingest([alert])).status).toBe(202);

    await coordPage.locator(`[data-testid=dispatch-queue] li[data-id="${callId}"] button`).click();
    await expect.poll(() => details().getAttribute('data-id')).toBe(callId);
    const banner = coordPage.locator('[data-testid=ack-timeout]');
    await expect.poll(() => banner.count(), { timeout: 5000 }).toBe(1);
    expect(await banner.textContent()).toMatch(/巡1.*未.*确认.*巡3/);
    await coordPage.screenshot({ path: `${SHOTS}/dispatch-ack-timeout.png` });

    await coordPage.keyboard.press('d');
    await expect.poll(() => coordPage.locator('[data-testid=attached-units] li[data-unit=DSP-U3]').count()).toBe(1);

    // R: release the silent unit, keeping the new one
    await coordPage.keyboard.press('r');
    const dialog = coordPage.locator('.modal');
    await expect.poll(() => dialog.count()).toBe(1);
    await dialog.locator('input[value=DSP-U3]').uncheck();
    await dialog.locator('[data-testid=release-confirm]').click();
    await expect.poll(() => coordPage.locator('[data-testid=attached-units] li').count()).toBe(1);
    expect(await coordPage.locator('[data-testid=attached-units] li').getAttribute('data-unit')).toBe('DSP-U3');

    // A: acknowledge the alert chosen in the alert list
    const row = coordPage.locator(`[data-testid=alerts-panel] li[data-id="ack-${callId}"]`);
    await row.click();
    await coordPage.keyboard.press('a');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 5000 }).toBe('acknowledged');
  });

  it('opens the shortcut help with "?" and closes it with Esc; shortcuts stay quiet while typing', async () => {
    await coordPage.keyboard.press('?');
    const help = coordPage.locator('[data-testid=shortcut-help]');
    await expect.poll(() => help.count()).toBe(1);
    expect(await help.textContent()).toContain('Enter');
    await coordPage.screenshot({ path: `${SHOTS}/dispatch-help.png` });
    await coordPage.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);

    // typing "?" and "j" in the queue search is text, not a shortcut
    const selected = await details().getAttribute('data-id');
    await coordPage.keyboard.press('/');
    await coordPage.keyboard.type('j?');
    expect(await coordPage.locator('input[name=queue-search]').inputValue()).toBe('j?');
    expect(await help.count()).toBe(0);
    expect(await details().getAttribute('data-id')).toBe(selected);
    await coordPage.keyboard.press('Escape');
    expect(await coordPage.locator('input[name=queue-search]').inputValue()).toBe('');
  });

  it('shows a duty officer the queue and alerts read-only: no dispatch, call-taking or transition buttons', async () => {
    await dutyPage.goto(`${s.url}/dispatch`);
    const item = dutyPage.locator('[data-testid=dispatch-queue] li[data-id=DSP-B] button');
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(1);
    await dutyPage.keyboard.press('j');
    await expect.poll(() => dutyPage.locator('[data-testid=incident-details]').count()).toBe(1);
    await item.click();
    await expect.poll(() => dutyPage.locator('[data-testid=incident-details]').getAttribute('data-id')).toBe('DSP-B');
    expect(await dutyPage.locator('[data-testid=dispatch-page]').getAttribute('data-role')).toBe('readonly');
    expect(await dutyPage.locator('[data-testid=readonly-note]').count()).toBe(1);
    for (const sel of ['[data-testid=recommendations]', '[data-testid=call-form]', '[data-testid=incident-actions]', '[data-testid^=dispatch-]:is(button)', '[data-testid=link-open]']) {
      expect(await dutyPage.locator(sel).count(), sel).toBe(0);
    }
    // Enter and 1–5 do nothing for them
    await dutyPage.keyboard.press('Enter');
    await dutyPage.keyboard.press('1');
    expect(await dutyPage.locator('[data-testid=dispatch-notice]').count()).toBe(0);
    // the alert list is theirs too
    await expect.poll(() => dutyPage.locator(`[data-testid=alerts-panel] li[data-id="ack-${callId}"]`).count()).toBe(1);
    // the coordinator viewing the same incident is named as handling it
    await coordPage.locator('[data-testid=dispatch-queue] li[data-id=DSP-B] button').click();
    await expect.poll(() => dutyPage.locator('[data-testid=handled-by]').textContent(), { timeout: 5000 }).toContain('正在处理');
    await dutyPage.screenshot({ path: `${SHOTS}/dispatch-duty.png` });
  });

  it('switches to English', async () => {
    await coordPage.click('.lang button:has-text("EN")');
    await expect.poll(() => coordPage.locator('[data-testid=dispatch-queue] .panel-title h2').textContent()).toContain('Incident queue');
    // a notice written in Chinese does not stay on an English screen
    expect(await coordPage.locator('[data-testid=dispatch-notice]').count()).toBe(0);
    await coordPage.screenshot({ path: `${SHOTS}/dispatch-en.png` });
    await coordPage.click('.lang button:has-text("中文")');
  });
});
