/**
 * `GET /indicators` rows (DESIGN §4, §8): a grid's own indicator, or the roll-up of the cells
 * inside a community, street or district — sums of the expected reports per day and of the
 * instability points, the hottest cell's values, the count of hot cells, and the ids of the
 * highest crime-risk cells as drivers. Pure.
 */
import type { Level } from '../../shared/jurisdiction.js';
import { instabilityClass, RISK_CLASSES, type CellIndicator, type IndicatorLevel, type IndicatorRow, type RiskClass } from '../../shared/risk.js';
import type { JurisdictionTree } from '../geo/types.js';

const TOP_CELLS = 5;
const HOT: ReadonlySet<RiskClass | null> = new Set(['very_high', 'high']);
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

const hotter = (a: RiskClass | null, b: RiskClass | null): RiskClass | null => {
  if (a === null) return b;
  if (b === null) return a;
  return RISK_CLASSES.indexOf(a) <= RISK_CLASSES.indexOf(b) ? a : b;
};

export function gridRow(c: CellIndicator, name: string): IndicatorRow {
  return {
    id: c.id, level: 'grid', name,
    crimeRisk: c.crimeRisk, instabilityRisk: c.instabilityRisk,
    maxCrimeRisk: c.crimeRisk, maxInstabilityRisk: c.instabilityRisk,
    crimeClass: c.crimeClass, instabilityClass: c.instabilityClass,
    cells: 1, hotCells: HOT.has(c.crimeClass) || HOT.has(c.instabilityClass) ? 1 : 0,
    drivers: c.drivers, terms: c.terms, at: c.at,
  };
}

/** Rows at `level` for the given cells (each counted in the area of its chain at that level). */
export function rollUp(level: IndicatorLevel, cells: readonly CellIndicator[], tree: JurisdictionTree): IndicatorRow[] {
  const nameOf = (id: string) => tree.get(id)?.name ?? id;
  if (level === 'grid') return cells.map((c) => gridRow(c, nameOf(c.id))).sort((a, b) => b.crimeRisk - a.crimeRisk || (a.id < b.id ? -1 : 1));
  const groups = new Map<string, CellIndicator[]>();
  for (const c of cells) {
    const area = tree.chain(c.id).find((j) => tree.get(j)?.level === (level as Level));
    if (!area) continue;
    const list = groups.get(area);
    if (list) list.push(c); else groups.set(area, [c]);
  }
  const rows: IndicatorRow[] = [];
  for (const [id, list] of groups) {
    let crime = 0, inst = 0, maxCrime = 0, maxInst = 0, hot = 0;
    let crimeClass: RiskClass | null = null;
    let at = '';
    for (const c of list) {
      crime += c.crimeRisk;
      inst += c.instabilityRisk;
      maxCrime = Math.max(maxCrime, c.crimeRisk);
      maxInst = Math.max(maxInst, c.instabilityRisk);
      if (HOT.has(c.crimeClass) || HOT.has(c.instabilityClass)) hot++;
      crimeClass = hotter(crimeClass, c.crimeClass);
      if (c.at > at) at = c.at;
    }
    const top = [...list].sort((a, b) => b.crimeRisk - a.crimeRisk || (a.id < b.id ? -1 : 1)).slice(0, TOP_CELLS).map((c) => c.id);
    rows.push({
      id, level: level as Level, name: nameOf(id),
      crimeRisk: round(crime, 4), instabilityRisk: round(inst, 1), maxCrimeRisk: maxCrime, maxInstabilityRisk: maxInst,
      // an area is as hot as its hottest cell; instability by the hottest cell's points
      crimeClass, instabilityClass: instabilityClass(maxInst),
      cells: list.length, hotCells: hot, drivers: top, at,
    });
  }
  return rows.sort((a, b) => b.crimeRisk - a.crimeRisk || (a.id < b.id ? -1 : 1));
}
