/**
 * `npx tsx scripts/heap-retainers.ts <file.heapsnapshot> <group> [--top 12] [--depth 8]`: why the
 * instances of one group of a heap snapshot (a name as scripts/heap-snapshot.ts groups them, e.g.
 * `Object`, `(closure) onTick`, `Detached HTMLDivElement`) are alive: each instance's retaining
 * path towards the GC roots (through the retainer nearest to a root, weak edges ignored, as
 * DevTools shows it), counted per path. Pairs with `scripts/soak-wall.ts --keep-snapshots`.
 */
import { readFileSync } from 'node:fs';
import { groupKeyOf, type HeapSnapshotJson } from './heap-snapshot.js';

const [file, group] = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
if (!file || !group) {
  console.error('usage: heap-retainers.ts <file.heapsnapshot> <group> [--top 12] [--depth 8]');
  process.exit(2);
}
const TOP = arg('top', 12);
const DEPTH = arg('depth', 8);

const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshotJson;
const meta = snap.snapshot.meta;
const nf = meta.node_fields;
const stride = nf.length;
const edgeCountAt = nf.indexOf('edge_count');
const ef = meta.edge_fields!;
const estride = ef.length;
const eTypeAt = ef.indexOf('type');
const eNameAt = ef.indexOf('name_or_index');
const eToAt = ef.indexOf('to_node');
const edgeTypes = meta.edge_types![eTypeAt] as string[];
const { nodes, strings } = snap;
const edges = snap.edges!;
const n = nodes.length / stride;
const keyOf = groupKeyOf(snap);

// first edge of every node; reverse edges (retainers), weak and shortcut edges left out
const firstEdge = new Uint32Array(n + 1);
for (let i = 0, e = 0; i < n; i++) {
  firstEdge[i] = e;
  e += nodes[i * stride + edgeCountAt]! * estride;
}
firstEdge[n] = edges.length;
const skip = (t: string) => t === 'weak' || t === 'shortcut';
const retCount = new Uint32Array(n + 1);
for (let i = 0; i < n; i++) {
  for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += estride) {
    if (skip(edgeTypes[edges[e + eTypeAt]!]!)) continue;
    retCount[edges[e + eToAt]! / stride]!++;
  }
}
const retStart = new Uint32Array(n + 1);
for (let i = 0; i < n; i++) retStart[i + 1] = retStart[i]! + retCount[i]!;
const retFill = retStart.slice();
const retFrom = new Uint32Array(retStart[n]!);
const retEdge = new Uint32Array(retStart[n]!);
for (let i = 0; i < n; i++) {
  for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += estride) {
    if (skip(edgeTypes[edges[e + eTypeAt]!]!)) continue;
    const to = edges[e + eToAt]! / stride;
    retFrom[retFill[to]!] = i;
    retEdge[retFill[to]!++] = e;
  }
}
// distance from the root (node 0), breadth first
const dist = new Int32Array(n).fill(-1);
dist[0] = 0;
const queue = new Uint32Array(n);
let qh = 0;
let qt = 0;
queue[qt++] = 0;
while (qh < qt) {
  const i = queue[qh++]!;
  for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += estride) {
    if (skip(edgeTypes[edges[e + eTypeAt]!]!)) continue;
    const to = edges[e + eToAt]! / stride;
    if (dist[to] === -1) {
      dist[to] = dist[i]! + 1;
      queue[qt++] = to;
    }
  }
}
const edgeName = (e: number) => {
  const t = edgeTypes[edges[e + eTypeAt]!]!;
  const v = edges[e + eNameAt]!;
  // indices collapse ([n]), so that the instances of one array or Map count as one path
  if (t === 'element' || t === 'hidden') return '[n]';
  const name = strings[v] ?? String(v);
  return t === 'context' ? `ctx.${name}` : /^\d+$/.test(name) ? '[n]' : name;
};

const paths = new Map<string, number>();
let instances = 0;
let unreachable = 0;
for (let i = 0; i < n; i++) {
  if (keyOf(i * stride) !== group) continue;
  instances++;
  if (dist[i] === -1) {
    unreachable++;
    continue;
  }
  const steps: string[] = [];
  let at = i;
  for (let d = 0; d < DEPTH && at !== 0; d++) {
    let best = -1;
    let bestEdge = -1;
    for (let r = retStart[at]!; r < retStart[at + 1]!; r++) {
      const from = retFrom[r]!;
      if (dist[from]! >= 0 && dist[from]! < dist[at]! && (best === -1 || dist[from]! < dist[best]!)) {
        best = from;
        bestEdge = retEdge[r]!;
      }
    }
    if (best === -1) break;
    steps.push(`${keyOf(best * stride)}.${edgeName(bestEdge)}`);
    at = best;
  }
  const key = steps.join(' ← ');
  paths.set(key, (paths.get(key) ?? 0) + 1);
}
console.log(`${group}: ${instances} instances${unreachable ? ` (${unreachable} not reachable from the roots)` : ''}`);
for (const [p, c] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${String(c).padStart(7)}  ${p}`);
