import { createServer } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from './stack.js';

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Lets the page reach only `host` (http and ws) and data:/blob: URLs; every other request is
 * aborted and reported to `outside` (the tests assert that nothing leaves the origin).
 */
export async function keepToOrigin(page: Page, host: string, outside: (url: string) => void): Promise<void> {
  await page.route('**', (route) => {
    const u = new URL(route.request().url());
    if ((u.protocol === 'http:' || u.protocol === 'ws:') && u.host === host) return route.continue();
    if (u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    outside(u.href);
    return route.abort();
  });
}

/** A free TCP port on 127.0.0.1, to start a server at a fixed address (a restarted one is found again there). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Opens the wall at `path` as the demo duty officer in kiosk mode (through the login it redirects to). */
export async function signInWall(page: Page, base: string, path = '/wall?cycle=0'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.fill('input[name=username]', 'duty');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.check('input[name=kiosk]');
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/wall');
}
