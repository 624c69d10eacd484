/**
 * `npx tsx scripts/soak-wall.ts [--minutes 60] [--port 18090] [--warmup 0]`: runs the demo (`npm start` with its
 * own DATA_DIR and port: embedded Redis, server, worker, simulator) and the wall screen in headless
 * Chromium for the given time (`--warmup N`: the demo runs N minutes first, so the wall meets a
 * simulator past its ramp-up), and records every minute: the JS heap after a forced GC, DOM
 * nodes, page errors, console errors, requests to other hosts, the wall's panels (`data-state`,
 * `data-as-of` of every `[data-panel]`) and the connection banner. Writes
 * bench/results/wall-soak-<time>.json and prints one line a minute. Exits 1 when a page error
 * happened, a request left the origin, the heap grew more than 10% from minute 5 to the end,
 * or a panel's data was older than 3 minutes at the end.
 *
 * `--snapshots 5,20,40` also takes a V8 heap snapshot (after a forced GC) at those minutes and adds
 * to the result a per-constructor summary of each and the constructors that grew between all of
 * them (three-snapshot technique, scripts/heap-snapshot.ts), each taken in the city scene (the map's
 * layers hold projected points of the view, so only the same view compares); `--keep-snapshots` writes the raw
 * `.heapsnapshot` files next to the result (to open in DevTools › Memory). Every sample also counts
 * the DOM per `tag.first-class`; the result lists what changed from minute 5 to the end.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { monotonicGrowers, summariseHeapSnapshot, topGroups, type HeapSnapshotJson, type HeapSummary } from './heap-snapshot.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
};
const MINUTES = Number(arg('minutes', '60'));
/** minutes the demo runs before the wall opens, so its simulator reaches a steady picture first (the open incidents ramp up from none) */
const WARMUP = Number(arg('warmup', '0'));
const PORT = Number(arg('port', '18090'));
const SNAPSHOT_MINUTES = arg('snapshots', '').split(',').filter(Boolean).map(Number);
const KEEP_SNAPSHOTS = process.argv.includes('--keep-snapshots');
const STAMP = new Date().toISOString().replace(/[:.]/g, '-');
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
  /** DOM elements per `tag.first-class` */
  tags: Record<string, number>;
  /** sizes of the Pinia stores' Maps, Sets and arrays (`store.key` → size): what the client holds */
  stores: Record<string, number>;
  /** the scene on screen ("3/9 城区名"): the map's view, and so the layers' projected points, depend on it */
  scene: string | null;
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
    if (WARMUP > 0) {
      process.stdout.write(`demo warming up for ${WARMUP} min before the wall opens\n`);
      await sleep(WARMUP * 60_000);
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
    const snapshots: { minute: number; totalSize: number; nodeCount: number; groups: HeapSummary }[] = [];
    /**
     * Before a snapshot: the city scene, as an operator's ◀ clicks would bring it (the rotation goes on
     * from there). The map's layers hold projected points of what is in view (the grid shows only
     * zoomed in), so snapshots are comparable only with the same view.
     */
    const toCityScene = async (): Promise<string> => {
      for (let i = 0; i < 30; i++) {
        const at = await page.evaluate(() => {
          if (document.querySelector('[data-testid="wall-takeover"]')) return 'takeover';
          const label = document.querySelector('[data-testid="wall-scene"] span')?.textContent ?? '';
          const m = /(\d+)\/(\d+)/.exec(label);
          if (!m) return 'unknown';
          if (m[1] === '1') return 'city';
          document.querySelector<HTMLButtonElement>('[data-testid="wall-scene"] button:first-child')?.click();
          return 'moving';
        });
        if (at === 'city') {
          await sleep(3000); // the fly (1.2 s) and the redraws after it
          return at;
        }
        await sleep(at === 'takeover' ? 2000 : 300);
      }
      return 'not reached';
    };
    const takeSnapshot = async (minute: number) => {
      const scene = await toCityScene();
      const chunks: string[] = [];
      const onChunk = (e: { chunk: string }) => { chunks.push(e.chunk); };
      cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
      const text = chunks.join('');
      if (KEEP_SNAPSHOTS) {
        const dir = new URL(`../bench/results/wall-soak-${STAMP}/`, import.meta.url);
        mkdirSync(dir, { recursive: true });
        writeFileSync(new URL(`minute-${String(minute).padStart(2, '0')}.heapsnapshot`, dir), text);
      }
      const summary = summariseHeapSnapshot(JSON.parse(text) as HeapSnapshotJson);
      snapshots.push({ minute, ...summary });
      console.log(`[soak] heap snapshot at minute ${minute} (scene: ${scene}): ${(text.length / 1e6).toFixed(1)} MB JSON, ${summary.nodeCount} nodes, ${(summary.totalSize / 1024 / 1024).toFixed(1)} MB self size`);
    };
    const started = Date.now();
    for (let minute = 1; minute <= MINUTES; minute++) {
      await sleep(Math.max(0, started + minute * 60_000 - Date.now()));
      await cdp.send('HeapProfiler.collectGarbage');
      // the heap first: taking a snapshot allocates in the page for a while
      const heap = await cdp.send('Runtime.getHeapUsage');
      if (SNAPSHOT_MINUTES.includes(minute)) await takeSnapshot(minute);
      const view = await page.evaluate(() => ({
        domNodes: document.getElementsByTagName('*').length,
        tags: [...document.getElementsByTagName('*')].reduce<Record<string, number>>((acc, el) => {
          const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/)[0] : '';
          const key = el.tagName.toLowerCase() + (cls ? `.${cls}` : '');
          acc[key] = (acc[key] ?? 0) + 1;
          return acc;
        }, {}),
        map: (() => {
          const el = document.querySelector<HTMLElement>('[data-testid="live-map"]');
          return { incidents: Number(el?.dataset.incidents ?? 0), units: Number(el?.dataset.units ?? 0), riskCells: Number(el?.dataset.riskCells ?? 0) };
        })(),
        stores: (() => {
          const out: Record<string, number> = {};
          type Pinia = { _s: Map<string, Record<string, unknown>> };
          const app = (document.querySelector('#app') as (Element & { __vue_app__?: { config: { globalProperties: { $pinia?: Pinia } } } }) | null)?.__vue_app__;
          for (const [id, store] of app?.config.globalProperties.$pinia?._s ?? []) {
            for (const key of Object.keys(store)) {
              if (key.startsWith('$') || key.startsWith('_')) continue;
              const v = store[key];
              const n = v instanceof Map || v instanceof Set ? v.size : Array.isArray(v) ? v.length
                : typeof v === 'object' && v !== null && typeof (v as { size?: unknown }).size === 'number' ? (v as { size: number }).size : null;
              if (n !== null) out[`${id}.${key}`] = n;
            }
          }
          return out;
        })(),
        scene: document.querySelector('[data-testid="wall-scene"]')?.querySelector('span')?.textContent?.trim()
          ? `${document.querySelector('[data-testid="wall-scene"] span')!.textContent!.trim()} ${document.querySelector('[data-testid="wall-scene"] b')?.textContent?.trim() ?? ''}` : null,
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
        pageErrors, consoleErrors, foreignRequests: foreign, banner: view.banner, tags: view.tags, stores: view.stores, scene: view.scene,
        panels: view.panels.map((p) => ({ panel: p.panel, state: p.state, asOfAgeSeconds: p.asOf ? Math.round((now - Date.parse(p.asOf)) / 1000) : null })),
      };
      samples.push(s);
      const oldest = Math.max(0, ...s.panels.map((p) => p.asOfAgeSeconds ?? 0));
      console.log(`[soak] ${minute}/${MINUTES} min: heap ${s.heapMB} MB, ${s.domNodes} nodes, scene ${s.scene ?? '?'}, map ${s.map.incidents} incidents/${s.map.units} units/${s.map.riskCells} risk cells, ${s.panels.length} panels (oldest as-of ${oldest} s), ` +
        `stores ${['incidents.items', 'alerts.items', 'cases.items', 'risk.items'].map((k) => `${k.split('.')[0]} ${s.stores[k] ?? '?'}`).join('/')}, ` +
        `errors ${pageErrors}/${consoleErrors}, foreign ${foreign}${s.banner ? `, banner "${s.banner}"` : ''}`);
    }
    const base = samples.find((x) => x.minute === Math.min(5, MINUTES)) ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const growth = base.heapMB > 0 ? (last.heapMB - base.heapMB) / base.heapMB : 0;
    const tagChanges = Object.fromEntries([...new Set([...Object.keys(base.tags), ...Object.keys(last.tags)])]
      .map((k) => [k, (last.tags[k] ?? 0) - (base.tags[k] ?? 0)] as const).filter(([, d]) => d !== 0).sort((a, b) => b[1] - a[1]));
    const storeChanges = Object.fromEntries([...new Set([...Object.keys(base.stores), ...Object.keys(last.stores)])]
      .map((k) => [k, `${base.stores[k] ?? 0} → ${last.stores[k] ?? 0}`] as const).filter(([k]) => (base.stores[k] ?? 0) !== (last.stores[k] ?? 0)));
    if (Object.keys(storeChanges).length) console.log(`[soak] store sizes, minute ${base.minute} → ${last.minute}: ${JSON.stringify(storeChanges)}`);
    const growers = snapshots.length >= 2 ? monotonicGrowers(snapshots.map((x) => x.groups)) : [];
    const heapSnapshots = snapshots.length ? {
      minutes: snapshots.map((x) => x.minute),
      totalSelfSizeMB: snapshots.map((x) => Math.round((x.totalSize / 1024 / 1024) * 100) / 100),
      nodeCounts: snapshots.map((x) => x.nodeCount),
      growers: growers.slice(0, 80),
      top: snapshots.map((x) => ({ minute: x.minute, groups: topGroups(x.groups, 40) })),
      all: snapshots.map((x) => ({ minute: x.minute, groups: x.groups })),
    } : undefined;
    for (const g of growers.slice(0, 25)) {
      console.log(`[soak] grows: ${g.name}: count ${g.counts.join(' → ')}, self size ${g.selfSizes.map((b) => `${(b / 1024).toFixed(1)}K`).join(' → ')}`);
    }
    if (Object.keys(tagChanges).length) console.log(`[soak] DOM per tag, minute ${base.minute} → ${last.minute}: ${JSON.stringify(tagChanges)}`);
    const stalePanels = last.panels.filter((p) => p.asOfAgeSeconds === null || p.asOfAgeSeconds > 180).map((p) => p.panel);
    const result = {
      minutes: MINUTES, heapGrowthFromMinute5: Math.round(growth * 1000) / 1000, pageErrors, consoleErrors, foreignRequests: foreign,
      stalePanelsAtEnd: stalePanels, errors: errors.slice(0, 50), domTagChangesFromMinute5: tagChanges, storeSizesFromMinute5: storeChanges, heapSnapshots, samples,
    };
    const dir = new URL('../bench/results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`wall-soak-${STAMP}.json`, dir);
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
