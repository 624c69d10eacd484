/**
 * Summarises V8 heap snapshots (`.heapsnapshot` JSON, as `HeapProfiler.takeHeapSnapshot` streams
 * it) per constructor, and diffs three of them (the three-snapshot technique: what grows between
 * all three is a leak candidate). Used by scripts/soak-wall.ts `--snapshots`.
 *
 * Grouping: objects and native (DOM) objects by constructor name (detached DOM as
 * `Detached <name>`), closures as `(closure) <function name>`, arrays and hidden objects as
 * `(array) <name>` / `(system) <name>`, strings, code, numbers etc. as one group each.
 */

export interface HeapSnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: (string[] | string)[]; edge_fields?: string[]; edge_types?: (string[] | string)[] }; node_count?: number };
  nodes: number[];
  edges?: number[];
  strings: string[];
}

export interface GroupStat { count: number; selfSize: number }
export type HeapSummary = Record<string, GroupStat>;

const LUMPED = new Set(['string', 'concatenated string', 'sliced string', 'code', 'number', 'bigint', 'symbol', 'regexp']);

/** The group (constructor) of node `i` (an index into `nodes`, a multiple of the field count). */
export function groupKeyOf(snap: HeapSnapshotJson): (i: number) => string {
  const fields = snap.snapshot.meta.node_fields;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const detachedAt = fields.indexOf('detachedness');
  const typeNames = snap.snapshot.meta.node_types[typeAt] as string[];
  const { nodes, strings } = snap;
  return (i) => {
    const type = typeNames[nodes[i + typeAt]!] ?? 'unknown';
    const name = strings[nodes[i + nameAt]!] ?? '';
    if (LUMPED.has(type)) return type.endsWith('string') ? '(string)' : `(${type})`;
    if (type === 'object' || type === 'native') {
      // DOM elements are named by their markup ("<li class=\"a b\" data-id=…>"): one group per tag and first class
      const tag = name.startsWith('<') ? /^<([\w-]+)/.exec(name)?.[1] : undefined;
      const cls = tag ? /\sclass="([^"\s]+)/.exec(name)?.[1] : undefined;
      // object names can carry details after a slash, e.g. "Window / http://…", "system / Context / scope @123": keep the constructor
      const ctor = tag ? `<${tag}${cls ? `.${cls}` : ''}>`
        : (name.startsWith('system / ') ? name.replace(/ @\d+$/, '') : name.split(' / ')[0]!).slice(0, 80);
      return detachedAt >= 0 && nodes[i + detachedAt] === 2 ? `Detached ${ctor}` : ctor;
    }
    if (type === 'closure') return `(closure) ${name.slice(0, 60) || '(anonymous)'}`;
    if (type === 'array') return `(array) ${name.slice(0, 60)}`;
    if (type === 'hidden') return `(system) ${name.slice(0, 60)}`;
    return `(${type})`;
  };
}

export function summariseHeapSnapshot(snap: HeapSnapshotJson): { totalSize: number; nodeCount: number; groups: HeapSummary } {
  const fields = snap.snapshot.meta.node_fields;
  const stride = fields.length;
  const sizeAt = fields.indexOf('self_size');
  const keyOf = groupKeyOf(snap);
  const groups: HeapSummary = {};
  let totalSize = 0;
  const { nodes } = snap;
  for (let i = 0; i < nodes.length; i += stride) {
    const size = nodes[i + sizeAt]!;
    const key = keyOf(i);
    const g = (groups[key] ??= { count: 0, selfSize: 0 });
    g.count++;
    g.selfSize += size;
    totalSize += size;
  }
  return { totalSize, nodeCount: nodes.length / stride, groups };
}

export interface Grower { name: string; counts: number[]; selfSizes: number[]; countGrowth: number; sizeGrowth: number }

/**
 * Constructors whose count or self size grows strictly between every consecutive pair of
 * summaries, sorted by self-size growth (first → last), then count growth.
 */
export function monotonicGrowers(summaries: HeapSummary[]): Grower[] {
  const names = new Set(summaries.flatMap((s) => Object.keys(s)));
  const out: Grower[] = [];
  for (const name of names) {
    const counts = summaries.map((s) => s[name]?.count ?? 0);
    const selfSizes = summaries.map((s) => s[name]?.selfSize ?? 0);
    const strictly = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
    if (!strictly(counts) && !strictly(selfSizes)) continue;
    out.push({ name, counts, selfSizes, countGrowth: counts.at(-1)! - counts[0]!, sizeGrowth: selfSizes.at(-1)! - selfSizes[0]! });
  }
  return out.sort((a, b) => b.sizeGrowth - a.sizeGrowth || b.countGrowth - a.countGrowth);
}

/** The largest groups of a summary, for context next to the growers. */
export function topGroups(summary: HeapSummary, n = 30): { name: string; count: number; selfSize: number }[] {
  return Object.entries(summary).map(([name, g]) => ({ name, ...g })).sort((a, b) => b.selfSize - a.selfSize).slice(0, n);
}
