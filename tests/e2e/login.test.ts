import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { gridCenter } from '../helpers/geo.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let browser: Browser;
beforeAll(async () => {
  [s, browser] = await Promise.all([startStack(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('login page (headless Chromium)', () => {
  it('signs in with a demo user, lists incidents, and makes no request outside the origin', async () => {
    const c = gridCenter(10);
    await s.ingest([ce('incident.reported', { incidentId: 'E2E-1', category: 'robbery', priority: 1, location: { lat: c.lat, lon: c.lon }, address: '解放大道 88 号' })]);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const foreign: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(s.url) && !r.url().startsWith(s.url.replace('http', 'ws'))) foreign.push(r.url()); });
    await page.goto(`${s.url}/login`);
    await expect.poll(() => page.locator('h2').first().textContent()).toBe('登录');
    await page.fill('input[name=username]', 'duty');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('用户名或密码错误');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    // signed in: the live map with the latest incidents beside it
    await expect.poll(() => new URL(page.url()).pathname).toBe('/map');
    const items = page.locator('[data-testid=incident-list] li');
    await expect.poll(() => items.count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=incident-list]').textContent()).toContain('E2E-1');
    mkdirSync('tests/e2e/screenshots', { recursive: true });
    await page.screenshot({ path: 'tests/e2e/screenshots/login-incidents.png' });
    // the session survives a reload (cookie, GET /me)
    await page.reload();
    await expect.poll(() => items.count()).toBeGreaterThan(0);
    expect(new URL(page.url()).pathname).toBe('/map');
    // signing out ends the live picture and shows the login form again
    await page.click('button:has-text("退出")');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await expect.poll(() => page.locator('h2').first().textContent()).toBe('登录');
    expect(foreign).toEqual([]);
  });

  it('sends a visitor without a session to login and back to the page asked for', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${s.url}/leader`);
    await expect.poll(() => page.url()).toContain('/login?next=');
    await page.fill('input[name=username]', 'duty');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/leader');
    await expect.poll(() => page.locator('[data-testid=leader-view]').count()).toBe(1);
  });
});
