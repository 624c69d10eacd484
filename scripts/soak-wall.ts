/**
 * `npx tsx scripts/soak-wall.ts [--minutes 60] [--port 18090]`: runs the demo (`npm start` with its
 * own DATA_DIR and port: embedded Redis, server, worker, simulator) and the wall screen in headless
 * Chromium for the given time, and records every minute: the JS heap after a forced GC, DOM
 * nodes, page errors, console errors, requests to other hosts, the wall's panels (`data-state`,
 * `data-as-of` of every `[data-panel]`) and the connection banner. Writes
 * bench/results/wall-soak-<time>.json and prints one line a minute. Exits 1 when a page error
 * happened, a request left the origin, the heap grew more than 10% from minute 5 to the end,
 * or a panel's data was older than 3 minutes at the end.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
};
const MINUTES = Number(arg('minutes', '60'));
const PORT = Number(arg('port', '18090'));
const PASSWORD = 'soak-pass-123';
const BASE = `http://127.0.0.1:${PORT}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  minute: number;
  heapMB: number;
  domNodes: number;
  /** what the map holds: the data volume the heap follows */
  map: { incidents: number; units: number; riskCells: number };
  pageErrors: number;
  consoleErrors: number;
  foreignRequests: number;
  banner: string | null;
  panels: { panel: string; state: string | null; asOfAgeSeconds: number | null }[];
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pingan-soak-'));
  const demo = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(PORT), DEMO_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let demoLog = '';
  demo.stdout.on('data', (b: Buffer) => { demoLog = (demoLog + b.toString()).slice(-20_000); });
  demo.stderr.on('data', (b: Buffer) => { demoLog = (demoLog + b.toString()).slice(-20_000); });
  const stopDemo = async () => {
    if (demo.exitCode !== null) return;
    try { process.kill(-demo.pid!, 'SIGINT'); } catch { /* gone */ }
    for (let i = 0; i < 100 && demo.exitCode === null; i++) await sleep(100);
    if (demo.exitCode === null) try { process.kill(-demo.pid!, 'SIGKILL'); } catch { /* gone */ }
  };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const samples: Sample[] = [];
  try {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error(`the demo did not become healthy:\n${demoLog}`);
      const ok = await fetch(`${BASE}/api/v1/health`).then((r) => r.status === 200).catch(() => false);
      if (ok) break;
      await sleep(500);
    }
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    let pageErrors = 0;
    let consoleErrors = 0;
    let foreign = 0;
    const errors: string[] = [];
    page.on('pageerror', (e) => { pageErrors++; errors.push(`pageerror: ${e.message}`); });
    page.on('console', (m) => { if (m.type() === 'error') { consoleErrors++; errors.push(`console: ${m.text()}`.slice(0, 300)); } });
    await page.route('**', (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== BASE && url.protocol !== 'data:' && url.protocol !== 'blob:') {
        foreign++;
        return route.abort();
      }
      return route.continue();
    });
    await page.goto(`${BASE}/login`);
    await page.locator('input[name="username"], input[autocomplete="username"]').first().fill('duty');
    await page.locator('input[type="password"]').fill(PASSWORD);
    await page.locator('input[name="kiosk"]').check();
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${BASE}/wall`);
    const cdp = await context.newCDPSession(page);
    const started = Date.now();
    for (let minute = 1; minute <= MINUTES; minute++) {
      await sleep(Math.max(0, started + minute * 60_000 - Date.now()));
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = await cdp.send('Runtime.getHeapUsage');
      const view = await page.evaluate(() => ({
        domNodes: document.getElementsByTagName('*').length,
        map: (() => {
          const el = document.querySelector<HTMLElement>('[data-testid="live-map"]');
          return { incidents: Number(el?.dataset.incidents ?? 0), units: Number(el?.dataset.units ?? 0), riskCells: Number(el?.dataset.riskCells ?? 0) };
        })(),
        banner: document.querySelector<HTMLElement>('[data-testid="conn-banner"]:not([hidden])')?.textContent?.trim() || null,
        panels: [...document.querySelectorAll<HTMLElement>('[data-panel]')].map((el) => ({
          panel: el.dataset.panel ?? '?',
          state: el.dataset.state ?? null,
          asOf: el.dataset.asOf ?? null,
        })),
      }));
      const now = Date.now();
      const s: Sample = {
        minute, heapMB: Math.round((heap.usedSize / 1024 / 1024) * 10) / 10, domNodes: view.domNodes, map: view.map,
        pageErrors, consoleErrors, foreignRequests: foreign, banner: view.banner,
        panels: view.panels.map((p) => ({ panel: p.panel, state: p.state, asOfAgeSeconds: p.asOf ? Math.round((now - Date.parse(p.asOf)) / 1000) : null })),
      };
      samples.push(s);
      const oldest = Math.max(0, ...s.panels.map((p) => p.asOfAgeSeconds ?? 0));
      console.log(`[soak] ${minute}/${MINUTES} min: heap ${s.heapMB} MB, ${s.domNodes} nodes, map ${s.map.incidents} incidents/${s.map.units} units/${s.map.riskCells} risk cells, ${s.panels.length} panels (oldest as-of ${oldest} s), ` +
        `errors ${pageErrors}/${consoleErrors}, foreign ${foreign}${s.banner ? `, banner "${s.banner}"` : ''}`);
    }
    const base = samples.find((x) => x.minute === Math.min(5, MINUTES)) ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const growth = base.heapMB > 0 ? (last.heapMB - base.heapMB) / base.heapMB : 0;
    const stalePanels = last.panels.filter((p) => p.asOfAgeSeconds === null || p.asOfAgeSeconds > 180).map((p) => p.panel);
    const result = {
      minutes: MINUTES, heapGrowthFromMinute5: Math.round(growth * 1000) / 1000, pageErrors, consoleErrors, foreignRequests: foreign,
      stalePanelsAtEnd: stalePanels, errors: errors.slice(0, 50), samples,
    };
    const dir = new URL('../bench/results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`wall-soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir);
    writeFileSync(file, JSON.stringify({ name: 'wall-soak', at: new Date().toISOString(), ...result }, null, 2));
    console.log(`[soak] heap growth ${(growth * 100).toFixed(1)}% (minute ${base.minute} → ${last.minute}), page errors ${pageErrors}, console errors ${consoleErrors}, ` +
      `foreign requests ${foreign}, stale panels at the end: ${stalePanels.join(', ') || 'none'} → ${file.pathname}`);
    return pageErrors > 0 || foreign > 0 || growth > 0.1 || stalePanels.length > 0 ? 1 : 0;
  } finally {
    await browser.close();
    await stopDemo();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.exit(await main());
