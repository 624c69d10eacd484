// The demo grid-worker roster (网格员, issue 6): derived from the jurisdiction tree like the demo city
// itself, so every instance and every test sees the same people without storing any. Each
// community's grids, in id order, are split into runs of 2–3 adjacent grids, one worker per run (a
// community with fewer than 4 grids has a single worker for all of them). Ids are stable
// (`GW-<communityId>-<n>`, n from 1); names are made up by a seeded generator, unique city-wide.
// No personal data beyond a name. Works for any tree, a JURISDICTION_FILE as well as the demo city.
import type { GridWorker } from '../../shared/governance.js';
import { mulberry32 } from './prng.js';
import type { JurisdictionTree } from './types.js';

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢钟'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰涛明超华平刚桂英建国志海燕晓东子涵浩然雨轩秀兰玉红春梅文斌德荣'];
const ROSTER_SEED = 6;

/** Sizes of the runs that split `n` grids: 2–3 each when n ≥ 4, else one run of n. */
export function runSizes(n: number): number[] {
  if (n <= 0) return [];
  if (n <= 3) return [n];
  const k = Math.ceil(n / 3);
  const base = Math.floor(n / k);
  const extra = n - base * k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}

/** A name source: surname plus one or two given characters, never the same name twice. */
function nameSource(): () => string {
  const rng = mulberry32(ROSTER_SEED);
  const pick = (pool: readonly string[]) => pool[Math.floor(rng() * pool.length)] ?? '';
  const used = new Set<string>();
  return () => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const name = pick(SURNAMES) + pick(GIVEN) + (rng() < 0.6 ? pick(GIVEN) : '');
      if (name[1] === name[2] || used.has(name)) continue;
      used.add(name);
      return name;
    }
    const fallback = `网格员${used.size + 1}`;
    used.add(fallback);
    return fallback;
  };
}

/** The roster of a tree: every grid has exactly one worker. Communities in id order, grids in id order. */
export function buildRoster(tree: JurisdictionTree): GridWorker[] {
  const gridsOf = new Map<string, string[]>();
  for (const gridId of tree.idsAt('grid')) {
    const parent = tree.get(gridId)?.parentId ?? gridId;
    const list = gridsOf.get(parent);
    if (list) list.push(gridId); else gridsOf.set(parent, [gridId]);
  }
  const nextName = nameSource();
  const out: GridWorker[] = [];
  for (const communityId of [...gridsOf.keys()].sort()) {
    const grids = (gridsOf.get(communityId) ?? []).sort();
    let at = 0;
    runSizes(grids.length).forEach((size, i) => {
      out.push({ id: `GW-${communityId}-${i + 1}`, name: nextName(), grids: grids.slice(at, at + size), communityId });
      at += size;
    });
  }
  return out;
}

export interface Roster {
  readonly workers: readonly GridWorker[];
  /** the worker responsible for a grid, or null for an unknown grid */
  workerForGrid(gridId: string): GridWorker | null;
}

const rosters = new WeakMap<JurisdictionTree, Roster>();

/** The roster of a tree, built once per tree. */
export function rosterOf(tree: JurisdictionTree): Roster {
  const known = rosters.get(tree);
  if (known) return known;
  const workers = buildRoster(tree);
  const byGrid = new Map<string, GridWorker>();
  for (const w of workers) for (const g of w.grids) byGrid.set(g, w);
  const roster: Roster = { workers, workerForGrid: (gridId) => byGrid.get(gridId) ?? null };
  rosters.set(tree, roster);
  return roster;
}
