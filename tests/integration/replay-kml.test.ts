// `npm run replay` of real Chicago records against a server whose jurisdictions are the CPD
// districts (KML) with a generated 150 m grid: incidents land in the record's district and the
// log keeps the record's own time in data.originalTime while `time` is shifted to now.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_KEY, startStack, type Stack } from '../helpers/stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, '../shared/data');
const KML = join(DATA, 'chicago_police_districts.kml');
const CSV = join(DATA, 'chicago_aggravated_assaults.csv.gz');
const ROWS = 50;
const TAG = 'chicago_aggravated_assaults';

const haveData = existsSync(KML) && existsSync(CSV);
if (!haveData) console.warn(`[replay-kml] skipping: the Chicago data (${DATA}) is absent`);

/** Runs the replay CLI to completion; resolves with its output. */
function runReplay(target: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/sim/replay.ts', CSV, '--speed', '1e9', '--limit', String(ROWS)], {
      cwd: ROOT,
      env: { ...process.env, SIM_TARGET: target, SIM_INGEST_KEY: INGEST_KEY, SIM_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

describe.skipIf(!haveData)('replay of Chicago records onto the KML districts', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ JURISDICTION_FILE: KML, GRID_CELL_METERS: '150' });
  }, 120_000);
  afterAll(async () => { await stack?.stop(); });

  it('serves the generated tree, gzipped to browsers', async () => {
    const cookie = await stack.login('admin');
    const res = await fetch(`${stack.url}/api/v1/jurisdictions`, { headers: { cookie, 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const body = (await res.json()) as { features: { properties: { level: string } }[] };
    expect(body.features.filter((f) => f.properties.level === 'district')).toHaveLength(23);
    expect(body.features.filter((f) => f.properties.level === 'grid').length).toBeGreaterThan(26_000);
  });

  it('places replayed incidents in the matching district and keeps data.originalTime', async () => {
    const started = Date.now();
    const { code, out } = await runReplay(stack.url);
    expect(code, out).toBe(0);
    expect(out).toMatch(new RegExp(`accepted=${ROWS} `));

    const rows = gunzipSync(readFileSync(CSV)).toString('utf8').split('\n', ROWS + 1).slice(1);
    const cookie = await stack.login('admin');
    let incidents: { id: string; jurisdiction: string[]; reportedAt: string; outOfArea: boolean }[] = [];
    for (let tries = 0; tries < 100; tries++) {
      const res = await stack.get('/incidents?limit=500', cookie);
      incidents = (res.body.items as typeof incidents).filter((i) => i.id.startsWith(`${TAG}-`));
      if (incidents.length >= ROWS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(incidents).toHaveLength(ROWS);

    let matching = 0;
    for (const incident of incidents) {
      const row = Number(incident.id.slice(TAG.length + 1));
      const district = rows[row - 1]?.split(',')[4];
      expect(district, incident.id).toBeDefined();
      expect(incident.jurisdiction).toHaveLength(5);
      if (incident.jurisdiction.includes(`9801${district!.padStart(2, '0')}`)) matching++;
      // times are shifted to now (the records are from 2010)
      expect(Date.parse(incident.reportedAt)).toBeGreaterThanOrEqual(started - 1000);
    }
    expect(matching / ROWS).toBeGreaterThan(0.9);

    const log = await stack.get('/log?limit=500', cookie);
    const reports = (log.body.items as { type: string; data: Record<string, unknown> }[])
      .filter((e) => e.type === 'incident.reported' && String(e.data.incidentId).startsWith(`${TAG}-`));
    expect(reports).toHaveLength(ROWS);
    for (const e of reports) expect(e.data.originalTime).toMatch(/^2010-01-01 \d\d:\d\d$/);
  }, 90_000);
});
