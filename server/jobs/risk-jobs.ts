// Risk indicators (DESIGN §8), the I/O half: per-cell jobs and the periodic full pass read their
// inputs when they run — the cell's crime reports and cases, indexed by the commit
// (server/ingest/risk-ops.ts) — score them (server/risk/), and append `indicator.updated` per
// district for the cells whose values changed, through the commit path with content-derived ids.
//   risk:crime:<grid>  zset incident id → report time; older than the scorer's keepDays is trimmed here
//   risk:cases:<grid>  zset `<kind>:<id>` → opened; cases that no longer count are dropped here
//   risk:ind           hash grid → `<seq> <CellIndicator>`, written by the commit of the entry
//   risk:top           zset of the top-risk cells (very high, ≤ 50) → crime risk, rewritten by each full pass
// A cell job recomputes one cell (its neighbours' reports feed its smoothing) and keeps the
// cell's last crime rank class; the full pass recomputes every cell with inputs and re-ranks.
import type { CellIndicator, RiskClass } from '../../shared/risk.js';
import { DAY_MS, type CellRate, type CellScorer } from '../risk/cell-score.js';
import type { NeighbourIndex } from '../risk/cell-neighbours.js';
import { changed, crimeClasses, indicatorEventId, parseStored, toIndicator, type CellInputs } from '../risk/indicator-values.js';
import { caseCounts, instabilityOf, type RiskCase } from '../risk/instability.js';
import { keys } from '../store/keys.js';
import { readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import type { WriteFact } from './fact-writer.js';

export interface RiskDeps {
  redis: ScriptedRedis;
  write: WriteFact;
  neighbours: NeighbourIndex;
  scorer: CellScorer;
  now?: () => number;
  /** the local time's offset from UTC at an instant, minutes (weekday terms) */
  tzOffsetMinutes: (at: number) => number;
}

export interface RiskRun { cells: number; changed: number; entries: number; ms: number }

/** Pipelined reads per round trip. */
const CHUNK = 500;
/** Cells per `indicator.updated` entry (an entry stays well under the ingest size limits). */
const CELLS_PER_ENTRY = 400;
/** Top-risk cells watched for patrol coverage (DESIGN §8): the very-high class, at most this many. */
export const TOP_CELLS = 50;

interface CrimeInput { times: number[]; ids: string[] }

async function inChunks<T>(items: readonly T[], run: (chunk: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await run(items.slice(i, i + CHUNK));
}

export function createRiskJobs(deps: RiskDeps) {
  const { redis, scorer, neighbours } = deps;
  const now = deps.now ?? Date.now;

  /** Reports per cell (newest first), after dropping those too old to matter. */
  async function readCrime(cells: readonly string[], t: number): Promise<Map<string, CrimeInput>> {
    const out = new Map<string, CrimeInput>();
    const floor = t - scorer.keepDays * DAY_MS;
    await inChunks(cells, async (chunk) => {
      const p = redis.pipeline();
      for (const c of chunk) {
        p.zremrangebyscore(keys.riskCrime(c), '-inf', `(${floor}`);
        p.zrange(keys.riskCrime(c), 0, -1, 'REV', 'WITHSCORES');
      }
      const rows = (await p.exec()) ?? [];
      chunk.forEach((c, k) => {
        const [err, raw] = rows[2 * k + 1] ?? [null, []];
        if (err) throw err;
        const flat = raw as string[];
        const input: CrimeInput = { times: [], ids: [] };
        for (let i = 0; i + 1 < flat.length; i += 2) {
          input.ids.push(flat[i]!);
          input.times.push(Number(flat[i + 1]));
        }
        out.set(c, input);
      });
    });
    return out;
  }

  /** The cases that weigh on each cell; members that no longer count leave the index. */
  async function readCases(cells: readonly string[], t: number): Promise<Map<string, RiskCase[]>> {
    const out = new Map<string, RiskCase[]>();
    await inChunks(cells, async (chunk) => {
      const p = redis.pipeline();
      for (const c of chunk) p.zrange(keys.riskCases(c), 0, -1);
      const rows = (await p.exec()) ?? [];
      const members = chunk.map((_, k) => (rows[k]?.[1] ?? []) as string[]);
      const objectKeys = members.flat().map((m) => {
        const [kind, ...rest] = m.split(':');
        return keys.object(kind as 'dispute' | 'petition', rest.join(':'));
      });
      const objects = await readObjects<RiskCase>(redis, objectKeys);
      const drop = redis.pipeline();
      let dropping = 0;
      let i = 0;
      chunk.forEach((c, k) => {
        const list: RiskCase[] = [];
        for (const m of members[k]!) {
          const obj = objects.get(objectKeys[i++]!) ?? null;
          if (obj && caseCounts(obj, t)) list.push(obj);
          else {
            drop.zrem(keys.riskCases(c), m);
            dropping++;
          }
        }
        out.set(c, list);
      });
      if (dropping) await drop.exec();
    });
    return out;
  }

  async function readStored(cells: readonly string[]): Promise<Map<string, { seq: string; cell: CellIndicator } | null>> {
    const out = new Map<string, { seq: string; cell: CellIndicator } | null>();
    await inChunks(cells, async (chunk) => {
      const raw = await redis.hmget(keys.riskIndicators, ...chunk);
      chunk.forEach((c, k) => out.set(c, parseStored(raw[k])));
    });
    return out;
  }

  function inputsOf(cell: string, rates: Map<string, CellRate>, crime: Map<string, CrimeInput>, cases: Map<string, RiskCase[]>, t: number): CellInputs {
    const rateOf = (id: string) => rates.get(id)?.total ?? 0;
    const own = rates.get(cell) ?? scorer.rate([], { now: t, tzOffsetMinutes: 0 });
    const nb = neighbours.of(cell);
    const { crimeRisk, terms } = scorer.combine(own, nb.edge.map(rateOf), nb.corner.map(rateOf));
    const inst = instabilityOf(cases.get(cell) ?? [], t);
    return {
      id: cell, crimeRisk, crimeTerms: terms, recentIncidents: crime.get(cell)?.ids ?? [],
      instabilityRisk: inst.score, instabilityTerms: inst.terms, caseDrivers: inst.drivers,
    };
  }

  /** Appends the changed cells, per district, in entries of at most CELLS_PER_ENTRY. */
  async function publish(
    next: readonly CellIndicator[], stored: Map<string, { seq: string; cell: CellIndicator } | null>, at: string,
  ): Promise<{ changed: number; entries: number }> {
    const byDistrict = new Map<string, CellIndicator[]>();
    for (const cell of next) {
      if (!changed(stored.get(cell.id)?.cell ?? null, cell)) continue;
      const d = neighbours.districtOf(cell.id);
      if (!d) continue;
      const list = byDistrict.get(d);
      if (list) list.push(cell); else byDistrict.set(d, [cell]);
    }
    let count = 0;
    let entries = 0;
    for (const [district, cells] of [...byDistrict.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      for (let i = 0; i < cells.length; i += CELLS_PER_ENTRY) {
        const part = cells.slice(i, i + CELLS_PER_ENTRY);
        const id = indicatorEventId(district, part, part.map((c) => stored.get(c.id)?.seq ?? null));
        const r = await deps.write('indicator.updated', id, at, { district, cells: part });
        if (r.kind === 'accepted') entries++;
        count += part.length;
      }
    }
    return { changed: count, entries };
  }

  /** The top-risk cells (class very_high, at most TOP_CELLS) for the coverage-gap alert. */
  async function writeTop(cells: readonly CellIndicator[]): Promise<void> {
    const top = cells.filter((c) => c.crimeClass === 'very_high').sort((a, b) => b.crimeRisk - a.crimeRisk).slice(0, TOP_CELLS);
    const m = redis.multi().del(keys.riskTop);
    if (top.length) m.zadd(keys.riskTop, ...top.flatMap((c) => [c.crimeRisk, c.id]));
    await m.exec();
  }

  /** One cell now (its job carries only the id); its crime class stays the last full pass's. */
  async function cell(gridId: string): Promise<RiskRun> {
    const started = Date.now();
    const t = now();
    const clock = { now: t, tzOffsetMinutes: deps.tzOffsetMinutes(t) };
    const nb = neighbours.of(gridId);
    const around = [gridId, ...nb.edge, ...nb.corner];
    const [crime, cases, stored] = await Promise.all([readCrime(around, t), readCases([gridId], t), readStored([gridId])]);
    const rates = new Map<string, CellRate>();
    for (const [id, input] of crime) rates.set(id, scorer.rate(input.times, clock));
    const prevClass: RiskClass | null = stored.get(gridId)?.cell.crimeClass ?? null;
    const at = new Date(t).toISOString();
    const next = toIndicator(inputsOf(gridId, rates, crime, cases, t), prevClass, at);
    const r = await publish([next], stored, at);
    return { cells: 1, ...r, ms: Date.now() - started };
  }

  /** Every cell with inputs (and every cell with a stored value): recomputed, re-ranked, changes appended. */
  async function fullPass(): Promise<RiskRun> {
    const started = Date.now();
    const t = now();
    const clock = { now: t, tzOffsetMinutes: deps.tzOffsetMinutes(t) };
    const active = await redis.smembers(keys.riskCells);
    const known = await redis.hkeys(keys.riskIndicators);
    const cells = [...new Set([...active, ...known])].sort();
    const [crime, cases, stored] = await Promise.all([readCrime(cells, t), readCases(cells, t), readStored(cells)]);
    const rates = new Map<string, CellRate>();
    for (const [id, input] of crime) if (input.times.length) rates.set(id, scorer.rate(input.times, clock));
    const inputs = cells.map((c) => inputsOf(c, rates, crime, cases, t));
    const classes = crimeClasses(new Map(inputs.map((x) => [x.id, x.crimeRisk])));
    const at = new Date(t).toISOString();
    const next = inputs.map((x) => toIndicator(x, classes.get(x.id) ?? 'normal', at));
    const r = await publish(next, stored, at);
    await writeTop(next);
    // cells left without inputs (and now published as zero) leave the active set
    const idle = cells.filter((c) => !(crime.get(c)?.times.length) && !(cases.get(c)?.length));
    if (idle.length) await redis.srem(keys.riskCells, ...idle);
    return { cells: cells.length, ...r, ms: Date.now() - started };
  }

  return { cell, fullPass };
}
